// The main-thread side of one pipeline: runs its inputs, hands their batches to worker threads, delivers the
// workers' payloads to the outputs, and acknowledges each input batch once every output delivered it.
//
// Memory is bounded: at most `maxInflight` batches exist between an input and the outputs. An input's push
// waits for a free slot, so a slow output slows the input instead of growing the heap.

import { charsetDecoder, type TextDecodeFn } from '../codecs/support/charset.js';
import { Worker } from 'node:worker_threads';
import type { PipelineModel, PluginSpec } from './model.js';
import { plugins } from './model.js';
import type { Registry } from './registry.js';
import type { Logger } from './logger.js';
import type { CodecSpec, Input, InputDef, InputSink, LineJoiner, Output, OutputDef, PluginContext, RawBatch, RejectedEvent } from './plugin.js';
import { openDeadLetterTarget, type DeadLetterEntry, type DeadLetterTarget } from './dlq/index.js';
import type { BatchCounts } from './executor.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker.js';
import { batchBytes, receivedBuffers } from './byte_pool.js';
import { takeWarmWorker, WORKER_URL } from './warm_workers.js';

export interface PluginStats {
  id: string;
  name: string;
  in: number;
  failed?: number;
  dropped?: number;
}

export interface PipelineStats {
  id: string;
  workers: number;
  /** Events decoded from the inputs. */
  in: number;
  /** Events created by filters (split, clone). */
  created: number;
  /** Events that reached the output stage (routed to zero or more outputs). */
  out: number;
  /** Events dropped by a rule (drop filter). */
  dropped: number;
  /** Events that reached the outputs carrying a parse-failure tag (_grokparsefailure, _dateparsefailure, …). */
  failed: number;
  /** Events whose line was cut at the maximum line size. */
  truncated: number;
  /** Batches a worker failed on (a bug, logged); their events are counted here, not silently lost. */
  failedBatches: number;
  /** Events outputs rejected for good: sent to the dead-letter queue (or logged when there is none). Not in `out`. */
  deadLettered: number;
  /** Events inputs gave up on (a jetstream message over max_deliver), sent to the dead-letter queue; never in `in`. */
  deadLetteredByInputs: number;
  /** Whether dead-lettered events were stored (a dead-letter queue is configured) or only logged. */
  deadLetterQueue?: string;
  /** Batches handed back to their input (jetstream: nak) after an output failed on them; they come again. */
  returnedBatches: number;
  /** Errors that stopped the pipeline (a failing input). */
  errors: string[];
  startedAt: number;
  endedAt?: number;
  filters: PluginStats[];
  outputs: PluginStats[];
  /** Input-specific counters, for inputs that keep any (network inputs: connections, rejected frames, drops). */
  inputs?: Array<{ id: string; name: string } & Record<string, number | string>>;
}

interface Job {
  seq: number;
  input: number;
  batch: RawBatch;
  skips: number[];
  done: (error?: string) => void;
  /** The input takes failed batches back (nak) instead of in-place retries. */
  returnable: boolean;
  /** Events rejected for good by an output, by JSON (one event rejected by two outputs counts once). */
  rejected?: Set<string>;
  worker?: WorkerSlot;
  attempts: number;
  /** Shared memory of the batch's bytes (batchBytes pool), given back when the job ends. */
  shared?: ArrayBufferLike;
}

interface WorkerSlot {
  worker: Worker;
  index: number;
  ready: boolean;
  jobs: Map<number, Job>;
  watch: Int32Array;
  timeouts: Array<number | undefined>;
  /** Watchdog state: last seen (seq, ordinal, filter) and since when. */
  seen: string;
  since: number;
  retired: boolean;
  /** Output buffers written since the last batch sent to this worker: they go back with the next one. */
  recycle: ArrayBuffer[];
}

/** Output buffers waiting to go back to one worker (more are left to the garbage collector). */
const MAX_RECYCLE_PER_WORKER = 8;

const MAX_JOBS_PER_WORKER = 2;

