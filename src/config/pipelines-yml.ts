// pipelines.yml: the list of pipelines to run, as in Logstash's multiple-pipelines mode. Each entry
// accepts Logstash's flat dotted keys (`pipeline.id: x`) or the same keys nested (`pipeline: { id: x }`).
// Every problem in the file is collected before one PipelinesYmlError is thrown.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Node as YamlNode } from 'yaml';
import { yamlLib } from '../core/libs.js';

export interface PipelineSettings {
  id: string;
  /** Absolute path, directory or glob of the config files. */
  pathConfig?: string;
  configString?: string;
  workers?: number;
  batchSize?: number;
  /** Milliseconds. */
  batchDelay?: number;
  /** The other (known) Logstash pipeline settings, by dotted key, as written. */
  other: Record<string, unknown>;
  /** Where the pipeline is defined: `<pipelines.yml>:<line>`. */
  source: string;
}

export class PipelinesYmlError extends Error {
  readonly errors: string[];
  constructor(file: string, errors: string[]) {
    super(`${file}: ${errors.length === 1 ? errors[0] : `${errors.length} errors:\n  ${errors.join('\n  ')}`}`);
    this.name = 'PipelinesYmlError';
    this.errors = errors;
  }
}

type Check = (v: unknown) => string | undefined; // an error text, or undefined when the value is fine

