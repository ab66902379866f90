// One benchmark case, run by bench/run.mjs in a fresh process so that peak RSS belongs to this case alone.
//   node bench/run-one.mjs SPEC.json
// SPEC: { kind: 'sluice', config, workers, batchSize?, pathData, result, sender?: { script, args } }
//    or { kind: 'distributed', frontConfig, workerConfigs, workers, batchSize?, pathData, natsPort, natsStore, stream, consumer, result }
//    or { kind: 'script', script, args, result }   (a standalone script such as the hand-written node floor)
// Writes { seconds, startupSeconds, cpuSeconds, maxRssMiB, stats? } to SPEC.result. process.resourceUsage()
// covers the whole process, worker threads included.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { sluiceNodeFlags } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let startupSeconds = 0;
let separateProcesses = false;
let stats;
// Network cases: measured from the sender's start to the last delivery, not from process start.
let tStart, tEnd, cpuStart, cpuEnd, senderBytes;
// The distributed case: its extra figures, and the peak RSS of its largest process.
let distributed;

if (spec.kind === 'sluice') {
  const dist = (p) => pathToFileURL(join(root, 'dist', 'src', p)).href;
  // As `sluice run` does (bin/sluice.js): worker threads start first thing.
  const { warmUpWorkers, dropWarmWorkers } = await import(dist('core/warm_workers.js'));
  warmUpWorkers(spec.workers);
  const { Registry } = await import(dist('core/registry.js'));
  const { Agent } = await import(dist('core/agent.js'));
  const { createLogger, setLogLevel } = await import(dist('core/logger.js'));
  setLogLevel(spec.logLevel ?? 'warn');
  // As the CLI does: the bundled examples find their side files through these.
  process.env.SLUICE_EXAMPLES_DIR ??= join(root, 'examples');
  process.env.SLUICE_DATA ??= spec.pathData;
  // As the CLI does: plugins load as the configuration names them.
  const registry = new Registry();
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
    dropWarmWorkers();
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
    dropWarmWorkers();
    startupSeconds = (performance.now() - t0) / 1000;
    await agent.whenIdle();
    stats = agent.stats();
  }
} else if (spec.kind === 'distributed') {
  // Several processes: a nats-server, `spec.workerConfigs.length` worker processes and one front process. Timed
  // from the front's start until the stream's consumer has every message delivered and acknowledged (each
  // worker acknowledges a message only after its file output wrote every event of it). The front's own time
  // (file → stream, acknowledged by the stream) is reported apart.
  const { spawn, spawnSync } = await import('node:child_process');
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const children = [];
  const stopAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  process.on('exit', stopAll);
  const sluice = (config, name) => {
    const args = [...sluiceNodeFlags(), join(root, 'bin', 'sluice.js'), 'run', '-f', config, '--pipeline.workers', String(spec.workers), '--path.data', join(spec.pathData, name), '--log.level', 'warn'];
    if (spec.batchSize) args.push('--pipeline.batch.size', String(spec.batchSize));
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, SLUICE_EXAMPLES_DIR: join(root, 'examples'), SLUICE_DATA: spec.pathData },
    });
    child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    children.push(child);
    return child;
  };
  // Peak resident memory of the largest process of the case (sampled with ps).
  let peakRssKiB = 0;
  const sample = () => {
    const pids = children.filter((c) => c.exitCode === null).map((c) => c.pid);
    if (!pids.length) return;
    const ps = spawnSync('ps', ['-o', 'rss=', '-p', pids.join(',')], { encoding: 'utf8' });
    for (const v of (ps.stdout ?? '').split('\n')) if (Number(v) > peakRssKiB) peakRssKiB = Number(v);
  };
  const sampler = setInterval(sample, 250);
  try {
    const nats = spawn('nats-server', ['-js', '-sd', spec.natsStore, '-a', '127.0.0.1', '-p', String(spec.natsPort), '-n', 'bench', '-l', join(spec.natsStore, '..', 'nats-server.log')], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(nats);
    let nc;
    for (let i = 0; !nc; i++) {
      try {
        nc = await connect({ servers: `nats://127.0.0.1:${spec.natsPort}` });
      } catch (e) {
        if (i > 100 || nats.exitCode !== null) throw new Error(`nats-server did not start: ${e.message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const jsm = await jetstreamManager(nc);
    const workers = spec.workerConfigs.map((c, i) => sluice(c, `worker${i + 1}`));
    // The workers create the stream and join the consumer; the front starts when they are ready.
    // Ready: every worker has a pull request waiting (or, should the count not show it, 5 s after the consumer appeared).
    for (let ready = false, seenAt; !ready; ) {
      try {
        const ci = await jsm.consumers.info(spec.stream, spec.consumer);
        seenAt ??= performance.now();
        ready = ci.num_waiting >= workers.length || performance.now() - seenAt > 5000;
      } catch {
        // not created yet
      }
      for (const w of workers) if (w.exitCode !== null) throw new Error(`a worker exited with ${w.exitCode} before the front started`);
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    startupSeconds = (performance.now() - t0) / 1000;
    tStart = performance.now();
    const front = sluice(spec.frontConfig, 'front');
    const frontCode = await front.exited;
    if (frontCode !== 0) throw new Error(`the front exited with ${frontCode}`);
    const frontSeconds = (performance.now() - tStart) / 1000;
    for (;;) {
      const ci = await jsm.consumers.info(spec.stream, spec.consumer);
      if (ci.num_pending === 0 && ci.num_ack_pending === 0) break;
      for (const w of workers) if (w.exitCode !== null) throw new Error(`a worker exited with ${w.exitCode}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    tEnd = performance.now();
    const si = await jsm.streams.info(spec.stream);
    for (const w of workers) w.kill('SIGTERM');
    for (const w of workers) await w.exited;
    await nc.close();
    nats.kill('SIGTERM');
    await new Promise((r) => (nats.exitCode !== null ? r() : nats.on('exit', r)));
    distributed = { frontSeconds, streamMessages: si.state.messages, streamBytes: si.state.bytes, peakRssMiB: 0 };
  } finally {
    clearInterval(sampler);
    if (distributed) distributed.peakRssMiB = peakRssKiB / 1024;
    stopAll();
  }
} else if (spec.kind === 'script') {
  // The script reads its arguments from process.argv and does its work while being imported.
  process.argv = [process.argv[0], spec.script, ...spec.args];
  await import(pathToFileURL(spec.script).href);
} else if (spec.kind === 'script-pair') {
  // Several copies of a standalone script at once, in their own processes (CPU and RSS are theirs: not measured).
  const { spawn } = await import('node:child_process');
  const codes = await Promise.all(
    spec.runs.map((args) => new Promise((resolve) => spawn(process.execPath, [spec.script, ...args], { stdio: ['ignore', 'ignore', 'inherit'] }).on('exit', resolve))),
  );
  if (codes.some((c) => c !== 0)) throw new Error(`script exited with ${codes.join(', ')}`);
  separateProcesses = true;
} else throw new Error(`unknown case kind ${spec.kind}`);

/**
 * This process's peak RSS. On Linux from /proc/self/status (VmHWM, the high-water mark of this process's own
 * memory): getrusage's maxRSS also counts the parent's RSS at the fork that started this process, so after a
 * case that left bench/run.mjs with a few hundred MiB every later case reported at least that much.
 */
function peakRssMiB() {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

const seconds = ((tEnd ?? performance.now()) - (tStart ?? t0)) / 1000;
const cpu = cpuEnd ?? process.cpuUsage(cpu0);
writeFileSync(
  spec.result,
  JSON.stringify({
    seconds,
    startupSeconds,
    // The distributed and script-pair cases: CPU and RSS belong to child processes, not to this one.
    cpuSeconds: distributed || separateProcesses ? undefined : (cpu.user + cpu.system) / 1e6,
    maxRssMiB: distributed ? distributed.peakRssMiB : separateProcesses ? undefined : peakRssMiB(),
    distributed,
    stats,
    inputBytes: senderBytes,
  }),
);
// Plugins may keep timers or handles open; the case is over.
process.exit(0);