export class Pipeline {
  readonly id: string;
  private readonly logger: Logger;
  private inputs: Input[] = [];
  private outputs: Output[] = [];
  /** Per output, its delivery lanes: each lane delivers one payload after another (output.concurrency lanes). */
  private outputChains: Promise<void>[][] = [];
  private nextLane: number[] = [];
  private workers: WorkerSlot[] = [];
  private pending: Job[] = [];
  private seq = 0;
  private inflight = 0;
  private readonly maxInflight: number;
  private slotWaiters: Array<() => void> = [];
  private drainWaiters: Array<() => void> = [];
  private stopping = false;
  private closed = false;
  private watchdog?: NodeJS.Timeout;
  private readonly stats: PipelineStats;
  private readonly filterSpecs: PluginSpec[];
  private readonly outputSpecs: PluginSpec[];
  private runs: Promise<void>[] = [];
  private fatal?: Error;
  private dlq?: DeadLetterTarget;
  /** Resolves when every input has finished and everything in flight was delivered (or after stop()). */
  finished!: Promise<void>;

  constructor(
    readonly model: PipelineModel,
    private readonly registry: Registry,
    logger: Logger,
  ) {
    this.id = model.id;
    this.logger = logger.child(model.id);
    this.maxInflight = Math.max(4, model.settings.workers * MAX_JOBS_PER_WORKER + 2);
    this.filterSpecs = [...plugins(model.filters)];
    this.outputSpecs = [...plugins(model.outputs)];
    this.stats = {
      id: model.id,
      workers: model.settings.workers,
      in: 0,
      created: 0,
      out: 0,
      dropped: 0,
      failed: 0,
      truncated: 0,
      failedBatches: 0,
      deadLettered: 0,
      deadLetteredByInputs: 0,
      deadLetterQueue: model.settings.deadLetterQueue,
      returnedBatches: 0,
      errors: [],
      startedAt: Date.now(),
      filters: this.filterSpecs.map((p) => ({ id: p.id, name: p.name, in: 0, failed: 0, dropped: 0 })),
      outputs: this.outputSpecs.map((p) => ({ id: p.id, name: p.name, in: 0 })),
    };
  }

  private ctx(p: PluginSpec): PluginContext {
    const base = { pipelineId: this.id, pluginId: p.id, logger: this.logger.child(p.id), dataDir: this.model.dataDir, side: 'main' as const };
    return {
      ...base,
      createCodec: (spec: CodecSpec) => this.registry.createCodec(spec, base),
      hasDeadLetterQueue: this.model.settings.deadLetterQueue !== undefined,
      deadLetter: async (entries) => {
        await this.deadLetter(p.id, entries);
        if (p.kind === 'input') this.stats.deadLetteredByInputs += entries.length;
      },
    };
  }

  /** Store entries in the dead-letter queue; without one, log every entry (with its event) so nothing vanishes. */
  private async deadLetter(pluginId: string, items: Array<{ event?: string; raw?: string; error: string }>): Promise<void> {
    const time = new Date().toISOString();
    const entries: DeadLetterEntry[] = items.map((x) => ({ pipeline: this.id, plugin: pluginId, time, error: x.error, event: x.event, raw: x.raw }));
    if (!this.dlq) {
      this.logger.error('events dead-lettered, but the pipeline has no dead_letter_queue.target: logging them here', { plugin: pluginId, count: entries.length });
      for (const e of entries) this.logger.error('dead letter', { plugin: pluginId, error: e.error, event: e.event ?? e.raw });
      return;
    }
    await this.dlq.write(entries);
    this.logger.warn('events sent to the dead-letter queue', { plugin: pluginId, count: entries.length, target: this.dlq.description });
  }

