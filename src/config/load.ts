// Everything that turns the CLI's arguments (-f, -e, --pipelines) into validated pipeline models.

import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig } from './parser.js';
import { readConfigSources, parseConfigSources } from './sources.js';
import { loadPipelinesYml, type PipelineSettings } from './pipelines-yml.js';
import { compilePipeline } from './compile.js';
import type { Node as AstNode, PipelineAST } from './ast.js';
import type { PipelineModel, PipelineRunSettings } from '../core/model.js';
import { allCodecs, type Registry } from '../core/registry.js';
import type { PluginKind } from '../core/plugin.js';
import { checkDeadLetterTarget } from '../core/dlq/index.js';

export interface LoadOptions {
  /** -f: a file, directory or glob. */
  configPath?: string;
  /** -e: config text. */
  configString?: string;
  /** --pipelines: a pipelines.yml. */
  pipelinesYml?: string;
  /** -w / -b / --pipeline.batch.delay: override every pipeline's settings. */
  workers?: number;
  batchSize?: number;
  batchDelay?: number;
  /** Root for pipeline state (checkpoints), `<pathData>/<pipeline id>`. */
  pathData: string;
  /** Only these pipeline ids (from pipelines.yml). */
  only?: string[];
  /** --dead_letter_queue.target: the dead-letter queue of every pipeline (overrides pipelines.yml). */
  deadLetterQueue?: string;
}

/**
 * The dead-letter queue of a pipelines.yml entry: `dead_letter_queue.target` when the queue is enabled. As in
 * Logstash `dead_letter_queue.enable` switches it; a target given without `enable` also enables it.
 */
function deadLetterSetting(other: Record<string, unknown> | undefined, errors: string[], id: string): string | undefined {
  if (!other) return undefined;
  const enable = other['dead_letter_queue.enable'];
  const target = other['dead_letter_queue.target'];
  const on = enable === true || enable === 'true' || (enable === undefined && typeof target === 'string');
  if (!on) return undefined;
  if (typeof target !== 'string' || !target.trim()) {
    errors.push(`pipeline '${id}': dead_letter_queue.enable needs dead_letter_queue.target (a URL such as nats://host:4222/sluice.dlq; Sluice keeps no dead-letter queue on local disk)`);
    return undefined;
  }
  return target;
}

export const DEFAULT_SETTINGS: PipelineRunSettings = {
  workers: availableParallelism(),
  // Logstash's default is 125; a batch is also the unit handed between threads, and bigger batches cost
  // less per event to move. Users' explicit pipeline.batch.size is honoured.
  batchSize: 1000,
  batchDelay: 50,
};

export interface LoadedPipeline {
  model: PipelineModel;
  /** The parsed syntax tree (for `sluice test`). */
  ast: PipelineAST;
  /** The pipelines.yml entry, when there was one. */
  entry?: PipelineSettings;
}

export interface LoadResult {
  pipelines: LoadedPipeline[];
  errors: string[];
}

function errorText(e: unknown): string {
  const err = e as { errors?: string[]; message?: string };
  return err.errors?.length ? err.errors.join('\n') : (err.message ?? String(e));
}

interface ConfigEntry {
  id: string;
  ast?: PipelineAST;
  sources: string[];
  settings: Partial<PipelineRunSettings>;
  entry?: PipelineSettings;
}

/** Load and validate every pipeline; collects all errors instead of stopping at the first. */
export function loadPipelines(opts: LoadOptions, registry: Registry): LoadResult {
  const errors: string[] = [];
  const entries = readConfigEntries(opts, errors);
  return compileEntries(opts, entries, errors, registry);
}

/**
 * loadPipelines for a registry that may hold only some plugins (`sluice run` starts with none): the modules of
 * the plugins the configurations name, and every codec, are imported first (Registry.ensure). Each
 * configuration is read and parsed once.
 */
export async function loadPipelinesEnsuring(opts: LoadOptions, registry: Registry): Promise<LoadResult> {
  const errors: string[] = [];
  const entries = readConfigEntries(opts, errors);
  const names: Array<[PluginKind, string]> = [...allCodecs()];
  const walk = (kind: PluginKind, nodes: AstNode[]): void => {
    for (const n of nodes) {
      if (n.kind === 'plugin') names.push([kind, n.name]);
      else for (const b of n.branches) walk(kind, b.body);
    }
  };
  for (const e of entries)
    if (e.ast) {
      walk('input', e.ast.input);
      walk('filter', e.ast.filter);
      walk('output', e.ast.output);
    }
  await registry.ensure(names);
  return compileEntries(opts, entries, errors, registry);
}

