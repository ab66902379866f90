import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPlugin, runFilter } from '../helpers.js';
import type { Filter } from '../../src/core/plugin.js';

const kv = (settings: Record<string, unknown> = {}) => createPlugin<Filter>('filter', 'kv', settings);

/** Fields the filter added (everything but message, @timestamp, tags). */
function parsed(data: Record<string, unknown>): Record<string, unknown> {
  const { message: _m, '@timestamp': _t, ...rest } = data;
  return rest;
}

// Expected values below were produced by Logstash's own kv regex construction run on Ruby (Onigmo).
test('default separators: quoted and bracketed values', async () => {
  const f = await kv();
  const { matched, event } = runFilter(f, { message: `a=1 b="x y" c=(p q) d=[r] e=<s> f='t u'` });
  assert.equal(matched, true);
  assert.deepEqual(parsed(event.data), { a: '1', b: 'x y', c: 'p q', d: 'r', e: 's', f: 't u' });
});

test('lenient whitespace around "=" vs strict', async () => {
  const lenient = await kv();
  assert.deepEqual(parsed(runFilter(lenient, { message: 'k = v  other=1' }).event.data), { k: 'v', other: '1' });
  assert.deepEqual(parsed(runFilter(lenient, { message: 'a= b=2' }).event.data), { a: 'b=2' });
  const strict = await kv({ whitespace: 'strict' });
  assert.deepEqual(parsed(runFilter(strict, { message: 'a= b=2' }).event.data), { b: '2' });
});

test('allow_empty_values keeps empty values as ""', async () => {
  const f = await kv({ whitespace: 'strict', allow_empty_values: true });
  assert.deepEqual(parsed(runFilter(f, { message: 'a= b=2 c=""' }).event.data), { a: '', b: '2', c: '' });
});

test('unclosed and trailing-text quotes are part of an unquoted value', async () => {
  const f = await kv();
  assert.deepEqual(parsed(runFilter(f, { message: 'a="unclosed b=2' }).event.data), { a: '"unclosed', b: '2' });
  assert.deepEqual(parsed(runFilter(f, { message: 'a="q"x b=2' }).event.data), { a: '"q"x', b: '2' });
});

test('backslash-escaped spaces stay in keys and values (regex path)', async () => {
  const f = await kv();
  assert.deepEqual(parsed(runFilter(f, { message: 'esc\\ key=v\\ w z=1' }).event.data), { 'esc\\ key': 'v\\ w', z: '1' });
});

test('include_brackets false', async () => {
  const f = await kv({ include_brackets: false });
  assert.deepEqual(parsed(runFilter(f, { message: 'a=(x y) b=[1]' }).event.data), { a: '(x', b: '[1]' });
});

test('field_split characters (query string)', async () => {
  const f = await kv({ field_split: '&?' });
  const { event } = runFilter(f, { message: '?pin=12345~0&d=123&e=foo@bar.com&oq=bobo&ss=12345' });
  assert.deepEqual(parsed(event.data), { pin: '12345~0', d: '123', e: 'foo@bar.com', oq: 'bobo', ss: '12345' });
});

test('field_split_pattern and value_split_pattern', async () => {
  const colons = await kv({ field_split_pattern: ':+' });
  assert.deepEqual(parsed(runFilter(colons, { message: 'k1=v1:k2=v2::k3=v3:::k4=v4' }).event.data), { k1: 'v1', k2: 'v2', k3: 'v3', k4: 'v4' });
  const plus = await kv({ field_split_pattern: '\\+\\+' });
  assert.deepEqual(parsed(runFilter(plus, { message: 'k1=v1++k2=v2++k3=v3' }).event.data), { k1: 'v1', k2: 'v2', k3: 'v3' });
  const vsp = await kv({ value_split_pattern: ':=' });
  assert.deepEqual(parsed(runFilter(vsp, { message: 'a:=1 b := 2 c=3' }).event.data), { a: '1', b: '2' });
});

