// `sluice test CONFIG TESTS.yml`: feed each case's input through the pipeline's first input codec and its
// filters, compare the resulting events with the expected fields, print a diff, exit non-zero on failure.
//
// Tests file:
//   tests:
//     - name: ASA teardown
//       input: ["<166>Nov 01 2026 00:00:00 fw01 : %ASA-6-302014: Teardown TCP connection 1 for ..."]   # lines (or `events:` hashes)
//       expect:                                  # one hash per resulting event, in order; only the listed fields are compared
//         - "[source][ip]": 10.0.0.1
//           "[event][action]": teardown
//           "[error]": null                      # null: the field must be absent

import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { loadRegistry } from '../core/registry.js';
import { createLogger } from '../core/logger.js';
import { readConfigSources, parseConfigSources } from '../config/sources.js';
import { compilePipeline, ConfigError } from '../config/compile.js';
import { PipelineExecutor } from '../core/executor.js';
import { Event, type EventData } from '../core/event.js';
import { DEFAULT_SETTINGS } from '../config/load.js';

export interface TestCase {
  name?: string;
  input?: string | string[];
  events?: EventData[];
  expect?: Array<Record<string, unknown>>;
}

function normalise(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, normalise(x)]));
  return v;
}

function sameValue(actual: unknown, expected: unknown): boolean {
  const a = normalise(actual);
  if (isDeepStrictEqual(a, expected)) return true;
  // YAML reads 443 as a number and "2026-11-01T00:00:00.000Z" as a string; accept a date given without millis.
  if (typeof a === 'string' && typeof expected === 'string' && /^\d{4}-\d\d-\d\dT/.test(a)) return new Date(a).getTime() === new Date(expected).getTime();
  return false;
}

export function compareEvent(event: Event, expected: Record<string, unknown>): string[] {
  const diffs: string[] = [];
  for (const [ref, want] of Object.entries(expected)) {
    const got = event.get(ref);
    if (want === null) {
      if (got !== undefined) diffs.push(`${ref}: expected absent, got ${JSON.stringify(normalise(got))}`);
    } else if (got === undefined) diffs.push(`${ref}: expected ${JSON.stringify(want)}, field is missing`);
    else if (!sameValue(got, want)) diffs.push(`${ref}: expected ${JSON.stringify(want)}, got ${JSON.stringify(normalise(got))}`);
  }
  return diffs;
}

export async function runTests(configPath: string, testsFile: string, out: NodeJS.WritableStream): Promise<number> {
  const registry = await loadRegistry();
  const logger = createLogger('sluice.test');
  const sources = readConfigSources(configPath);
  const ast = parseConfigSources(sources);
  const { model, errors } = compilePipeline(ast, registry, { id: 'test', settings: { ...DEFAULT_SETTINGS, workers: 1 }, sources: sources.map((s) => s.file), dataDir: 'sluice-data/test' });
  if (errors.length) throw new ConfigError(errors);
  const doc = parseYaml(readFileSync(testsFile, 'utf8')) as { tests?: TestCase[] } | TestCase[];
  const cases = Array.isArray(doc) ? doc : (doc?.tests ?? []);
  if (!cases.length) throw new Error(`${testsFile}: no test cases (expected a list under 'tests:')`);
  if (!model.inputs.length) model.inputs.push({ kind: 'input', name: 'stdin', id: 'test_input', config: { codec: { name: 'plain', settings: {} } }, where: '' });
  const exec = await PipelineExecutor.create(model, registry, logger);
  let failed = 0;
  for (const [i, c] of cases.entries()) {
    const name = c.name ?? `case ${i + 1}`;
    const lines = c.input === undefined ? [] : Array.isArray(c.input) ? c.input.map(String) : [String(c.input)];
    const events = c.events
      ? c.events.map((d) => new Event(structuredClone(d)))
      : exec.decode({ kind: 'messages', messages: lines, ids: lines.map((_, j) => `test:${i}:${j}`) }, 0);
    const result = exec.runFilters(events);
    const expected = c.expect ?? [];
    const problems: string[] = [];
    if (result.length !== expected.length) problems.push(`expected ${expected.length} event(s), got ${result.length}`);
    for (let j = 0; j < Math.min(result.length, expected.length); j++)
      for (const d of compareEvent(result[j]!, expected[j]!)) problems.push(`event ${j + 1}: ${d}`);
    if (problems.length) {
      failed++;
      out.write(`FAIL ${name}\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
      out.write(`  actual events:\n${result.map((e) => '    ' + JSON.stringify(normalise(e.data))).join('\n')}\n`);
    } else out.write(`ok   ${name}\n`);
  }
  out.write(`${cases.length - failed} passed, ${failed} failed\n`);
  await exec.close();
  return failed ? 1 : 0;
}
