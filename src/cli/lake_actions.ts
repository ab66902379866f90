// What the data-lake commands do (`sluice query`, `sluice replay`, the lake part of `sluice retention`), loaded
// when one of them runs, so that the command line (cli/lake.ts) stays light for `sluice run`.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { loadRegistry } from '../core/registry.js';
import { createLogger, setLogLevel, isLogLevel } from '../core/logger.js';
import { loadPipelines } from '../config/load.js';
import { ConfigError } from '../config/compile.js';
import { validateOptions } from '../core/options.js';
import { Pipeline } from '../core/pipeline.js';
import { formatSummary } from '../core/agent.js';
import type { PluginDef } from '../core/plugin.js';
import type { PluginSpec } from '../core/model.js';
import { formatTable, queryLake } from '../lake/query.js';
import { applyLakeRetention, type LakeRetentionSettings } from '../lake/retention.js';
import type { S3Connection } from '../lake/storage.js';
import { lakeInputProgress } from '../inputs/lake.js';

function s3Connection(o: Record<string, unknown>): S3Connection {
  return {
    endpoint: o.endpoint as string | undefined,
    region: o.region as string | undefined,
    forcePathStyle: o.forcePathStyle ? true : undefined,
  };
}

/** `sluice query`: print the result of `sql` over `lake`. */
export async function query(sql: string, lake: string, o: Record<string, unknown>): Promise<void> {
  const result = await queryLake(sql, {
    lake,
    s3: s3Connection(o),
    onDownload: (type, n, bytes) => process.stderr.write(`sluice: downloading ${n} Parquet object(s) of ${type} (${bytes} bytes)\n`),
  });
  if (o.format === 'json') process.stdout.write(result.rows.map((r) => JSON.stringify(r)).join('\n') + (result.rows.length ? '\n' : ''));
  else if (o.format === 'csv') {
    const cell = (v: unknown) => {
      const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    process.stdout.write([result.columns.join(','), ...result.rows.map((r) => result.columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n');
  } else process.stdout.write(formatTable(result));
}

/** The lake-only `sluice retention`: delete the partitions older than the configured ages. */
export async function lakeRetention(o: { config: string; dryRun?: boolean }): Promise<void> {
  const doc = (parseYaml(readFileSync(o.config, 'utf8')) ?? {}) as Record<string, unknown>;
  const lakes = lakeRetentionSettings(doc);
  if (!lakes.length) throw new Error(`${o.config}: no lake section (lake: { url: …, max_age_days: N })`);
  for (const l of lakes) {
    const r = await applyLakeRetention(l, { dryRun: o.dryRun, log: (line) => process.stdout.write(line + '\n') });
    process.stdout.write(`${r.dryRun ? 'would delete' : 'deleted'} ${r.partitions.length} partition(s), ${r.objects} object(s), ${r.bytes} bytes\n`);
  }
}

/** The `lake:` section of a retention config: one lake or a list. */
export function lakeRetentionSettings(doc: Record<string, unknown>): LakeRetentionSettings[] {
  const raw = doc.lake;
  if (raw === undefined || raw === null) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((x, i) => {
    const l = x as Record<string, unknown>;
    const where = list.length > 1 ? `lake[${i}]` : 'lake';
    if (typeof l.url !== 'string' || !l.url) throw new Error(`${where}.url: required (s3://bucket/prefix, file:///dir or a path)`);
    const days = Number(l.max_age_days);
    if (!(days > 0)) throw new Error(`${where}.max_age_days: a positive number of days is required`);
    const types = l.types === undefined ? undefined : (Array.isArray(l.types) ? l.types : [l.types]).map(String);
    return {
      url: l.url,
      max_age_days: days,
      types,
      s3: {
        endpoint: l.endpoint as string | undefined,
        region: l.region as string | undefined,
        forcePathStyle: l.force_path_style === undefined ? undefined : Boolean(l.force_path_style),
      },
    };
  });
}

function formatDuration(secs: number): string {
  if (!Number.isFinite(secs)) return '--:--';
  const s = Math.max(0, Math.round(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export async function replay(o: Record<string, unknown>): Promise<number> {
  const level = o['log.level'] as string | undefined;
  if (level && isLogLevel(level)) setLogLevel(level);
  const registry = await loadRegistry();
  const pathData = process.env.SLUICE_DATA ?? 'sluice-data';
  const { pipelines, errors } = loadPipelines({ configPath: o.pipeline as string, pathData, workers: o.workers as number | undefined }, registry);
  if (errors.length) throw new ConfigError(errors);
  const model = { ...pipelines[0]!.model, id: 'replay' };

  // The replay source replaces the config's inputs.
  const def = registry.get('input', 'lake') as PluginDef;
  const settings: Record<string, unknown> = { url: o.from, type: o.type, shard: o.shard };
  if (o.since) settings.since = o.since;
  if (o.until) settings.until = o.until;
  if (o.endpoint) settings.endpoint = o.endpoint;
  if (o.region) settings.region = o.region;
  if (o.forcePathStyle) settings.force_path_style = true;
  const v = validateOptions('input', 'lake', def.options, settings);
  if (v.errors.length) throw new Error(v.errors.join('; '));
  const input: PluginSpec = { kind: 'input', name: 'lake', id: 'replay_source', config: v.config, where: 'sluice replay' };
  model.inputs = [input];
  if (o.to) {
    const to = loadPipelines({ configString: `input { stdin {} } output { ${o.to as string} }`, pathData }, registry);
    if (to.errors.length) throw new ConfigError(to.errors.map((e) => `--to: ${e}`));
    model.outputs = to.pipelines[0]!.model.outputs;
  }

  const tty = Boolean(process.stderr.isTTY);
  let total = { objects: 0, bytes: 0 };
  let done = { objects: 0, bytes: 0, lines: 0 };
  const started = Date.now();
  const render = (final = false) => {
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? done.lines / secs : 0;
    const frac = total.bytes > 0 ? done.bytes / total.bytes : total.objects === 0 ? 1 : 0;
    const eta = frac > 0 ? (secs / frac) * (1 - frac) : Infinity;
    const text = `${done.objects}/${total.objects} objects  ${done.lines} events  ${Math.round(rate)} events/s  ETA ${final ? '0:00' : formatDuration(eta)}`;
    if (tty) {
      const width = 30;
      const filled = Math.round(frac * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1).padStart(5)}%  ${text}\x1b[K${final ? '\n' : ''}`);
    } else process.stderr.write(`replay: ${(frac * 100).toFixed(1)}%  ${text}\n`);
  };
  const onPlan = (p: { objects: number; bytes: number }) => {
    total = p;
    process.stderr.write(`replay: ${p.objects} object(s), ${p.bytes} bytes to read\n`);
  };
  const onAcked = (a: { bytes: number; lines: number }) => {
    done = { objects: done.objects + 1, bytes: done.bytes + a.bytes, lines: done.lines + a.lines };
  };
  lakeInputProgress.on('plan', onPlan);
  lakeInputProgress.on('acked', onAcked);
  const timer = setInterval(() => render(), tty ? 250 : 5000);
  timer.unref();

  const pipeline = new Pipeline(model, registry, createLogger('sluice'));
  const stop = () => void pipeline.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await pipeline.start();
    await pipeline.finished;
  } finally {
    clearInterval(timer);
    lakeInputProgress.off('plan', onPlan);
    lakeInputProgress.off('acked', onAcked);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  render(true);
  const stats = pipeline.getStats();
  process.stderr.write(formatSummary([stats]));
  return stats.errors.length ? 1 : 0;
}
