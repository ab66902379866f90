// The runtime end to end: worker threads, acknowledgement, accounting, backpressure, timeouts, signals.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, openSync, closeSync, constants as fsConstants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { Agent } from '../../src/core/agent.js';
import { repoRoot } from '../helpers.js';
import { readJsonLines } from '../support/sluice.js';

const bin = join(repoRoot, 'bin', 'sluice.js');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-rt-'));
}

async function runConfig(config: string, dir: string, workers = 2, batchSize = 100) {
  const registry = await loadRegistry();
  const agent = new Agent({ configString: config, pathData: join(dir, 'data'), workers, batchSize }, registry, createLogger('test'));
  await agent.start();
  await agent.whenIdle();
  return agent.stats();
}

test('file input over several reads into one reused buffer: every line arrives intact (the pipeline copies a batch before the next read)', async () => {
  const dir = tmp();
  const input = join(dir, 'in.log');
  const out = join(dir, 'out.jsonl');
  // 3.5 MiB of distinct lines: four 1 MiB reads into the same buffer, each cut into 50-line parts (views of it)
  // that the pipeline copies into shared memory before the input's push resolves and the next read begins.
  const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${'abcdefghij'.repeat(8)} ${i * 7919}`);
  writeFileSync(input, lines.join('\n') + '\n');
  const stats = await runConfig(
    `input { file { path => "${input}" mode => "read" exit_after_read => true file_completed_action => "log" file_completed_log_path => "${join(dir, 'done.log')}" sincedb_path => "${join(dir, 'sincedb')}" } }
     output { file { path => "${out}" } }`,
    dir,
    2,
    50,
  );
  const got = readJsonLines(out).map((e) => e.message as string);
  assert.equal(got.length, lines.length);
  assert.deepEqual(got.sort(), [...lines].sort());
  assert.equal(stats[0]!.out, lines.length);
});

test('generator → filters → file output on 2 worker threads: every event once, counts add up', async () => {
  const dir = tmp();
  const out = join(dir, 'out.jsonl');
  const stats = await runConfig(
    `input { generator { lines => ["a=1 b=x", "drop me", "c=3"] count => 1000 } }
     filter {
       if [message] == "drop me" { drop {} }
       mutate { add_field => { "id" => "%{[@metadata][_id]}" } }
     }
     output { file { path => "${out}" } }`,
    dir,
  );
  const events = readJsonLines(out);
  assert.equal(events.length, 2000);
  assert.equal(new Set(events.map((e) => e.id)).size, 2000, 'ids are unique');
  assert.ok(events.every((e) => !('@metadata' in e)), '@metadata is never written');
  const s = stats[0]!;
  assert.equal(s.in, 3000);
  assert.equal(s.dropped, 1000);
  assert.equal(s.out, 2000);
  assert.equal(s.in + s.created, s.out + s.dropped);
  assert.equal(s.outputs[0]!.in, 2000);
});

test('conditionals route events to different outputs; filter decorations apply only on success', async () => {
  const dir = tmp();
  const stats = await runConfig(
    `input { generator { lines => ['{"n": 1}', "not json"] count => 10 } }
     filter { json { source => "message" add_tag => ["parsed"] } }
     output {
       if "_jsonparsefailure" in [tags] { file { path => "${join(dir, 'bad.jsonl')}" } }
       else { file { path => "${join(dir, 'good.jsonl')}" } }
     }`,
    dir,
  );
  const good = readJsonLines(join(dir, 'good.jsonl'));
  const bad = readJsonLines(join(dir, 'bad.jsonl'));
  assert.equal(good.length, 10);
  assert.equal(bad.length, 10);
  assert.ok(good.every((e) => e.n === 1 && e.tags.includes('parsed')));
  assert.ok(bad.every((e) => !e.tags.includes('parsed') && e.tags.includes('_jsonparsefailure')));
  assert.equal(stats[0]!.failed, 10);
});

test('a runaway grok pattern is interrupted after timeout_millis: event tagged _groktimeout, the others go on', async () => {
  const dir = tmp();
  const out = join(dir, 'out.jsonl');
  const evil = 'a'.repeat(40) + '!';
  const stats = await runConfig(
    `input { generator { lines => ["aaa", "${evil}", "aaaa"] count => 3 } }
     filter { grok { match => { "message" => "^(a+)+$" } timeout_millis => 300 } }
     output { file { path => "${out}" } }`,
    dir,
    1,
    2,
  );
  const events = readJsonLines(out);
  assert.equal(events.length, 9);
  const timedOut = events.filter((e) => e.tags?.includes('_groktimeout'));
  assert.equal(timedOut.length, 3);
  assert.ok(timedOut.every((e) => e.message === evil));
  assert.ok(events.filter((e) => e.message !== evil).every((e) => !e.tags), 'the other events matched');
  assert.equal(stats[0]!.out, 9);
});

function lines(n: number, prefix = 'line'): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `${prefix} ${i} ${'x'.repeat(40)}\n`;
  return s;
}

function waitExit(child: ReturnType<typeof spawn>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.on('exit', (code) => r(code)));
}

test('kill -9 mid-run, then restart: every line at least once, exactly once by [@metadata][_id]', async () => {
  const dir = tmp();
  const input = join(dir, 'in.log');
  const N = 300_000;
  writeFileSync(input, lines(N));
  const out = join(dir, 'out.jsonl');
  const config = `input { file { path => "${input}" mode => "read" sincedb_path => "${join(dir, 'sincedb')}" sincedb_write_interval => 0.2 } }
    filter { mutate { add_field => { "event_id" => "%{[@metadata][_id]}" } } }
    output { file { path => "${out}" } }`;
  const first = spawn(process.execPath, [bin, 'run', '-e', config, '--path.data', join(dir, 'data'), '-w', '2', '-b', '500'], { stdio: 'ignore' });
  // Kill once some, but not all, output exists.
  for (let i = 0; i < 1200; i++) {
    await new Promise((r) => setTimeout(r, 25));
    if (existsSync(out) && readFileSync(out).length > 2_000_000) break;
  }
  first.kill('SIGKILL');
  await waitExit(first);
  const partial = readJsonLines(out).length;
  assert.ok(partial > 0 && partial < N, `killed mid-run (had ${partial} of ${N})`);
  const second = spawn(process.execPath, [bin, 'run', '-e', config, '--path.data', join(dir, 'data'), '-w', '2', '-b', '500'], { stdio: 'ignore' });
  assert.equal(await waitExit(second), 0);
  const events = readJsonLines(out);
  const byId = new Map<string, string>();
  for (const e of events) byId.set(e.event_id, e.message);
  assert.equal(byId.size, N, 'every line is there, once per id');
  const messages = new Set(events.map((e) => e.message));
  assert.equal(messages.size, N, 'no line lost');
  assert.ok(events.length >= N);
});

test('SIGTERM drains in-flight batches and saves the checkpoint; a restart reads nothing twice', async () => {
  const dir = tmp();
  const input = join(dir, 'in.log');
  writeFileSync(input, lines(50_000));
  const out = join(dir, 'out.jsonl');
  const config = `input { file { path => "${input}" mode => "tail" start_position => "beginning" sincedb_path => "${join(dir, 'sincedb')}" } }
    output { file { path => "${out}" } }`;
  const run = () => spawn(process.execPath, [bin, 'run', '-e', config, '--path.data', join(dir, 'data'), '-w', '2'], { stdio: 'ignore' });
  const first = run();
  for (let i = 0; i < 1200 && readJsonLines(out).length < 50_000; i++) await new Promise((r) => setTimeout(r, 50));
  first.kill('SIGTERM');
  assert.equal(await waitExit(first), 0);
  assert.equal(readJsonLines(out).length, 50_000);
  // Append more, restart: only the new lines are read.
  writeFileSync(input, lines(10, 'new'), { flag: 'a' });
  const second = run();
  for (let i = 0; i < 1200 && readJsonLines(out).length < 50_010; i++) await new Promise((r) => setTimeout(r, 50));
  second.kill('SIGTERM');
  assert.equal(await waitExit(second), 0);
  const events = readJsonLines(out);
  assert.equal(events.length, 50_010);
  assert.equal(events.filter((e) => String(e.message).startsWith('new')).length, 10);
});

test('a blocked output holds back its own pipeline only, and memory stays bounded', async () => {
  const dir = tmp();
  const fifo = join(dir, 'blocked.fifo');
  execFileSync('mkfifo', [fifo]);
  const yml = join(dir, 'pipelines.yml');
  const free = join(dir, 'free.jsonl');
  writeFileSync(
    yml,
    `- pipeline.id: blocked
  pipeline.workers: 1
  config.string: 'input { generator { message => "${'x'.repeat(200)}" count => 0 } } output { file { path => "${fifo}" } }'
- pipeline.id: free
  pipeline.workers: 1
  config.string: 'input { generator { lines => ["a", "b", "c", "d", "e"] count => 2000 } } output { file { path => "${free}" } }'
`,
  );
  const registry = await loadRegistry();
  const agent = new Agent({ pipelinesYml: yml, pathData: join(dir, 'data'), batchSize: 100 }, registry, createLogger('test'));
  // Nobody reads the FIFO: opening it for writing blocks, so the 'blocked' pipeline's output never completes.
  await agent.start();
  const rss0 = process.memoryUsage().rss;
  try {
    // Generous bound: the machine may be busy; this waits for completion, it does not time anything.
    for (let i = 0; i < 1200 && readJsonLines(free).length < 10000; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(readJsonLines(free).length, 10000, 'the free pipeline finished while the other is blocked');
    const blocked = agent.stats().find((s) => s.id === 'blocked')!;
    assert.ok(blocked.in <= 100 * 6 + 1000, `blocked pipeline stopped reading (in=${blocked.in})`);
    assert.ok(process.memoryUsage().rss - rss0 < 200 * 1024 * 1024, 'memory did not grow unbounded');
  } finally {
    // Unblock: read the FIFO so the pipeline can drain and stop.
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'ignore', 'ignore'] });
    await agent.stop();
    reader.kill();
    // A writer's open() of a FIFO waits in a thread-pool thread for a reader; give any late one a partner
    // so no thread stays blocked and the test process can exit.
    closeSync(openSync(fifo, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK));
  }
});

test('SIGHUP reloads a changed pipeline without losing or repeating a line', async () => {
  const dir = tmp();
  const input = join(dir, 'in.log');
  const out = join(dir, 'out.jsonl');
  writeFileSync(input, lines(1000, 'before'));
  const conf = join(dir, 'p.conf');
  const config = (version: string) => `input { file { path => "${input}" start_position => "beginning" sincedb_path => "${join(dir, 'sincedb')}" stat_interval => 0.1 } }
    filter { mutate { add_field => { "version" => "${version}" } } }
    output { file { path => "${out}" } }`;
  writeFileSync(conf, config('v1'));
  const child = spawn(process.execPath, [bin, 'run', '-f', conf, '--path.data', join(dir, 'data'), '-w', '2'], { stdio: 'ignore' });
  for (let i = 0; i < 1200 && readJsonLines(out).length < 1000; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(readJsonLines(out).length, 1000);
  writeFileSync(conf, config('v2'));
  child.kill('SIGHUP');
  await new Promise((r) => setTimeout(r, 1500));
  writeFileSync(input, lines(500, 'after'), { flag: 'a' });
  for (let i = 0; i < 1200 && readJsonLines(out).length < 1500; i++) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGTERM');
  assert.equal(await waitExit(child), 0);
  const events = readJsonLines(out);
  assert.equal(events.length, 1500, 'no line lost or repeated across the reload');
  assert.ok(events.filter((e) => e.message.startsWith('before')).every((e) => e.version === 'v1'));
  assert.ok(events.filter((e) => e.message.startsWith('after')).every((e) => e.version === 'v2'), 'lines after the reload use the new config');
});

test('pipeline.ecs_compatibility in pipelines.yml sets the default for every plugin of that pipeline only', async () => {
  const dir = tmp();
  const input = join(dir, 'in.log');
  writeFileSync(input, 'hello\n');
  const yml = join(dir, 'pipelines.yml');
  const conf = (name: string) =>
    `input { file { path => "${input}" mode => "read" file_completed_action => "log" file_completed_log_path => "${join(dir, name, 'done.log')}" sincedb_path => "/dev/null" } } output { file { path => "${join(dir, name + '.jsonl')}" } }`;
  writeFileSync(yml, `- pipeline.id: ecs\n  pipeline.ecs_compatibility: v8\n  config.string: '${conf('ecs')}'\n- pipeline.id: legacy\n  config.string: '${conf('legacy')}'\n`);
  const registry = await loadRegistry();
  const agent = new Agent({ pipelinesYml: yml, pathData: join(dir, 'data') }, registry, createLogger('test'));
  await agent.start();
  await agent.whenIdle();
  const [ecs] = readJsonLines(join(dir, 'ecs.jsonl'));
  const [legacy] = readJsonLines(join(dir, 'legacy.jsonl'));
  assert.equal(ecs!.log.file.path, input);
  assert.equal(ecs!.path, undefined);
  assert.equal(legacy!.path, input);
  assert.ok(existsSync(join(dir, 'ecs', 'done.log')), 'the completed-log folder is created');
});

test('an input that fails stops its pipeline cleanly and the run reports the error', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'not-a-dir'), '');
  const r = spawnSync(process.execPath, [bin, 'run', '-e', `input { file { path => "${join(dir, '*.log')}" mode => "read" file_completed_action => "log" file_completed_log_path => "${join(dir, 'not-a-dir', 'done.log')}" } } output { stdout {} }`, '--path.data', join(dir, 'data')], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /error in pipeline main: input file_1/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
});

test('a stop that arrives while a pipeline is still starting stops it once it has started (SIGTERM during start-up)', async () => {
  const dir = tmp();
  const input = join(dir, 'in.log');
  writeFileSync(input, lines(10));
  const registry = await loadRegistry();
  const agent = new Agent(
    { configString: `input { file { path => "${input}" mode => "tail" start_position => "beginning" sincedb_path => "${join(dir, 'sincedb')}" } } output { file { path => "${join(dir, 'out.jsonl')}" } }`, pathData: join(dir, 'data'), workers: 1 },
    registry,
    createLogger('test'),
  );
  const starting = agent.start();
  const stopped = agent.stop(); // before start() resolved: the tail-mode pipeline would otherwise run forever
  await starting;
  await stopped;
  // Safety net only (a hang is the failure): the pipeline must finish by itself after the early stop.
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    agent.whenIdle().then(() => 'finished'),
    new Promise<string>((r) => (timer = setTimeout(() => r('still running'), 30_000))),
  ]);
  clearTimeout(timer);
  if (outcome !== 'finished') await agent.stop(); // let the test process end
  assert.equal(outcome, 'finished');
});
