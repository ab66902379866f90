import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPlugin, runFilter } from '../helpers.js';
import type { Filter } from '../../src/core/plugin.js';
import { compileDissection, runDissection } from '../../src/filters/dissect.js';

const dissect = (settings: Record<string, unknown>) => createPlugin<Filter>('filter', 'dissect', settings);

async function fields(pattern: string, message: string): Promise<Record<string, unknown>> {
  const f = await dissect({ mapping: { message: pattern } });
  const { matched, event } = runFilter(f, { message });
  assert.equal(matched, true, `${pattern} on ${message}`);
  const { message: _m, '@timestamp': _t, ...rest } = event.data;
  return rest;
}

test('cases from the dissect spec fixtures', async () => {
  assert.deepEqual(await fields('%{key}', 'foobar'), { key: 'foobar' });
  assert.deepEqual(await fields('%{key1} %{key2}', 'foo bar'), { key1: 'foo', key2: 'bar' });
  assert.deepEqual(await fields('/var/%{key}/log', '/var/foobar/log'), { key: 'foobar' });
  assert.deepEqual(await fields('/var/%{key}', '/var/foobar/log'), { key: 'foobar/log' });
  assert.deepEqual(await fields('/var/%{key}/log/%{key1}.log', '/var/foobar/log/apache.log'), { key: 'foobar', key1: 'apache' });
  assert.deepEqual(await fields('%{+key/3} %{+key/1} %{+key/2}', '1 2 3'), { key: '2 3 1' });
  assert.deepEqual(await fields('%{key}-%{+key}-%{+key}', '1-2-3'), { key: '1-2-3' });
  assert.deepEqual(await fields('%{key} %{&key}', 'hello world'), { key: 'hello', hello: 'world' });
  assert.deepEqual(await fields('%{} %{key}', 'hello world'), { key: 'world' });
  assert.deepEqual(await fields('%{?key} %{&key}', 'hello world'), { hello: 'world' });
  assert.deepEqual(await fields('%{name},%{addr1},%{addr2},%{addr3},%{city},%{zip}', 'Jane Doe,4321 Fifth Avenue,,,New York,87432'), {
    name: 'Jane Doe',
    addr1: '4321 Fifth Avenue',
    addr2: '',
    addr3: '',
    city: 'New York',
    zip: '87432',
  });
  assert.deepEqual(await fields('%{id} %{function->} %{server}', '00000043 ViewReceive     machine-321'), { id: '00000043', function: 'ViewReceive', server: 'machine-321' });
  assert.deepEqual(await fields('%{id->} %{function} %{server}', '00000043    ViewReceive machine-321'), { id: '00000043', function: 'ViewReceive', server: 'machine-321' });
});

test('append order modifier and the documented examples', async () => {
  assert.deepEqual(await fields('%{+a/2} %{+a/1} %{+a/4} %{+a/3}', '1 2 3 go'), { a: '2 1 go 3' });
  assert.deepEqual(await fields('%{a} %{b} %{+a}', '1 2 3 go'), { a: '1 3 go', b: '2' });
  assert.deepEqual(await fields('error: %{?err}, %{&err}', 'error: some_error, some_description'), { some_error: 'some_description' });
  // Elasticsearch-style reference key.
  assert.deepEqual(await fields('%{*k}: %{&k}', 'google: 77.98'), { google: '77.98' });
});

test('syslog-like line with skip, append and brackets', async () => {
  const r = await fields('%{timestamp} %{+timestamp} %{+timestamp} %{logsource} %{} %{program}[%{pid}]: %{msg}', 'Mar 16 00:01:25 evita skip-this postfix/smtpd[1713]: connect from camomile.cloud9.net[168.100.1.3]');
  assert.deepEqual(r, { timestamp: 'Mar 16 00:01:25', logsource: 'evita', program: 'postfix/smtpd', pid: '1713', msg: 'connect from camomile.cloud9.net[168.100.1.3]' });
});

