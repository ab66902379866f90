// The s3 input at run time (see ../s3.ts for what it does); loaded only where an s3 input is created, so the
// AWS SDK and NATS clients stay out of processes and worker threads that do not use them.

import type { S3Client, _Object } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Input, InputSink, PluginContext } from '../../core/plugin.js';
import { parseDuration } from '../file/durations.js';
import { createS3Client } from './client.js';
import { normalizeEtag, objectIdentity, readObject, type ObjectRef } from './object_reader.js';
import { LocalWork, type WorkItem, type WorkSource } from './work.js';
import { NatsWork } from './coordinator.js';
import type { S3InputConfig } from '../s3.js';
import { s3Sdk } from '../../core/libs.js';

/** Bytes gathered from an object's body before lines are cut and pushed. */
const READ_CHUNK_BYTES = 1024 * 1024;
/** Objects read and waiting for their events' delivery, per process, beyond which readers wait. */
const MAX_OBJECTS_AWAITING_DELIVERY = 64;
/** Storage classes whose objects cannot be read without a restore (Logstash skips them too). */
const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/**
 * Default work stream of one s3 input: processes running the same config (same pipeline id, plugin id, bucket and
 * prefix) share it; another pipeline reading the same bucket gets its own, so it reads every object too. Stream
 * names allow no `.`, `*`, `>`, spaces or path separators: a readable part plus a digest.
 */
export function defaultStreamName(pipelineId: string, pluginId: string, bucket: string, prefix: string): string {
  const readable = `${pipelineId}_${bucket}_${prefix}`.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/_+$/, '').slice(0, 48);
  const digest = createHash('sha256').update([pipelineId, pluginId, bucket, prefix].join('\0')).digest('hex').slice(0, 8);
  return `SLUICE_S3_${readable}_${digest}`;
}

export class S3Input implements Input {
  readonly client: S3Client;
  readonly work: WorkSource;
  private readonly intervalMillis: number;
  private readonly retryMillis: number;
  private readonly exclude: RegExp | undefined;
  private readonly gzipPattern: RegExp;
  private stopped = false;
  /** Wake-ups of everything sleeping (lister, readers waiting to retry): stop() calls them all. */
  private readonly sleepers = new Set<() => void>();
  /** Objects read whose events are still on their way to the outputs (finished in the background). */
  private readonly finishing = new Set<Promise<void>>();
  private slotWaiters: Array<() => void> = [];
  private started = false;

  constructor(
    private readonly config: S3InputConfig,
    private readonly ctx: PluginContext,
  ) {
    if (!config.bucket) throw new Error('input s3: `bucket` must not be empty');
    this.client = createS3Client(config);
    this.intervalMillis = parseDuration('interval', config.interval, 'seconds') * 1000;
    this.retryMillis = parseDuration('retry_delay', config.retry_delay, 'seconds') * 1000;
    this.exclude = config.exclude_pattern ? compile('exclude_pattern', config.exclude_pattern) : undefined;
    this.gzipPattern = compile('gzip_pattern', config.gzip_pattern);
    if (!(config.concurrent_objects >= 1)) throw new Error('input s3: concurrent_objects must be at least 1');
    if (config.backup_to_bucket === '') throw new Error('input s3: backup_to_bucket must not be empty');
    if (config.sincedb_path !== undefined || config.temporary_directory !== undefined) {
      ctx.logger.warn('input s3: sincedb_path and temporary_directory are ignored: Sluice streams objects and keeps no local state (use nats_servers to remember finished objects across restarts)');
    }
    if (config.nats_servers.length > 0) {
      const stream = config.nats_stream ?? defaultStreamName(ctx.pipelineId, ctx.pluginId, config.bucket, config.prefix);
      const tls = config.nats_tls_ca_file || config.nats_tls_cert_file ? { caFile: config.nats_tls_ca_file, certFile: config.nats_tls_cert_file, keyFile: config.nats_tls_key_file } : undefined;
      this.work = new NatsWork(
        {
          servers: config.nats_servers,
          stream,
          consumer: config.nats_consumer,
          stateBucket: config.nats_state_bucket ?? `${stream}_STATE`,
          replicas: config.nats_replicas,
          ackWaitMillis: parseDuration('nats_ack_wait', config.nats_ack_wait, 'seconds') * 1000,
          duplicateWindowMillis: parseDuration('nats_duplicate_window', config.nats_duplicate_window, 'seconds') * 1000,
          stateTtlMillis: parseDuration('nats_state_ttl', config.nats_state_ttl, 'seconds') * 1000,
          requeueAfterMillis: parseDuration('nats_requeue_after', config.nats_requeue_after, 'seconds') * 1000,
          maxAckPending: config.nats_max_ack_pending,
          user: config.nats_user,
          password: config.nats_password,
          token: config.nats_token,
          credsFile: config.nats_creds_file,
          tls,
        },
        ctx.logger,
      );
    } else {
      this.work = new LocalWork();
    }
  }

