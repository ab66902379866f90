// The jetstream input: the start of a worker pipeline. Every process running the same config joins one
// durable pull consumer, so the stream's messages are shared between them (each message goes to one worker
// at a time). A message (a batch packed by the jetstream output) is unpacked into its events, which keep
// their `[@metadata][_id]`; it is acknowledged only after every output delivered every one of its events.
//
// When an output keeps failing, the message is handed back (nak with a growing delay) and comes again, to
// this worker or another. After `max_deliver` deliveries it goes to the pipeline's dead-letter queue, then is
// acknowledged; without a dead-letter queue it is kept in the stream (nak, retried slowly) and reported.
// Messages held longer than a third of `ack_wait` (a slow output, a full pipeline) get `working` so the
// server does not hand them to another worker meanwhile. Nothing is written to local disk.
//
// Memory is bounded: at most `max_in_flight` messages are held (fetched and not yet acknowledged), and each
// pull asks only for the free room.

import type { Consumer, JsMsg } from '@nats-io/jetstream';
import { defineInput, type Input, type InputSink, type PluginContext } from '../core/plugin.js';
import { BATCH_ENCODING_HEADER, messageBytes, messageLines } from '../core/stream/batch.js';
import {
  CONNECTION_OPTIONS,
  STREAM_OPTIONS,
  defaultSubjects,
  durableName,
  ensureStream,
  nanos,
  openNats,
  sleep,
  type NatsConnectionConfig,
  type NatsHandle,
  type StreamConfig,
} from '../core/stream/nats.js';
import { natsJetStream } from '../core/libs.js';

interface JetstreamInputConfig extends NatsConnectionConfig, StreamConfig {
  consumer?: string;
  subject?: string;
  stream_subjects?: string[];
  max_deliver: number;
  ack_wait: number;
  max_in_flight: number;
  nak_delay: number;
  nak_max_delay: number;
}

interface Held {
  msg: JsMsg;
  /** ms time of the last sign of life sent to the server (delivery or `working`). */
  touched: number;
}

export class JetstreamInput implements Input {
  private stopped = false;
  private handle?: NatsHandle;
  private readonly held = new Set<Held>();
  private roomWaiters: Array<() => void> = [];
  private heartbeat?: NodeJS.Timeout;
  private readonly durable: string;

  constructor(
    private readonly config: JetstreamInputConfig,
    private readonly ctx: PluginContext,
  ) {
    this.durable = durableName(config.consumer ?? `sluice_${ctx.pipelineId}_${ctx.pluginId}`);
  }

  async run(sink: InputSink): Promise<void> {
    const { config, ctx } = this;
    const h = await openNats(config, config.connect_name ?? `sluice ${ctx.pipelineId}.${ctx.pluginId}`, ctx.logger);
    this.handle = h;
    const consumer = await this.joinConsumer(h);
    ctx.logger.info('joined consumer', { stream: config.stream, consumer: this.durable });
    const every = Math.max(250, Math.floor((config.ack_wait * 1000) / 3));
    this.heartbeat = setInterval(() => this.keepAlive(every), Math.min(every, 5000));
    this.heartbeat.unref();

    // Messages are held (and kept alive) from the moment they arrive, while they wait for room in the pipeline.
    const waiting: Held[] = [];
    let wake: (() => void) | undefined;
    let pulling = true;
    const processing = (async () => {
      for (;;) {
        const next = waiting.shift();
        if (next) await this.take(next, sink);
        else if (!pulling) return;
        else await new Promise<void>((r) => (wake = r));
      }
    })();
    try {
      while (!this.stopped && !sink.stopping) {
        const room = config.max_in_flight - this.held.size;
        if (room <= 0) {
          await new Promise<void>((r) => this.roomWaiters.push(r));
          continue;
        }
        try {
          const batch = await consumer.fetch({ max_messages: room, expires: 2000 });
          for await (const msg of batch) {
            if (this.stopped || sink.stopping) {
              msg.nak(); // let another worker have it now rather than after ack_wait
              continue;
            }
            const held: Held = { msg, touched: Date.now() };
            this.held.add(held);
            waiting.push(held);
            wake?.();
          }
        } catch (err) {
          if (this.stopped) break;
          ctx.logger.warn('pull from the stream failed; retrying', { stream: config.stream, consumer: this.durable, error: (err as Error).message });
          await sleep(1000);
        }
      }
    } finally {
      pulling = false;
      wake?.();
      await processing;
    }
  }

  /** Create the stream and the durable consumer when missing; every worker with the same config gets the same one. */
  private async joinConsumer(h: NatsHandle): Promise<Consumer> {
    const { config, ctx } = this;
    for (let attempt = 0; ; attempt++) {
      try {
        await ensureStream(h.jsm, config, defaultSubjects(config.subject, config.stream), ctx.logger);
        try {
          await h.jsm.consumers.info(config.stream, this.durable);
        } catch (err) {
          if (!/not found/i.test((err as Error).message)) throw err;
          await h.jsm.consumers
            .add(config.stream, {
              durable_name: this.durable,
              ack_policy: natsJetStream().AckPolicy.Explicit,
              deliver_policy: natsJetStream().DeliverPolicy.All,
              ack_wait: nanos(config.ack_wait),
              // Sluice counts deliveries itself, so a message over the limit goes to the dead-letter queue
              // instead of being left behind by the server.
              max_deliver: -1,
              ...(config.subject ? { filter_subject: config.subject } : {}),
            })
            .catch((e: Error) => {
              if (!/already (exists|in use)/i.test(e.message)) throw e;
            });
        }
        return await h.js.consumers.get(config.stream, this.durable);
      } catch (err) {
        if (this.stopped || attempt >= 60) throw err;
        ctx.logger.warn('cannot set up the stream consumer yet; retrying', { error: (err as Error).message });
        await sleep(1000);
      }
    }
  }

