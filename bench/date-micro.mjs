// Micro-benchmark of date parsing: 1M strings per format, parses per second (no assertions).
// Run after building: `npx tsc -p . && node bench/date-micro.mjs`

import { compileJodaParser, compileIso8601Parser, compileJodaFormatter } from '../dist/src/core/joda.js';

const N = 1_000_000;
const DISTINCT = 4096;
const base = Date.UTC(2026, 0, 1);
const pad = (n, w = 2) => String(n).padStart(w, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Distinct realistic inputs spread over a year (so zone spans and month names vary).
function samples(render) {
  const out = [];
  for (let i = 0; i < DISTINCT; i++) {
    const d = new Date(base + Math.floor((i * 365 * 86_400_000) / DISTINCT) + i * 7919);
    out.push(render(d));
  }
  return out;
}

const berlinSyslog = compileJodaFormatter('MMM dd HH:mm:ss', 'Europe/Berlin');
const nginxTime = compileJodaFormatter('dd/MMM/yyyy:HH:mm:ss Z', '+02:00');
const newYorkLocal = compileJodaFormatter('yyyy-MM-dd HH:mm:ss', 'America/New_York');

const cases = [
  {
    name: "syslog 'MMM dd HH:mm:ss' (Europe/Berlin, year guessed)",
    parse: compileJodaParser('MMM dd HH:mm:ss', { timezone: 'Europe/Berlin' }),
    inputs: samples((d) => berlinSyslog(d)),
  },
  {
    name: "nginx 'dd/MMM/yyyy:HH:mm:ss Z'",
    parse: compileJodaParser('dd/MMM/yyyy:HH:mm:ss Z', { timezone: 'UTC' }),
    inputs: samples((d) => nginxTime(d)),
  },
  {
    name: 'ISO8601 with offset (2026-03-01T10:11:12.123456+01:00)',
    parse: compileIso8601Parser({ timezone: 'UTC' }),
    inputs: samples((d) => d.toISOString().replace('Z', '456+01:00')),
  },
  {
    name: 'ISO8601 without offset (America/New_York)',
    parse: compileIso8601Parser({ timezone: 'America/New_York' }),
    inputs: samples((d) => newYorkLocal(d)),
  },
];

// Wall-clock and CPU-time rates: on a shared machine the CPU-time figure is the steadier one.
function report(name, unit, wallNs, cpuUs, extra = '') {
  const perWall = wallNs / N;
  const perCpu = (cpuUs * 1000) / N;
  const rate = (ns) => Math.round(1e9 / ns).toLocaleString('en-US').padStart(11);
  console.log(`${name.padEnd(58)} ${rate(perWall)} ${unit}/s wall (${perWall.toFixed(0).padStart(4)} ns)  ${rate(perCpu)} ${unit}/s cpu (${perCpu.toFixed(0).padStart(4)} ns)${extra}`);
}

function timed(fn) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = fn();
  const wall = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  return { result, wall, cpu: c.user + c.system };
}

function run(c) {
  const inputs = c.inputs;
  let sink = 0;
  for (let i = 0; i < 50_000; i++) sink += c.parse(inputs[i & (DISTINCT - 1)]) ?? 0; // warm-up
  const { result: failed, wall, cpu } = timed(() => {
    let failures = 0;
    for (let i = 0; i < N; i++) {
      const ms = c.parse(inputs[i & (DISTINCT - 1)]);
      if (ms === undefined) failures++;
      else sink += ms;
    }
    return failures;
  });
  report(c.name, 'parses', wall, cpu, failed ? `  (${failed} failed)` : '');
  return sink;
}

let total = 0;
for (const c of cases) total += run(c);

// Formatter as sprintf uses it (%{+yyyy.MM.dd}, per-day cache) and a time-level pattern.
for (const [name, pattern] of [
  ["format 'yyyy.MM.dd' (sprintf index names)", 'yyyy.MM.dd'],
  ["format \"yyyy-MM-dd'T'HH:mm:ss.SSSZZ\"", "yyyy-MM-dd'T'HH:mm:ss.SSSZZ"],
]) {
  const fmt = compileJodaFormatter(pattern, 'UTC');
  const dates = samples((d) => d);
  const { result: len, wall, cpu } = timed(() => {
    let chars = 0;
    for (let i = 0; i < N; i++) chars += fmt(dates[i & (DISTINCT - 1)]).length;
    return chars;
  });
  report(name, 'formats', wall, cpu);
  total += len;
}
if (total === 42) console.log('');
