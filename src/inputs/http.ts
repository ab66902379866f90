// The http input: events from HTTP(S) request bodies, decoded by a codec chosen from the Content-Type
// (`additional_codecs`, else `codec`), as Logstash's http input does. Optionally an Elasticsearch-compatible
// surface (`elasticsearch_api`): `GET /`, health/license probes, `_bulk` and single-document indexing, so
// shippers that write to Elasticsearch can write here.
//
// A response is sent only once every event of the request was delivered by every output (the pipeline's
// ack), so a 2xx means "durable downstream". Memory is bounded: at most `max_pending_requests` requests may
// be reading or waiting to enter the pipeline (and `max_pending_bytes` of their bodies); beyond that the
// answer is 429 at once, which is how Logstash signals a full pipeline.
//
// Event ids are deterministic from the content, so a client that resends a request after a failure
// overwrites instead of duplicating: the `_id` a `_bulk` client gives, else a hash of index and source line;
// for plain requests a hash of the body and the event's position in it (`[@metadata][_id]` set by the
// sender is kept).

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket, TlsOptions } from 'node:tls';
import * as crypto from 'node:crypto';
import { createHash, timingSafeEqual } from 'node:crypto';
import { gunzip, inflate, brotliDecompress, type InputType } from 'node:zlib';
import type { AddressInfo, Socket } from 'node:net';
import { defineInput, type Codec, type CodecSpec, type Input, type InputSink, type PluginContext, type RawBatch } from '../core/plugin.js';
import type { EventData } from '../core/event.js';
import { ECS_COMPATIBILITY_OPTION, ecsMode } from '../core/ecs.js';
import { TLS_OPTIONS, buildTlsServerOptions, peerRejected, tlsEnabled, type TlsConfig } from './support/http-tls.js';
import { bulkResponseText, parseBulk, type BulkItem } from './http/bulk.js';
import * as es from './http/es-api.js';
import { listenOn } from './support/listen.js';

export interface HttpInputConfig extends TlsConfig {
  host: string;
  port: number;
  user?: string;
  password?: string;
  bearer_token?: string;
  codec: CodecSpec;
  additional_codecs: Record<string, string>;
  response_code: number;
  response_headers: Record<string, string>;
  max_content_length: number;
  max_pending_requests: number;
  max_pending_bytes: number;
  remote_host_target_field?: string;
  request_headers_target_field?: string;
  elasticsearch_api: boolean;
  elasticsearch_version: string;
  ecs_compatibility?: string;
  threads: number;
}

/** Counters for what was refused; logged, and read by tests. */
export interface HttpInputCounters {
  requests: number;
  events: number;
  unauthorized: number;
  tooLarge: number;
  busy: number;
  badRequests: number;
  bulkItemErrors: number;
}

/** Runs of differing action metadata in one `_bulk` request beyond which it is handed over as events. */
const MAX_BULK_RUNS = 16;

function sameTarget(a: BulkItem, b: BulkItem): boolean {
  return a.index === b.index && a.action === b.action && a.type === b.type && a.routing === b.routing && a.pipeline === b.pipeline;
}

