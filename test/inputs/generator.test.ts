import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createPlugin, testContext } from '../helpers.js';
import { GeneratorInput } from '../../src/inputs/generator.js';
import type { Input, RawBatch } from '../../src/core/plugin.js';
import { FakeSink } from './fake_sink.js';

type Messages = Extract<RawBatch, { kind: 'messages' }>;

test('generator: count rounds of lines, with the sequence number and deterministic ids', async () => {
  const input = await createPlugin<Input>('input', 'generator', { lines: ['a', 'b'], count: 3 }, { side: 'main', pluginId: 'gen_1' });
  const sink = new FakeSink(true);
  await input.run(sink);
  const batches = sink.pushed.map((p) => p.batch as Messages);
  assert.equal(batches.length, 3);
  assert.deepEqual(batches.map((b) => b.messages), [['a', 'b'], ['a', 'b'], ['a', 'b']]);
  assert.deepEqual(batches.map((b) => b.fields?.sequence), [0, 1, 2]);
  assert.deepEqual(batches[1]!.ids, ['generator:gen_1:1:0', 'generator:gen_1:1:1']);
  assert.equal(typeof batches[0]!.fields?.host, 'string');
});

test('generator: the default message, ids by sequence alone, ECS field names', async () => {
  const input = await createPlugin<Input>('input', 'generator', { count: 2, ecs_compatibility: 'v1' }, { side: 'main', pluginId: 'g' });
  const sink = new FakeSink(true);
  await input.run(sink);
  const batches = sink.pushed.map((p) => p.batch as Messages);
  assert.deepEqual(batches.map((b) => [b.messages[0], b.ids[0], b.fields?.['[event][sequence]']]), [
    ['Hello world!', 'generator:g:0', 0],
    ['Hello world!', 'generator:g:1', 1],
  ]);
  assert.equal(batches[0]!.fields?.sequence, undefined);
  assert.equal(typeof batches[0]!.fields?.['[host][name]'], 'string');
});

test('generator: message "stdin" uses one line read from standard input', async () => {
  const ctx = await testContext({ side: 'main', pluginId: 'g' });
  const input = new GeneratorInput({ message: 'stdin', count: 2, threads: 1 }, ctx, Readable.from(['from stdin\nignored\n']));
  const sink = new FakeSink(true);
  await input.run(sink);
  assert.deepEqual(sink.lines().map((l) => l.text), ['from stdin', 'from stdin']);
});

test('generator: count 0 runs until stopped', async () => {
  const input = await createPlugin<Input>('input', 'generator', {}, { side: 'main' });
  const sink = new FakeSink(true);
  const push = sink.push.bind(sink);
  sink.push = async (b, ack) => {
    await push(b, ack);
    if (sink.pushed.length === 50) input.stop();
  };
  await input.run(sink);
  assert.equal(sink.pushed.length, 50);
});
