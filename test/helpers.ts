// Shared test helpers: paths, the ../shared samples rule, and a quick way to build plugins from settings.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { loadRegistry } from '../src/core/registry.js';
import { validateOptions } from '../src/core/options.js';
import { createLogger } from '../src/core/logger.js';
import { Event, type EventData } from '../src/core/event.js';
import type { PluginContext, PluginDef, Filter, PluginKind } from '../src/core/plugin.js';

/** Repository root (tests run from dist/test/...). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `../shared` beside the project root: real sample logs that may not be redistributed. */
export const sharedDir = resolve(repoRoot, '..', 'shared');

/**
 * Return the path of a file under ../shared, or skip the test with a clear message when ../shared is
 * absent (a user's fresh clone). In CI (CI=true) a missing ../shared is a failure, never a skip.
 */
export function sharedFile(t: TestContext, rel: string): string | undefined {
  const p = join(sharedDir, rel);
  if (existsSync(p)) return p;
  if (process.env.CI === 'true') throw new Error(`CI: ${p} is missing (../shared must be beside the project in CI)`);
  t.skip(`needs ../shared/${rel} (the shared sample set beside the project), absent here`);
  return undefined;
}

export async function testContext(overrides: Partial<PluginContext> = {}): Promise<PluginContext> {
  const reg = await loadRegistry();
  const base = {
    pipelineId: 'test',
    pluginId: 'test_1',
    logger: createLogger('test'),
    dataDir: overrides.dataDir ?? join(repoRoot, 'dist', 'test-data'),
    side: 'worker' as const,
    ...overrides,
  };
  return { ...base, createCodec: (spec) => reg.createCodec(spec, base) };
}

/** Validate settings as the config compiler would, then create the plugin. Throws on validation errors. */
export async function createPlugin<T>(kind: PluginKind, name: string, settings: Record<string, unknown> = {}, ctxOverrides: Partial<PluginContext> = {}): Promise<T> {
  const reg = await loadRegistry();
  const def = reg.get(kind, name) as PluginDef | undefined;
  if (!def) throw new Error(`no ${kind} plugin '${name}'`);
  const { config, errors } = validateOptions(kind, name, def.options, settings);
  if (errors.length) throw new Error(errors.join('; '));
  const ctx = await testContext(ctxOverrides);
  return (await def.create(config as never, ctx)) as T;
}

/** Run one filter over one event; returns [matched, event, emitted events]. */
export function runFilter(filter: Filter, data: EventData): { matched: boolean; event: Event; emitted: Event[] } {
  const event = new Event(data);
  const emitted: Event[] = [];
  const matched = filter.filter(event, (e) => emitted.push(e));
  return { matched, event, emitted };
}
