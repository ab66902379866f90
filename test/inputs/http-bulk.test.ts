// The http input's Elasticsearch-compatible surface: cluster probes, `_bulk` with every action and with
// broken lines (per-item 400s, never a crash), single-document indexing, gzip bodies.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { EventData } from '../../src/core/event.js';
import type { HttpInput } from '../../src/inputs/http.js';
import { bulkItemResponse, bulkResponseText, parseBulk, parseDocument } from '../../src/inputs/http/bulk.js';
import { createPlugin } from '../helpers.js';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { loadPipelines } from '../../src/config/load.js';
import { PipelineExecutor } from '../../src/core/executor.js';
import { FakeSink, waitFor } from './fake_sink.js';
import { send } from '../support/http-request.js';

const inputs: HttpInput[] = [];
after(async () => {
  for (const i of inputs) {
    i.stop();
    await i.close();
  }
});

async function start(settings: Record<string, unknown> = {}, sink = new FakeSink(true)) {
  const input = await createPlugin<HttpInput>('input', 'http', { port: 0, host: '127.0.0.1', elasticsearch_api: true, ...settings });
  void input.run(sink);
  inputs.push(input);
  await waitFor(() => input.boundAddress !== undefined, 'the http input to listen');
  return { input, port: input.boundAddress!.port, sink };
}

// Batches are decoded as a worker thread decodes them (the executor of a pipeline with this input), so
// `json` message batches and event batches are checked alike.
let executor: PipelineExecutor;
before(async () => {
  const registry = await loadRegistry();
  const { pipelines, errors } = loadPipelines({ configString: 'input { http { elasticsearch_api => true } } output { null {} }', pathData: '/nonexistent' }, registry);
  assert.deepEqual(errors, []);
  executor = await PipelineExecutor.create(pipelines[0]!.model, registry, createLogger('test'));
});

function events(sink: FakeSink): EventData[] {
  return sink.pushed.flatMap((p) => executor.decode(p.batch, 0).map((e) => e.data));
}
const meta = (e: EventData) => e['@metadata'] as Record<string, any>;