  /** Create plugins, start workers, then start reading. */
  async start(): Promise<void> {
    if (this.model.inputs.length === 0) throw new Error(`pipeline '${this.id}' has no input`);
    if (this.model.settings.deadLetterQueue) this.dlq = openDeadLetterTarget(this.model.settings.deadLetterQueue, this.logger.child('dead_letter_queue'));
    for (const p of this.outputSpecs) this.outputs.push(await (this.registry.get('output', p.name) as OutputDef).create(p.config as never, this.ctx(p)));
    this.outputChains = this.outputs.map((o) => Array.from({ length: Math.max(1, Math.floor(o.concurrency ?? 1)) }, () => Promise.resolve()));
    this.nextLane = this.outputs.map(() => 0);
    await Promise.all(Array.from({ length: this.model.settings.workers }, (_, i) => this.spawnWorker(i)));
    if (this.fatal) {
      await this.abortStart();
      throw this.fatal;
    }
    this.startWatchdog();
    for (const [i, p] of this.model.inputs.entries()) {
      const input = await (this.registry.get('input', p.name) as InputDef).create(p.config as never, this.ctx(p));
      this.inputs.push(input);
      this.runs.push(this.runInput(i, p, input));
    }
    this.stats.startedAt = Date.now();
    this.finished = Promise.all(this.runs).then(() => this.shutdown());
  }

