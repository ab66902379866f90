import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPlugin, runFilter } from '../helpers.js';
import type { Filter } from '../../src/core/plugin.js';

const mutate = (settings: Record<string, unknown>) => createPlugin<Filter>('filter', 'mutate', settings);

test('operations run in Logstash order whatever the config order', async () => {
  // split is applied before join, rename before replace, copy last: config order is irrelevant.
  const f = await mutate({ copy: { a: 'a_copy' }, join: { a: '+' }, split: { a: ',' }, replace: { b: '%{b2}!' }, rename: { b: 'b2' } });
  const { matched, event } = runFilter(f, { a: 'x,y', b: 'old' });
  assert.equal(matched, true);
  assert.equal(event.get('a'), 'x+y');
  assert.equal(event.get('a_copy'), 'x+y');
  assert.equal(event.get('b2'), 'old');
  assert.equal(event.get('b'), 'old!');
});

test('coerce sets only existing null fields', async () => {
  const f = await mutate({ coerce: { n: 'default', missing: 'x', set: 'y' } });
  const { event } = runFilter(f, { n: null, set: 'keep' });
  assert.equal(event.get('n'), 'default');
  assert.equal(event.has('missing'), false);
  assert.equal(event.get('set'), 'keep');
});

test('rename: sprintf names, nested refs, missing source ignored, destination replaced', async () => {
  const f = await mutate({ rename: { '[src][ip]': 'client_%{kind}', nosuch: 'hello', a: 'b' } });
  const { event } = runFilter(f, { src: { ip: '1.2.3.4' }, kind: 'ip', a: 1, b: 2 });
  assert.equal(event.get('client_ip'), '1.2.3.4');
  assert.deepEqual(event.get('src'), {});
  assert.equal(event.has('hello'), false);
  assert.equal(event.get('b'), 1);
  assert.equal(event.has('a'), false);
});

test('update only touches existing fields; replace adds; values are sprintf', async () => {
  const f = await mutate({ update: { u: 'u=%{x}', nosuch: 'no' }, replace: { r: '%{x}-%{[y][z]}' } });
  const { event } = runFilter(f, { u: 'old', x: 'X', y: { z: 5 } });
  assert.equal(event.get('u'), 'u=X');
  assert.equal(event.has('nosuch'), false);
  assert.equal(event.get('r'), 'X-5');
});

test('convert integer: grouping commas, truncation, booleans, hex, exponent, leading digits', async () => {
  const f = await mutate({ convert: { a: 'integer', b: 'integer', c: 'integer', d: 'integer', e: 'integer', g: 'integer', h: 'integer', arr: 'integer' } });
  const { matched, event } = runFilter(f, { a: '1,000', b: ' -2.7 ', c: true, d: '0x1A', e: '1.5e3', g: '12abc', h: 3.99, arr: ['1234', '7890.4', null] });
  assert.equal(matched, true);
  assert.deepEqual([event.get('a'), event.get('b'), event.get('c'), event.get('d'), event.get('e'), event.get('g'), event.get('h')], [1000, -2, 1, 26, 1500, 12, 3]);
  assert.deepEqual(event.get('arr'), [1234, 7890, null]);
});

test('convert integer_eu and float_eu swap the roles of "." and ","', async () => {
  const f = await mutate({ convert: { i: 'integer_eu', f: 'float_eu' } });
  const { event } = runFilter(f, { i: '1.000', f: '1.000,5' });
  assert.equal(event.get('i'), 1000);
  assert.equal(event.get('f'), 1000.5);
});

test('convert float is strict: an invalid number fails with _mutate_error and aborts the rest', async () => {
  const f = await mutate({ convert: { ok: 'float', bad: 'float' }, uppercase: ['u'] });
  const good = runFilter(f, { ok: '1,000.5', bad: '.5', u: 'x' });
  assert.equal(good.event.get('ok'), 1000.5);
  assert.equal(good.event.get('bad'), 0.5);
  const { matched, event } = runFilter(f, { ok: '2', bad: 'abc', u: 'x' });
  assert.equal(matched, false);
  assert.deepEqual(event.tags, ['_mutate_error']);
  assert.equal(event.get('u'), 'x', 'later operations are skipped');
});

test('convert boolean accepts Logstash truthy/falsy strings, leaves others', async () => {
  const fields = ['true', 'T', 'yes', 'Y', '1', '1.0', 'false', 'f', 'NO', 'n', '0', '0.0', '', 'maybe'];
  const convert = Object.fromEntries(fields.map((_, i) => [`f${i}`, 'boolean']));
  const f = await mutate({ convert: { ...convert, one: 'boolean', zero: 'boolean' } });
  const data = Object.fromEntries(fields.map((v, i) => [`f${i}`, v]));
  const { event } = runFilter(f, { ...data, one: 1, zero: 0 });
  assert.deepEqual(
    fields.map((_, i) => event.get(`f${i}`)),
    [true, true, true, true, true, true, false, false, false, false, false, false, false, 'maybe'],
  );
  assert.equal(event.get('one'), true);
  assert.equal(event.get('zero'), false);
});

test('convert string and hashes left alone', async () => {
  const f = await mutate({ convert: { n: 'string', h: 'integer', b: 'string' } });
  const { event } = runFilter(f, { n: 1234, h: { a: '1' }, b: [false, 1.5] });
  assert.equal(event.get('n'), '1234');
  assert.deepEqual(event.get('h'), { a: '1' });
  assert.deepEqual(event.get('b'), ['false', '1.5']);
});

test('an invalid conversion type is a config error', async () => {
  await assert.rejects(mutate({ convert: { a: 'int' } }), /invalid conversion type 'int'/);
});

