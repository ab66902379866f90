import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync, openSync, writeSync, closeSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlugin } from '../helpers.js';
import type { FileInput } from '../../src/inputs/file.js';
import { identityKey, parseSinceDb } from '../../src/inputs/file/sincedb.js';
import { FakeSink, waitFor } from './fake_sink.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-file-input-'));
}

interface Running {
  input: FileInput;
  sink: FakeSink;
  done: Promise<void>;
  finished: boolean;
}

async function start(dir: string, settings: Record<string, unknown>, sink = new FakeSink()): Promise<Running> {
  const input = await createPlugin<FileInput>(
    'input',
    'file',
    { stat_interval: 0.01, discover_interval: 1, sincedb_path: join(dir, 'sincedb'), ...settings },
    { dataDir: join(dir, 'data'), side: 'main', pluginId: 'file_1' },
  );
  const r: Running = { input, sink, done: Promise.resolve(), finished: false };
  r.done = input.run(sink).then(() => {
    r.finished = true;
  });
  return r;
}

async function stop(r: Running): Promise<void> {
  r.input.stop();
  await r.done;
  await r.input.close();
}

function keyOf(path: string): string {
  const st = statSync(path, { bigint: true });
  return identityKey(st.dev, st.ino);
}

const texts = (sink: FakeSink) => sink.lines().map((l) => l.text);

test('tail mode: the checkpoint advances only over the prefix of acknowledged batches', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, 'l1\nl2\n');
  const key = keyOf(log);
  const r = await start(dir, { path: [log], start_position: 'beginning' });
  await waitFor(() => r.sink.pushed.length === 1, 'first batch');
  appendFileSync(log, 'l3\n');
  await waitFor(() => r.sink.pushed.length === 2, 'second batch');
  appendFileSync(log, 'l4\nl5\n');
  await waitFor(() => r.sink.pushed.length === 3, 'third batch');
  assert.deepEqual(texts(r.sink), ['l1', 'l2', 'l3', 'l4', 'l5']);

  const offset = () => r.input.sincedb.get(key)?.offset;
  r.sink.pushed[2]!.ack();
  assert.equal(offset(), 0, 'batch 3 acked alone: nothing before it is delivered');
  r.sink.pushed[0]!.ack();
  assert.equal(offset(), 6, 'batch 1 acked: checkpoint after l2');
  r.sink.pushed[1]!.ack();
  assert.equal(offset(), 15, 'batches 1-3 acked: checkpoint at the end of l5');
  await stop(r);
  const saved = parseSinceDb(readFileSync(join(dir, 'sincedb'), 'utf8'));
  assert.equal(saved.get(key)?.offset, 15);
  assert.equal(saved.get(key)?.generation, 0);
});

test('restart resumes at the checkpoint: unacked lines come again with the same ids, acked ones never', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, 'a\nb\n');
  const first = await start(dir, { path: [log], start_position: 'beginning' });
  await waitFor(() => first.sink.pushed.length === 1, 'batch 1');
  appendFileSync(log, 'c\nd\n');
  await waitFor(() => first.sink.pushed.length === 2, 'batch 2');
  appendFileSync(log, 'e\n');
  await waitFor(() => first.sink.pushed.length === 3, 'batch 3');
  const firstLines = first.sink.lines();
  first.sink.pushed[0]!.ack();
  first.sink.pushed[2]!.ack(); // batch 2 stays unacknowledged
  await stop(first);

  const second = await start(dir, { path: [log], start_position: 'beginning' });
  await waitFor(() => second.sink.lines().length === 3, 'the unacknowledged lines again');
  const again = second.sink.lines();
  assert.deepEqual(again.map((l) => l.text), ['c', 'd', 'e']);
  assert.deepEqual(again.map((l) => l.id), firstLines.slice(2).map((l) => l.id), 'same ids as in the first run');
  second.sink.ackAll();
  await stop(second);

  appendFileSync(log, 'f\n');
  const third = await start(dir, { path: [log], start_position: 'beginning' });
  await waitFor(() => third.sink.lines().length >= 1, 'the new line');
  third.sink.ackAll();
  await stop(third);
  assert.deepEqual(texts(third.sink), ['f'], 'nothing acknowledged is read again');
});

