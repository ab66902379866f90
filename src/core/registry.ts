// Plugin discovery: every top-level module in src/{inputs,filters,outputs,codecs} is one plugin whose
// default export is its definition (defineFilter(...) etc.). Adding a plugin is adding a file.

import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { PluginDef, PluginKind, CodecSpec, Codec, PluginContext, CodecDef } from './plugin.js';
import { validateOptions, OptionError } from './options.js';

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
  names(kind: PluginKind): string[] {
    return this.all(kind).map((d) => d.name);
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

/** Load every plugin module once per thread. */
export function loadRegistry(): Promise<Registry> {
  loaded ??= (async () => {
    const reg = new Registry();
    const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..');
    for (const kind of Object.keys(DIRS) as PluginKind[]) {
      const dir = join(srcDir, DIRS[kind]);
      let files: string[] = [];
      try {
        files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
      } catch {
        continue;
      }
      for (const f of files) {
        const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default?: PluginDef };
        const def = mod.default;
        if (def && def.kind === kind && typeof def.name === 'string') reg.register(def);
      }
    }
    return reg;
  })();
  return loaded;
}
