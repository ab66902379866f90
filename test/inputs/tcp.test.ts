// The tcp input over real sockets: sender fields, framing per connection, backpressure, drain on stop,
// and end to end through a pipeline.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { Agent } from '../../src/core/agent.js';
import { FakeSink, waitFor } from './fake_sink.js';
import { BlockingSink, freePort, octet, sendTcp, sleep, startInput, stopAll, track } from './net_helpers.js';

after(stopAll);

test('tcp: lines and octet-counted frames on separate connections, sender fields with Logstash names (legacy and ECS)', async () => {
  const port = await freePort();
  const r = await startInput('tcp', { port, host: '127.0.0.1', dns_reverse_lookup_enabled: false });
  await sendTcp(port, 'hello\nworld\r\n');
  await sendTcp(port, octet('<13>one\n') + octet('<13>two'));
  await waitFor(() => r.sink.lines().length === 4, '4 lines');
  const lines = r.sink.lines();
  assert.deepEqual(lines.map((l) => l.text.replace(/\r$/, '')).sort(), ['<13>one', '<13>two', 'hello', 'world']);
  const f = lines[0]!.fields!;
  assert.equal(f.host, '127.0.0.1');
  assert.equal(f['[@metadata][ip_address]'], '127.0.0.1');
  assert.equal(typeof f.port, 'number');
  assert.match(lines[0]!.id, /^tcp:[0-9a-f]{12}:\d+:1$/);
  await r.stop();
  assert.equal(r.metrics().frames, 4);

  const port2 = await freePort();
  const e = await startInput('tcp', { port: port2, host: '127.0.0.1', ecs_compatibility: 'v8' });
  await sendTcp(port2, 'x\n');
  await waitFor(() => e.sink.lines().length === 1, '1 line');
  const ef = e.sink.lines()[0]!.fields!;
  assert.equal(ef['[@metadata][input][tcp][source][ip]'], '127.0.0.1');
  assert.equal(typeof ef['[@metadata][input][tcp][source][name]'], 'string', 'reverse DNS name (or the ip)');
  assert.equal(typeof ef['[@metadata][input][tcp][source][port]'], 'number');
  await e.stop();
});

test('tcp: a full pipeline pauses the connection (the sender is held back), then every line arrives once, in order', async () => {
  const port = await freePort();
  const sink = new BlockingSink();
  sink.block();
  const r = await startInput('tcp', { port, host: '127.0.0.1', dns_reverse_lookup_enabled: false }, sink);
  const total = 400_000;
  const client = net.connect(port, '127.0.0.1');
  await new Promise((res) => client.on('connect', res));
  const payload = Array.from({ length: total }, (_, i) => `line ${String(i + 1).padStart(7, '0')} ${'p'.repeat(80)}\n`).join('');
  const sentBytes = Buffer.byteLength(payload);
  client.write(payload);
  await waitFor(() => sink.waiting > 0, 'the first push to block');
  await sleep(300); // let the kernel buffers fill
  const readWhileBlocked = r.metrics().bytes;
  assert.ok(readWhileBlocked < sentBytes / 2, `the input stopped reading (${readWhileBlocked} of ${sentBytes} bytes read)`);
  assert.ok(client.writableLength > 0, 'the sender could not hand everything to the kernel');
  sink.release();
  client.end();
  await waitFor(() => r.metrics().frames === total, 'all lines', 60_000);
  const lines = sink.lines();
  assert.equal(lines.length, total);
  for (let i = 0; i < total; i++) if (!lines[i]!.text.startsWith(`line ${String(i + 1).padStart(7, '0')} `)) assert.fail(`line ${i + 1} out of place: ${lines[i]!.text.slice(0, 20)}`);
  assert.equal(new Set(lines.map((l) => l.id)).size, total, 'ids are unique');
  await r.stop();
});

