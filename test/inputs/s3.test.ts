import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { PassThrough, type Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { createPlugin } from '../helpers.js';
import { readObject } from '../../src/inputs/s3/object_reader.js';
import type { InputSink, RawBatch } from '../../src/core/plugin.js';
import type { S3Input } from '../../src/inputs/s3/input.js';
import { FakeSink, waitFor } from './fake_sink.js';
import { startS3rver, type S3Server } from './support/s3rver.js';

async function put(s3: S3Server, bucket: string, key: string, body: string | Uint8Array): Promise<string> {
  const r = await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return r.ETag!.replace(/"/g, '');
}

async function keys(s3: S3Server, bucket: string): Promise<string[]> {
  const r = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (r.Contents ?? []).map((o) => o.Key!).sort();
}

async function text(s3: S3Server, bucket: string, key: string): Promise<string> {
  const r = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray()).toString('utf8');
}

async function startInput(s3: S3Server, settings: Record<string, unknown>, sink: FakeSink) {
  const input = await createPlugin<S3Input>('input', 's3', { ...s3.settings, interval: 0.1, ...settings }, { side: 'main', pluginId: 's3_1' });
  let finished = false;
  const done = input.run(sink).then(() => {
    finished = true;
  });
  return {
    input,
    done,
    get finished() {
      return finished;
    },
    async stop() {
      input.stop();
      await done;
      await input.close();
    },
  };
}

test('s3 input reads plain and gzip objects (by name and by magic bytes); ids are key + byte offset', async (t) => {
  const s3 = await startS3rver(['logs']);
  t.after(() => s3.stop());
  const plain = 'first line\nsecond line\nno newline at the end';
  const zipped = 'zipped one\nzipped two\n';
  const etagPlain = await put(s3, 'logs', 'app/plain.log', plain);
  const etagByName = await put(s3, 'logs', 'app/by-name.log.gz', gzipSync(zipped));
  const etagByMagic = await put(s3, 'logs', 'app/by-magic.log', gzipSync('magic one\nmagic two\n'));
  await put(s3, 'logs', 'app/ignored.tmp', 'must not be read\n');
  await put(s3, 'logs', 'other/outside-prefix.log', 'must not be read\n');

  const sink = new FakeSink(true);
  const r = await startInput(s3, { bucket: 'logs', prefix: 'app/', exclude_pattern: '\\.tmp$', watch_for_new_files: false }, sink);
  await r.done;
  assert.ok(r.finished, 'read-once mode ends by itself');
  await r.input.close();

  const lines = sink.lines();
  const byText = new Map(lines.map((l) => [l.text, l]));
  assert.deepEqual([...byText.keys()].sort(), ['first line', 'magic one', 'magic two', 'no newline at the end', 'second line', 'zipped one', 'zipped two']);
  assert.equal(byText.get('first line')!.id, `s3:logs/app/plain.log:${etagPlain}:0`);
  assert.equal(byText.get('second line')!.id, `s3:logs/app/plain.log:${etagPlain}:11`);
  assert.equal(byText.get('no newline at the end')!.id, `s3:logs/app/plain.log:${etagPlain}:23`);
  // Offsets count bytes of the decompressed object.
  assert.equal(byText.get('zipped two')!.id, `s3:logs/app/by-name.log.gz:${etagByName}:11`);
  assert.equal(byText.get('magic two')!.id, `s3:logs/app/by-magic.log:${etagByMagic}:10`);
  assert.deepEqual(byText.get('magic one')!.fields, { '[@metadata][s3][bucket]': 'logs', '[@metadata][s3][key]': 'app/by-magic.log', '[@metadata][s3][etag]': etagByMagic });
  // The last batch of every object is marked final (a multiline codec flushes there).
  const finals = sink.pushed.filter((p) => p.batch.kind === 'bytes' && p.batch.final).length;
  assert.equal(finals, 3);
});

test('s3 input: a long object arrives in several batches with exact offsets; a damaged gzip object does not stop the input', async (t) => {
  const s3 = await startS3rver(['logs']);
  t.after(() => s3.stop());
  const lines = Array.from({ length: 60000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
  const body = lines.join('\n') + '\n';
  const etag = await put(s3, 'logs', 'big.log', body);
  const good = gzipSync('ok before damage\n');
  const damaged = Buffer.concat([good, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff])]);
  await put(s3, 'logs', 'damaged.gz', damaged);
  const sink = new FakeSink(true);
  const r = await startInput(s3, { bucket: 'logs', watch_for_new_files: false }, sink);
  await r.done;
  await r.input.close();
  const got = sink.lines().filter((l) => l.id.includes('big.log'));
  assert.ok(sink.pushed.filter((p) => p.batch.kind === 'bytes' && (p.batch as { idPrefix: string }).idPrefix.includes('big.log')).length > 1, 'streamed in several batches');
  assert.equal(got.length, lines.length);
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    assert.equal(got[i]!.text, lines[i]);
    assert.equal(got[i]!.id, `s3:logs/big.log:${etag}:${offset}`);
    offset += Buffer.byteLength(lines[i]!) + 1;
  }
  // The damaged object is reported (an error in the log), not fatal: the input finished and read the rest.
  assert.ok(r.finished);
});

