// A byte batch is decoded in segments of whole lines (to keep V8 strings small): lines, ids (byte offsets)
// and text must be what a line-by-line decode gives, wherever the segment borders fall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { loadPipelines } from '../../src/config/load.js';
import { PipelineExecutor } from '../../src/core/executor.js';
import { TextBytes, utf8Lines } from '../../src/core/text_bytes.js';
import { outputBytes } from '../../src/core/byte_pool.js';

async function decoder() {
  const registry = await loadRegistry();
  const { pipelines, errors } = loadPipelines({ configString: 'input { stdin {} } output { stdout {} }', pathData: '/nonexistent' }, registry);
  assert.deepEqual(errors, []);
  const exec = await PipelineExecutor.create(pipelines[0]!.model, registry, createLogger('test'));
  return (data: Buffer) => exec.decode({ kind: 'bytes', data: new Uint8Array(data), idPrefix: 't:', baseOffset: 1000 }, 0);
}

test('a batch larger than a decode segment: every line, its byte offset id, CRLF, UTF-8 and a line longer than a segment', async () => {
  const decode = await decoder();
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) lines.push(`line ${i} ${'x'.repeat(i % 97)}`);
  lines[1500] = `naïve café ${'é'.repeat(40_000)}`; // multi-byte, past the first segment
  lines[2000] = 'y'.repeat(200_000); // longer than a segment on its own
  const text = lines.map((l, i) => (i % 7 === 0 ? `${l}\r\n` : `${l}\n`)).join('') + 'last line without newline';
  const bytes = Buffer.from(text);
  const events = decode(bytes);
  const expected = [...lines, 'last line without newline'];
  assert.equal(events.length, expected.length);
  let offset = 1000;
  for (let i = 0; i < expected.length; i++) {
    assert.equal(events[i]!.get('message'), expected[i], `line ${i}`);
    assert.equal(events[i]!.get('[@metadata][_id]'), `t:${offset}`, `id of line ${i}`);
    offset += Buffer.byteLength(expected[i]!) + (i % 7 === 0 ? 2 : 1);
  }
});

test('TextBytes gives the UTF-8 of everything pushed, across pieces, and starts again empty', () => {
  const parts: string[] = [];
  for (let i = 0; i < 5000; i++) parts.push(i % 100 === 0 ? `ünïcödé ${'€'.repeat(500)} ${i}\n` : `{"n":${i},"s":"${'a'.repeat(i % 50)}"}\n`);
  const tb = new TextBytes();
  for (const p of parts) tb.push(p);
  const out = tb.toBuffer();
  assert.equal(out.toString('utf8'), parts.join(''));
  assert.ok(outputBytes.owns(out.buffer), "the bytes are in this thread's output pool (never Node's shared Buffer pool)");
  assert.equal(tb.toBuffer().byteLength, 0);
  tb.push('x');
  assert.equal(tb.toBuffer().toString(), 'x');
});

test('utf8Lines splits like toString().split("\\n") without the final empty line, across segments', () => {
  const parts: string[] = [];
  for (let i = 0; i < 4000; i++) parts.push(i === 2000 ? 'z'.repeat(150_000) : `${i} ${'ü'.repeat(i % 60)}`);
  const text = parts.join('\n');
  assert.deepEqual(utf8Lines(Buffer.from(text)), parts, 'no final newline: the last line is kept');
  assert.deepEqual(utf8Lines(Buffer.from(text + '\n')), parts, 'a final newline ends the last line');
  assert.deepEqual(utf8Lines(Buffer.from(text + '\n\n')), [...parts, ''], 'an empty line before the end is a line');
  assert.deepEqual(utf8Lines(Buffer.alloc(0)), []);
});
