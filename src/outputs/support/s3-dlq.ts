// Dead-letter queue target on S3 (or any S3-compatible store): each write becomes one NDJSON object under a prefix,
// one entry per line (the original event or raw line, the error, pipeline, plugin and time). Nothing touches local
// disk.
//
// Object names are deterministic: `<prefix><pipeline>/<yyyy>/<MM>/<dd>/<time of first entry>-<digest of content>.ndjson`
// (UTC), so a write retried after a failure or a crash overwrites the same object instead of adding a copy.

import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../inputs/s3/client.js';
import type { S3ConnectionSettings } from '../../inputs/s3/options.js';
import { cryptoLib, s3Sdk } from '../../core/libs.js';

export interface DeadLetterEntry {
  /** The original event as JSON (`@metadata` included, so a replay keeps its id), or the raw line. */
  event: string;
  error: string;
  pipeline: string;
  plugin: string;
  /** ISO 8601. */
  time: string;
  /** Base64 of data that could not be turned into an event (then `event` is empty). */
  raw?: string;
}

export interface DeadLetterWriter {
  write(entries: DeadLetterEntry[]): Promise<void>;
}

export interface S3DeadLetterSettings extends Partial<S3ConnectionSettings> {
  bucket: string;
  /** Key prefix, e.g. `dlq/`; a trailing `/` is added when missing. */
  prefix?: string;
  /** An existing client (its settings win over the connection settings). */
  client?: S3Client;
}

/** Path segment from a pipeline id: S3 accepts anything, but listings and shells are happier with this. */
function segment(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_') || '_';
}

export class S3DeadLetterWriter implements DeadLetterWriter {
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly ownsClient: boolean;

  constructor(settings: S3DeadLetterSettings) {
    if (!settings.bucket) throw new Error('S3 dead-letter queue: bucket is required');
    this.bucket = settings.bucket;
    const p = settings.prefix ?? 'dlq/';
    this.prefix = p === '' || p.endsWith('/') ? p : `${p}/`;
    this.ownsClient = !settings.client;
    this.client = settings.client ?? createS3Client({ region: 'us-east-1', ...settings });
  }

  /** The key an array of entries of one pipeline is written under. */
  keyFor(entries: DeadLetterEntry[], body: string): string {
    const first = new Date(entries[0]!.time);
    const when = Number.isNaN(first.getTime()) ? new Date(0) : first;
    const iso = when.toISOString(); // 2026-11-28T16:07:19.123Z
    const day = `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
    const stamp = iso.replace(/[-:]/g, '').replace('.', '');
    const digest = cryptoLib().createHash('sha256').update(body).digest('hex').slice(0, 32);
    return `${this.prefix}${segment(entries[0]!.pipeline)}/${day}/${stamp}-${digest}.ndjson`;
  }

  /** One object per pipeline present in `entries`; resolves once every object is stored (throws otherwise: retry). */
  async write(entries: DeadLetterEntry[]): Promise<void> {
    const byPipeline = new Map<string, DeadLetterEntry[]>();
    for (const e of entries) {
      let list = byPipeline.get(e.pipeline);
      if (!list) byPipeline.set(e.pipeline, (list = []));
      list.push(e);
    }
    for (const list of byPipeline.values()) {
      const body = list.map((e) => JSON.stringify({ event: e.event, error: e.error, pipeline: e.pipeline, plugin: e.plugin, time: e.time, ...(e.raw !== undefined ? { raw: e.raw } : {}) })).join('\n') + '\n';
      await this.client.send(new (s3Sdk().PutObjectCommand)({ Bucket: this.bucket, Key: this.keyFor(list, body), Body: body, ContentType: 'application/x-ndjson' }));
    }
  }

  /** Keys of dead-letter objects, oldest first (names sort by time), optionally of one pipeline. */
  async list(pipeline?: string): Promise<string[]> {
    const prefix = pipeline === undefined ? this.prefix : `${this.prefix}${segment(pipeline)}/`;
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new (s3Sdk().ListObjectsV2Command)({ Bucket: this.bucket, Prefix: prefix || undefined, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key?.endsWith('.ndjson')) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  /** The entries of one dead-letter object (for `sluice dlq replay`). */
  async read(key: string): Promise<DeadLetterEntry[]> {
    const res = await this.client.send(new (s3Sdk().GetObjectCommand)({ Bucket: this.bucket, Key: key }));
    const text = await res.Body!.transformToString('utf8');
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as DeadLetterEntry);
  }

  close(): void {
    if (this.ownsClient) this.client.destroy();
  }
}
