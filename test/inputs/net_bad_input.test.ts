// Bad input on the syslog input, through a real pipeline: random bytes, truncated frames, octet counts larger
// than the message, a 10 MB line, a slow client, 1,000 idle connections. The process stays up, every rejected
// or cut frame is counted, and a well-behaved connection alongside gets all its lines.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { Agent } from '../../src/core/agent.js';
import { waitFor } from './fake_sink.js';
import { freePort, octet, sendTcp, sleep, stopAll, track } from './net_helpers.js';
import { readJsonLines as rows } from '../support/sluice.js';

after(stopAll);

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

test('syslog input under bad input: stays up, counts what it cut or refused, good connections unaffected', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-badnet-'));
  const port = await freePort();
  const out = join(dir, 'out.jsonl');
  const agent = new Agent(
    {
      configString: `input { syslog { port => ${port} host => "127.0.0.1" max_message_size => "64KiB" } }
        output { file { path => "${out}" codec => json_lines } }`,
      pathData: join(dir, 'data'),
      workers: 2,
      batchSize: 100,
    },
    await loadRegistry(),
    createLogger('test'),
  );
  track(agent);
  await agent.start();
  await waitFor(async () => sendTcp(port, '').then(() => true, () => false), 'listening');
  const inputStats = () => agent.stats()[0]!.inputs![0]! as Record<string, number>;

  // 1,000 idle connections, and a slow client that has sent a few bytes of a line.
  const idle = await Promise.all(Array.from({ length: 1000 }, () => connect(port)));
  const slow = await connect(port);
  for (const ch of '<13>Nov 28 11:55:26 h slow: ') {
    slow.write(ch);
    await sleep(2);
  }
  await waitFor(() => inputStats().tcp_connections_open >= 1001, '1,001 open connections');

  // The bad ones.
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const random = Buffer.alloc(256 * 1024);
  for (let i = 0; i < random.length; i++) random[i] = Math.floor(rnd() * 256);
  await sendTcp(port, random);
  await sendTcp(port, octet('<13>1 - h app - - - fine before') + '120 <13>1 - h app - - - cut short'); // truncated frame
  await sendTcp(port, '9999 <13>1 - h app - - - count far too large'); // octet count larger than the message
  await sendTcp(port, '<13>Nov 28 11:55:26 h big: ' + 'x'.repeat(10 * 1024 * 1024) + '\n<13>Nov 28 11:55:26 h big: after\n'); // a 10 MB line
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.send(random.subarray(0, 1000), port, '127.0.0.1', () => r()));
  udp.close();

  // A good connection alongside: all its lines arrive while the slow and idle ones are still open.
  const good = Array.from({ length: 2000 }, (_, i) => octet(`<134>1 2026-11-28T11:55:26.000001Z host app - - - good ${i}\n`)).join('');
  await sendTcp(port, good);
  await waitFor(() => rows(out).filter((e) => String(e.message).startsWith('good ')).length === 2000, 'the 2000 good lines', 30_000);

  // The slow client finishes its line; the idle ones go away.
  slow.end('done\n');
  for (const s of idle) s.destroy();
  await waitFor(() => rows(out).some((e) => e.message === 'done'), 'the slow line');
  await waitFor(() => inputStats().tcp_connections_open === 0, 'connections closed');

  const s = inputStats();
  await agent.stop();
  const events = rows(out);
  const truncated = events.filter((e) => e.tags?.includes('_line_truncated'));
  assert.equal(s.tcp_oversize, 1, 'the 10 MB line was cut once');
  assert.ok(truncated.some((e) => e.message.length <= 64 * 1024 && e.message.startsWith('xxxx')), 'the cut 10 MB line is kept, tagged');
  assert.ok(events.some((e) => e.message === 'after'), 'the line after the 10 MB line');
  assert.ok(events.some((e) => e.message === 'fine before'));
  assert.equal(s.tcp_incomplete, 2, 'the short frame and the too-large count');
  assert.ok(truncated.some((e) => String(e.message).includes('cut short')));
  assert.ok(truncated.some((e) => String(e.message).includes('count far too large')));
  assert.ok(events.some((e) => e.tags?.includes('_grokparsefailure_sysloginput')), 'random bytes are kept, tagged');
  const stats = agent.stats()[0]!;
  assert.equal(stats.in, stats.out, 'every event read reached the output');
  assert.equal(stats.in, s.tcp_frames + s.udp_datagrams);
  assert.equal(stats.errors.length, 0);
});
