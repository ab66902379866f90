// A batch is filtered and encoded a part at a time (outputs with `encoder()`), so that a part's events can be
// collected before the next: the payloads, their order and the counts must be what one pass over the batch gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { loadPipelines } from '../../src/config/load.js';
import { PipelineExecutor } from '../../src/core/executor.js';
import type { Event } from '../../src/core/event.js';

test('a batch of many parts: split, drop and two outputs (one encoding in parts, one not) see every event once, in order', async () => {
  const registry = await loadRegistry();
  const config = `input { stdin {} }
    filter {
      if [message] =~ /^drop/ { drop {} }
      if [message] =~ /^pair/ { mutate { add_field => { "pair" => ["a", "b"] } } split { field => "pair" } }
    }
    output {
      file { path => "/nonexistent/never-written.jsonl" }
      if [message] =~ /7$/ { stdout { codec => line { format => "%{message}" } } }
    }`;
  const { pipelines, errors } = loadPipelines({ configString: config, pathData: '/nonexistent' }, registry);
  assert.deepEqual(errors, []);
  const exec = await PipelineExecutor.create(pipelines[0]!.model, registry, createLogger('test'));
  const lines: string[] = [];
  for (let i = 0; i < 1000; i++) lines.push(i % 10 === 3 ? `drop ${i}` : i % 10 === 5 ? `pair ${i}` : `line ${i}`);
  const events = exec.decode({ kind: 'bytes', data: new TextEncoder().encode(lines.join('\n') + '\n'), idPrefix: 't:', baseOffset: 0 }, 0);
  const { payloads, counts } = exec.process(events, 1);

  const expected: string[] = [];
  for (const l of lines) {
    if (l.startsWith('drop')) continue;
    if (l.startsWith('pair')) expected.push(l, l);
    else expected.push(l);
  }
  const [[, bytes]] = payloads[0] as Array<[string, Uint8Array]>;
  const written = new TextDecoder().decode(bytes).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { message: string; pair?: string });
  assert.deepEqual(written.map((e) => e.message), expected, 'the file output got every event, in order, across parts');
  assert.deepEqual(written.filter((e) => e.pair).map((e) => e.pair).slice(0, 4), ['a', 'b', 'a', 'b'], 'split copies stay together');
  assert.equal(payloads[1], expected.filter((m) => m.endsWith('7')).map((m) => `${m}\n`).join(''), 'the output without parts got its events at the end');

  assert.equal(counts.in, 1000);
  assert.equal(counts.dropped, 200, 'the drops, and the events split replaced (as Logstash cancels them)');
  assert.equal(counts.created, 200);
  assert.equal(counts.out, expected.length);
  assert.equal(counts.in + counts.created - counts.dropped, counts.out, 'in + created = out + dropped');
  assert.deepEqual(counts.outputIn, [expected.length, expected.filter((m) => m.endsWith('7')).length]);
  assert.ok((events as Array<Event | undefined>).every((e) => e === undefined), 'the batch no longer holds its events once encoded');
});

test('runFilters (sluice test) still returns every event of a big batch', async () => {
  const registry = await loadRegistry();
  const { pipelines } = loadPipelines({ configString: 'input { stdin {} } filter { mutate { add_tag => ["seen"] } } output { file { path => "/nonexistent/x" } }', pathData: '/nonexistent' }, registry);
  const exec = await PipelineExecutor.create(pipelines[0]!.model, registry, createLogger('test'));
  const lines = Array.from({ length: 700 }, (_, i) => `l${i}`);
  const events = exec.decode({ kind: 'bytes', data: new TextEncoder().encode(lines.join('\n')), idPrefix: 't:', baseOffset: 0 }, 0);
  const out = exec.runFilters(events);
  assert.deepEqual(out.map((e) => e.data.message), lines);
  assert.ok(out.every((e) => e.hasTag('seen')));
});
