// The beats input with our Lumberjack v2 test client: windows (compressed, plain, legacy data frames), ACKs
// only after the downstream ack and in window order, Beats metadata, TLS/mTLS, fuzzed and hostile input,
// and a connection cut mid-window whose resend leaves each event once by id in the file output.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { createServer } from 'node:net';
import type { EventData } from '../../src/core/event.js';
import type { BeatsInput } from '../../src/inputs/beats.js';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { Agent } from '../../src/core/agent.js';
import { createPlugin } from '../helpers.js';
import { FakeSink, waitFor } from './fake_sink.js';
import { LumberjackClient, compressedFrame, dataFrame, encodeWindow, jsonFrame, windowFrame } from '../support/lumberjack-client.js';
import { testCerts } from '../support/certs.js';

const inputs: BeatsInput[] = [];
const clients: LumberjackClient[] = [];
after(async () => {
  for (const c of clients) c.destroy();
  for (const i of inputs) {
    i.stop();
    await i.close();
  }
});

async function start(settings: Record<string, unknown> = {}, sink = new FakeSink(true)) {
  const input = await createPlugin<BeatsInput>('input', 'beats', { port: 0, host: '127.0.0.1', ...settings });
  void input.run(sink);
  inputs.push(input);
  await waitFor(() => input.boundAddress !== undefined, 'the beats input to listen');
  return { input, port: input.boundAddress!.port, sink };
}

async function client(port: number, tls?: Parameters<typeof LumberjackClient.connect>[1]): Promise<LumberjackClient> {
  const c = await LumberjackClient.connect(port, tls);
  clients.push(c);
  return c;
}

function events(sink: FakeSink): EventData[] {
  return sink.pushed.flatMap((p) => (p.batch.kind === 'events' ? p.batch.events : []));
}
const meta = (e: EventData) => e['@metadata'] as Record<string, any>;

function filebeatEvent(i: number, extra: Record<string, unknown> = {}) {
  return {
    '@timestamp': '2026-11-28T12:00:00.000Z',
    '@metadata': { beat: 'filebeat', type: '_doc', version: '8.11.0' },
    message: `line ${i}`,
    log: { offset: i * 10, file: { path: '/var/log/app.log' } },
    agent: { type: 'filebeat', hostname: 'web-1', name: 'web-1' },
    ...extra,
  };
}

test('beats: a compressed window arrives as one batch with Beats metadata; the ACK waits for the downstream ack', async () => {
  const sink = new FakeSink(false);
  const { port } = await start({}, sink);
  const c = await client(port);
  c.sendWindow([filebeatEvent(1), filebeatEvent(2), { '@metadata': { beat: 'metricbeat', type: '_doc', version: '8.11.0', _id: 'mb-1' }, system: { cpu: 1 } }]);
  await waitFor(() => sink.pushed.length === 1, 'the window to reach the pipeline');
  const ev = events(sink);
  assert.equal(ev.length, 3);
  assert.deepEqual(meta(ev[0]!).beat, 'filebeat');
  assert.deepEqual(meta(ev[0]!).version, '8.11.0');
  assert.deepEqual(meta(ev[0]!).type, '_doc');
  assert.equal(meta(ev[0]!).ip_address, '127.0.0.1');
  assert.deepEqual(ev[0]!.tags, ['beats_input_codec_plain_applied']);
  assert.deepEqual(ev[2]!.tags, ['beats_input_raw_event']);
  assert.equal(meta(ev[2]!)._id, 'mb-1', 'an id set by the Beat is kept');
  assert.match(meta(ev[0]!)._id, /^beats:/);
  assert.notEqual(meta(ev[0]!)._id, meta(ev[1]!)._id);
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(c.acks, [], 'no ACK before the pipeline acknowledged');
  sink.ackAll();
  await c.awaitAck(3);
  assert.deepEqual(c.acks, [3]);
});

test('beats: pipelined windows are acknowledged in order even when the pipeline finishes them out of order; big windows in parts', async () => {
  const sink = new FakeSink(false);
  const { port } = await start({}, sink);
  const c = await client(port);
  c.sendWindow([filebeatEvent(1), filebeatEvent(2)]);
  c.sendWindow(Array.from({ length: 5000 }, (_, i) => filebeatEvent(100 + i)));
  await waitFor(() => sink.pushed.length === 3, 'three batches (the big window in two parts)');
  assert.deepEqual(sink.pushed.map((p) => (p.batch.kind === 'events' ? p.batch.events.length : 0)), [2, 4096, 904]);
  sink.pushed[2]!.ack();
  sink.pushed[1]!.ack();
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(c.acks, [], 'the second window waits for the first');
  sink.pushed[0]!.ack();
  await c.awaitAck(5000);
  assert.deepEqual(c.acks, [2, 5000]);
});

