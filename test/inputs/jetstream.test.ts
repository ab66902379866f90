// Scale-out through a real nats-server: a front pipeline (generator → jetstream) and worker pipelines
// (jetstream → file) running as separate `sluice run` processes sharing one durable consumer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readdirSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireNats, startNats, type NatsCluster } from '../support/nats.js';
import { startSluice, readLines, waitFor, type SluiceProcess } from '../support/sluice.js';
import { repoRoot } from '../helpers.js';

function frontConfig(servers: string[], count: number, extra = ''): string {
  return `input { generator { lines => ["a", "b", "c", "d"] count => ${count} } }
output { jetstream { servers => ${JSON.stringify(servers)} stream => "LOGS" subject => "logs.%{[@metadata][kind]}" ${extra} } }
filter { mutate { add_field => { "[@metadata][kind]" => "gen" } } }`;
}

function workerConfig(servers: string[], out: string, extra = ''): string {
  return `input { jetstream { servers => ${JSON.stringify(servers)} stream => "LOGS" subject => "logs.>" consumer => "workers" ${extra.includes('ack_wait') ? '' : 'ack_wait => 5'} ${extra} } }
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

/** Lines written twice for one id must be the same event written again (the idempotent write), never another. */
function assertRewritesIdentical(lines: string[]): void {
  const byId = new Map<string, string>();
  for (const l of lines) {
    const id = (JSON.parse(l) as { eid: string }).eid;
    const prev = byId.get(id);
    if (prev !== undefined) assert.equal(l, prev, `a duplicate of ${id} differs from its first write`);
    byId.set(id, l);
  }
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

function sluiceJson(args: string[]): Promise<string> {
  const p = startSluice(args);
  return p.exited.then((code) => {
    if (code !== 0) throw new Error(`sluice ${args.join(' ')} exited ${code}: ${p.stderr()}`);
    return p.stdout();
  });
}

// The proof of the issue: 4 worker processes on one stream, 1 million events published by a front process
// (file → jetstream), one worker killed with SIGKILL mid-run. Every line is written, each `[@metadata][_id]` once
// after the idempotent write (a duplicate is only an identical rewrite of the same id), the dead-letter queue
// stays empty.
const PROOF_EVENTS = 1_000_000;
const PROOF_LINE_BYTES = 14; // "event 0000000\n": the file input's id ends in the line's byte offset

function proofWorkerConfig(servers: string[], out: string): string {
  return `input { jetstream { servers => ${JSON.stringify(servers)} stream => "LOGS" subject => "logs.>" consumer => "workers" ack_wait => 5 } }
filter { mutate { add_field => { "eid" => "%{[@metadata][_id]}" } } }
output { file { path => "${out}" } }`;
}

test('4 workers, 1 million events, kill -9 of one worker mid-run: every event, each id once after dedup, empty dead-letter queue', async (t) => {
  if (!requireNats(t)) return;
  const s = await setup();
  t.after(() => teardown(s));
  const input = join(s.dir, 'events.log');
  const lines: string[] = [];
  for (let n = 0; n < PROOF_EVENTS; n++) lines.push(`event ${String(n).padStart(7, '0')}\n`);
  writeFileSync(input, lines.join(''));
  lines.length = 0;
  const dlq = `${s.nats.servers[0]}/sluice.dlq.proof`;
  const outs = [0, 1, 2, 3].map((i) => join(s.dir, `out${i}.log`));
  const workers = outs.map((o) => run(s, proofWorkerConfig(s.nats.servers, o), ['--dead_letter_queue.target', dlq]));
  const front = run(
    s,
    `input { file { path => "${input}" mode => "read" exit_after_read => true file_completed_action => "log" file_completed_log_path => "${join(s.dir, 'completed.log')}" sincedb_path => "${join(s.dir, 'sincedb')}" } }
output { jetstream { servers => ${JSON.stringify(s.nats.servers)} stream => "LOGS" subject => "logs.file" } }`,
    ['--pipeline.batch.size', '1000'],
  );
  // Kill a worker once it is well into its share (it holds unacknowledged batches at that moment).
  await waitFor(() => lineCount(outs[0]!) >= 20_000, () => `worker 0 wrote ${lineCount(outs[0]!)} lines: ${workers[0]!.stderr().slice(-2000)} ${front.stderr().slice(-2000)}`, 240_000);
  assert.equal(front.child.exitCode, null, 'the front finished before the kill: not mid-run');
  await workers[0]!.kill();
  assert.equal(await front.exited, 0, front.stderr());
  // The killed worker's file may end in a line cut by the kill: only whole lines count (a cut event is
  // redelivered to another worker, so the completeness check below still covers it).
  const readLines = (...files: string[]) => files.flatMap((f) => wholeLines(f));
  const distinct = () => {
    const seen = new Set<string>();
    for (const l of readLines(...outs)) seen.add(l);
    return seen.size;
  };
  await waitFor(() => outs.reduce((n, o) => n + lineCount(o), 0) >= PROOF_EVENTS && distinct() >= PROOF_EVENTS, () => `${distinct()} of ${PROOF_EVENTS} distinct lines; ${workers.map((w) => w.stderr().slice(-1000)).join('\n')}`, 240_000);
  for (const w of workers.slice(1)) assert.equal(await w.stop(), 0, w.stderr());

  // Idempotent dedup by id: a second write of an id must be byte-identical to the first.
  const byId = new Map<string, string>();
  const lineNumbers = new Set<number>();
  let duplicates = 0;
  for (const l of readLines(...outs)) {
    const e = JSON.parse(l) as { eid: string; message: string };
    const prev = byId.get(e.eid);
    if (prev !== undefined) {
      duplicates++;
      assert.equal(l, prev, 'a duplicate differs from the first write of its id');
      continue;
    }
    byId.set(e.eid, l);
    const m = /^event (\d{7})$/.exec(e.message);
    assert.ok(m, `unexpected message ${e.message}`);
    const n = Number(m[1]);
    assert.ok(!lineNumbers.has(n), `line ${n} written under two different ids`);
    lineNumbers.add(n);
    // The id is the file input's: file:<dev>:<ino>:<generation>:<byte offset of the line>.
    assert.ok(e.eid.startsWith('file:') && e.eid.endsWith(`:${n * PROOF_LINE_BYTES}`), `id ${e.eid} of line ${n}`);
  }
  assert.equal(byId.size, PROOF_EVENTS, 'ids after dedup');
  assert.equal(lineNumbers.size, PROOF_EVENTS, 'lines after dedup');
  t.diagnostic(`duplicates rewritten after the kill: ${duplicates}`);
  // The work was shared by the survivors as well.
  assert.ok(outs.slice(1).every((o) => lineCount(o) > 0), 'a surviving worker got no work');
  const dead = (await sluiceJson(['dlq', 'list', '--target', dlq, '--json'])).split('\n').filter(Boolean);
  assert.deepEqual(dead, [], 'the dead-letter queue is empty');
});

function wholeLines(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
}

function lineCount(file: string): number {
  if (!existsSync(file)) return 0;
  const buf = readFileSync(file);
  let n = 0;
  for (let p = buf.indexOf(10); p >= 0; p = buf.indexOf(10, p + 1)) n++;
  return n;
}

test('nats-server restarted mid-run (single node, file storage): no loss', async (t) => {
  if (!requireNats(t)) return;
  const s = await setup();
  t.after(() => teardown(s));
  const count = 20000;
  const out = join(s.dir, 'out.log');
  const worker = run(s, workerConfig(s.nats.servers, out));
  const front = run(s, frontConfig(s.nats.servers, count));
  await waitFor(() => readLines(out).length > 0, () => `worker wrote nothing: ${worker.stderr()}`);
  const node = s.nats.nodes[0]!;
  await node.kill();
  await new Promise((r) => setTimeout(r, 500));
  await node.start();
  assert.equal(await front.exited, 0, front.stderr());
  const expected = expectedIds(count);
  await waitFor(() => new Set(ids(readLines(out))).size >= expected.length, () => `${new Set(ids(readLines(out))).size} of ${expected.length} ids; ${worker.stderr().slice(-3000)}`);
  assert.equal(await worker.stop(), 0, worker.stderr());
  assert.deepEqual([...new Set(ids(readLines(out)))].sort(), expected);
});

test('3-node cluster, R3 stream: killing the stream leader mid-run loses nothing', async (t) => {
  if (!requireNats(t)) return;
  const s = await setup(3);
  t.after(() => teardown(s));
  const count = 10000;
  const outs = [0, 1].map((i) => join(s.dir, `out${i}.log`));
  const workers = outs.map((o) => run(s, workerConfig(s.nats.servers, o, 'replicas => 3')));
  const front = run(s, frontConfig(s.nats.servers, count, 'replicas => 3'));
  await waitFor(() => readLines(...outs).length > 0, () => `no worker wrote: ${workers.map((w) => w.stderr()).join('\n')}`);
  const leader = await s.nats.streamLeader('LOGS');
  assert.ok(leader, 'the stream has a leader');
  await s.nats.nodes.find((n) => n.name === leader)!.kill();
  assert.equal(await front.exited, 0, front.stderr());
  const expected = expectedIds(count);
  await waitFor(() => new Set(ids(readLines(...outs))).size >= expected.length, () => `${new Set(ids(readLines(...outs))).size} of ${expected.length} ids`, 180_000);
  for (const w of workers) assert.equal(await w.stop(), 0, w.stderr());
  const lines = readLines(...outs);
  // Nothing missing, nothing duplicated: each id once after the idempotent write (a rewrite is identical).
  assert.deepEqual([...new Set(ids(lines))].sort(), expected);
  assertRewritesIdentical(lines);
  // A new leader took over: the stream is served by another node.
  const next = await s.nats.streamLeader('LOGS');
  assert.ok(next && next !== leader, `leader after failover: ${next}`);
});

test('an output that fails: the batch is handed back (nak), redelivered and written once the output recovers', async (t) => {
  if (!requireNats(t)) return;
  const s = await setup();
  t.after(() => teardown(s));
  const count = 50;
  // A regular file where the output's directory should be: every write fails until it is removed.
  const blocker = join(s.dir, 'blocked');
  writeFileSync(blocker, '');
  const out = join(blocker, 'out.log');
  const worker = run(s, workerConfig(s.nats.servers, out, 'nak_delay => 0.2 nak_max_delay => 1 max_deliver => 1000 max_in_flight => 4'));
  const front = run(s, frontConfig(s.nats.servers, count));
  assert.equal(await front.exited, 0, front.stderr());
  const status = async () =>
    JSON.parse(await sluiceJson(['stream', 'status', '--servers', s.nats.servers.join(','), '--stream', 'LOGS', '--consumer', 'workers', '--json'])) as {
      pending: number;
      ack_pending: number;
      redelivered: number;
      messages: number;
    };
  let seen = await status();
  await waitFor(
    async () => (seen = await status()).redelivered > 0,
    () => `no redelivery: ${JSON.stringify(seen)} ${worker.stderr().slice(-2000)}`,
  );
  // The data is still owed: lag (pending + ack pending) covers it.
  assert.ok(seen.pending + seen.ack_pending > 0, JSON.stringify(seen));
  // Memory stays bounded: the worker holds at most max_in_flight (4) messages; the rest stays in the stream.
  assert.ok(seen.pending >= 30, `the blocked worker pulled the stream's data: ${JSON.stringify(seen)}`);
  assert.match(worker.stderr(), /handing it back to its input for redelivery/);
  const text = await sluiceJson(['stream', 'status', '--servers', s.nats.servers.join(','), '--stream', 'LOGS', '--consumer', 'workers']);
  assert.match(text, /^stream LOGS: \d+ messages, \d+ bytes\nconsumer workers: pending \d+, ack pending \d+, redelivered \d+/);
  rmSync(blocker);
  const expected = expectedIds(count);
  await waitFor(() => readLines(out).length >= expected.length, () => `${readLines(out).length} of ${expected.length}`);
  assert.equal(await worker.stop(), 0, worker.stderr());
  assert.deepEqual(ids(readLines(out)).sort(), expected);
  const after = await status();
  assert.equal(after.pending + after.ack_pending, 0, JSON.stringify(after));
});