  private async take(held: Held, sink: InputSink): Promise<void> {
    const { config, ctx } = this;
    const msg = held.msg;
    if (this.stopped || sink.stopping) {
      this.release(held);
      msg.nak();
      return;
    }
    const deliveries = msg.info.deliveryCount;
    if (deliveries > config.max_deliver) {
      await this.giveUp(msg, `delivered ${deliveries - 1} times without being acknowledged (max_deliver ${config.max_deliver})`);
      this.release(held);
      return;
    }
    // Decompressed here (a damaged message goes to the dead-letter queue at once); the workers cut and parse the
    // lines.
    let data: Buffer;
    try {
      data = messageBytes(msg.data, msg.headers?.get(BATCH_ENCODING_HEADER));
    } catch (err) {
      await this.giveUp(msg, `cannot unpack the message: ${(err as Error).message}`);
      this.release(held);
      return;
    }
    if (!data.length) {
      msg.ack();
      this.release(held);
      return;
    }
    await sink.push(
      { kind: 'jsonLines', data, idPrefix: `jetstream:${config.stream}:${msg.seq}`, baseIndex: 0 },
      () => {
        msg.ack();
        this.release(held);
      },
      (error) => {
        if (deliveries >= config.max_deliver) {
          // Still held (kept alive) until the dead-letter queue has it.
          void this.giveUp(msg, `output failed ${deliveries} times: ${error}`).finally(() => this.release(held));
          return;
        }
        this.release(held);
        const delay = Math.min(config.nak_delay * 1000 * 2 ** (deliveries - 1), config.nak_max_delay * 1000);
        ctx.logger.warn('batch not delivered; the stream will deliver it again', { seq: msg.info.streamSequence, delivery: deliveries, retry_in_ms: delay, error });
        msg.nak(delay);
      },
    );
  }

  /** After max_deliver (or for a message that cannot be read): the dead-letter queue, then ack. Never dropped. */
  private async giveUp(msg: JsMsg, error: string): Promise<void> {
    const { config, ctx } = this;
    if (!ctx.hasDeadLetterQueue || !ctx.deadLetter) {
      ctx.logger.error('giving up on a stream message, but the pipeline has no dead_letter_queue.target: it stays in the stream and is retried', {
        stream: config.stream,
        seq: msg.info.streamSequence,
        error,
        retry_in_ms: config.nak_max_delay * 1000,
      });
      msg.nak(config.nak_max_delay * 1000);
      return;
    }
    let entries: Array<{ event?: string; raw?: string; error: string }>;
    try {
      entries = messageLines(msg.data, msg.headers?.get(BATCH_ENCODING_HEADER)).map((line) => (line.startsWith('{') ? { event: line, error } : { raw: line, error }));
    } catch {
      entries = [{ raw: Buffer.from(msg.data).toString('base64'), error }];
    }
    try {
      await ctx.deadLetter(entries);
      msg.ack();
      ctx.logger.warn('stream message sent to the dead-letter queue', { seq: msg.info.streamSequence, events: entries.length, error });
    } catch (err) {
      ctx.logger.error('dead-letter queue write failed; the message stays in the stream', { error: (err as Error).message });
      msg.nak(config.nak_delay * 1000);
    }
  }

  private release(held: Held): void {
    this.held.delete(held);
    this.roomWaiters.splice(0).forEach((w) => w());
  }

  /** Tell the server we still work on messages held for a while (slow outputs, full pipeline). */
  private keepAlive(every: number): void {
    const now = Date.now();
    for (const h of this.held) {
      if (now - h.touched >= every) {
        h.msg.working();
        h.touched = now;
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.roomWaiters.splice(0).forEach((w) => w());
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    // Anything still held was not delivered: hand it back at once.
    for (const h of this.held) h.msg.nak();
    this.held.clear();
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await handle.nc.drain().catch(() => undefined);
  }
}

export default defineInput<JetstreamInputConfig>({
  name: 'jetstream',
  description:
    'Reads events from a NATS JetStream stream through a durable pull consumer shared by every process running the same config (the workers of a scale-out deployment). Keeps no local state.',
  notes:
    'A message is acknowledged once every output delivered all its events; a failing output makes it come again (nak with delay), and after `max_deliver` deliveries it goes to the pipeline\'s dead-letter queue. Events keep the `[@metadata][_id]` they had in the front tier.',
  options: {
    ...CONNECTION_OPTIONS,
    ...STREAM_OPTIONS,
    consumer: {
      type: 'string',
      description: 'Durable consumer name; every worker with the same name shares the work. Default: `sluice_<pipeline id>_<plugin id>`.',
      example: 'consumer => "firewall-workers"',
    },
    subject: { type: 'string', description: 'Only messages on this subject (wildcards allowed): the consumer\'s filter. Default: every subject of the stream.', example: 'subject => "logs.>"' },
    max_deliver: { type: 'number', default: 10, description: 'Deliveries of a message before it goes to the dead-letter queue.' },
    ack_wait: { type: 'number', default: 60, description: 'Seconds the server waits for an acknowledgement before delivering a message to another worker (a worker that died). Held messages are kept alive with `working`.' },
    max_in_flight: { type: 'number', default: 16, description: 'Messages (batches) held by this process at most; bounds memory.' },
    nak_delay: { type: 'number', default: 2, description: 'Seconds before a message whose delivery failed comes again; doubles with each delivery.' },
    nak_max_delay: { type: 'number', default: 60, description: 'Upper bound of the redelivery delay, in seconds.' },
  },
  create(config, ctx) {
    return new JetstreamInput(config, ctx);
  },
});
