// Where the lake lives: a local directory or an S3-compatible bucket, behind one small interface so the
// s3 output, `sluice query`, `sluice replay` and retention share a single code path.
//
// Atomicity: an object is either absent or complete. Locally it is written to a hidden temporary file in the
// same directory and renamed over the final name (rename within a directory is atomic on POSIX). On S3 it is
// one PutObject, or a multipart upload that becomes visible only on CompleteMultipartUpload. Nothing is
// staged on local disk for S3: the object's bytes are already in memory, and a part is a view into them.

import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Sdk } from '../core/libs.js';

export interface StoredObject {
  /** Key relative to the lake root, '/'-separated. */
  key: string;
  size: number;
}

export interface ObjectStore {
  /** Human-readable location, for messages. */
  readonly description: string;
  /** Write a whole object atomically (a reader sees the old object, or none, or all of the new one). */
  put(key: string, data: Uint8Array): Promise<void>;
  /** Every object whose key starts with `prefix` (keys relative to the root), in no particular order. */
  list(prefix?: string): AsyncIterable<StoredObject>;
  get(key: string): Promise<Uint8Array>;
  getStream(key: string): Promise<Readable>;
  /** Delete objects (missing ones are ignored). */
  delete(keys: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Temporary files of an interrupted local write start with this; they are never listed as objects. */
const TEMP_PREFIX = '.tmp-';

export class LocalStore implements ObjectStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }
  get description(): string {
    return this.root;
  }

  private path(key: string): string {
    const p = resolve(this.root, key);
    if (p !== this.root && !p.startsWith(this.root + sep)) throw new Error(`lake key leaves the lake root: ${key}`);
    return p;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const final = this.path(key);
    await mkdir(dirname(final), { recursive: true });
    const temp = join(dirname(final), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    const h = await open(temp, 'w');
    try {
      // No fsync, as the file output: acknowledged means handed to the operating system.
      await h.writeFile(data);
    } catch (e) {
      await h.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw e;
    }
    await h.close();
    await rename(temp, final);
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    // Walk only the directory the prefix names (partition pruning), then filter by the rest of the prefix.
    const slash = prefix.lastIndexOf('/');
    const startDir = slash >= 0 ? prefix.slice(0, slash) : '';
    const walk = async function* (this: LocalStore, dir: string): AsyncIterable<StoredObject> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw e;
      }
      for (const d of entries) {
        if (d.name.startsWith(TEMP_PREFIX)) continue;
        const full = join(dir, d.name);
        const key = relative(this.root, full).split(sep).join('/');
        if (d.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(key + '/')) yield* walk.call(this, full);
        } else if (d.isFile() && key.startsWith(prefix)) {
          yield { key, size: (await stat(full)).size };
        }
      }
    };
    yield* walk.call(this, startDir ? this.path(startDir) : this.root);
  }

  async get(key: string): Promise<Uint8Array> {
    return readFile(this.path(key));
  }
  async getStream(key: string): Promise<Readable> {
    await stat(this.path(key));
    return createReadStream(this.path(key));
  }

  async delete(keys: string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const k of keys) {
      await rm(this.path(k), { force: true });
      dirs.add(dirname(this.path(k)));
    }
    // Remove partition directories left empty, up to the root.
    for (let dir of [...dirs].sort((a, b) => b.length - a.length)) {
      while (dir.startsWith(this.root + sep)) {
        try {
          if ((await readdir(dir)).length) break;
          await rmdir(dir);
        } catch {
          break;
        }
        dir = dirname(dir);
      }
    }
  }

  async close(): Promise<void> {}
}

export interface S3Settings {
  bucket: string;
  /** Key prefix inside the bucket (the lake root), without a leading '/'. */
  prefix?: string;
  region?: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  forcePathStyle?: boolean;
  /** Objects larger than this are uploaded in parts. */
  multipartThreshold?: number;
  /** Size of each part (S3's minimum is 5 MiB except for the last part). */
  partSize?: number;
}

const MIN_PART = 5 * 1024 * 1024;

export class S3Store implements ObjectStore {
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly multipartThreshold: number;
  private readonly partSize: number;

