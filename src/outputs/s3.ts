// The s3 output: the data lake, on S3-compatible storage or a local directory (the same code path, see
// src/lake/storage.ts), in one of two layouts partitioned by type and hour (src/lake/layout.ts):
//   format => raw      the original lines (`[event][original]`, else `message`), gzip: replay and audit;
//   format => parquet  the processed events, Parquet with zstd, one stable widening schema per type.
//
// Design: one object per delivered batch and partition (split further when it exceeds size_file), named from
// the ids of its first and last event, so a redelivered batch overwrites the same object and no file is ever
// appended to. Encoding (grouping, gzip, Parquet) happens on the worker threads; the main thread only uploads.
// Because each batch is written when it is delivered, nothing waits for rotation: time_file is an upper bound
// that is always met. Many small objects are the price; a later compaction can merge an hour's objects.

import { gzipSync } from 'node:zlib';
import { defineOutput, type Output } from '../core/plugin.js';
import type { Event } from '../core/event.js';
import { compileSprintf } from '../core/sprintf.js';
import { parseFieldRef, getPath, type FieldPath } from '../core/fieldref.js';
import { stringifyEvent } from '../core/serialize.js';
import { TextBytes } from '../core/text_bytes.js';
import { openStore, type ObjectStore } from '../lake/storage.js';
import { batchHash, objectName, partitionOf, partitionPrefix, sanitizeType, schemaKey, type LakeFormat } from '../lake/layout.js';
import { flatten, inferSchema, mergeSchema, writeParquet, type LakeSchema } from '../lake/parquet.js';
import { S3_CONNECTION_OPTIONS } from '../inputs/s3/options.js';

interface S3OutputConfig {
  path?: string;
  bucket?: string;
  prefix: string;
  region?: string;
  endpoint?: string;
  access_key_id?: string;
  secret_access_key?: string;
  session_token?: string;
  force_path_style: boolean;
  format: LakeFormat;
  type: string;
  raw_field: string;
  encoding: 'none' | 'gzip';
  size_file: number;
  time_file: number;
  upload_multipart_threshold: number;
  upload_part_size: number;
}

/**
 * What a worker hands to the main thread: the schema each type's Parquet files use, and finished objects.
 * Tuples in an array, so the runtime transfers the objects' bytes to the main thread instead of copying them.
 */
type S3Payload = Array<['schema', string, LakeSchema] | ['object', string, Uint8Array]>;

const DEFAULT_TYPE = '%{[@metadata][type]}';