test('tail mode start_position end skips existing content but reads what is appended', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, 'old 1\nold 2\n');
  const r = await start(dir, { path: [log] });
  // Once the file is watched (its start position recorded), append.
  await waitFor(() => r.input.sincedb.get(keyOf(log)) !== undefined, 'file watched');
  appendFileSync(log, 'new 1\n');
  await waitFor(() => r.sink.lines().length === 1, 'appended line');
  await stop(r);
  assert.deepEqual(texts(r.sink), ['new 1']);
  assert.equal(r.sink.lines()[0]!.id.endsWith(':12'), true, 'id carries the byte offset of the line');
});

test('rotation by rename: the old file is finished from its last offset and the new one read from its start', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, 'a1\na2\n');
  const r = await start(dir, { path: [log], start_position: 'beginning' }, new FakeSink(true));
  await waitFor(() => r.sink.lines().length === 2, 'first lines');
  appendFileSync(log, 'a3\n');
  renameSync(log, log + '.1');
  writeFileSync(log, 'b1\nb2\n');
  await waitFor(() => r.sink.lines().length >= 5, 'rest of the old file and the new file');
  await stop(r);
  const lines = r.sink.lines();
  assert.deepEqual(lines.map((l) => l.text).sort(), ['a1', 'a2', 'a3', 'b1', 'b2']);
  const prefix = (id: string) => id.slice(0, id.lastIndexOf(':'));
  const byText = new Map(lines.map((l) => [l.text, l]));
  assert.equal(prefix(byText.get('a3')!.id), prefix(byText.get('a1')!.id), 'a3 comes from the old inode');
  assert.notEqual(prefix(byText.get('b1')!.id), prefix(byText.get('a1')!.id), 'b1 comes from the new inode');
  assert.ok(byText.get('b1')!.id.endsWith(':0'), 'the new file is read from its start');
});

test('rotation by rename within the watched pattern: the renamed file is not read again', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, 'a1\na2\n');
  const r = await start(dir, { path: [join(dir, 'app.log*')], start_position: 'beginning' }, new FakeSink(true));
  await waitFor(() => r.sink.lines().length === 2, 'first lines');
  renameSync(log, log + '.1');
  appendFileSync(log + '.1', 'a3\n');
  writeFileSync(log, 'b1\n');
  await waitFor(() => r.sink.lines().length >= 4, 'a3 and b1');
  // Let discovery run many more rounds, in which it could (wrongly) pick the renamed file up again.
  const seen = r.sink.lines().length;
  await new Promise((res) => setTimeout(res, 100));
  await stop(r);
  assert.equal(r.sink.lines().length, seen);
  assert.deepEqual(texts(r.sink).sort(), ['a1', 'a2', 'a3', 'b1']);
});

test('rotation by copy-truncate: the generation is bumped and the file read again from 0', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, 'first long line\nsecond long line\n');
  const r = await start(dir, { path: [log], start_position: 'beginning' }, new FakeSink(true));
  await waitFor(() => r.sink.lines().length === 2, 'first lines');
  const key = keyOf(log);
  copyFileSync(log, log + '.1');
  truncateSync(log, 0);
  appendFileSync(log, 'y1\n');
  await waitFor(() => r.sink.lines().length === 3, 'line after truncation');
  await stop(r);
  const last = r.sink.lines()[2]!;
  assert.equal(last.text, 'y1');
  assert.match(last.id, /^file:\d+:\d+:1:0$/, 'generation 1, offset 0');
  const saved = parseSinceDb(readFileSync(join(dir, 'sincedb'), 'utf8')).get(key);
  assert.deepEqual([saved?.generation, saved?.offset], [1, 3]);
});

test('read mode: reads every file to its end (partial last line included), acts on completion, then finishes', async () => {
  const dir = tempDir();
  const done = join(dir, 'completed.log');
  const a = join(dir, 'a.log');
  const b = join(dir, 'b.log');
  writeFileSync(a, 'a1\na2\n');
  writeFileSync(b, 'b1\nb2 without newline');
  const r = await start(dir, { path: [join(dir, '*.log')], exclude: ['completed*'], mode: 'read', file_completed_action: 'log_and_delete', file_completed_log_path: done, file_sort_by: 'path' });
  await waitFor(() => r.sink.lines().length === 4, 'all lines');
  assert.equal(r.finished, false, 'run waits for acknowledgements');
  assert.ok(existsSync(a) && existsSync(b), 'files are kept until delivered');
  r.sink.ackAll();
  await r.done;
  await r.input.close();
  assert.deepEqual(texts(r.sink), ['a1', 'a2', 'b1', 'b2 without newline']);
  assert.equal(existsSync(a) || existsSync(b), false, 'completed files deleted');
  assert.deepEqual(readFileSync(done, 'utf8').trim().split('\n').sort(), [a, b]);
});

