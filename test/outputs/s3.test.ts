// The s3 output against a local lake directory and against a real S3-compatible server (s3rver): layout,
// redelivery onto the same object, size-based splitting, a schema that only widens, multipart uploads that
// stay invisible until complete.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Event } from '../../src/core/event.js';
import type { Output } from '../../src/core/plugin.js';
import { openStore, LocalStore, S3Store, type ObjectStore } from '../../src/lake/storage.js';
import { parseKey } from '../../src/lake/layout.js';
import { queryLake } from '../../src/lake/query.js';
import { createPlugin, repoRoot } from '../helpers.js';
import { startS3rver, type S3Server } from '../lake/s3rver.js';

function events(n: number, from = 0, extra: (i: number) => Record<string, unknown> = () => ({})): Event[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return new Event({
      '@timestamp': new Date(Date.UTC(2026, 10, 28, 11, i % 60)),
      message: `line ${i}`,
      event: { original: `<166>original ${i}` },
      source: { ip: `10.0.0.${i % 256}`, port: 1000 + i },
      '@metadata': { _id: `src:${i}` },
      ...extra(i),
    });
  });
}

/** Encode on a "worker" instance and deliver on a "main" one, as the runtime does. */
async function writer(settings: Record<string, unknown>): Promise<{ write: (evs: Event[]) => Promise<unknown>; close: () => Promise<void> }> {
  const w = await createPlugin<Output>('output', 's3', settings, { side: 'worker', pipelineId: 'fw' });
  const m = await createPlugin<Output>('output', 's3', settings, { side: 'main', pipelineId: 'fw' });
  return {
    write: async (evs) => {
      const payload = structuredClone(w.encode(evs));
      await m.deliver(payload);
      return payload;
    },
    close: async () => {
      await w.close?.();
      await m.close?.();
    },
  };
}

async function keys(store: ObjectStore, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list(prefix)) out.push(o.key);
  return out.sort();
}

test('local lake: raw lines gzip in type/date/hour partitions, one object per batch and partition', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-lake-'));
  const out = await writer({ path: dir, format: 'raw' });
  const evs = events(10);
  evs[9]!.timestamp = new Date(Date.UTC(2026, 10, 28, 12, 5));
  await out.write(evs);
  await out.close();
  const all = await keys(new LocalStore(dir));
  assert.equal(all.length, 2, all.join('\n'));
  assert.match(all[0]!, /^type=fw\/date=2026-11-28\/hour=11\/raw-[0-9a-f]{24}\.log\.gz$/);
  assert.match(all[1]!, /^type=fw\/date=2026-11-28\/hour=12\/raw-[0-9a-f]{24}\.log\.gz$/);
  const text = gunzipSync(await new LocalStore(dir).get(all[0]!)).toString();
  assert.deepEqual(text.split('\n').slice(0, 2), ['<166>original 0', '<166>original 1']);
  assert.equal(text.split('\n').filter(Boolean).length, 9);
});

test('local lake: a redelivered batch rewrites the same object (no second copy)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-lake-'));
  for (const format of ['raw', 'parquet']) {
    const out = await writer({ path: dir, format, type: 'fw' });
    const batch = events(50);
    await out.write(batch);
    const first = await keys(new LocalStore(dir), 'type=');
    await out.write(batch);
    await out.close();
    const second = await keys(new LocalStore(dir), 'type=');
    assert.deepEqual(second, first, format);
  }
  const r = await queryLake('select count(*) n, count(distinct _id) ids from fw', { lake: dir });
  assert.deepEqual(r.rows, [{ n: '50', ids: '50' }]);
});

test('local lake: size_file splits a batch into several objects; temporary files are never listed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-lake-'));
  const out = await writer({ path: dir, format: 'raw', size_file: 60, type: 'fw' });
  await out.write(events(20));
  await out.close();
  const all = await keys(new LocalStore(dir));
  assert.ok(all.length >= 4, `split into ${all.length}`);
  let lines = 0;
  for (const k of all) lines += gunzipSync(await new LocalStore(dir).get(k)).toString().split('\n').filter(Boolean).length;
  assert.equal(lines, 20);
  // A write interrupted before its rename leaves a hidden temporary file: not an object.
  const part = join(dir, 'type=fw', 'date=2026-11-28', 'hour=11');
  writeFileSync(join(part, '.tmp-deadbeef'), 'partial');
  assert.deepEqual(await keys(new LocalStore(dir)), all);
});