  private spawnWorker(index: number): Promise<void> {
    return new Promise((resolve) => {
      const watch = new Int32Array(new SharedArrayBuffer(12));
      watch[2] = -1;
      const init: WorkerInit = { model: this.model, watch: watch.buffer as SharedArrayBuffer, index };
      const worker = takeWarmWorker(init) ?? new Worker(WORKER_URL, { workerData: init });
      const slot: WorkerSlot = { worker, index, ready: false, jobs: new Map(), watch, timeouts: [], seen: '', since: 0, retired: false, recycle: [] };
      this.workers[index] = slot;
      worker.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'ready':
            slot.ready = true;
            slot.timeouts = m.timeouts;
            resolve();
            this.pump();
            break;
          case 'init-error':
            // Plugins that cannot be created will not be created by a replacement either: the pipeline fails.
            slot.retired = true;
            this.fatal ??= new Error(`pipeline '${this.id}': worker failed to start: ${m.error}`);
            resolve();
            break;
          case 'result':
            this.onResult(slot, m.seq, m.payloads, m.counts);
            break;
          case 'failed':
            this.onFailed(slot, m.seq, m.error);
            break;
          case 'closed':
            break;
        }
      });
      worker.on('error', (err) => {
        this.logger.error('worker crashed', { worker: index, error: err.message });
      });
      worker.on('exit', () => {
        if (slot.retired || this.closed) return;
        if (!slot.ready) {
          // Died while starting: restarting would loop.
          this.fatal ??= new Error(`pipeline '${this.id}': worker ${index} exited while starting`);
          resolve();
          return;
        }
        // Unexpected exit (crash, out of memory): start a replacement and give it this worker's batches.
        this.logger.error('worker exited unexpectedly; restarting it and re-sending its batches', { worker: index });
        this.replaceWorker(slot, undefined);
      });
    });
  }

  /** Replace a worker (crashed or stuck); its batches go to the front of the queue, with an optional skip. */
  private replaceWorker(slot: WorkerSlot, skip: { seq: number; key: number } | undefined): void {
    slot.retired = true;
    const jobs = [...slot.jobs.values()].sort((a, b) => a.seq - b.seq);
    slot.jobs.clear();
    void slot.worker.terminate();
    for (const j of jobs) {
      j.worker = undefined;
      j.attempts++;
      if (skip && j.seq === skip.seq) j.skips.push(skip.key);
    }
    this.pending.unshift(...jobs);
    void this.spawnWorker(slot.index);
  }

  private startWatchdog(): void {
    const limits = this.workers.flatMap((w) => w.timeouts.filter((t): t is number => typeof t === 'number' && t > 0));
    if (!limits.length) return;
    const tick = Math.min(1000, Math.max(5, Math.floor(Math.min(...limits) / 4)));
    this.watchdog = setInterval(() => {
      const now = Date.now();
      for (const w of this.workers) {
        if (!w.ready || w.retired) continue;
        const filter = w.watch[2]!;
        if (filter < 0) {
          w.seen = '';
          continue;
        }
        const key = `${w.watch[0]}:${w.watch[1]}:${filter}`;
        if (key !== w.seen) {
          w.seen = key;
          w.since = now;
          continue;
        }
        const limit = w.timeouts[filter];
        if (limit && now - w.since >= limit) {
          const seq = w.watch[0]!;
          const ordinal = w.watch[1]!;
          this.logger.warn('filter call exceeded its timeout; restarting the worker and re-running the batch without it', {
            filter: this.filterSpecs[filter]?.id,
            timeout_ms: limit,
          });
          this.replaceWorker(w, { seq, key: ordinal * 4096 + filter });
        }
      }
    }, tick);
    this.watchdog.unref();
  }

  private async runInput(index: number, spec: PluginSpec, input: Input): Promise<void> {
    const codecSpec = spec.config.codec as CodecSpec;
    const probe = this.registry.createCodec(codecSpec, { ...this.ctx(spec), side: 'main' });
    const sink = probe.createJoiner ? this.joiningSink(index, () => probe.createJoiner!(), charsetDecoder(probe.charset)) : this.directSink(index);
    try {
      await input.run(sink.sink);
      await sink.finish();
    } catch (err) {
      // A failing input stops its pipeline cleanly (what was read is still delivered and acknowledged);
      // the error is reported in the stats and the exit status.
      const message = `input ${spec.id} (${spec.where}): ${(err as Error).message}`;
      this.logger.error('input failed; stopping the pipeline', { input: spec.id, error: (err as Error).message });
      this.stats.errors.push(message);
      if (!this.stopping) {
        this.stopping = true;
        for (const i of this.inputs) i.stop();
      }
    }
  }

  private directSink(index: number): { sink: InputSink; finish: () => Promise<void> } {
    const self = this;
    return {
      sink: {
        push: (batch, ack, fail) => this.submit(index, batch, ack, fail),
        get stopping() {
          return self.stopping;
        },
      },
      finish: async () => {},
    };
  }

  /**
   * Multiline codecs join lines on this thread, in order, one joiner per source (file). A pushed batch is
   * acknowledged only when every message holding one of its lines was delivered.
   */
  private joiningSink(index: number, makeJoiner: () => LineJoiner, decodeText: TextDecodeFn): { sink: InputSink; finish: () => Promise<void> } {
    const self = this;
    const joiners = new Map<string, { joiner: LineJoiner; fields?: Record<string, unknown>; waiting: Array<() => void> }>();
    const out: Array<[string, string]> = [];
    const sendMessages = async (fields: Record<string, unknown> | undefined, acks: Array<() => void>) => {
      const msgs = out.splice(0);
      const batch: RawBatch = { kind: 'messages', messages: msgs.map((m) => m[0]), ids: msgs.map((m) => m[1]), fields };
      const ackAll = () => acks.forEach((a) => a());
      if (msgs.length === 0) ackAll();
      else await this.submit(index, batch, ackAll);
    };
    // Ordered completion: acks of a source fire in push order.
    let timer: NodeJS.Timeout | undefined;
    const flushIdle = async () => {
      const now = Date.now();
      for (const st of joiners.values()) {
        const since = st.joiner.pendingSince;
        if (since !== null && st.joiner.autoFlushMillis > 0 && now - since >= st.joiner.autoFlushMillis) {
          st.joiner.flush(out);
          await sendMessages(st.fields, st.waiting.splice(0));
        }
      }
    };
    const sink: InputSink = {
      push: async (batch, ack, fail) => {
        if (batch.kind !== 'bytes') return this.submit(index, batch, ack, fail);
        let st = joiners.get(batch.idPrefix);
        if (!st) {
          st = { joiner: makeJoiner(), fields: batch.fields, waiting: [] };
          joiners.set(batch.idPrefix, st);
          if (st.joiner.autoFlushMillis > 0 && !timer) {
            timer = setInterval(() => void flushIdle(), Math.max(50, Math.floor(st.joiner.autoFlushMillis / 2)));
            timer.unref();
          }
        }
        const buf = Buffer.from(batch.data.buffer, batch.data.byteOffset, batch.data.byteLength);
        let start = 0;
        let line = batch.baseLine ?? 0;
        while (start < buf.length) {
          let end = buf.indexOf(10, start);
          const next = end < 0 ? buf.length : end + 1;
          if (end < 0) end = buf.length;
          let stop = end;
          if (stop > start && buf[stop - 1] === 13) stop--;
          const id = batch.idPrefix + (batch.baseLine !== undefined ? line : batch.baseOffset + start);
          st.joiner.push(decodeText(buf, start, stop), id, out);
          start = next;
          line++;
        }
        if (ack) st.waiting.push(ack);
        // The source ended (file read to its end, rotated file finished): its last message is complete.
        if (batch.final) st.joiner.flush(out);
        // Acks waiting on a still-pending message stay until it completes.
        const acks = st.joiner.pendingSince === null ? st.waiting.splice(0) : [];
        // A finished source is forgotten (an s3 input has one per object: the map would only grow).
        if (batch.final && st.waiting.length === 0) joiners.delete(batch.idPrefix);
        await sendMessages(st.fields, acks);
      },
      get stopping() {
        return self.stopping;
      },
    };
    return {
      sink,
      finish: async () => {
        if (timer) clearInterval(timer);
        for (const st of joiners.values()) {
          st.joiner.flush(out);
          await sendMessages(st.fields, st.waiting.splice(0));
        }
      },
    };
  }

  /** Split a batch to at most batch.size events, queue its parts, ack when all parts are delivered. */
  private async submit(input: number, batch: RawBatch, ack?: () => void, fail?: (error: string) => void): Promise<void> {
    const parts = splitBatch(batch, this.model.settings.batchSize);
    let remaining = parts.length;
    let firstError: string | undefined;
    const done = (error?: string) => {
      firstError ??= error;
      if (--remaining > 0) return;
      if (firstError !== undefined && fail) fail(firstError);
      else ack?.();
    };
    for (let part of parts) {
      await this.acquireSlot();
      let shared: ArrayBufferLike | undefined;
      if (part.kind === 'bytes' || part.kind === 'jsonLines') {
        const bytes = batchBytes.take(part.data.byteLength);
        bytes.set(part.data);
        part = { ...part, data: bytes };
        shared = bytes.buffer;
      }
      const job: Job = { seq: ++this.seq, input, batch: part, skips: [], done, attempts: 0, returnable: fail !== undefined, shared };
      this.pending.push(job);
      this.pump();
    }
  }

  private acquireSlot(): Promise<void> {
    if (this.inflight < this.maxInflight) {
      this.inflight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.slotWaiters.push(() => (this.inflight++, resolve())));
  }

  private releaseSlot(): void {
    this.inflight--;
    const next = this.slotWaiters.shift();
    if (next) next();
    else if (this.inflight === 0) this.drainWaiters.splice(0).forEach((w) => w());
  }

  private pump(): void {
    while (this.pending.length) {
      let best: WorkerSlot | undefined;
      for (const w of this.workers) if (w && w.ready && !w.retired && w.jobs.size < MAX_JOBS_PER_WORKER && (!best || w.jobs.size < best.jobs.size)) best = w;
      if (!best) return;
      const job = this.pending.shift()!;
      job.worker = best;
      best.jobs.set(job.seq, job);
      // Bytes batches are in shared memory (submit): posting them copies nothing.
      const recycle = best.recycle.length ? best.recycle.splice(0) : undefined;
      const msg: ToWorker = { type: 'batch', seq: job.seq, input: job.input, batch: job.batch, skips: job.skips.length ? job.skips : undefined, recycle };
      try {
        best.worker.postMessage(msg, recycle);
      } catch {
        // A buffer that cannot move (detached by a mistake elsewhere) must not hold up the batch.
        best.worker.postMessage({ ...msg, recycle: undefined });
      }
    }
  }

  private onResult(slot: WorkerSlot, seq: number, payloads: unknown[], counts: BatchCounts): void {
    const job = slot.jobs.get(seq);
    if (!job) return; // a stale answer from a worker being replaced
    slot.jobs.delete(seq);
    this.pump();
    this.addCounts(counts);
    const deliveries: Promise<void>[] = [];
    for (let i = 0; i < payloads.length; i++) {
      const payload = payloads[i];
      if (payload === undefined) continue;
      // A failed (returned) delivery must not stop the next payloads of this output.
      const lanes = this.outputChains[i]!;
      const lane = this.nextLane[i]!++ % lanes.length;
      const chained = lanes[lane]!.catch(() => undefined).then(() => this.deliver(i, payload, job));
      lanes[lane] = chained;
      deliveries.push(chained);
    }
    const finish = () => {
      if (job.rejected?.size) {
        this.stats.out -= job.rejected.size;
        this.stats.deadLettered += job.rejected.size;
      }
      this.recycle(slot, payloads);
      this.endJob(job);
      this.releaseSlot();
    };
    if (deliveries.length === 0) finish();
    else Promise.allSettled(deliveries).then((results) => {
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (!failure) return finish();
      const message = (failure.reason as Error)?.message ?? String(failure.reason);
      if (job.returnable && !this.closed) {
        // The input takes the batch back (jetstream: nak with a delay) and it comes again later.
        this.stats.returnedBatches++;
        this.logger.warn('output failed on a batch; handing it back to its input for redelivery', { error: message });
        this.recycle(slot, payloads);
        this.endJob(job, message);
      } else {
        // Only reached when the pipeline is force-closed: the batch stays unacknowledged, so it is re-read.
        this.logger.error('batch not delivered', { error: message });
      }
      this.releaseSlot();
    });
  }

  /** The job is over (its worker is done with its bytes): tell its input, and reuse the batch's memory. */
  private endJob(job: Job, error?: string): void {
    if (job.shared) batchBytes.give(job.shared);
    job.shared = undefined;
    job.done(error);
  }

  /** Hand the written buffers of outputs that let go of their payloads back to the worker that made them. */
  private recycle(slot: WorkerSlot, payloads: unknown[]): void {
    if (slot.retired || this.workers[slot.index] !== slot) return;
    for (let i = 0; i < payloads.length && slot.recycle.length < MAX_RECYCLE_PER_WORKER; i++) {
      if (payloads[i] === undefined || !this.outputs[i]!.releasesPayload) continue;
      for (const ab of receivedBuffers(payloads[i])) if (slot.recycle.length < MAX_RECYCLE_PER_WORKER && !slot.recycle.includes(ab)) slot.recycle.push(ab);
    }
  }

  private onFailed(slot: WorkerSlot, seq: number, error: string): void {
    const job = slot.jobs.get(seq);
    if (!job) return;
    slot.jobs.delete(seq);
    this.pump();
    this.stats.failedBatches++;
    this.logger.error('a worker failed on a batch; it is counted as failed and acknowledged', { error });
    this.endJob(job);
    this.releaseSlot();
  }

  /**
   * Deliver with retries: an output that fails is retried with backoff, holding back its input meanwhile.
   * A batch its input can take back (returnable) gets a few quick attempts, then is handed back.
   */
  private async deliver(i: number, payload: unknown, job: Job): Promise<void> {
    let delay = 100;
    const maxAttempts = job.returnable ? 3 : Infinity;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.outputs[i]!.deliver(payload);
        if (result && result.rejected && result.rejected.length) await this.deadLetterRejected(i, result.rejected, job);
        return;
      } catch (err) {
        if (this.closed || attempt >= maxAttempts) throw err;
        this.logger.error('output failed; retrying', { output: this.outputSpecs[i]!.id, error: (err as Error).message, retry_in_ms: delay });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  /** Events an output rejected for good go to the dead-letter queue; the batch is then acknowledged. */
  private async deadLetterRejected(i: number, rejected: RejectedEvent[], job: Job): Promise<void> {
    const set = (job.rejected ??= new Set());
    const fresh = rejected.filter((r) => !set.has(r.event));
    let delay = 100;
    for (;;) {
      try {
        await this.deadLetter(this.outputSpecs[i]!.id, fresh.map((r) => ({ event: r.event, error: r.error })));
        break;
      } catch (err) {
        if (this.closed) throw err;
        this.logger.error('dead-letter queue write failed; retrying', { error: (err as Error).message, retry_in_ms: delay });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 30_000);
      }
    }
    for (const r of rejected) set.add(r.event);
  }

  private addCounts(c: BatchCounts): void {
    const s = this.stats;
    s.in += c.in;
    s.created += c.created;
    s.out += c.out;
    s.dropped += c.dropped;
    s.failed += c.failed;
    s.truncated += c.truncated;
    for (let i = 0; i < c.filterIn.length; i++) {
      const f = s.filters[i]!;
      f.in += c.filterIn[i]!;
      f.failed! += c.filterFailed[i]!;
      f.dropped! += c.filterDropped[i]!;
    }
    for (let i = 0; i < c.outputIn.length; i++) s.outputs[i]!.in += c.outputIn[i]!;
  }

  getStats(): PipelineStats {
    const stats = structuredClone(this.stats);
    const inputs: NonNullable<PipelineStats['inputs']> = [];
    this.inputs.forEach((input, i) => {
      const spec = this.model.inputs[i]!;
      const m = input.metrics?.();
      if (m) inputs.push({ id: spec.id, name: spec.name, ...m });
    });
    if (inputs.length) stats.inputs = inputs;
    return stats;
  }

  private waitDrained(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  /** Stop reading, deliver what is in flight, close everything. */
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      for (const i of this.inputs) i.stop();
    }
    await this.finished;
  }

  /** Undo a start that failed before any input ran: outputs closed, workers stopped. */
  private async abortStart(): Promise<void> {
    this.closed = true;
    this.stopping = true;
    for (const o of this.outputs) await o.close?.().catch(() => undefined);
    await Promise.all(this.workers.map((w) => w?.worker.terminate()));
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    await this.waitDrained();
    // A chain ends rejected after a batch was handed back to its input: that batch is accounted for already.
    await Promise.all(this.outputChains.flat().map((c) => c.catch(() => undefined)));
    for (const i of this.inputs) await i.close?.();
    for (const o of this.outputs) await o.close?.();
    await this.dlq?.close();
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.stats.endedAt = Date.now();
  }
}

