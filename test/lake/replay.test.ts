// The lake end to end with `sluice` processes: a pipeline writes raw + Parquet, `sluice query` counts what it
// wrote, `sluice replay` runs one hour of the raw archive through the same filters into a file output and
// gets the same events (a second replay gives the same ids), and shards split a replay without overlap.
// Lake retention deletes old partitions (dry run first).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';
import { LocalStore } from '../../src/lake/storage.js';
import { parseKey } from '../../src/lake/layout.js';
import { applyLakeRetention } from '../../src/lake/retention.js';
import { planReplay } from '../../src/lake/plan.js';

const sluice = join(repoRoot, 'bin', 'sluice.js');

function run(args: string[], cwd: string): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [sluice, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, SLUICE_DATA: join(cwd, 'sluice-data') } });
  assert.equal(r.status, 0, `sluice ${args.join(' ')}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** 3 hours of lines `ts=<iso> n=<i> user=u<i%5>`, 40 per hour. */
function writeInput(dir: string): string[] {
  const lines: string[] = [];
  for (let h = 0; h < 3; h++) for (let i = 0; i < 40; i++) lines.push(`ts=2026-11-28T${String(9 + h).padStart(2, '0')}:${String(i).padStart(2, '0')}:00Z n=${h * 40 + i} user=u${i % 5}`);
  writeFileSync(join(dir, 'in.log'), lines.join('\n') + '\n');
  return lines;
}

const FILTERS = `
filter {
  mutate { copy => { "message" => "[event][original]" } }
  kv { }
  date { match => ["ts", "ISO8601"] }
  mutate { convert => { "n" => "integer" } remove_field => ["message", "ts", "host", "log", "path"] }
}`;

function lakeConfig(dir: string): string {
  const conf = `input { file { path => "${join(dir, 'in.log')}" mode => "read" sincedb_path => "${join(dir, 'sincedb')}" file_completed_action => "log" file_completed_log_path => "${join(dir, 'done.log')}" } }
${FILTERS}
output {
  s3 { path => "${join(dir, 'lake')}" type => "app" format => raw }
  s3 { path => "${join(dir, 'lake')}" type => "app" format => parquet }
  file { path => "${join(dir, 'first.jsonl')}" }
}`;
  const file = join(dir, 'pipeline.conf');
  writeFileSync(file, conf);
  return file;
}

function jsonl(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('run -> query -> replay one hour: the same events, and a second replay writes the same ids', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-replay-'));
  writeInput(dir);
  const conf = lakeConfig(dir);
  run(['run', '-f', conf, '-w', '2'], dir);

  const byHour = run(['query', '--lake', join(dir, 'lake'), '--format', 'json', `select hour("@timestamp") h, count(*) n, count(distinct _id) ids from app group by 1 order by 1`], dir);
  assert.deepEqual(byHour.stdout.trim().split('\n').map((l) => JSON.parse(l)), [
    { h: '9', n: '40', ids: '40' },
    { h: '10', n: '40', ids: '40' },
    { h: '11', n: '40', ids: '40' },
  ]);

  // The replay keeps the config's filters; its file output is replaced by --to and records each event's id.
  const replayTo = (name: string) =>
    `file { path => "${join(dir, name)}" codec => line { format => "%{[@metadata][_id]} %{n} %{user} %{@timestamp} %{[event][original]}" } }`;
  const r1 = run(['replay', '--from', join(dir, 'lake'), '--type', 'app', '--since', '2026-11-28T10:00:00Z', '--until', '2026-11-28T11:00:00Z', '--pipeline', conf, '--to', replayTo('replay1.txt'), '-w', '2'], dir);
  assert.match(r1.stderr, /replay: 1 object\(s\)/);
  assert.match(r1.stderr, /replay: 100\.0% +1\/1 objects +40 events +\d+ events\/s +ETA 0:00/);
  run(['replay', '--from', join(dir, 'lake'), '--type', 'app', '--since', '2026-11-28T10:00:00Z', '--until', '2026-11-28T11:00:00Z', '--pipeline', conf, '--to', replayTo('replay2.txt')], dir);

  const first = jsonl(join(dir, 'first.jsonl')).filter((e) => String(e['@timestamp']).startsWith('2026-11-28T10:'));
  const expected = first.map((e) => `${e.n} ${e.user} ${e['@timestamp']} ${(e.event as { original: string }).original}`).sort();
  const lines1 = readFileSync(join(dir, 'replay1.txt'), 'utf8').split('\n').filter(Boolean).sort();
  const lines2 = readFileSync(join(dir, 'replay2.txt'), 'utf8').split('\n').filter(Boolean).sort();
  assert.equal(expected.length, 40);
  assert.deepEqual(lines1.map((l) => l.slice(l.indexOf(' ') + 1)).sort(), expected);
  assert.deepEqual(lines2, lines1, 'a second replay produces the same ids');
  for (const l of lines1) assert.match(l, /^type=app\/date=2026-11-28\/hour=10\/raw-[0-9a-f]{24}\.log\.gz:\d+ /);
});

test('replay shards split the objects without overlap; retention deletes old partitions after a dry run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-lake-shards-'));
  const store = new LocalStore(join(dir, 'lake'));
  for (let d = 1; d <= 5; d++)
    for (let k = 0; k < 4; k++) await store.put(`type=fw/date=2026-11-0${d}/hour=0${k}/raw-${d}${k}.log`, Buffer.from(`line ${d} ${k}\n`));
  await store.put('type=ids/date=2026-11-01/hour=00/events-x.parquet', Buffer.from('not really'));
  await store.put('_schema/type=fw.json', Buffer.from('{}'));

  const all = await planReplay(store, { types: ['fw'] });
  assert.equal(all.length, 20);
  const shards = await Promise.all([0, 1, 2].map((i) => planReplay(store, { types: ['fw'], shard: { index: i, count: 3 } })));
  const union = shards.flatMap((s) => s.map((o) => o.key)).sort();
  assert.deepEqual(union, all.map((o) => o.key).sort(), 'every object in exactly one shard');
  assert.ok(shards.every((s) => s.length > 0), 'each shard has work');
  const range = await planReplay(store, { types: ['fw'], since: Date.parse('2026-11-02T01:30:00Z'), until: Date.parse('2026-11-02T03:00:00Z') });
  assert.deepEqual(range.map((o) => parseKey(o.key)!.hour), ['01', '02']);

  const now = Date.parse('2026-11-06T00:30:00Z');
  const lines: string[] = [];
  const dry = await applyLakeRetention({ url: join(dir, 'lake'), max_age_days: 3 }, { dryRun: true, now, log: (l) => lines.push(l) });
  // Ended more than 3 days before 2026-11-06T00:30: every hour of Nov 1 and 2 (and ids' Nov 1 partition); Nov 3 00:00-00:59
  // still holds events younger than that.
  assert.equal(dry.partitions.length, 4 + 4 + 1);
  assert.ok(lines.every((l) => l.startsWith('would delete lake partition ')), lines.join('\n'));
  assert.equal((await planReplay(store, { types: ['fw'] })).length, 20, 'a dry run deletes nothing');

  const real = await applyLakeRetention({ url: join(dir, 'lake'), max_age_days: 3 }, { now });
  assert.deepEqual(real.partitions, dry.partitions);
  const left = (await planReplay(store, { types: ['fw'] })).map((o) => `${parseKey(o.key)!.date} ${parseKey(o.key)!.hour}`);
  assert.equal(left.length, 12);
  assert.ok(left.every((p) => p >= '2026-11-03 00'), left.join(','));
  const schemaLeft: string[] = [];
  for await (const o of store.list('_schema/')) schemaLeft.push(o.key);
  assert.deepEqual(schemaLeft, ['_schema/type=fw.json'], 'schemas are kept');

  // The CLI reads a `lake:` section.
  writeFileSync(join(dir, 'retention.yml'), `lake:\n  url: ${join(dir, 'lake')}\n  max_age_days: 1\n`);
  const out = run(['retention', '--config', join(dir, 'retention.yml'), '--dry-run'], dir);
  assert.equal((out.stdout.match(/would delete partition type=/g) ?? []).length, 12, out.stdout);
  assert.match(out.stdout, /retention \(dry run\): 12 would be deleted/);
});