test('s3 input with delete => true: objects read whole are deleted, a damaged gzip object is kept', async (t) => {
  const s3 = await startS3rver(['logs']);
  t.after(() => s3.stop());
  await put(s3, 'logs', 'whole.log', 'one\ntwo\n');
  await put(s3, 'logs', 'damaged.gz', Buffer.concat([gzipSync('ok before damage\n'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff])]));
  const sink = new FakeSink(true);
  const r = await startInput(s3, { bucket: 'logs', watch_for_new_files: false, delete: true }, sink);
  await r.done;
  await r.input.close();
  const texts = sink.lines().map((l) => l.text);
  assert.deepEqual(texts.filter((l) => l !== 'ok before damage').sort(), ['one', 'two']);
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'logs' }));
  assert.deepEqual((listed.Contents ?? []).map((o) => o.Key), ['damaged.gz'], 'the whole object is deleted, the damaged one kept');
});

test('s3 input picks up an object that appears during the run at the next listing', async (t) => {
  const s3 = await startS3rver(['logs']);
  t.after(() => s3.stop());
  await put(s3, 'logs', 'one.log', 'one\n');
  const sink = new FakeSink(true);
  const r = await startInput(s3, { bucket: 'logs', interval: 0.2, include_object_properties: true }, sink);
  await waitFor(() => sink.lines().length === 1, 'first object');
  const etag = await put(s3, 'logs', 'two.log', 'two\n');
  await waitFor(() => sink.lines().length === 2, 'object added during the run');
  assert.equal(sink.lines()[1]!.id, `s3:logs/two.log:${etag}:0`);
  const fields = sink.lines()[1]!.fields!;
  assert.equal(fields['[@metadata][s3][content_length]'], 4);
  assert.match(String(fields['[@metadata][s3][last_modified]']), /^\d{4}-\d\d-\d\dT/);
  // Listed again and again, but read once.
  await new Promise((res) => setTimeout(res, 600));
  assert.deepEqual(sink.lines().map((l) => l.text), ['one', 'two']);
  assert.ok(!r.finished);
  await r.stop();
});

test('s3 input: backup_to_bucket and delete happen only after every event of the object was acknowledged', async (t) => {
  const s3 = await startS3rver(['logs', 'archive']);
  t.after(() => s3.stop());
  await put(s3, 'logs', 'in/a.log', 'a1\na2\n');
  await put(s3, 'logs', 'in/b.log.gz', gzipSync('b1\n'));
  const sink = new FakeSink(false);
  const r = await startInput(s3, { bucket: 'logs', backup_to_bucket: 'archive', backup_add_prefix: 'done/', delete: true, watch_for_new_files: false }, sink);
  await waitFor(() => sink.lines().length === 3, 'all lines pushed');
  await new Promise((res) => setTimeout(res, 300));
  assert.deepEqual(await keys(s3, 'logs'), ['in/a.log', 'in/b.log.gz'], 'nothing deleted before the acks');
  assert.deepEqual(await keys(s3, 'archive'), []);
  sink.ackAll();
  await r.done;
  assert.deepEqual(await keys(s3, 'logs'), [], 'deleted after delivery');
  assert.deepEqual(await keys(s3, 'archive'), ['done/in/a.log', 'done/in/b.log.gz']);
  assert.equal(await text(s3, 'archive', 'done/in/a.log'), 'a1\na2\n');
  await r.input.close();
});

