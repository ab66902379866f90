// The beats input: Filebeat, Winlogbeat and other Beats (and Elastic Agent) over the Lumberjack v2 protocol,
// plain or TLS. A window's events go to the pipeline as one batch (large windows in parts) and the ACK for
// them is written only once every output delivered them, in order, so a Beat resends whatever was not
// acknowledged when a connection breaks. A connection is read no faster than the pipeline takes its events.
//
// Event ids (`[@metadata][_id]`): the id the Beat set there (Filebeat's `@metadata._id`, e.g. from its
// `fingerprint` processor), else a hash of the event as sent. A Beat resends a window byte for byte after a
// reconnect, so a resent event gets the same id and overwrites itself downstream instead of duplicating.
// Two events identical in every byte (same @timestamp, offset, …) would share an id; within one window they
// are told apart by their occurrence.
//
// A protocol violation (unknown version or frame type, a declared length over `max_frame_size`, a broken
// compressed block) closes that connection and is counted; other connections go on.

import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import { inflate } from 'node:zlib';
import { createHash } from 'node:crypto';
import { defineInput, type Codec, type CodecSpec, type Input, type InputSink, type PluginContext } from '../core/plugin.js';
import type { EventData } from '../core/event.js';
import { parseJson } from '../core/serialize.js';
import { ECS_COMPATIBILITY_OPTION, ecsMode } from '../core/ecs.js';
import { TLS_OPTIONS, buildTlsServerOptions, peerRejected, tlsEnabled, type TlsConfig } from './support/http-tls.js';
import { FrameError, ackFrame, parseBlock, parseFrame, type Frame, type FrameLimits } from './beats/lumberjack.js';
import { listenOn } from './support/listen.js';

interface BeatsConfig extends TlsConfig {
  host: string;
  port: number;
  codec: CodecSpec;
  client_inactivity_timeout: number;
  include_codec_tag: boolean;
  add_hostname: boolean;
  ssl_peer_metadata: boolean;
  max_frame_size: number;
  executor_threads?: number;
  ecs_compatibility?: string;
}

export interface BeatsCounters {
  connections: number;
  events: number;
  acks: number;
  /** Connections closed for a protocol violation (bad frame, oversized length, corrupt compression). */
  badFrames: number;
  /** Data frames whose JSON did not parse (kept as `message` with `_jsonparsefailure`). */
  jsonFailures: number;
}

/** Events of one window (or part of one) awaiting their ack. */
interface AckEntry {
  window: number;
  seq: number;
  version: number;
  done: boolean;
}

interface Connection {
  socket: Socket;
  ip: string;
  window: number;
  windowVersion: number;
  windowSize: number;
  received: number;
  events: EventData[];
  lastSeq: number;
  /** Hashes seen in the current batch (identical events get distinct ids). */
  seen: Map<string, number>;
  acks: AckEntry[];
  tlsMeta?: Record<string, unknown>;
}

/** Events per batch when a window is larger than this (each part is acknowledged on its own). */
const MAX_BATCH_EVENTS = 4096;
const EMPTY = Buffer.alloc(0);

