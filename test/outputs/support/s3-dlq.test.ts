import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { S3DeadLetterWriter, type DeadLetterEntry } from '../../../src/outputs/support/s3-dlq.js';
import { startS3rver } from '../../inputs/support/s3rver.js';

const entries: DeadLetterEntry[] = [
  { event: '{"message":"a","@metadata":{"_id":"x:0"}}', error: 'mapper_parsing_exception', pipeline: 'fw', plugin: 'elasticsearch_1', time: '2026-03-04T05:06:07.890Z' },
  { event: 'raw line b', error: 'max_deliver reached', pipeline: 'fw', plugin: 'jetstream_1', time: '2026-03-04T05:06:08.000Z' },
  { event: '{"message":"c"}', error: 'rejected', pipeline: 'other pipe', plugin: 'file_1', time: '2026-03-05T00:00:00.000Z' },
];

test('S3 dead-letter writer: NDJSON objects per pipeline under the prefix, deterministic names, read back intact', async (t) => {
  const s3 = await startS3rver(['dead']);
  const dlq = new S3DeadLetterWriter({ ...s3.settings, bucket: 'dead', prefix: 'dlq' });
  t.after(async () => {
    dlq.close();
    await s3.stop();
  });
  await dlq.write(entries);
  const keys = await dlq.list();
  assert.equal(keys.length, 2);
  assert.match(keys[0]!, /^dlq\/fw\/2026\/03\/04\/20260304T050607890Z-[0-9a-f]{32}\.ndjson$/);
  assert.match(keys[1]!, /^dlq\/other_pipe\/2026\/03\/05\//);
  assert.deepEqual(await dlq.read(keys[0]!), entries.slice(0, 2));
  assert.deepEqual(await dlq.read(keys[1]!), entries.slice(2));
  assert.deepEqual(await dlq.list('fw'), [keys[0]]);

  // A retried write (same entries) lands on the same objects: no copies.
  await dlq.write(entries);
  const all = await s3.client.send(new ListObjectsV2Command({ Bucket: 'dead' }));
  assert.equal(all.Contents?.length, 2);
  // Different entries: another object.
  await dlq.write([{ ...entries[0]!, error: 'another error' }]);
  assert.equal((await dlq.list('fw')).length, 2);
});