  private stopping(sink: InputSink): boolean {
    return this.stopped || sink.stopping;
  }

  async run(sink: InputSink): Promise<void> {
    // A worker may start before NATS does (containers): keep trying until it answers or the pipeline stops.
    for (;;) {
      try {
        await this.work.start();
        break;
      } catch (e) {
        if (this.stopping(sink)) return;
        this.ctx.logger.warn('input s3: cannot set up the work queue; retrying', { error: (e as Error).message });
        await this.sleep(this.retryMillis);
        if (this.stopping(sink)) return;
      }
    }
    this.started = true;
    let listedOnce = false;
    let listingFailed: Error | undefined;
    const lister = (async () => {
      while (!this.stopping(sink)) {
        try {
          await this.listOnce(sink);
          listedOnce = true;
        } catch (e) {
          if (!this.config.watch_for_new_files && !listedOnce) listingFailed = e as Error;
          else this.ctx.logger.error('input s3: listing the bucket failed; trying again at the next interval', { bucket: this.config.bucket, error: (e as Error).message });
        }
        if (!this.config.watch_for_new_files && (listedOnce || listingFailed)) return;
        await this.sleep(this.intervalMillis);
      }
    })();
    const reader = async () => {
      while (!this.stopping(sink)) {
        let item: WorkItem | null;
        try {
          item = await this.work.take(1000);
          if (!item) {
            if (!this.config.watch_for_new_files && (listedOnce || listingFailed) && this.finishing.size === 0 && (await this.work.drained())) return;
            continue;
          }
        } catch (e) {
          // NATS unreachable for a moment: a work item taken meanwhile is redelivered after its ack wait.
          this.ctx.logger.warn('input s3: cannot take work; retrying', { error: (e as Error).message });
          await this.sleep(Math.min(this.retryMillis, 1000));
          continue;
        }
        await this.process(item, sink);
      }
    };
    await Promise.all([lister, ...Array.from({ length: this.config.concurrent_objects }, reader)]);
    // Read-once mode: the run ends when every object read was delivered and finished.
    if (!this.stopping(sink)) await Promise.allSettled([...this.finishing]);
    if (listingFailed) throw new Error(`cannot list bucket ${this.config.bucket}: ${listingFailed.message}`);
  }

  stop(): void {
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
    this.work.wake();
  }