test('include_keys, exclude_keys (after transform, before prefix), prefix, transform', async () => {
  const f = await kv({ include_keys: ['from', 'to', 'x'], exclude_keys: ['x'], prefix: 'p_', transform_key: 'lowercase', transform_value: 'uppercase' });
  const { event } = runFilter(f, { message: 'Hey, FROM=<abc>, To=def foo=bar x=1' });
  assert.deepEqual(parsed(event.data), { p_from: '<ABC>,', p_to: 'DEF' });
});

test('trim_key / trim_value / remove_char_*', async () => {
  const f = await kv({ trim_value: '<>\\[\\],', trim_key: '<>', remove_char_value: 'x', remove_char_key: '-' });
  const { event } = runFilter(f, { message: '<a-b>=<x1x>, c=[2],' });
  assert.deepEqual(parsed(event.data), { ab: '1', c: '2' });
});

test('duplicate keys become arrays; allow_duplicate_values false drops repeats', async () => {
  const dup = await kv();
  assert.deepEqual(parsed(runFilter(dup, { message: 'from=me from=me from=you' }).event.data), { from: ['me', 'me', 'you'] });
  const uniq = await kv({ allow_duplicate_values: false });
  assert.deepEqual(parsed(runFilter(uniq, { message: 'from=me from=me from=you' }).event.data), { from: ['me', 'you'] });
});

test('target, default_keys, recursive', async () => {
  const f = await kv({ target: 'kv', default_keys: { from: 'default@x', z: '0' }, recursive: true, field_split: ' ', value_split: '=:' });
  const { event } = runFilter(f, { message: 'from=me nested="a:1 b:2"' });
  assert.deepEqual(event.get('kv'), { from: 'me', z: '0', nested: { a: '1', b: '2' } });
});

test('source arrays and missing sources', async () => {
  const f = await kv({ source: 'lines' });
  assert.deepEqual(parsed(runFilter(f, { lines: ['a=1', 'b=2', 3] }).event.data), { lines: ['a=1', 'b=2', 3], a: '1', b: '2' });
  const none = runFilter(f, { other: 'a=1' });
  assert.equal(none.matched, false, 'nothing parsed: common options are not applied');
  assert.equal(none.event.tags.length, 0);
});

test('keys that are field references nest; an invalid one tags _kv_filter_error', async () => {
  const f = await kv();
  assert.deepEqual(runFilter(f, { message: '[a][b]=1' }).event.get('a'), { b: '1' });
  const bad = runFilter(f, { message: 'x[y=1' });
  assert.equal(bad.matched, false);
  assert.deepEqual(bad.event.tags, ['_kv_filter_error']);
});

test('timeout settings are handed to the runtime watchdog', async () => {
  const f = await kv({ timeout_millis: 250, tag_on_timeout: '_slow' });
  assert.equal(f.timeoutMillis, 250);
  assert.deepEqual(f.failureTags, ['_kv_filter_error', '_slow']);
  const { event } = runFilter(f, {});
  f.onTimeout!(event);
  assert.deepEqual(event.tags, ['_slow']);
  const off = await kv({ timeout_millis: 0 });
  assert.equal(off.timeoutMillis, undefined);
});

test('invalid options are config errors', async () => {
  await assert.rejects(kv({ value_split: '' }), /value_split/);
  await assert.rejects(kv({ field_split_pattern: '(' }), /kv:/);
});

test('firewall-style line (Fortinet)', async () => {
  const f = await kv();
  const line = 'date=2024-01-02 time=10:11:12 devname="FG-100" devid="FGT1" logid="0000000013" type="traffic" subtype="forward" level="notice" srcip=10.0.0.5 srcport=51234 dstip=8.8.8.8 dstport=53 action="accept" msg="DNS query, ok"';
  const { event } = runFilter(f, { message: line });
  assert.equal(event.get('devname'), 'FG-100');
  assert.equal(event.get('dstport'), '53');
  assert.equal(event.get('msg'), 'DNS query, ok');
  assert.equal(event.get('time'), '10:11:12');
});