const isString: Check = (v) => (typeof v === 'string' ? undefined : 'must be a string');
const isBoolean: Check = (v) => (typeof v === 'boolean' || v === 'true' || v === 'false' ? undefined : 'must be true or false');
const isNonNegativeInt: Check = (v) => (toInt(v) !== undefined && toInt(v)! >= 0 ? undefined : 'must be a whole number ≥ 0');
const isPositiveInt: Check = (v) => (toInt(v) !== undefined && toInt(v)! > 0 ? undefined : 'must be a whole number > 0');
const isSizeOrNumber: Check = (v) => (typeof v === 'number' || typeof v === 'string' ? undefined : 'must be a size such as "1024mb" or a number');
const oneOf =
  (...allowed: readonly unknown[]): Check =>
  (v) =>
    allowed.includes(v) ? undefined : `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;

/** The pipeline-level settings Logstash accepts in pipelines.yml (PipelineSettings' white list, 7.x–8.x). */
const KNOWN: Record<string, Check> = {
  'pipeline.id': isString,
  'path.config': isString,
  'config.string': isString,
  'pipeline.workers': isPositiveInt,
  'pipeline.batch.size': isPositiveInt,
  'pipeline.batch.delay': isNonNegativeInt,
  'pipeline.ordered': oneOf('auto', 'true', 'false', true, false),
  'pipeline.ecs_compatibility': oneOf('disabled', 'v1', 'v8'),
  'pipeline.unsafe_shutdown': isBoolean,
  'pipeline.separate_logs': isBoolean,
  'pipeline.plugin_classloaders': isBoolean,
  'pipeline.reloadable': isBoolean,
  'pipeline.system': isBoolean,
  'pipeline.java_execution': isBoolean,
  'pipeline.output.workers': isPositiveInt,
  'config.support_escapes': isBoolean,
  'config.debug': isBoolean,
  'config.reload.automatic': isBoolean,
  'config.reload.interval': isSizeOrNumber,
  'config.field_reference.escape_style': oneOf('none', 'percent', 'ampersand'),
  'metric.collect': isBoolean,
  'queue.type': oneOf('memory', 'persisted'),
  'queue.page_capacity': isSizeOrNumber,
  'queue.max_events': isNonNegativeInt,
  'queue.max_bytes': isSizeOrNumber,
  'queue.checkpoint.acks': isNonNegativeInt,
  'queue.checkpoint.writes': isNonNegativeInt,
  'queue.checkpoint.interval': isNonNegativeInt,
  'queue.checkpoint.retry': isBoolean,
  'queue.drain': isBoolean,
  'queue.compression': oneOf('none', 'speed', 'balanced', 'size'),
  'path.queue': isString,
  'dead_letter_queue.enable': isBoolean,
  // Sluice: where dead letters go (a URL: nats://host:port/subject); there is no local-disk dead-letter queue.
  'dead_letter_queue.target': isString,
  'dead_letter_queue.max_bytes': isSizeOrNumber,
  'dead_letter_queue.flush_interval': isNonNegativeInt,
  'dead_letter_queue.storage_policy': oneOf('drop_newer', 'drop_older'),
  'dead_letter_queue.retain.age': isString,
  'path.dead_letter_queue': isString,
};

function toInt(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number(v); // Logstash coerces "4"
  return undefined;
}

export function loadPipelinesYml(file: string): PipelineSettings[] {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new PipelinesYmlError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  return parsePipelinesYml(text, abs);
}

/**
 * Parse the text of a pipelines.yml located at `file`. A relative `path.config` resolves against the
 * directory of this file, not the current directory as in Logstash: a bundled examples folder then
 * works from wherever it is run.
 */
export function parsePipelinesYml(text: string, file: string): PipelineSettings[] {
  // Loaded here, not with the module: a run from -f or -e never reads YAML (about 20 ms of start-up).
  const { LineCounter, isMap, isSeq, parseDocument } = yamlLib();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length) throw new PipelinesYmlError(file, doc.errors.map((e) => e.message.split('\n')[0]!));
  const root = doc.contents;
  if (root === null || root === undefined) {
    throw new PipelinesYmlError(file, ['the file is empty: it must be a list of pipelines (- pipeline.id: main …)']);
  }
  if (!isSeq(root)) throw new PipelinesYmlError(file, ['must be a list of pipelines, each starting with "- pipeline.id: …"']);

  const errors: string[] = [];
  const out: PipelineSettings[] = [];
  const firstById = new Map<string, string>();
  const dir = dirname(file);

  root.items.forEach((item, i) => {
    const line = item && (item as YamlNode).range ? lineCounter.linePos((item as YamlNode).range![0]).line : undefined;
    let label = `pipeline #${i + 1}${line ? ` (line ${line})` : ''}`;
    const source = `${file}${line ? `:${line}` : ''}`;
    if (!isMap(item)) {
      errors.push(`${label}: must be a mapping of settings (pipeline.id, path.config, …)`);
      return;
    }
    const flat: Record<string, unknown> = {};
    const problems: string[] = [];
    flatten(item.toJSON() as Record<string, unknown>, '', flat, problems);

    const rawId = flat['pipeline.id'];
    if (typeof rawId === 'string' && rawId.trim()) label = `pipeline "${rawId}" (#${i + 1}${line ? `, line ${line}` : ''})`;
    const report = (msg: string) => errors.push(`${label}: ${msg}`);
    problems.forEach(report);

    for (const [key, value] of Object.entries(flat)) {
      const check = KNOWN[key];
      if (!check) report(`unknown setting "${key}"${suggest(key)}`);
      else if (value !== null && value !== undefined) {
        const problem = check(value);
        if (problem) report(`${key} ${problem} (got ${JSON.stringify(value)})`);
      }
    }

    if (rawId === undefined || rawId === null || (typeof rawId === 'string' && !rawId.trim())) report('pipeline.id is missing');
    const id = typeof rawId === 'string' ? rawId : undefined;
    if (id && id.trim()) {
      const first = firstById.get(id);
      if (first) report(`duplicate pipeline.id "${id}" (already used by ${first})`);
      else firstById.set(id, `#${i + 1}${line ? ` at line ${line}` : ''}`);
    }

    const pathConfig = present(flat['path.config']);
    const configString = present(flat['config.string']);
    if (pathConfig === undefined && configString === undefined) report('needs path.config or config.string');
    if (pathConfig !== undefined && configString !== undefined) report('path.config and config.string cannot both be set');

    const settings: PipelineSettings = { id: id ?? '', other: {}, source };
    if (typeof pathConfig === 'string') {
      const p = pathConfig.replace(/^file:\/\//i, '');
      settings.pathConfig = isAbsolute(p) ? p : resolve(dir, p);
    }
    if (typeof configString === 'string') settings.configString = configString;
    const workers = toInt(flat['pipeline.workers']);
    if (workers !== undefined) settings.workers = workers;
    const batchSize = toInt(flat['pipeline.batch.size']);
    if (batchSize !== undefined) settings.batchSize = batchSize;
    const batchDelay = toInt(flat['pipeline.batch.delay']);
    if (batchDelay !== undefined) settings.batchDelay = batchDelay;
    for (const [key, value] of Object.entries(flat)) {
      if (KNOWN[key] && !MAIN_KEYS.has(key)) settings.other[key] = value;
    }
    out.push(settings);
  });

  if (errors.length) throw new PipelinesYmlError(file, errors);
  return out;
}

const MAIN_KEYS = new Set(['pipeline.id', 'path.config', 'config.string', 'pipeline.workers', 'pipeline.batch.size', 'pipeline.batch.delay']);

function present(v: unknown): unknown {
  return v === null || v === undefined || (typeof v === 'string' && !v.trim()) ? undefined : v;
}

/** `pipeline: { batch: { size: 1 } }` → `pipeline.batch.size: 1`; the same key given twice is a problem. */
function flatten(obj: Record<string, unknown>, prefix: string, out: Record<string, unknown>, problems: string[]): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix + k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      flatten(v as Record<string, unknown>, `${key}.`, out, problems);
    } else if (key in out) {
      problems.push(`setting "${key}" is given twice (dotted and nested)`);
    } else out[key] = v;
  }
}

function suggest(key: string): string {
  const best = Object.keys(KNOWN)
    .map((k) => [k, distance(k, key)] as const)
    .sort((a, b) => a[1] - b[1])[0];
  return best && best[1] <= 3 ? ` (did you mean "${best[0]}"?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
