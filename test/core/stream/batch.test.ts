// The message format between the front tier and the workers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packEvents, eventsFromLines, batchId, messageLines, messageBytes, encodingHeader } from '../../../src/core/stream/batch.js';
import { defaultSubjects, durableName } from '../../../src/core/stream/nats.js';
import { stringifyEvent } from '../../../src/core/serialize.js';
import { createHash } from 'node:crypto';

/** A whole message's events, as the workers get them from its lines. */
const unpackEvents = (data: Uint8Array, idPrefix: string, encoding?: string) => eventsFromLines(messageLines(data, encoding), idPrefix, 0);

const events = () =>
  Array.from({ length: 50 }, (_, i) => ({
    '@timestamp': new Date(Date.UTC(2024, 0, 1, 0, 0, i)),
    message: `line ${i} ${'x'.repeat(i)}`,
    big: '12345678901234567890',
    '@metadata': { _id: `file:abc:${i * 100}`, type: 'fw' },
  }));

test('a batch keeps every event with its @metadata and _id; gzip is recognised by its magic bytes', () => {
  const [m, ...rest] = packEvents('logs.fw', events(), 'gzip', 1 << 20);
  assert.equal(rest.length, 0);
  assert.equal(m!.count, 50);
  assert.deepEqual([...m!.data.subarray(0, 2)], [0x1f, 0x8b]);
  const back = unpackEvents(m!.data, 'x');
  assert.equal(back.length, 50);
  assert.deepEqual(back[7]!['@metadata'], { _id: 'file:abc:700', type: 'fw' });
  assert.equal(back[7]!['@timestamp'], '2024-01-01T00:00:07.000Z');
  assert.equal(back[7]!.big, '12345678901234567890');
  const plain = packEvents('logs.fw', events(), 'none', 1 << 20)[0]!;
  assert.ok(plain.data.byteLength > m!.data.byteLength, 'gzip makes it smaller');
  assert.deepEqual(unpackEvents(plain.data, 'x'), back);
});

test('brotli (the jetstream output\'s default): smaller than gzip here, read back through the Sluice-Encoding header', () => {
  const [b] = packEvents('logs.fw', events(), 'brotli', 1 << 20);
  const [g] = packEvents('logs.fw', events(), 'gzip', 1 << 20);
  assert.equal(encodingHeader('brotli'), 'br+jsonl');
  assert.equal(encodingHeader('gzip'), 'gzip+jsonl');
  assert.equal(encodingHeader('none'), 'jsonl');
  assert.ok(b!.data.byteLength < g!.data.byteLength, `${b!.data.byteLength} < ${g!.data.byteLength}`);
  assert.equal(b!.id, g!.id, 'the message id does not depend on the compression');
  assert.deepEqual(unpackEvents(b!.data, 'x', 'br+jsonl'), unpackEvents(g!.data, 'x'));
  // gzip is recognised by its magic bytes whatever the header says; plain lines need no header.
  assert.deepEqual(messageBytes(g!.data, 'br+jsonl'), messageBytes(g!.data));
  const plain = packEvents('logs.fw', events(), 'none', 1 << 20)[0]!;
  assert.deepEqual(messageBytes(b!.data, 'br+jsonl'), Buffer.from(plain.data));
  // A damaged brotli message is an error, not garbage events.
  assert.throws(() => messageLines(b!.data.subarray(0, b!.data.byteLength - 7), 'br+jsonl'));
});

test('the message id is deterministic: same subject and event ids give the same id, anything else another', () => {
  const a = packEvents('logs.fw', events(), 'gzip', 1 << 20)[0]!;
  const b = packEvents('logs.fw', events(), 'none', 1 << 20)[0]!;
  assert.equal(a.id, b.id);
  assert.equal(a.id, batchId('logs.fw', events().map((e) => e['@metadata']._id)));
  assert.notEqual(a.id, packEvents('logs.other', events(), 'gzip', 1 << 20)[0]!.id);
  assert.notEqual(a.id, packEvents('logs.fw', events().slice(1), 'gzip', 1 << 20)[0]!.id);
});

test('events without an _id: the message id hashes each event\'s JSON line, so a re-read gives the same id', () => {
  const noIds = events().map(({ '@metadata': _m, ...rest }) => ({ ...rest, text: 'ünïcode ✓ "quoted"' }));
  const [m] = packEvents('logs.fw', noIds, 'gzip', 1 << 20);
  const expected = noIds.map((e) => `#${createHash('sha1').update(stringifyEvent(e, true)).digest('hex')}`);
  assert.equal(m!.id, batchId('logs.fw', expected));
  assert.equal(messageLines(m!.data).join('\n'), noIds.map((e) => stringifyEvent(e, true)).join('\n'));
});

