#!/usr/bin/env node
// Where a worker's time goes, stage by stage, on one thread with the real plugins (no worker threads):
// decode (bytes -> events), filters, output encode, the structured clone that carries a payload to the
// main thread, and the main thread's file write. Complements `node --cpu-prof` (bench/run.mjs --profile).
//
//   node bench/stages.mjs [--case grok+date|firewall] [--count N] [--seed S] [--batch N] [--rounds N]
//
// Each stage is timed over the whole input; the filters are run twice (once alone, once with encoding) so
// the encode cost is the difference. Figures are per event, in microseconds of CPU time (process.cpuUsage,
// so other load on the machine disturbs them less than wall-clock time; V8's GC helper threads count too).

import { mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildConfig, ensureData, root } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const caseName = opt('--case', 'grok+date');
const count = Number(opt('--count', '200000'));
const seed = opt('--seed', '1');
const batchSize = Number(opt('--batch', '1000'));
const rounds = Number(opt('--rounds', '2'));

const dist = (p) => import(pathToFileURL(join(root, 'dist', 'src', p)).href);
const { loadRegistry } = await dist('core/registry.js');
const { loadPipelines } = await dist('config/load.js');
const { PipelineExecutor } = await dist('core/executor.js');
const { createLogger, setLogLevel } = await dist('core/logger.js');
setLogLevel('error');

const data = await ensureData(count, seed);
const tmp = mkdtempSync(join(tmpdir(), 'sluice-stages-'));
process.env.SLUICE_EXAMPLES_DIR ??= join(root, 'examples');
process.env.SLUICE_DATA ??= tmp;
const config = buildConfig(caseName, data.file, tmp, join(tmp, 'out.jsonl'));
const registry = await loadRegistry();
const { pipelines, errors } = loadPipelines({ configPath: config, pathData: join(tmp, 'data'), workers: 1 }, registry);
if (errors.length) throw new Error(errors.join('\n'));
const model = pipelines[0].model;
const exec = await PipelineExecutor.create(model, registry, createLogger('stages'));

// Byte batches of `batchSize` lines, as the file input hands them over (with its per-file fields).
const bytes = readFileSync(data.file);
const host = hostname();
const fields = { path: data.file, host, '[@metadata][path]': data.file, '[@metadata][host]': host };
const batches = [];
for (let start = 0; start < bytes.length; ) {
  let end = start;
  for (let n = 0; n < batchSize && end < bytes.length; n++) {
    const nl = bytes.indexOf(10, end);
    end = nl < 0 ? bytes.length : nl + 1;
  }
  batches.push({ kind: 'bytes', data: new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start), idPrefix: 'file:1:2:0:', baseOffset: start, fields });
  start = end;
}

const outFile = join(tmp, 'write.out');
const fd = openSync(outFile, 'w');
const payloadBytes = (p) => (typeof p === 'string' ? p : p.byteLength);
let seq = 0;
const now = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function round() {
  const t = { decode: 0, filters: 0, filtersAndEncode: 0, clone: 0, write: 0 };
  let events = 0;
  let outBytes = 0;
  for (const b of batches) {
    let t0 = now();
    const evs = exec.decode(b, 0);
    t.decode += now() - t0;
    events += evs.length;
    t0 = now();
    exec.runFilters(evs);
    t.filters += now() - t0;
    const evs2 = exec.decode(b, 0);
    t0 = now();
    const { payloads } = exec.process(evs2, ++seq);
    t.filtersAndEncode += now() - t0;
    t0 = now();
    const copy = structuredClone(payloads);
    t.clone += now() - t0;
    t0 = now();
    // File-output payloads are [path, text or bytes] pairs; other outputs are timed as a JSON write.
    for (const p of copy) {
      if (p === undefined) continue;
      for (const item of Array.isArray(p) && Array.isArray(p[0]) ? p : [[null, JSON.stringify(p)]]) {
        writeSync(fd, item[1]);
        outBytes += Buffer.byteLength(typeof item[1] === 'string' ? item[1] : '') || payloadBytes(item[1]);
      }
    }
    t.write += now() - t0;
  }
  return { t, events, outBytes };
}

let last;
for (let r = 0; r < rounds; r++) last = round(); // the first round warms up the JIT
closeSync(fd);
rmSync(tmp, { recursive: true, force: true });

const { t, events, outBytes } = last;
const us = (ms) => ((ms * 1000) / events).toFixed(2).padStart(7);
const encode = t.filtersAndEncode - t.filters;
const worker = t.decode + t.filtersAndEncode + t.clone / 2;
const rows = [
  ['decode (bytes -> events)', t.decode],
  ['filters', t.filters],
  ['output encode', encode],
  ['structured clone of payloads (both sides)', t.clone],
  ['file write (main thread)', t.write],
];
process.stdout.write(`${caseName}: ${events.toLocaleString('en-US')} events in batches of ${batchSize}, ${(outBytes / events).toFixed(0)} output bytes/event; last of ${rounds} rounds\n`);
process.stdout.write('stage                                          us/event\n');
for (const [name, ms] of rows) process.stdout.write(`${name.padEnd(45)} ${us(ms)}\n`);
process.stdout.write(
  `worker thread total (decode+filters+encode+half the clone) ${us(worker).trim()} us/event: at most ${Math.round((events / worker) * 1000).toLocaleString('en-US')} events/s per worker thread\n`,
);
