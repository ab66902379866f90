import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPlugin } from '../helpers.js';
import type { Codec } from '../../src/core/plugin.js';
import { Event, type EventData } from '../../src/core/event.js';
import { formatRubydebug } from '../../src/codecs/rubydebug.js';

function decodeAll(codec: Codec, messages: string[]): EventData[] {
  const out: EventData[] = [];
  for (const m of messages) codec.decode(m, (d) => out.push(d));
  return out;
}

const event = () => new Event({ '@timestamp': '2024-01-02T03:04:05.006Z', host: 'web1', message: 'hello', type: 'nginx' });

test('plain: decodes the text into message; encodes with format or as "<@timestamp> <host> <message>"', async () => {
  const plain = await createPlugin<Codec>('codec', 'plain');
  assert.deepEqual(decodeAll(plain, ['a b c']), [{ message: 'a b c' }]);
  assert.equal(plain.encode(event()), '2024-01-02T03:04:05.006Z web1 hello');
  assert.equal(plain.encode(new Event({ '@timestamp': '2024-01-02T03:04:05.006Z', message: 'x' })), '2024-01-02T03:04:05.006Z %{host} x');
  const formatted = await createPlugin<Codec>('codec', 'plain', { format: '[%{type}] %{message}' });
  assert.equal(formatted.encode(event()), '[nginx] hello');
  const ecs = await createPlugin<Codec>('codec', 'plain', { ecs_compatibility: 'v1' });
  assert.deepEqual(decodeAll(ecs, ['x']), [{ message: 'x', event: { original: 'x' } }]);
});

test('line: one event per line, the delimiter added when encoding', async () => {
  const line = await createPlugin<Codec>('codec', 'line');
  assert.deepEqual(decodeAll(line, ['one', 'two\nthree\n']), [{ message: 'one' }, { message: 'two' }, { message: 'three' }]);
  assert.equal(line.encode(event()), '2024-01-02T03:04:05.006Z web1 hello\n');
  const custom = await createPlugin<Codec>('codec', 'line', { format: '%{message}', delimiter: '|' });
  assert.equal(custom.encode(event()), 'hello|');
  assert.deepEqual(decodeAll(custom, ['a|b']), [{ message: 'a' }, { message: 'b' }]);
});

test('dots: one dot per event', async () => {
  const dots = await createPlugin<Codec>('codec', 'dots');
  assert.equal([event(), event(), event()].map((e) => dots.encode(e)).join(''), '...');
});

test('rubydebug: amazing_print layout — aligned keys, nested hashes and arrays, bare timestamps', async () => {
  const e = new Event({
    '@timestamp': '2024-01-02T03:04:05.006Z',
    message: 'say "hi"\n',
    count: 3,
    ok: true,
    none: null,
    tags: ['a', 'b'],
    host: { name: 'web1', ip: [] },
    '@metadata': { hidden: 1 },
  });
  const expected = [
    '{',
    '    "@timestamp" => 2024-01-02T03:04:05.006Z,',
    '       "message" => "say \\"hi\\"\\n",',
    '         "count" => 3,',
    '            "ok" => true,',
    '          "none" => nil,',
    '          "tags" => [',
    '        [0] "a",',
    '        [1] "b"',
    '    ],',
    '          "host" => {',
    '        "name" => "web1",',
    '          "ip" => []',
    '    }',
    '}',
    '',
  ].join('\n');
  const codec = await createPlugin<Codec>('codec', 'rubydebug');
  assert.equal(codec.encode(e), expected);
  const withMeta = await createPlugin<Codec>('codec', 'rubydebug', { metadata: true });
  assert.match(withMeta.encode(e), /"@metadata" => \{\n {8}"hidden" => 1\n {4}\}\n\}\n$/);
});

test('rubydebug: array indices are right-aligned once there are ten or more', () => {
  const out = formatRubydebug({ xs: Array.from({ length: 11 }, (_, i) => i) }, false);
  assert.match(out, /\n {8}\[ 0\] 0,\n/);
  assert.match(out, /\n {8}\[10\] 10\n/);
});
