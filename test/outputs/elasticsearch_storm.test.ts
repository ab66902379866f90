// Proof (issue 4) against the Elasticsearch stand-in, with `sluice run` as a real process: the stand-in answers
// every bulk request with 429 for 30 seconds (a time-based storm), and 1% of the documents carry a value that
// does not fit the index's mapping. Afterwards nothing is lost: every good event is indexed once, exactly the
// bad ones are in the dead-letter queue (a JetStream subject on a real nats-server) with the server's reason,
// the summary balances (in = out + dead-lettered) and the process's RSS stayed bounded throughout.
// The storm is 30 s by the clock, but nothing here asserts a duration: only outcomes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EsStandin } from './support/es_standin.js';
import { requireNats, startNats } from '../support/nats.js';
import { startSluice } from '../support/sluice.js';
import { openDeadLetterTarget, type DeadLetterEntry } from '../../src/core/dlq/index.js';
import { createLogger } from '../../src/core/logger.js';

const execFileAsync = promisify(execFile);

const LINES_PER_ROUND = 100;
const ROUNDS = 2_000;
const TOTAL = LINES_PER_ROUND * ROUNDS;
/** Line 37 of every round sends text where the index maps a number: 1% of the items. */
const BAD_LINE = 37;
const STORM_MS = 30_000;
const RSS_BOUND_MIB = 400;

async function rssKiB(pid: number): Promise<number | undefined> {
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'rss=', '-p', String(pid)]);
    const v = Number(stdout.trim());
    return Number.isFinite(v) && v > 0 ? v : undefined;
  } catch {
    return undefined; // the process has exited
  }
}

