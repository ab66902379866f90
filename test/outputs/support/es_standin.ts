// A stand-in for an Elasticsearch 8 or OpenSearch 2 cluster (no real one can run here): an HTTP(S) server that
// implements the documented `_bulk` request and response format — NDJSON action and source lines, per-item
// status and error objects, the `errors` flag, `filter_path` — with dynamic mappings that produce real mapping
// errors, data streams, `GET /` cluster info, `_cat/indices` and index deletion. Switches inject faults:
// request-level 429/5xx storms, item-level failures, slow answers, connection resets, auth checks,
// gzip request bodies and TLS. Tests using it say "stand-in" in their names.

import http from 'node:http';
import https from 'node:https';
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';

export type Flavor = 'elasticsearch' | 'opensearch';

export interface StoredDoc {
  source: Record<string, unknown>;
  version: number;
  routing?: string;
  pipeline?: string;
}

export interface StandinIndex {
  name: string;
  uuid: string;
  creationDate: number;
  docs: Map<string, StoredDoc>;
  /** Field path → mapped type, learnt from the first value (dynamic mapping). */
  mapping: Map<string, FieldType>;
  /** Name of the data stream when this is a backing index. */
  dataStream?: string;
}

type FieldType = 'long' | 'double' | 'boolean' | 'text' | 'object';

export interface ItemFailure {
  status: number;
  type: string;
  reason: string;
}

export interface Faults {
  /** The next N bulk requests are answered with `failStatus` as a whole (a 429 storm, 503s). */
  failRequests: number;
  failStatus: number;
  /** The next N bulk requests have their connection destroyed before any answer. */
  resetConnections: number;
  /** Milliseconds to wait before answering each bulk request. */
  delayMs: number;
  /** Called per item before it is applied; a result fails that item (e.g. 429 for some, 500 for others). */
  itemFailure?: (item: { action: string; index: string; id?: string; source?: Record<string, unknown> }) => ItemFailure | undefined;
}

export interface StandinOptions {
  flavor?: Flavor;
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Require these credentials (401 otherwise). */
  basicAuth?: { user: string; password: string };
  /** Accepted API key (`id:key`); the header carries base64(id:key). */
  apiKey?: string;
  /** http.max_content_length: larger bodies get 413. */
  maxContentLength?: number;
  /** Index patterns that create data streams (Elasticsearch 8 ships `logs-*-*` and friends; OpenSearch none). */
  dataStreamPatterns?: string[];
}

export interface RequestRecord {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  bodyBytes: number;
}

const VALID_ACTIONS = new Set(['index', 'create', 'update', 'delete']);

function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

/** `filter_path` as Elasticsearch applies it: comma-separated dotted paths, `*` matching any key. */
export function applyFilterPath(value: unknown, filterPath: string): unknown {
  const patterns = filterPath.split(',').map((p) => p.trim().split('.')).filter((p) => p.length && p[0] !== '');
  const walk = (v: unknown, pats: string[][]): unknown => {
    if (Array.isArray(v)) {
      const out = v.map((x) => walk(x, pats)).filter((x) => x !== undefined);
      return out.length ? out : undefined;
    }
    if (v === null || typeof v !== 'object') return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v)) {
      const matching = pats.filter((p) => p[0] === '*' || p[0] === k);
      if (!matching.length) continue;
      if (matching.some((p) => p.length === 1)) out[k] = child;
      else {
        const sub = walk(child, matching.map((p) => p.slice(1)));
        if (sub !== undefined) out[k] = sub;
      }
    }
    return Object.keys(out).length ? out : undefined;
  };
  return walk(value, patterns) ?? {};
}

