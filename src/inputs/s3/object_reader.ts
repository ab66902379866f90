// Streams one S3 object into the pipeline: GetObject's body (gunzipped when the key matches the gzip pattern
// or the bytes start with the gzip magic) is cut into whole lines and pushed as byte batches. Nothing is staged
// on disk and at most one read chunk plus one maximum line is held: `for await` only pulls the next chunk once
// `sink.push` made room, so a slow output pauses the HTTP stream.
//
// Event ids are `<idPrefix><byte offset in the (decompressed) object>`, with the prefix naming bucket, key and
// ETag: reading an object again (after a worker died) gives the same ids, so outputs overwrite.

import { createHash } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import type { InputSink, RawBatch } from '../../core/plugin.js';
import { LineCutter, type CutPiece } from '../file/line_cutter.js';
import { s3Sdk } from '../../core/libs.js';

export interface ObjectRef {
  bucket: string;
  key: string;
  /** ETag without its quotes. */
  etag: string;
  size?: number;
  lastModified?: string;
}

export interface ReadOptions {
  maxLineBytes: number;
  /** Bytes gathered from the body before cutting lines and pushing a batch. */
  chunkBytes: number;
  gzipPattern: RegExp;
  /** Polled between chunks: true aborts the read (the pipeline is stopping or the claim was lost). */
  cancelled: () => boolean;
  /** Called after every pushed chunk. */
  progress?: () => void;
  /** Also set `[@metadata][s3][last_modified]` and `[@metadata][s3][content_length]` (Logstash's include_object_properties). */
  objectProperties?: boolean;
}

export type ReadOutcome =
  /** Read to its end; `delivered` resolves once every batch was acknowledged by all outputs. */
  | { status: 'read'; events: number; bytes: number; gzip: boolean; delivered: Promise<void>; corrupt?: string }
  /** The object (this version of it) no longer exists: deleted, or replaced by a new version with another ETag. */
  | { status: 'gone' }
  | { status: 'cancelled' };

const MAX_ID_PREFIX = 300;

export function normalizeEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/"/g, '');
}

/** The object's identity across listings: bucket, key and ETag (a new version has a new ETag). */
export function objectIdentity(ref: ObjectRef): string {
  return `${ref.bucket}/${ref.key}/${ref.etag}`;
}

/** Prefix of the object's event ids; very long keys are hashed so ids stay within what stores accept. */
export function idPrefixOf(ref: ObjectRef): string {
  const readable = `s3:${ref.bucket}/${ref.key}:${ref.etag}:`;
  if (readable.length <= MAX_ID_PREFIX) return readable;
  return `s3:${createHash('sha256').update(objectIdentity(ref)).digest('hex')}:`;
}

export function batchFields(ref: ObjectRef, objectProperties = false): Record<string, unknown> {
  const fields: Record<string, unknown> = { '[@metadata][s3][bucket]': ref.bucket, '[@metadata][s3][key]': ref.key, '[@metadata][s3][etag]': ref.etag };
  if (objectProperties) {
    if (ref.lastModified !== undefined) fields['[@metadata][s3][last_modified]'] = ref.lastModified;
    if (ref.size !== undefined) fields['[@metadata][s3][content_length]'] = ref.size;
  }
  return fields;
}

function isGone(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.name === 'PreconditionFailed' || status === 404 || status === 412;
}

function isCorruption(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'Z_NEED_DICT';
}

/** Counts batches in flight for one object; `delivered` resolves once reading ended and all were acknowledged. */
class DeliveryCounter {
  private pending = 0;
  private ended = false;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((r) => (this.resolveDone = r));

  track(): () => void {
    this.pending++;
    let called = false;
    return () => {
      if (called) return;
      called = true;
      this.pending--;
      this.check();
    };
  }
  end(): void {
    this.ended = true;
    this.check();
  }
  private check(): void {
    if (this.ended && this.pending === 0) this.resolveDone();
  }
}