test('leading delimiter, delimiters with braces, multibyte delimiters, nested field refs', async () => {
  assert.deepEqual(await fields('[%{occurred_at}] %{code} %{service->} %{ic} %{svc_message}', '[25/05/16 09:10:38:425 BST] 00000001 SystemOut     O java.lang:type=MemoryPool,name=class storage'), {
    occurred_at: '25/05/16 09:10:38:425 BST',
    code: '00000001',
    service: 'SystemOut',
    ic: 'O',
    svc_message: 'java.lang:type=MemoryPool,name=class storage',
  });
  assert.deepEqual(await fields('{%{a}}{%{b}}%{rest}', '{foo}{bar}'), { a: 'foo', b: 'bar', rest: '' });
  assert.deepEqual(await fields('%{a}྿྿%{b}', 'x྿྿y'), { a: 'x', b: 'y' });
  assert.deepEqual(await fields('%{[src][ip]}:%{[src][port]}', '1.2.3.4:80'), { src: { ip: '1.2.3.4', port: '80' } });
});

test('append_separator (extension) joins appended values', async () => {
  const f = await dissect({ mapping: { message: '%{a} %{+a} %{+a}' }, append_separator: '-' });
  assert.equal(runFilter(f, { message: '1 2 3' }).event.get('a'), '1-2-3');
});

test('a missing delimiter or an empty source tags _dissectfailure and sets nothing', async () => {
  const f = await dissect({ mapping: { message: '%{a} - %{b}' } });
  const { matched, event } = runFilter(f, { message: 'no separator here' });
  assert.equal(matched, false);
  assert.deepEqual(event.tags, ['_dissectfailure']);
  assert.equal(event.has('a'), false);
  assert.deepEqual(runFilter(f, { message: '' }).event.tags, ['_dissectfailure']);
  assert.deepEqual(f.failureTags, ['_dissectfailure']);
});

test('a missing source field is not tagged and does not match', async () => {
  const f = await dissect({ mapping: { msg: '%{a} %{b}' } });
  const { matched, event } = runFilter(f, { message: 'foo' });
  assert.equal(matched, false);
  assert.equal(event.has('tags'), false);
});

test('convert_datatype int and float, and its tags', async () => {
  const f = await dissect({
    mapping: { message: '[%{occurred_at}] %{code} %{service} %{?ic}=%{&ic}% %{svc_message}' },
    convert_datatype: { cpu: 'float', code: 'int', ccu: 'float', other: 'int' },
  });
  const { matched, event } = runFilter(f, { message: '[25/05/16 09:10:38:425 BST] 00000001 SystemOut cpu=95.43% java.lang', other: {} });
  assert.equal(matched, true);
  assert.equal(event.get('code'), 1);
  assert.equal(event.get('cpu'), 95.43);
  assert.ok(event.hasTag('_dataconversionnullvalue_ccu_float'));
  assert.ok(event.hasTag('_dataconversionuncoercible_other_int'));
  await assert.rejects(dissect({ convert_datatype: { code: 'integer' } }), /int or float/);
});

test('invalid field prefixes are config errors', async () => {
  await assert.rejects(dissect({ mapping: { message: '%{+&timestamp}' } }), /Append and Indirect/);
  await assert.rejects(dissect({ mapping: { message: '%{&+timestamp}' } }), /Append and Indirect/);
  await assert.rejects(dissect({ mapping: { message: '%{+} %{a}' } }), /prefix on its own/);
});

test('the plan is compiled once and reused', () => {
  const plan = compileDissection('<%{pri}>%{a} %{b}');
  assert.equal(plan.leading, '<');
  assert.deepEqual(plan.fields.map((f) => [f.name, f.next]), [['pri', '>'], ['a', ' '], ['b', '']]);
  assert.deepEqual(runDissection(plan, '<13>x y z'), ['13', 'x', 'y z']);
  assert.equal(runDissection(plan, '<13>xyz'), undefined);
});