test('max_deliver exceeded: the batch goes to the dead-letter subject; sluice dlq replay re-injects it', async (t) => {
  if (!requireNats(t)) return;
  const s = await setup();
  t.after(() => teardown(s));
  const count = 30;
  const dlq = `${s.nats.servers[0]}/sluice.dlq.workers`;
  const blocker = join(s.dir, 'blocked');
  writeFileSync(blocker, '');
  const worker = run(s, workerConfig(s.nats.servers, join(blocker, 'out.log'), 'nak_delay => 0.1 max_deliver => 2'), ['--dead_letter_queue.target', dlq]);
  const front = run(s, frontConfig(s.nats.servers, count));
  assert.equal(await front.exited, 0, front.stderr());
  const expected = expectedIds(count);
  let entries: Array<{ event: string; error: string; pipeline: string; plugin: string; time: string }> = [];
  const list = async () =>
    (entries = (await sluiceJson(['dlq', 'list', '--target', dlq, '--json']))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)));
  await waitFor(async () => (await list()).length >= expected.length, () => `${entries.length} dead letters; ${worker.stderr().slice(-2000)}`);
  assert.equal(await worker.stop(), 0, worker.stderr());
  assert.equal(entries.length, expected.length);
  const first = entries[0]!;
  assert.equal(first.pipeline, 'main');
  assert.equal(first.plugin, 'jetstream_1');
  assert.match(first.error, /output failed 2 times/);
  assert.ok(!Number.isNaN(Date.parse(first.time)));
  assert.deepEqual(entries.map((e) => (JSON.parse(e.event) as { '@metadata': { _id: string } })['@metadata']._id).sort(), expected);

  // Replay through a pipeline whose output works: every event arrives with its original id, the queue empties.
  const out = join(s.dir, 'replayed.log');
  const replay = startSluice([
    'dlq',
    'replay',
    '--target',
    dlq,
    '-e',
    `input { stdin {} } filter { mutate { add_field => { "eid" => "%{[@metadata][_id]}" "reason" => "%{[@metadata][dead_letter_queue][reason]}" } } } output { file { path => "${out}" } }`,
    '--pipeline.workers',
    '1',
  ]);
  s.procs.push(replay);
  assert.equal(await replay.exited, 0, replay.stderr());
  const lines = readLines(out);
  assert.deepEqual(ids(lines).sort(), expected);
  assert.match((JSON.parse(lines[0]!) as { reason: string }).reason, /output failed/);
  assert.equal((await list()).length, 0, 'replayed entries are removed from the queue');
});