function inflateLimited(data: Buffer, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    inflate(data, { maxOutputLength: max }, (err, out) => {
      if (!err) return resolve(out);
      reject(new FrameError((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? `compressed block inflates beyond ${max} bytes` : `corrupt compressed block: ${err.message}`));
    }),
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function addTag(data: EventData, tag: string): void {
  const t = data.tags;
  if (Array.isArray(t)) {
    if (!t.includes(tag)) t.push(tag);
  } else if (t === undefined || t === null) data.tags = [tag];
  else if (t !== tag) data.tags = [t, tag];
}

function setPath(data: EventData, path: string[], value: unknown): void {
  let o = data as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const next = o[path[i]!];
    if (!isObject(next)) o[path[i]!] = {};
    o = o[path[i]!] as Record<string, unknown>;
  }
  o[path[path.length - 1]!] = value;
}

export class BeatsInput implements Input {
  readonly counters: BeatsCounters = { connections: 0, events: 0, acks: 0, badFrames: 0, jsonFailures: 0 };
  private server?: Server;
  private sink?: InputSink;
  private stopped = false;
  private wakeRun?: () => void;
  private readonly sockets = new Set<Socket>();
  private readonly ecs: boolean;
  private readonly limits: FrameLimits;
  private readonly codec: Codec;
  private readonly codecName: string;
  private address?: AddressInfo;
  /** Built when the plugin is created, so a missing certificate is a configuration error, not a runtime one. */
  private readonly tlsOptions?: TlsOptions;
  private lastViolationLog = 0;

  constructor(
    private readonly config: BeatsConfig,
    private readonly ctx: PluginContext,
  ) {
    this.ecs = ecsMode(config.ecs_compatibility) === 'v1';
    this.limits = { maxPayload: config.max_frame_size };
    this.codec = ctx.createCodec(config.codec);
    this.codecName = config.codec.name;
    if (tlsEnabled(config)) this.tlsOptions = buildTlsServerOptions(config, 'beats');
    if (this.codecName === 'multiline') throw new Error('beats: the multiline codec cannot be used; join lines in the Beat (Filebeat multiline settings)');
  }

  get boundAddress(): AddressInfo | undefined {
    return this.address;
  }

  async run(sink: InputSink): Promise<void> {
    this.sink = sink;
    const c = this.config;
    const onSocket = (socket: Socket) => {
      if (this.stopped) return socket.destroy();
      void this.serve(socket);
    };
    let server: Server;
    if (tlsEnabled(c)) {
      server = createTlsServer(this.tlsOptions!, (s: TLSSocket) => {
        if (peerRejected(s, c)) return s.destroy();
        onSocket(s);
      });
      server.on('tlsClientError', (err: Error) => this.ctx.logger.debug('TLS handshake failed', { error: err.message }));
    } else server = createNetServer(onSocket);
    this.server = server;
    this.address = await listenOn(server, c.port, c.host);
    this.ctx.logger.info('beats input listening', { address: `${this.address.address}:${this.address.port}`, tls: tlsEnabled(c) });
    if (!this.stopped) await new Promise<void>((r) => (this.wakeRun = r));
    // No new connections; open ones get the ACKs of what was handed over (written until close()), and
    // whatever arrives from now on is discarded unacknowledged, so the Beats resend it elsewhere or later.
    server.close();
  }

  stop(): void {
    this.stopped = true;
    this.wakeRun?.();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
  }

  private tlsMetadata(socket: Socket): Record<string, unknown> | undefined {
    if (!this.config.ssl_peer_metadata || !tlsEnabled(this.config)) return undefined;
    const s = socket as TLSSocket;
    const cert = s.getPeerCertificate?.();
    const verified = s.authorized && !!cert && Object.keys(cert).length > 0;
    const subject = verified ? Object.entries(cert.subject ?? {}).map(([k, v]) => `${k}=${v}`).join(',') : undefined;
    const cipher = s.getCipher?.()?.standardName;
    const protocol = s.getProtocol?.() ?? undefined;
    if (!this.ecs) return { tls_peer: verified ? { status: 'verified', protocol, subject, cipher_suite: cipher } : { status: 'unverified' } };
    const meta: Record<string, unknown> = { tls_peer: { status: verified } };
    if (verified) meta.input = { beats: { tls: { version_protocol: protocol, client: { subject }, cipher } } };
    return meta;
  }

  private async serve(socket: Socket): Promise<void> {
    this.counters.connections++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.config.client_inactivity_timeout * 1000, () => socket.destroy());
    socket.on('error', (err) => this.ctx.logger.debug('beats connection error', { error: err.message }));
    const conn: Connection = {
      socket,
      ip: socket.remoteAddress ?? '',
      window: 0,
      windowVersion: 2,
      windowSize: 0,
      received: 0,
      events: [],
      lastSeq: 0,
      seen: new Map(),
      acks: [],
      tlsMeta: this.tlsMetadata(socket),
    };
    let buf: Buffer = EMPTY;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let need = 2;
    try {
      // Reading through the async iterator gives backpressure: no more data is read while a frame is handled.
      for await (const chunk of socket) {
        if (this.stopped) continue;
        pending.push(chunk as Buffer);
        pendingBytes += (chunk as Buffer).length;
        if (buf.length + pendingBytes < need) continue;
        buf = Buffer.concat(buf.length ? [buf, ...pending] : pending);
        pending = [];
        pendingBytes = 0;
        let off = 0;
        for (;;) {
          const r = parseFrame(buf, off, this.limits);
          if ('need' in r) {
            need = r.need;
            break;
          }
          off = r.next;
          await this.onFrame(r.frame, conn);
        }
        buf = off >= buf.length ? EMPTY : buf.subarray(off);
      }
      // The client closed: what arrived of an unfinished window is kept (ids make a resend harmless).
      if (conn.events.length && !this.stopped) await this.flush(conn);
    } catch (err) {
      if (err instanceof FrameError) {
        this.counters.badFrames++;
        // At most one line a second: a flood of bad connections must not flood the log.
        const now = Date.now();
        if (now - this.lastViolationLog >= 1000) {
          this.ctx.logger.warn('beats: protocol violation, connection closed', { client: conn.ip, error: err.message, violations_total: this.counters.badFrames });
          this.lastViolationLog = now;
        }
      } else this.ctx.logger.debug('beats: connection ended', { client: conn.ip, error: (err as Error).message });
      socket.destroy();
    } finally {
      this.sockets.delete(socket);
    }
  }

  private async onFrame(frame: Frame, conn: Connection): Promise<void> {
    switch (frame.type) {
      case 'window':
        if (conn.events.length) await this.flush(conn);
        conn.window++;
        conn.windowVersion = frame.version;
        conn.windowSize = frame.size;
        conn.received = 0;
        conn.seen.clear();
        return;
      case 'compressed': {
        const block = await inflateLimited(frame.payload, this.limits.maxPayload);
        for (const inner of parseBlock(block, this.limits)) await this.onFrame(inner, conn);
        return;
      }
      case 'json':
      case 'data': {
        for (const e of this.toEvents(frame, conn)) conn.events.push(e);
        conn.lastSeq = frame.seq;
        conn.received++;
        if (conn.received >= conn.windowSize || conn.events.length >= MAX_BATCH_EVENTS) await this.flush(conn);
        return;
      }
    }
  }

  private toEvents(frame: Extract<Frame, { type: 'json' | 'data' }>, conn: Connection): EventData[] {
    let data: EventData;
    if (frame.type === 'json') {
      const text = frame.payload.toString('utf8');
      let v: unknown;
      try {
        v = parseJson(text);
      } catch {
        v = undefined;
      }
      if (isObject(v)) data = v;
      else {
        this.counters.jsonFailures++;
        data = { message: text, tags: ['_jsonparsefailure'] };
      }
    } else {
      data = { ...frame.fields };
      // Lumberjack v1 senders (logstash-forwarder) name the text `line`.
      if (data.message === undefined && typeof data.line === 'string') {
        data.message = data.line;
        delete data.line;
      }
    }
    const meta = isObject(data['@metadata']) ? data['@metadata'] : {};
    data['@metadata'] = meta;
    let id = typeof meta._id === 'string' && meta._id !== '' ? meta._id : undefined;
    if (id === undefined) {
      const h = 'beats:' + createHash('sha256').update(frame.payload).digest('base64url').slice(0, 22);
      const n = conn.seen.get(h) ?? 0;
      conn.seen.set(h, n + 1);
      id = n === 0 ? h : `${h}-${n}`;
    }
    meta._id = id;
    // Where it came from, under Logstash's names.
    const agent = isObject(data.agent) ? data.agent : isObject(data.beat) ? data.beat : undefined;
    const hostname = agent && typeof agent.hostname === 'string' ? agent.hostname : agent && typeof agent.name === 'string' ? agent.name : undefined;
    if (this.ecs) {
      setPath(meta, ['input', 'beats', 'host', 'ip'], conn.ip);
      if (hostname !== undefined) setPath(meta, ['input', 'beats', 'host', 'name'], hostname);
    } else {
      meta.ip_address = conn.ip;
      if (this.config.add_hostname && hostname !== undefined && data.host === undefined) data.host = hostname;
    }
    if (conn.tlsMeta) {
      for (const [k, v] of Object.entries(conn.tlsMeta)) {
        if (isObject(v) && isObject(meta[k])) Object.assign(meta[k] as object, v);
        else meta[k] = v;
      }
    }
    if (typeof data.message !== 'string') {
      if (this.config.include_codec_tag) addTag(data, 'beats_input_raw_event');
      return [data];
    }
    if (this.codecName === 'plain') {
      if (this.config.include_codec_tag) addTag(data, 'beats_input_codec_plain_applied');
      return [data];
    }
    // Another codec: decode the message; the Beat's fields are kept beside what the codec produced.
    const out: EventData[] = [];
    const message = data.message;
    this.codec.decode(message, (decoded) => {
      const e: EventData = { ...data, ...decoded };
      if (!('message' in decoded)) delete e.message;
      e['@metadata'] = { ...meta, ...(isObject(decoded['@metadata']) ? decoded['@metadata'] : {}), _id: out.length === 0 ? id : `${id}.${out.length}` };
      if (this.config.include_codec_tag) addTag(e, `beats_input_codec_${this.codecName}_applied`);
      out.push(e);
    });
    return out;
  }

  /** Hand the collected events to the pipeline; their ACK goes out once delivered, in window order. */
  private async flush(conn: Connection): Promise<void> {
    const events = conn.events;
    conn.events = [];
    if (this.stopped) return; // never acknowledged: the Beat resends them
    const entry: AckEntry = { window: conn.window, seq: conn.lastSeq, version: conn.windowVersion, done: false };
    conn.acks.push(entry);
    this.counters.events += events.length;
    await this.sink!.push({ kind: 'events', events }, () => {
      entry.done = true;
      this.sendAcks(conn);
    });
  }

  private sendAcks(conn: Connection): void {
    const out: Buffer[] = [];
    while (conn.acks.length && conn.acks[0]!.done) {
      const e = conn.acks.shift()!;
      // Several finished parts of one window: only the highest sequence needs saying.
      const next = conn.acks[0];
      if (next && next.done && next.window === e.window) continue;
      out.push(ackFrame(e.version, e.seq));
    }
    if (!out.length || conn.socket.destroyed) return;
    this.counters.acks += out.length;
    conn.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  }
}

