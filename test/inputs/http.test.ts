// The http input against a fake pipeline sink: decoding by Content-Type, request fields, auth, TLS/mTLS,
// size limits, 429 when the pipeline is full, and responses held until the downstream ack.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { EventData } from '../../src/core/event.js';
import type { InputSink, RawBatch } from '../../src/core/plugin.js';
import type { HttpInput } from '../../src/inputs/http.js';
import { createPlugin } from '../helpers.js';
import { FakeSink, waitFor } from './fake_sink.js';
import { send } from '../support/http-request.js';
import { testCerts } from '../support/certs.js';

const running: Array<{ input: HttpInput; run: Promise<void> }> = [];
after(async () => {
  for (const r of running) {
    r.input.stop();
    await r.input.close();
  }
});

async function start(settings: Record<string, unknown>, sink: InputSink = new FakeSink(true)): Promise<{ input: HttpInput; port: number; sink: InputSink }> {
  const input = await createPlugin<HttpInput>('input', 'http', { port: 0, host: '127.0.0.1', ...settings });
  const run = input.run(sink);
  running.push({ input, run });
  await waitFor(() => input.boundAddress !== undefined, 'the http input to listen');
  return { input, port: input.boundAddress!.port, sink };
}

function events(sink: FakeSink): EventData[] {
  return sink.pushed.flatMap((p) => (p.batch.kind === 'events' ? p.batch.events : []));
}

test('http: JSON object, JSON array, NDJSON and plain bodies are decoded by Content-Type, with legacy request fields', async () => {
  const sink = new FakeSink(true);
  const { port } = await start({ additional_codecs: { 'application/json': 'json', 'application/x-ndjson': 'json_lines', 'text/x-lines': 'line' } }, sink);
  let r = await send({ port, path: '/hook?x=1', headers: { 'Content-Type': 'application/json; charset=utf-8', 'User-Agent': 'test-agent', Authorization: 'Basic c2VjcmV0' }, body: '{"a":1}' });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'ok');
  r = await send({ port, headers: { 'Content-Type': 'application/json' }, body: '[{"b":1},{"b":2}]' });
  assert.equal(r.status, 200);
  r = await send({ port, headers: { 'Content-Type': 'application/x-ndjson' }, body: '{"c":1}\n{"c":2}\n\n{"c":3}\n' });
  assert.equal(r.status, 200);
  r = await send({ port, headers: { 'Content-Type': 'text/x-lines' }, body: 'one\ntwo\n' });
  r = await send({ port, headers: { 'Content-Type': 'text/plain' }, body: 'whole\nbody' });
  const ev = events(sink);
  assert.deepEqual(ev.map((e) => e.a ?? e.b ?? e.c ?? e.message), [1, 1, 2, 1, 2, 3, 'one', 'two', 'whole\nbody']);
  const first = ev[0]!;
  assert.equal(first.host, '127.0.0.1');
  const h = first.headers as Record<string, string>;
  assert.equal(h.request_method, 'POST');
  assert.equal(h.request_path, '/hook');
  assert.equal(h.request_uri, '/hook?x=1');
  assert.equal(h.http_user_agent, 'test-agent');
  assert.equal(h.content_type, 'application/json; charset=utf-8');
  assert.equal(h.http_authorization, undefined, 'credentials never go into events');
  const ids = ev.map((e) => (e['@metadata'] as { _id: string })._id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  // The same body resent gets the same ids (overwrite downstream instead of duplicating).
  await send({ port, headers: { 'Content-Type': 'application/json' }, body: '[{"b":1},{"b":2}]' });
  const again = events(sink).slice(-2).map((e) => (e['@metadata'] as { _id: string })._id);
  assert.deepEqual(again, ids.slice(1, 3));
});

test('http: ECS mode puts request data in ECS fields and headers under @metadata', async () => {
  const sink = new FakeSink(true);
  const { port } = await start({ ecs_compatibility: 'v1' }, sink);
  await send({ port, path: '/in?q=2', headers: { 'Content-Type': 'application/json', 'User-Agent': 'ua/1' }, body: '{"m":"x"}' });
  const e = events(sink)[0]! as Record<string, any>;
  assert.equal(e.host.ip, '127.0.0.1');
  assert.equal(e.http.method, 'POST');
  assert.equal(e.http.request.mime_type, 'application/json');
  assert.equal(e.http.request.body.bytes, 9);
  assert.equal(e.url.path, '/in');
  assert.equal(e.url.query, 'q=2');
  assert.equal(e.url.port, port);
  assert.equal(e.user_agent.original, 'ua/1');
  assert.equal(e['@metadata'].input.http.request.headers.http_user_agent, 'ua/1');
  assert.equal(e.headers, undefined);
});

test('http: basic and bearer authentication; 401 without or with wrong credentials', async () => {
  const sink = new FakeSink(true);
  const { port } = await start({ user: 'etl', password: 'secret', bearer_token: 'tok-123' }, sink);
  assert.equal((await send({ port, body: 'x' })).status, 401);
  const wrong = await send({ port, body: 'x', headers: { Authorization: 'Basic ' + Buffer.from('etl:nope').toString('base64') } });
  assert.equal(wrong.status, 401);
  assert.match(String(wrong.headers['www-authenticate']), /Basic/);
  assert.equal((await send({ port, body: 'x', headers: { Authorization: 'Bearer tok-124' } })).status, 401);
  assert.equal((await send({ port, body: 'a', headers: { Authorization: 'Basic ' + Buffer.from('etl:secret').toString('base64') } })).status, 200);
  assert.equal((await send({ port, body: 'b', headers: { Authorization: 'Bearer tok-123' } })).status, 200);
  assert.equal((await send({ port, body: 'c', headers: { Authorization: 'ApiKey tok-123' } })).status, 200);
  assert.deepEqual(events(sink).map((e) => e.message), ['a', 'b', 'c']);
});