test('a batch bigger than the message limit is split; each part has its own id and all events survive', () => {
  const parts = packEvents('s', events(), 'none', 1500);
  assert.ok(parts.length > 1);
  assert.ok(parts.every((p) => p.data.byteLength <= 1500));
  assert.equal(new Set(parts.map((p) => p.id)).size, parts.length);
  const all = parts.flatMap((p) => unpackEvents(p.data, 'x'));
  assert.deepEqual(all.map((e) => (e['@metadata'] as { _id: string })._id), events().map((e) => e['@metadata']._id));
  assert.throws(() => packEvents('s', events(), 'none', 10), /larger than the message limit/);
});

test('foreign messages: plain lines become events with ids from the stream sequence; damage is an error', () => {
  const data = new TextEncoder().encode('hello\n{"message":"x"}\n');
  const got = unpackEvents(data, 'jetstream:LOGS:7');
  assert.deepEqual(got, [
    { message: 'hello', '@metadata': { _id: 'jetstream:LOGS:7:0' } },
    { message: 'x', '@metadata': { _id: 'jetstream:LOGS:7:1' } },
  ]);
  const broken = new Uint8Array([0x1f, 0x8b, 1, 2, 3]);
  assert.throws(() => messageLines(broken));
});

test('default stream subjects and durable names', () => {
  assert.deepEqual(defaultSubjects('logs.%{type}', 'LOGS'), ['logs.>']);
  assert.deepEqual(defaultSubjects('a.b.%{type}.c', 'LOGS'), ['a.b.>']);
  assert.deepEqual(defaultSubjects('logs', 'LOGS'), ['logs']);
  assert.deepEqual(defaultSubjects(undefined, 'LOGS'), ['LOGS.>']);
  assert.equal(durableName('sluice_main.x y*'), 'sluice_main_x_y_');
});

test('a message reaches the workers as its JSON lines\' bytes: own ids kept, foreign lines get the message\'s ids, across batch parts', async () => {
  const { loadRegistry } = await import('../../../src/core/registry.js');
  const { loadPipelines } = await import('../../../src/config/load.js');
  const { PipelineExecutor } = await import('../../../src/core/executor.js');
  const { createLogger } = await import('../../../src/core/logger.js');
  const { splitBatch } = await import('../../../src/core/pipeline.js');
  const registry = await loadRegistry();
  const { pipelines } = loadPipelines({ configString: 'input { stdin {} } output { stdout {} }', pathData: '/nonexistent' }, registry);
  const exec = await PipelineExecutor.create(pipelines[0]!.model, registry, createLogger('test'));
  const [m] = packEvents('logs.fw', events().slice(0, 5), 'gzip', 1 << 20);
  const lines = [...messageLines(m!.data), 'plain foreign line', '{"n": 12345678901234567890}'];
  const data = new TextEncoder().encode(lines.join('\n') + '\n');
  const parts = splitBatch({ kind: 'jsonLines', data, idPrefix: 'jetstream:LOGS:9', baseIndex: 0 }, 3);
  assert.equal(parts.length, 3);
  const decoded = parts.flatMap((p) => exec.decode(p, 0));
  assert.deepEqual(
    decoded.map((e) => (e.data['@metadata'] as { _id: string })._id),
    [...events().slice(0, 5).map((e) => e['@metadata']._id), 'jetstream:LOGS:9:5', 'jetstream:LOGS:9:6'],
  );
  assert.ok(decoded[0]!.timestamp instanceof Date);
  assert.equal(decoded[0]!.timestamp.toISOString(), '2024-01-01T00:00:00.000Z');
  assert.equal(decoded[5]!.data.message, 'plain foreign line');
  assert.equal(decoded[6]!.data.n, '12345678901234567890', 'a 64-bit integer stays exact');
  assert.deepEqual(unpackEvents(m!.data, 'x').map((e) => e.message), decoded.slice(0, 5).map((e) => e.data.message), 'the same events as unpacking on the main thread');
});

test('uncompressed messages own their bytes: packing again (the text buffer reused) leaves earlier messages intact', () => {
  const first = packEvents('s', events(), 'none', 1500);
  const copies = first.map((m) => Buffer.from(m.data).toString('utf8'));
  for (let i = 0; i < 5; i++) packEvents('s', events().map((e) => ({ ...e, message: `other ${i}` })), 'none', 1500);
  assert.deepEqual(first.map((m) => Buffer.from(m.data).toString('utf8')), copies);
  assert.ok(first.every((m) => m.data.byteOffset === 0 && m.data.buffer.byteLength === m.data.byteLength), 'each message has a buffer of its own');
});
