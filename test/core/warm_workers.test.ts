// Worker threads started before the pipeline is known (sluice run starts them first thing) must run the pipeline
// exactly as threads started for it; unused ones are dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { Agent } from '../../src/core/agent.js';
import { dropWarmWorkers, takeWarmWorker, warmUpWorkers } from '../../src/core/warm_workers.js';
import { warmWorkersFor } from '../../src/cli/warm.js';

test('a pipeline takes warm worker threads and runs on them; the unused one is dropped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-warm-'));
  const out = join(dir, 'out.jsonl');
  warmUpWorkers(3);
  const registry = await loadRegistry();
  const agent = new Agent(
    { configString: `input { generator { count => 5000 lines => ["a", "b"] } } filter { mutate { add_field => { "id" => "%{[@metadata][_id]}" } } } output { file { path => "${out}" } }`, pathData: join(dir, 'data'), workers: 2, batchSize: 100 },
    registry,
    createLogger('test'),
  );
  await agent.start();
  const left = takeWarmWorker({} as never);
  assert.ok(left !== undefined, 'two of the three warm threads were taken, one is left');
  await left.terminate();
  dropWarmWorkers();
  assert.equal(takeWarmWorker({} as never), undefined, 'none left after dropping');
  await agent.whenIdle();
  const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, 10_000);
  assert.equal(new Set(lines.map((l) => (JSON.parse(l) as { id: string }).id)).size, 10_000);
  assert.equal(agent.stats()[0]!.out, 10_000);
});

test('sluice run warms as many threads as -w / --pipeline.workers asks, the core count otherwise, none for other commands', () => {
  const counted = (args: string[]) => {
    warmWorkersFor(args);
    let n = 0;
    for (let w = takeWarmWorker({} as never); w !== undefined; w = takeWarmWorker({} as never)) {
      void w.terminate();
      n++;
    }
    return n;
  };
  try {
    assert.equal(counted(['run', '-w', '3']), 3);
    assert.equal(counted(['run', '--pipeline.workers=2', '-f', 'x.conf']), 2);
    assert.equal(counted(['check', '-w', '3']), 0);
    assert.equal(counted(['run', '--help']), 0);
  } finally {
    dropWarmWorkers();
  }
});
