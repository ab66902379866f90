// Scale-out through a real nats-server: a front pipeline (generator → jetstream) and worker pipelines
// (jetstream → file) running as separate `sluice run` processes sharing one durable consumer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireNats, startNats, type NatsCluster } from '../support/nats.js';
import { startSluice, readLines, waitFor, type SluiceProcess } from '../support/sluice.js';

function frontConfig(servers: string[], count: number, extra = ''): string {
  return `input { generator { lines => ["a", "b", "c", "d"] count => ${count} } }
output { jetstream { servers => ${JSON.stringify(servers)} stream => "LOGS" subject => "logs.%{[@metadata][kind]}" ${extra} } }
filter { mutate { add_field => { "[@metadata][kind]" => "gen" } } }`;
}

function workerConfig(servers: string[], out: string, extra = ''): string {
  return `input { jetstream { servers => ${JSON.stringify(servers)} stream => "LOGS" subject => "logs.>" consumer => "workers" ack_wait => 5 ${extra} } }
filter { mutate { add_field => { "eid" => "%{[@metadata][_id]}" } } }
output { file { path => "${out}" } }`;
}

interface Setup {
  nats: NatsCluster;
  dir: string;
  procs: SluiceProcess[];
}

async function setup(cluster = 1): Promise<Setup> {
  const nats = await startNats({ jetstream: true, cluster });
  const dir = mkdtempSync(join(tmpdir(), 'sluice-js-'));
  return { nats, dir, procs: [] };
}

async function teardown(s: Setup): Promise<void> {
  await Promise.all(s.procs.map((p) => p.kill()));
  await s.nats.stop();
  rmSync(s.dir, { recursive: true, force: true });
}

function ids(lines: string[]): string[] {
  return lines.map((l) => (JSON.parse(l) as { eid: string }).eid);
}

function expectedIds(count: number): string[] {
  const out: string[] = [];
  for (let n = 0; n < count; n++) for (let i = 0; i < 4; i++) out.push(`generator:generator_1:${n}:${i}`);
  return out.sort();
}

function run(s: Setup, config: string, extraArgs: string[] = []): SluiceProcess {
  const p = startSluice(['run', '-e', config, '--pipeline.workers', '1', '--pipeline.batch.size', '200', '--path.data', join(s.dir, 'data'), ...extraArgs]);
  s.procs.push(p);
  return p;
}

test('front → stream → 3 workers sharing one consumer: every event exactly once', async (t) => {
  if (!requireNats(t)) return;
  const s = await setup();
  t.after(() => teardown(s));
  const count = 5000;
  const outs = [0, 1, 2].map((i) => join(s.dir, `out${i}.log`));
  const workers = outs.map((o) => run(s, workerConfig(s.nats.servers, o)));
  const front = run(s, frontConfig(s.nats.servers, count));
  assert.equal(await front.exited, 0, front.stderr());
  await waitFor(() => readLines(...outs).length >= count * 4, () => `${readLines(...outs).length} of ${count * 4} events; ${workers.map((w) => w.stderr()).join('\n')}`);
  for (const w of workers) assert.equal(await w.stop(), 0, w.stderr());
  const got = ids(readLines(...outs)).sort();
  assert.deepEqual(got, expectedIds(count));
  // The work was shared: more than one worker wrote events.
  assert.ok(outs.filter((o) => readLines(o).length > 0).length >= 2, 'work was not shared between workers');
});