test('stand-in: a 30 s 429 storm and mapping errors on 1% of items: nothing lost, RSS bounded, exactly the bad items dead-lettered with the reason, the summary balances', { timeout: 600_000 }, async (t) => {
  if (!requireNats(t)) return;
  if (spawnSync('ps', ['-o', 'rss=', '-p', String(process.pid)]).status !== 0) {
    if (process.env.CI === 'true') throw new Error('CI: `ps` is missing (.ci/run installs the Debian package procps)');
    return t.skip('needs `ps` (Debian package procps) to sample the RSS of the sluice process');
  }
  const nats = await startNats({ jetstream: true });
  t.after(() => nats.stop());
  const es = await EsStandin.start();
  t.after(() => es.close());
  const dir = mkdtempSync(join(tmpdir(), 'sluice-es-storm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  // The index exists with `bytes` mapped as a number (as an index template would), so the bad items fail
  // whatever order the requests arrive in.
  es.createIndex('storm').mapping.set('bytes', 'long');
  // Single-quoted config strings: the JSON's double quotes need no escaping.
  const lines = Array.from({ length: LINES_PER_ROUND }, (_, i) => `'${JSON.stringify({ line: i, bytes: i === BAD_LINE ? 'n/a' : i * 10 })}'`);
  const conf = join(dir, 'storm.conf');
  writeFileSync(
    conf,
    `input { generator { lines => [${lines.join(', ')}] count => ${ROUNDS} } }
filter { json { source => "message" } }
output { elasticsearch { hosts => ["${es.url}"] index => "storm" retry_initial_interval => 0.1 retry_max_interval => 1 } }`,
  );
  const dlqTarget = `${nats.servers[0]}/dlq.storm`;
  const pipelines = join(dir, 'pipelines.yml');
  writeFileSync(pipelines, `- pipeline.id: storm\n  path.config: "${conf}"\n  pipeline.workers: 2\n  dead_letter_queue.target: "${dlqTarget}"\n`);

  // The storm: every bulk request fails with 429 from the first one until 30 s later.
  es.faults.failRequests = Number.POSITIVE_INFINITY;
  es.faults.failStatus = 429;
  let stormTimer: NodeJS.Timeout | undefined;
  let docsAtStormEnd = -1;
  es.onBulk = (n) => {
    if (n !== 1) return;
    stormTimer = setTimeout(() => {
      docsAtStormEnd = es.docs('storm').length;
      es.faults.failRequests = 0;
    }, STORM_MS);
  };
  t.after(() => clearTimeout(stormTimer));

  const sluice = startSluice(['run', '--pipelines', pipelines, '--path.data', join(dir, 'data')], { cwd: dir });
  t.after(() => sluice.kill());
  let maxRss = 0;
  let samples = 0;
  let exited = false;
  void sluice.exited.then(() => (exited = true));
  while (!exited) {
    const kib = await rssKiB(sluice.child.pid!);
    if (kib !== undefined) {
      maxRss = Math.max(maxRss, kib);
      samples++;
    }
    await Promise.race([sluice.exited, new Promise((r) => setTimeout(r, 250))]);
  }
  const code = await sluice.exited;
  assert.equal(code, 0, sluice.stderr().slice(-4000));

  // The storm happened and held everything back while it lasted.
  assert.equal(docsAtStormEnd, 0, 'no document was indexed during the storm');
  assert.ok(es.stats.bulkRequests > 1, 'requests were retried');
  assert.ok(samples >= 10, `RSS sampled ${samples} times`);
  t.diagnostic(`peak RSS of sluice: ${(maxRss / 1024).toFixed(0)} MiB over ${samples} samples; ${es.stats.bulkRequests} bulk requests`);
  assert.ok(maxRss / 1024 < RSS_BOUND_MIB, `peak RSS ${(maxRss / 1024).toFixed(0)} MiB < ${RSS_BOUND_MIB} MiB`);

  // Nothing lost: every good event indexed exactly once under its own id.
  const badCount = ROUNDS;
  const docs = es.docs('storm');
  assert.equal(docs.length, TOTAL - badCount);
  assert.equal(new Set(docs.map((d) => d.id)).size, docs.length);
  assert.ok(docs.every((d) => (d.doc.source as { line: number }).line !== BAD_LINE));
  assert.ok(docs.every((d) => d.doc.version === 1), 'no document written twice');
  assert.ok(docs.every((d) => typeof (d.doc.source as { bytes: unknown }).bytes === 'number'), 'the json filter parsed every line');

  // Exactly the bad items are dead-lettered, each with the server's reason.
  const dlq = openDeadLetterTarget(dlqTarget, createLogger('test', () => undefined));
  const entries: DeadLetterEntry[] = [];
  try {
    for await (const x of dlq.list()) entries.push(x.entry);
  } finally {
    await dlq.close();
  }
  assert.equal(entries.length, badCount);
  const deadIds = entries.map((e) => (JSON.parse(e.event!) as { '@metadata': { _id: string } })['@metadata']._id);
  assert.equal(new Set(deadIds).size, badCount, 'each bad event once');
  const indexedIds = new Set(docs.map((d) => d.id));
  assert.ok(deadIds.every((id) => !indexedIds.has(id)));
  for (const e of entries) {
    assert.equal(e.pipeline, 'storm');
    assert.equal((JSON.parse(e.event!) as { line: number; bytes: string }).line, BAD_LINE);
    assert.match(e.error, /document_parsing_exception: .*failed to parse field \[bytes\] of type \[long\]/);
  }

  // The summary balances: in = out + dead-lettered.
  const text = sluice.stderr();
  const headerAt = text.lastIndexOf('pipeline');
  const [header, row] = text.slice(headerAt).split('\n');
  const cols = header!.trim().split(/\s{2,}/);
  const vals = row!.trim().split(/\s{2,}/);
  const summary = Object.fromEntries(cols.map((c, i) => [c, vals[i]]));
  assert.equal(summary['pipeline'], 'storm', text.slice(-2000));
  assert.equal(Number(summary['in']), TOTAL);
  assert.equal(Number(summary['out']), TOTAL - badCount);
  assert.equal(Number(summary['dead-lettered']), badCount);
  assert.equal(Number(summary['in']), Number(summary['out']) + Number(summary['dead-lettered']));
  assert.equal(summary['check'], 'ok');
});
