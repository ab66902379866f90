// Runs the filters of one bundled example pipeline over raw lines, the way `sluice test` does: the lines go
// through the first input's codec, then the filter section; the events that leave it are returned.

import { join } from 'node:path';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { readConfigSources, parseConfigSources } from '../../src/config/sources.js';
import { compilePipeline, ConfigError } from '../../src/config/compile.js';
import { DEFAULT_SETTINGS } from '../../src/config/load.js';
import { PipelineExecutor } from '../../src/core/executor.js';
import type { Event } from '../../src/core/event.js';
import { repoRoot } from '../helpers.js';

export const examplesDir = join(repoRoot, 'examples');

export interface ExampleRunner {
  run(lines: string[]): Event[];
  close(): Promise<void>;
}

export async function exampleRunner(name: 'firewall' | 'ids' | 'waf'): Promise<ExampleRunner> {
  process.env.SLUICE_EXAMPLES_DIR ??= examplesDir;
  const registry = await loadRegistry();
  const sources = readConfigSources(join(examplesDir, `${name}.conf`));
  const { model, errors } = compilePipeline(parseConfigSources(sources), registry, {
    id: name,
    settings: { ...DEFAULT_SETTINGS, workers: 1 },
    sources: sources.map((s) => s.file),
    dataDir: join(repoRoot, 'dist', 'test-data', name),
  });
  if (errors.length) throw new ConfigError(errors);
  const exec = await PipelineExecutor.create(model, registry, createLogger(`examples.${name}`));
  let batch = 0;
  return {
    run(lines) {
      batch++;
      const events = exec.decode({ kind: 'messages', messages: lines, ids: lines.map((_, i) => `${name}:${batch}:${i}`) }, 0);
      return exec.runFilters(events);
    },
    close: () => exec.close(),
  };
}

/** The event as written out (no @metadata), with dates as ISO strings. */
export function plain(event: Event): Record<string, unknown> {
  return JSON.parse(JSON.stringify(event.toJSON())) as Record<string, unknown>;
}
