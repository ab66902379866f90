// The S3 dead-letter target (s3://bucket/prefix) against a real S3-compatible server (s3rver): entries are
// written as NDJSON objects, listed back with everything they carried, and removed after a replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { openDeadLetterTarget, checkDeadLetterTarget } from '../../../src/core/dlq/index.js';
import { createLogger } from '../../../src/core/logger.js';
import { startS3rver } from '../../inputs/support/s3rver.js';

test('s3:// dead-letter target: write, list (event, raw, error, pipeline, plugin, time), remove some then all', async (t) => {
  const s3 = await startS3rver(['dead']);
  t.after(() => s3.stop());
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = s3.settings.access_key_id;
  process.env.AWS_SECRET_ACCESS_KEY = s3.settings.secret_access_key;
  t.after(() => {
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  });
  const url = `s3://dead/queues/fw?endpoint=${encodeURIComponent(s3.endpoint)}&force_path_style=true`;
  assert.equal(checkDeadLetterTarget(url), undefined);
  const target = openDeadLetterTarget(url, createLogger('test'));
  t.after(() => target.close());
  const time = '2026-11-28T10:00:00.000Z';
  await target.write([
    { pipeline: 'fw', plugin: 'es_1', time, error: 'mapper_parsing_exception: failed to parse [source.port]', event: '{"message":"a","@metadata":{"_id":"file:1:2:0:0"}}' },
    { pipeline: 'fw', plugin: 'jetstream_1', time, error: 'max_deliver exceeded', raw: Buffer.from('not json').toString('base64') },
  ]);
  // A retried write of the same entries lands on the same object.
  await target.write([
    { pipeline: 'fw', plugin: 'es_1', time, error: 'mapper_parsing_exception: failed to parse [source.port]', event: '{"message":"a","@metadata":{"_id":"file:1:2:0:0"}}' },
    { pipeline: 'fw', plugin: 'jetstream_1', time, error: 'max_deliver exceeded', raw: Buffer.from('not json').toString('base64') },
  ]);
  const objects = await s3.client.send(new ListObjectsV2Command({ Bucket: 'dead', Prefix: 'queues/fw/' }));
  assert.equal(objects.Contents?.length, 1);
  const listed = [];
  for await (const e of target.list()) listed.push(e);
  assert.equal(listed.length, 2);
  assert.equal(listed[0]!.entry.event, '{"message":"a","@metadata":{"_id":"file:1:2:0:0"}}');
  assert.match(listed[0]!.entry.error, /mapper_parsing_exception/);
  assert.equal(Buffer.from(listed[1]!.entry.raw!, 'base64').toString(), 'not json');
  assert.deepEqual([listed[1]!.entry.pipeline, listed[1]!.entry.plugin, listed[1]!.entry.time], ['fw', 'jetstream_1', time]);
  await target.remove([listed[0]!.ref]);
  const left = [];
  for await (const e of target.list()) left.push(e.entry.plugin);
  assert.deepEqual(left, ['jetstream_1']);
  for await (const e of target.list()) await target.remove([e.ref]);
  const after = await s3.client.send(new ListObjectsV2Command({ Bucket: 'dead', Prefix: 'queues/fw/' }));
  assert.equal(after.Contents?.length ?? 0, 0, 'an object with no entry left is deleted');
});

test('s3:// dead-letter URLs: a bucket is required, credentials in the URL are refused', () => {
  assert.throws(() => openDeadLetterTarget('s3://key:secret@bucket/x', createLogger('test')), /credentials in the environment/);
});
