// From syntax tree to pipeline model: resolve plugins, validate every setting against the plugin's
// declared options, number plugin ids. All problems are collected so `sluice check` reports every one.

import type { Node, PipelineAST, PluginNode, Value, Section, Loc } from './ast.js';
import type { Registry } from '../core/registry.js';
import type { ModelNode, PipelineModel, PipelineRunSettings, PluginSpec } from '../core/model.js';
import type { CodecSpec, PluginKind } from '../core/plugin.js';
import { validateOptions } from '../core/options.js';

export class ConfigError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.length === 1 ? errors[0]! : `${errors.length} configuration errors:\n  ${errors.join('\n  ')}`);
  }
}

function where(loc: Loc): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/** Turn an AST value into the plain value plugins see: hashes → objects, codec blocks → CodecSpec. */
export function plainValue(v: Value, errors: string[], loc: Loc): unknown {
  if (Array.isArray(v)) return v.map((x) => plainValue(x, errors, loc));
  if (v !== null && typeof v === 'object') {
    if (v.kind === 'hash') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of v.entries) o[k] = plainValue(x, errors, loc);
      return o;
    }
    const spec: CodecSpec = { name: v.name, settings: settingsOf(v, errors) };
    return spec;
  }
  return v;
}

function settingsOf(p: PluginNode, errors: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of p.settings) {
    if (s.key in out) {
      // Logstash merges a repeated setting into a list; keep that for list-valued options.
      const prev = out[s.key];
      const next = plainValue(s.value, errors, s.loc);
      out[s.key] = Array.isArray(prev) ? [...prev, ...(Array.isArray(next) ? next : [next])] : [prev, ...(Array.isArray(next) ? next : [next])];
    } else out[s.key] = plainValue(s.value, errors, s.loc);
  }
  return out;
}

export interface CompileOptions {
  id: string;
  settings: PipelineRunSettings;
  sources: string[];
  dataDir: string;
  /** `pipeline.ecs_compatibility`: the default for every plugin that has an `ecs_compatibility` option. */
  ecsCompatibility?: string;
}

export function compilePipeline(ast: PipelineAST, registry: Registry, opts: CompileOptions): { model: PipelineModel; errors: string[] } {
  const errors: string[] = [];
  const counters = new Map<string, number>();
  const ids = new Set<string>();

  const compilePlugin = (p: PluginNode, section: Section): PluginSpec | undefined => {
    const kind: PluginKind = section;
    const def = registry.get(kind, p.name);
    const at = where(p.loc);
    if (!def) {
      errors.push(`${at}: unknown ${kind} plugin '${p.name}' (available: ${registry.names(kind).join(', ')})`);
      return undefined;
    }
    const local: string[] = [];
    const raw = settingsOf(p, local);
    if (opts.ecsCompatibility && 'ecs_compatibility' in def.options && raw.ecs_compatibility === undefined) raw.ecs_compatibility = opts.ecsCompatibility;
    const { config, errors: optErrors } = validateOptions(kind, p.name, def.options, raw);
    for (const e of [...local, ...optErrors]) errors.push(`${at}: ${e}`);
    // Validate codec settings now, so a bad codec is reported before anything runs.
    const codec = config.codec as CodecSpec | undefined;
    if (codec) {
      const cdef = registry.get('codec', codec.name);
      if (!cdef) errors.push(`${at}: unknown codec '${codec.name}' (available: ${registry.names('codec').join(', ')})`);
      else {
        if (opts.ecsCompatibility && 'ecs_compatibility' in cdef.options && codec.settings.ecs_compatibility === undefined)
          codec.settings = { ...codec.settings, ecs_compatibility: opts.ecsCompatibility };
        for (const e of validateOptions('codec', codec.name, cdef.options, codec.settings).errors) errors.push(`${at}: codec ${codec.name}: ${e}`);
      }
    }
    const n = (counters.get(`${kind}:${p.name}`) ?? 0) + 1;
    counters.set(`${kind}:${p.name}`, n);
    const explicit = typeof config.id === 'string' && config.id !== '';
    const id = explicit ? (config.id as string) : `${p.name}_${n}`;
    // Explicit ids are unique in the whole pipeline, as in Logstash; generated ones per kind.
    const key = explicit ? id : `${kind}:${id}`;
    if (ids.has(key)) errors.push(`${at}: duplicate plugin id '${id}'`);
    ids.add(key);
    return { kind, name: p.name, id, config, where: at };
  };

  const compileNodes = (nodes: Node[], section: Section): ModelNode[] => {
    const out: ModelNode[] = [];
    for (const n of nodes) {
      if (n.kind === 'plugin') {
        const spec = compilePlugin(n, section);
        if (spec) out.push({ kind: 'plugin', plugin: spec });
      } else {
        if (section === 'input') {
          errors.push(`${where(n.loc)}: conditionals are not allowed in the input section (as in Logstash)`);
          continue;
        }
        out.push({ kind: 'if', branches: n.branches.map((b) => ({ condition: b.condition, body: compileNodes(b.body, section) })) });
      }
    }
    return out;
  };

  const inputs = compileNodes(ast.input, 'input').flatMap((n) => (n.kind === 'plugin' ? [n.plugin] : []));
  const filters = compileNodes(ast.filter, 'filter');
  const outputs = compileNodes(ast.output, 'output');
  const model: PipelineModel = { id: opts.id, inputs, filters, outputs, settings: opts.settings, sources: opts.sources, dataDir: opts.dataDir };
  return { model, errors };
}