test('read mode with file_completed_action log keeps the file and never reads it twice', async () => {
  const dir = tempDir();
  const a = join(dir, 'a.log');
  const done = join(dir, 'done.txt');
  writeFileSync(a, 'x\ny\n');
  const settings = { path: [a], mode: 'read', file_completed_action: 'log', file_completed_log_path: done };
  const first = await start(dir, settings, new FakeSink(true));
  await first.done;
  await first.input.close();
  assert.deepEqual(texts(first.sink), ['x', 'y']);
  assert.ok(existsSync(a));
  const second = await start(dir, settings, new FakeSink(true));
  await second.done;
  await second.input.close();
  assert.deepEqual(texts(second.sink), [], 'already read: nothing again');
  assert.equal(readFileSync(done, 'utf8'), a + '\n');
});

test('tail mode waits for the end of a partial last line', async () => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, 'complete\npart');
  const r = await start(dir, { path: [log], start_position: 'beginning' }, new FakeSink(true));
  await waitFor(() => r.sink.lines().length === 1, 'complete line');
  appendFileSync(log, 'ial\n');
  await waitFor(() => r.sink.lines().length === 2, 'completed partial line');
  await stop(r);
  assert.deepEqual(texts(r.sink), ['complete', 'partial']);
});

test('invalid UTF-8 bytes reach the pipeline unchanged', async () => {
  const dir = tempDir();
  const log = join(dir, 'bin.log');
  const raw = Buffer.from([0x61, 0xff, 0xfe, 0x80, 0x62, 0x0a, 0xc3, 0x28, 0x0a]);
  writeFileSync(log, raw);
  const r = await start(dir, { path: [log], mode: 'read', file_completed_action: 'log', file_completed_log_path: join(dir, 'done') }, new FakeSink(true));
  await r.done;
  await r.input.close();
  const lines = r.sink.lines();
  assert.deepEqual(lines[0]!.bytes, raw.subarray(0, 5));
  assert.deepEqual(lines[1]!.bytes, raw.subarray(6, 8));
});

test('max_line_bytes: a 10 MiB line is cut and the rest skipped without buffering it', async () => {
  const dir = tempDir();
  const log = join(dir, 'big.log');
  const fd = openSync(log, 'w');
  writeSync(fd, 'before\n');
  const chunk = Buffer.alloc(1024 * 1024, 0x78);
  for (let i = 0; i < 10; i++) writeSync(fd, chunk);
  writeSync(fd, '\nafter\n');
  closeSync(fd);
  const size = statSync(log).size;
  const max = 64 * 1024;
  let peak = 0;
  const baseline = process.memoryUsage().arrayBuffers;
  const sink = new FakeSink(true);
  const push = sink.push.bind(sink);
  sink.push = async (batch, ack) => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
    return push(batch, ack);
  };
  const r = await start(dir, { path: [log], mode: 'read', max_line_bytes: max, file_completed_action: 'log', file_completed_log_path: join(dir, 'done') }, sink);
  await r.done;
  await r.input.close();
  const lines = sink.lines();
  assert.deepEqual(lines.map((l) => l.text.length), [6, max, 5]);
  assert.deepEqual(lines.map((l) => l.truncated), [false, true, false]);
  assert.ok(lines[1]!.id.endsWith(':7'), 'the cut line keeps the offset of its start');
  const pushedBytes = sink.pushed.reduce((n, p) => n + (p.batch.kind === 'bytes' ? p.batch.data.byteLength : 0), 0);
  assert.ok(pushedBytes < 2 * max, `pushed ${pushedBytes} bytes`);
  assert.ok(peak < 8 * 1024 * 1024, `memory grew by ${peak} bytes`);
  const saved = parseSinceDb(readFileSync(join(dir, 'sincedb'), 'utf8'));
  assert.equal([...saved.values()][0]?.offset, size, 'checkpoint past the skipped rest of the line');
});

