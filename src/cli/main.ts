// The `sluice` command line, shaped like Logstash's: run / check / test, plus docs.

import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { setLogLevel, isLogLevel, createLogger } from '../core/logger.js';
import { loadRegistry, Registry } from '../core/registry.js';
import { loadPipelines, type LoadOptions } from '../config/load.js';
import { Agent, formatSummary } from '../core/agent.js';
import { dropWarmWorkers } from '../core/warm_workers.js';
import { addLakeCommands } from './lake.js';
// The other commands' modules load when they run: `sluice run` starts sooner without them.

/** The installed package's root (bin, examples, patterns). */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function int(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
    return n;
  };
}

interface ConfigFlags {
  pathConfig?: string;
  configString?: string;
  pipelines?: string;
  workers?: number;
  batchSize?: number;
  batchDelay?: number;
  pathData?: string;
  logLevel?: string;
  pipeline?: string[];
  deadLetterQueue?: string;
}

function withConfigFlags(cmd: Command): Command {
  return cmd
    .option('-f, --path.config <path>', 'pipeline config: a file, a directory or a glob')
    .option('-e, --config.string <config>', 'pipeline config given inline')
    .option('--pipelines <file>', 'a pipelines.yml with several pipelines')
    .option('--pipeline <id...>', 'only these pipelines of the pipelines.yml')
    .option('-w, --pipeline.workers <n>', 'worker threads per pipeline (default: number of cores)', int('--pipeline.workers'))
    .option('-b, --pipeline.batch.size <n>', 'maximum events per batch (default 1000)', int('--pipeline.batch.size'))
    .option('-u, --pipeline.batch.delay <ms>', 'ms to wait for a batch to fill (default 50)', int('--pipeline.batch.delay'))
    .option('--path.data <dir>', 'directory for state such as file checkpoints', 'sluice-data')
    .option('--log.level <level>', 'fatal, error, warn, info, debug or trace', 'warn')
    .option('--dead_letter_queue.target <url>', 'dead-letter queue of every pipeline, e.g. nats://127.0.0.1:4222/sluice.dlq');
}

function flags(cmd: Command): ConfigFlags {
  const o = cmd.opts() as Record<string, unknown>;
  return {
    pathConfig: o['path.config'] as string | undefined,
    configString: o['config.string'] as string | undefined,
    pipelines: o.pipelines as string | undefined,
    pipeline: o.pipeline as string[] | undefined,
    workers: o['pipeline.workers'] as number | undefined,
    batchSize: o['pipeline.batch.size'] as number | undefined,
    batchDelay: o['pipeline.batch.delay'] as number | undefined,
    pathData: o['path.data'] as string | undefined,
    logLevel: o['log.level'] as string | undefined,
    deadLetterQueue: o['dead_letter_queue.target'] as string | undefined,
  };
}

function loadOptions(f: ConfigFlags, defaultToExamples: boolean): LoadOptions {
  if (f.logLevel) {
    if (!isLogLevel(f.logLevel)) throw new Error(`--log.level: unknown level ${f.logLevel}`);
    setLogLevel(f.logLevel);
  }
  // The bundled examples find their sample logs and output folder through these (overridable) variables.
  process.env.SLUICE_EXAMPLES_DIR ??= join(packageRoot, 'examples');
  process.env.SLUICE_DATA ??= f.pathData ?? 'sluice-data';
  let pipelinesYml = f.pipelines;
  if (defaultToExamples && !f.pathConfig && f.configString === undefined && !pipelinesYml) pipelinesYml = join(packageRoot, 'examples', 'pipelines.yml');
  return {
    configPath: f.pathConfig,
    configString: f.configString,
    pipelinesYml,
    only: f.pipeline,
    workers: f.workers,
    batchSize: f.batchSize,
    batchDelay: f.batchDelay,
    pathData: f.pathData ?? 'sluice-data',
    deadLetterQueue: f.deadLetterQueue,
  };
}

async function run(f: ConfigFlags): Promise<number> {
  const opts = loadOptions(f, true);
  // Plugins load as the configurations name them (Agent): importing all of them was a tenth of the start-up.
  const registry = new Registry();
  const logger = createLogger('sluice');
  const agent = new Agent(opts, registry, logger);
  let signals = 0;
  const onStop = (sig: string) => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`sluice: second ${sig}, exiting without draining\n`);
      process.exit(1);
    }
    process.stderr.write(`sluice: ${sig} received, draining in-flight batches (send again to force)\n`);
    void agent.stop();
  };
  process.on('SIGINT', () => onStop('SIGINT'));
  process.on('SIGTERM', () => onStop('SIGTERM'));
  process.on('SIGHUP', () => {
    process.stderr.write('sluice: SIGHUP received, reloading changed pipelines\n');
    void agent.reload();
  });
  try {
    await agent.start();
  } catch (e) {
    process.stderr.write(`sluice: ${(e as Error).message}\n`);
    await agent.stop().catch(() => {});
    return 1;
  } finally {
    dropWarmWorkers();
  }
  await agent.whenIdle();
  const stats = agent.stats();
  process.stderr.write(formatSummary(stats));
  return stats.some((s) => s.errors.length > 0) ? 1 : 0;
}

