import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJson, stringifyEvent } from '../../src/core/serialize.js';

test('parseJson keeps 64-bit integers exact (as strings) and leaves safe numbers alone', () => {
  const v = parseJson('{"flow_id": 1587736186286131123, "n": 42, "s": "1587736186286131123", "a": [9007199254740993, 1]}') as Record<string, unknown>;
  assert.equal(v.flow_id, '1587736186286131123');
  assert.equal(v.n, 42);
  assert.equal(v.s, '1587736186286131123');
  assert.deepEqual(v.a, ['9007199254740993', 1]);
  assert.deepEqual(parseJson('{"x": 1234567890123456}'), { x: 1234567890123456 }, 'a safe 16-digit integer stays a number');
  assert.throws(() => parseJson('{"x": 12345678901234567890'), SyntaxError);
});

test('stringifyEvent renders @timestamp as ISO-8601 and leaves out @metadata unless asked', () => {
  const data = { '@timestamp': new Date('2026-11-01T00:00:00Z'), message: 'm', '@metadata': { _id: 'x' }, nested: { d: new Date(0) } };
  assert.equal(stringifyEvent(data), '{"@timestamp":"2026-11-01T00:00:00.000Z","message":"m","nested":{"d":"1970-01-01T00:00:00.000Z"}}');
  assert.match(stringifyEvent(data, true), /"@metadata":\{"_id":"x"\}/);
});
