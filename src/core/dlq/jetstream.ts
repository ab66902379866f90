// Dead-letter queue in a JetStream subject: `nats://[user:pass@]host:port/<subject>[?stream=NAME&replicas=3&servers=host2:4222,host3:4222]`
// (`tls://` for TLS). Each entry is one message (JSON) whose `Nats-Msg-Id` is a hash of the entry's origin and
// content, so writing the same entries again after a failure stores them once.

import type { Logger } from '../logger.js';
import type { DeadLetterEntry, DeadLetterTarget, StoredDeadLetter } from './target.js';
import { cryptoLib } from '../libs.js';
import { ensureStream, isRetryable, openNats, sleep, type NatsHandle } from '../stream/nats.js';

export interface JetStreamDlqAddress {
  servers: string[];
  user?: string;
  password?: string;
  tls: boolean;
  subject: string;
  stream: string;
  replicas: number;
}

export function parseJetStreamDlqUrl(url: URL): JetStreamDlqAddress {
  const tls = url.protocol === 'tls:';
  const subject = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  if (!subject) throw new Error(`dead_letter_queue.target ${url.protocol}//${url.host}: the path must name the subject, e.g. nats://host:4222/sluice.dlq`);
  const hostPort = url.host || '127.0.0.1:4222';
  const extra = (url.searchParams.get('servers') ?? '').split(',').filter(Boolean);
  const scheme = tls ? 'tls' : 'nats';
  const servers = [hostPort, ...extra].map((s) => (s.includes('://') ? s : `${scheme}://${s}`));
  const stream = url.searchParams.get('stream') ?? `DLQ_${subject.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const replicas = Number(url.searchParams.get('replicas') ?? '1');
  return {
    servers,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    tls,
    subject,
    stream,
    replicas: Number.isInteger(replicas) && replicas > 0 ? replicas : 1,
  };
}

export function entryId(e: DeadLetterEntry): string {
  const h = cryptoLib().createHash('sha256');
  // The time is part of it: an event dead-lettered again later (a replay that fails again) is a new entry, while a
  // write retried after a failure (same entries, same time) is stored once.
  h.update(e.pipeline).update('\0').update(e.plugin).update('\0').update(e.time).update('\0').update(e.event ?? '').update('\0').update(e.raw ?? '');
  return `dlq-${h.digest('base64url').slice(0, 32)}`;
}

export class JetStreamDeadLetterTarget implements DeadLetterTarget {
  readonly description: string;
  private handle?: Promise<NatsHandle>;
  private readonly address: JetStreamDlqAddress;

  constructor(
    url: URL,
    private readonly logger: Logger,
  ) {
    this.address = parseJetStreamDlqUrl(url);
    this.description = `${this.address.servers.join(',')}/${this.address.subject} (stream ${this.address.stream})`;
  }

  private connection(): Promise<NatsHandle> {
    const a = this.address;
    this.handle ??= (async () => {
      const h = await openNats({ servers: a.servers, user: a.user, password: a.password, ssl_enabled: a.tls }, 'sluice dead-letter queue', this.logger);
      await ensureStream(
        h.jsm,
        { stream: a.stream, create_stream: true, replicas: a.replicas, max_age: 0, max_bytes: 0, retention: 'limits', storage: 'file', duplicate_window: 120 },
        [a.subject],
        this.logger,
      );
      return h;
    })();
    this.handle.catch(() => (this.handle = undefined));
    return this.handle;
  }

  async write(entries: DeadLetterEntry[]): Promise<void> {
    if (!entries.length) return;
    const h = await this.connection();
    const encoder = new TextEncoder();
    const window = 64;
    for (let i = 0; i < entries.length; i += window) {
      await Promise.all(
        entries.slice(i, i + window).map(async (e) => {
          const data = encoder.encode(JSON.stringify(e));
          for (let attempt = 0; ; attempt++) {
            try {
              await h.js.publish(this.address.subject, data, { msgID: entryId(e) });
              return;
            } catch (err) {
              if (!isRetryable(err) || attempt >= 40) throw err;
              await sleep(250);
            }
          }
        }),
      );
    }
  }

  async *list(): AsyncIterable<StoredDeadLetter> {
    const h = await this.connection();
    const info = await h.jsm.streams.info(this.address.stream);
    const last = info.state.last_seq;
    if (info.state.messages === 0) return;
    const consumer = await h.js.consumers.get(this.address.stream);
    try {
      for (;;) {
        const m = await consumer.next({ expires: 2000 });
        if (!m) break;
        if (m.subject === this.address.subject) {
          let entry: DeadLetterEntry;
          try {
            entry = m.json<DeadLetterEntry>();
          } catch {
            entry = { pipeline: '', plugin: '', time: new Date(m.info.timestampNanos / 1e6).toISOString(), error: 'not a dead-letter entry', raw: Buffer.from(m.data).toString('base64') };
          }
          yield { ref: m.seq, entry };
        }
        if (m.seq >= last) break;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }

  async remove(refs: number[]): Promise<void> {
    const h = await this.connection();
    for (const seq of refs) await h.jsm.streams.deleteMessage(this.address.stream, seq, false).catch((err: Error) => {
      if (!/not found|no message/i.test(err.message)) throw err;
    });
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    if (h) await h.then((x) => x.nc.drain()).catch(() => undefined);
  }
}