test('a worker needs no disk: no sincedb, no state, nothing in its working, data or temp directory', async (t) => {
  if (!requireNats(t)) return;
  const s = await setup();
  t.after(() => teardown(s));
  const count = 100;
  const work = join(s.dir, 'work');
  const temp = join(s.dir, 'temp');
  mkdirSync(work);
  mkdirSync(temp);
  const front = run(s, frontConfig(s.nats.servers, count));
  assert.equal(await front.exited, 0, front.stderr());
  // The worker writes to stdout; its cwd, TMPDIR and --path.data are watched for any file it would create.
  const worker = startSluice(
    ['run', '-e', workerConfig(s.nats.servers, '/unused').replace(/output \{ file \{[^}]*\} \}/, 'output { stdout { codec => json_lines } }'), '--pipeline.workers', '1', '--path.data', join(work, 'data')],
    { cwd: work, env: { TMPDIR: temp, TMP: temp, TEMP: temp } },
  );
  s.procs.push(worker);
  await waitFor(() => worker.stdout().split('\n').filter(Boolean).length >= count * 4, () => `${worker.stdout().split('\n').length} lines; ${worker.stderr()}`);
  assert.equal(await worker.stop(), 0, worker.stderr());
  assert.deepEqual(ids(worker.stdout().split('\n').filter(Boolean)).sort(), expectedIds(count));
  assert.deepEqual(readdirSync(work), [], 'the worker created files in its working directory');
  assert.deepEqual(readdirSync(temp), [], 'the worker created temp files');
  assert.ok(!existsSync(join(work, 'data')));
});

