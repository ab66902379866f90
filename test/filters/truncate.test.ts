import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPlugin, runFilter } from '../helpers.js';
import type { Filter } from '../../src/core/plugin.js';
import { truncateUtf8 } from '../../src/filters/truncate.js';

const truncate = (settings: Record<string, unknown>) => createPlugin<Filter>('filter', 'truncate', settings);

test('length_bytes is required', async () => {
  await assert.rejects(truncate({}), /length_bytes/);
});

test('cuts on UTF-8 bytes without splitting a character', () => {
  assert.equal(truncateUtf8('hello world, how are you?', 10), 'hello worl');
  assert.equal(truncateUtf8('héllo', 2), 'h'); // é is 2 bytes
  assert.equal(truncateUtf8('héllo', 3), 'hé');
  assert.equal(truncateUtf8('a€b', 3), 'a'); // € is 3 bytes
  assert.equal(truncateUtf8('a😀b', 4), 'a'); // 😀 is 4 bytes (a surrogate pair)
  assert.equal(truncateUtf8('a😀b', 5), 'a😀');
  assert.equal(truncateUtf8('short', 10), 'short');
  assert.equal(truncateUtf8('abc', 0), '');
});

test('named fields: strings, string elements of arrays, hashes recursively', async () => {
  const f = await truncate({ length_bytes: 3, fields: ['s', 'a', 'h', 'n', 'missing'] });
  const { matched, event } = runFilter(f, { s: 'abcdef', a: ['abcd', 12345, 'x'], h: { x: 'abcd', y: { z: 'wxyz' } }, n: 123456, other: 'untouched' });
  assert.equal(matched, true);
  assert.equal(event.get('s'), 'abc');
  assert.deepEqual(event.get('a'), ['abc', 12345, 'x']);
  assert.deepEqual(event.get('h'), { x: 'abc', y: { z: 'wxy' } });
  assert.equal(event.get('n'), 123456);
  assert.equal(event.get('other'), 'untouched');
});

test('without fields every top-level field is tried, except @metadata', async () => {
  const f = await truncate({ length_bytes: 2 });
  const { event } = runFilter(f, { message: 'hello', tags: ['long'], '@metadata': { keep: 'long value' } });
  assert.equal(event.get('message'), 'he');
  assert.deepEqual(event.get('tags'), ['lo']);
  assert.equal(event.get('[@metadata][keep]'), 'long value');
});

test('matches (applies common options) only when something was truncated', async () => {
  const f = await truncate({ length_bytes: 10, fields: ['message'] });
  assert.equal(runFilter(f, { message: 'short' }).matched, false);
  assert.equal(runFilter(f, { message: 'a much longer message' }).matched, true);
});
