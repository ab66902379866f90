import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipelinesYml, parsePipelinesYml, PipelinesYmlError } from '../../src/config/pipelines-yml.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-pipelines-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function load(yaml: string) {
  const file = join(dir, `pipelines-${++n}.yml`);
  writeFileSync(file, yaml);
  return { file, pipelines: () => loadPipelinesYml(file) };
}

/** The collected error messages of loading `yaml`. */
function errorsOf(yaml: string): string[] {
  const { pipelines } = load(yaml);
  try {
    pipelines();
  } catch (err) {
    assert.ok(err instanceof PipelinesYmlError, String(err));
    return err.errors;
  }
  assert.fail('expected a PipelinesYmlError');
}

test('the multiple-pipelines example from the Logstash documentation', () => {
  const { file, pipelines } = load(`- pipeline.id: my-pipeline_1
  path.config: "/etc/path/to/p1.config"
  pipeline.workers: 3
- pipeline.id: my-other-pipeline
  path.config: "/etc/different/path/p2.cfg"
  queue.type: persisted
`);
  assert.deepEqual(pipelines(), [
    { id: 'my-pipeline_1', pathConfig: '/etc/path/to/p1.config', workers: 3, other: {}, source: `${file}:1` },
    { id: 'my-other-pipeline', pathConfig: '/etc/different/path/p2.cfg', other: { 'queue.type': 'persisted' }, source: `${file}:4` },
  ]);
});

test('config.string pipelines (pipeline-to-pipeline example) and every main setting', () => {
  const { pipelines } = load(`- pipeline.id: upstream
  config.string: input { stdin {} } output { pipeline { send_to => [myVirtualAddress] } }
  pipeline.batch.size: 250
  pipeline.batch.delay: 0
- pipeline.id: downstream
  config.string: |
    input { pipeline { address => myVirtualAddress } }
  pipeline.ordered: auto
  pipeline.ecs_compatibility: disabled
  config.support_escapes: true
`);
  const [up, down] = pipelines();
  assert.equal(up!.configString, 'input { stdin {} } output { pipeline { send_to => [myVirtualAddress] } }');
  assert.equal(up!.batchSize, 250);
  assert.equal(up!.batchDelay, 0);
  assert.equal(up!.pathConfig, undefined);
  assert.equal(down!.configString, 'input { pipeline { address => myVirtualAddress } }\n');
  assert.deepEqual(down!.other, { 'pipeline.ordered': 'auto', 'pipeline.ecs_compatibility': 'disabled', 'config.support_escapes': true });
});

test('the nested YAML form is the same as the dotted keys', () => {
  const { pipelines } = load(`- pipeline:
    id: nested
    workers: 2
    batch:
      size: 10
      delay: 5
  path:
    config: conf.d/*.conf
  queue:
    type: memory
`);
  assert.deepEqual(pipelines(), [
    {
      id: 'nested',
      workers: 2,
      batchSize: 10,
      batchDelay: 5,
      pathConfig: join(dir, 'conf.d/*.conf'),
      other: { 'queue.type': 'memory' },
      source: pipelines()[0]!.source,
    },
  ]);
});

test('a relative path.config resolves against the directory of pipelines.yml', () => {
  const file = join(dir, 'sub', 'pipelines.yml');
  const [p] = parsePipelinesYml('- pipeline.id: a\n  path.config: ../examples/main.conf\n', file);
  assert.equal(p!.pathConfig, join(dir, 'examples', 'main.conf'));
  const [q] = parsePipelinesYml('- pipeline.id: a\n  path.config: "file:///abs/x.conf"\n', file);
  assert.equal(q!.pathConfig, '/abs/x.conf');
});

test('numeric strings are coerced, as Logstash does', () => {
  const [p] = load('- pipeline.id: a\n  config.string: "input {}"\n  pipeline.workers: "4"\n').pipelines();
  assert.equal(p!.workers, 4);
});

test('all errors are collected, each naming the file and the pipeline', () => {
  const { file, pipelines } = load(`- pipeline.id: ok
  path.config: a.conf
- path.config: b.conf
- pipeline.id: ok
  config.string: "input {}"
- pipeline.id: neither
- pipeline.id: both
  path.config: c.conf
  config.string: "input {}"
- pipeline.id: types
  path.config: d.conf
  pipeline.workers: four
  pipeline.batch.size: 0
  pipeline.batch.delay: 1.5
  queue.type: disk
  config.support_escapes: "yes"
  pipeline.wokers: 2
  some.thing: 1
- pipeline.id: 7
  path.config: e.conf
- just a string
`);
  let caught: unknown;
  try {
    pipelines();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof PipelinesYmlError);
  assert.ok(caught.message.startsWith(`${file}: `));
  assert.deepEqual(caught.errors, [
    'pipeline #2 (line 3): pipeline.id is missing',
    'pipeline "ok" (#3, line 4): duplicate pipeline.id "ok" (already used by #1 at line 1)',
    'pipeline "neither" (#4, line 6): needs path.config or config.string',
    'pipeline "both" (#5, line 7): path.config and config.string cannot both be set',
    'pipeline "types" (#6, line 10): pipeline.workers must be a whole number > 0 (got "four")',
    'pipeline "types" (#6, line 10): pipeline.batch.size must be a whole number > 0 (got 0)',
    'pipeline "types" (#6, line 10): pipeline.batch.delay must be a whole number ≥ 0 (got 1.5)',
    'pipeline "types" (#6, line 10): queue.type must be one of "memory", "persisted" (got "disk")',
    'pipeline "types" (#6, line 10): config.support_escapes must be true or false (got "yes")',
    'pipeline "types" (#6, line 10): unknown setting "pipeline.wokers" (did you mean "pipeline.workers"?)',
    'pipeline "types" (#6, line 10): unknown setting "some.thing"',
    'pipeline #7 (line 19): pipeline.id must be a string (got 7)',
    'pipeline #8 (line 21): must be a mapping of settings (pipeline.id, path.config, …)',
  ]);
});

test('a key given both dotted and nested is an error', () => {
  assert.deepEqual(errorsOf('- pipeline.id: a\n  pipeline:\n    id: b\n  config.string: "x"\n'), [
    'pipeline "a" (#1, line 1): setting "pipeline.id" is given twice (dotted and nested)',
  ]);
});

test('empty files, non-lists and YAML syntax errors', () => {
  assert.match(errorsOf('# only a comment\n')[0]!, /the file is empty/);
  assert.match(errorsOf('pipeline.id: main\npath.config: x\n')[0]!, /must be a list of pipelines/);
  assert.match(errorsOf('- pipeline.id: [unclosed\n')[0]!, /line 2/);
  assert.match(errorsOf('- pipeline.id: a\n  pipeline.id: b\n')[0]!, /unique/);
  assert.throws(() => loadPipelinesYml(join(dir, 'does-not-exist.yml')), /cannot read the file/);
});