test('beats: uncompressed JSON frames and legacy v1 data frames; ECS mode names', async () => {
  const sink = new FakeSink(true);
  const { port } = await start({ ecs_compatibility: 'v1' }, sink);
  const c = await client(port);
  c.sendWindow([filebeatEvent(1)], false);
  await c.awaitAck(1);
  c.write(Buffer.concat([windowFrame(2, 1), dataFrame(1, { line: 'old forwarder', file: '/var/log/x' }), dataFrame(2, { line: 'second' })]));
  await c.awaitAck(2);
  const ev = events(sink);
  assert.equal(meta(ev[0]!).input.beats.host.ip, '127.0.0.1');
  assert.equal(meta(ev[0]!).input.beats.host.name, 'web-1');
  assert.equal(meta(ev[0]!).ip_address, undefined);
  assert.deepEqual(ev.slice(1).map((e) => e.message), ['old forwarder', 'second']);
  assert.equal(ev[1]!.file, '/var/log/x');
});

test('beats: a json codec decodes the message, Beats fields kept', async () => {
  const sink = new FakeSink(true);
  const { port } = await start({ codec: 'json' }, sink);
  const c = await client(port);
  c.sendWindow([filebeatEvent(1, { message: '{"user":"alice","n":5}' })]);
  await c.awaitAck(1);
  const e = events(sink)[0]!;
  assert.equal(e.user, 'alice');
  assert.equal(e.message, undefined);
  assert.equal((e.log as any).offset, 10);
  assert.deepEqual(e.tags, ['beats_input_codec_json_applied']);
});

test('beats: TLS with required client certificates: refused without one or with a foreign one', async () => {
  const certs = testCerts();
  const sink = new FakeSink(true);
  const { port } = await start(
    { ssl_enabled: true, ssl_certificate: certs.serverCert, ssl_key: certs.serverKey, ssl_certificate_authorities: [certs.caCert], ssl_client_authentication: 'required', ssl_peer_metadata: true },
    sink,
  );
  const ca = certs.pem(certs.caCert);
  for (const tls of [{ ca }, { ca, cert: certs.pem(certs.rogueCert), key: certs.pem(certs.rogueKey) }]) {
    const refused = await LumberjackClient.connect(port, tls).catch(() => undefined);
    if (refused) {
      clients.push(refused);
      refused.sendWindow([filebeatEvent(1)]);
      await assert.rejects(refused.awaitAck(1));
    }
  }
  const good = await client(port, { ca, cert: certs.pem(certs.clientCert), key: certs.pem(certs.clientKey) });
  good.sendWindow([filebeatEvent(7)]);
  await good.awaitAck(1);
  const ev = events(sink);
  assert.deepEqual(ev.map((e) => e.message), ['line 7']);
  assert.equal(meta(ev[0]!).tls_peer.status, 'verified');
  assert.match(meta(ev[0]!).tls_peer.subject, /CN=client/);
});