test('es api: GET / answers like a cluster, HEAD / too; probes answer; unknown _ endpoints 404 and ingest nothing', async () => {
  const { port, sink } = await start({ elasticsearch_version: '8.11.0' });
  const info = await send({ port, method: 'GET', path: '/' });
  assert.equal(info.status, 200);
  assert.equal(info.headers['x-elastic-product'], 'Elasticsearch');
  const body = JSON.parse(info.body);
  assert.equal(body.version.number, '8.11.0');
  assert.equal(body.tagline, 'You Know, for Search');
  const head = await send({ port, method: 'HEAD', path: '/' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal((await send({ port, method: 'GET', path: '/_cat/health' })).status, 200);
  assert.equal(JSON.parse((await send({ port, method: 'GET', path: '/_cluster/health' })).body).status, 'green');
  assert.equal(JSON.parse((await send({ port, method: 'GET', path: '/_license' })).body).license.status, 'active');
  assert.equal(JSON.parse((await send({ port, method: 'GET', path: '/_nodes/http' })).body)._nodes.total, 1);
  const tmpl = await send({ port, method: 'PUT', path: '/_index_template/x', body: '{"index_patterns":["x"]}', headers: { 'Content-Type': 'application/json' } });
  assert.equal(tmpl.status, 404);
  assert.equal(JSON.parse(tmpl.body).error.type, 'no_handler_found_exception');
  assert.equal(events(sink).length, 0);
});

test('es api: _bulk with index/create/update/delete, client ids kept, deterministic ids otherwise, malformed lines get per-item 400s', async () => {
  const { port, sink, input } = await start();
  const body = [
    '{"index":{"_index":"logs-a","_id":"given-1"}}',
    '{"message":"first","@timestamp":"2024-05-01T10:00:00Z"}',
    '',
    '{"create":{"_index":"logs-b"}}',
    '{"message":"second \\/ escaped"}',
    '{"index":{}}', // index from the path
    '{"message":"third"}',
    '{"update":{"_index":"logs-a","_id":"u1"}}',
    '{"doc":{"status":"closed"},"doc_as_upsert":true}',
    '{"delete":{"_index":"logs-a","_id":"d1"}}',
    'this is not json',
    '{"message":"orphan source of the broken action"}',
    '{"index":{"_index":"logs-a"}}',
    '{"broken json',
    '{"index":{"_index":"logs-a"}}',
    '["not","an","object"]',
    '{"update":{"_index":"logs-a","_id":"u2"}}',
    '{"script":{"source":"ctx._source.x = 1"}}',
    '{"index":{"_index":"logs-a"}}',
    '{"message":"last"}',
    '',
  ].join('\n');
  const r = await send({ port, path: '/default-idx/_bulk', body, headers: { 'Content-Type': 'application/x-ndjson' } });
  assert.equal(r.status, 200);
  const res = JSON.parse(r.body);
  assert.equal(res.errors, true);
  assert.equal(typeof res.took, 'number');
  const statuses = res.items.map((it: Record<string, any>) => {
    const [action, v] = Object.entries(it)[0]!;
    return `${action}:${v.status}`;
  });
  assert.deepEqual(statuses, ['index:201', 'create:201', 'index:201', 'update:200', 'delete:200', 'index:400', 'index:400', 'index:400', 'update:400', 'index:201']);
  assert.equal(res.items[0].index._id, 'given-1');
  assert.equal(res.items[0].index.result, 'created');
  assert.equal(res.items[5].index.error.type, 'illegal_argument_exception');
  assert.equal(res.items[6].index.error.type, 'document_parsing_exception');
  const ev = events(sink);
  assert.deepEqual(ev.map((e) => e.message ?? e.status ?? null), ['first', 'second / escaped', 'third', 'closed', null, 'last']);
  assert.deepEqual(ev.map((e) => meta(e)._index), ['logs-a', 'logs-b', 'default-idx', 'logs-a', 'logs-a', 'logs-a']);
  assert.deepEqual(ev.map((e) => meta(e).action), ['index', 'create', 'index', 'update', 'delete', 'index']);
  assert.equal(meta(ev[0]!)._id, 'given-1');
  assert.equal(meta(ev[3]!)._id, 'u1');
  assert.equal(meta(ev[4]!)._id, 'd1');
  // Response ids match the events' ids.
  assert.equal(res.items[1].create._id, meta(ev[1]!)._id);
  assert.equal(input.counters.bulkItemErrors, 4);
  // Resending the same body gives the same ids (downstream overwrites).
  const again = JSON.parse((await send({ port, path: '/default-idx/_bulk', body })).body);
  assert.deepEqual(again.items.map((it: any) => Object.values(it)[0] as any).map((v: any) => v._id), res.items.map((it: any) => Object.values(it)[0] as any).map((v: any) => v._id));
});

test('es api: identical documents in one request get distinct ids; gzip bodies; single-document indexing', async () => {
  const { port, sink } = await start();
  const doc = '{"index":{"_index":"i"}}\n{"message":"same"}\n';
  const r = await send({ port, path: '/_bulk', body: gzipSync(doc + doc), headers: { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json' } });
  const items = JSON.parse(r.body).items;
  assert.notEqual(items[0].index._id, items[1].index._id);
  const single = await send({ port, path: '/logs-x/_doc/abc', method: 'PUT', body: '{"message":"one doc"}', headers: { 'Content-Type': 'application/json' } });
  assert.equal(single.status, 201);
  assert.equal(JSON.parse(single.body)._id, 'abc');
  const legacy = await send({ port, path: '/logs-y/events', body: '{"message":"rsyslog bulkmode off"}\n' });
  assert.equal(legacy.status, 201);
  const ev = events(sink);
  assert.equal(ev.length, 4);
  assert.deepEqual([meta(ev[2]!)._index, meta(ev[2]!)._id], ['logs-x', 'abc']);
  assert.deepEqual([meta(ev[3]!)._index, meta(ev[3]!)._type], ['logs-y', 'events']);
});

test('es api: the _bulk response waits for the ack; auth applies to the API; a body without any valid item is answered at once', async () => {
  const sink = new FakeSink(false);
  const { port } = await start({ user: 'etl', password: 'secret' }, sink);
  const auth = { Authorization: 'Basic ' + Buffer.from('etl:secret').toString('base64') };
  const denied = await send({ port, path: '/_bulk', body: '{"index":{"_index":"a"}}\n{}\n' });
  assert.equal(denied.status, 401);
  assert.equal(JSON.parse(denied.body).error.type, 'security_exception');
  let answered = false;
  const pending = send({ port, path: '/_bulk', body: '{"index":{"_index":"a"}}\n{"m":1}\n', headers: auth }).then((r) => ((answered = true), r));
  await waitFor(() => sink.pushed.length === 1, 'the bulk to reach the pipeline');
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.equal(answered, false);
  sink.ackAll();
  assert.equal(JSON.parse((await pending).body).errors, false);
  const junk = await send({ port, path: '/_bulk', body: 'garbage\n', headers: auth });
  assert.equal(JSON.parse(junk.body).errors, true);
});

test('bulk parser: blank lines between pairs, CRLF, a missing final source', () => {
  const items = parseBulk('{"index":{"_index":"a"}}\r\n\r\n{"x":1}\r\n\n\n{"create":{"_index":"a"}}\n');
  assert.equal(items.length, 2);
  assert.deepEqual(items[0]!.source, { x: 1 });
  assert.ok(items[1]!.error);
});

test('bulk: the response text is the JSON of Elasticsearch\'s item shape, sequence numbers only for accepted items', () => {
  const items = parseBulk(
    [
      '{"index":{"_index":"logs-\\"q\\""}}',
      '{"a":1}',
      '{"create":{"_index":"logs-b","_id":"c-1"}}',
      'not json',
      '{"delete":{"_index":"logs-b","_id":"d-1"}}',
      '{"update":{"_index":"logs-b","_id":"u-1"}}',
      '{"doc":{"b":2}}',
      '',
    ].join('\n'),
  );
  assert.equal(items.length, 4);
  const ids = ['h1', 'c-1', 'd-1', 'u-1'];
  const text = bulkResponseText(items, ids, 7, 12, true);
  let seq = 7;
  const expected = { took: 12, errors: true, items: items.map((item, i) => bulkItemResponse(item, ids[i], item.error ? 0 : seq++)) };
  assert.deepEqual(JSON.parse(text), expected);
  assert.equal(JSON.parse(text).items[0].index._index, 'logs-"q"');
  assert.equal(JSON.parse(text).items[1].create.status, 400);
  assert.deepEqual(JSON.parse(text).items.map((it: any) => (Object.values(it)[0] as any)._seq_no), [7, undefined, 8, 9]);
});

test('bulk: repeated action lines are each an item of their own (the parsed action line is reused, not shared state)', () => {
  const line = '{"index":{"_index":"same"}}';
  const items = parseBulk([line, '{"n":1}', line, '{"n":2}', line, 'broken', line, '{"n":3}', ''].join('\n'));
  assert.deepEqual(items.map((i) => i.source?.n ?? i.error?.type), [1, 2, 'document_parsing_exception', 3]);
  items[0]!.index = 'changed';
  assert.equal(items[1]!.index, 'same');
});

test('bulk: source lines keep integers beyond 2^53 exact, other numbers as numbers', () => {
  assert.deepEqual(parseDocument('{"flow_id":1234567890123456789,"port":443,"big":12345678901234.5,"ok":9007199254740991}'), {
    flow_id: '1234567890123456789',
    port: 443,
    big: 12345678901234.5,
    ok: 9007199254740991,
  });
  assert.deepEqual(parseDocument('{"a":{"b":[1,-9007199254740993]}}'), { a: { b: [1, '-9007199254740993'] } });
  assert.deepEqual(parseDocument('{"message":"1234567890123456789 in text"}'), { message: '1234567890123456789 in text' });
  const items = parseBulk('{"index":{"_index":"eve"}}\n{"flow_id":2305843009213693953}\n');
  assert.equal(items[0]!.source!.flow_id, '2305843009213693953');
});

test('es api: a document without _id gets sha256(index NUL source-line NUL), base64url, 22 characters', async () => {
  const { port, sink } = await start();
  const source = '{"message":"same id as before"}';
  const r = await send({ port, method: 'POST', path: '/_bulk', body: `{"index":{"_index":"logs-h"}}\n${source}\n`, headers: { 'Content-Type': 'application/x-ndjson' } });
  assert.equal(r.status, 200);
  const expected = createHash('sha256').update('logs-h').update('\0').update(source).update('\0').digest('base64url').slice(0, 22);
  assert.equal(JSON.parse(r.body).items[0].index._id, expected);
  await waitFor(() => events(sink).some((e) => meta(e)._index === 'logs-h'), 'the event');
  assert.equal(meta(events(sink).find((e) => meta(e)._index === 'logs-h')!)._id, expected);
});

test('es api: _bulk documents cross to the workers as json message batches, one per run of the same index, decoded into the same events as parsed documents; updates and documents with their own @metadata go as events', async () => {
  const docs = [
    '{"index":{"_index":"logs-a"}}',
    '{"@timestamp":"2024-05-01T10:00:00.000Z","message":"one","flow_id":1234567890123456789}',
    '{"index":{"_index":"logs-a","_id":"two"}}',
    '{"@timestamp":"2024-05-01T10:00:01.000Z","message":"two","n":[1,{"x":true}]}',
    '{"create":{"_index":"logs-b","routing":"r1"}}',
    '{"@timestamp":"2024-05-01T10:00:02.000Z","message":"three"}',
  ];
  const post = async (lines: string[]) => {
    const { port, sink } = await start();
    const r = await send({ port, method: 'POST', path: '/_bulk', body: lines.join('\n') + '\n', headers: { 'Content-Type': 'application/x-ndjson' } });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).errors, false);
    return sink;
  };
  const asMessages = await post(docs);
  assert.deepEqual(
    asMessages.pushed.map((p) => (p.batch.kind === 'messages' ? [p.batch.json, p.batch.messages.length] : p.batch.kind)),
    [
      [true, 2],
      [true, 1],
    ],
  );
  const withUpdate = await post([...docs, '{"update":{"_index":"logs-a","_id":"u"}}', '{"doc":{"message":"four"}}']);
  assert.deepEqual(withUpdate.pushed.map((p) => p.batch.kind), ['events']);
  const a = events(asMessages);
  const b = events(withUpdate);
  assert.equal(b.length, 4);
  assert.deepEqual(a, b.slice(0, 3));
  assert.equal(a[0]!.flow_id, '1234567890123456789');
  assert.deepEqual(meta(a[1]!), { _id: 'two', _index: 'logs-a', action: 'index', input: { http: { host: { ip: '127.0.0.1' } } } });
  assert.equal(meta(a[2]!).routing, 'r1');
  assert.equal(meta(a[2]!).action, 'create');

  const ownMetadata = await post(['{"index":{"_index":"logs-c","_id":"c1"}}', '{"@metadata":{"_index":"other","keep":1},"m":1}']);
  assert.deepEqual(ownMetadata.pushed.map((p) => p.batch.kind), ['events']);
  const [c] = events(ownMetadata);
  assert.equal(meta(c!)._index, 'logs-c');
  assert.equal(meta(c!).keep, 1);
});

test('es api: a json message batch whose line is not an object after all becomes a _jsonparsefailure event, not a failed batch', () => {
  const out = executor.decode({ kind: 'messages', json: true, messages: ['{"a":1}', '[1]', 'nope'], ids: ['i1', 'i2', 'i3'], fields: { '[@metadata][_index]': 'x' } }, 0);
  assert.deepEqual(
    out.map((e) => [e.data.a ?? e.data.message, e.tags, meta(e.data)._id, meta(e.data)._index]),
    [
      [1, [], 'i1', 'x'],
      ['[1]', ['_jsonparsefailure'], 'i2', 'x'],
      ['nope', ['_jsonparsefailure'], 'i3', 'x'],
    ],
  );
});

test('es api: a _bulk request switching index at every document is handed over as one events batch', async () => {
  const { port, sink } = await start();
  const lines = Array.from({ length: 40 }, (_, i) => [`{"index":{"_index":"logs-${i % 2}"}}`, `{"n":${i}}`]).flat();
  const r = await send({ port, method: 'POST', path: '/_bulk', body: lines.join('\n') + '\n', headers: { 'Content-Type': 'application/x-ndjson' } });
  assert.equal(r.status, 200);
  assert.deepEqual(sink.pushed.map((p) => p.batch.kind), ['events']);
  assert.deepEqual(events(sink).map((e) => [e.n, meta(e)._index]), Array.from({ length: 40 }, (_, i) => [i, `logs-${i % 2}`]));
});