test('s3 input: backup into the bucket being read, without delete, never reads the backups', async (t) => {
  const s3 = await startS3rver(['logs']);
  t.after(() => s3.stop());
  await put(s3, 'logs', 'x.log', 'x\n');
  const sink = new FakeSink(true);
  const r = await startInput(s3, { bucket: 'logs', backup_to_bucket: 'logs', backup_add_prefix: 'processed/', interval: 0.1 }, sink);
  await waitFor(async () => (await keys(s3, 'logs')).includes('processed/x.log'), 'backup copy');
  await new Promise((res) => setTimeout(res, 500));
  assert.deepEqual(sink.lines().map((l) => l.text), ['x']);
  await s3.client.send(new HeadObjectCommand({ Bucket: 'logs', Key: 'x.log' }));
  await r.stop();
});

test('s3 input: bad settings are clear errors', async () => {
  await assert.rejects(createPlugin('input', 's3', { bucket: 'b', exclude_pattern: '(' }), /exclude_pattern is not a valid regular expression/);
  await assert.rejects(createPlugin('input', 's3', { bucket: 'b', access_key_id: 'only-half' }), /access_key_id and secret_access_key/);
  await assert.rejects(createPlugin('input', 's3', {}), /missing required option 'bucket'/);
});

test('s3 input: a blocked pipeline pauses the object stream (bounded memory), and reading resumes when it frees up', async (t) => {
  const s3 = await startS3rver(['logs']);
  t.after(() => s3.stop());
  const line = 'x'.repeat(99) + '\n';
  const count = 400_000;
  const size = count * line.length; // 40 MB
  const etag = await put(s3, 'logs', 'huge.log', Buffer.from(line.repeat(count)));
  // The real client, with the object's body counted as the reader pulls it.
  let pulled = 0;
  const client = {
    send: async (cmd: Parameters<S3Client['send']>[0]) => {
      const res = (await s3.client.send(cmd as never)) as { Body?: Readable };
      const counter = new PassThrough();
      counter.on('data', (b: Buffer) => (pulled += b.length));
      res.Body = res.Body!.pipe(counter);
      return res;
    },
  } as unknown as S3Client;
  let release!: () => void;
  const blocked = new Promise<void>((r) => (release = r));
  const batches: RawBatch[] = [];
  const acks: Array<() => void> = [];
  const sink: InputSink = {
    stopping: false,
    push: async (batch, ack) => {
      batches.push(batch);
      if (ack) acks.push(ack);
      if (batches.length === 1) await blocked; // the pipeline is full
    },
  };
  const reading = readObject(client, { bucket: 'logs', key: 'huge.log', etag }, sink, {
    maxLineBytes: 1024 * 1024,
    chunkBytes: 1024 * 1024,
    gzipPattern: /\.gz$/,
    cancelled: () => false,
  });
  while (batches.length === 0) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(pulled < 8 * 1024 * 1024, `while the pipeline is blocked only a few MiB of the 40 MB object are pulled (${pulled})`);
  release();
  const outcome = await reading;
  assert.equal(outcome.status, 'read');
  assert.equal(pulled, size);
  const lines = batches.reduce((n, b) => n + (b.kind === 'bytes' ? b.data.length : 0), 0) / line.length;
  assert.equal(lines, count);
  let delivered = false;
  if (outcome.status === 'read') void outcome.delivered.then(() => (delivered = true));
  acks.slice(0, -1).forEach((a) => a());
  await new Promise((r) => setImmediate(r));
  assert.ok(!delivered, 'not delivered while a batch is unacknowledged');
  acks[acks.length - 1]!();
  if (outcome.status === 'read') await outcome.delivered;
});
