// Proof of the lake round trip (issue 4): one million generated events through `sluice run` (a real process)
// into the lake, on a local directory and on an S3-compatible server (s3rver) at once, raw and Parquet. Then
// `sluice query` counts them by type and hour and must match the generator's own counts exactly, and
// `sluice replay` of one hour gives back exactly that hour's lines, from either lake.
// The pipeline is deliberately light (dissect + date) so that a million events stay well under a minute.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';
import { startS3rver } from '../inputs/support/s3rver.js';

const TOTAL = 1_000_000;
const START = Date.UTC(2026, 10, 28, 6, 0, 0);
const HOURS = 6;
const KINDS = ['firewall', 'proxy', 'dns'] as const;

/** Line i: evenly spread over HOURS hours; its kind from a small deterministic hash (60/30/10 %). */
function line(i: number): { text: string; kind: string; hour: number } {
  const ms = START + Math.floor((i * HOURS * 3_600_000) / TOTAL);
  const h = Math.imul(i ^ (i >>> 7), 0x9e3779b1) >>> 0;
  const r = h % 10;
  const kind = KINDS[r < 6 ? 0 : r < 9 ? 1 : 2];
  const text = `${new Date(ms).toISOString()} ${kind} seq=${i} src=10.${(h >>> 8) & 255}.${(h >>> 16) & 255}.${h >>> 24} action=${h & 1 ? 'allow' : 'deny'}`;
  return { text, kind, hour: new Date(ms).getUTCHours() };
}

async function writeInput(file: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const out = createWriteStream(file);
  let chunk: string[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const l = line(i);
    const key = `${l.kind} ${l.hour}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    chunk.push(l.text);
    if (chunk.length === 10_000) {
      if (!out.write(chunk.join('\n') + '\n')) await once(out, 'drain');
      chunk = [];
    }
  }
  if (chunk.length) out.write(chunk.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
  return counts;
}

function sluice(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'sluice.js'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`sluice ${args.join(' ')} exited ${code}\n${stderr.slice(-4000)}`))));
  });
}

test('round trip: 1,000,000 events through `sluice run` into a local and an S3 lake; `sluice query` counts by type and hour match the input; `sluice replay` of one hour gives exactly its lines', { timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-roundtrip-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const s3 = await startS3rver(['lake']);
  t.after(() => s3.stop());
  const env = { ...process.env, AWS_ACCESS_KEY_ID: s3.settings.access_key_id, AWS_SECRET_ACCESS_KEY: s3.settings.secret_access_key, AWS_REGION: 'us-east-1' };

  const input = join(dir, 'in.log');
  const expected = await writeInput(input);
  const localLake = join(dir, 'lake');
  const s3Lake = `bucket => "lake" prefix => "rt" endpoint => "${s3.endpoint}" force_path_style => true`;
  const conf = join(dir, 'pipeline.conf');
  writeFileSync(
    conf,
    `input { file { path => "${input}" mode => "read" sincedb_path => "${join(dir, 'sincedb')}" file_completed_action => "log" file_completed_log_path => "${join(dir, 'done.log')}" } }
filter {
  dissect { mapping => { "message" => "%{ts} %{kind} %{rest}" } }
  date { match => ["ts", "ISO8601"] }
}
output {
  s3 { path => "${localLake}" type => "%{kind}" format => raw }
  s3 { path => "${localLake}" type => "%{kind}" format => parquet }
  s3 { ${s3Lake} type => "%{kind}" format => raw }
  s3 { ${s3Lake} type => "%{kind}" format => parquet }
}`,
  );
  // Large batches: fewer, larger objects (one per batch, partition and output).
  const run = await sluice(['run', '-f', conf, '--path.data', join(dir, 'data'), '-w', '2', '-b', '5000'], dir, env);
  const summary = run.stdout + run.stderr;
  assert.match(summary, new RegExp(`main\\s+${TOTAL}\\s+${TOTAL}\\s`), summary);

  // The input's own counts, as rows of (kind, hour, n).
  const want = [...expected].map(([k, n]) => ({ kind: k.split(' ')[0]!, h: k.split(' ')[1]!, n: String(n) })).sort((a, b) => (a.kind + a.h.padStart(2, '0')).localeCompare(b.kind + b.h.padStart(2, '0')));
  assert.equal(want.reduce((s, r) => s + Number(r.n), 0), TOTAL);
  assert.equal(want.length, KINDS.length * HOURS);
  const sql = KINDS.map((k) => `select '${k}' kind, hour("@timestamp") h, count(*) n, count(distinct _id) ids from ${k} group by 2`).join(' union all ') + ' order by kind, h';
  const s3Flags = ['--endpoint', s3.endpoint, '--force-path-style'];
  for (const lakeArgs of [['--lake', localLake], ['--lake', 's3://lake/rt', ...s3Flags]]) {
    const q = await sluice(['query', ...lakeArgs, '--format', 'json', sql], dir, env);
    const rows = q.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; h: string; n: string; ids: string });
    assert.deepEqual(rows.map(({ kind, h, n }) => ({ kind, h, n })), want, `counts by type and hour (${lakeArgs[1]})`);
    assert.ok(rows.every((r) => r.ids === r.n), 'one row per event id');
  }

  // Replay of one hour of one type: exactly the input's lines of that hour and type, from either lake.
  const hour = 8;
  const hourLines: string[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const l = line(i);
    if (l.hour === hour && l.kind === 'proxy') hourLines.push(l.text);
  }
  hourLines.sort();
  assert.equal(hourLines.length, expected.get(`proxy ${hour}`));
  const replayIds: string[][] = [];
  for (const [name, from] of [
    ['local', [localLake]],
    ['s3', ['s3://lake/rt', ...s3Flags]],
  ] as const) {
    const outFile = join(dir, `replay-${name}.txt`);
    await sluice(
      ['replay', '--from', ...from, '--type', 'proxy', '--since', `2026-11-28T0${hour}:00:00Z`, '--until', `2026-11-28T0${hour + 1}:00:00Z`, '--pipeline', conf, '--to', `file { path => "${outFile}" codec => line { format => "%{[@metadata][_id]}|%{message}" } }`, '-w', '2'],
      dir,
      env,
    );
    const replayed = readFileSync(outFile, 'utf8').split('\n').filter(Boolean);
    assert.equal(new Set(replayed.map((l) => l.slice(0, l.indexOf('|')))).size, replayed.length, `${name}: one id per replayed event`);
    const got = replayed.map((l) => l.slice(l.indexOf('|') + 1)).sort();
    assert.equal(got.length, hourLines.length, `${name}: replayed events`);
    assert.deepEqual(got, hourLines, `${name}: replayed lines are exactly the hour's`);
    replayIds.push(replayed.map((l) => l.slice(0, l.indexOf('|'))).sort());
  }
  // Both lakes hold the same objects (named from the batches' ids), so both replays give the same ids.
  assert.deepEqual(replayIds[0], replayIds[1]);
});