test('local lake: the Parquet schema is stored per type and widens (new nullable column, conflicts become text)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-lake-'));
  const out = await writer({ path: dir, format: 'parquet', type: 'fw' });
  await out.write(events(5, 0, (i) => ({ bytes: i, rule: 7 })));
  // A new field, and `rule` turning from a number into text.
  await out.write(events(5, 100, (i) => ({ bytes: i, rule: 'allow-web', user: { name: `u${i}` } })));
  await out.close();
  const schema = JSON.parse(String(await new LocalStore(dir).get('_schema/type=fw.json'))) as { columns: Record<string, string> };
  assert.equal(schema.columns['bytes'], 'int64');
  assert.equal(schema.columns['rule'], 'string');
  assert.equal(schema.columns['user.name'], 'string');
  assert.equal(schema.columns['source.ip'], 'string');
  assert.equal(schema.columns['@timestamp'], 'timestamp');
  const files = (await keys(new LocalStore(dir), 'type=')).filter((k) => parseKey(k)?.format === 'parquet');
  assert.equal(files.length, 2);
  const r = await queryLake('select count(*) n, count("user.name") users, sum(bytes) b, string_agg(distinct rule, \',\' order by rule) rules from fw', { lake: dir });
  assert.deepEqual(r.rows, [{ n: '10', users: '5', b: String(0 + 1 + 2 + 3 + 4 + 100 + 101 + 102 + 103 + 104), rules: '7,allow-web' }]);
  const types = await queryLake('select column_name, column_type from (describe fw) where column_name in (\'rule\', \'@timestamp\', \'bytes\') order by 1', { lake: dir });
  assert.deepEqual(types.rows, [
    { column_name: '@timestamp', column_type: 'TIMESTAMP WITH TIME ZONE' },
    { column_name: 'bytes', column_type: 'BIGINT' },
    { column_name: 'rule', column_type: 'VARCHAR' },
  ]);
});

test('a type from [@metadata][type], else the pipeline id; unsafe characters are replaced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-lake-'));
  const out = await writer({ path: dir, format: 'raw' });
  const evs = events(2);
  evs[0]!.metadata.type = 'web/../proxy';
  await out.write(evs);
  await out.close();
  const types = (await keys(new LocalStore(dir))).map((k) => parseKey(k)!.type).sort();
  assert.deepEqual(types, ['fw', 'web_.._proxy']);
});

test('invalid settings are clear errors', async () => {
  await assert.rejects(createPlugin('output', 's3', {}), /set `bucket` \(S3\) or `path`/);
  await assert.rejects(createPlugin('output', 's3', { path: '/x', format: 'csv' }), /format/);
  assert.throws(() => openStore('ftp://host/x'), /unsupported lake URL/);
});

// ---- S3 (s3rver) ----------------------------------------------------------------------------------
let s3: S3Server | undefined;
before(async () => {
  s3 = await startS3rver('lake');
});
after(async () => {
  await s3?.stop();
});