async function check(f: ConfigFlags): Promise<number> {
  const opts = loadOptions(f, true);
  const registry = await loadRegistry();
  const { pipelines, errors } = loadPipelines(opts, registry);
  if (errors.length) {
    process.stderr.write(`Configuration invalid: ${errors.length} error${errors.length > 1 ? 's' : ''}\n${errors.map((e) => `  ${e}`).join('\n')}\n`);
    return 1;
  }
  process.stdout.write(`Configuration OK: ${pipelines.map((p) => p.model.id).join(', ')}\n`);
  return 0;
}

export function buildProgram(): Command {
  const version = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version as string;
  const program = new Command('sluice')
    .description('Security-log ETL: Logstash-compatible pipelines, fast on every core')
    .version(version)
    .showHelpAfterError();

  withConfigFlags(program.command('run').description('run pipelines (default: the bundled examples/pipelines.yml over the bundled sample logs)'))
    .option('-t, --config.test_and_exit', 'validate the configuration and exit (same as `sluice check`)')
    .action(async (_o, cmd: Command) => {
      const f = flags(cmd);
      if ((cmd.opts() as Record<string, unknown>)['config.test_and_exit']) {
        process.exitCode = await check(f);
        return;
      }
      const code = await run(f);
      // Every pipeline has finished and printed its summary: exit once stdout and stderr are flushed, rather
      // than wait for whatever a library may keep open (idle HTTP keep-alive sockets, timers).
      process.exitCode = code;
      process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
    });

  withConfigFlags(program.command('check').description('validate configuration and exit, reporting every error found')).action(async (_o, cmd: Command) => {
    process.exitCode = await check(flags(cmd));
  });

  program
    .command('test')
    .description("run a pipeline's filters over the cases of a tests file and compare the resulting events")
    .argument('<config>', 'pipeline config file, directory or glob')
    .argument('<tests>', 'YAML file with test cases')
    .option('--log.level <level>', 'log level', 'error')
    .action(async (config: string, tests: string, o: Record<string, string>) => {
      if (o['log.level'] && isLogLevel(o['log.level'])) setLogLevel(o['log.level']);
      process.env.SLUICE_EXAMPLES_DIR ??= join(packageRoot, 'examples');
      const { runTests } = await import('./test.js');
      process.exitCode = await runTests(config, tests, process.stdout);
    });

  // query and replay; `sluice retention` below covers the lake through its `lake:` section.
  addLakeCommands(program, { retention: false });

  program
    .command('retention')
    .description('delete Elasticsearch/OpenSearch indices and data-lake partitions older than the limits in a retention config')
    .requiredOption('--config <file>', 'retention config (YAML): `elasticsearch:` clusters with index patterns, `lake:` with url; maximum ages in days')
    .option('--dry-run', 'print what would be deleted, delete nothing')
    .action(async (o: { config: string; dryRun?: boolean }) => {
      const { loadRetentionTargets, runRetention } = await import('../retention/run.js');
      const targets = loadRetentionTargets(o.config);
      process.exitCode = await runRetention(targets, {
        dryRun: Boolean(o.dryRun),
        out: (l) => process.stdout.write(l + '\n'),
        err: (l) => process.stderr.write(`sluice: ${l}\n`),
      });
    });

  const dlq = program.command('dlq').description('inspect and replay a dead-letter queue (dead_letter_queue.target)');
  withConfigFlags(dlq.command('list').description('print the entries of a dead-letter queue'))
    .option('--target <url>', 'the dead-letter queue (default: the configured pipeline\'s dead_letter_queue.target)')
    .option('--pipeline-id <id>', 'only entries of this pipeline')
    .option('--limit <n>', 'print at most n entries', int('--limit'))
    .option('--json', 'one JSON entry per line')
    .action(async (_o, cmd: Command) => {
      const o = cmd.opts() as Record<string, unknown>;
      const f = flags(cmd);
      const configured = f.pathConfig || f.configString !== undefined || f.pipelines;
      const { dlqList } = await import('./stream.js');
      process.exitCode = await dlqList(o.target as string | undefined, configured ? loadOptions(f, false) : undefined, { json: Boolean(o.json), pipelineId: o.pipelineId as string | undefined, limit: o.limit as number | undefined }, (t) => process.stdout.write(t));
    });
  withConfigFlags(dlq.command('replay').description("re-inject dead-letter entries into a pipeline (its filters and outputs); replayed entries are removed"))
    .option('--target <url>', 'the dead-letter queue (default: the pipeline\'s own dead_letter_queue.target, its entries only)')
    .option('--pipeline-id <id>', 'only entries dead-lettered by this pipeline')
    .option('--keep', 'keep the entries in the queue after the replay')
    .action(async (_o, cmd: Command) => {
      const o = cmd.opts() as Record<string, unknown>;
      const { dlqReplay } = await import('./stream.js');
      process.exitCode = await dlqReplay(o.target as string | undefined, loadOptions(flags(cmd), false), { pipelineId: o.pipelineId as string | undefined, keep: Boolean(o.keep) }, (t) => process.stderr.write(t));
    });

  program
    .command('stream')
    .description('the NATS JetStream stream of a scale-out deployment')
    .command('status')
    .description("print a stream's size and a consumer's lag (pending: not yet delivered; ack pending: being processed), for autoscaling")
    .option('--servers <urls>', 'comma-separated NATS URLs (default: $NATS_URL, else nats://127.0.0.1:4222; credentials from NATS_USER/NATS_PASSWORD or NATS_TOKEN)', process.env.NATS_URL || 'nats://127.0.0.1:4222')
    .requiredOption('--stream <name>', 'stream name')
    .option('--consumer <name>', 'durable consumer name (the workers\' `consumer`)')
    .option('--json', 'print JSON (same as --format json)')
    .option('--format <format>', 'text, json, or emf (CloudWatch Embedded Metric Format: one JSON line with the lag as metrics)', 'text')
    .option('--namespace <name>', 'CloudWatch namespace of the emf metrics', 'Sluice')
    .option('--dimension <name=value>', 'extra emf dimension, repeatable (Stream and Consumer are always dimensions)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--interval <seconds>', 'print again every this many seconds until stopped (a metrics sidecar)', '0')
    .action(async (o: { servers: string; stream: string; consumer?: string; json?: boolean; format: string; namespace: string; dimension: string[]; interval: string }) => {
      const format = o.json ? 'json' : o.format;
      if (format !== 'text' && format !== 'json' && format !== 'emf') throw new Error(`--format: text, json or emf, not ${o.format}`);
      const interval = Number(o.interval);
      if (!Number.isFinite(interval) || interval < 0) throw new Error(`--interval: a number of seconds, not ${o.interval}`);
      const dimensions: Record<string, string> = {};
      for (const d of o.dimension) {
        const eq = d.indexOf('=');
        if (eq <= 0 || eq === d.length - 1) throw new Error(`--dimension: name=value, not ${d}`);
        dimensions[d.slice(0, eq)] = d.slice(eq + 1);
      }
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        const { streamStatus } = await import('./stream.js');
        process.exitCode = await streamStatus(
          { servers: o.servers.split(',').map((s) => s.trim()).filter(Boolean), stream: o.stream, consumer: o.consumer, format, interval, namespace: o.namespace, dimensions, signal: stop.signal },
          (t) => process.stdout.write(t),
        );
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });

  program
    .command('docs')
    .description('print the plugin reference generated from the plugins\' option declarations')
    .option('--write <readme>', 'replace the reference section of this README')
    .option('--check <readme>', 'exit non-zero if the README\'s reference is out of date')
    .action(async (o: { write?: string; check?: string }) => {
      const registry = await loadRegistry();
      const { renderReference, updateReadme } = await import('./docs.js');
      if (o.write || o.check) {
        const file = (o.write ?? o.check)!;
        if (!existsSync(file)) throw new Error(`${file} not found`);
        const changed = updateReadme(file, registry, Boolean(o.write));
        if (o.check && changed) {
          process.stderr.write(`${file}: plugin reference is out of date; run npm run docs\n`);
          process.exitCode = 1;
        }
      } else process.stdout.write(renderReference(registry));
    });
  return program;
}

const isMain = process.argv[1] && /(?:sluice(?:\.js)?|main\.js)$/.test(process.argv[1]);
if (isMain) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((e: Error) => {
      process.stderr.write(`sluice: ${e.message}\n`);
      process.exitCode = 1;
    });
}
