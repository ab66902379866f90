// sluice run starts with an empty registry: the Agent loads the plugins its configurations name, at start and
// at reload, and error messages still list every plugin there is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { Agent } from '../../src/core/agent.js';
import { loadPipelines } from '../../src/config/load.js';

test('an empty registry: the Agent loads only the plugins the configuration names, and more at reload', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-registry-'));
  const conf = join(dir, 'p.conf');
  const out1 = join(dir, 'one.jsonl');
  const out2 = join(dir, 'two.jsonl');
  writeFileSync(conf, `input { generator { count => 10 } } filter { mutate { add_tag => ["x"] } } output { file { path => "${out1}" } }`);
  const registry = new Registry();
  const agent = new Agent({ configPath: conf, pathData: join(dir, 'data'), workers: 1 }, registry, createLogger('test'));
  await agent.start();
  await agent.whenIdle();
  assert.equal(readFileSync(out1, 'utf8').trim().split('\n').length, 10);
  assert.ok(registry.get('input', 'generator') && registry.get('filter', 'mutate') && registry.get('output', 'file') && registry.get('codec', 'json_lines'));
  assert.equal(registry.get('output', 'elasticsearch'), undefined, 'plugins the configuration does not name are not loaded');
  assert.equal(registry.get('filter', 'grok'), undefined);

  // A reload naming a plugin not loaded yet loads it.
  writeFileSync(conf, `input { generator { count => 5 } } filter { grok { match => { "message" => "%{WORD:w}" } } } output { file { path => "${out2}" } }`);
  await agent.reload();
  await agent.whenIdle();
  assert.ok(registry.get('filter', 'grok'), 'grok loaded at reload');
  assert.ok(existsSync(out2) && readFileSync(out2, 'utf8').trim().split('\n').length === 5);
  await agent.stop();
});

test('unknown plugins are reported with every plugin there is, loaded or not', () => {
  const registry = new Registry();
  const { errors } = loadPipelines({ configString: 'input { stdinn {} } output { stdout {} }', pathData: '/nonexistent' }, registry);
  assert.match(errors.join('\n'), /unknown input plugin 'stdinn' \(available: beats, .*file, generator, .*stdin, syslog/);
});