/** A deterministic pseudo-random generator (xorshift32), so a failing fuzz case can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

async function rawConnection(port: number, bytes: Buffer, end: boolean): Promise<void> {
  await new Promise<void>((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.write(bytes);
      if (end) s.end();
    });
    s.on('error', () => {});
    s.on('data', () => {});
    s.on('close', () => resolve());
  });
}

test('beats: fuzzed and hostile input closes only the offending connections, counted; the input stays up', async () => {
  const sink = new FakeSink(true);
  const { port, input } = await start({ max_frame_size: '1MiB', client_inactivity_timeout: 30 }, sink);
  const good = await client(port);
  const rand = rng(42);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  const hostile: Array<[string, Buffer, boolean]> = [];
  // Random bytes with a bad version byte: closed by the server without the client ending.
  for (let i = 0; i < 30; i++) hostile.push(['random', Buffer.concat([Buffer.from([0x40 + (i % 100)]), bytes(1 + Math.floor(rand() * 2000))]), false]);
  // A valid version byte followed by random frame types.
  for (let i = 0; i < 30; i++) hostile.push(['bad type', Buffer.concat([Buffer.from([0x32, 0x60 + (i % 20)]), bytes(50)]), false]);
  // Huge declared lengths: refused before anything is buffered.
  const hugeJ = Buffer.alloc(10);
  hugeJ.write('2J');
  hugeJ.writeUInt32BE(1, 2);
  hugeJ.writeUInt32BE(0xffffffff, 6);
  const hugeC = Buffer.alloc(6);
  hugeC.write('2C');
  hugeC.writeUInt32BE(0x7fffffff, 2);
  hostile.push(['huge J', Buffer.concat([windowFrame(1), hugeJ]), false], ['huge C', Buffer.concat([windowFrame(1), hugeC]), false]);
  // A compressed frame of garbage, and a zip bomb (inflates beyond max_frame_size).
  const garbage = bytes(100);
  const gh = Buffer.alloc(6);
  gh.write('2C');
  gh.writeUInt32BE(garbage.length, 2);
  hostile.push(['corrupt zlib', Buffer.concat([windowFrame(1), gh, garbage]), false]);
  const bomb = deflateSync(Buffer.alloc(8 * 1024 * 1024));
  const bh = Buffer.alloc(6);
  bh.write('2C');
  bh.writeUInt32BE(bomb.length, 2);
  hostile.push(['zip bomb', Buffer.concat([windowFrame(1), bh, bomb]), false]);
  // A compressed block ending inside a frame.
  hostile.push(['truncated inner frame', Buffer.concat([windowFrame(1), compressedFrame(jsonFrame(1, { a: 1 }).subarray(0, 15))]), false]);
  const before = input.counters.badFrames;
  await Promise.all(hostile.map(([, b, end]) => rawConnection(port, b, end)));
  assert.equal(input.counters.badFrames - before, hostile.length, 'every hostile connection was closed and counted');
  // Truncated frames followed by the client hanging up: nothing pushed, nothing acknowledged, no crash.
  const whole = encodeWindow([filebeatEvent(1)], true);
  for (let cut = 1; cut < whole.length; cut += 7) await rawConnection(port, whole.subarray(0, cut), true);
  assert.equal(events(sink).length, 0);
  // The good connection, open all along, still works.
  good.sendWindow([filebeatEvent(99)]);
  await good.awaitAck(1);
  assert.deepEqual(events(sink).map((e) => e.message), ['line 99']);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('beats end to end: a connection cut mid-window, then the Beat resends the window: every event is in the file output, once by id', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-beats-'));
  const out = join(dir, 'out.jsonl');
  const port = await freePort();
  const agent = new Agent(
    {
      configString: `input { beats { host => "127.0.0.1" port => ${port} } }
        filter { mutate { add_field => { "eid" => "%{[@metadata][_id]}" "beat" => "%{[@metadata][beat]}" } } }
        output { file { path => "${out}" } }`,
      pathData: join(dir, 'data'),
      workers: 1,
      batchSize: 50,
    },
    await loadRegistry(),
    createLogger('test'),
  );
  await agent.start();
  try {
    const window1 = Array.from({ length: 100 }, (_, i) => filebeatEvent(i));
    const window2 = Array.from({ length: 100 }, (_, i) => filebeatEvent(1000 + i));
    const c1 = await LumberjackClient.connect(port);
    c1.sendWindow(window1);
    await c1.awaitAck(100);
    // Window 2 uncompressed, cut after 40 of its events (no ACK can have been sent for it).
    const bytes = encodeWindow(window2, false);
    const cutAt = Buffer.concat([windowFrame(100), ...window2.slice(0, 40).map((e, i) => jsonFrame(i + 1, e))]).length + 5;
    c1.write(bytes.subarray(0, cutAt));
    await new Promise<void>((r) => c1.socket.end(() => r()));
    c1.destroy();
    // The Beat reconnects and resends the whole window (compressed this time, same events).
    const c2 = await LumberjackClient.connect(port);
    clients.push(c2);
    c2.sendWindow(window2);
    await c2.awaitAck(100);
  } finally {
    await agent.stop();
  }
  const lines = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  const byId = new Map<string, Record<string, any>[]>();
  for (const e of lines) byId.set(e.eid, [...(byId.get(e.eid) ?? []), e]);
  assert.equal(byId.size, 200, 'every event arrived');
  const messages = new Set([...byId.values()].map((v) => v[0]!.message));
  assert.equal(messages.size, 200, 'one id per event');
  // Events of the cut part may have arrived twice; their copies carry the same id and the same content, so
  // an output writing by id (Elasticsearch, a keyed store) ends with each event once.
  for (const copies of byId.values()) for (const c of copies) assert.deepEqual(c, copies[0]);
  // The 40 events received before the cut were kept (nothing is dropped on a broken connection), so they are
  // the ones written twice.
  assert.equal(lines.length, 240);
  assert.ok(lines.every((e) => e.beat === 'filebeat'));
});
