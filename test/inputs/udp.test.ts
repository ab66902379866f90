// The udp input: one datagram per message, sender ip in Logstash's field, oversize datagrams cut and counted.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { waitFor } from './fake_sink.js';
import { freePort, startInput, stopAll } from './net_helpers.js';

after(stopAll);

function send(port: number, ...datagrams: Array<string | Buffer>): Promise<void> {
  const s = dgram.createSocket('udp4');
  return (async () => {
    for (const d of datagrams) await new Promise<void>((r, j) => s.send(d, port, '127.0.0.1', (e) => (e ? j(e) : r())));
    s.close();
  })();
}

test('udp: datagrams become messages with the sender ip (host, or [host][ip] with ECS), ids count datagrams', async () => {
  const port = await freePort();
  const r = await startInput('udp', { port, host: '127.0.0.1', buffer_size: 100 }, undefined, false);
  await waitFor(() => r.metrics().receive_buffer_bytes > 0, 'bound');
  await send(port, 'one', 'two\nlines', 'x'.repeat(300));
  await waitFor(() => r.sink.lines().length === 3, '3 datagrams');
  const lines = r.sink.lines();
  assert.deepEqual(lines.map((l) => [l.text.length > 50 ? `${l.text.length}` : l.text, l.truncated]), [['one', false], ['two\nlines', false], ['100', true]]);
  assert.equal(lines[0]!.fields!.host, '127.0.0.1');
  assert.match(lines[2]!.id, /^udp:[0-9a-f]{12}:3$/);
  const m = r.metrics();
  assert.equal(m.datagrams, 3);
  assert.equal(m.oversize, 1);
  assert.ok(m.dropped_kernel >= 0, 'the kernel drop counter is readable here');
  await r.stop();

  const port2 = await freePort();
  const e = await startInput('udp', { port: port2, host: '127.0.0.1', ecs_compatibility: 'v1' }, undefined, false);
  await waitFor(() => e.metrics().receive_buffer_bytes > 0, 'bound');
  await send(port2, 'hi');
  await waitFor(() => e.sink.lines().length === 1, '1 datagram');
  assert.equal(e.sink.lines()[0]!.fields!['[host][ip]'], '127.0.0.1');
  await e.stop();
});

test('udp: when the pipeline does not take datagrams, the queue is bounded and the excess counted', async () => {
  const { BlockingSink } = await import('./net_helpers.js');
  const port = await freePort();
  const sink = new BlockingSink();
  sink.block();
  const r = await startInput('udp', { port, host: '127.0.0.1', queue_size: 50 }, sink, false);
  await waitFor(() => r.metrics().receive_buffer_bytes > 0, 'bound');
  await send(port, ...Array.from({ length: 300 }, (_, i) => `d${i}`));
  await waitFor(() => r.metrics().datagrams + r.metrics().dropped_kernel >= 300, 'all datagrams seen');
  const m = r.metrics();
  assert.ok(m.dropped_queue_full >= 300 - 50 - m.dropped_kernel, `excess counted (${JSON.stringify(m)})`);
  sink.release();
  await r.stop();
  const got = sink.lines().length;
  assert.equal(got + r.metrics().dropped_queue_full + r.metrics().dropped_kernel, 300, 'received + counted = sent');
});
