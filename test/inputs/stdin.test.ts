import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { StdinInput } from '../../src/inputs/stdin.js';
import stdinDef from '../../src/inputs/stdin.js';
import { testContext } from '../helpers.js';
import { validateOptions } from '../../src/core/options.js';
import { FakeSink, waitFor } from './fake_sink.js';

async function stdinFrom(stream: Readable, settings: Record<string, unknown> = {}) {
  const { config, errors } = validateOptions('input', 'stdin', stdinDef.options, settings);
  assert.deepEqual(errors, []);
  return new StdinInput(config as never, await testContext({ side: 'main' }), stream);
}

test('stdin: whole lines as byte batches numbered by line, the unterminated last line at EOF', async () => {
  const input = await stdinFrom(Readable.from([Buffer.from('first\nsec'), Buffer.from('ond\nthird')]));
  const sink = new FakeSink(true);
  await input.run(sink);
  const lines = sink.lines();
  assert.deepEqual(lines.map((l) => l.text), ['first', 'second', 'third']);
  const prefix = lines[0]!.id.slice(0, lines[0]!.id.lastIndexOf(':') + 1);
  assert.match(prefix, /^stdin:[0-9a-f]+:$/);
  assert.deepEqual(lines.map((l) => l.id), [prefix + 1, prefix + 2, prefix + 3]);
  assert.ok(sink.pushed.every((p) => p.batch.kind === 'bytes' && p.batch.data.byteOffset === 0 && p.batch.data.buffer.byteLength === p.batch.data.byteLength), 'batches own their bytes');
  assert.equal(typeof lines[0]!.fields!.host, 'string');
});

test('stdin: the run id differs between runs (no identity to resume from)', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const sink = new FakeSink(true);
    await (await stdinFrom(Readable.from(['x\n']))).run(sink);
    ids.push(sink.lines()[0]!.id);
  }
  assert.notEqual(ids[0], ids[1]);
});

test('stdin: lines are pushed as they arrive, and stop() ends a run waiting for input', async () => {
  const stream = new PassThrough();
  const input = await stdinFrom(stream, { ecs_compatibility: 'v1' });
  const sink = new FakeSink(true);
  const running = input.run(sink);
  stream.write('interactive\n');
  await waitFor(() => sink.lines().length === 1, 'the first line');
  assert.equal(typeof sink.lines()[0]!.fields!['[host][hostname]'], 'string');
  input.stop();
  await running;
  assert.deepEqual(sink.lines().map((l) => l.text), ['interactive']);
});

test('stdin: the default codec is line', () => {
  const { config } = validateOptions('input', 'stdin', stdinDef.options, {});
  assert.deepEqual(config.codec, { name: 'line', settings: {} });
});

test('stdin: a line longer than max_line_bytes is cut and flagged, the rest of it skipped, memory bounded, line numbers go on', async () => {
  const big = Buffer.alloc(300_000, 0x61); // 300 KB of "a" with no newline, arriving in pieces
  const chunks = [Buffer.from('before\n'), big.subarray(0, 100_000), big.subarray(100_000), Buffer.from('aaa\nafter\n')];
  const input = await stdinFrom(Readable.from(chunks), { max_line_bytes: 1000 });
  const sink = new FakeSink(true);
  await input.run(sink);
  const lines = sink.lines();
  assert.deepEqual(
    lines.map((l) => [l.text.length, l.truncated]),
    [
      [6, false],
      [1000, true],
      [5, false],
    ],
  );
  assert.equal(lines[2]!.text, 'after');
  assert.deepEqual(
    lines.map((l) => Number(l.id.slice(l.id.lastIndexOf(':') + 1))),
    [1, 2, 3],
  );
  assert.ok(sink.pushed.every((p) => p.batch.kind !== 'bytes' || p.batch.data.byteLength <= 1000 + 16), 'no batch holds the whole long line');
});
