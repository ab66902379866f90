import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPlugin, runFilter } from '../helpers.js';
import type { Filter } from '../../src/core/plugin.js';
import { parseIsoTimestamp } from '../../src/filters/json.js';

const json = (settings: Record<string, unknown>) => createPlugin<Filter>('filter', 'json', settings);

test('source is required', async () => {
  await assert.rejects(json({}), /missing required option 'source'/);
});

test('without target the object is merged at the root', async () => {
  const f = await json({ source: 'message' });
  const { matched, event } = runFilter(f, { message: '{ "hello": "world", "list": [1, 2, 3], "hash": { "k": "v" }, "[n][m]": 1 }' });
  assert.equal(matched, true);
  assert.equal(event.get('hello'), 'world');
  assert.deepEqual(event.get('list'), [1, 2, 3]);
  assert.deepEqual(event.get('hash'), { k: 'v' });
  assert.equal(event.get('[n][m]'), 1, 'keys are field references, as in Logstash');
});

test('with target the value replaces the target, whatever its JSON type', async () => {
  const f = await json({ source: 'message', target: 'data' });
  assert.deepEqual(runFilter(f, { message: '[{"k":"v"}]', data: 'old' }).event.get('data'), [{ k: 'v' }]);
  assert.equal(runFilter(f, { message: '42' }).event.get('data'), 42);
  const same = await json({ source: 'example', target: 'example' });
  assert.deepEqual(runFilter(same, { example: '{"hello":"world"}' }).event.get('example'), { hello: 'world' });
});

test('non-object JSON without target fails with the failure tags', async () => {
  const f = await json({ source: 'message' });
  const { matched, event } = runFilter(f, { message: '[1, 2, 3]' });
  assert.equal(matched, false);
  assert.deepEqual(event.tags, ['_jsonparsefailure']);
});

test('invalid JSON: tagged (custom tags) and untouched; skip_on_invalid_json does not tag', async () => {
  const f = await json({ source: 'message', tag_on_failure: ['_jsonparsefailure', '_custom'] });
  const { matched, event } = runFilter(f, { message: 'invalid json', tags: ['_other'] });
  assert.equal(matched, false);
  assert.deepEqual(event.tags, ['_other', '_jsonparsefailure', '_custom']);
  assert.equal(event.get('message'), 'invalid json');
  assert.deepEqual(f.failureTags, ['_jsonparsefailure', '_custom']);
  const skip = await json({ source: 'message', skip_on_invalid_json: true });
  const s = runFilter(skip, { message: 'not json' });
  assert.equal(s.matched, false);
  assert.equal(s.event.has('tags'), false);
});

test('a missing source does nothing', async () => {
  const f = await json({ source: 'message' });
  const { matched, event } = runFilter(f, { other: 1 });
  assert.equal(matched, false);
  assert.equal(event.has('tags'), false);
});

test('@timestamp from the JSON becomes the event timestamp', async () => {
  const f = await json({ source: 'message' });
  const { event } = runFilter(f, { message: '{"foo":"bar", "@timestamp":"2015-12-02T17:40:00.666Z"}' });
  assert.ok(event.timestamp instanceof Date);
  assert.equal(event.timestamp.toISOString(), '2015-12-02T17:40:00.666Z');
  assert.equal(event.get('foo'), 'bar');
});

test('an unreadable @timestamp goes to _@timestamp with _timestampparsefailure', async () => {
  const f = await json({ source: 'message' });
  const before = Date.now();
  const { matched, event } = runFilter(f, { message: '{"foo":"bar", "@timestamp":"foobar"}' });
  assert.equal(matched, true);
  assert.ok(event.hasTag('_timestampparsefailure'));
  assert.equal(event.get('_@timestamp'), 'foobar');
  assert.ok(event.timestamp.getTime() >= before);
});

test('ISO 8601 timestamps with offsets and fractions', () => {
  assert.equal(parseIsoTimestamp('2013-10-19T00:14:32.996Z')?.toISOString(), '2013-10-19T00:14:32.996Z');
  assert.equal(parseIsoTimestamp('2013-10-19T02:14:32+02:00')?.toISOString(), '2013-10-19T00:14:32.000Z');
  assert.equal(parseIsoTimestamp('2013-10-19 00:14:32,123456-0130')?.toISOString(), '2013-10-19T01:44:32.123Z');
  assert.equal(parseIsoTimestamp('2013-02-30T00:00:00Z'), undefined);
  assert.equal(parseIsoTimestamp('yesterday'), undefined);
});
