// Scale-out proofs of the s3 input: several `sluice run` processes with the same config share one bucket through
// a real nats-server (JetStream), over a real S3-compatible server (s3rver).

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { createPlugin, repoRoot } from '../helpers.js';
import { FakeSink } from './fake_sink.js';
import type { S3Input } from '../../src/inputs/s3/input.js';
import { defaultStreamName } from '../../src/inputs/s3/input.js';
import { stateKey } from '../../src/inputs/s3/coordinator.js';
import { Kvm } from '@nats-io/kv';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { freePort, natsServerOrSkip, startNatsServer, type NatsServer } from './support/nats-server.js';
import { startS3rver, type S3Server } from './support/s3rver.js';

const bin = join(repoRoot, 'bin', 'sluice.js');

interface Worker {
  child: ChildProcess;
  out: string;
  tmp: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function workerConfig(s3: S3Server, nats: NatsServer, out: string, extra = ''): string {
  return `
    input { s3 { bucket => "scale" endpoint => "${s3.endpoint}" force_path_style => true
                 access_key_id => "S3RVER" secret_access_key => "S3RVER"
                 interval => 5 nats_servers => ["${nats.url}"] ${extra} } }
    filter { mutate { add_field => { "event_id" => "%{[@metadata][_id]}" "s3_key" => "%{[@metadata][s3][key]}" } } }
    output { file { path => "${out}" } }`;
}

function startWorker(config: string, out: string, tmp: string, opts: { cwd?: string; uid?: number } = {}): Worker {
  const child = spawn(process.execPath, [bin, 'run', '-e', config, '-w', '1', '--log.level', 'warn'], {
    cwd: opts.cwd ?? tmp,
    env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}),
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out, tmp, stderr: () => stderr, exited };
}

async function stopWorker(w: Worker): Promise<number | null> {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  return w.exited;
}

interface OutLine {
  event_id: string;
  s3_key: string;
  message: string;
}

/** Lines of one worker's output; a process killed mid-write may have left a torn last line. */
function readOutput(path: string, tolerateTornEnd: boolean): OutLine[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const last = lines.pop()!;
  if (last !== '' && !tolerateTornEnd) throw new Error(`${path}: last line not terminated`);
  return lines.map((l) => JSON.parse(l) as OutLine);
}

async function putObjects(s3: S3Server, count: number, linesPer: number): Promise<Map<string, string[]>> {
  const objects = new Map<string, string[]>();
  for (let i = 0; i < count; i++) {
    const key = `in/obj-${String(i).padStart(4, '0')}.log`;
    objects.set(key, Array.from({ length: linesPer }, (_, j) => `object ${i} line ${j} ${'p'.repeat(j % 40)}`));
  }
  const entries = [...objects];
  for (let i = 0; i < entries.length; i += 50) {
    await Promise.all(entries.slice(i, i + 50).map(([key, lines]) => s3.client.send(new PutObjectCommand({ Bucket: 'scale', Key: key, Body: lines.join('\n') + '\n' }))));
  }
  return objects;
}

async function servers(t: TestContext): Promise<{ s3: S3Server; nats: NatsServer } | undefined> {
  const natsBin = natsServerOrSkip(t);
  if (!natsBin) return undefined;
  const nats = await startNatsServer(natsBin);
  const s3 = await startS3rver(['scale']);
  return { s3, nats };
}