export class EsStandin {
  readonly flavor: Flavor;
  readonly indices = new Map<string, StandinIndex>();
  /** Data stream name → backing index names (oldest first). */
  readonly dataStreams = new Map<string, string[]>();
  readonly faults: Faults = { failRequests: 0, failStatus: 429, resetConnections: 0, delayMs: 0 };
  readonly stats = { requests: 0, bulkRequests: 0, bulkItems: 0, gzipRequests: 0, authFailures: 0, maxConcurrentBulk: 0 };
  readonly log: RequestRecord[] = [];
  /** Called at the start of every bulk request (tests can observe memory or stop the storm). */
  onBulk?: (n: number) => void;
  url = '';
  private server!: http.Server;
  private readonly sockets = new Set<Socket>();
  private concurrentBulk = 0;
  private seqNo = 0;
  private readonly dsPatterns: RegExp[];

  private constructor(private readonly opts: StandinOptions) {
    this.flavor = opts.flavor ?? 'elasticsearch';
    const patterns = opts.dataStreamPatterns ?? (this.flavor === 'elasticsearch' ? ['logs-*-*', 'metrics-*-*', 'synthetics-*-*', 'traces-*-*'] : []);
    this.dsPatterns = patterns.map(globToRegExp);
  }

  static async start(opts: StandinOptions = {}): Promise<EsStandin> {
    const s = new EsStandin(opts);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void s.handle(req, res);
    s.server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
    s.server.on(opts.tls ? 'secureConnection' : 'connection', (sock: Socket) => {
      s.sockets.add(sock);
      sock.on('close', () => s.sockets.delete(sock));
    });
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    const port = (s.server.address() as AddressInfo).port;
    s.url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return s;
  }

