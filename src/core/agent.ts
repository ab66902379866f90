// Runs several pipelines in one process (each with its own workers and bounded queues, so a blocked output
// in one does not stall the others), stops them cleanly, and reloads changed configs without losing events.

import { loadPipelinesEnsuring, type LoadOptions, type LoadedPipeline } from '../config/load.js';
import { ConfigError } from '../config/compile.js';
import { Pipeline, type PipelineStats } from './pipeline.js';
import type { Registry } from './registry.js';
import type { Logger } from './logger.js';

export class Agent {
  private readonly running = new Map<string, { pipeline: Pipeline; fingerprint: string }>();
  private readonly finishedStats: PipelineStats[] = [];
  private reloading: Promise<void> = Promise.resolve();
  private stopped = false;
  private idle: Array<() => void> = [];

  constructor(
    private readonly options: LoadOptions,
    private readonly registry: Registry,
    private readonly logger: Logger,
  ) {}

  private async load(): Promise<LoadedPipeline[]> {
    // The registry may hold only some plugins (sluice run loads what its configurations name).
    const { pipelines, errors } = await loadPipelinesEnsuring(this.options, this.registry);
    if (errors.length) throw new ConfigError(errors);
    return pipelines;
  }

  /** Start every pipeline; resolves once all are running. */
  async start(): Promise<void> {
    for (const p of await this.load()) await this.startPipeline(p);
  }

  private async startPipeline(p: LoadedPipeline): Promise<void> {
    if (this.stopped) return; // a stop (SIGTERM) arrived while earlier pipelines were starting
    const pipeline = new Pipeline(p.model, this.registry, this.logger);
    await pipeline.start();
    const entry = { pipeline, fingerprint: JSON.stringify(p.model) };
    this.running.set(p.model.id, entry);
    // A stop that arrived while this pipeline was starting found nothing to stop: stop it now.
    if (this.stopped) void pipeline.stop();
    this.logger.info('pipeline started', { pipeline: p.model.id, workers: p.model.settings.workers });
    void pipeline.finished.then(() => {
      if (this.running.get(p.model.id) === entry) {
        this.running.delete(p.model.id);
        this.finishedStats.push(pipeline.getStats());
        this.logger.info('pipeline finished', { pipeline: p.model.id });
        if (this.running.size === 0) for (const resolve of this.idle.splice(0)) resolve();
      }
    });
  }

  /** Resolves when no pipeline is running any more (all inputs ended, or stop()). */
  whenIdle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  /** Re-read the configuration: stop removed or changed pipelines (draining them), start new or changed ones. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      if (this.stopped) return;
      let next: LoadedPipeline[];
      try {
        next = await this.load();
      } catch (e) {
        this.logger.error('reload: configuration invalid; keeping the running pipelines', { error: (e as Error).message });
        return;
      }
      const wanted = new Map(next.map((p) => [p.model.id, p]));
      for (const [id, r] of [...this.running]) {
        const n = wanted.get(id);
        if (!n || JSON.stringify(n.model) !== r.fingerprint) {
          this.logger.info('reload: stopping pipeline', { pipeline: id });
          this.running.delete(id);
          await r.pipeline.stop();
          this.finishedStats.push(r.pipeline.getStats());
        }
      }
      for (const [id, p] of wanted) {
        if (this.running.has(id)) continue;
        this.logger.info('reload: starting pipeline', { pipeline: id });
        await this.startPipeline(p);
      }
    });
    return this.reloading;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.reloading;
    await Promise.all([...this.running.values()].map((r) => r.pipeline.stop()));
    await this.whenIdle();
  }

  stats(): PipelineStats[] {
    return [...this.finishedStats, ...[...this.running.values()].map((r) => r.pipeline.getStats())];
  }
}

/** One summary line per pipeline: events in, out, failed to parse, time, events/s. */
export function formatSummary(stats: PipelineStats[]): string {
  const rows = stats.map((s) => {
    const secs = ((s.endedAt ?? Date.now()) - s.startedAt) / 1000;
    const rate = secs > 0 ? Math.round(s.in / secs) : 0;
    // Dead-lettered events left the pipeline without reaching an output: they balance `in` like drops do.
    const balance = s.in + s.created - s.out - s.dropped - (s.deadLettered ?? 0);
    const dead = (s.deadLettered ?? 0) + (s.deadLetteredByInputs ?? 0);
    return {
      pipeline: s.id,
      in: s.in,
      out: s.out,
      dropped: s.dropped,
      'dead-lettered': dead > 0 && !s.deadLetterQueue ? `${dead} (logged only)` : dead,
      'failed to parse': s.failed,
      truncated: s.truncated,
      time: `${secs.toFixed(2)}s`,
      'events/s': rate,
      check: s.errors.length ? 'ERROR' : balance === 0 && s.failedBatches === 0 ? 'ok' : `MISMATCH (${balance} unaccounted, ${s.failedBatches} failed batches)`,
    };
  });
  if (!rows.length) return 'no pipeline ran\n';
  const cols = Object.keys(rows[0]!) as Array<keyof (typeof rows)[0]>;
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => (i === 0 ? v.padEnd(width[i]!) : v.padStart(width[i]!))).join('  ');
  const errors = stats.flatMap((s) => s.errors.map((e) => `error in pipeline ${s.id}: ${e}`));
  // Input counters (network inputs: connections, rejected or cut frames, UDP drops), one line per input.
  const inputs = stats.flatMap((s) =>
    (s.inputs ?? []).map(({ id, name, ...counters }) => `input ${s.id}/${id} (${name}): ${Object.entries(counters).map(([k, v]) => `${k}=${v}`).join(' ')}`),
  );
  return [line(cols as string[]), ...rows.map((r) => line(cols.map((c) => String(r[c])))), ...inputs, ...errors].join('\n') + '\n';
}