/** What bulkEvent puts into `@metadata` (besides `_id`), as fields of a message batch. */
function bulkFields(item: BulkItem, ip: string): Record<string, unknown> {
  const f: Record<string, unknown> = { '[@metadata][_index]': item.index, '[@metadata][action]': item.action };
  if (item.type !== undefined) f['[@metadata][_type]'] = item.type;
  if (item.routing !== undefined) f['[@metadata][routing]'] = item.routing;
  if (item.pipeline !== undefined) f['[@metadata][pipeline]'] = item.pipeline;
  f['[@metadata][input][http][host][ip]'] = ip;
  return f;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function shortHash(...parts: Array<string | Buffer>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('base64url').slice(0, 22);
}

// One-shot hashing (Node >= 20.12) costs a fraction of a Hash object per call; one per `_bulk` document.
const oneShotHash = (crypto as unknown as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash;

/** shortHash(a, b) of two strings, the same id, without a Hash object when Node has the one-shot form. */
function shortHash2(a: string, b: string): string {
  return oneShotHash ? oneShotHash('sha256', `${a}\0${b}\0`, 'base64url').slice(0, 22) : shortHash(a, b);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Header names as Logstash's legacy `headers` field has them: lower case, `-` → `_`, `http_` before others. */
function legacyHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {
    request_method: req.method ?? '',
    request_path: (req.url ?? '/').split('?')[0]!,
    request_uri: req.url ?? '/',
    http_version: `HTTP/${req.httpVersion}`,
  };
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'authorization' || name === 'proxy-authorization') continue; // never put credentials in events
    const key = name.replace(/-/g, '_');
    out[key === 'content_type' || key === 'content_length' ? key : `http_${key}`] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function mimeType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function setField(data: EventData, ref: string, value: unknown): void {
  // A field reference like [a][b] → nested objects; only when not already set by the body.
  const path = ref.startsWith('[') ? ref.slice(1, -1).split('][') : [ref];
  let o = data as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    const next = o[k];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) {
      if (next !== undefined && next !== null) return;
      o[k] = {};
    }
    o = o[k] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (o[last] === undefined) o[last] = value;
}

function metadata(data: EventData): Record<string, unknown> {
  let m = data['@metadata'] as Record<string, unknown> | undefined;
  if (!m || typeof m !== 'object' || Array.isArray(m)) {
    m = {};
    data['@metadata'] = m;
  }
  return m;
}

const decompressors: Record<string, (buf: InputType, opts: { maxOutputLength: number }, cb: (err: Error | null, out: Buffer) => void) => void> = {
  gzip: gunzip,
  'x-gzip': gunzip,
  deflate: inflate,
  br: brotliDecompress,
};

export class HttpInput implements Input {
  readonly counters: HttpInputCounters = { requests: 0, events: 0, unauthorized: 0, tooLarge: 0, busy: 0, badRequests: 0, bulkItemErrors: 0 };
  private server?: Server;
  private sink?: InputSink;
  private stopped = false;
  private wakeRun?: () => void;
  /** Requests reading their body or waiting for room in the pipeline, and the bytes they hold. */
  private pending = 0;
  private pendingBytes = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly defaultCodec: Codec;
  private readonly codecs = new Map<string, Codec>();
  private readonly ecs: boolean;
  private readonly basicAuth?: string;
  private readonly cluster: es.ClusterIdentity;
  private seqNo = 0;
  private address?: AddressInfo;
  /** Built when the plugin is created, so a missing certificate is a configuration error, not a runtime one. */
  private readonly tlsOptions?: TlsOptions;

  constructor(
    private readonly config: HttpInputConfig,
    private readonly ctx: PluginContext,
  ) {
    this.defaultCodec = ctx.createCodec(config.codec);
    for (const [mime, codec] of Object.entries(config.additional_codecs ?? {})) this.codecs.set(mime.toLowerCase(), ctx.createCodec({ name: String(codec), settings: {} }));
    this.ecs = ecsMode(config.ecs_compatibility) === 'v1';
    if ((config.user === undefined) !== (config.password === undefined)) throw new Error('http: user and password must be given together');
    if (config.user !== undefined) this.basicAuth = 'Basic ' + Buffer.from(`${config.user}:${config.password}`).toString('base64');
    this.cluster = es.clusterIdentity(ctx.pluginId, config.elasticsearch_version);
    if (tlsEnabled(config)) this.tlsOptions = buildTlsServerOptions(config, 'http');
  }

  /** The bound address (port 0 in the config picks a free port). */
  get boundAddress(): AddressInfo | undefined {
    return this.address;
  }

  async run(sink: InputSink): Promise<void> {
    this.sink = sink;
    const c = this.config;
    const server = tlsEnabled(c) ? createHttpsServer(this.tlsOptions!) : createHttpServer();
    this.server = server;
    server.keepAliveTimeout = 60_000;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
    if (tlsEnabled(c)) {
      server.on('secureConnection', (socket: TLSSocket) => {
        if (peerRejected(socket, c)) socket.destroy();
      });
      server.on('tlsClientError', (err: Error) => this.ctx.logger.debug('TLS handshake failed', { error: err.message }));
    }
    server.on('clientError', (err: Error, socket: Socket) => {
      this.counters.badRequests++;
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
      this.ctx.logger.debug('bad HTTP request', { error: err.message });
    });
    this.address = await listenOn(server, c.port, c.host);
    this.ctx.logger.info('http input listening', { address: `${this.address.address}:${this.address.port}`, tls: tlsEnabled(c), elasticsearch_api: c.elasticsearch_api });
    if (!this.stopped) await new Promise<void>((r) => (this.wakeRun = r));
    // Stop accepting; requests already inside finish (their responses follow their acks).
    server.close();
    server.closeIdleConnections();
    await this.whenNoPending();
  }

  stop(): void {
    this.stopped = true;
    this.wakeRun?.();
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
  }

  private whenNoPending(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private busy(): boolean {
    return this.pending >= this.config.max_pending_requests;
  }

  private authorized(req: IncomingMessage): boolean {
    if (!this.basicAuth && !this.config.bearer_token) return true;
    const given = req.headers.authorization;
    if (!given) return false;
    if (this.basicAuth && safeEqual(given, this.basicAuth)) return true;
    const token = this.config.bearer_token;
    if (token) {
      const m = /^(Bearer|ApiKey)\s+(.+)$/i.exec(given);
      if (m && safeEqual(m[2]!.trim(), token)) return true;
    }
    return false;
  }

  private send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string | number>, close = false): void {
    if (res.headersSent || res.destroyed) return;
    if (close) headers = { ...headers, Connection: 'close' };
    res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private sendJson(res: ServerResponse, status: number, body: unknown, method: string, close = false): void {
    this.sendJsonText(res, status, JSON.stringify(body), method, close);
  }

  private sendJsonText(res: ServerResponse, status: number, text: string, method: string, close = false): void {
    const headers = { 'Content-Type': 'application/json; charset=UTF-8', 'X-Elastic-Product': 'Elasticsearch' };
    if (method === 'HEAD') {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(text) });
      res.end();
    } else this.send(res, status, text, headers, close);
  }

  /** Read the whole body within max_content_length (413 beyond) and decompress it (same limit). */
  private readBody(req: IncomingMessage, held: { bytes: number }): Promise<Buffer> {
    const limit = this.config.max_content_length;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const refuse = (err: HttpError) => {
        req.removeAllListeners('data');
        req.pause();
        reject(err);
      };
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        held.bytes += chunk.length;
        this.pendingBytes += chunk.length;
        if (size > limit) return refuse(new HttpError(413, `request body larger than max_content_length (${limit} bytes)`));
        // Over the shared budget while other requests hold bytes too: this one waits its turn (429).
        if (this.pendingBytes > this.config.max_pending_bytes && this.pendingBytes > held.bytes) return refuse(new HttpError(429, 'pipeline is full, retry later'));
        chunks.push(chunk);
      });
      req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
      req.on('error', reject);
      req.on('aborted', () => reject(new Error('client aborted the request')));
    }).then((raw) => {
      const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
      if (!encoding || encoding === 'identity') return raw as Buffer;
      const fn = decompressors[encoding];
      if (!fn) throw new HttpError(415, `unsupported Content-Encoding ${encoding}`);
      return new Promise<Buffer>((resolve, reject) =>
        fn(raw as Buffer, { maxOutputLength: limit }, (err, out) => {
          if (!err) return resolve(out);
          if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(new HttpError(413, `decompressed body larger than max_content_length (${limit} bytes)`));
          else reject(new HttpError(400, `cannot decompress the ${encoding} body: ${err.message}`));
        }),
      );
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.requests++;
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = this.config.elasticsearch_api ? es.esRoute(method, url.pathname) : undefined;
    const fail = (status: number, type: string, reason: string, close = false) => {
      if (route) this.sendJson(res, status, es.esError(status, type, reason), method, close);
      else this.send(res, status, reason, { 'Content-Type': 'text/plain' }, close);
    };
    if (this.stopped) return fail(503, 'unavailable', 'shutting down', true);
    if (!this.authorized(req)) {
      this.counters.unauthorized++;
      res.setHeader('WWW-Authenticate', 'Basic realm="sluice", charset="UTF-8"');
      return fail(401, 'security_exception', 'missing or wrong credentials', true);
    }
    if (route && route.kind !== 'bulk' && route.kind !== 'doc') {
      req.resume();
      return this.answerProbe(route, method, res);
    }
    // Bounded intake: a full pipeline (pushes waiting for room) turns new requests away with 429.
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.config.max_content_length) {
      this.counters.tooLarge++;
      return fail(413, 'content_too_long_exception', `request body larger than max_content_length (${this.config.max_content_length} bytes)`, true);
    }
    if (this.busy() || this.pendingBytes + declared > this.config.max_pending_bytes) {
      this.counters.busy++;
      return fail(429, 'es_rejected_execution_exception', 'pipeline is full, retry later', true);
    }
    this.pending++;
    const held = { bytes: 0 };
    const started = Date.now();
    try {
      const body = await this.readBody(req, held);
      if (route?.kind === 'bulk') await this.ingestBulk(req, res, body, route, started);
      else if (route?.kind === 'doc') await this.ingestDoc(req, res, body, route);
      else await this.ingestPlain(req, res, body);
    } catch (err) {
      if (err instanceof HttpError) {
        if (err.status === 413) this.counters.tooLarge++;
        else if (err.status === 429) this.counters.busy++;
        else this.counters.badRequests++;
        fail(err.status, err.status === 413 ? 'content_too_long_exception' : err.status === 429 ? 'es_rejected_execution_exception' : 'parse_exception', err.message, err.status === 413);
      } else {
        this.ctx.logger.debug('request failed', { error: (err as Error).message });
        if (!res.headersSent) fail(500, 'exception', (err as Error).message, true);
      }
    } finally {
      // The request stops counting once its events are inside the pipeline (bounded there) or it failed.
      this.pendingBytes -= held.bytes;
      if (--this.pending === 0) this.idleWaiters.splice(0).forEach((w) => w());
    }
  }

  private answerProbe(route: es.EsRoute, method: string, res: ServerResponse): void {
    switch (route.kind) {
      case 'info':
        return this.sendJson(res, 200, es.infoBody(this.cluster), method);
      case 'health':
        // rsyslog polls `_cat/health` to resume after a failure: not 2xx while the pipeline is full.
        if (route.cat) {
          const status = this.busy() ? 503 : 200;
          return this.send(res, status, method === 'HEAD' ? '' : es.catHealthLine(this.cluster, this.busy()), { 'Content-Type': 'text/plain; charset=UTF-8', 'X-Elastic-Product': 'Elasticsearch' });
        }
        return this.sendJson(res, this.busy() ? 503 : 200, es.clusterHealthBody(this.cluster, this.busy()), method);
      case 'license':
        return this.sendJson(res, 200, es.licenseBody(this.cluster), method);
      case 'xpack':
        return this.sendJson(res, 200, es.xpackBody(this.cluster), method);
      case 'nodes': {
        const a = this.address;
        return this.sendJson(res, 200, es.nodesBody(this.cluster, a ? `${a.address}:${a.port}` : '127.0.0.1:9200'), method);
      }
      default:
        return this.sendJson(res, 404, es.esError(404, 'no_handler_found_exception', 'this endpoint is not part of Sluice\'s Elasticsearch-compatible API'), method);
    }
  }

  /** Hand events to the pipeline; `respond` runs once all of them were delivered downstream. */
  private async deliver(events: EventData[], respond: () => void): Promise<void> {
    if (events.length === 0) return respond();
    this.counters.events += events.length;
    await this.sink!.push({ kind: 'events', events }, respond);
  }

  private requestFields(req: IncomingMessage, data: EventData, bodyBytes: number): void {
    const remote = req.socket.remoteAddress ?? '';
    const headers = legacyHeaders(req);
    if (!this.ecs) {
      setField(data, this.config.remote_host_target_field ?? 'host', remote);
      setField(data, this.config.request_headers_target_field ?? 'headers', headers);
      return;
    }
    setField(data, this.config.remote_host_target_field ?? '[host][ip]', remote);
    setField(data, this.config.request_headers_target_field ?? '[@metadata][input][http][request][headers]', headers);
    setField(data, '[http][version]', req.httpVersion);
    setField(data, '[http][method]', req.method);
    setField(data, '[http][request][body][bytes]', bodyBytes);
    const mime = mimeType(req);
    if (mime) setField(data, '[http][request][mime_type]', mime);
    const ua = req.headers['user-agent'];
    if (ua) setField(data, '[user_agent][original]', ua);
    const hostHeader = req.headers.host;
    if (hostHeader) {
      const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader);
      if (m) {
        setField(data, '[url][domain]', m[1]);
        if (m[2]) setField(data, '[url][port]', Number(m[2]));
      }
    }
    const [path, query] = (req.url ?? '/').split('?', 2);
    setField(data, '[url][path]', path);
    if (query) setField(data, '[url][query]', query);
  }

  private async ingestPlain(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const codec = this.codecs.get(mimeType(req)) ?? this.defaultCodec;
    const events: EventData[] = [];
    const text = body.toString('utf8');
    try {
      codec.decode(text, (d) => events.push(d));
    } catch (err) {
      throw new HttpError(400, `cannot decode the body: ${(err as Error).message}`);
    }
    const base = `http:${shortHash(body)}`;
    events.forEach((data, i) => {
      this.requestFields(req, data, body.length);
      const meta = metadata(data);
      if (typeof meta._id !== 'string' || meta._id === '') meta._id = events.length === 1 ? base : `${base}:${i}`;
    });
    const c = this.config;
    await this.deliver(events, () => this.send(res, c.response_code, 'ok', c.response_headers));
  }

  private bulkEvent(req: IncomingMessage, item: BulkItem, id: string): EventData {
    const data = item.source ?? {};
    const meta = metadata(data);
    meta._index = item.index;
    meta._id = id;
    meta.action = item.action;
    if (item.type !== undefined) meta._type = item.type;
    if (item.routing !== undefined) meta.routing = item.routing;
    if (item.pipeline !== undefined) meta.pipeline = item.pipeline;
    meta.input = { http: { host: { ip: req.socket.remoteAddress ?? '' } } };
    return data;
  }

  /**
   * The accepted items of a `_bulk` request as batches. Usually one `json` message batch per run of items with
   * the same action metadata (index, action, ...), which go into batch fields: the source lines cross to the
   * workers as strings and are parsed there, far cheaper for the main thread than cloning parsed objects. A
   * request with updates (the event is part of the line), documents carrying their own `@metadata` (the
   * action's must win over it) or many small runs is handed over as parsed events instead.
   */
  private bulkBatches(req: IncomingMessage, items: readonly BulkItem[], ids: ReadonlyArray<string | undefined>): RawBatch[] {
    const ip = req.socket.remoteAddress ?? '';
    const batches: RawBatch[] = [];
    let run: Extract<RawBatch, { kind: 'messages' }> | undefined;
    let runItem: BulkItem | undefined;
    let asEvents = false;
    for (let i = 0; i < items.length && !asEvents; i++) {
      const item = items[i]!;
      if (item.error) continue;
      if (item.action === 'update' || item.source!['@metadata'] !== undefined) asEvents = true;
      else {
        if (!run || !sameTarget(runItem!, item)) {
          if (batches.length === MAX_BULK_RUNS) asEvents = true;
          run = { kind: 'messages', json: true, messages: [], ids: [], fields: bulkFields(item, ip) };
          runItem = item;
          batches.push(run);
        }
        run.messages.push(item.sourceText!);
        run.ids.push(ids[i]!);
      }
    }
    if (!asEvents) return batches;
    const events: EventData[] = [];
    for (let i = 0; i < items.length; i++) if (!items[i]!.error) events.push(this.bulkEvent(req, items[i]!, ids[i]!));
    return [{ kind: 'events', events }];
  }

  /** Hand batches of `count` events to the pipeline; `respond` runs once all of them were acknowledged. */
  private async deliverBatches(batches: RawBatch[], count: number, respond: () => void): Promise<void> {
    if (batches.length === 0 || count === 0) return respond();
    this.counters.events += count;
    let left = batches.length;
    const acked = () => {
      if (--left === 0) respond();
    };
    for (const b of batches) await this.sink!.push(b, acked);
  }

  private itemId(item: BulkItem, seen: Map<string, number>): string {
    if (item.id !== undefined && item.id !== '') return item.id;
    // Deterministic: the same document resent to the same index gets the same id; identical documents
    // within one request are told apart by their occurrence.
    const h = shortHash2(item.index ?? '', item.sourceText ?? '');
    const n = seen.get(h) ?? 0;
    seen.set(h, n + 1);
    return n === 0 ? h : `${h}-${n}`;
  }

  private async ingestBulk(req: IncomingMessage, res: ServerResponse, body: Buffer, route: { index?: string; type?: string }, started: number): Promise<void> {
    const items = parseBulk(body.toString('utf8'), route.index, route.type);
    const seen = new Map<string, number>();
    const ids = new Array<string | undefined>(items.length);
    let errors = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.error) {
        errors++;
        ids[i] = item.id;
      } else ids[i] = this.itemId(item, seen);
    }
    const accepted = items.length - errors;
    if (errors) {
      this.counters.bulkItemErrors += errors;
      this.ctx.logger.warn('_bulk items refused (answered 400 per item)', { refused: errors, accepted });
    }
    const method = req.method ?? 'POST';
    await this.deliverBatches(this.bulkBatches(req, items, ids), accepted, () => {
      const seqNo = this.seqNo;
      this.seqNo += items.length - errors;
      this.sendJsonText(res, 200, bulkResponseText(items, ids, seqNo, Date.now() - started, errors > 0), method);
    });
  }

  private async ingestDoc(req: IncomingMessage, res: ServerResponse, body: Buffer, route: { action: 'index' | 'create'; index: string; type?: string; id?: string }): Promise<void> {
    const method = req.method ?? 'POST';
    const line = body.toString('utf8').trim();
    const items = parseBulk(`{"${route.action}":{}}\n${line}\n`, route.index, route.type);
    const item = items[0]!;
    if (route.id !== undefined) item.id = route.id;
    if (item.error) {
      this.counters.bulkItemErrors++;
      return this.sendJson(res, 400, es.esError(400, item.error.type, item.error.reason), method);
    }
    const id = this.itemId(item, new Map());
    await this.deliver([this.bulkEvent(req, item, id)], () =>
      this.sendJson(res, 201, { _index: item.index, _id: id, _version: 1, result: 'created', _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: this.seqNo++, _primary_term: 1 }, method),
    );
  }
}

