#!/usr/bin/env node
// `npm run bench`: throughput and memory of Sluice on Cisco ASA syslog, beside a hand-written Node.js floor
// and the figures of rsyslog and syslog-ng measured on the same machine.
//
//   node bench/run.mjs [--count N] [--seed S] [--only CASE[,CASE]] [--workers LIST] [--runs N]
//                      [--batch-size N] [--profile] [--json FILE] [--keep]
//
// The input (N lines from bench/gen-asa.mjs) is generated once into bench/data/ and reused. Every case runs in
// a fresh child process (bench/run-one.mjs), so the peak RSS reported is that case's alone (worker threads
// included); file checkpoints and outputs live in a temporary directory, so every run reads the whole file.
// Speed is measured here and only here (no timed tests).

import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { benchDir, buildConfig, bulkHttpConfig, dirBytes, distributedConfigs, DISTRIBUTED_CONSUMER, DISTRIBUTED_STREAM, ensureData, esBulkConfig, freePort, lakeConfig, root, runChild, sluiceNodeFlags, startEsStandin, syslogTcpConfig } from './lib.mjs';

const cores = availableParallelism();

// Reference figures measured on this (2-core) development machine over 1,000,000 generated ASA lines, same
// regular expressions, date parse and JSON output in every tool; medians of 3 runs.
// Source: ../shared/research/perf-notes.md ("Performance notes for this machine").
const REFERENCE = {
  rsyslog: { label: 'rsyslog 8.2302 + mmnormalize (liblognorm), 2 threads', linesPerSec: 213_000, rssMiB: 39 },
  syslogNg: { label: 'syslog-ng 3.38 regexp-parser + format-json', linesPerSec: 50_000, rssMiB: 12 },
  nodeFloor: { label: 'hand-written Node.js, one thread (perf-notes figure)', linesPerSec: 251_000, rssMiB: 133 },
};
const TARGET_VS_FLOOR = 1.6;
const TARGET_RSS_MIB = 300;
const NODE_FLOOR = resolve(root, '..', 'shared', 'bench', 'node-floor.mjs');
// syslog-tcp: this many TCP connections from a separate sender process (RFC 5424, octet counting) into the
// syslog input, null output. Target: 250k lines/s on 2 cores.
const SYSLOG_CONNECTIONS = 8;
const SYSLOG_TARGET = 250_000;
// http-bulk: the same lines as Elasticsearch `_bulk` requests of this many documents, over as many keep-alive
// connections from a separate sender process, into the http input (elasticsearch_api) and the null output.
const BULK_DOCS_PER_REQUEST = 1000;
// The cases fed over the network by a sender process (no output file to check).
const NETWORK_CASES = new Set(['syslog-tcp', 'http-bulk']);
// Cases whose output is the JSON-lines file scanned by scanOutput (the others write a lake, an index or nothing).
const OUTPUT_FILE_CASES = new Set(['grok+date', 'firewall']);
// distributed: a front process (file → jetstream) and this many worker processes (jetstream → firewall filters →
// file) on one nats-server started for the case. Target: >= 70% of the embedded firewall case's events/s.
const DISTRIBUTED_WORKER_PROCESSES = 2;
const DISTRIBUTED_TARGET = 0.7;
const natsServerAvailable = () => spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;

const USAGE = `usage: node bench/run.mjs [options]
  --count N         lines of generated input (default 1000000)
  --seed S          generator seed (default 1)
  --only LIST       cases to run, comma-separated: grok+date, firewall, syslog-tcp, http-bulk, lake-raw,
                    lake-parquet, es-bulk, distributed, floor (prefixes work: grok,fire,sys,http,lake,es,dist);
                    distributed needs nats-server and is compared with firewall; floor also runs floor-pair
                    (two floor processes at once on half the lines each: the machine's two-thread ceiling)
  --workers LIST    worker counts for the Sluice cases, comma-separated numbers or "all" (default 1,all)
  --runs N          run every case N times and report the median by events/s (default 1)
  --batch-size N    pipeline.batch.size for the Sluice cases (default: Sluice's own)
  --profile         run every case under --cpu-prof; profiles go to bench/data/profiles/<case>/
                    (summarise with node bench/profile-summary.mjs DIR)
  --json FILE       also write the results as JSON
  --keep            keep each case's temporary directory (config, output, checkpoints)`;