/** Cut a batch into parts of at most `max` lines/messages/events (bytes batches are cut at line ends, into views of it). */
export function splitBatch(batch: RawBatch, max: number): RawBatch[] {
  if (batch.kind === 'messages') {
    if (batch.messages.length <= max) return [batch];
    const parts: RawBatch[] = [];
    for (let i = 0; i < batch.messages.length; i += max)
      parts.push({ ...batch, messages: batch.messages.slice(i, i + max), ids: batch.ids.slice(i, i + max), truncated: batch.truncated?.slice(i, i + max) });
    return parts;
  }
  if (batch.kind === 'events') {
    if (batch.events.length <= max) return [batch];
    const parts: RawBatch[] = [];
    for (let i = 0; i < batch.events.length; i += max) parts.push({ kind: 'events', events: batch.events.slice(i, i + max) });
    return parts;
  }
  if (batch.kind === 'jsonLines') {
    const parts: RawBatch[] = [];
    let index = batch.baseIndex;
    for (const [from, to, lines] of lineRanges(batch.data, max)) {
      parts.push({ ...batch, data: batch.data.subarray(from, to), baseIndex: index });
      index += lines;
    }
    return parts.length > 1 ? parts : [batch];
  }
  const data = batch.data;
  const parts: RawBatch[] = [];
  let line = batch.baseLine;
  for (const [from, to, lines] of lineRanges(data, max)) {
    if (from === 0 && to === data.length) return [batch];
    const part: RawBatch = { ...batch, data: data.subarray(from, to), baseOffset: batch.baseOffset + from, baseLine: line };
    if (batch.truncated) part.truncated = batch.truncated.filter((o) => o >= batch.baseOffset + from && o < batch.baseOffset + to);
    parts.push(part);
    if (line !== undefined) line += lines;
  }
  return parts.length ? parts : [batch];
}

/** Ranges [from, to, lines] of `data` holding at most `max` whole lines each (the last may lack its newline). */
function lineRanges(data: Uint8Array, max: number): Array<[number, number, number]> {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const ranges: Array<[number, number, number]> = [];
  let start = 0;
  let lines = 0;
  for (let pos = 0; pos < buf.length; ) {
    const nl = buf.indexOf(10, pos);
    pos = nl < 0 ? buf.length : nl + 1;
    if (++lines === max || pos === buf.length) {
      ranges.push([start, pos, lines]);
      start = pos;
      lines = 0;
    }
  }
  return ranges;
}
