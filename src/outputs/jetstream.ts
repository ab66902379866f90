// The jetstream output: the end of a front-tier pipeline. Events are packed many to a message (gzip, see
// src/core/stream/batch.ts) on the worker threads; delivery publishes each message with a deterministic
// `Nats-Msg-Id` and resolves only once the stream's PubAck arrived, so the input's checkpoint advances only
// for data the stream has stored. Publishes that fail (no leader during an election, a reconnect, a timeout)
// are retried with the same id; the duplicate window drops any copy the stream already had.

import { defineOutput, type Output } from '../core/plugin.js';
import type { Event, EventData } from '../core/event.js';
import { compileSprintf } from '../core/sprintf.js';
import { packEvents, encodingHeader, BATCH_ENCODING_HEADER, BATCH_EVENTS_HEADER, type Compression, type StreamMessage } from '../core/stream/batch.js';
import {
  CONNECTION_OPTIONS,
  STREAM_OPTIONS,
  defaultSubjects,
  ensureStream,
  isRetryable,
  openNats,
  sleep,
  type NatsConnectionConfig,
  type NatsHandle,
  type StreamConfig,
} from '../core/stream/nats.js';
import { natsTransport } from '../core/libs.js';

/** Tuples rather than objects: the runtime moves byte arrays inside arrays between threads without copying. */
type JetstreamPayload = Array<[subject: string, id: string, data: Uint8Array, count: number]>;

const toPayload = (messages: StreamMessage[]): JetstreamPayload => messages.map((m) => [m.subject, m.id, m.data, m.count]);

interface JetstreamOutputConfig extends NatsConnectionConfig, StreamConfig {
  subject: string;
  stream_subjects?: string[];
  compression: Compression;
  max_message_bytes: number;
  publish_timeout: number;
  retry_timeout: number;
}

export default defineOutput<JetstreamOutputConfig>({
  name: 'jetstream',
  description:
    'Publishes events to a NATS JetStream stream, many events per message (compressed), each message acknowledged by the stream before the input is. The front tier of a scale-out deployment; workers read with the `jetstream` input.',
  notes:
    'The message id (`Nats-Msg-Id`) is derived from the events\' `[@metadata][_id]`, so a publish retried after a failure or a restart of the front is dropped by the stream\'s duplicate window. Events keep their `@metadata` inside the stream.',
  options: {
    ...CONNECTION_OPTIONS,
    ...STREAM_OPTIONS,
    subject: {
      type: 'string',
      required: true,
      description: 'Subject to publish to; may use event fields (sprintf). Events are grouped per subject.',
      example: 'subject => "logs.%{[@metadata][type]}"',
    },
    compression: {
      type: 'string',
      default: 'brotli',
      enum: ['brotli', 'gzip', 'none'],
      description: 'Compression of each message: brotli at quality 1 (compresses log events about 2.7x faster than gzip level 1, and a little smaller), gzip at level 1, or none. The jetstream input reads all three.',
    },
    max_message_bytes: {
      type: 'bytes',
      default: '900KiB',
      description: 'Largest message published; a bigger batch is split. Must stay below the server\'s `max_payload` (1 MB by default).',
    },
    publish_timeout: { type: 'number', default: 5, description: 'Seconds to wait for the stream\'s acknowledgement of one publish before retrying it.' },
    retry_timeout: {
      type: 'number',
      default: 30,
      description: 'Seconds a failing publish is retried (with the same message id) before the delivery fails; the pipeline then retries it with backoff, still holding back the input.',
    },
  },
  create(config, ctx) {
    const template = compileSprintf(config.subject);
    const templated = config.subject.includes('%{');
    let handle: Promise<NatsHandle> | undefined;
    let warnedStream = false;

    const connection = (): Promise<NatsHandle> => {
      handle ??= (async () => {
        const h = await openNats(config, config.connect_name ?? `sluice ${ctx.pipelineId}.${ctx.pluginId}`, ctx.logger, config.publish_timeout * 1000);
        try {
          await ensureStream(h.jsm, config, defaultSubjects(config.subject, config.stream), ctx.logger);
        } catch (err) {
          await h.nc.close();
          throw err;
        }
        return h;
      })();
      handle.catch(() => (handle = undefined));
      return handle;
    };

    const publish = async (h: NatsHandle, m: StreamMessage): Promise<void> => {
      const deadline = Date.now() + config.retry_timeout * 1000;
      let delay = 100;
      for (;;) {
        try {
          const hdrs = natsTransport().headers();
          hdrs.set(BATCH_ENCODING_HEADER, encodingHeader(config.compression));
          hdrs.set(BATCH_EVENTS_HEADER, String(m.count));
          const ack = await h.js.publish(m.subject, m.data, { msgID: m.id, headers: hdrs, timeout: config.publish_timeout * 1000 });
          if (ack.stream !== config.stream && !warnedStream) {
            warnedStream = true;
            ctx.logger.warn('subject is stored by another stream than the configured one', { subject: m.subject, stream: ack.stream, expected: config.stream });
          }
          return;
        } catch (err) {
          if (!isRetryable(err) || Date.now() + delay > deadline) {
            if (/no responders|not enabled/i.test((err as Error).message)) {
              throw new Error(`no stream stored subject '${m.subject}' (is it among the subjects of stream '${config.stream}'? during a leader election this passes): ${(err as Error).message}`);
            }
            throw err;
          }
          ctx.logger.debug('publish failed; retrying with the same message id', { subject: m.subject, id: m.id, error: (err as Error).message });
          await sleep(delay);
          delay = Math.min(delay * 2, 1000);
        }
      }
    };

    const output: Output = {
      encode(events: Event[]): JetstreamPayload {
        if (!templated) return toPayload(packEvents(config.subject, events.map((e) => e.data), config.compression, config.max_message_bytes));
        const groups = new Map<string, EventData[]>();
        for (const e of events) {
          const subject = template(e);
          let list = groups.get(subject);
          if (!list) groups.set(subject, (list = []));
          list.push(e.data);
        }
        const messages: StreamMessage[] = [];
        for (const [subject, list] of groups) messages.push(...packEvents(subject, list, config.compression, config.max_message_bytes));
        return toPayload(messages);
      },

      async deliver(payload: unknown): Promise<void> {
        const h = await connection();
        // All messages of a batch are published at once: the stream acknowledges them in one round trip's time.
        await Promise.all((payload as JetstreamPayload).map(([subject, id, data, count]) => publish(h, { subject, id, data, count })));
      },

      async close(): Promise<void> {
        const h = handle;
        handle = undefined;
        if (h) await h.then((x) => x.nc.drain()).catch(() => undefined);
      },
    };
    return output;
  },
});