function parseArgs(argv) {
  const o = { count: 1_000_000, seed: '1', only: null, workers: ['1', 'all'], runs: 1, batchSize: undefined, profile: false, json: undefined, keep: false, timeout: 900 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--count') o.count = Number(v());
    else if (a === '--seed') o.seed = v();
    else if (a === '--only') o.only = v().split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    else if (a === '--workers') o.workers = v().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--runs') o.runs = Number(v());
    else if (a === '--batch-size') o.batchSize = Number(v());
    else if (a === '--timeout') o.timeout = Number(v());
    else if (a === '--profile') o.profile = true;
    else if (a === '--json') o.json = resolve(v());
    else if (a === '--keep') o.keep = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else die(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.count) || o.count < 1) die('--count must be a positive integer');
  if (!Number.isInteger(o.runs) || o.runs < 1) die('--runs must be a positive integer');
  if (o.batchSize !== undefined && (!Number.isInteger(o.batchSize) || o.batchSize < 1)) die('--batch-size must be a positive integer');
  o.workerCounts = [...new Set(o.workers.map((w) => (w === 'all' ? cores : Number(w))))];
  if (o.workerCounts.some((w) => !Number.isInteger(w) || w < 1)) die('--workers: positive integers or "all"');
  return o;
}

function die(msg) {
  process.stderr.write(`bench: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Output check: lines written and events carrying a parse-failure tag (same tags for every case)
// ---------------------------------------------------------------------------------------------

async function scanOutput(file) {
  const res = { lines: 0, bytes: 0, grokFailures: 0, dateFailures: 0 };
  if (!existsSync(file)) return res;
  const grokTag = Buffer.from('"_grokparsefailure"');
  const dateTag = Buffer.from('"_dateparsefailure"');
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 })) {
    res.bytes += chunk.length;
    for (let p = chunk.indexOf(10); p >= 0; p = chunk.indexOf(10, p + 1)) res.lines++;
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    // Count tags in whole lines only; the partial last line is carried over.
    const lastNl = buf.lastIndexOf(10);
    const whole = lastNl >= 0 ? buf.subarray(0, lastNl + 1) : Buffer.alloc(0);
    for (let p = whole.indexOf(grokTag); p >= 0; p = whole.indexOf(grokTag, p + 1)) res.grokFailures++;
    for (let p = whole.indexOf(dateTag); p >= 0; p = whole.indexOf(dateTag, p + 1)) res.dateFailures++;
    carry = Buffer.from(lastNl >= 0 ? buf.subarray(lastNl + 1) : buf);
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// Running cases
// ---------------------------------------------------------------------------------------------

async function runCase(c, data, opts, run) {
  const tmp = mkdtempSync(join(tmpdir(), `sluice-bench-${c.name.replace(/\W/g, '')}-`));
  const outFile = join(tmp, 'out.jsonl');
  const resultFile = join(tmp, 'result.json');
  let outFiles = [outFile];
  let spec;
  let lakeDir;
  let standin;
  if (c.name === 'lake-raw' || c.name === 'lake-parquet') {
    lakeDir = join(tmp, 'lake');
    spec = { kind: 'sluice', config: lakeConfig(c.name, data.file, tmp, lakeDir), workers: c.workers, batchSize: opts.batchSize, pathData: join(tmp, 'data'), result: resultFile };
  } else if (c.name === 'es-bulk') {
    standin = await startEsStandin();
    spec = { kind: 'sluice', config: esBulkConfig(data.file, tmp, standin.url), workers: c.workers, batchSize: opts.batchSize, pathData: join(tmp, 'data'), result: resultFile };
  } else if (NETWORK_CASES.has(c.name)) {
    // A sender process feeds the input over the network: syslog frames or _bulk requests.
    const port = await freePort();
    const config = join(tmp, 'pipeline.conf');
    const bulk = c.name === 'http-bulk';
    writeFileSync(config, bulk ? bulkHttpConfig(port) : syslogTcpConfig(port));
    const senderArgs = [data.file, String(port), String(SYSLOG_CONNECTIONS), ...(bulk ? [String(BULK_DOCS_PER_REQUEST)] : [])];
    spec = {
      kind: 'sluice',
      config,
      workers: c.workers,
      batchSize: opts.batchSize,
      pathData: join(tmp, 'data'),
      result: resultFile,
      sender: { script: join(benchDir, bulk ? 'bulk-sender.mjs' : 'syslog-sender.mjs'), args: senderArgs },
    };
  } else if (c.name === 'distributed') {
    const natsPort = await freePort();
    const configs = distributedConfigs(data.file, tmp, `nats://127.0.0.1:${natsPort}`, DISTRIBUTED_WORKER_PROCESSES);
    outFiles = configs.outFiles;
    spec = {
      kind: 'distributed',
      frontConfig: configs.front,
      workerConfigs: configs.workers,
      workers: c.workers,
      batchSize: opts.batchSize,
      pathData: join(tmp, 'data'),
      natsPort,
      natsStore: join(tmp, 'nats'),
      stream: DISTRIBUTED_STREAM,
      consumer: DISTRIBUTED_CONSUMER,
      result: resultFile,
    };
  } else if (c.kind === 'sluice') {
    spec = { kind: 'sluice', config: buildConfig(c.name, data.file, tmp, outFile), workers: c.workers, batchSize: opts.batchSize, pathData: join(tmp, 'data'), result: resultFile };
  } else if (c.name === 'floor-pair') {
    // Two floor processes at once, each on half the lines: what two threads of hand-written code get out of
    // this machine's cores (its ceiling for any two-thread engine on this work).
    const bytes = readFileSync(data.file);
    const mid = bytes.indexOf(10, bytes.length >> 1) + 1;
    const halves = [join(tmp, 'half1.log'), join(tmp, 'half2.log')];
    writeFileSync(halves[0], bytes.subarray(0, mid));
    writeFileSync(halves[1], bytes.subarray(mid));
    outFiles = [join(tmp, 'out1.jsonl'), join(tmp, 'out2.jsonl')];
    spec = { kind: 'script-pair', script: NODE_FLOOR, runs: [[halves[0], outFiles[0]], [halves[1], outFiles[1]]], result: resultFile };
  } else {
    spec = { kind: 'script', script: NODE_FLOOR, args: [data.file, outFile], result: resultFile };
  }
  const specFile = join(tmp, 'spec.json');
  writeFileSync(specFile, JSON.stringify(spec));
  const nodeArgs = c.kind === 'script' ? [] : sluiceNodeFlags();
  let profileDir;
  if (opts.profile) {
    profileDir = join(benchDir, 'data', 'profiles', `${c.name.replace(/\W/g, '')}-w${c.workers}${opts.runs > 1 ? `-run${run}` : ''}`);
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', profileDir);
  }
  const stderrFile = join(tmp, 'stderr.log');
  const errFd = openSync(stderrFile, 'w');
  // The previous case's output (hundreds of MiB) may still be waiting to be written back to disk; writing it out
  // first keeps that from slowing this case (the single-threaded floor, which writes synchronously, varied by a
  // third without this).
  spawnSync('sync', { stdio: 'ignore' });
  const load = loadavg()[0];
  let failure;
  try {
    await runChild(process.execPath, [...nodeArgs, join(benchDir, 'run-one.mjs'), specFile], { stdio: ['ignore', 'ignore', errFd], cwd: tmp }, opts.timeout);
  } catch (e) {
    failure = e.message;
  } finally {
    closeSync(errFd);
  }
  let standinReport;
  if (standin) {
    try {
      standinReport = await standin.stop();
    } catch (e) {
      failure ??= `es-standin: ${e.message}`;
    }
  }
  // Compression ratio of the lake: input bytes / bytes of every object written.
  const lakeBytes = lakeDir ? dirBytes(lakeDir) : undefined;
  const stderr = readFileSync(stderrFile, 'utf8');
  let r;
  if (!failure) {
    try {
      r = JSON.parse(readFileSync(resultFile, 'utf8'));
    } catch (e) {
      failure = `no result: ${e.message}`;
    }
  }
  const out = { lines: 0, bytes: 0, grokFailures: 0, dateFailures: 0 };
  for (const f of outFiles) for (const [k, v] of Object.entries(await scanOutput(f))) out[k] += v;
  if (!opts.keep) rmSync(tmp, { recursive: true, force: true });
  if (failure) return { ...c, failure, stderr, tmp: opts.keep ? tmp : undefined };
  const s = r.stats?.[0];
  const events = s ? s.out : out.lines;
  return {
    ...c,
    events,
    inEvents: s?.in,
    failedEvents: s?.failed,
    outLines: out.lines,
    outBytes: out.bytes,
    grokFailures: out.grokFailures,
    dateFailures: out.dateFailures,
    seconds: r.seconds,
    startupSeconds: r.startupSeconds,
    cpuSeconds: r.cpuSeconds,
    maxRssMiB: r.maxRssMiB,
    distributed: r.distributed,
    eventsPerSec: events / r.seconds,
    mibPerSec: (r.inputBytes ?? data.bytes) / 2 ** 20 / r.seconds,
    lakeBytes,
    compressionRatio: lakeBytes ? data.bytes / lakeBytes : undefined,
    indexed: standinReport?.indexed,
    bulkRequests: standinReport?.bulkRequests,
    load,
    stderr,
    profileDir,
    tmp: opts.keep ? tmp : undefined,
  };
}

