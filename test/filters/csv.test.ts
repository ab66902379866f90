import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPlugin, runFilter } from '../helpers.js';
import type { Filter } from '../../src/core/plugin.js';
import { parseCsvLine } from '../../src/filters/csv.js';

const csv = (settings: Record<string, unknown> = {}) => createPlugin<Filter>('filter', 'csv', settings);

// Expected values were checked against Ruby's CSV.parse_line (the parser Logstash uses).
test('parseCsvLine follows Ruby CSV', () => {
  assert.deepEqual(parseCsvLine('a,b,,', ',', '"'), ['a', 'b', null, null]);
  assert.equal(parseCsvLine('', ',', '"'), null);
  assert.deepEqual(parseCsvLine('\n', ',', '"'), []);
  assert.deepEqual(parseCsvLine(',', ',', '"'), [null, null]);
  assert.deepEqual(parseCsvLine('a,"",b', ',', '"'), ['a', '', 'b']);
  assert.deepEqual(parseCsvLine('"a""b",c', ',', '"'), ['a"b', 'c']);
  assert.deepEqual(parseCsvLine('"x\ny",z', ',', '"'), ['x\ny', 'z']);
  assert.deepEqual(parseCsvLine('a\r\nb', ',', '"'), ['a']);
  assert.deepEqual(parseCsvLine(' a , b ', ',', '"'), [' a ', ' b ']);
  assert.deepEqual(parseCsvLine('a||b||c', '||', '"'), ['a', 'b', 'c']);
  assert.deepEqual(parseCsvLine("'x;y';z", ';', "'"), ['x;y', 'z']);
  for (const bad of ['a,b"c', '"a"b,c', '"unclosed,x', 'a, "b"', 'a,"x\ny"\r\nz']) {
    assert.throws(() => parseCsvLine(bad, ',', '"'), /line 1/, bad);
  }
});

test('columns, then columnN for the rest', async () => {
  const f = await csv({ columns: ['first', 'second'] });
  const { matched, event } = runFilter(f, { message: 'a,"b,c",d,' });
  assert.equal(matched, true);
  assert.deepEqual([event.get('first'), event.get('second'), event.get('column3'), event.get('column4')], ['a', 'b,c', 'd', null]);
});

test('autogenerate_column_names false drops unnamed columns; skip_empty_columns', async () => {
  const f = await csv({ columns: ['a'], autogenerate_column_names: false });
  const { event } = runFilter(f, { message: '1,2' });
  assert.equal(event.get('a'), '1');
  assert.equal(event.has('column2'), false);
  const s = await csv({ skip_empty_columns: true });
  const e2 = runFilter(s, { message: 'x,,""' }).event;
  assert.equal(e2.get('column1'), 'x');
  assert.equal(e2.has('column2'), false);
  assert.equal(e2.has('column3'), false);
});

test('separator, quote_char and target', async () => {
  const f = await csv({ separator: '\t', quote_char: "'", target: '[csv][row]', columns: ['x', 'y'] });
  const { event } = runFilter(f, { message: "'a\tb'\tc" });
  assert.deepEqual(event.get('[csv][row]'), { x: 'a\tb', y: 'c' });
});

test('convert: integer, float, boolean, date; failures keep the string', async () => {
  const f = await csv({ columns: ['i', 'o', 'x', 'fl', 'b', 'bx', 'd', 'e'], convert: { i: 'integer', o: 'integer', x: 'integer', fl: 'float', b: 'boolean', bx: 'boolean', d: 'date_time', e: 'integer' } });
  const { event } = runFilter(f, { message: ' 12 ,010,1.5,1e3,TRUE ,Maybe,2020-01-02 10:11:12,' });
  assert.equal(event.get('i'), 12);
  assert.equal(event.get('o'), 8, 'Ruby Integer() reads a leading 0 as octal');
  assert.equal(event.get('x'), '1.5');
  assert.equal(event.get('fl'), 1000);
  assert.equal(event.get('b'), true);
  assert.equal(event.get('bx'), 'maybe', 'Logstash returns the stripped, lower-cased value');
  assert.equal((event.get('d') as Date).toISOString(), '2020-01-02T10:11:12.000Z');
  assert.equal(event.get('e'), null);
  await assert.rejects(csv({ convert: { a: 'int' } }), /invalid conversion types: int/);
});

test('malformed CSV and empty rows', async () => {
  const f = await csv();
  const bad = runFilter(f, { message: 'a,b"c' });
  assert.equal(bad.matched, false);
  assert.deepEqual(bad.event.tags, ['_csvparsefailure']);
  assert.deepEqual(runFilter(f, { message: '' }).event.tags, ['_csvparsefailure']);
  const skip = await csv({ skip_empty_rows: true });
  assert.deepEqual(runFilter(skip, { message: '' }).event.tags, ['_csvskippedemptyfield']);
  const missing = runFilter(f, {});
  assert.equal(missing.matched, false);
  assert.equal(missing.event.has('tags'), false);
});

test('autodetect_column_names takes the first line as header; skip_header drops repeats', async () => {
  const f = await csv({ autodetect_column_names: true, skip_header: true });
  const header = runFilter(f, { message: 'ts,src' });
  assert.equal(header.event.cancelled, true);
  const row = runFilter(f, { message: '1,2' });
  assert.equal(row.event.get('ts'), '1');
  assert.equal(row.event.get('src'), '2');
  assert.equal(runFilter(f, { message: 'ts,src' }).event.cancelled, true);
});
