#!/usr/bin/env node
// Benchmark: N events through the http input's Elasticsearch `_bulk` API into a pipeline with the `null` output.
//   node bench/http-bulk.mjs [--count N] [--connections C] [--docs-per-bulk B] [--workers W] [--json FILE]
//
// Sluice runs as a child process (`sluice run -e …`); this process is the shipper: C keep-alive connections,
// each sending `_bulk` requests of B documents one after the other and waiting for the answer, which comes
// only after the events were delivered, so the figure is end to end. Reports events/s and MiB/s of bulk
// bodies, plus the server's peak RSS when the platform reports it (`ps`).

import { spawn, execFileSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { root } from './lib.mjs';

function parseArgs(argv) {
  const o = { count: 1_000_000, connections: 8, docs: 1000, workers: undefined, json: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--count') o.count = Number(v());
    else if (a === '--connections') o.connections = Number(v());
    else if (a === '--docs-per-bulk') o.docs = Number(v());
    else if (a === '--workers') o.workers = Number(v());
    else if (a === '--json') o.json = resolve(v());
    else {
      process.stderr.write(`usage: node bench/http-bulk.mjs [--count N] [--connections C] [--docs-per-bulk B] [--workers W] [--json FILE]\n`);
      process.exit(2);
    }
  }
  return o;
}

const o = parseArgs(process.argv.slice(2));

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}

function post(agent, port, path, body) {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port, method: path ? 'POST' : 'GET', path: path ?? '/', agent, headers: path ? { 'Content-Type': 'application/x-ndjson', 'Content-Length': body.length } : {} }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', rej);
    req.end(body);
  });
}

// A pool of distinct bulk bodies (firewall-like lines), reused round robin.
function makeBodies(docs, pool) {
  const bodies = [];
  let n = 0;
  for (let b = 0; b < pool; b++) {
    let s = '';
    for (let i = 0; i < docs; i++, n++) {
      const ts = new Date(Date.UTC(2026, 10, 28, 12, 0, 0) + n).toISOString();
      s += '{"index":{"_index":"logs-fw"}}\n';
      s += JSON.stringify({ '@timestamp': ts, host: 'fw-1', message: `%ASA-6-302013: Built inbound TCP connection ${n} for outside:10.0.${n % 256}.${(n >> 8) % 256}/${1024 + (n % 60000)} (10.0.0.1/443) to inside:192.168.1.${n % 254}/443 (192.168.1.1/443)` }) + '\n';
    }
    bodies.push(Buffer.from(s));
  }
  return bodies;
}

function peakRssMiB(pid) {
  try {
    // VmHWM would need /proc; `ps` reports the current RSS, sampled below.
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim()) / 1024;
  } catch {
    return undefined;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-bulk-'));
const port = await freePort();
const config = `input { http { host => "127.0.0.1" port => ${port} elasticsearch_api => true max_content_length => "64MiB" } } output { null {} }`;
const args = [join(root, 'bin', 'sluice.js'), 'run', '-e', config, '--path.data', join(dir, 'data'), '--log.level', 'error'];
if (o.workers) args.push('-w', String(o.workers));
const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
try {
  for (let i = 0; ; i++) {
    try {
      if ((await post(agent, port)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 600 || child.exitCode !== null) throw new Error('sluice did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const requestsTotal = Math.ceil(o.count / o.docs);
  const bodies = makeBodies(o.docs, Math.min(requestsTotal, 64));
  let next = 0;
  let events = 0;
  let bytes = 0;
  let maxRss = 0;
  const sampler = setInterval(() => {
    const r = peakRssMiB(child.pid);
    if (r && r > maxRss) maxRss = r;
  }, 250);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: o.connections }, async () => {
      while (next < requestsTotal) {
        const k = next++;
        const body = bodies[k % bodies.length];
        const r = await post(agent, port, '/_bulk', body);
        if (r.status !== 200) throw new Error(`bulk answered ${r.status}: ${r.body.slice(0, 200)}`);
        if (JSON.parse(r.body).errors) throw new Error('bulk reported item errors');
        events += o.docs;
        bytes += body.length;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  const result = {
    case: 'http _bulk → null',
    events,
    connections: o.connections,
    docsPerBulk: o.docs,
    seconds: Number(seconds.toFixed(3)),
    eventsPerSec: Math.round(events / seconds),
    mibPerSec: Number((bytes / 2 ** 20 / seconds).toFixed(1)),
    senderCpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    serverRssMiB: maxRss ? Math.round(maxRss) : undefined,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  if (o.json) writeFileSync(o.json, JSON.stringify(result, null, 2) + '\n');
} finally {
  agent.destroy();
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}