/** Poll `cond` (which reads every output file: not too often, the workers need the CPU). */
async function waitFor(cond: () => boolean, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function union(workers: Worker[], killed?: Worker): OutLine[] {
  return workers.flatMap((w) => readOutput(w.out, w === killed));
}

test('4 sluice processes with the same s3 input read each of 1,000 objects exactly once and create no temp files', { timeout: 300_000 }, async (t) => {
  const env = await servers(t);
  if (!env) return;
  const { s3, nats } = env;
  const workers: Worker[] = [];
  t.after(async () => {
    await Promise.all(workers.map(stopWorker));
    await nats.stop();
    await s3.stop();
  });
  const objects = await putObjects(s3, 1000, 5);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-s3-scale-'));
  for (let i = 0; i < 4; i++) {
    const out = join(dir, `worker-${i}.ndjson`);
    const tmp = join(dir, `tmp-${i}`);
    mkdirSync(tmp);
    workers.push(startWorker(workerConfig(s3, nats, out), out, tmp));
  }
  const expected = 1000 * 5;
  await waitFor(() => new Set(union(workers).map((l) => l.event_id)).size >= expected, 'every event of every object', 240_000);
  const codes = await Promise.all(workers.map(stopWorker));
  assert.deepEqual(codes, [0, 0, 0, 0], workers.map((w) => w.stderr()).join('\n'));

  const perKey = new Map<string, number>();
  for (const l of union(workers)) perKey.set(l.s3_key, (perKey.get(l.s3_key) ?? 0) + 1);
  assert.equal(perKey.size, 1000);
  for (const [key, lines] of objects) assert.equal(perKey.get(key), lines.length, `events of ${key}`);
  const busy = workers.filter((w) => readOutput(w.out, false).length > 0).length;
  assert.ok(busy >= 2, `the work was shared (${busy} of 4 processes wrote events)`);
  for (const w of workers) assert.deepEqual(readdirSync(w.tmp), [], 'no temp files');
});

test('kill -9 of one of 4 processes mid-run: every object is still fully read; repeats carry the same ids', { timeout: 300_000 }, async (t) => {
  const env = await servers(t);
  if (!env) return;
  const { s3, nats } = env;
  const workers: Worker[] = [];
  t.after(async () => {
    await Promise.all(workers.map(stopWorker));
    await nats.stop();
    await s3.stop();
  });
  // Objects of several pipeline batches each, so the kill can land between two batches of one object.
  const objects = await putObjects(s3, 60, 2500);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-s3-kill-'));
  for (let i = 0; i < 4; i++) {
    const out = join(dir, `worker-${i}.ndjson`);
    const tmp = join(dir, `tmp-${i}`);
    mkdirSync(tmp);
    workers.push(startWorker(workerConfig(s3, nats, out, 'nats_ack_wait => 2'), out, tmp));
  }
  const expected = 60 * 2500;
  // Kill the first process that writes events, as soon as it wrote some: it is then in the middle of the objects it
  // claimed (each is several pipeline batches long).
  let victim: Worker | undefined;
  const deadline = Date.now() + 240_000;
  while (!victim) {
    if (Date.now() > deadline) throw new Error('no process wrote events');
    victim = workers.find((w) => existsSync(w.out) && statSync(w.out).size > 0);
    if (!victim) await new Promise((r) => setTimeout(r, 10));
  }
  victim.child.kill('SIGKILL');
  await victim.exited;
  const victimLines = readOutput(victim.out, true).length;
  assert.ok(victimLines > 0, 'the killed process had done part of the work');

  await waitFor(() => new Set(union(workers, victim).map((l) => l.event_id)).size >= expected, 'every event after the kill', 240_000);
  const survivors = workers.filter((w) => w !== victim);
  const codes = await Promise.all(survivors.map(stopWorker));
  assert.deepEqual(codes, [0, 0, 0], survivors.map((w) => w.stderr()).join('\n'));

  const all = union(workers, victim);
  const byId = new Map<string, OutLine>();
  for (const l of all) {
    const seen = byId.get(l.event_id);
    // A repeat is the same line of the same object under the same id (only @timestamp, the read time, differs).
    if (seen) assert.deepEqual([seen.s3_key, seen.message], [l.s3_key, l.message], 'a repeated id carries the same event');
    else byId.set(l.event_id, l);
  }
  const idsPerKey = new Map<string, Set<string>>();
  for (const l of byId.values()) {
    let s = idsPerKey.get(l.s3_key);
    if (!s) idsPerKey.set(l.s3_key, (s = new Set()));
    s.add(l.message);
  }
  for (const [key, lines] of objects) assert.deepEqual([...(idsPerKey.get(key) ?? [])].sort(), [...lines].sort(), `every line of ${key}, once per id`);
  // The killed process's claimed objects went to the others once its lease ran out.
  assert.match(survivors.map((w) => w.stderr()).join('\n'), /taking over an object whose worker stopped answering/);
  const nc = await connect({ servers: nats.url });
  try {
    const info = await (await jetstreamManager(nc)).consumers.info(defaultStreamName('main', 's3_1', 'scale', ''), 'workers');
    assert.equal(info.num_pending, 0, 'no work item left');
    assert.equal(info.num_ack_pending, 0, 'no work item in progress');
  } finally {
    await nc.close();
  }
  t.diagnostic(`events written ${all.length}, distinct ids ${byId.size}, repeats ${all.length - byId.size}`);
});

test('a worker (s3 in -> filter -> file out) runs with its working directory and TMPDIR unwritable', { timeout: 120_000 }, async (t) => {
  const env = await servers(t);
  if (!env) return;
  const { s3, nats } = env;
  const workers: Worker[] = [];
  t.after(async () => {
    await Promise.all(workers.map(stopWorker));
    await nats.stop();
    await s3.stop();
  });
  const objects = await putObjects(s3, 20, 50);
  const base = mkdtempSync(join(tmpdir(), 'sluice-s3-nodisk-'));
  chmodSync(base, 0o755);
  const cwd = join(base, 'cwd');
  const tmp = join(base, 'tmp');
  const outDir = join(base, 'out');
  for (const d of [cwd, tmp, outDir]) mkdirSync(d);
  chmodSync(outDir, 0o777);
  chmodSync(cwd, 0o555);
  chmodSync(tmp, 0o555);
  // Root ignores permission bits: run the worker as an unprivileged user when we are root and it can read the build.
  let uid: number | undefined;
  if (process.getuid?.() === 0) {
    const probe = spawnSync(process.execPath, ['-e', `require('fs').readFileSync(${JSON.stringify(bin)})`], { uid: 65534, gid: 65534 });
    if (probe.status === 0) uid = 65534;
    else t.diagnostic('running as root and the build is not readable by uid 65534: the directories are only checked to stay empty');
  }
  if (uid !== undefined) {
    // The proof holds only if the directories really are unwritable for the worker.
    const write = spawnSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(join(tmp, 'probe'))}, 'x')`], { uid, gid: uid });
    assert.notEqual(write.status, 0, 'TMPDIR must be unwritable for the worker');
  }
  const out = join(outDir, 'events.ndjson');
  const w = startWorker(workerConfig(s3, nats, out), out, tmp, { cwd, uid });
  workers.push(w);
  await waitFor(() => readOutput(out, true).length >= 20 * 50, 'every event', 100_000);
  assert.equal(await stopWorker(w), 0, w.stderr());
  assert.doesNotMatch(w.stderr(), /EACCES|EROFS|ERROR/, w.stderr());
  const lines = readOutput(out, false);
  assert.equal(lines.length, 20 * 50);
  assert.equal(new Set(lines.map((l) => l.s3_key)).size, objects.size);
  assert.deepEqual(readdirSync(cwd), []);
  assert.deepEqual(readdirSync(tmp), []);
});

test('coordinated read-once: two inputs in one process share the objects, each line once, and both end by themselves', { timeout: 120_000 }, async (t) => {
  const env = await servers(t);
  if (!env) return;
  const { s3, nats } = env;
  t.after(async () => {
    await nats.stop();
    await s3.stop();
  });
  const objects = await putObjects(s3, 40, 30);
  const settings = { ...s3.settings, bucket: 'scale', nats_servers: [nats.url], watch_for_new_files: false, concurrent_objects: 2 };
  const sinks = [new FakeSink(true), new FakeSink(true)];
  const inputs = await Promise.all(sinks.map(() => createPlugin<S3Input>('input', 's3', settings, { side: 'main', pluginId: 's3_1' })));
  await Promise.all(inputs.map((input, i) => input.run(sinks[i]!)));
  await Promise.all(inputs.map((input) => input.close()));
  const lines = sinks.flatMap((s) => s.lines());
  assert.equal(lines.length, 40 * 30, 'every line exactly once');
  assert.equal(new Set(lines.map((l) => l.id)).size, 40 * 30);
  const texts = new Set(lines.map((l) => l.text));
  for (const ls of objects.values()) for (const l of ls) assert.ok(texts.has(l));
});

test('a coordinated s3 input started before NATS waits for it, then reads the bucket', { timeout: 120_000 }, async (t) => {
  const natsBin = natsServerOrSkip(t);
  if (!natsBin) return;
  const s3 = await startS3rver(['scale']);
  let nats: NatsServer | undefined;
  t.after(async () => {
    await nats?.stop();
    await s3.stop();
  });
  await putObjects(s3, 3, 10);
  const port = await freePort();
  const sink = new FakeSink(true);
  const input = await createPlugin<S3Input>('input', 's3', { ...s3.settings, bucket: 'scale', nats_servers: [`nats://127.0.0.1:${port}`], retry_delay: 0.2, interval: 0.2 }, { side: 'main' });
  const running = input.run(sink);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(sink.pushed.length, 0);
  nats = await startNatsServer(natsBin, port);
  await waitFor(() => sink.lines().length === 30, 'every line once NATS is up', 60_000);
  input.stop();
  await running;
  await input.close();
});