export default defineInput<HttpInputConfig>({
  name: 'http',
  description:
    'Receives events over HTTP(S): request bodies decoded by a codec chosen from the Content-Type; optionally an Elasticsearch-compatible `_bulk` API. ' +
    'Responds only after the events were delivered downstream; 429 when the pipeline is full.',
  notes:
    'Event ids (`[@metadata][_id]`): the `_id` of a `_bulk` item, else a hash of index and source line; for other requests a hash of the body and the event\'s position. ' +
    'A resent request therefore overwrites downstream instead of duplicating. With `elasticsearch_api`, `_bulk` documents carry `[@metadata][_index]`, `[@metadata][_id]`, ' +
    '`[@metadata][action]` (index, create, update, delete) and `[@metadata][_type]` when given; request headers are not added to them.',
  options: {
    host: { type: 'string', default: '0.0.0.0', description: 'Address to listen on.' },
    port: { type: 'number', default: 8080, description: 'TCP port to listen on (0: any free port).' },
    user: { type: 'string', description: 'User name for HTTP basic authentication (with `password`). Without `user` and `bearer_token` no authentication is asked.' },
    password: { type: 'password', description: 'Password for HTTP basic authentication.', example: 'password => "${HTTP_INPUT_PASSWORD}"' },
    bearer_token: {
      type: 'password',
      description: 'Token accepted as `Authorization: Bearer <token>` (or `ApiKey <token>`, as Elasticsearch clients send an API key). Combines with basic auth: either is enough.',
      example: 'bearer_token => "${HTTP_INPUT_TOKEN}"',
    },
    codec: { type: 'codec', default: 'plain', description: 'Codec for bodies whose Content-Type is not in `additional_codecs` (plain: the whole body is one event).' },
    additional_codecs: {
      type: 'hash',
      default: { 'application/json': 'json', 'application/x-ndjson': 'json_lines' },
      description: 'Codec per Content-Type (media type without parameters). `application/json` takes a JSON object or an array of them; `application/x-ndjson` one document per line.',
      example: 'additional_codecs => { "application/json" => "json" "text/plain" => "line" }',
    },
    response_code: { type: 'number', default: 200, description: 'HTTP status of a successful (non-Elasticsearch) response.' },
    response_headers: { type: 'hash', default: { 'Content-Type': 'text/plain' }, description: 'Headers of a successful (non-Elasticsearch) response.' },
    max_content_length: { type: 'bytes', default: 104857600, description: 'Largest request body accepted, after decompression; larger requests get 413.' },
    max_pending_requests: {
      type: 'number',
      default: 200,
      description: 'Requests that may be reading their body or waiting for room in the pipeline; one more gets 429 at once.',
    },
    max_pending_bytes: {
      type: 'bytes',
      default: '256MiB',
      description: 'Body bytes those pending requests may hold together; a request that would exceed it gets 429 (bounds memory with large bodies).',
    },
    remote_host_target_field: { type: 'string', description: 'Field for the client\'s IP address. Default `host` (legacy) or `[host][ip]` (ECS).' },
    request_headers_target_field: {
      type: 'string',
      description: 'Field for the request headers (without Authorization). Default `headers` (legacy) or `[@metadata][input][http][request][headers]` (ECS).',
    },
    elasticsearch_api: {
      type: 'boolean',
      default: false,
      description:
        'Answer like an Elasticsearch cluster: `GET /`, `_cat/health`, `_cluster/health`, `_license`, `_xpack`, `_nodes`, `POST /_bulk`, `/<index>/_bulk`, `/<index>/_doc[/<id>]`, `/<index>/_create/<id>`. ' +
        'Off by default so a Logstash http input config behaves unchanged. Other paths are read as plain requests.',
    },
    elasticsearch_version: { type: 'string', default: '8.11.0', description: 'Version reported by `GET /` with `elasticsearch_api`.' },
    threads: { type: 'number', default: 4, description: 'Accepted for compatibility; requests are served by the event loop.' },
    ecs_compatibility: ECS_COMPATIBILITY_OPTION,
    ...TLS_OPTIONS,
  },
  create(config, ctx) {
    return new HttpInput(config, ctx);
  },
});
