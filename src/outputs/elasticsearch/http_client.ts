// A small HTTP(S) client for Elasticsearch and OpenSearch clusters: several hosts used round-robin, a host
// that fails at the connection level is set aside for a while (failover), basic or API-key auth, TLS with
// our own CAs, gzip request bodies, gunzip of compressed answers, and a per-request timeout.
//
// Why not the official clients: @elastic/elasticsearch refuses to talk to OpenSearch (its product check) and
// sends `compatible-with` media types OpenSearch does not know, so we would need both clients and two code
// paths for one plugin. The bulk protocol is plain NDJSON over HTTP; with node:http we also keep the memory
// bound obvious (one request body per request in flight, nothing buffered behind our back).

import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { gunzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface ClusterOptions {
  /** `host`, `host:port`, `http(s)://host:port/path`; a bare host gets port 9200. */
  hosts: string[];
  user?: string;
  password?: string;
  /** `id:key` (encoded for the header) or the already base64-encoded form. */
  apiKey?: string;
  /** Force TLS on or off; undefined: taken from each host's scheme. */
  sslEnabled?: boolean;
  /** PEM files of the CAs that signed the cluster's certificate. */
  sslCertificateAuthorities?: string[];
  /** `full` checks the certificate and host name; `none` accepts any certificate. */
  sslVerificationMode?: 'full' | 'none';
  /** Client certificate and key (PEM) for clusters that require them. */
  sslCertificate?: string;
  sslKey?: string;
  /** Request timeout in ms. */
  timeoutMillis?: number;
  /** gzip level for request bodies; 0 sends them uncompressed. */
  compressionLevel?: number;
  /** How long a host that failed to connect is skipped, in ms. */
  resurrectDelayMillis?: number;
  /** Extra query parameters for every request. */
  parameters?: Record<string, string>;
  /** Extra headers for every request. */
  customHeaders?: Record<string, string>;
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Which host answered (for logs). */
  host: string;
}

/** A failure before any HTTP status was received: refused, reset, timed out, TLS failure. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly host: string,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

interface Host {
  url: URL;
  /** Base path without trailing slash ('' or '/prefix'). */
  basePath: string;
  deadUntil: number;
  label: string;
}

/** Parse Logstash-style host strings into URLs. */
export function parseHosts(hosts: string[], sslEnabled: boolean | undefined): URL[] {
  if (hosts.length === 0) throw new Error('hosts: at least one host is required');
  return hosts.map((h) => {
    const raw = h.trim();
    const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
    // `//127.0.0.1` (Logstash's default form) has no scheme either.
    const withScheme = hasScheme ? raw : `${sslEnabled ? 'https' : 'http'}://${raw.replace(/^\/\//, '')}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new Error(`hosts: not a valid host or URL: ${JSON.stringify(h)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`hosts: ${JSON.stringify(h)}: only http and https are supported`);
    if (hasScheme && sslEnabled === true && url.protocol === 'http:') throw new Error(`hosts: ${JSON.stringify(h)} is http:// but ssl_enabled is true`);
    if (hasScheme && sslEnabled === false && url.protocol === 'https:') throw new Error(`hosts: ${JSON.stringify(h)} is https:// but ssl_enabled is false`);
    if (!url.port) url.port = '9200';
    return url;
  });
}

export class ClusterClient {
  private readonly hosts: Host[];
  private next = 0;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly authHeader?: string;
  private readonly timeoutMillis: number;
  private readonly compressionLevel: number;
  private readonly resurrectDelay: number;
  private readonly query: string;
  private readonly extraHeaders: Record<string, string>;

