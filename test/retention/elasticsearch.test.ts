// `sluice retention` for Elasticsearch/OpenSearch indices, against the cluster stand-in (no real cluster can run
// here: test names say "stand-in").

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';
import { compileIndexRule } from '../../src/retention/elasticsearch.js';
import { loadRetentionTargets, runRetention, RETENTION_SECTIONS } from '../../src/retention/run.js';
import type { RetentionSection } from '../../src/retention/target.js';
import { EsStandin } from '../outputs/support/es_standin.js';

const NOW = new Date('2026-11-28T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-retention-'));
  const f = join(dir, 'retention.yml');
  writeFileSync(f, text);
  return f;
}

async function retention(file: string, dryRun: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRetention(loadRetentionTargets(file), { dryRun, now: NOW, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

function seed(s: EsStandin): void {
  for (const d of ['2026.08.01', '2026.08.29', '2026.08.30', '2026.08.31', '2026.11.27']) s.createIndex(`firewall-${d}`, new Date(`${d.replace(/\./g, '-')}T00:05:00Z`));
  s.createIndex('firewall-archive', daysAgo(400)); // no date in its name: the date rule does not apply
  s.createIndex('audit-2024', daysAgo(366));
  s.createIndex('audit-2025', daysAgo(200));
  s.createIndex('.security-7', daysAgo(1000));
  s.createIndex('ids-2026-07-01-eu', daysAgo(1));
}

test('index patterns: the date comes from the name with the output\'s %{+format} syntax', () => {
  const r = compileIndexRule('ids-%{+yyyy-MM-dd}-*', 30);
  assert.equal(r.ageBy, 'name');
  const m = r.regex.exec('ids-2026-07-01-eu')!;
  assert.equal(new Date(r.parseDate!(m[1]!)!).toISOString(), '2026-07-01T00:00:00.000Z');
  assert.equal(r.regex.test('ids-latest-eu'), false);
  const weekly = compileIndexRule('logstash-%{[type]}-%{+yyyy.MM}', 60);
  assert.ok(weekly.regex.test('logstash-fw-2026.11'));
  assert.equal(compileIndexRule('audit-*', 10).ageBy, 'creation_date');
  assert.throws(() => compileIndexRule('audit-*', 10, 'name'), /needs a date in the pattern/);
  assert.throws(() => compileIndexRule('a-%{+yyyy}-%{+MM}', 10), /only one %\{\+date\}/);
  assert.throws(() => compileIndexRule('a-*', -1), /max_age_days/);
});

test('stand-in: --dry-run lists the indices older than their limit and deletes nothing; a real run deletes exactly those', async () => {
  const s = await EsStandin.start({});
  try {
    seed(s);
    const file = configFile(`elasticsearch:
  - hosts: ["${s.url}"]
    indices:
      - index: "firewall-%{+yyyy.MM.dd}"
        max_age_days: 90
      - index: "audit-*"
        max_age_days: 365
      - index: "ids-%{+yyyy-MM-dd}-*"
        max_age_days: 30
        age_by: creation_date
      - index: "*"
        max_age_days: 100000
`);
    // 90 days before NOW is 2026-08-30T12:00Z: the index dated 08-30 (00:00) is past it, 08-31 is not.
    const before = [...s.indices.keys()].sort();
    const dry = await retention(file, true);
    assert.equal(dry.code, 0, dry.err.join('\n'));
    const wouldGo = dry.out.filter((l) => l.includes('would delete')).map((l) => /would delete index (\S+)/.exec(l)![1]);
    assert.deepEqual(wouldGo, ['audit-2024', 'firewall-2026.08.01', 'firewall-2026.08.29', 'firewall-2026.08.30']);
    assert.match(dry.out.find((l) => l.includes('firewall-2026.08.01'))!, /by its name 2026-08-01, 119 days old \(limit 90/);
    assert.match(dry.out.at(-1)!, /dry run\): 4 would be deleted/);
    assert.deepEqual([...s.indices.keys()].sort(), before, 'a dry run deletes nothing');
    assert.equal(s.log.filter((r) => r.method === 'DELETE').length, 0);

    const real = await retention(file, false);
    assert.equal(real.code, 0, real.err.join('\n'));
    assert.deepEqual(
      real.out.filter((l) => l.includes('deleted index')).map((l) => /deleted index (\S+)/.exec(l)![1]),
      ['audit-2024', 'firewall-2026.08.01', 'firewall-2026.08.29', 'firewall-2026.08.30'],
    );
    assert.deepEqual([...s.indices.keys()].sort(), ['.security-7', 'audit-2025', 'firewall-2026.08.31', 'firewall-2026.11.27', 'firewall-archive', 'ids-2026-07-01-eu']);
    assert.deepEqual(s.log.filter((r) => r.method === 'DELETE').map((r) => r.path), ['/audit-2024', '/firewall-2026.08.01', '/firewall-2026.08.29', '/firewall-2026.08.30'], 'one DELETE per index, by name');
    const again = await retention(file, false);
    assert.match(again.out[0]!, /nothing older than its limit/);
  } finally {
    await s.close();
  }
});

test('stand-in: `sluice retention` command with auth from the environment, --dry-run then for real', async () => {
  const s = await EsStandin.start({ flavor: 'opensearch', basicAuth: { user: 'curator', password: 'pw' } });
  try {
    s.createIndex('waf-2020.01.01', daysAgo(3));
    s.createIndex(`waf-${new Date().toISOString().slice(0, 10).replace(/-/g, '.')}`);
    const file = configFile(`elasticsearch:
  - hosts: ["${s.url}"]
    user: curator
    password: \${RETENTION_TEST_PASSWORD}
    indices:
      - { index: "waf-%{+yyyy.MM.dd}", max_age_days: 90 }
`);
    const run = async (args: string[], env: Record<string, string>) => {
      const child = spawn(process.execPath, [join(repoRoot, 'bin', 'sluice.js'), 'retention', '--config', file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      return { code, stdout, stderr };
    };
    const missing = await run(['--dry-run'], {});
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /environment variable not set: RETENTION_TEST_PASSWORD/);

    const wrong = await run(['--dry-run'], { RETENTION_TEST_PASSWORD: 'nope' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /HTTP 401: security_exception/);

    const dry = await run(['--dry-run'], { RETENTION_TEST_PASSWORD: 'pw' });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would delete index waf-2020\.01\.01 \(by its name 2020-01-01/);
    assert.equal(s.indices.size, 2);

    const real = await run([], { RETENTION_TEST_PASSWORD: 'pw' });
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /deleted index waf-2020\.01\.01/);
    assert.match(real.stdout, /retention: 1 deleted/);
    assert.equal(s.indices.size, 1);
    assert.equal(s.indices.has('waf-2020.01.01'), false);
  } finally {
    await s.close();
  }
});

test('retention config errors are reported clearly; other sections plug in through RetentionSection', async () => {
  assert.throws(() => loadRetentionTargets(configFile('lakes: []\n')), /unknown section "lakes" \(known: elasticsearch, lake\)/);
  assert.throws(() => loadRetentionTargets(configFile('elasticsearch:\n  - hosts: [h]\n    indices: [{ index: "a-*" }]\n')), /elasticsearch\[0\]\.indices\[0\]: max_age_days is required/);
  assert.throws(() => loadRetentionTargets(configFile('elasticsearch:\n  - hosts: [h]\n    index: x\n    indices: [{ index: "a-*", max_age_days: 1 }]\n')), /unknown setting index/);

  const removed: string[] = [];
  const fake: RetentionSection = {
    key: 'archive',
    create: (value) => [
      {
        label: `archive ${(value as { root: string }).root}`,
        plan: async (now) => [{ name: 'partition date=2025-01-01/', reason: `older than ${now.getUTCFullYear()}`, ref: 'p1' }],
        remove: async (c) => void removed.push(c.ref as string),
      },
    ],
  };
  const targets = loadRetentionTargets(configFile('archive: { root: "s3://bucket/lake" }\n'), [...RETENTION_SECTIONS, fake]);
  const out: string[] = [];
  assert.equal(await runRetention(targets, { dryRun: false, now: NOW, out: (l) => out.push(l), err: (l) => out.push(l) }), 0);
  assert.deepEqual(removed, ['p1']);
  assert.equal(out[0], 'archive s3://bucket/lake: deleted partition date=2025-01-01/ (older than 2026)');
});
