// Plugin discovery: every top-level module in src/{inputs,filters,outputs,codecs} is one plugin whose
// default export is its definition (defineFilter(...) etc.). Adding a plugin is adding a file.

import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { PluginDef, PluginKind, CodecSpec, Codec, PluginContext, CodecDef } from './plugin.js';
import { validateOptions, OptionError } from './options.js';
import { plugins, type PipelineModel } from './model.js';

const DIRS: Record<PluginKind, string> = { input: 'inputs', filter: 'filters', output: 'outputs', codec: 'codecs' };

export class Registry {
  private readonly byKind = new Map<PluginKind, Map<string, PluginDef>>();

  register(def: PluginDef): void {
    let m = this.byKind.get(def.kind);
    if (!m) this.byKind.set(def.kind, (m = new Map()));
    m.set(def.name, def);
  }
  get(kind: PluginKind, name: string): PluginDef | undefined {
    return this.byKind.get(kind)?.get(name);
  }
  all(kind: PluginKind): PluginDef[] {
    return [...(this.byKind.get(kind)?.values() ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  }
  /** Every plugin of this kind there is, loaded or not (a plugin's module file is named after it). */
  names(kind: PluginKind): string[] {
    const found = pluginFiles(kind).map((f) => f.slice(0, -'.js'.length));
    for (const d of this.all(kind)) if (!found.includes(d.name)) found.push(d.name);
    return found.sort((a, b) => a.localeCompare(b));
  }

  /**
   * Import the modules of these plugins that are not loaded yet (unknown names are left for the config
   * compiler to report). `sluice run` loads only what its configurations name: importing every plugin took
   * a tenth of a second of its start-up.
   */
  async ensure(wanted: ReadonlyArray<readonly [PluginKind, string]>): Promise<void> {
    const files = new Map<string, [PluginKind, string]>();
    const listed = new Map<PluginKind, string[]>();
    for (const [kind, name] of wanted) {
      const file = `${name}.js`;
      if (this.get(kind, name)) continue;
      let list = listed.get(kind);
      if (!list) listed.set(kind, (list = pluginFiles(kind)));
      if (list.includes(file)) files.set(`${kind}/${file}`, [kind, file]);
    }
    await registerFiles(this, [...files.values()]);
  }

  /** Validate codec settings and create the codec; throws OptionError listing every problem. */
  createCodec(spec: CodecSpec, ctx: Omit<PluginContext, 'createCodec'>): Codec {
    const def = this.get('codec', spec.name) as CodecDef | undefined;
    if (!def) throw new OptionError(`unknown codec '${spec.name}' (available: ${this.names('codec').join(', ')})`);
    const { config, errors } = validateOptions('codec', spec.name, def.options, spec.settings);
    if (errors.length) throw new OptionError(errors.join('; '));
    const full: PluginContext = { ...ctx, createCodec: (s) => this.createCodec(s, ctx) };
    return def.create(config, full);
  }
}

let loaded: Promise<Registry> | undefined;
const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..');

function pluginFiles(kind: PluginKind): string[] {
  try {
    return readdirSync(join(srcDir, DIRS[kind]))
      .filter((f) => f.endsWith('.js'))
      .sort();
  } catch {
    return [];
  }
}

/** Import plugin modules all at once (start-up waits on file reads, which overlap) and register them in order. */
async function registerFiles(reg: Registry, files: Array<[PluginKind, string]>): Promise<void> {
  const mods = await Promise.all(files.map(([kind, file]) => import(pathToFileURL(join(srcDir, DIRS[kind], file)).href) as Promise<{ default?: PluginDef }>));
  for (let i = 0; i < files.length; i++) {
    const def = mods[i]!.default;
    if (def && def.kind === files[i]![0] && typeof def.name === 'string') reg.register(def);
  }
}

/** Load every plugin module once per thread. */
export function loadRegistry(): Promise<Registry> {
  loaded ??= (async () => {
    const reg = new Registry();
    await registerFiles(reg, (Object.keys(DIRS) as PluginKind[]).flatMap((kind) => pluginFiles(kind).map((f) => [kind, f] as [PluginKind, string])));
    return reg;
  })();
  return loaded;
}

/** Every codec (plugins create codecs by name, so a registry that runs pipelines has them all). */
export function allCodecs(): Array<[PluginKind, string]> {
  return pluginFiles('codec').map((f) => ['codec', f.slice(0, -'.js'.length)]);
}

/** Import every codec module (a warm worker thread does while it waits for its pipeline). */
export async function loadCodecs(): Promise<void> {
  await new Registry().ensure(allCodecs());
}

/** The plugins one pipeline uses, and every codec: what a pipeline worker thread needs. */
export async function loadRegistryFor(model: PipelineModel): Promise<Registry> {
  const reg = new Registry();
  await reg.ensure([
    ...allCodecs(),
    ...model.inputs.map((p) => ['input', p.name] as [PluginKind, string]),
    ...[...plugins(model.filters)].map((p) => ['filter', p.name] as [PluginKind, string]),
    ...[...plugins(model.outputs)].map((p) => ['output', p.name] as [PluginKind, string]),
  ]);
  return reg;
}