test('the scale-out examples run as documented: front over the bundled samples, two workers, every line once', async (t) => {
  if (!requireNats(t)) return;
  const s = await setup();
  t.after(() => teardown(s));
  const env = { NATS_URL: s.nats.servers[0]!, SLUICE_DATA: join(s.dir, 'data'), SLUICE_EXAMPLES_DIR: join(repoRoot, 'examples') };
  const workers = ['w1', 'w2'].map((name) => {
    const p = startSluice(['run', '-f', 'examples/scale-out/worker.conf', '--pipeline.workers', '1'], { env: { ...env, WORKER_NAME: name } });
    s.procs.push(p);
    return p;
  });
  const front = startSluice(['run', '-f', 'examples/scale-out/front.conf', '--pipeline.workers', '1', '--path.data', join(s.dir, 'front-state')], { env });
  s.procs.push(front);
  assert.equal(await front.exited, 0, front.stderr());
  const expected = readLines(...readdirSync(join(repoRoot, 'examples', 'data', 'firewall')).map((f) => join(repoRoot, 'examples', 'data', 'firewall', f))).length;
  const outs = ['w1', 'w2'].map((n) => join(s.dir, 'data', 'scale-out', `events-${n}.jsonl`));
  await waitFor(() => readLines(...outs).length >= expected, () => `${readLines(...outs).length} of ${expected}; ${workers.map((w) => w.stderr()).join('\n')}`);
  for (const w of workers) assert.equal(await w.stop(), 0, w.stderr());
  const eventIds = readLines(...outs).map((l) => (JSON.parse(l) as { event: { id: string } }).event.id);
  assert.equal(new Set(eventIds).size, expected);
  assert.equal(eventIds.length, expected);
  assert.ok(eventIds.every((id) => id.startsWith('file:')), eventIds[0]);
});
