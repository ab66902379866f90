import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPlugin, runFilter } from '../helpers.js';
import type { Filter } from '../../src/core/plugin.js';

const split = (settings: Record<string, unknown> = {}) => createPlugin<Filter>('filter', 'split', settings);

test('one clone per line, empty lines skipped, original cancelled', async () => {
  const f = await split();
  const { event, emitted } = runFilter(f, { message: 'a\nb\n\nc\n', host: 'h' });
  assert.equal(event.cancelled, true);
  assert.deepEqual(emitted.map((e) => e.get('message')), ['a', 'b', 'c']);
  assert.ok(emitted.every((e) => e.get('host') === 'h' && !e.cancelled));
});

test('custom terminator and target', async () => {
  const f = await split({ terminator: '||', target: 'part' });
  const { emitted } = runFilter(f, { message: 'x||y' });
  assert.deepEqual(emitted.map((e) => [e.get('part'), e.get('message')]), [['x', 'x||y'], ['y', 'x||y']]);
});

test('a string without terminator is left alone', async () => {
  const f = await split();
  const { matched, event, emitted } = runFilter(f, { message: 'single' });
  assert.equal(matched, false);
  assert.equal(event.cancelled, false);
  assert.equal(emitted.length, 0);
});

test('array fields: one event per element, no shared nested objects', async () => {
  const f = await split({ field: 'results' });
  const shared = { deep: { n: 1 } };
  const { event, emitted } = runFilter(f, { results: [{ id: 1 }, { id: 2 }, null, ''], meta: shared });
  assert.equal(event.cancelled, true);
  assert.deepEqual(emitted.map((e) => e.get('results')), [{ id: 1 }, { id: 2 }]);
  (emitted[0]!.get('[meta][deep]') as Record<string, number>).n = 99;
  assert.equal(emitted[1]!.get('[meta][deep][n]'), 1);
  (emitted[0]!.get('results') as Record<string, number>).id = 42;
  assert.equal(emitted[1]!.get('[results][id]'), 2);
});

test('an array split into a target keeps the array in the clones', async () => {
  const f = await split({ field: '[a][list]', target: 'item' });
  const { emitted } = runFilter(f, { a: { list: [1, 2] } });
  assert.deepEqual(emitted.map((e) => [e.get('item'), e.get('[a][list]')]), [[1, [1, 2]], [2, [1, 2]]]);
});

test('other types, or a missing field, tag _split_type_failure', async () => {
  const f = await split();
  for (const data of [{ message: 42 }, {}]) {
    const { matched, event, emitted } = runFilter(f, data);
    assert.equal(matched, false);
    assert.deepEqual(event.tags, ['_split_type_failure']);
    assert.equal(event.cancelled, false);
    assert.equal(emitted.length, 0);
  }
  assert.deepEqual(f.failureTags, ['_split_type_failure']);
});
