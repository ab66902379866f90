// Output buffers go from a worker to the main thread and back to be filled again: a buffer must never be
// reused while its bytes are still to be written, and only buffers of our own pool may move between threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { Agent } from '../../src/core/agent.js';
import { BytePool, movableBuffers, outputBytes, receivedBuffers } from '../../src/core/byte_pool.js';

test('BytePool: take gives exactly the size asked over a reusable buffer; give takes it back; owns tells ours apart', () => {
  const pool = new BytePool();
  const a = pool.take(100_000);
  assert.equal(a.byteLength, 100_000);
  assert.ok(a.buffer.byteLength >= 100_000);
  assert.ok(pool.owns(a.buffer));
  pool.give(a.buffer as ArrayBuffer);
  const b = pool.take(90_000);
  assert.equal(b.buffer, a.buffer, 'a returned buffer big enough is used again');
  const c = pool.take(90_000);
  assert.notEqual(c.buffer, a.buffer, 'a buffer in use is not handed out twice');
  assert.ok(!pool.owns(Buffer.alloc(10).buffer), "Node's shared pool is never ours");
});

test('movableBuffers moves whole buffers and our pool views, never slices of a shared buffer; receivedBuffers keeps big ones', () => {
  const own = new Uint8Array(1000);
  const view = outputBytes.take(70_000);
  const shared = Buffer.from('small'); // a slice of Node's Buffer pool
  const sub = new Uint8Array(new ArrayBuffer(100)).subarray(10, 20);
  assert.deepEqual(movableBuffers([['a', own], ['b', view], ['c', shared], ['d', sub]]), [own.buffer, view.buffer]);
  assert.deepEqual(receivedBuffers([['a', own], ['b', view]]), [view.buffer], 'small buffers are not worth returning');
});

test('file output over many batches on 2 workers, plain and gzip: every line intact once (buffers reused only after writing)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-pool-'));
  const input = join(dir, 'in.log');
  const lines: string[] = [];
  for (let i = 0; i < 30_000; i++) lines.push(`line ${i} ${String.fromCharCode(97 + (i % 26)).repeat(i % 300)} ü${i}`);
  writeFileSync(input, lines.join('\n') + '\n');
  const plain = join(dir, 'out.jsonl');
  const packed = join(dir, 'out.jsonl.gz');
  const registry = await loadRegistry();
  const config = `input { file { path => "${input}" mode => "read" exit_after_read => true file_completed_action => "log" file_completed_log_path => "${join(dir, 'done.log')}" sincedb_path => "${join(dir, 'sincedb')}" } }
    output { file { path => "${plain}" codec => json_lines } file { path => "${packed}" gzip => true codec => json_lines } }`;
  const agent = new Agent({ configString: config, pathData: join(dir, 'data'), workers: 2, batchSize: 250 }, registry, createLogger('test'));
  await agent.start();
  await agent.whenIdle();
  for (const [file, text] of [
    [plain, readFileSync(plain, 'utf8')],
    [packed, gunzipSync(readFileSync(packed)).toString('utf8')],
  ] as const) {
    const messages = text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { message: string }).message);
    assert.equal(messages.length, lines.length, file);
    assert.deepEqual(messages.sort(), [...lines].sort(), `${file}: every line intact, once`);
  }
  assert.equal(agent.stats()[0]!.out, lines.length);
});