function median(results) {
  const ok = results.filter((r) => !r.failure).sort((a, b) => a.eventsPerSec - b.eventsPerSec);
  if (!ok.length) return results[0];
  return ok[Math.floor((ok.length - 1) / 2)];
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const fmtInt = (n) => Math.round(n).toLocaleString('en-US');

function table(rows) {
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals) => vals.map((v, i) => (i === 0 ? String(v).padEnd(width[i]) : String(v).padStart(width[i]))).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => r[c])))].join('\n') + '\n';
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const wanted = (name) => !opts.only || opts.only.some((o) => name.startsWith(o) || (o === 'node' && name === 'floor'));
  const SLUICE_CASES = ['grok+date', 'firewall', ...NETWORK_CASES, 'lake-raw', 'lake-parquet', 'es-bulk'];
  if (!existsSync(join(root, 'dist', 'src', 'core', 'agent.js')) && [...SLUICE_CASES, 'distributed'].some(wanted)) die('dist/ is missing: run `npx tsc -p .` first (npm run bench does)');
  const data = await ensureData(opts.count, opts.seed);

  const cases = [];
  for (const name of SLUICE_CASES) if (wanted(name)) for (const w of opts.workerCounts) cases.push({ name, kind: 'sluice', workers: w });
  // One thread per worker process: the 2 worker processes together use as many cores as the embedded case's 2.
  const natsAvailable = natsServerAvailable();
  if (wanted('distributed') && natsAvailable) cases.push({ name: 'distributed', kind: 'sluice', workers: 1 });
  const floorAvailable = existsSync(NODE_FLOOR);
  if (wanted('floor') && floorAvailable) cases.push({ name: 'floor', kind: 'script', workers: 1 }, { name: 'floor-pair', kind: 'script', workers: 2 });

  const cpuModel = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  process.stdout.write(
    `Sluice benchmark: ${fmtInt(opts.count)} Cisco ASA lines (seed ${opts.seed}), ${(data.bytes / 2 ** 20).toFixed(1)} MiB; ` +
      `${cores} cores (${cpuModel}), Node ${process.version}` +
      (opts.runs > 1 ? `; median of ${opts.runs} runs` : '') +
      '\n',
  );
  const load0 = loadavg()[0];
  if (load0 > 0.5) process.stdout.write(`note: load average is ${load0.toFixed(2)} before starting; other processes are competing for the CPU and the figures will be low.\n`);

  // Runs are interleaved (every case once, then every case again, ...): on a shared machine the speed drifts over
  // minutes, and running one case's runs back to back would hand that drift to the comparison between cases.
  const runsByCase = cases.map(() => []);
  for (let run = 1; run <= opts.runs; run++) {
    for (const [i, c] of cases.entries()) {
      process.stderr.write(`running ${c.name} (workers ${c.workers})${opts.runs > 1 ? ` run ${run}/${opts.runs}` : ''} ...\n`);
      const r = await runCase(c, data, opts, run);
      runsByCase[i].push(r);
      if (r.failure) process.stderr.write(`  FAILED: ${r.failure}\n${r.stderr.split('\n').slice(0, 30).join('\n')}\n`);
      else {
        process.stderr.write(`  ${fmtInt(r.eventsPerSec)} events/s, ${r.seconds.toFixed(2)} s, peak RSS ${r.maxRssMiB === undefined ? 'n/a' : r.maxRssMiB.toFixed(0) + ' MiB'}\n`);
        const warn = r.stderr.trim();
        if (warn) process.stderr.write(`  (stderr) ${warn.split('\n').slice(0, 8).join('\n  (stderr) ')}\n`);
      }
    }
  }
  const results = runsByCase.map((runs) => median(runs));

  const label = (r) =>
    r.name === 'grok+date' ? 'grok+date' : r.name === 'firewall' ? 'firewall example' : r.name === 'distributed' ? `front + ${DISTRIBUTED_WORKER_PROCESSES} workers via JetStream` : r.name === 'syslog-tcp'
          ? `syslog/tcp -> null (${SYSLOG_CONNECTIONS} conns)`
          : r.name === 'http-bulk'
            ? `http _bulk -> null (${SYSLOG_CONNECTIONS} conns)`
            : r.name === 'lake-raw'
              ? 'lake raw (gzip), no filters'
              : r.name === 'lake-parquet'
                ? 'grok+date -> lake parquet'
                : r.name === 'es-bulk'
                  ? 'grok+date -> es stand-in'
                  : r.name === 'floor-pair'
                    ? 'node floor x2 (2 processes, half each)'
                    : 'node floor';
  const rows = results.map((r) =>
    r.failure
      ? { case: label(r), workers: r.workers, events: 'FAILED', 'grok fail': '', seconds: '', 'events/s': '', 'MiB/s': '', 'CPU s': '', 'events/CPU s': '', 'peak RSS MiB': '', 'out MiB': '', load: '' }
      : {
          case: label(r),
          workers: r.name === 'floor-pair' ? '2 procs' : r.kind === 'script' ? '1 (main)' : r.name === 'distributed' ? `${DISTRIBUTED_WORKER_PROCESSES}x${r.workers}` : r.workers,
          events: fmtInt(r.events),
          'grok fail': OUTPUT_FILE_CASES.has(r.name) ? fmtInt(r.grokFailures) : '-',
          seconds: r.seconds.toFixed(2),
          'events/s': fmtInt(r.eventsPerSec),
          'MiB/s': r.mibPerSec.toFixed(1),
          'CPU s': r.cpuSeconds === undefined ? 'n/a' : r.cpuSeconds.toFixed(1),
          'events/CPU s': r.cpuSeconds === undefined ? 'n/a' : fmtInt(r.events / r.cpuSeconds),
          'peak RSS MiB': r.maxRssMiB === undefined ? 'n/a' : r.maxRssMiB.toFixed(0),
          'out MiB': ((r.lakeBytes ?? r.outBytes) / 2 ** 20).toFixed(0),
          load: r.load.toFixed(2),
        },
  );
  process.stdout.write('\n' + (rows.length ? table(rows) : 'no case ran\n'));
  process.stdout.write('(MiB/s: input bytes, for the network cases bytes on the wire; CPU s: user+system of the whole process, worker threads included; other load on the machine\n' +
      ' disturbs it less than seconds; load: 1-min load average when the case started; distributed: workers = processes x threads,\n' +
      ' peak RSS of its largest process, CPU not measured)\n');
  for (const r of results) {
    if (r.failure || r.kind !== 'sluice') continue;
    const problems = [];
    if (OUTPUT_FILE_CASES.has(r.name) && r.outLines !== r.events) problems.push(`output has ${fmtInt(r.outLines)} lines for ${fmtInt(r.events)} events`);
    if (r.name === 'distributed' && r.outLines !== opts.count) problems.push(`workers wrote ${fmtInt(r.outLines)} lines for ${fmtInt(opts.count)} input lines`);
    if (r.inEvents !== undefined && r.inEvents !== opts.count) problems.push(`read ${fmtInt(r.inEvents)} events from ${fmtInt(opts.count)} lines`);
    if (r.name === 'es-bulk' && r.indexed !== r.events) problems.push(`the stand-in indexed ${fmtInt(r.indexed ?? 0)} documents for ${fmtInt(r.events)} events`);
    if (problems.length) process.stdout.write(`warning: ${label(r)} (workers ${r.workers}): ${problems.join('; ')}\n`);
  }
  if (!natsAvailable && wanted('distributed')) process.stdout.write('\nnote: nats-server not found (Debian package nats-server); the distributed case was not run.\n');
  if (!floorAvailable && wanted('floor')) process.stdout.write(`\nnote: ${NODE_FLOOR} not found (../shared is not next to this checkout); the node floor was not run.\n`);

  // Targets
  const grokAll = results.find((r) => r.name === 'grok+date' && !r.failure && r.workers === cores) ?? results.filter((r) => r.name === 'grok+date' && !r.failure).sort((a, b) => b.workers - a.workers)[0];
  const floor = results.find((r) => r.name === 'floor' && !r.failure);
  if (grokAll) {
    const rate = grokAll.eventsPerSec;
    const floorRate = floor ? floor.eventsPerSec : REFERENCE.nodeFloor.linesPerSec;
    const floorLabel = floor ? `node floor measured above (${fmtInt(floorRate)}/s)` : `${REFERENCE.nodeFloor.label}, ${fmtInt(floorRate)}/s`;
    const verdict = (ok) => (ok ? 'ok' : 'BELOW TARGET');
    process.stdout.write(`\nTargets (grok+date with ${grokAll.workers} workers: ${fmtInt(rate)} events/s)\n`);
    process.stdout.write(`  vs ${floorLabel}: ${(rate / floorRate).toFixed(2)}x (target >= ${TARGET_VS_FLOOR}x) ${verdict(rate / floorRate >= TARGET_VS_FLOOR)}\n`);
    if (floor && opts.runs > 1) {
      // Each round's Sluice run against the same round's floor run: closer in time, so less of the drift.
      const sluiceRuns = runsByCase[results.indexOf(grokAll)];
      const floorRuns = runsByCase[results.indexOf(floor)];
      const ratios = sluiceRuns.flatMap((r, i) => (r.failure || floorRuns[i].failure ? [] : [r.eventsPerSec / floorRuns[i].eventsPerSec])).sort((a, b) => a - b);
      if (ratios.length)
        process.stdout.write(
          `  paired by round: ${ratios.map((x) => x.toFixed(2)).join(', ')}; median ${ratios[Math.floor((ratios.length - 1) / 2)].toFixed(2)}x\n`,
        );
    }
    if (floor) {
      // Events per CPU-second is disturbed less by other load than events/s; with every core busy, 1.6x the
      // single-thread floor on N cores needs at least 1.6/N of the floor's events per CPU-second.
      const eff = grokAll.events / grokAll.cpuSeconds / (floor.events / floor.cpuSeconds);
      const needed = TARGET_VS_FLOOR / grokAll.workers;
      process.stdout.write(`  CPU efficiency vs node floor (events per CPU-second): ${eff.toFixed(2)} (1.6x on ${grokAll.workers} cores needs >= ${needed.toFixed(2)}) ${verdict(eff >= needed)}\n`);
    }
    const pair = results.find((r) => r.name === 'floor-pair' && !r.failure);
    if (pair && floor)
      process.stdout.write(
        `  this machine's two-thread ceiling: two floor processes at once reach ${fmtInt(pair.eventsPerSec)}/s, ${(pair.eventsPerSec / floor.eventsPerSec).toFixed(2)}x one floor; ` +
          `Sluice reaches ${((rate / pair.eventsPerSec) * 100).toFixed(0)}% of it\n`,
      );
    for (const ref of [REFERENCE.rsyslog, REFERENCE.syslogNg]) process.stdout.write(`  vs ${ref.label}, ${fmtInt(ref.linesPerSec)} lines/s: ${(rate / ref.linesPerSec).toFixed(2)}x\n`);
    process.stdout.write('  (rsyslog and syslog-ng figures: ../shared/research/perf-notes.md, measured on this machine)\n');
  }
  for (const r of results.filter((x) => x.name === 'syslog-tcp' && !x.failure))
    process.stdout.write(
      `\nsyslog/tcp (${r.workers} workers): ${fmtInt(r.eventsPerSec)} lines/s, ${r.mibPerSec.toFixed(1)} MiB/s on the wire (target >= ${fmtInt(SYSLOG_TARGET)} lines/s) ${r.eventsPerSec >= SYSLOG_TARGET ? 'ok' : 'BELOW TARGET'}\n`,
    );
  for (const r of results.filter((x) => x.name === 'http-bulk' && !x.failure))
    process.stdout.write(
      `\nhttp _bulk (${r.workers} workers, ${BULK_DOCS_PER_REQUEST} documents per request): ${fmtInt(r.eventsPerSec)} documents/s, ${r.mibPerSec.toFixed(1)} MiB/s of bulk bodies on the wire, peak RSS ${r.maxRssMiB.toFixed(0)} MiB\n`,
    );
  const loadRuns = results.filter((x) => !x.failure && (x.name.startsWith('lake-') || x.name === 'es-bulk'));
  if (loadRuns.length) {
    process.stdout.write('\nLoad (MiB/s: input bytes; compression: input bytes / bytes in the lake):\n');
    for (const r of loadRuns) {
      const extra =
        r.name === 'es-bulk'
          ? `${fmtInt(r.indexed ?? 0)} documents indexed in ${fmtInt(r.bulkRequests ?? 0)} bulk requests (stand-in in its own process on the same cores)`
          : `compression ${r.compressionRatio?.toFixed(1) ?? '?'}x (${(r.lakeBytes / 2 ** 20).toFixed(1)} MiB in the lake)`;
      process.stdout.write(`  ${label(r)} (${r.workers} workers): ${fmtInt(r.eventsPerSec)} events/s, ${r.mibPerSec.toFixed(1)} MiB/s, ${extra}\n`);
    }
  }
  for (const r of results.filter((x) => x.name === 'distributed' && !x.failure)) {
    const d = r.distributed;
    process.stdout.write(
      `\ndistributed (front + ${DISTRIBUTED_WORKER_PROCESSES} worker processes, one nats-server): ${fmtInt(r.eventsPerSec)} events/s end to end, ${r.seconds.toFixed(2)} s\n` +
        `  front (file -> stream, acknowledged by the stream): ${d.frontSeconds.toFixed(2)} s, ${((d.frontSeconds / r.seconds) * 100).toFixed(0)}% of the end-to-end time; ` +
        `${fmtInt(d.streamMessages)} stream messages (${fmtInt(r.events / Math.max(1, d.streamMessages))} events each), ${(d.streamBytes / 2 ** 20).toFixed(1)} MiB stored\n`,
    );
    const embedded = results.find((x) => x.name === 'firewall' && !x.failure && x.workers === cores) ?? results.filter((x) => x.name === 'firewall' && !x.failure).sort((a, b) => b.eventsPerSec - a.eventsPerSec)[0];
    if (embedded) {
      const ratio = r.eventsPerSec / embedded.eventsPerSec;
      process.stdout.write(
        `  vs the embedded firewall case (${embedded.workers} workers, ${fmtInt(embedded.eventsPerSec)} events/s, same run): ${(ratio * 100).toFixed(0)}% ` +
          `(target >= ${DISTRIBUTED_TARGET * 100}%) ${ratio >= DISTRIBUTED_TARGET ? 'ok' : 'BELOW TARGET'}; the stream's share of the time: ${(Math.max(0, 1 - ratio) * 100).toFixed(0)}%\n`,
      );
    } else process.stdout.write('  (run the firewall case in the same run for the ratio: --only firewall,distributed)\n');
  }
  const sluiceRuns = results.filter((r) => r.kind === 'sluice' && !r.failure);
  if (sluiceRuns.length) {
    const worst = sluiceRuns.reduce((a, b) => (b.maxRssMiB > a.maxRssMiB ? b : a));
    process.stdout.write(
      `  peak RSS of the Sluice cases: at most ${worst.maxRssMiB.toFixed(0)} MiB (${label(worst)}, ${worst.workers} workers; target < ${TARGET_RSS_MIB} MiB) ${worst.maxRssMiB < TARGET_RSS_MIB ? 'ok' : 'ABOVE TARGET'}\n`,
    );
  }
  if (opts.profile) process.stdout.write(`\nprofiles: ${join(benchDir, 'data', 'profiles')} (node bench/profile-summary.mjs DIR)\n`);
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify({ count: opts.count, seed: opts.seed, inputBytes: data.bytes, cores, node: process.version, reference: REFERENCE, results: results.map(({ stderr, ...r }) => r) }, null, 2) + '\n');
  }
  if (results.some((r) => r.failure)) process.exitCode = 1;
}

await main();
