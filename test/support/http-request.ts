// A minimal HTTP(S) client for tests: one request on its own connection, the whole answer as text.

import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  port: number;
  method?: string;
  path?: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

export function send(o: RequestOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const common = { host: '127.0.0.1', port: o.port, method: o.method ?? 'POST', path: o.path ?? '/', headers: o.headers ?? {}, agent: false as const };
    const req = o.tls ? httpsRequest({ ...common, ...o.tls, servername: 'localhost' }) : httpRequest(common);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}
