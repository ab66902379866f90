// One benchmark case, run by bench/run.mjs in a fresh process so that peak RSS belongs to this case alone.
//   node bench/run-one.mjs SPEC.json
// SPEC: { kind: 'sluice', config, workers, batchSize?, pathData, result }
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
  const agent = new Agent(options, registry, createLogger('bench'));
  await agent.start();
  startupSeconds = (performance.now() - t0) / 1000;
  await agent.whenIdle();
  stats = agent.stats();
} else if (spec.kind === 'script') {
  // The script reads its arguments from process.argv and does its work while being imported.
  process.argv = [process.argv[0], spec.script, ...spec.args];
  await import(pathToFileURL(spec.script).href);
} else throw new Error(`unknown case kind ${spec.kind}`);

const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
writeFileSync(
  spec.result,
  JSON.stringify({
    seconds,
    startupSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    stats,
  }),
);
// Plugins may keep timers or handles open; the case is over.
process.exit(0);