  constructor(opts: ClusterOptions) {
    this.hosts = parseHosts(opts.hosts, opts.sslEnabled).map((url) => ({
      url,
      basePath: url.pathname.replace(/\/+$/, ''),
      deadUntil: 0,
      label: `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`,
    }));
    if (opts.apiKey && (opts.user || opts.password)) throw new Error('api_key and user/password are mutually exclusive');
    if (opts.apiKey) {
      if (this.hosts.some((h) => h.url.protocol !== 'https:')) {
        // As Logstash: an API key is a bearer secret, never sent in clear text.
        throw new Error('api_key requires TLS: use https:// hosts or ssl_enabled => true');
      }
      const key = opts.apiKey.includes(':') ? Buffer.from(opts.apiKey).toString('base64') : opts.apiKey;
      this.authHeader = `ApiKey ${key}`;
    } else if (opts.user !== undefined || opts.password !== undefined) {
      if (!opts.user || opts.password === undefined) throw new Error('user and password must be given together');
      this.authHeader = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`;
    } else {
      // Credentials in a host URL (https://user:pass@host) are accepted too.
      const u = this.hosts.find((h) => h.url.username);
      if (u) this.authHeader = `Basic ${Buffer.from(`${decodeURIComponent(u.url.username)}:${decodeURIComponent(u.url.password)}`).toString('base64')}`;
    }
    for (const h of this.hosts) {
      h.url.username = '';
      h.url.password = '';
    }
    const ca = opts.sslCertificateAuthorities?.length ? opts.sslCertificateAuthorities.map((p) => readFileSync(p)) : undefined;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 32,
      ca,
      rejectUnauthorized: opts.sslVerificationMode !== 'none',
      ...(opts.sslVerificationMode === 'none' ? { checkServerIdentity: () => undefined } : {}),
      ...(opts.sslCertificate ? { cert: readFileSync(opts.sslCertificate) } : {}),
      ...(opts.sslKey ? { key: readFileSync(opts.sslKey) } : {}),
    });
    this.timeoutMillis = opts.timeoutMillis ?? 60_000;
    this.compressionLevel = opts.compressionLevel ?? 0;
    this.resurrectDelay = opts.resurrectDelayMillis ?? 5_000;
    const params = new URLSearchParams(opts.parameters ?? {}).toString();
    this.query = params;
    this.extraHeaders = opts.customHeaders ?? {};
  }

  /** Labels of the configured hosts (for messages; never contains credentials). */
  get hostLabels(): string[] {
    return this.hosts.map((h) => h.label);
  }

  /** The next host in round-robin order, skipping hosts set aside unless all are. */
  private pickHosts(): Host[] {
    const now = Date.now();
    const n = this.hosts.length;
    const start = this.next++ % n;
    const order: Host[] = [];
    for (let i = 0; i < n; i++) order.push(this.hosts[(start + i) % n]!);
    const alive = order.filter((h) => h.deadUntil <= now);
    // When every host is set aside, try them all anyway: better than waiting for a timer.
    return alive.length ? alive : order;
  }

  /**
   * Send one request. Connection-level failures move on to the next host; when every host failed, a
   * NetworkError is thrown. An HTTP status (any) is returned as is.
   */
  async request(method: string, path: string, body?: Uint8Array | string, contentType = 'application/json'): Promise<HttpResult> {
    let payload: Buffer | undefined = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const headers: Record<string, string> = { ...this.extraHeaders, accept: 'application/json', 'accept-encoding': 'gzip' };
    if (this.authHeader) headers.authorization = this.authHeader;
    if (payload !== undefined) {
      headers['content-type'] = contentType;
      if (this.compressionLevel > 0) {
        payload = await gzipAsync(payload, { level: this.compressionLevel });
        headers['content-encoding'] = 'gzip';
      }
      headers['content-length'] = String(payload.byteLength);
    }
    let lastError: NetworkError | undefined;
    for (const host of this.pickHosts()) {
      try {
        return await this.once(host, method, path, headers, payload);
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        host.deadUntil = Date.now() + this.resurrectDelay;
        lastError = err;
      }
    }
    throw lastError ?? new NetworkError('no host available', '');
  }

  private once(host: Host, method: string, path: string, headers: Record<string, string>, payload: Buffer | undefined): Promise<HttpResult> {
    const secure = host.url.protocol === 'https:';
    let fullPath = host.basePath + path;
    if (this.query) fullPath += (fullPath.includes('?') ? '&' : '?') + this.query;
    return new Promise<HttpResult>((resolve, reject) => {
      let settled = false;
      const fail = (msg: string) => {
        if (settled) return;
        settled = true;
        reject(new NetworkError(`${host.label}: ${msg}`, host.label));
      };
      const req = (secure ? https : http).request(
        {
          protocol: host.url.protocol,
          hostname: host.url.hostname.replace(/^\[|\]$/g, ''),
          port: host.url.port,
          method,
          path: fullPath,
          headers,
          agent: secure ? this.httpsAgent : this.httpAgent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => fail(e.message));
          res.on('aborted', () => fail('response aborted'));
          res.on('end', () => {
            if (settled) return;
            let raw = Buffer.concat(chunks);
            const finish = (b: Buffer) => {
              if (settled) return;
              settled = true;
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, host: host.label });
            };
            if (res.headers['content-encoding'] === 'gzip') gunzipAsync(raw).then(finish, (e: Error) => fail(`bad gzip response: ${e.message}`));
            else finish(raw);
            raw = Buffer.alloc(0);
          });
        },
      );
      req.setTimeout(this.timeoutMillis, () => {
        req.destroy();
        fail(`no answer within ${this.timeoutMillis} ms`);
      });
      req.on('error', (e) => fail(e.message));
      if (payload) req.end(payload);
      else req.end();
    });
  }

  /** GET/DELETE returning parsed JSON, throwing with the server's reason on a non-2xx status. */
  async json(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body));
    const text = res.body.toString('utf8');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path} on ${res.host}: HTTP ${res.status}: ${errorReason(parsed) ?? text.slice(0, 300)}`);
    return parsed;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** `type: reason (caused by type: reason)` from an Elasticsearch/OpenSearch error object or response. */
export function errorReason(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return typeof v === 'string' && v ? v : undefined;
  const o = v as Record<string, unknown>;
  const err = (o.error ?? o) as unknown;
  if (typeof err === 'string') return err;
  if (err === null || typeof err !== 'object') return undefined;
  const e = err as Record<string, unknown>;
  if (e.type === undefined && e.reason === undefined) return undefined;
  let s = `${String(e.type ?? 'error')}: ${String(e.reason ?? '')}`;
  const cause = e.caused_by as Record<string, unknown> | undefined;
  if (cause && typeof cause === 'object') s += ` (caused by ${String(cause.type ?? 'error')}: ${String(cause.reason ?? '')})`;
  return s;
}