export async function readObject(client: S3Client, ref: ObjectRef, sink: InputSink, opts: ReadOptions): Promise<ReadOutcome> {
  let body: Readable;
  try {
    // IfMatch: read exactly the version that was listed; a newer one is a different object with its own ids.
    const res = await client.send(new (s3Sdk().GetObjectCommand)({ Bucket: ref.bucket, Key: ref.key, ...(ref.etag ? { IfMatch: `"${ref.etag}"` } : {}) }));
    body = res.Body as Readable;
  } catch (e) {
    if (isGone(e)) return { status: 'gone' };
    throw e;
  }
  const idPrefix = idPrefixOf(ref);
  const fields = batchFields(ref, opts.objectProperties);
  const counter = new DeliveryCounter();
  const cutter = new LineCutter(0, opts.maxLineBytes, '\n');
  let events = 0;
  let bytes = 0;
  let gzip = opts.gzipPattern.test(ref.key);
  let lastBatch: Extract<RawBatch, { kind: 'bytes' }> | undefined;
  let lastAck: (() => void) | undefined;

  // One batch is held back so the object's last one can be marked `final` (a multiline codec flushes after it).
  const emit = async (pieces: CutPiece[]): Promise<void> => {
    for (const piece of pieces) {
      if (piece.kind === 'skip') continue;
      if (lastBatch) await sink.push(lastBatch, lastAck);
      lastBatch = { kind: 'bytes', data: piece.data, idPrefix, baseOffset: piece.baseOffset, fields };
      if (piece.truncated) lastBatch.truncated = piece.truncated;
      lastAck = counter.track();
      events += countLines(piece.data);
    }
  };

  const source = body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  let stream: AsyncIterable<Uint8Array> | undefined;
  let corrupt: string | undefined;
  try {
    // Peek at the first bytes for the gzip magic (1f 8b) when the name did not say so.
    const head: Uint8Array[] = [];
    let headBytes = 0;
    let exhausted = false;
    while (headBytes < 2) {
      const r = await source.next();
      if (r.done) {
        exhausted = true;
        break;
      }
      head.push(r.value);
      headBytes += r.value.length;
    }
    const first = Buffer.concat(head);
    if (!gzip && first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) gzip = true;
    async function* raw(): AsyncGenerator<Uint8Array> {
      if (first.length) yield first;
      if (exhausted) return;
      for (;;) {
        const r = await source.next();
        if (r.done) return;
        yield r.value;
      }
    }
    if (gzip) {
      const gunzip = createGunzip();
      pipeline(Readable.from(raw(), { objectMode: false }), gunzip, () => undefined);
      stream = gunzip;
    } else {
      stream = raw();
    }

    let gathered: Uint8Array[] = [];
    let gatheredBytes = 0;
    const flush = async (): Promise<void> => {
      if (gatheredBytes === 0) return;
      const pending = cutter.pending;
      const region = Buffer.concat([pending, ...gathered], pending.length + gatheredBytes);
      gathered = [];
      gatheredBytes = 0;
      await emit(cutter.scan(region));
      opts.progress?.();
    };
    try {
      for await (const chunk of stream) {
        if (opts.cancelled()) {
          body.destroy();
          return { status: 'cancelled' };
        }
        gathered.push(chunk);
        gatheredBytes += chunk.length;
        bytes += chunk.length;
        if (gatheredBytes >= opts.chunkBytes) await flush();
      }
    } catch (e) {
      // A damaged gzip member cannot be read past: deliver what was decompressed before it, report the rest as lost.
      if (!isCorruption(e)) throw e;
      corrupt = (e as Error).message;
    }
    await flush();
    await emit(cutter.finish());
  } catch (e) {
    body.destroy();
    if (isGone(e)) return { status: 'gone' };
    throw e;
  }
  if (opts.cancelled()) return { status: 'cancelled' };
  if (lastBatch) {
    lastBatch.final = true;
    await sink.push(lastBatch, lastAck);
  } else {
    // An empty object: a joining codec still learns that this source ended.
    await sink.push({ kind: 'bytes', data: new Uint8Array(0), idPrefix, baseOffset: 0, fields, final: true });
  }
  counter.end();
  return { status: 'read', events, bytes, gzip, delivered: counter.done, ...(corrupt ? { corrupt } : {}) };
}

function countLines(data: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (data[i] === 10) n++;
  if (data.length && data[data.length - 1] !== 10) n++;
  return n;
}
