// The bundled example pipelines: each passes its own tests file (as `sluice test` runs it), pipelines.yml
// loads all three, and `sluice run` over the bundled sample logs writes the expected numbers of events and
// failures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runTests } from '../../src/cli/test.js';
import { loadRegistry } from '../../src/core/registry.js';
import { loadPipelines } from '../../src/config/load.js';
import { repoRoot } from '../helpers.js';
import { examplesDir } from './run-example.js';

function collect(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

for (const name of ['firewall', 'ids', 'waf']) {
  test(`examples/${name}.conf passes examples/${name}.tests.yml`, async () => {
    process.env.SLUICE_EXAMPLES_DIR ??= examplesDir;
    const out = collect();
    const status = await runTests(join(examplesDir, `${name}.conf`), join(examplesDir, `${name}.tests.yml`), out.stream);
    assert.equal(status, 0, out.text());
    assert.match(out.text(), /^\d+ passed, 0 failed$/m);
    const passed = Number(/^(\d+) passed/m.exec(out.text())![1]);
    assert.ok(passed >= 10, `only ${passed} cases`);
  });
}

test('examples/pipelines.yml loads the three pipelines without errors', async () => {
  const registry = await loadRegistry();
  const { pipelines, errors } = loadPipelines({ pipelinesYml: join(examplesDir, 'pipelines.yml'), pathData: join(tmpdir(), 'sluice-examples-check') }, registry);
  assert.deepEqual(errors, []);
  assert.deepEqual(pipelines.map((p) => p.model.id), ['firewall', 'ids', 'waf']);
});

/** Lines of every JSON-lines file in dir whose name starts with prefix. */
function jsonLines(dir: string, prefix: string): Array<Record<string, unknown>> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function sampleLines(kind: string): number {
  const dir = join(examplesDir, 'data', kind);
  return readdirSync(dir).reduce((n, f) => n + readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== '').length, 0);
}

test('`sluice run` with the bundled pipelines.yml processes every sample line once into the lake; `sluice query` counts them', () => {
  const work = mkdtempSync(join(tmpdir(), 'sluice-examples-run-'));
  const data = join(work, 'out');
  // Workaround (reported): the file input does not create the folder of file_completed_log_path.
  for (const kind of ['firewall', 'ids', 'waf']) mkdirSync(join(data, kind), { recursive: true });
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'sluice.js'), 'run', '--path.data', data, '--pipeline.workers', '2'], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, SLUICE_DATA: data, SLUICE_EXAMPLES_DIR: examplesDir },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  // Failures per pipeline: the broken lines written into the samples on purpose.
  const expectedFailures: Record<string, number> = { firewall: 3, ids: 3, waf: 3 };
  for (const kind of ['firewall', 'ids', 'waf']) {
    const failed = jsonLines(join(data, kind), 'failed-');
    assert.equal(failed.length, expectedFailures[kind], `${kind}: failures ${JSON.stringify(failed.map((e) => e.tags))}`);
    // Every event is in the lake once (the failures too, with their tags); the query runs as a user would.
    const q = spawnSync(
      process.execPath,
      [join(repoRoot, 'bin', 'sluice.js'), 'query', '--format', 'json', `select count(*) n, count(distinct _id) ids, count(*) filter (where list_contains(tags, '_grokparsefailure') or list_contains(tags, '_jsonparsefailure') or list_contains(tags, '_dateparsefailure') or list_contains(tags, '_dissectfailure')) failed from ${kind}`],
      { cwd: work, encoding: 'utf8', env: { ...process.env, SLUICE_DATA: data }, timeout: 60_000 },
    );
    assert.equal(q.status, 0, q.stderr);
    const counts = JSON.parse(q.stdout) as { n: string; ids: string; failed: string };
    assert.equal(Number(counts.n), sampleLines(kind), `${kind}: every line once`);
    assert.equal(counts.ids, counts.n, `${kind}: distinct ids`);
    assert.equal(Number(counts.failed), expectedFailures[kind], `${kind}: failures in the lake`);
    assert.ok(existsSync(join(data, kind, 'completed.log')), `${kind}: completed.log`);
  }
});

test('the example configs use no ${…} in their strings but the SLUICE_* variables (regexes write \\$\\{)', () => {
  for (const name of ['firewall', 'ids', 'waf']) {
    const code = readFileSync(join(examplesDir, `${name}.conf`), 'utf8')
      .split('\n')
      .filter((l) => !/^\s*#/.test(l))
      .join('\n');
    const refs = [...code.matchAll(/\$\{([^}:]*)/g)].map((m) => m[1]);
    assert.deepEqual(refs.filter((r) => !r!.startsWith('SLUICE_')), [], `${name}.conf`);
  }
});