test('tcp: on stop, what was read is delivered (complete lines, then the partial one marked truncated), and the sockets are closed', async () => {
  const port = await freePort();
  const sink = new BlockingSink();
  sink.block();
  const r = await startInput('tcp', { port, host: '127.0.0.1', dns_reverse_lookup_enabled: false }, sink);
  const client = net.connect(port, '127.0.0.1');
  const closed = new Promise((res) => client.on('close', res));
  client.on('error', () => undefined);
  await new Promise((res) => client.on('connect', res));
  client.write(Array.from({ length: 200_000 }, (_, i) => `n=${i + 1}\n`).join('') + 'partial without end');
  await waitFor(() => sink.waiting > 0 && r.metrics().frames > 0, 'the first push of the client to block');
  r.input.stop();
  sink.release();
  await r.done;
  await closed;
  const lines = sink.lines();
  const m = r.metrics();
  assert.equal(lines.length, m.frames, 'every frame counted is delivered');
  assert.ok(lines.length > 0);
  // In order, without gaps, each whole (the last may be cut where reading stopped).
  lines.forEach((l, i) => {
    if (l.truncated) return;
    if (l.text !== `n=${i + 1}`) assert.fail(`line ${i + 1}: ${l.text}`);
  });
  assert.equal(m.connections_open, 0);
});

test('tcp end to end: two connections through a pipeline to a file; ids are unique and stable per frame', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tcp-'));
  const port = await freePort();
  const out = join(dir, 'out.txt');
  const agent = new Agent(
    {
      configString: `input { tcp { port => ${port} host => "127.0.0.1" dns_reverse_lookup_enabled => false } }
        output { file { path => "${out}" codec => line { format => "%{[@metadata][_id]} %{host} %{message}" } } }`,
      pathData: join(dir, 'data'),
      workers: 2,
      batchSize: 50,
    },
    await loadRegistry(),
    createLogger('test'),
  );
  track(agent);
  await agent.start();
  await waitFor(async () => sendTcp(port, '').then(() => true, () => false), 'listening');
  await Promise.all([sendTcp(port, Array.from({ length: 1000 }, (_, i) => `a${i}\n`).join('')), sendTcp(port, Array.from({ length: 1000 }, (_, i) => octet(`<13>b${i}\n`)).join(''))]);
  await waitFor(() => agent.stats()[0]!.out === 2000, '2000 events');
  await agent.stop();
  const rows = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(rows.length, 2000);
  assert.equal(new Set(rows.map((r) => r.split(' ')[0])).size, 2000);
  assert.ok(rows.every((r) => r.split(' ')[1] === '127.0.0.1'));
  const msgs = new Set(rows.map((r) => r.split(' ')[2]));
  for (let i = 0; i < 1000; i++) assert.ok(msgs.has(`a${i}`) && msgs.has(`<13>b${i}`), `message ${i}`);
  const inputStats = agent.stats()[0]!.inputs![0]!;
  assert.equal(inputStats.frames, 2000);
});

test('tcp + multiline codec: lines join per connection, and a connection\'s last message completes when it closes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tcp-ml-'));
  const port = await freePort();
  const out = join(dir, 'out.jsonl');
  const agent = new Agent(
    {
      configString: `input { tcp { port => ${port} host => "127.0.0.1" dns_reverse_lookup_enabled => false codec => multiline { pattern => "^\\s" what => "previous" } } }
        output { file { path => "${out}" codec => json_lines } }`,
      pathData: join(dir, 'data'),
      workers: 1,
      batchSize: 50,
    },
    await loadRegistry(),
    createLogger('test'),
  );
  track(agent);
  await agent.start();
  await waitFor(async () => sendTcp(port, '').then(() => true, () => false), 'listening');
  try {
    await Promise.all([sendTcp(port, 'a1\n  a2\nb1\n  b2'), sendTcp(port, 'c1\n  c2\n  c3\n')]);
    // Without stopping the pipeline: closing each connection completes its pending message.
    await waitFor(() => agent.stats()[0]!.out === 3, 'three joined events');
  } finally {
    await agent.stop();
  }
  const messages = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).message).sort();
  assert.deepEqual(messages, ['a1\n  a2', 'b1\n  b2', 'c1\n  c2\n  c3']);
});