/** Read and parse the configurations of the options (errors are appended to `errors`). */
function readConfigEntries(opts: LoadOptions, errors: string[]): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  const given = [opts.configPath, opts.configString, opts.pipelinesYml].filter((x) => x !== undefined).length;
  if (given > 1) errors.push('give only one of -f, -e and --pipelines');
  if (opts.configString !== undefined) {
    try {
      entries.push({ id: 'main', ast: parseConfig(opts.configString, '<config string>'), sources: ['<config string>'], settings: {} });
    } catch (e) {
      errors.push(errorText(e));
    }
  } else if (opts.configPath !== undefined) {
    try {
      const sources = readConfigSources(opts.configPath);
      entries.push({ id: 'main', ast: parseConfigSources(sources), sources: sources.map((s) => s.file), settings: {} });
    } catch (e) {
      errors.push(errorText(e));
    }
  } else if (opts.pipelinesYml !== undefined) {
    let list: PipelineSettings[] = [];
    try {
      list = loadPipelinesYml(opts.pipelinesYml);
    } catch (e) {
      errors.push(errorText(e));
    }
    for (const p of list) {
      if (opts.only && !opts.only.includes(p.id)) continue;
      const settings: Partial<PipelineRunSettings> = {};
      if (p.workers !== undefined) settings.workers = p.workers;
      if (p.batchSize !== undefined) settings.batchSize = p.batchSize;
      if (p.batchDelay !== undefined) settings.batchDelay = p.batchDelay;
      const parseOpts = { supportEscapes: p.other['config.support_escapes'] === true };
      try {
        if (p.configString !== undefined) {
          entries.push({ id: p.id, ast: parseConfig(p.configString, `${p.source} (pipeline ${p.id})`, parseOpts), sources: [`${p.source}#${p.id}`], settings, entry: p });
        } else {
          const sources = readConfigSources(p.pathConfig!);
          entries.push({ id: p.id, ast: parseConfigSources(sources, parseOpts), sources: sources.map((s) => s.file), settings, entry: p });
        }
      } catch (e) {
        errors.push(`pipeline '${p.id}': ${errorText(e)}`);
      }
    }
    if (opts.only) for (const id of opts.only) if (!list.some((p) => p.id === id)) errors.push(`no pipeline '${id}' in ${opts.pipelinesYml}`);
  } else errors.push('no configuration: give -f PATH, -e CONFIG or --pipelines FILE');
  return entries;
}

function compileEntries(opts: LoadOptions, entries: ConfigEntry[], errors: string[], registry: Registry): LoadResult {
  const pipelines: LoadedPipeline[] = [];
  for (const e of entries) {
    if (!e.ast) continue;
    const settings: PipelineRunSettings = {
      workers: opts.workers ?? e.settings.workers ?? DEFAULT_SETTINGS.workers,
      batchSize: opts.batchSize ?? e.settings.batchSize ?? DEFAULT_SETTINGS.batchSize,
      batchDelay: opts.batchDelay ?? e.settings.batchDelay ?? DEFAULT_SETTINGS.batchDelay,
    };
    if (!(settings.workers >= 1)) errors.push(`pipeline '${e.id}': pipeline.workers must be at least 1`);
    if (!(settings.batchSize >= 1)) errors.push(`pipeline '${e.id}': pipeline.batch.size must be at least 1`);
    const dlq = opts.deadLetterQueue ?? deadLetterSetting(e.entry?.other, errors, e.id);
    if (dlq !== undefined) {
      const problem = checkDeadLetterTarget(dlq);
      if (problem) errors.push(`pipeline '${e.id}': ${problem}`);
      else settings.deadLetterQueue = dlq;
    }
    const { model, errors: errs } = compilePipeline(e.ast, registry, {
      id: e.id,
      settings,
      sources: e.sources,
      dataDir: join(resolve(opts.pathData), e.id),
      ecsCompatibility: e.entry?.other['pipeline.ecs_compatibility'] as string | undefined,
    });
    errors.push(...errs);
    pipelines.push({ model, ast: e.ast, entry: e.entry });
  }
  return { pipelines, errors };
}
