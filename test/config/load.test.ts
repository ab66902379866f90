import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipelines } from '../../src/config/load.js';
import { loadRegistry } from '../../src/core/registry.js';

test('pipelines.yml: settings reach each pipeline; config.support_escapes applies to that pipeline only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-load-'));
  const conf = 'input { stdin {} } filter { mutate { add_field => { "f" => "a\\\\tb" } } } output { stdout {} }';
  writeFileSync(join(dir, 'p.conf'), conf);
  writeFileSync(
    join(dir, 'pipelines.yml'),
    `- pipeline.id: raw\n  path.config: p.conf\n  pipeline.workers: 3\n  pipeline.batch.size: 50\n- pipeline.id: esc\n  path.config: p.conf\n  config.support_escapes: true\n`,
  );
  const { pipelines, errors } = loadPipelines({ pipelinesYml: join(dir, 'pipelines.yml'), pathData: join(dir, 'data') }, await loadRegistry());
  assert.deepEqual(errors, []);
  const [raw, esc] = pipelines.map((p) => p.model);
  assert.equal(raw!.settings.workers, 3);
  assert.equal(raw!.settings.batchSize, 50);
  const field = (m: typeof raw) => ((m!.filters[0] as unknown as { plugin: { config: { add_field: Record<string, string> } } }).plugin.config.add_field.f);
  assert.equal(field(raw), 'a\\\\tb', 'escapes kept verbatim by default');
  assert.equal(field(esc), 'a\\tb', 'with config.support_escapes, \\\\ becomes \\');
  assert.equal(raw!.dataDir, join(dir, 'data', 'raw'));
});

test('every error is collected: bad plugins in two pipelines and a missing file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-load-'));
  writeFileSync(join(dir, 'a.conf'), 'input { nosuch {} } output { stdout {} }');
  writeFileSync(join(dir, 'pipelines.yml'), `- pipeline.id: a\n  path.config: a.conf\n- pipeline.id: b\n  config.string: "input { stdin { bogus => 1 } } output { stdout {} }"\n- pipeline.id: c\n  path.config: missing.conf\n`);
  const { errors } = loadPipelines({ pipelinesYml: join(dir, 'pipelines.yml'), pathData: join(dir, 'data') }, await loadRegistry());
  assert.equal(errors.length, 3, errors.join('\n'));
  assert.match(errors.join('\n'), /unknown input plugin 'nosuch'/);
  assert.match(errors.join('\n'), /unknown option 'bogus'/);
  assert.match(errors.join('\n'), /pipeline 'c'/);
});
