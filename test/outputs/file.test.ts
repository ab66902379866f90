import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createPlugin } from '../helpers.js';
import type { Output } from '../../src/core/plugin.js';
import { Event } from '../../src/core/event.js';
import type { FileOutputPayload } from '../../src/outputs/file.js';

const ts = '2024-03-04T05:06:07.000Z';
const ev = (type: string, message: string) => new Event({ '@timestamp': ts, type, message, '@metadata': { m: 1 } });

async function fileOutput(settings: Record<string, unknown>): Promise<Output> {
  return createPlugin<Output>('output', 'file', settings, { side: 'main' });
}

function jsonLines(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

test('file output: sprintf paths group a batch into one text per file; ".." from a field goes to the failure file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-file-output-'));
  const out = await fileOutput({ path: join(dir, 'logs', '%{type}', '%{+yyyy-MM-dd}.log') });
  const payload = out.encode([ev('web', 'w1'), ev('db', 'd1'), ev('web', 'w2'), ev('../../../etc', 'evil')]) as FileOutputPayload;
  assert.deepEqual(
    payload.map(([p]) => p),
    [join(dir, 'logs', 'web', '2024-03-04.log'), join(dir, 'logs', 'db', '2024-03-04.log'), join(dir, 'logs', '_filepath_failures')],
  );
  const cloned = structuredClone(payload).map(([p, d]) => [p, typeof d === 'string' ? d : Buffer.from(d)]);
  assert.deepEqual(cloned, payload, 'the payload crosses threads as is (byte arrays arrive as Uint8Array)');
  await out.deliver(payload);
  await out.deliver(out.encode([ev('web', 'w3')]));
  await out.close?.();
  assert.deepEqual(jsonLines(join(dir, 'logs', 'web', '2024-03-04.log')).map((e) => e.message), ['w1', 'w2', 'w3']);
  assert.deepEqual(jsonLines(join(dir, 'logs', 'db', '2024-03-04.log')), [{ '@timestamp': ts, type: 'db', message: 'd1' }], 'json_lines without @metadata');
  assert.deepEqual(jsonLines(join(dir, 'logs', '_filepath_failures')).map((e) => e.message), ['evil']);
  assert.equal(existsSync(join(dir, 'etc')), false);
});

test('file output: a dynamic first path segment is refused', async () => {
  await assert.rejects(fileOutput({ path: '/%{type}/x.log' }), /starting part of the path should not be dynamic/);
});

test('file output: line codec, gzip members appended per delivery, file_mode', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-file-output-'));
  const path = join(dir, 'out.log.gz');
  const out = await fileOutput({ path, gzip: true, file_mode: 640, codec: { name: 'line', settings: { format: '%{type}:%{message}' } } });
  await out.deliver(out.encode([ev('a', '1'), ev('a', '2')]));
  await out.deliver(out.encode([ev('b', '3')]));
  await out.close?.();
  assert.equal(gunzipSync(readFileSync(path)).toString(), 'a:1\na:2\nb:3\n');
  assert.equal(statSync(path).mode & 0o777, 0o640);
});

test('file output: write_behavior overwrite keeps only the most recent event', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-file-output-'));
  const path = join(dir, 'last.json');
  const out = await fileOutput({ path, write_behavior: 'overwrite', codec: 'json' });
  await out.deliver(out.encode([ev('a', 'first'), ev('a', 'second')]));
  await out.deliver(out.encode([ev('a', 'third')]));
  await out.close?.();
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).message, 'third');
});

test('file output: a deleted file is recreated, unless create_if_deleted is false (then the failure file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-file-output-'));
  const path = join(dir, 'a.log');
  const out = await fileOutput({ path });
  await out.deliver(out.encode([ev('x', 'one')]));
  unlinkSync(path);
  await out.deliver(out.encode([ev('x', 'two')]));
  await out.close?.();
  assert.deepEqual(jsonLines(path).map((e) => e.message), ['two']);

  const strict = await fileOutput({ path: join(dir, 'b.log'), create_if_deleted: false });
  await strict.deliver(strict.encode([ev('x', 'three')]));
  await strict.close?.();
  assert.equal(existsSync(join(dir, 'b.log')), false);
  assert.deepEqual(jsonLines(join(dir, '_filepath_failures')).map((e) => e.message), ['three']);
});