function s3Settings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { bucket: s3!.bucket, prefix: 'logs', endpoint: s3!.endpoint, region: 'us-east-1', force_path_style: true, access_key_id: 'S3RVER', secret_access_key: 'S3RVER', ...extra };
}
function s3Store(): S3Store {
  const conn = { endpoint: s3!.endpoint, forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' };
  return openStore(`s3://${s3!.bucket}/logs`, { ...conn, multipartThreshold: 5 * 1024 * 1024 }) as S3Store;
}

test('S3 (s3rver): raw and Parquet objects in the same layout; a redelivery rewrites the same keys; query downloads and counts', async () => {
  for (const format of ['raw', 'parquet']) {
    const out = await writer(s3Settings({ format, type: 'firewall' }));
    const batch = events(30);
    await out.write(batch);
    await out.write(batch);
    await out.close();
  }
  const store = s3Store();
  const all = await keys(store, 'type=');
  await store.close();
  assert.equal(all.length, 2, all.join('\n'));
  assert.ok(all.every((k) => k.startsWith('type=firewall/date=2026-11-28/hour=11/')));
  const downloads: string[] = [];
  const r = await queryLake('select count(*) n, count(distinct _id) ids, min("source.port") p from firewall', {
    lake: `s3://${s3!.bucket}/logs`,
    s3: { endpoint: s3!.endpoint, forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' },
    onDownload: (t, n) => downloads.push(`${t}:${n}`),
  });
  assert.deepEqual(r.rows, [{ n: '30', ids: '30', p: '1000' }]);
  assert.deepEqual(downloads, ['firewall:1']);
});

test('S3 (s3rver): a multipart upload is invisible while it runs and byte-exact once complete', async () => {
  const store = s3Store();
  const data = new Uint8Array(12 * 1024 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 12)) & 0xff;
  // Slow every part down, and look at the bucket while the upload is in progress.
  let parts = 0;
  const seenDuring: string[][] = [];
  let release!: () => void;
  const listed = new Promise<void>((r) => (release = r));
  const uploadedWithoutParts = setTimeout(() => release(), 30_000);
  store.client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { PartNumber?: number; UploadId?: string };
      if (input.PartNumber !== undefined && input.UploadId !== undefined) {
        parts++;
        if (parts === 2) {
          seenDuring.push(await keys(store, 'big/'));
          release();
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'observeParts' },
  );
  const uploading = store.put('big/object.bin', data);
  await listed;
  await uploading;
  clearTimeout(uploadedWithoutParts);
  assert.equal(parts, 3, 'uploaded in three parts (5 + 5 + 2 MiB)');
  assert.deepEqual(seenDuring, [[]], 'nothing visible before completion');
  assert.deepEqual(await keys(store, 'big/'), ['big/object.bin']);
  const back = await store.get('big/object.bin');
  assert.equal(back.length, data.length);
  assert.ok(Buffer.from(back).equals(Buffer.from(data)), 'byte-exact');
  await store.delete(['big/object.bin']);
  assert.deepEqual(await keys(store, 'big/'), []);
  await store.close();
});

test('local and S3 share the code path: the same batch gives the same object names', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-lake-'));
  mkdirSync(dir, { recursive: true });
  const local = await writer({ path: dir, prefix: 'logs', format: 'raw', type: 'same' });
  const remote = await writer(s3Settings({ format: 'raw', type: 'same' }));
  const batch = events(7);
  await local.write(batch);
  await remote.write(batch);
  await local.close();
  await remote.close();
  const store = s3Store();
  const a = await keys(new LocalStore(join(dir, 'logs')), 'type=same/');
  const b = await keys(store, 'type=same/');
  await store.close();
  assert.equal(a.length, 1);
  assert.deepEqual(a, b);
  assert.deepEqual(readdirSync(dir), ['logs']);
});

test('S3 (s3rver): `sluice run` into the bucket, `sluice query` and `sluice replay` from it (settings from the AWS environment)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-s3-run-'));
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: s3!.endpoint, SLUICE_S3_FORCE_PATH_STYLE: 'true' };
  const lake = `bucket => "${s3!.bucket}" prefix => "runs" endpoint => "${s3!.endpoint}" force_path_style => true type => "gen"`;
  writeFileSync(
    join(dir, 'p.conf'),
    `input { generator { lines => ["x 1", "y 2", "z 3"] count => 20 } }
filter { mutate { copy => { "message" => "[event][original]" } } }
output { s3 { ${lake} format => raw } s3 { ${lake} format => parquet } }`,
  );
  const sluice = (args: string[]) => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'sluice.js'), ...args], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  sluice(['run', '-f', join(dir, 'p.conf'), '-w', '1']);
  const q = sluice(['query', '--lake', `s3://${s3!.bucket}/runs`, '--format', 'json', 'select count(*) n, count(distinct "event.original") lines from gen']);
  assert.deepEqual(JSON.parse(q.stdout), { n: '60', lines: '3' });
  sluice(['replay', '--from', `s3://${s3!.bucket}/runs`, '--type', 'gen', '--since', '1d', '--pipeline', join(dir, 'p.conf'), '--to', `file { path => "${join(dir, 'out.txt')}" codec => line { format => "%{[@metadata][_id]} %{message}" } }`]);
  const out = readFileSync(join(dir, 'out.txt'), 'utf8').split('\n').filter(Boolean);
  assert.equal(out.length, 60);
  assert.equal(new Set(out.map((l) => l.split(' ')[0])).size, 60, 'one id per replayed line');
  assert.ok(out.every((l) => /^type=gen\/date=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/raw-[0-9a-f]{24}\.log\.gz:\d+ [xyz] \d$/.test(l)), out[0]);
});
