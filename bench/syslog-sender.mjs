#!/usr/bin/env node
// Sender for the syslog/tcp benchmark case: N lines of the generated input, wrapped in RFC 5424 headers as
// rsyslog forwards them and octet-counted (RFC 6587), spread round-robin over C TCP connections.
//   node bench/syslog-sender.mjs DATA_FILE PORT CONNECTIONS
// Frames everything first, then prints `sending <bytes>` and writes as fast as the receiver reads (honouring
// TCP backpressure); prints `sent` when every connection was closed.

import net from 'node:net';
import { fileLines } from './lib.mjs';

const [file, portArg, connArg] = process.argv.slice(2);
const port = Number(portArg);
const connections = Number(connArg ?? 8);
const parts = Array.from({ length: connections }, () => []);
let n = 0;
let bytes = 0;
for (const line of fileLines(file)) {
  const close = line.indexOf('>');
  const pri = close > 0 ? line.slice(0, close + 1) : '<134>';
  const msg = `${pri}1 2026-11-28T11:55:26.${String(n % 1_000_000).padStart(6, '0')}+00:00 bench-host asa - - - ${line.slice(close + 1)}\n`;
  const frame = `${Buffer.byteLength(msg)} ${msg}`;
  parts[n % connections].push(frame);
  n++;
}
const buffers = parts.map((p) => Buffer.from(p.join('')));
for (const b of buffers) bytes += b.length;
process.stdout.write(`sending ${bytes} ${n}\n`);

const CHUNK = 256 * 1024;
await Promise.all(
  buffers.map(
    (buf) =>
      new Promise((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1');
        s.on('error', reject);
        s.on('close', resolve);
        s.on('connect', () => {
          let at = 0;
          const pump = () => {
            while (at < buf.length) {
              const next = Math.min(buf.length, at + CHUNK);
              const ok = s.write(buf.subarray(at, next));
              at = next;
              if (!ok) return void s.once('drain', pump);
            }
            s.end();
          };
          pump();
        });
        s.resume();
      }),
  ),
);
process.stdout.write('sent\n');