export default defineOutput<S3OutputConfig>({
  name: 's3',
  description:
    'Writes a data lake to S3-compatible storage or a local directory: the raw lines (gzip) or the processed events (Parquet, zstd), partitioned as type=<type>/date=<YYYY-MM-DD>/hour=<HH>/. A redelivered batch overwrites its object; no partial object is ever visible.',
  notes:
    'Objects are named from the ids of their first and last events, so a retried or redelivered batch rewrites the same object. ' +
    'Each delivered batch is written at once (split into several objects when larger than `size_file`), so `time_file` never has to force a rotation. ' +
    'Parquet files of a type share a schema stored in the lake (`_schema/type=<type>.json`) that only widens: new fields become nullable columns, a type conflict turns the column into text. ' +
    'Query the lake with `sluice query`, replay the raw archive with `sluice replay`.',
  options: {
    path: { type: 'string', description: 'Local lake directory (or a `file://` URL) instead of a bucket.', example: 'path => "/var/lib/sluice/lake"' },
    bucket: { type: 'string', description: 'S3 bucket (or `s3://bucket/prefix`). Either `bucket` or `path` is required.' },
    prefix: { type: 'string', default: '', description: 'Key prefix (folder) of the lake inside the bucket or directory.' },
    region: { type: 'string', description: 'AWS region (default: AWS_REGION, else us-east-1).' },
    endpoint: S3_CONNECTION_OPTIONS.endpoint,
    access_key_id: S3_CONNECTION_OPTIONS.access_key_id,
    secret_access_key: S3_CONNECTION_OPTIONS.secret_access_key,
    session_token: S3_CONNECTION_OPTIONS.session_token,
    force_path_style: { type: 'boolean', default: false, description: 'Address the bucket as `endpoint/bucket/key` (needed by most S3-compatible servers).' },
    format: { type: 'string', default: 'raw', enum: ['raw', 'parquet'], description: '`raw`: the original lines, for replay and audit; `parquet`: the processed events, for queries.' },
    type: {
      type: 'string',
      default: DEFAULT_TYPE,
      description: 'Partition type (sprintf). When it does not resolve, the pipeline id is used.',
      example: 'type => "firewall"',
    },
    raw_field: { type: 'string', default: '[event][original]', description: 'Field holding the original line for `format => raw`; `message` is used when it is absent.' },
    encoding: { type: 'string', default: 'gzip', enum: ['none', 'gzip'], description: 'Compression of raw objects (Parquet is always zstd inside).' },
    size_file: { type: 'bytes', default: 5242880, description: 'Largest object, in uncompressed bytes: a batch whose partition holds more is split into several objects.' },
    time_file: { type: 'number', default: 15, description: 'Minutes an event may wait before it is uploaded. Sluice uploads every batch when it is delivered, so this bound always holds.' },
    upload_multipart_threshold: { type: 'bytes', default: 15728640, description: 'Objects larger than this are uploaded in parts (multipart upload; invisible until complete).' },
    upload_part_size: { type: 'bytes', default: 5242880, description: 'Size of each part of a multipart upload (at least 5 MiB); one part at a time is held in flight.' },
  },
  async create(config, ctx) {
    const lakeUrl = config.path ?? (config.bucket ? (config.bucket.startsWith('s3://') ? config.bucket : `s3://${config.bucket}`) : undefined);
    if (!lakeUrl) throw new Error('output s3: set `bucket` (S3) or `path` (a local directory)');
    if (config.path && config.bucket) throw new Error('output s3: set either `bucket` or `path`, not both');
    const prefix = config.prefix ? config.prefix.replace(/^\/+/, '').replace(/\/*$/, '/') : '';
    const format = config.format;
    const gzip = config.encoding === 'gzip';
    const typeTemplate = compileSprintf(config.type);
    const fallbackType = sanitizeType(ctx.pipelineId);
    const rawPath: FieldPath = parseFieldRef(config.raw_field);
    const messagePath: FieldPath = parseFieldRef('message');
    const sizeLimit = Math.max(1, config.size_file);

    const typeOf = (e: Event): string => {
      const t = typeTemplate(e);
      return t === '' || t.includes('%{') ? fallbackType : sanitizeType(t);
    };
    const idOf = (e: Event, i: number): string => {
      const id = (e.data['@metadata'] as Record<string, unknown> | undefined)?._id;
      return id === undefined || id === null ? `#${i}` : String(id);
    };

    // ---- worker side: group, split, encode ---------------------------------------------------------
    /** The schema this worker writes per type: what the lake held at start, widened by what it saw since. */
    const workerSchemas = new Map<string, LakeSchema>();
    let store: ObjectStore | undefined;
    const openLake = () =>
      (store ??= openStore(lakeUrl, {
        region: config.region,
        endpoint: config.endpoint,
        accessKeyId: config.access_key_id,
        secretAccessKey: config.secret_access_key,
        sessionToken: config.session_token,
        forcePathStyle: config.force_path_style,
        multipartThreshold: config.upload_multipart_threshold,
        partSize: config.upload_part_size,
      }));

    const rawLine = (e: Event): string => {
      let v = getPath(e.data, rawPath);
      if (v === undefined || v === null) v = getPath(e.data, messagePath);
      // Nothing is lost silently: an event without its original line is archived as its JSON.
      if (v === undefined || v === null) return stringifyEvent(e.data);
      return typeof v === 'string' ? v : JSON.stringify(v);
    };

    const encodeRaw = (group: Array<[Event, number]>, part: string, out: S3Payload) => {
      let chunk: string[] = [];
      let bytes = 0;
      let first = 0;
      const flush = (last: number) => {
        if (!chunk.length) return;
        const text = new TextBytes();
        for (const line of chunk) text.push(line + '\n');
        const plain = text.toBuffer();
        const data = gzip ? gzipSync(plain) : plain;
        const hash = batchHash(idOf(group[first]![0], group[first]![1]), idOf(group[last]![0], group[last]![1]), chunk.length);
        out.push(['object', prefix + part + objectName('raw', hash, gzip), own(data)]);
        chunk = [];
        bytes = 0;
      };
      for (let i = 0; i < group.length; i++) {
        const line = rawLine(group[i]![0]).replace(/\r?\n/g, ' ');
        const len = Buffer.byteLength(line) + 1;
        if (chunk.length && bytes + len > sizeLimit) {
          flush(i - 1);
          first = i;
        }
        chunk.push(line);
        bytes += len;
      }
      flush(group.length - 1);
    };

    const encodeParquet = (type: string, group: Array<[Event, number]>, part: string, out: S3Payload) => {
      const rows = group.map(([e]) => flatten(e, new Map()));
      const schema = inferSchema(rows, workerSchemas.get(type) ?? {});
      workerSchemas.set(type, schema);
      out.push(['schema', type, schema]);
      // Split by an estimate of the uncompressed size (JSON length), so each object stays under size_file.
      let start = 0;
      let bytes = 0;
      const flush = (end: number) => {
        if (end <= start) return;
        const slice = rows.slice(start, end);
        const hash = batchHash(idOf(group[start]![0], group[start]![1]), idOf(group[end - 1]![0], group[end - 1]![1]), end - start);
        out.push(['object', prefix + part + objectName('parquet', hash, false), own(writeParquet(slice, schema))]);
        start = end;
        bytes = 0;
      };
      for (let i = 0; i < group.length; i++) {
        const len = sizeLimit < Infinity ? stringifyEvent(group[i]![0].data).length + 1 : 0;
        if (i > start && bytes + len > sizeLimit) flush(i);
        bytes += len;
      }
      flush(group.length);
    };

    // ---- main side: schema bookkeeping and uploads ------------------------------------------------
    const lakeSchemas = new Map<string, LakeSchema>();
    const storedSchema = async (s: ObjectStore, type: string): Promise<LakeSchema> => {
      try {
        const doc = JSON.parse(Buffer.from(await s.get(prefix + schemaKey(type))).toString('utf8')) as { columns?: LakeSchema };
        return doc.columns ?? {};
      } catch {
        return {};
      }
    };

    if (ctx.side === 'worker' && format === 'parquet') {
      // Start from the lake's schemas so files written after a restart keep the columns and types of earlier ones.
      const s = openLake();
      try {
        for await (const o of s.list(prefix + '_schema/')) {
          const m = /type=([^/]+)\.json$/.exec(o.key);
          if (m) workerSchemas.set(m[1]!, await storedSchema(s, m[1]!));
        }
      } catch (e) {
        ctx.logger.warn('output s3: could not read the lake\'s schemas; inferring from events', { error: (e as Error).message });
      }
      await s.close();
      store = undefined;
    }

    const output: Output = {
      encode(events: Event[]): S3Payload {
        const groups = new Map<string, { type: string; part: string; events: Array<[Event, number]> }>();
        for (let i = 0; i < events.length; i++) {
          const e = events[i]!;
          const type = typeOf(e);
          const part = partitionPrefix(partitionOf(type, e.timestamp));
          let g = groups.get(part);
          if (!g) groups.set(part, (g = { type, part, events: [] }));
          g.events.push([e, i]);
        }
        const out: S3Payload = [];
        for (const g of groups.values()) {
          if (format === 'raw') encodeRaw(g.events, g.part, out);
          else encodeParquet(g.type, g.events, g.part, out);
        }
        return out;
      },

      async deliver(payload: unknown): Promise<void> {
        const p = payload as S3Payload;
        const s = openLake();
        // The schema is stored before the files that use it, so a reader never meets an unknown column.
        for (const entry of p) {
          if (entry[0] !== 'schema') continue;
          const [, type, schema] = entry;
          let known = lakeSchemas.get(type);
          if (known === undefined) known = await storedSchema(s, type);
          const { schema: merged, changed } = mergeSchema(known, schema);
          if (changed) {
            // Re-read first: another writer may have widened it meanwhile.
            const latest = mergeSchema(await storedSchema(s, type), merged).schema;
            await s.put(prefix + schemaKey(type), Buffer.from(JSON.stringify({ type, columns: latest }, null, 1) + '\n'));
            lakeSchemas.set(type, latest);
          } else lakeSchemas.set(type, known);
        }
        for (const entry of p) if (entry[0] === 'object') await s.put(entry[1], entry[2]);
      },

      async close(): Promise<void> {
        await store?.close();
        store = undefined;
      },
    };
    return output;
  },
});

/** A Uint8Array owning its whole ArrayBuffer, so the worker can transfer it instead of copying. */
function own(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
}
