// One benchmark case, run by bench/run.mjs in a fresh process so that peak RSS belongs to this case alone.
//   node bench/run-one.mjs SPEC.json
// SPEC: { kind: 'sluice', config, workers, batchSize?, pathData, result, sender?: { script, args } }
//    or { kind: 'script', script, args, result }   (a standalone script such as the hand-written node floor)
// Writes { seconds, startupSeconds, cpuSeconds, maxRssMiB, stats? } to SPEC.result. process.resourceUsage()
// covers the whole process, worker threads included.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let startupSeconds = 0;
let stats;
// Network cases: measured from the sender's start to the last delivery, not from process start.
let tStart, tEnd, cpuStart, cpuEnd, senderBytes;

if (spec.kind === 'sluice') {
  const dist = (p) => pathToFileURL(join(root, 'dist', 'src', p)).href;
  const { loadRegistry } = await import(dist('core/registry.js'));
  const { Agent } = await import(dist('core/agent.js'));
  const { createLogger, setLogLevel } = await import(dist('core/logger.js'));
  setLogLevel(spec.logLevel ?? 'warn');
  // As the CLI does: the bundled examples find their side files through these.
  process.env.SLUICE_EXAMPLES_DIR ??= join(root, 'examples');
  process.env.SLUICE_DATA ??= spec.pathData;
  const registry = await loadRegistry();
  const options = { configPath: spec.config, pathData: spec.pathData, workers: spec.workers };
  if (spec.batchSize) options.batchSize = spec.batchSize;
  if (spec.sender) {
    // A network case: the pipeline listens; a separate sender process connects and sends `expect` events.
    // Timing and CPU start when the sender has its data ready and starts sending, and end when the last
    // event was delivered to the outputs.
    const { spawn } = await import('node:child_process');
    const { createInterface } = await import('node:readline');
    const agent = new Agent({ ...options, configString: readFileSync(spec.config, 'utf8'), configPath: undefined }, registry, createLogger('bench'));
    await agent.start();
    startupSeconds = (performance.now() - t0) / 1000;
    const child = spawn(process.execPath, [spec.sender.script, ...spec.sender.args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = (await lines.next()).value ?? '';
    const m = /^sending (\d+) (\d+)/.exec(first);
    if (!m) throw new Error(`sender did not start: ${first}`);
    senderBytes = Number(m[1]);
    const expect = Number(m[2]);
    tStart = performance.now();
    cpuStart = process.cpuUsage();
    while ((agent.stats()[0]?.out ?? 0) < expect) {
      if (child.exitCode !== null && child.exitCode !== 0) throw new Error(`sender failed with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    tEnd = performance.now();
    cpuEnd = process.cpuUsage(cpuStart);
    await exited;
    await agent.stop();
    stats = agent.stats();
  } else {
    const agent = new Agent(options, registry, createLogger('bench'));
    await agent.start();
    startupSeconds = (performance.now() - t0) / 1000;
    await agent.whenIdle();
    stats = agent.stats();
  }
} else if (spec.kind === 'script') {
  // The script reads its arguments from process.argv and does its work while being imported.
  process.argv = [process.argv[0], spec.script, ...spec.args];
  await import(pathToFileURL(spec.script).href);
} else throw new Error(`unknown case kind ${spec.kind}`);

const seconds = ((tEnd ?? performance.now()) - (tStart ?? t0)) / 1000;
const cpu = cpuEnd ?? process.cpuUsage(cpu0);
writeFileSync(
  spec.result,
  JSON.stringify({
    seconds,
    startupSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    stats,
    inputBytes: senderBytes,
  }),
);
// Plugins may keep timers or handles open; the case is over.
process.exit(0);