test('http: TLS with required client certificates (mTLS): refused without one or with a foreign one', async () => {
  const certs = testCerts();
  const sink = new FakeSink(true);
  const { port } = await start(
    { ssl_enabled: true, ssl_certificate: certs.serverCert, ssl_key: certs.serverKey, ssl_certificate_authorities: [certs.caCert], ssl_client_authentication: 'required' },
    sink,
  );
  const ca = certs.pem(certs.caCert);
  await assert.rejects(send({ port, body: 'no cert', tls: { ca } }));
  await assert.rejects(send({ port, body: 'rogue', tls: { ca, cert: certs.pem(certs.rogueCert), key: certs.pem(certs.rogueKey) } }));
  await assert.rejects(send({ port, body: 'plain http' }));
  const ok = await send({ port, body: 'good', tls: { ca, cert: certs.pem(certs.clientCert), key: certs.pem(certs.clientKey) } });
  assert.equal(ok.status, 200);
  assert.deepEqual(events(sink).map((e) => e.message), ['good']);
});

test('http: TLS without client authentication serves any TLS client', async () => {
  const certs = testCerts();
  const sink = new FakeSink(true);
  const { port } = await start({ ssl_enabled: true, ssl_certificate: certs.serverCert, ssl_key: certs.serverKey }, sink);
  assert.equal((await send({ port, body: 'tls', tls: { ca: certs.pem(certs.caCert) } })).status, 200);
  assert.equal(events(sink).length, 1);
});

test('http: bodies over max_content_length get 413, also once decompressed; gzip bodies are accepted', async () => {
  const sink = new FakeSink(true);
  const { port, input } = await start({ max_content_length: 1024 }, sink);
  assert.equal((await send({ port, body: 'x'.repeat(2000) })).status, 413);
  const bomb = gzipSync(Buffer.alloc(100_000, 'a'));
  assert.ok(bomb.length < 1024);
  assert.equal((await send({ port, body: bomb, headers: { 'Content-Encoding': 'gzip' } })).status, 413);
  assert.equal((await send({ port, body: gzipSync('small one'), headers: { 'Content-Encoding': 'gzip' } })).status, 200);
  assert.equal((await send({ port, body: Buffer.from('not gzip'), headers: { 'Content-Encoding': 'gzip' } })).status, 400);
  assert.deepEqual(events(sink).map((e) => e.message), ['small one']);
  assert.equal(input.counters.tooLarge, 2);
});

/** A sink whose push never resolves until released: a pipeline with no room left. */
class BlockedSink implements InputSink {
  stopping = false;
  readonly waiting: Array<{ batch: RawBatch; release: () => void; ack?: () => void }> = [];
  push(batch: RawBatch, ack?: () => void): Promise<void> {
    return new Promise((release) => this.waiting.push({ batch, release: () => release(), ack }));
  }
}

test('http: a full pipeline answers 429 beyond max_pending_requests, holding no more than that', async () => {
  const sink = new BlockedSink();
  const { port, input } = await start({ max_pending_requests: 2 }, sink);
  const first = send({ port, body: 'one' });
  const second = send({ port, body: 'two' });
  await waitFor(() => sink.waiting.length === 2, 'two pushes waiting');
  const refused = await Promise.all([send({ port, body: 'three' }), send({ port, body: 'four' })]);
  assert.deepEqual(refused.map((r) => r.status), [429, 429]);
  assert.equal(sink.waiting.length, 2, 'refused requests never reach the pipeline');
  assert.equal(input.counters.busy, 2);
  // Room again: the waiting requests enter, and are answered once acknowledged.
  for (const w of sink.waiting) {
    w.release();
    w.ack?.();
  }
  assert.deepEqual((await Promise.all([first, second])).map((r) => r.status), [200, 200]);
  const fifth = send({ port, body: 'five' });
  await waitFor(() => sink.waiting.length === 3, 'a new request once there is room');
  sink.waiting[2]!.release();
  sink.waiting[2]!.ack?.();
  assert.equal((await fifth).status, 200);
});

test('http: the response waits for the downstream ack', async () => {
  const sink = new FakeSink(false);
  const { port } = await start({}, sink);
  let answered = false;
  const pending = send({ port, body: 'hold me' }).then((r) => {
    answered = true;
    return r;
  });
  await waitFor(() => sink.pushed.length === 1, 'the request to reach the pipeline');
  // Let the event loop run a few turns: still no answer while unacknowledged.
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.equal(answered, false);
  sink.ackAll();
  assert.equal((await pending).status, 200);
});

test('http: response_code and response_headers are configurable', async () => {
  const { port } = await start({ response_code: 202, response_headers: { 'Content-Type': 'text/plain', 'X-Test': 'yes' } });
  const r = await send({ port, body: 'x' });
  assert.equal(r.status, 202);
  assert.equal(r.headers['x-test'], 'yes');
});

test('http and beats: TLS settings are checked when the plugin is created, with a clear error', async () => {
  await assert.rejects(createPlugin('input', 'http', { port: 0, ssl_enabled: true }), /ssl_enabled needs ssl_certificate and ssl_key/);
  await assert.rejects(createPlugin('input', 'beats', { port: 0, ssl_enabled: true, ssl_certificate: '/nonexistent.crt', ssl_key: '/nonexistent.key' }), /cannot read ssl_certificate/);
  const certs = testCerts();
  await assert.rejects(
    createPlugin('input', 'http', { port: 0, ssl_enabled: true, ssl_certificate: certs.serverCert, ssl_key: certs.serverKey, ssl_client_authentication: 'required' }),
    /needs ssl_certificate_authorities/,
  );
});