export default defineInput<BeatsConfig>({
  name: 'beats',
  description: 'Receives events from Elastic Beats (Filebeat, Winlogbeat, …) over the Lumberjack v2 protocol, with TLS/mTLS; ACKs only after downstream delivery.',
  notes:
    'Beats metadata is kept: `[@metadata][beat]`, `[@metadata][type]`, `[@metadata][version]` as sent, plus `[@metadata][ip_address]` (legacy) or ' +
    '`[@metadata][input][beats][host][ip]`/`[host][name]` (ECS). Event ids: `[@metadata][_id]` when the Beat sets it, else a hash of the event as sent ' +
    '(a resent window overwrites itself downstream). Events with a `message` get the tag `beats_input_codec_<codec>_applied`, others `beats_input_raw_event` ' +
    '(`include_codec_tag`). No keep-alive ACKs are sent while the pipeline is blocked: a Beat that times out reconnects and resends, which the ids make harmless.',
  options: {
    host: { type: 'string', default: '0.0.0.0', description: 'Address to listen on.' },
    port: { type: 'number', required: true, description: 'TCP port to listen on (0: any free port).', example: 'port => 5044' },
    codec: { type: 'codec', default: 'plain', description: 'Codec applied to each event\'s `message` (plain: kept as is).' },
    client_inactivity_timeout: { type: 'number', default: 60, description: 'Seconds of silence after which a connection is closed.' },
    include_codec_tag: { type: 'boolean', default: true, description: 'Tag events with `beats_input_codec_<codec>_applied` (or `beats_input_raw_event` when they have no message).' },
    add_hostname: { type: 'boolean', default: false, description: 'Legacy mode: set `host` from the Beat\'s hostname when the event has none (deprecated in Logstash).' },
    ssl_peer_metadata: { type: 'boolean', default: false, description: 'Put the client certificate\'s status and subject, protocol and cipher into `[@metadata]`.' },
    max_frame_size: {
      type: 'bytes',
      default: '64MiB',
      description: 'Largest frame (and decompressed block) accepted; a larger declared length closes the connection as a protocol violation.',
    },
    executor_threads: { type: 'number', description: 'Accepted for compatibility; connections are served by the event loop.' },
    ecs_compatibility: ECS_COMPATIBILITY_OPTION,
    ...TLS_OPTIONS,
  },
  create(config, ctx) {
    return new BeatsInput(config, ctx);
  },
});
