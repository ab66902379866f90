// The else-if chain on one field compiles to a lookup (executor Switch op); the result must be exactly what
// the conditions give one by one, including values that are not strings and values in no branch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { loadPipelines } from '../../src/config/load.js';
import { PipelineExecutor } from '../../src/core/executor.js';
import { Event } from '../../src/core/event.js';

async function filtersOf(config: string) {
  const registry = await loadRegistry();
  const { pipelines, errors } = loadPipelines({ configString: `input { generator { count => 1 } } ${config} output { stdout {} }`, pathData: '/nonexistent' }, registry);
  assert.deepEqual(errors, []);
  const exec = await PipelineExecutor.create(pipelines[0]!.model, registry, createLogger('test'));
  return (data: Record<string, unknown>) => exec.runFilters([new Event(data)])[0]!.data;
}

test('an else-if chain on one field dispatches like the conditions: first matching branch, else, non-strings, numbers in lists', async () => {
  const run = await filtersOf(`filter {
    if [id] == "a" { mutate { add_field => { "branch" => "1" } } }
    else if [id] in ["b", "a", 7] { mutate { add_field => { "branch" => "2" } } }
    else if "c" == [id] { mutate { add_field => { "branch" => "3" } } }
    else if [id] == 5 { mutate { add_field => { "branch" => "4" } } }
    else { mutate { add_field => { "branch" => "else" } } }
  }`);
  assert.equal(run({ id: 'a' }).branch, '1', 'first branch wins although "a" is in the second list too');
  assert.equal(run({ id: 'b' }).branch, '2');
  assert.equal(run({ id: '7' }).branch, '2', 'list items compare by their string form');
  assert.equal(run({ id: 7 }).branch, '2', 'a number field takes the ordinary chain: 7 in [..., 7]');
  assert.equal(run({ id: 'c' }).branch, '3');
  assert.equal(run({ id: 5 }).branch, '4', 'a number equals a number constant');
  assert.equal(run({ id: '5' }).branch, 'else', 'the string "5" does not equal the number 5');
  assert.equal(run({ id: 'zzz' }).branch, 'else');
  assert.equal(run({}).branch, 'else');
  assert.equal(run({ id: ['a'] }).branch, 'else', 'an array equals no string');
});

// (A one-item list like ["z"] is a field reference in Logstash's grammar, elastic/logstash#9932; the parser
// keeps that, so the lists here have two items.)
test('a dispatch chain without else falls through to the filters after it', async () => {
  const run = await filtersOf(`filter {
    if [t] == "x" { mutate { add_field => { "hit" => "x" } } }
    else if [t] == "y" { mutate { add_field => { "hit" => "y" } } }
    else if [t] in ["z", "zz"] { mutate { add_field => { "hit" => "z" } } }
    mutate { add_field => { "after" => "yes" } }
  }`);
  assert.deepEqual([run({ t: 'y' }).hit, run({ t: 'y' }).after], ['y', 'yes']);
  assert.deepEqual([run({ t: 'q' }).hit, run({ t: 'q' }).after], [undefined, 'yes']);
  assert.deepEqual([run({ t: 'z' }).hit, run({ t: 'z' }).after], ['z', 'yes']);
});

test('common options with field names from the event (%{…}) and constant ones: add_field, remove_field', async () => {
  const run = await filtersOf(`filter {
    mutate {
      add_field => { "from_%{kind}" => "yes" "[nested][const]" => "c" "plain" => "%{kind}" }
      remove_field => ["%{victim}", "[gone][x]"]
    }
  }`);
  const out = run({ kind: 'fw', victim: 'tmp', tmp: 1, keep: 2, gone: { x: 1, y: 2 } });
  assert.equal(out.from_fw, 'yes');
  assert.deepEqual(out.nested, { const: 'c' });
  assert.equal(out.plain, 'fw');
  assert.equal(out.tmp, undefined, 'the field named by [victim] was removed');
  assert.equal(out.keep, 2);
  assert.deepEqual(out.gone, { y: 2 });
  const again = run({ kind: 'ids', victim: 'keep', keep: 3, plain: 'old' });
  assert.equal(again.from_ids, 'yes');
  assert.equal(again.keep, undefined);
  assert.deepEqual(again.plain, ['old', 'ids'], 'an existing field becomes a list, as Logstash does');
});