test('gsub: Ruby regex, back-references, arrays of strings, several triples', async () => {
  const f = await mutate({
    gsub: ['path', '/', '_', 'who', '(\\w+)@(\\w+)', '\\2 at \\1', 'list', '^x', 'y', 'dollar', 'a', '$1'],
  });
  const { event } = runFilter(f, { path: '/var/log/x', who: 'joe@example', list: ['xa', 'bx', 1], dollar: 'aa' });
  assert.equal(event.get('path'), '_var_log_x');
  assert.equal(event.get('who'), 'example at joe');
  assert.deepEqual(event.get('list'), ['ya', 'bx', 1]);
  assert.equal(event.get('dollar'), '$1$1', 'a "$" in the replacement is literal');
});

test('gsub: ^ and $ are line anchors as in Ruby', async () => {
  const f = await mutate({ gsub: ['m', '^\\s+|\\s+$', ''] });
  const { event } = runFilter(f, { m: '  a  \n  b  ' });
  assert.equal(event.get('m'), 'a\nb');
});

test('gsub: %{field} in pattern and replacement', async () => {
  const f = await mutate({ gsub: ['u', 'of type %{color}', '%{color} and green'] });
  const { event } = runFilter(f, { u: 'Unicorns of type blue are common', color: 'blue' });
  assert.equal(event.get('u'), 'Unicorns blue and green are common');
});

test('gsub needs triples and a valid pattern', async () => {
  await assert.rejects(mutate({ gsub: ['a', 'b'] }), /3 elements/);
  await assert.rejects(mutate({ gsub: ['a', '(', 'b'] }), /invalid gsub pattern/);
});

test('uppercase, capitalize, lowercase on strings and arrays; missing fields not created', async () => {
  const f = await mutate({ uppercase: ['u', 'nosuch'], capitalize: ['c'], lowercase: ['l'] });
  const { event } = runFilter(f, { u: ['abc', 'Ünï', 3], c: 'hELLO wORLD', l: 'ÀBC' });
  assert.deepEqual(event.get('u'), ['ABC', 'ÜNÏ', 3]);
  assert.equal(event.get('c'), 'Hello world');
  assert.equal(event.get('l'), 'àbc');
  assert.equal(event.has('nosuch'), false);
});

test('strip removes ASCII whitespace; a non-string in an array is an error', async () => {
  const f = await mutate({ strip: ['s', 'a'] });
  const ok = runFilter(f, { s: ' \t x y \n', a: [' a ', 'b '] });
  assert.equal(ok.event.get('s'), 'x y');
  assert.deepEqual(ok.event.get('a'), ['a', 'b']);
  const bad = runFilter(f, { a: [' a ', 5] });
  assert.equal(bad.matched, false);
  assert.ok(bad.event.hasTag('_mutate_error'));
});

test('split follows Ruby String#split', async () => {
  const f = await mutate({ split: { c: ',', s: ' ', n: ',' } });
  const { event } = runFilter(f, { c: 'a,b,,', s: '  a  b ', n: 5 });
  assert.deepEqual(event.get('c'), ['a', 'b']);
  assert.deepEqual(event.get('s'), ['a', 'b']);
  assert.equal(event.get('n'), 5);
});

test('join flattens nested arrays and ignores non-arrays', async () => {
  const f = await mutate({ join: { a: '-', s: '-' } });
  const { event } = runFilter(f, { a: ['x', ['y', 1], null], s: 'keep' });
  assert.equal(event.get('a'), 'x-y-1-');
  assert.equal(event.get('s'), 'keep');
});

test('merge: strings and arrays concatenate, hashes merge, array+hash is skipped', async () => {
  const f = await mutate({ merge: { list: 'foo', s: 't', h: 'h2', mixed: 'h2', none: 'missing' } });
  const { event } = runFilter(f, { foo: 'bar', list: ['baz'], s: 'x', t: 'y', h: { a: 1 }, h2: { b: { c: 2 } }, mixed: ['m'] });
  assert.deepEqual(event.get('list'), ['baz', 'bar']);
  assert.deepEqual(event.get('s'), ['x', 'y']);
  assert.deepEqual(event.get('h'), { a: 1, b: { c: 2 } });
  assert.deepEqual(event.get('mixed'), ['m']);
  assert.deepEqual(event.get('none'), [], 'Logstash turns two missing fields into an empty array');
  (event.get('[h2][b]') as Record<string, unknown>).c = 99;
  assert.equal(event.get('[h][b][c]'), 2, 'merged values are copies');
});

test('copy is deep and skips missing sources', async () => {
  const f = await mutate({ copy: { src: 'dst', nosuch: 'x' } });
  const { event } = runFilter(f, { src: { a: [1] } });
  assert.deepEqual(event.get('dst'), { a: [1] });
  (event.get('[src][a]') as number[]).push(2);
  assert.deepEqual(event.get('dst'), { a: [1] });
  assert.equal(event.has('x'), false);
});

test('tag_on_failure is configurable and listed in failureTags', async () => {
  const f = await mutate({ convert: { a: 'float' }, tag_on_failure: '_bad' });
  assert.deepEqual(f.failureTags, ['_bad']);
  const { event } = runFilter(f, { a: 'x' });
  assert.deepEqual(event.tags, ['_bad']);
});

test('array-pair forms of hash options are accepted', async () => {
  const f = await mutate({ rename: ['a', 'b'], convert: ['n', 'integer'] });
  const { event } = runFilter(f, { a: 1, n: '7' });
  assert.equal(event.get('b'), 1);
  assert.equal(event.get('n'), 7);
});