  constructor(s: S3Settings) {
    this.bucket = s.bucket;
    this.prefix = s.prefix ? s.prefix.replace(/^\/+/, '').replace(/\/*$/, '/') : '';
    this.partSize = Math.max(MIN_PART, s.partSize ?? MIN_PART);
    this.multipartThreshold = Math.max(this.partSize, s.multipartThreshold ?? 15 * 1024 * 1024);
    // The SDK is pinned to a release that supports Node 20 (package.json); its notice about later releases
    // needing Node 22 is not something a Sluice user can act on.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const credentials = s.accessKeyId && s.secretAccessKey ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken } : undefined;
    this.client = new (s3Sdk().S3Client)({
      region: s.region ?? process.env.AWS_REGION ?? 'us-east-1',
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
      forcePathStyle: s.forcePathStyle ?? false,
      ...(credentials ? { credentials } : {}),
      // Checksums only where S3 requires them: the default streams bodies aws-chunked with trailers, which
      // several S3-compatible servers store verbatim (silent corruption).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }
  get description(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const Key = this.prefix + key;
    if (data.byteLength <= this.multipartThreshold) {
      await this.client.send(new (s3Sdk().PutObjectCommand)({ Bucket: this.bucket, Key, Body: data, ContentLength: data.byteLength }));
      return;
    }
    // Multipart: invisible until completed; parts are views of the in-memory object (no local staging).
    const { UploadId } = await this.client.send(new (s3Sdk().CreateMultipartUploadCommand)({ Bucket: this.bucket, Key }));
    try {
      const parts: Array<{ ETag: string; PartNumber: number }> = [];
      for (let off = 0, n = 1; off < data.byteLength; off += this.partSize, n++) {
        const body = data.subarray(off, Math.min(off + this.partSize, data.byteLength));
        const r = await this.client.send(new (s3Sdk().UploadPartCommand)({ Bucket: this.bucket, Key, UploadId, PartNumber: n, Body: body, ContentLength: body.byteLength }));
        parts.push({ ETag: r.ETag!, PartNumber: n });
      }
      await this.client.send(new (s3Sdk().CompleteMultipartUploadCommand)({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (e) {
      // Best effort: some S3-compatible servers do not implement abort; the incomplete upload is never visible.
      await this.client.send(new (s3Sdk().AbortMultipartUploadCommand)({ Bucket: this.bucket, Key, UploadId })).catch(() => undefined);
      throw e;
    }
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    let ContinuationToken: string | undefined;
    do {
      const r = await this.client.send(new (s3Sdk().ListObjectsV2Command)({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken }));
      for (const o of r.Contents ?? []) if (o.Key) yield { key: o.Key.slice(this.prefix.length), size: o.Size ?? 0 };
      ContinuationToken = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async get(key: string): Promise<Uint8Array> {
    const r = await this.client.send(new (s3Sdk().GetObjectCommand)({ Bucket: this.bucket, Key: this.prefix + key }));
    return r.Body!.transformToByteArray();
  }
  async getStream(key: string): Promise<Readable> {
    const r = await this.client.send(new (s3Sdk().GetObjectCommand)({ Bucket: this.bucket, Key: this.prefix + key }));
    return r.Body as Readable;
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const r = await this.client.send(new (s3Sdk().DeleteObjectsCommand)({ Bucket: this.bucket, Delete: { Objects: chunk.map((k) => ({ Key: this.prefix + k })), Quiet: true } }));
      if (r.Errors?.length) throw new Error(`delete failed for ${r.Errors.length} object(s): ${r.Errors[0]!.Key}: ${r.Errors[0]!.Message}`);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** S3 connection settings that do not fit in a URL: from options, flags or the environment. */
export type S3Connection = Omit<S3Settings, 'bucket' | 'prefix'>;

/**
 * Open a lake by URL: `s3://bucket/prefix`, `file:///abs/dir` or a plain path. For S3 the endpoint, region,
 * path style and credentials come from `conn`, else from the environment (AWS_ENDPOINT_URL_S3 or
 * AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, SLUICE_S3_FORCE_PATH_STYLE).
 */
export function openStore(url: string, conn: S3Connection = {}): ObjectStore {
  if (url.startsWith('s3://')) {
    const rest = url.slice(5);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1);
    if (!bucket) throw new Error(`lake URL has no bucket: ${url}`);
    const env = process.env;
    return new S3Store({
      bucket,
      prefix,
      ...conn,
      endpoint: conn.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
      region: conn.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
      accessKeyId: conn.accessKeyId ?? env.AWS_ACCESS_KEY_ID,
      secretAccessKey: conn.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY,
      sessionToken: conn.sessionToken ?? env.AWS_SESSION_TOKEN,
      forcePathStyle: conn.forcePathStyle ?? (env.SLUICE_S3_FORCE_PATH_STYLE === 'true' || env.SLUICE_S3_FORCE_PATH_STYLE === '1'),
    });
  }
  if (url.startsWith('file://')) return new LocalStore(fileURLToPath(url));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new Error(`unsupported lake URL ${url} (use s3://bucket/prefix, file:///dir or a path)`);
  return new LocalStore(url);
}
