#!/usr/bin/env node
// Sender for the http `_bulk` benchmark case: N lines of the generated input as Elasticsearch `_bulk` requests
// (an `index` action line and a source line `{"@timestamp":…,"message":<line>}` per document, DOCS documents
// per request), sent over C keep-alive connections, each posting its next request once the previous one was
// answered (the answer comes only after the events were delivered downstream, as a shipper sees it).
//   node bench/bulk-sender.mjs DATA_FILE PORT CONNECTIONS [DOCS_PER_REQUEST]
// Builds every body first, then prints `sending <bytes> <documents>`; prints `sent` when every request was
// answered. Exits non-zero when a request or an item was refused.

import { Agent, request } from 'node:http';
import { fileLines } from './lib.mjs';

const [file, portArg, connArg, docsArg] = process.argv.slice(2);
const port = Number(portArg);
const connections = Number(connArg ?? 8);
const docsPerRequest = Number(docsArg ?? 1000);

const ACTION = '{"index":{"_index":"logs-asa"}}\n';
const bodies = [];
let parts = [];
let n = 0;
let bytes = 0;
const base = Date.UTC(2026, 10, 28, 11, 55, 26);
for (const line of fileLines(file)) {
  parts.push(ACTION, `{"@timestamp":"${new Date(base + n).toISOString()}","message":${JSON.stringify(line)}}\n`);
  n++;
  if (parts.length === 2 * docsPerRequest) {
    bodies.push(Buffer.from(parts.join('')));
    parts = [];
  }
}
if (parts.length) bodies.push(Buffer.from(parts.join('')));
for (const b of bodies) bytes += b.length;

const agent = new Agent({ keepAlive: true, maxSockets: connections });

function post(body) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/_bulk', agent, headers: { 'Content-Type': 'application/x-ndjson', 'Content-Length': body.length } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// The pipeline is listening when this process starts (bench/run-one.mjs starts it after the agent).
process.stdout.write(`sending ${bytes} ${n}\n`);
let next = 0;
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const r = await post(body);
      // Only the head of the answer is read: `"errors":false` comes before the items.
      if (r.status !== 200) throw new Error(`_bulk answered ${r.status}: ${r.body.slice(0, 300)}`);
      if (!r.body.slice(0, 64).includes('"errors":false')) throw new Error(`_bulk refused items: ${r.body.slice(0, 300)}`);
    }
  }),
);
agent.destroy();
process.stdout.write('sent\n');
