// Coordination of several processes running the same s3 input through NATS JetStream, with no other service:
//
// - Work queue: a stream with work-queue retention holds one message per object version to read, published
//   with `Nats-Msg-Id = bucket/key/etag`, so a repeat within the stream's duplicate window is dropped by the
//   server. Every process pulls from the same durable consumer: each message goes to one of them at a time.
// - Object states: a KV bucket keyed by a digest of bucket/key/etag says `queued`, `working` (owner, lease end)
//   or `done`. Every process lists; only the one whose atomic `create` of the `queued` entry succeeds publishes
//   the work item, so listings never pile up copies. A worker claims an item by compare-and-set to `working`
//   before reading, skips it when it is already `done`, and waits (nak with delay) while another live worker
//   holds it. So even a copy that slipped past the duplicate window is never read twice at the same time, and
//   never again once done.
// - Progress and failure: while it reads (and waits for the outputs' acks) the worker sends `working` for the
//   message and extends its lease. It writes `done`, then acks the message, only after every event of the object
//   was acknowledged downstream. If it dies, the message is redelivered after `ack_wait` to another worker,
//   which takes over the expired lease and reads the object again from its start: same event ids, so outputs
//   overwrite instead of duplicating.

import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { NatsConnection, ConnectionOptions } from '@nats-io/transport-node';
import type { Consumer, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { readFileSync } from 'node:fs';
import type { Logger } from '../../core/logger.js';
import type { ObjectRef } from './object_reader.js';
import { objectIdentity } from './object_reader.js';
import type { WorkItem, WorkSource } from './work.js';
import { natsTransport, natsJetStream, natsKv } from '../../core/libs.js';

export interface CoordinatorSettings {
  servers: string[];
  stream: string;
  consumer: string;
  /** KV bucket of object states. */
  stateBucket: string;
  replicas: number;
  ackWaitMillis: number;
  duplicateWindowMillis: number;
  /** 0: object states are kept forever; otherwise forgotten after this long (a still-present object is read again). */
  stateTtlMillis: number;
  /** A `queued` entry older than this whose work item may have been lost (publisher died) is published again. */
  requeueAfterMillis: number;
  maxAckPending: number;
  user?: string;
  password?: string;
  token?: string;
  credsFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

type ObjectState = { state: 'queued'; at: number } | { state: 'working'; owner: string; until: number } | { state: 'done'; at: number };

const OFFER_PARALLELISM = 16;
const PUBLISH_RETRY_MILLIS = 10_000;

/** KV keys allow only `[-/_=.a-zA-Z0-9]`; S3 keys allow anything, so the state key is a digest. */
export function stateKey(ref: ObjectRef): string {
  return createHash('sha256').update(objectIdentity(ref)).digest('hex');
}

/** Msg-Id header values must be one printable line; odd keys fall back to the digest. */
function messageId(ref: ObjectRef): string {
  const id = objectIdentity(ref);
  return /^[\x20-\x7e]{1,1024}$/.test(id) ? id : stateKey(ref);
}

function subjectOf(stream: string): string {
  return `sluice.s3work.${stream}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class NatsWork implements WorkSource {
  private nc!: NatsConnection;
  private js!: JetStreamClient;
  private jsm!: JetStreamManager;
  private kv!: KV;
  private consumer!: Consumer;
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  /** Object versions this process saw done (later listings skip their KV round trip). */
  private readonly known = new Set<string>();
  private readonly subject: string;
  private closed = false;

  constructor(
    private readonly s: CoordinatorSettings,
    private readonly logger: Logger,
  ) {
    this.subject = subjectOf(s.stream);
  }

  async start(): Promise<void> {
    const opts: ConnectionOptions = { servers: this.s.servers, maxReconnectAttempts: -1, reconnectTimeWait: 250, name: `sluice-s3 ${this.owner}` };
    if (this.s.user !== undefined) {
      opts.user = this.s.user;
      opts.pass = this.s.password;
    }
    if (this.s.token !== undefined) opts.token = this.s.token;
    if (this.s.credsFile) opts.authenticator = natsTransport().credsAuthenticator(new Uint8Array(readFileSync(this.s.credsFile)));
    if (this.s.tls) opts.tls = { ...this.s.tls };
    const nc = await natsTransport().connect(opts);
    if (this.closed) {
      await nc.close();
      return;
    }
    this.nc = nc;
    try {
      this.jsm = await natsJetStream().jetstreamManager(nc);
      this.js = natsJetStream().jetstream(nc, { timeout: 5000 });
      await this.ensureStream();
      await this.ensureConsumer();
      this.consumer = await this.js.consumers.get(this.s.stream, this.s.consumer);
      this.kv = await new (natsKv().Kvm)(this.js).create(this.s.stateBucket, { history: 1, replicas: this.s.replicas, ...(this.s.stateTtlMillis > 0 ? { ttl: this.s.stateTtlMillis } : {}) });
    } catch (e) {
      await nc.close().catch(() => undefined);
      throw e;
    }
  }

  private async ensureStream(): Promise<void> {
    const config = {
      name: this.s.stream,
      subjects: [this.subject],
      retention: natsJetStream().RetentionPolicy.Workqueue,
      storage: natsJetStream().StorageType.File,
      num_replicas: this.s.replicas,
      duplicate_window: this.s.duplicateWindowMillis * 1_000_000,
    };
    try {
      await this.jsm.streams.add(config);
    } catch (e) {
      // Another process created it a moment ago (or with other settings: keep theirs, and say so).
      const info = await this.jsm.streams.info(this.s.stream).catch(() => undefined);
      if (!info) throw e;
      if (!info.config.subjects?.includes(this.subject)) throw new Error(`stream ${this.s.stream} exists without subject ${this.subject}: ${(e as Error).message}`);
    }
  }

  private async ensureConsumer(): Promise<void> {
    const config = {
      durable_name: this.s.consumer,
      ack_policy: natsJetStream().AckPolicy.Explicit,
      deliver_policy: natsJetStream().DeliverPolicy.All,
      ack_wait: this.s.ackWaitMillis * 1_000_000,
      max_deliver: -1,
      max_ack_pending: this.s.maxAckPending,
    };
    try {
      await this.jsm.consumers.add(this.s.stream, config);
    } catch (e) {
      const info = await this.jsm.consumers.info(this.s.stream, this.s.consumer).catch(() => undefined);
      if (!info) throw e;
    }
  }

  async offer(refs: ObjectRef[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < refs.length && !this.closed) await this.offerOne(refs[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(OFFER_PARALLELISM, refs.length) }, worker));
  }

  forgetExcept(listed: ReadonlySet<string>): void {
    for (const id of this.known) if (!listed.has(id)) this.known.delete(id);
  }

  private async offerOne(ref: ObjectRef): Promise<void> {
    const id = objectIdentity(ref);
    if (this.known.has(id)) return;
    const key = stateKey(ref);
    const entry = await this.kv.get(key);
    if (entry && entry.operation === 'PUT') {
      const st = entry.json<ObjectState>();
      const now = Date.now();
      // Queued long ago, or claimed by a worker whose lease ran out long ago, yet not done: its work item may be
      // lost (the publisher died between marking and publishing, or the stream was purged). Publish it again; a
      // copy that was not lost is harmless, since workers skip or wait on the state.
      const stale = (st.state === 'queued' && now - st.at > this.s.requeueAfterMillis) || (st.state === 'working' && now - st.until > this.s.requeueAfterMillis);
      if (stale) {
        // Its publisher may have died between marking and publishing: publish (again); a worker skips copies.
        try {
          await this.kv.update(key, JSON.stringify({ state: 'queued', at: Date.now() } satisfies ObjectState), entry.revision);
        } catch {
          return; // someone else changed it meanwhile
        }
        await this.publish(ref);
        return;
      }
      // Done: remembered until it is gone from the listings. Queued or working: looked at again next time.
      if (st.state === 'done') this.known.add(id);
      return;
    }
    try {
      await this.kv.create(key, JSON.stringify({ state: 'queued', at: Date.now() } satisfies ObjectState));
    } catch {
      return; // another process queued it first
    }
    await this.publish(ref);
  }

  /** Publish with the object's Msg-Id, retrying through a stream leader election (about 6 s on 2.9). */
  private async publish(ref: ObjectRef): Promise<void> {
    const deadline = Date.now() + PUBLISH_RETRY_MILLIS;
    for (;;) {
      try {
        await this.js.publish(this.subject, JSON.stringify(ref), { msgID: messageId(ref) });
        return;
      } catch (e) {
        if (Date.now() > deadline || this.closed) throw e;
        await sleep(250);
      }
    }
  }

  async take(waitMs: number): Promise<WorkItem | null> {
    const deadline = Date.now() + waitMs;
    while (!this.closed && Date.now() < deadline) {
      let msg: JsMsg | null;
      try {
        msg = await this.consumer.next({ expires: Math.max(1000, deadline - Date.now()) });
      } catch (e) {
        if (this.closed) return null;
        this.logger.warn('input s3: cannot fetch work from JetStream; retrying', { error: (e as Error).message });
        await sleep(500);
        continue;
      }
      if (!msg) return null;
      const item = await this.claim(msg);
      if (item) return item;
    }
    return null;
  }

  /** Claim the message's object for this process, or settle the message and return null. */
  private async claim(msg: JsMsg): Promise<WorkItem | null> {
    let ref: ObjectRef;
    try {
      ref = msg.json<ObjectRef>();
      if (typeof ref.bucket !== 'string' || typeof ref.key !== 'string' || typeof ref.etag !== 'string') throw new Error('missing bucket, key or etag');
    } catch (e) {
      this.logger.error('input s3: malformed work item; dropping it', { error: (e as Error).message, seq: msg.seq });
      msg.term();
      return null;
    }
    const key = stateKey(ref);
    for (let attempt = 0; attempt < 5; attempt++) {
      const entry = await this.kv.get(key);
      const st = entry && entry.operation === 'PUT' ? entry.json<ObjectState>() : undefined;
      if (st?.state === 'done') {
        await msg.ackAck().catch(() => undefined);
        return null;
      }
      const now = Date.now();
      if (st?.state === 'working' && st.owner !== this.owner && st.until > now) {
        // A live worker has it: look again once its lease would have run out.
        msg.nak(Math.min(st.until - now + 250, this.s.ackWaitMillis * 2));
        return null;
      }
      if (st?.state === 'working' && st.owner !== this.owner) {
        this.logger.warn('input s3: taking over an object whose worker stopped answering; reading it again from its start', { key: ref.key, previous_worker: st.owner });
      }
      const claim: ObjectState = { state: 'working', owner: this.owner, until: now + this.s.ackWaitMillis };
      try {
        const revision = entry ? await this.kv.update(key, JSON.stringify(claim), entry.revision) : await this.kv.create(key, JSON.stringify(claim));
        return new NatsWorkItem(this, msg, ref, key, revision);
      } catch {
        continue; // changed under us: read it again
      }
    }
    msg.nak(1000);
    return null;
  }

  /** Extend the lease; false when another worker took the object over. */
  async renew(item: NatsWorkItem): Promise<boolean> {
    item.msg.working();
    try {
      item.revision = await this.kv.update(item.key, JSON.stringify({ state: 'working', owner: this.owner, until: Date.now() + this.s.ackWaitMillis } satisfies ObjectState), item.revision);
      return true;
    } catch (e) {
      const entry = await this.kv.get(item.key).catch(() => null);
      const st = entry && entry.operation === 'PUT' ? entry.json<ObjectState>() : undefined;
      if (st && (st.state === 'done' || (st.state === 'working' && st.owner !== this.owner))) return false;
      this.logger.warn('input s3: cannot extend the claim on an object; will try again', { key: item.ref.key, error: (e as Error).message });
      return true;
    }
  }

  async finish(item: NatsWorkItem): Promise<void> {
    await this.kv.put(item.key, JSON.stringify({ state: 'done', at: Date.now() } satisfies ObjectState));
    this.known.add(objectIdentity(item.ref));
    await item.msg.ackAck().catch((e) => {
      // The done state is written: a redelivered copy is skipped, so a lost ack costs only a round trip.
      this.logger.warn('input s3: ack of a finished object failed', { key: item.ref.key, error: (e as Error).message });
    });
  }

  async giveBack(item: NatsWorkItem, delayMs: number): Promise<void> {
    try {
      await this.kv.update(item.key, JSON.stringify({ state: 'queued', at: Date.now() } satisfies ObjectState), item.revision);
    } catch {
      // Taken over already, or NATS unreachable: the lease simply runs out.
    }
    item.msg.nak(delayMs);
  }

  get ackWaitMillis(): number {
    return this.s.ackWaitMillis;
  }

  async drained(): Promise<boolean> {
    const info = await this.consumer.info();
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }

  /** Work items waiting in the stream (scale on this). */
  async pending(): Promise<number> {
    const info = await this.consumer.info();
    return info.num_pending;
  }

  wake(): void {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.nc?.drain().catch(() => this.nc.close());
  }
}

class NatsWorkItem implements WorkItem {
  lost = false;
  private readonly timer: NodeJS.Timeout;
  private settled = false;

  constructor(
    private readonly work: NatsWork,
    readonly msg: JsMsg,
    readonly ref: ObjectRef,
    readonly key: string,
    public revision: number,
  ) {
    // Heartbeat for as long as the object is ours: while reading and while its events wait for the outputs.
    this.timer = setInterval(() => void this.heartbeat(), Math.max(200, Math.floor(work.ackWaitMillis / 3)));
  }

  private async heartbeat(): Promise<void> {
    if (this.settled || this.lost) return;
    if (!(await this.work.renew(this))) {
      this.lost = true;
      this.stop();
    }
  }

  async complete(): Promise<void> {
    this.stop();
    await this.work.finish(this);
  }

  async release(delayMs: number): Promise<void> {
    this.stop();
    await this.work.giveBack(this, delayMs);
  }

  private stop(): void {
    this.settled = true;
    clearInterval(this.timer);
  }
}