  async close(): Promise<void> {
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Every stored document of an index (or of all indices), with its index name. */
  docs(index?: string): Array<{ index: string; id: string; doc: StoredDoc }> {
    const out: Array<{ index: string; id: string; doc: StoredDoc }> = [];
    for (const idx of this.indices.values()) {
      if (index !== undefined && idx.name !== index && idx.dataStream !== index) continue;
      for (const [id, doc] of idx.docs) out.push({ index: idx.name, id, doc });
    }
    return out;
  }

  /** Create an index as if made at `createdAt` (for retention tests). */
  createIndex(name: string, createdAt: Date = new Date()): StandinIndex {
    const idx: StandinIndex = { name, uuid: randomBytes(16).toString('base64url').slice(0, 22), creationDate: createdAt.getTime(), docs: new Map(), mapping: new Map() };
    this.indices.set(name, idx);
    return idx;
  }

  // --- HTTP ---

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.flavor === 'elasticsearch') headers['x-elastic-product'] = 'Elasticsearch';
    res.writeHead(status, headers);
    res.end(text);
  }

  private error(res: http.ServerResponse, status: number, type: string, reason: string, extra: Record<string, unknown> = {}): void {
    const err = { type, reason, ...extra };
    this.send(res, status, { error: { root_cause: [err], ...err }, status });
  }

  private authorized(req: http.IncomingMessage): boolean {
    const { basicAuth, apiKey } = this.opts;
    if (!basicAuth && !apiKey) return true;
    const h = req.headers.authorization ?? '';
    if (basicAuth && h === `Basic ${Buffer.from(`${basicAuth.user}:${basicAuth.password}`).toString('base64')}`) return true;
    if (apiKey && h === `ApiKey ${Buffer.from(apiKey).toString('base64')}`) return true;
    return false;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://standin');
    const path = url.pathname;
    this.stats.requests++;
    this.log.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, bodyBytes: body.byteLength });
    if (!this.authorized(req)) {
      this.stats.authFailures++;
      res.setHeader('www-authenticate', 'Basic realm="security" charset="UTF-8", ApiKey');
      return this.error(res, 401, 'security_exception', `unable to authenticate user for REST request [${path}]`);
    }
    if (req.headers['content-encoding'] === 'gzip') {
      this.stats.gzipRequests++;
      try {
        body = gunzipSync(body);
      } catch (e) {
        return this.error(res, 400, 'parse_exception', `bad gzip body: ${(e as Error).message}`);
      }
    }
    if (this.opts.maxContentLength !== undefined && body.byteLength > this.opts.maxContentLength) {
      return this.error(res, 413, 'content_too_long_exception', `request body is too large (${body.byteLength} > ${this.opts.maxContentLength})`);
    }
    const method = req.method ?? 'GET';
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    let result: { status: number; body: unknown } | undefined;

    if (method === 'GET' && segments.length === 0) result = { status: 200, body: this.clusterInfo() };
    else if ((method === 'POST' || method === 'PUT') && segments[segments.length - 1] === '_bulk' && segments.length <= 2) {
      await this.bulk(req, res, body, url, segments.length === 2 ? segments[0] : undefined);
      return;
    } else if (method === 'GET' && segments[0] === '_cat' && segments[1] === 'indices') result = this.catIndices(url, segments[2]);
    else if (method === 'DELETE' && segments.length === 1 && !segments[0]!.startsWith('_')) result = this.deleteIndices(segments[0]!);
    else if (method === 'PUT' && segments.length === 1 && !segments[0]!.startsWith('_')) {
      if (this.indices.has(segments[0]!)) result = { status: 400, body: this.errBody(400, 'resource_already_exists_exception', `index [${segments[0]}] already exists`) };
      else {
        this.createIndex(segments[0]!);
        result = { status: 200, body: { acknowledged: true, shards_acknowledged: true, index: segments[0] } };
      }
    } else if (method === 'GET' && segments.length === 3 && segments[1] === '_doc') {
      const idx = this.indices.get(segments[0]!);
      const doc = idx?.docs.get(segments[2]!);
      result = doc ? { status: 200, body: { _index: idx!.name, _id: segments[2], _version: doc.version, found: true, _source: doc.source } } : { status: 404, body: { _index: segments[0], _id: segments[2], found: false } };
    } else result = { status: 404, body: this.errBody(404, 'no_handler_found_exception', `no handler found for uri [${path}] and method [${method}]`) };

    const filter = url.searchParams.get('filter_path');
    this.send(res, result.status, filter ? applyFilterPath(result.body, filter) : result.body);
  }

  private errBody(status: number, type: string, reason: string, extra: Record<string, unknown> = {}) {
    const err = { type, reason, ...extra };
    return { error: { root_cause: [err], ...err }, status };
  }

  private clusterInfo(): unknown {
    if (this.flavor === 'opensearch') {
      return {
        name: 'standin-node',
        cluster_name: 'standin',
        cluster_uuid: 'c2FtcGxlY2x1c3Rlcg',
        version: {
          distribution: 'opensearch',
          number: '2.19.1',
          build_type: 'tar',
          build_hash: 'standin',
          build_date: '2025-01-01T00:00:00.000000Z',
          build_snapshot: false,
          lucene_version: '9.12.1',
          minimum_wire_compatibility_version: '7.10.0',
          minimum_index_compatibility_version: '7.0.0',
        },
        tagline: 'The OpenSearch Project: https://opensearch.org/',
      };
    }
    return {
      name: 'standin-node',
      cluster_name: 'standin',
      cluster_uuid: 'c2FtcGxlY2x1c3Rlcg',
      version: {
        number: '8.17.0',
        build_flavor: 'default',
        build_type: 'tar',
        build_hash: 'standin',
        build_date: '2025-01-01T00:00:00.000Z',
        build_snapshot: false,
        lucene_version: '9.12.0',
        minimum_wire_compatibility_version: '7.17.0',
        minimum_index_compatibility_version: '7.0.0',
      },
      tagline: 'You Know, for Search',
    };
  }

  // --- _bulk ---

  private async bulk(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, url: URL, defaultIndex: string | undefined): Promise<void> {
    const n = ++this.stats.bulkRequests;
    this.concurrentBulk++;
    this.stats.maxConcurrentBulk = Math.max(this.stats.maxConcurrentBulk, this.concurrentBulk);
    try {
      this.onBulk?.(n);
      if (this.faults.resetConnections > 0) {
        this.faults.resetConnections--;
        req.socket.destroy();
        return;
      }
      if (this.faults.delayMs > 0) await new Promise((r) => setTimeout(r, this.faults.delayMs));
      if (this.faults.failRequests > 0) {
        this.faults.failRequests--;
        const status = this.faults.failStatus;
        if (status === 429) {
          const type = this.flavor === 'opensearch' ? 'rejected_execution_exception' : 'es_rejected_execution_exception';
          return this.error(res, 429, type, 'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1024, max_coordinating_and_primary_bytes=0]');
        }
        return this.error(res, status, status === 503 ? 'cluster_block_exception' : 'internal_server_error', status === 503 ? 'blocked by: [SERVICE_UNAVAILABLE/2/no master];' : 'stand-in server error');
      }
      const ct = String(req.headers['content-type'] ?? '');
      if (!/^application\/(x-ndjson|json)/.test(ct)) {
        return this.error(res, 406, 'media_type_header_exception', `Content-Type header [${ct}] is not supported`);
      }
      const started = Date.now();
      const lines = body.toString('utf8').split('\n');
      // A bulk body must end with a newline (Elasticsearch rejects the request otherwise).
      if (body.byteLength === 0 || lines[lines.length - 1] !== '') {
        return this.error(res, 400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
      }
      const items: unknown[] = [];
      let errors = false;
      const urlPipeline = url.searchParams.get('pipeline') ?? undefined;
      const urlRouting = url.searchParams.get('routing') ?? undefined;
      for (let i = 0; i < lines.length - 1; i++) {
        const line = lines[i]!;
        if (line.trim() === '') continue;
        let actionObj: Record<string, Record<string, unknown>>;
        try {
          actionObj = JSON.parse(line);
        } catch (e) {
          return this.error(res, 400, 'x_content_parse_exception', `[1:1] Malformed action/metadata line [${i + 1}]: ${(e as Error).message}`);
        }
        const keys = Object.keys(actionObj);
        const action = keys[0] ?? '';
        if (keys.length !== 1 || !VALID_ACTIONS.has(action)) {
          return this.error(res, 400, 'illegal_argument_exception', `Malformed action/metadata line [${i + 1}], expected one of [create, delete, index, update] but found [${action}]`);
        }
        const meta = actionObj[action]!;
        let source: Record<string, unknown> | undefined;
        if (action !== 'delete') {
          const srcLine = lines[++i];
          if (srcLine === undefined || srcLine === '') return this.error(res, 400, 'illegal_argument_exception', `The bulk request must be terminated by a newline [\\n]`);
          try {
            source = JSON.parse(srcLine);
          } catch (e) {
            // A source that does not parse is an item-level failure in Elasticsearch.
            source = undefined;
            const item = this.itemError(action, String(meta._index ?? defaultIndex ?? ''), meta._id as string | undefined, 400, this.flavor === 'opensearch' ? 'mapper_parsing_exception' : 'document_parsing_exception', `failed to parse: ${(e as Error).message}`);
            items.push(item);
            errors = true;
            continue;
          }
        }
        this.stats.bulkItems++;
        const item = this.applyItem(action, meta, source, defaultIndex, urlPipeline, urlRouting);
        if ((Object.values(item)[0] as { error?: unknown }).error) errors = true;
        items.push(item);
      }
      const response = { errors, took: Date.now() - started, items };
      const filter = url.searchParams.get('filter_path');
      this.send(res, 200, filter ? applyFilterPath(response, filter) : response);
    } finally {
      this.concurrentBulk--;
    }
  }

  private itemError(action: string, index: string, id: string | undefined, status: number, type: string, reason: string, extra: Record<string, unknown> = {}) {
    const uuid = this.indices.get(index)?.uuid ?? '_na_';
    return { [action]: { _index: index, ...(id !== undefined ? { _id: id } : {}), status, error: { type, reason, index_uuid: uuid, index, ...extra } } };
  }

  private validIndexName(name: string): string | undefined {
    if (name === '') return 'must not be empty';
    if (name !== name.toLowerCase()) return 'must be lowercase';
    if (/[\\/*?"<>| ,#:]/.test(name)) return 'must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]';
    if (/^[-_+]/.test(name)) return "must not start with '_', '-', or '+'";
    if (name === '.' || name === '..') return "must not be '.' or '..'";
    if (Buffer.byteLength(name) > 255) return 'index name is too long';
    return undefined;
  }

  private backingIndexFor(stream: string): StandinIndex {
    let names = this.dataStreams.get(stream);
    if (!names) {
      const d = new Date();
      const date = `${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${String(d.getUTCDate()).padStart(2, '0')}`;
      const name = `.ds-${stream}-${date}-000001`;
      const idx = this.createIndex(name);
      idx.dataStream = stream;
      names = [name];
      this.dataStreams.set(stream, names);
    }
    return this.indices.get(names[names.length - 1]!)!;
  }

  private applyItem(action: string, meta: Record<string, unknown>, source: Record<string, unknown> | undefined, defaultIndex: string | undefined, urlPipeline?: string, urlRouting?: string): Record<string, unknown> {
    const indexName = String(meta._index ?? defaultIndex ?? '');
    let id = meta._id === undefined || meta._id === null ? undefined : String(meta._id);
    const invalid = this.validIndexName(indexName);
    if (invalid) return this.itemError(action, indexName, id, 400, 'invalid_index_name_exception', `Invalid index name [${indexName}], ${invalid}`);
    const injected = this.faults.itemFailure?.({ action, index: indexName, id, source });
    if (injected) return this.itemError(action, indexName, id, injected.status, injected.type, injected.reason);

    const isStream = this.dataStreams.has(indexName) || (!this.indices.has(indexName) && this.dsPatterns.some((r) => r.test(indexName)));
    let idx: StandinIndex;
    if (isStream) {
      if (action !== 'create') {
        return this.itemError(action, indexName, id, 400, 'illegal_argument_exception', `only write ops with an op_type of create are allowed in data streams`);
      }
      if (!source || source['@timestamp'] === undefined) {
        return this.itemError(action, indexName, id, 400, this.flavor === 'opensearch' ? 'mapper_parsing_exception' : 'document_parsing_exception', `[1:1] failed to parse: data stream timestamp field [@timestamp] is missing`);
      }
      idx = this.backingIndexFor(indexName);
    } else {
      const existing = this.indices.get(indexName);
      if (!existing && (action === 'delete' || action === 'update') && !(action === 'update' && source?.doc_as_upsert)) {
        if (action === 'delete') return { delete: { _index: indexName, _id: id, _version: 1, result: 'not_found', _shards: { total: 2, successful: 1, failed: 0 }, _seq_no: this.seqNo++, _primary_term: 1, status: 404 } };
        return this.itemError(action, indexName, id, 404, 'index_not_found_exception', `no such index [${indexName}]`, { 'resource.type': 'index_expression', 'resource.id': indexName });
      }
      idx = existing ?? this.createIndex(indexName);
    }
    const ok = (status: number, result: string, version: number) => ({
      [action]: { _index: idx.name, _id: id, _version: version, result, _shards: { total: 2, successful: 1, failed: 0 }, _seq_no: this.seqNo++, _primary_term: 1, status },
    });
    const current = id !== undefined ? idx.docs.get(id) : undefined;
    const routing = (meta.routing as string | undefined) ?? urlRouting;
    const pipeline = (meta.pipeline as string | undefined) ?? urlPipeline;

    switch (action) {
      case 'delete': {
        if (id === undefined) return this.itemError(action, indexName, id, 400, 'action_request_validation_exception', 'Validation Failed: 1: id is missing;');
        if (!current) return { delete: { _index: idx.name, _id: id, _version: 1, result: 'not_found', _shards: { total: 2, successful: 1, failed: 0 }, _seq_no: this.seqNo++, _primary_term: 1, status: 404 } };
        idx.docs.delete(id);
        return ok(200, 'deleted', current.version + 1);
      }
      case 'update': {
        if (id === undefined) return this.itemError(action, indexName, id, 400, 'action_request_validation_exception', 'Validation Failed: 1: id is missing;');
        const doc = source?.doc as Record<string, unknown> | undefined;
        if (!doc || typeof doc !== 'object') return this.itemError(action, indexName, id, 400, 'action_request_validation_exception', 'Validation Failed: 1: script or doc is missing;');
        if (!current && !source?.doc_as_upsert) {
          return this.itemError(action, indexName, id, 404, 'document_missing_exception', `[${id}]: document missing`, { shard: '0' });
        }
        const merged = current ? deepMerge(structuredClone(current.source), doc) : doc;
        const mapErr = this.checkMapping(idx, merged, id);
        if (mapErr) return this.itemError(action, indexName, id, 400, mapErr.type, mapErr.reason, { caused_by: mapErr.cause });
        idx.docs.set(id, { source: merged, version: (current?.version ?? 0) + 1, routing, pipeline });
        return ok(current ? 200 : 201, current ? 'updated' : 'created', (current?.version ?? 0) + 1);
      }
      default: {
        if (id === undefined) id = randomBytes(15).toString('base64url');
        if (action === 'create' && current) {
          const shard = { shard: '0' };
          return this.itemError(action, idx.name, id, 409, 'version_conflict_engine_exception', `[${id}]: version conflict, document already exists (current version [${current.version}])`, shard);
        }
        const mapErr = this.checkMapping(idx, source!, id);
        if (mapErr) return this.itemError(action, idx.name, id, 400, mapErr.type, mapErr.reason, { caused_by: mapErr.cause });
        idx.docs.set(id, { source: source!, version: (current?.version ?? 0) + 1, routing, pipeline });
        return ok(current ? 200 : 201, current ? 'updated' : 'created', (current?.version ?? 0) + 1);
      }
    }
  }

  /** Dynamic mapping: the first value of a field fixes its type; a later value that does not fit is a mapping error. */
  private checkMapping(idx: StandinIndex, source: Record<string, unknown>, id: string): { type: string; reason: string; cause: unknown } | undefined {
    const learnt: Array<[string, FieldType]> = [];
    const typeOf = (v: unknown): FieldType | undefined => {
      if (typeof v === 'boolean') return 'boolean';
      if (typeof v === 'number') return Number.isInteger(v) ? 'long' : 'double';
      if (typeof v === 'string') return 'text';
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return 'object';
      return undefined;
    };
    const parseType = this.flavor === 'opensearch' ? 'mapper_parsing_exception' : 'document_parsing_exception';
    const visit = (obj: Record<string, unknown>, prefix: string): { type: string; reason: string; cause: unknown } | undefined => {
      for (const [k, raw] of Object.entries(obj)) {
        const path = prefix ? `${prefix}.${k}` : k;
        for (const v of Array.isArray(raw) ? raw : [raw]) {
          const t = typeOf(v);
          if (t === undefined) continue;
          const mapped = idx.mapping.get(path) ?? learnt.find(([p]) => p === path)?.[1];
          if (mapped === undefined) learnt.push([path, t]);
          else if (mapped === 'object' && t !== 'object') {
            return { type: parseType, reason: `${this.flavor === 'opensearch' ? '' : '[1:2] '}object mapping for [${path}] tried to parse field [${k}] as object, but found a concrete value`, cause: undefined };
          } else if ((mapped === 'long' || mapped === 'double') && t !== 'long' && t !== 'double' && !(t === 'text' && Number.isFinite(Number(v)))) {
            const preview = typeof v === 'string' ? v : JSON.stringify(v);
            const reason = `${this.flavor === 'opensearch' ? '' : '[1:2] '}failed to parse field [${path}] of type [${mapped}] in document with id '${id}'. Preview of field's value: '${preview}'`;
            const cause = this.flavor === 'opensearch' ? { type: 'number_format_exception', reason: `For input string: "${preview}"` } : { type: 'illegal_argument_exception', reason: `For input string: "${preview}"` };
            return { type: parseType, reason, cause };
          } else if (mapped !== 'object' && t === 'object') {
            return { type: parseType, reason: `${this.flavor === 'opensearch' ? '' : '[1:2] '}failed to parse field [${path}] of type [${mapped}] in document with id '${id}'. Preview of field's value: '${JSON.stringify(v)}'`, cause: { type: 'illegal_state_exception', reason: `Can't get text on a START_OBJECT` } };
          }
          if (t === 'object') {
            const r = visit(v as Record<string, unknown>, path);
            if (r) return r;
          }
        }
      }
      return undefined;
    };
    const err = visit(source, '');
    if (!err) for (const [p, t] of learnt) if (!idx.mapping.has(p)) idx.mapping.set(p, t);
    return err;
  }

  // --- index administration ---

  private catIndices(url: URL, target?: string): { status: number; body: unknown } {
    const expand = url.searchParams.get('expand_wildcards') ?? 'open';
    const columns = (url.searchParams.get('h') ?? 'health,status,index,uuid,pri,rep,docs.count,docs.deleted,store.size,pri.store.size').split(',');
    const patterns = target ? target.split(',').map(globToRegExp) : [/.*/];
    const rows: Array<Record<string, string>> = [];
    for (const idx of [...this.indices.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      if (idx.name.startsWith('.') && !/all|hidden/.test(expand)) continue;
      if (!patterns.some((r) => r.test(idx.name))) continue;
      const size = String(idx.docs.size * 100);
      const all: Record<string, string> = {
        health: 'green',
        status: 'open',
        index: idx.name,
        uuid: idx.uuid,
        pri: '1',
        rep: '1',
        'docs.count': String(idx.docs.size),
        'docs.deleted': '0',
        'creation.date': String(idx.creationDate),
        'creation.date.string': new Date(idx.creationDate).toISOString(),
        'store.size': size,
        'pri.store.size': size,
      };
      const row: Record<string, string> = {};
      for (const c of columns) if (c in all) row[c] = all[c]!;
      rows.push(row);
    }
    if (url.searchParams.get('format') !== 'json') {
      return { status: 200, body: rows.map((r) => Object.values(r).join(' ')).join('\n') };
    }
    return { status: 200, body: rows };
  }

  private deleteIndices(target: string): { status: number; body: unknown } {
    const names = target.split(',');
    if (names.some((n) => n.includes('*') || n === '_all')) {
      return { status: 400, body: this.errBody(400, 'illegal_argument_exception', 'Wildcard expressions or all indices are not allowed') };
    }
    for (const n of names) {
      if (!this.indices.has(n)) return { status: 404, body: this.errBody(404, 'index_not_found_exception', `no such index [${n}]`, { 'resource.type': 'index_or_alias', 'resource.id': n, index: n }) };
      const idx = this.indices.get(n)!;
      if (idx.dataStream) {
        const backing = this.dataStreams.get(idx.dataStream)!;
        if (backing[backing.length - 1] === n) {
          return { status: 400, body: this.errBody(400, 'illegal_argument_exception', `index [${n}] is the write index for data stream [${idx.dataStream}] and cannot be deleted`) };
        }
      }
    }
    for (const n of names) this.indices.delete(n);
    return { status: 200, body: { acknowledged: true } };
  }
}

function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(patch)) {
    const cur = target[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>);
    else target[k] = v;
  }
  return target;
}