  async close(): Promise<void> {
    this.stop();
    // Called after the pipeline drained: every object read has its acks by now (or never will: outputs gave up).
    await Promise.allSettled([...this.finishing]);
    if (this.started) await this.work.close();
    this.client.destroy();
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const sleepers = this.sleepers;
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        sleepers.delete(done);
        resolve();
      }
      sleepers.add(done);
    });
  }

  // ---- listing ---------------------------------------------------------------------------------

  private wanted(o: _Object): boolean {
    const key = o.Key;
    if (!key || key.endsWith('/')) return false; // "folders"
    if (o.StorageClass && ARCHIVED.has(o.StorageClass)) return false;
    if (this.exclude?.test(key)) return false;
    // Backups written into the bucket being read must not be read again.
    const backupPrefix = this.config.backup_add_prefix;
    if (this.config.backup_to_bucket === this.config.bucket && backupPrefix && key.startsWith(backupPrefix)) return false;
    return true;
  }

  private async listOnce(sink: InputSink): Promise<void> {
    const listed = new Set<string>();
    let token: string | undefined;
    let offered = 0;
    do {
      const page = await this.client.send(new (s3Sdk().ListObjectsV2Command)({ Bucket: this.config.bucket, Prefix: this.config.prefix || undefined, ContinuationToken: token }));
      const refs: ObjectRef[] = [];
      for (const o of page.Contents ?? []) {
        if (!this.wanted(o)) continue;
        const ref: ObjectRef = { bucket: this.config.bucket, key: o.Key!, etag: normalizeEtag(o.ETag), size: o.Size, lastModified: o.LastModified?.toISOString() };
        refs.push(ref);
        listed.add(objectIdentity(ref));
      }
      // Oldest first, as Logstash reads them.
      refs.sort((a, b) => (a.lastModified ?? '').localeCompare(b.lastModified ?? '') || a.key.localeCompare(b.key));
      await this.work.offer(refs);
      offered += refs.length;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && !this.stopping(sink));
    if (!token) this.work.forgetExcept(listed);
    this.ctx.logger.debug('input s3: listed bucket', { bucket: this.config.bucket, prefix: this.config.prefix, objects: offered });
  }

  // ---- reading ---------------------------------------------------------------------------------

  private async process(item: WorkItem, sink: InputSink): Promise<void> {
    while (this.finishing.size >= MAX_OBJECTS_AWAITING_DELIVERY) await new Promise<void>((r) => this.slotWaiters.push(r));
    const { ref } = item;
    let outcome;
    try {
      outcome = await readObject(this.client, ref, sink, {
        maxLineBytes: this.config.max_line_bytes,
        chunkBytes: READ_CHUNK_BYTES,
        gzipPattern: this.gzipPattern,
        objectProperties: this.config.include_object_properties,
        cancelled: () => this.stopping(sink) || item.lost,
      });
    } catch (e) {
      this.ctx.logger.warn('input s3: reading an object failed; it will be read again from its start', { bucket: ref.bucket, key: ref.key, error: (e as Error).message });
      await item.release(this.retryMillis).catch(() => undefined);
      return;
    }
    if (outcome.status === 'gone') {
      this.ctx.logger.info('input s3: object gone or replaced before it was read; skipping this version', { bucket: ref.bucket, key: ref.key, etag: ref.etag });
      await item.complete().catch((e) => this.ctx.logger.warn('input s3: cannot record a skipped object', { key: ref.key, error: (e as Error).message }));
      return;
    }
    if (outcome.status === 'cancelled') {
      // Stopping, or another worker took it over: whoever reads it next starts again from its start.
      if (!item.lost) await item.release(0).catch(() => undefined);
      return;
    }
    if (outcome.corrupt) {
      this.ctx.logger.error('input s3: compressed object is damaged; what could be decompressed before the damage was delivered, the rest cannot be read', {
        bucket: ref.bucket,
        key: ref.key,
        error: outcome.corrupt,
      });
    }
    const done = this.finish(item, outcome.delivered, outcome.corrupt !== undefined).finally(() => {
      this.finishing.delete(done);
      this.slotWaiters.shift()?.();
    });
    this.finishing.add(done);
  }

  /**
   * Once every event is delivered: back up and/or delete the object, then record it as done. A damaged object is
   * recorded as done (reading it again gives the same) but never deleted: the part that could not be read stays.
   */
  private async finish(item: WorkItem, delivered: Promise<void>, damaged: boolean): Promise<void> {
    await delivered;
    if (item.lost) return; // another worker owns it now and will finish it
    const { ref } = item;
    let backedUp = true;
    if (this.config.backup_to_bucket) {
      try {
        await this.client.send(
          new (s3Sdk().CopyObjectCommand)({
            Bucket: this.config.backup_to_bucket,
            Key: this.config.backup_add_prefix + ref.key,
            CopySource: `${encodeURIComponent(ref.bucket)}/${ref.key.split('/').map(encodeURIComponent).join('/')}`,
          }),
        );
      } catch (e) {
        backedUp = false;
        this.ctx.logger.error('input s3: backup copy failed; the object is kept', { key: ref.key, backup_to_bucket: this.config.backup_to_bucket, error: (e as Error).message });
      }
    }
    if (this.config.delete && damaged) {
      this.ctx.logger.error('input s3: damaged object kept in the bucket (delete => true applies to objects read whole)', { bucket: ref.bucket, key: ref.key });
    } else if (this.config.delete && backedUp) {
      try {
        await this.client.send(new (s3Sdk().DeleteObjectCommand)({ Bucket: ref.bucket, Key: ref.key }));
      } catch (e) {
        this.ctx.logger.error('input s3: deleting a read object failed', { key: ref.key, error: (e as Error).message });
      }
    }
    try {
      await item.complete();
    } catch (e) {
      // The object was delivered; without its "done" record it may be read again (same ids: outputs overwrite).
      this.ctx.logger.warn('input s3: cannot record an object as done', { key: ref.key, error: (e as Error).message });
    }
  }
}

function compile(name: string, pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (e) {
    throw new Error(`input s3: ${name} is not a valid regular expression: ${(e as Error).message}`);
  }
}