test('an object marked queued whose work item was lost (publisher died in between) is queued again after nats_requeue_after', { timeout: 120_000 }, async (t) => {
  const env = await servers(t);
  if (!env) return;
  const { s3, nats } = env;
  t.after(async () => {
    await nats.stop();
    await s3.stop();
  });
  await putObjects(s3, 1, 3);
  const key = 'in/obj-0000.log';
  const etag = (await s3.client.send(new HeadObjectCommand({ Bucket: 'scale', Key: key }))).ETag!.replace(/"/g, '');
  // What a lister leaves behind when it dies after marking the object queued and before publishing its work item.
  const nc = await connect({ servers: nats.url });
  try {
    const kv = await new Kvm(nc).create(`${defaultStreamName('test', 's3_1', 'scale', '')}_STATE`, { history: 1 });
    await kv.put(stateKey({ bucket: 'scale', key, etag }), JSON.stringify({ state: 'queued', at: Date.now() }));
  } finally {
    await nc.close();
  }
  const sink = new FakeSink(true);
  const input = await createPlugin<S3Input>('input', 's3', { ...s3.settings, bucket: 'scale', nats_servers: [nats.url], interval: 0.3, nats_requeue_after: 2 }, { side: 'main', pluginId: 's3_1' });
  const running = input.run(sink);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(sink.lines().length, 0, 'while the queued mark is fresh, another publisher may still be at work');
  await waitFor(() => sink.lines().length === 3, 'the object, once its mark is stale', 60_000);
  input.stop();
  await running;
  await input.close();
});
