// Loaded on first use by s3.ts, so processes without an S3 dead-letter queue never load the AWS SDK.
// Dead-letter target on S3 or an S3-compatible store: `s3://bucket/prefix?endpoint=…&region=…&force_path_style=true`.
// Credentials come from the AWS environment (AWS_ACCESS_KEY_ID…, instance or task roles), never from the URL.
// Each write is one NDJSON object with a deterministic name (src/outputs/support/s3-dlq.ts); removing replayed
// entries rewrites an object without them, or deletes it when none is left.

import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../logger.js';
import { createS3Client } from '../../inputs/s3/client.js';
import { S3DeadLetterWriter, type DeadLetterEntry as StoredEntry } from '../../outputs/support/s3-dlq.js';
import type { DeadLetterEntry, DeadLetterTarget, StoredDeadLetter } from './target.js';
import { s3Sdk } from '../libs.js';

export class S3DeadLetterStore implements DeadLetterTarget {
  readonly description: string;
  private readonly client: S3Client;
  private readonly writer: S3DeadLetterWriter;
  /** What list() handed out: ref → object key and line index. */
  private readonly refs = new Map<number, { key: string; index: number }>();
  private nextRef = 1;

  constructor(url: URL, _logger: Logger) {
    const bucket = url.hostname;
    if (!bucket) throw new Error(`dead_letter_queue.target ${url.href}: the bucket is missing (s3://bucket/prefix)`);
    if (url.username || url.password) throw new Error('dead_letter_queue.target: put S3 credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), not in the URL');
    const q = url.searchParams;
    const forcePathStyle = q.get('force_path_style');
    this.client = createS3Client({
      region: q.get('region') ?? process.env.AWS_REGION ?? 'us-east-1',
      endpoint: q.get('endpoint') ?? undefined,
      force_path_style: forcePathStyle === null ? undefined : forcePathStyle === 'true',
    });
    const prefix = decodeURIComponent(url.pathname.replace(/^\//, ''));
    this.writer = new S3DeadLetterWriter({ bucket, prefix: prefix || 'dlq/', client: this.client });
    this.description = `s3://${bucket}/${this.writer.prefix}`;
  }

  async write(entries: DeadLetterEntry[]): Promise<void> {
    await this.writer.write(entries.map((e): StoredEntry => ({ event: e.event ?? '', error: e.error, pipeline: e.pipeline, plugin: e.plugin, time: e.time, ...(e.raw !== undefined ? { raw: e.raw } : {}) })));
  }

  async *list(): AsyncIterable<StoredDeadLetter> {
    for (const key of await this.writer.list()) {
      const entries = await this.writer.read(key);
      for (const [index, e] of entries.entries()) {
        const ref = this.nextRef++;
        this.refs.set(ref, { key, index });
        const entry: DeadLetterEntry = { pipeline: e.pipeline, plugin: e.plugin, time: e.time, error: e.error };
        if (e.event) entry.event = e.event;
        if (e.raw !== undefined) entry.raw = e.raw;
        yield { ref, entry };
      }
    }
  }

  async remove(refs: number[]): Promise<void> {
    const byKey = new Map<string, Set<number>>();
    for (const r of refs) {
      const at = this.refs.get(r);
      if (!at) continue;
      let set = byKey.get(at.key);
      if (!set) byKey.set(at.key, (set = new Set()));
      set.add(at.index);
    }
    for (const [key, gone] of byKey) {
      const left = (await this.writer.read(key)).filter((_, i) => !gone.has(i));
      if (left.length === 0) await this.client.send(new (s3Sdk().DeleteObjectCommand)({ Bucket: this.writer.bucket, Key: key }));
      else {
        const body = left.map((e) => JSON.stringify(e)).join('\n') + '\n';
        await this.client.send(new (s3Sdk().PutObjectCommand)({ Bucket: this.writer.bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }));
      }
    }
    for (const r of refs) this.refs.delete(r);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
