import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createPlugin, sharedFile } from '../helpers.js';
import type { Codec } from '../../src/core/plugin.js';
import { Event, type EventData } from '../../src/core/event.js';

function decodeAll(codec: Codec, messages: string[]): EventData[] {
  const out: EventData[] = [];
  for (const m of messages) codec.decode(m, (d) => out.push(d));
  return out;
}

test('json codec on Suricata eve output with broken lines: one event per good line, _jsonparsefailure with the raw text otherwise', async (t) => {
  const file = sharedFile(t, 'samples/ids/suricata/surevego/eve_broken.json');
  if (!file) return;
  const lines = readFileSync(file, 'utf8').split('\n');
  const codec = await createPlugin<Codec>('codec', 'json');
  const events = decodeAll(codec, lines);
  const failed = events.filter((e) => Array.isArray(e.tags) && e.tags.includes('_jsonparsefailure'));
  const good = events.filter((e) => !failed.includes(e));
  const nonBlank = lines.filter((l) => l.trim() !== '');
  assert.equal(events.length, nonBlank.length, 'blank lines give no event, every other line one');
  assert.equal(failed.length, 6);
  assert.equal(good.length, 263);
  assert.ok(good.every((e) => typeof e.event_type === 'string' && typeof e.timestamp === 'string'), 'good lines decode to eve records');
  for (const f of failed) {
    assert.equal(typeof f.message, 'string');
    assert.ok(lines.includes(f.message as string), 'message is the raw line');
    assert.deepEqual(Object.keys(f).sort(), ['message', 'tags']);
  }
  assert.equal(failed[0]!.message, lines[0], 'the non-UTF-8-looking first line is kept verbatim');

  // json_lines over the same text as one chunk gives the same events.
  const jl = await createPlugin<Codec>('codec', 'json_lines');
  assert.deepEqual(decodeAll(jl, [lines.join('\n')]), events);
});

test('json codec: arrays give one event per element; scalars and arrays of scalars are failures; target nests', async () => {
  const codec = await createPlugin<Codec>('codec', 'json');
  assert.deepEqual(decodeAll(codec, ['[{"a":1},{"a":2}]']), [{ a: 1 }, { a: 2 }]);
  assert.deepEqual(decodeAll(codec, ['"text"', '[1,2]']), [
    { message: '"text"', tags: ['_jsonparsefailure'] },
    { message: '[1,2]', tags: ['_jsonparsefailure'] },
  ]);
  assert.deepEqual(decodeAll(codec, ['', 'null']), []);
  const targeted = await createPlugin<Codec>('codec', 'json', { target: '[doc][inner]' });
  assert.deepEqual(decodeAll(targeted, ['{"a":1}', '{oops']), [{ doc: { inner: { a: 1 } } }, { message: '{oops', tags: ['_jsonparsefailure'] }]);
});

test('json and json_lines encode the event without @metadata (json_lines adds the delimiter)', async () => {
  const e = new Event({ '@timestamp': '2024-05-06T07:08:09.123Z', message: 'hi', n: 1, '@metadata': { secret: 1 } });
  const json = await createPlugin<Codec>('codec', 'json');
  const jl = await createPlugin<Codec>('codec', 'json_lines', { delimiter: '\r\n' });
  const expected = '{"@timestamp":"2024-05-06T07:08:09.123Z","message":"hi","n":1}';
  assert.equal(json.encode(e), expected);
  assert.equal(jl.encode(e), expected + '\r\n');
  assert.deepEqual(decodeAll(jl, ['{"a":1}\r\n{"a":2}\r\n']), [{ a: 1 }, { a: 2 }]);
});