test('ecs_compatibility v1 sets [log][file][path] and [host][name]; disabled sets path and host', async () => {
  const dir = tempDir();
  const log = join(dir, 'e.log');
  writeFileSync(log, 'x\n');
  const common = { path: [log], mode: 'read', file_completed_action: 'log', file_completed_log_path: join(dir, 'done'), sincedb_path: '/dev/null' };
  const v1 = await start(dir, { ...common, ecs_compatibility: 'v1' }, new FakeSink(true));
  await v1.done;
  const legacy = await start(dir, { ...common, ecs_compatibility: 'disabled' }, new FakeSink(true));
  await legacy.done;
  const f1 = v1.sink.lines()[0]!.fields!;
  const f0 = legacy.sink.lines()[0]!.fields!;
  assert.equal(f1['[log][file][path]'], log);
  assert.equal(typeof f1['[host][name]'], 'string');
  assert.equal(f1.path, undefined);
  assert.equal(f0.path, log);
  assert.equal(typeof f0.host, 'string');
  assert.equal(existsSync(join(dir, 'sincedb')), false, 'sincedb_path /dev/null writes nothing');
});

test('a delimiter other than newline frames lines itself (messages batches with byte-offset ids)', async () => {
  const dir = tempDir();
  const log = join(dir, 'd.log');
  writeFileSync(log, 'one|two|three');
  const r = await start(dir, { path: [log], mode: 'read', delimiter: '|', file_completed_action: 'log', file_completed_log_path: join(dir, 'done') }, new FakeSink(true));
  await r.done;
  await r.input.close();
  const lines = r.sink.lines();
  assert.deepEqual(lines.map((l) => l.text), ['one', 'two', 'three']);
  assert.deepEqual(lines.map((l) => l.id.split(':').pop()), ['0', '4', '8']);
});

test('an unknown option or a missing path is rejected by validation', async () => {
  await assert.rejects(createPlugin('input', 'file', {}), /missing required option 'path'/);
  await assert.rejects(createPlugin('input', 'file', { path: ['/x'], start_postion: 'end' }), /did you mean 'start_position'/);
});

test('read mode marks each file\'s last batch final (an empty one when the file ends inside a skipped line), so joiners can flush', async () => {
  const dir = tempDir();
  const a = join(dir, 'a.log');
  const b = join(dir, 'b.log');
  writeFileSync(a, 'a1\na2\n');
  writeFileSync(b, 'ok\n' + 'x'.repeat(100));
  const r = await start(dir, { path: [a, b], mode: 'read', max_line_bytes: 10, file_sort_by: 'path', file_completed_action: 'log', file_completed_log_path: join(dir, 'done') }, new FakeSink(true));
  await r.done;
  await r.input.close();
  const batches = r.sink.pushed.map((p) => p.batch as Extract<typeof p.batch, { kind: 'bytes' }>);
  assert.deepEqual(
    batches.map((x) => [x.idPrefix === batches[0]!.idPrefix ? 'a' : 'b', x.data.byteLength, x.final ?? false]),
    [
      ['a', 6, true],
      ['b', 13, false],
      ['b', 0, true],
    ],
  );
  assert.deepEqual(texts(r.sink), ['a1', 'a2', 'ok', 'xxxxxxxxxx']);
});

test('tail mode never marks a batch of a live file final', async () => {
  const dir = tempDir();
  const log = join(dir, 'live.log');
  writeFileSync(log, 'x\n');
  const r = await start(dir, { path: [log], start_position: 'beginning' }, new FakeSink(true));
  await waitFor(() => r.sink.lines().length === 1, 'line');
  await stop(r);
  assert.equal(r.sink.pushed.some((p) => p.batch.kind === 'bytes' && p.batch.final), false);
});

test('read mode finishes even when a discovered file disappears before it is read (no completed action for it)', async () => {
  const dir = tempDir();
  const a = join(dir, 'a.log');
  const b = join(dir, 'b.log');
  writeFileSync(a, 'a1\n');
  writeFileSync(b, 'b1\n');
  const done = join(dir, 'done');
  const sink = new FakeSink(true);
  const push = sink.push.bind(sink);
  // a.log is read first (by path); delete b.log while a.log's batch is being pushed.
  sink.push = async (batch, ack) => {
    if (existsSync(b)) unlinkSync(b);
    return push(batch, ack);
  };
  const r = await start(dir, { path: [join(dir, '*.log')], mode: 'read', file_sort_by: 'path', file_completed_action: 'log', file_completed_log_path: done }, sink);
  await r.done;
  await r.input.close();
  assert.deepEqual(texts(sink), ['a1']);
  assert.equal(readFileSync(done, 'utf8'), a + '\n');
});
