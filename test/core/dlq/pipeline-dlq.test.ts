// The pipeline's side of the dead-letter queue: events an output rejects for good are stored with their
// origin and error, counted as dead-lettered (the summary balances), and the batch is acknowledged.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry, Registry } from '../../../src/core/registry.js';
import { createLogger } from '../../../src/core/logger.js';
import { loadPipelines } from '../../../src/config/load.js';
import { Pipeline } from '../../../src/core/pipeline.js';
import { formatSummary } from '../../../src/core/agent.js';
import { openDeadLetterTarget, type DeadLetterEntry } from '../../../src/core/dlq/index.js';
import type { OutputDef, PluginKind } from '../../../src/core/plugin.js';
import { requireNats, startNats } from '../../support/nats.js';

/** The plugins, with stdout's delivery replaced (main side only) by one that rejects events whose message is "bad". */
async function rejectingRegistry(): Promise<Registry> {
  const base = await loadRegistry();
  const reg = new Registry();
  for (const kind of ['input', 'filter', 'output', 'codec'] as PluginKind[]) for (const d of base.all(kind)) reg.register(d);
  const stdout = base.get('output', 'stdout') as OutputDef;
  reg.register({
    ...stdout,
    async create(config, ctx) {
      const real = await stdout.create(config, ctx);
      return {
        encode: real.encode.bind(real),
        async deliver(payload: unknown) {
          const lines = String(payload).split('\n').filter(Boolean);
          const rejected = lines.filter((l) => (JSON.parse(l) as { message: string }).message === 'bad').map((event) => ({ event, error: 'mapping conflict on [message]' }));
          return { rejected };
        },
      };
    },
  } as OutputDef);
  return reg;
}

async function runWith(deadLetterQueue: string | undefined) {
  const reg = await rejectingRegistry();
  const { pipelines, errors } = loadPipelines(
    {
      configString: 'input { generator { lines => ["good", "bad", "fine"] count => 10 } } output { stdout { codec => json_lines } }',
      pathData: join(tmpdir(), 'sluice-unused'),
      workers: 1,
      deadLetterQueue,
    },
    reg,
  );
  assert.deepEqual(errors, []);
  const pipeline = new Pipeline(pipelines[0]!.model, reg, createLogger('test', () => undefined));
  await pipeline.start();
  await pipeline.finished;
  return pipeline.getStats();
}

test('rejected events go to the dead-letter queue with pipeline, plugin, error and time; the summary balances', async (t) => {
  if (!requireNats(t)) return;
  const nats = await startNats({ jetstream: true });
  t.after(() => nats.stop());
  const target = `${nats.servers[0]}/dlq.test`;
  const stats = await runWith(target);
  assert.equal(stats.in, 30);
  assert.equal(stats.deadLettered, 10);
  assert.equal(stats.out, 20);
  const summary = formatSummary([stats]);
  assert.match(summary, /dead-lettered/);
  assert.match(summary.split('\n')[1]!, /\s10\s.*ok$/);
  const dlq = openDeadLetterTarget(target, createLogger('test'));
  const entries: DeadLetterEntry[] = [];
  for await (const x of dlq.list()) entries.push(x.entry);
  await dlq.close();
  assert.equal(entries.length, 10);
  for (const e of entries) {
    assert.equal(e.pipeline, 'main');
    assert.equal(e.plugin, 'stdout_1');
    assert.equal(e.error, 'mapping conflict on [message]');
    assert.equal((JSON.parse(e.event!) as { message: string }).message, 'bad');
    assert.ok(!Number.isNaN(Date.parse(e.time)));
  }
});

test('without a dead-letter queue, rejected events are logged, counted and shown in the summary', async () => {
  const stats = await runWith(undefined);
  assert.equal(stats.deadLettered, 10);
  assert.equal(stats.out, 20);
  const row = formatSummary([stats]).split('\n')[1]!;
  assert.match(row, /10 \(logged only\)/);
  assert.match(row, /ok$/);
});
