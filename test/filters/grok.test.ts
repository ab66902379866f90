import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { createPlugin, runFilter, repoRoot } from '../helpers.js';
import { Event } from '../../src/core/event.js';
import type { Filter } from '../../src/core/plugin.js';
import { libraryDirFor, PATTERNS_ROOT } from '../../src/filters/grok.js';

const fixtures = join(repoRoot, 'test', 'filters', 'fixtures', 'grok');
const PATTERNS = join(fixtures, 'patterns');

/** A grok filter using only the test pattern files (they override any bundled definition of the same name). */
function grok(settings: Record<string, unknown>): Promise<Filter> {
  return createPlugin<Filter>('filter', 'grok', { patterns_dir: [PATTERNS], ...settings });
}

const fields = (data: Record<string, unknown>) => {
  const { '@timestamp': _ts, ...rest } = data;
  return rest;
};

test('captures named fields, with int and float conversions', async () => {
  const f = await grok({ match: { message: '%{WORD:verb} %{NUMBER:bytes:int} %{NUMBER:duration:float} %{NUMBER:raw}' } });
  const { matched, event } = runFilter(f, { message: 'GET 15824 0.043 7' });
  assert.equal(matched, true);
  assert.deepEqual(fields(event.data), { message: 'GET 15824 0.043 7', verb: 'GET', bytes: 15824, duration: 0.043, raw: '7' });
});

test('no match: tag_on_failure, false returned, nothing captured', async () => {
  const f = await grok({ match: { message: 'Duration: %{NUMBER:duration}' } });
  const r = runFilter(f, { message: 'no duration here' });
  assert.equal(r.matched, false);
  assert.deepEqual(r.event.tags, ['_grokparsefailure']);
  assert.equal(r.event.has('duration'), false);
  const custom = await grok({ match: { message: 'x%{INT:n}' }, tag_on_failure: ['a', 'b'] });
  assert.deepEqual(runFilter(custom, { message: 'y' }).event.tags, ['a', 'b']);
  const none = await grok({ match: { message: 'x%{INT:n}' }, tag_on_failure: [] });
  assert.equal(runFilter(none, { message: 'y' }).event.has('tags'), false);
  assert.deepEqual(custom.failureTags, ['a', 'b']);
});

test('several patterns for a field: the first that matches wins', async () => {
  const f = await grok({ match: { message: ['Duration: %{NUMBER:duration}', 'Speed: %{NUMBER:speed}'] } });
  assert.deepEqual(fields(runFilter(f, { message: 'Speed: 12' }).event.data), { message: 'Speed: 12', speed: '12' });
  assert.deepEqual(fields(runFilter(f, { message: 'Duration: 3 Speed: 4' }).event.data), { message: 'Duration: 3 Speed: 4', duration: '3' });
});

test('break_on_match => false tries every pattern; the field counts as matched only if the last one matched (Logstash issue #49)', async () => {
  const f = await grok({ match: { message: ['%{GREEDYDATA:name1}beard', 'tree%{GREEDYDATA:name2}'] }, break_on_match: false });
  const tree = runFilter(f, { message: 'treebranch' });
  assert.equal(tree.event.get('name2'), 'branch');
  assert.equal(tree.matched, true);
  const both = runFilter(f, { message: 'treebeard' });
  assert.deepEqual([both.event.get('name1'), both.event.get('name2'), both.matched], ['tree', 'beard', true]);
  const bush = runFilter(f, { message: 'bushbeard' });
  assert.equal(bush.event.get('name1'), 'bush');
  assert.equal(bush.matched, false);
  assert.deepEqual(bush.event.tags, ['_grokparsefailure']);
});

test('several fields: tried in order, the first match ends the filter unless break_on_match => false', async () => {
  const data = { message: 'hello world 123', somefield: 'testme abc 999' };
  const first = await grok({ match: { message: '%{INT:foo}', somefield: '%{INT:bar}' } });
  const a = runFilter(first, { ...data }).event;
  assert.deepEqual([a.get('foo'), a.get('bar')], ['123', undefined]);
  const all = await grok({ match: { message: '%{INT:foo}', somefield: '%{INT:bar}' }, break_on_match: false });
  const b = runFilter(all, { ...data }).event;
  assert.deepEqual([b.get('foo'), b.get('bar')], ['123', '999']);
});

test('overwrite: the message idiom replaces the field instead of making an array', async () => {
  const line = 'Mar 16 00:01:25 evita postfix/smtpd[1713]: connect from camomile.cloud9.net[168.100.1.3]';
  const f = await grok({ match: { message: '%{SYSLOGBASE} %{GREEDYDATA:message}' }, overwrite: ['message'] });
  assert.deepEqual(fields(runFilter(f, { message: line }).event.data), {
    message: 'connect from camomile.cloud9.net[168.100.1.3]',
    timestamp: 'Mar 16 00:01:25',
    logsource: 'evita',
    program: 'postfix/smtpd',
    pid: '1713',
  });
  const without = await grok({ match: { message: '%{SYSLOGBASE} %{GREEDYDATA:message}' } });
  assert.deepEqual(runFilter(without, { message: line }).event.get('message'), [line, 'connect from camomile.cloud9.net[168.100.1.3]']);
});

test('existing fields: a string becomes an array, an array grows, other values are left alone', async () => {
  const f = await grok({ match: { message: '%{WORD:a} %{WORD:b} %{WORD:c}' } });
  const e = runFilter(f, { message: 'x y z', a: 'old', b: ['o1', 'o2'], c: 42 }).event;
  assert.deepEqual([e.get('a'), e.get('b'), e.get('c')], [['old', 'x'], ['o1', 'o2', 'y'], 42]);
});

test('the same field twice: both values in an array; in alternatives only the branch that matched', async () => {
  const twice = await grok({ match: { message: '%{WORD:w} %{WORD:w}' } });
  assert.deepEqual(runFilter(twice, { message: 'a b' }).event.get('w'), ['a', 'b']);
  const alt = await grok({ match: { message: '%{INT:foo}|%{WORD:foo}' } });
  assert.equal(runFilter(alt, { message: 'hello world' }).event.get('foo'), 'hello');
  assert.equal(runFilter(alt, { message: '123 world' }).event.get('foo'), '123');
});

test('named_captures_only => false also stores %{NAME} under the pattern name', async () => {
  const f = await grok({ match: { message: 'Hello %{WORD}. %{WORD:foo}' }, named_captures_only: false });
  const e = runFilter(f, { message: 'Hello World, yo!' }).event;
  assert.deepEqual([e.get('WORD'), e.get('foo')], ['World', 'yo']);
  const only = await grok({ match: { message: 'Hello %{WORD}. %{WORD:foo}' } });
  assert.equal(runFilter(only, { message: 'Hello World, yo!' }).event.has('WORD'), false);
});

test('keep_empty_captures keeps groups that did not participate (null) and empty ones', async () => {
  const pattern = '1=%{WORD:foo1} *(2=%{WORD:foo2})?(?<empty>x*)';
  const drop = await grok({ match: { message: pattern } });
  const d = runFilter(drop, { message: '1=test' }).event.data;
  assert.equal('foo2' in d, false);
  assert.equal('empty' in d, false);
  const keep = await grok({ match: { message: pattern }, keep_empty_captures: true });
  const k = runFilter(keep, { message: '1=test' }).event.data;
  assert.deepEqual([k.foo1, k.foo2, k.empty], ['test', null, '']);
  // A conversion turns "" into 0, which is not empty (Ruby's "".to_i).
  const conv = await grok({ match: { message: 'n=%{DATA:n:int};' } });
  assert.equal(runFilter(conv, { message: 'n=;' }).event.get('n'), 0);
});

test('nested field references, raw named groups, and target', async () => {
  const pattern = '%{WORD:[http][verb]} (?<queue_id>[0-9A-F]{10,11}) (?<[a][b]>\\d+)';
  const f = await grok({ match: { message: pattern } });
  const e = runFilter(f, { message: 'GET BEF25A72965 7' }).event;
  assert.deepEqual([e.get('[http][verb]'), e.get('queue_id'), e.get('[a][b]')], ['GET', 'BEF25A72965', '7']);
  const t = await grok({ match: { message: pattern }, target: 'parsed' });
  assert.deepEqual(runFilter(t, { message: 'GET BEF25A72965 7' }).event.get('parsed'), { http: { verb: 'GET' }, queue_id: 'BEF25A72965', a: { b: '7' } });
  const meta = await grok({ match: { message: '%{INT:n:int}' }, target: '[@metadata][grok]' });
  assert.deepEqual(runFilter(meta, { message: 'n 5' }).event.metadata, { grok: { n: 5 } });
});

test('a repeated bag of optional fields keeps every field (EXIM_NAMED_FIELDS shape)', async () => {
  const f = await grok({
    match: { message: '%{WORD:id}(?: (?:H=%{NOTSPACE:host}|S=%{INT:size:int}|P=%{NOTSPACE:proto}|%{WORD}=%{NOTSPACE}))*' },
  });
  assert.deepEqual(fields(runFilter(f, { message: 'msg H=mx.example S=1234 X=y P=esmtp' }).event.data), {
    message: 'msg H=mx.example S=1234 X=y P=esmtp',
    id: 'msg',
    host: 'mx.example',
    size: 1234,
    proto: 'esmtp',
  });
});

test('array values: each element is matched; a match on any element counts', async () => {
  const f = await grok({ match: { message: '%{INT:foo}' } });
  const both = runFilter(f, { message: ['hello world 123', 'line 23'] });
  assert.deepEqual([both.event.get('foo'), both.event.has('tags')], [['123', '23'], false]);
  const one = runFilter(f, { message: ['hello world 123', 'abc'] });
  assert.deepEqual([one.event.get('foo'), one.event.has('tags')], ['123', false]);
});

test('non-string values are matched as text; a missing field as the empty string', async () => {
  const status = await grok({ match: { status: '^403$' }, add_tag: ['four_oh_three'] });
  assert.equal(runFilter(status, { status: 403 }).matched, true);
  const empty = await grok({ match: { nothere: '^$' } });
  assert.equal(runFilter(empty, { message: 'x' }).matched, true);
  const word = await grok({ match: { nothere: '%{WORD:w}' } });
  assert.equal(runFilter(word, { message: 'x' }).matched, false);
});

test('Oniguruma semantics: Unicode word boundaries, line anchors', async () => {
  const w = await grok({ match: { message: '%{WORD:w}' } });
  // é is a word character for Ruby's \b, so "héllo" and "wörld" contain no \b\w+\b match.
  assert.equal(runFilter(w, { message: 'héllo wörld ok' }).event.get('w'), 'ok');
  const lines = await grok({ match: { message: '^%{WORD:first}$' } });
  assert.equal(runFilter(lines, { message: 'a b\nsecond\nc d' }).event.get('first'), 'second');
});

test('patterns_dir: files chosen by patterns_files_glob; pattern_definitions override files', async () => {
  const override = join(fixtures, 'override');
  const words = await grok({ patterns_dir: [PATTERNS, override], patterns_files_glob: 'words', match: { message: '%{WORD:w}' } });
  assert.equal(runFilter(words, { message: 'hello' }).matched, false);
  assert.equal(runFilter(words, { message: '3' }).event.get('w'), '3');
  const bak = await grok({ patterns_dir: [PATTERNS, join(override, '*.bak')], match: { message: '%{WORD:w}' } });
  assert.equal(runFilter(bak, { message: '1' }).event.get('w'), '1');
  assert.equal(runFilter(bak, { message: '3' }).matched, false);
  const inline = await grok({ patterns_dir: [PATTERNS, override], pattern_definitions: { WORD: 'x+' }, match: { message: '%{WORD:w}' } });
  assert.equal(runFilter(inline, { message: 'axxb' }).event.get('w'), 'xx');
  const file = await grok({ patterns_dir: [join(PATTERNS, 'windows-crlf.txt'), join(PATTERNS, 'base')], match: { message: '%{KV}' } });
  assert.deepEqual(fields(runFilter(file, { message: 'a=b' }).event.data), { message: 'a=b', key: 'a', value: 'b' });
});

test('the match option also takes Logstash\'s array form, a repeated field collecting its patterns', async () => {
  const f = await grok({ match: ['message', 'a=%{INT:a}', 'message', 'b=%{INT:b}'] });
  assert.equal(runFilter(f, { message: 'b=2' }).event.get('b'), '2');
  assert.equal(runFilter(f, { message: 'a=1' }).event.get('a'), '1');
});

test('ecs_compatibility chooses the bundled library, located from the compiled module', async () => {
  assert.equal(resolve(PATTERNS_ROOT), resolve(repoRoot, 'patterns'));
  assert.equal(libraryDirFor('disabled'), join(PATTERNS_ROOT, 'legacy'));
  assert.equal(libraryDirFor('v1'), join(PATTERNS_ROOT, 'ecs-v1'));
  assert.equal(libraryDirFor('v8'), join(PATTERNS_ROOT, 'ecs-v1'));
  await assert.rejects(grok({ match: { message: 'x' }, ecs_compatibility: 'v2' }), /ecs_compatibility/);
});

test('timeouts: the watchdog limit comes from timeout_millis; onTimeout adds tag_on_timeout', async () => {
  const f = await grok({ match: { message: '%{WORD:w}' } });
  assert.equal(f.timeoutMillis, 30000);
  const e = new Event({ message: 'x' });
  f.onTimeout!(e);
  assert.deepEqual(e.tags, ['_groktimeout']);
  const off = await grok({ match: { message: '%{WORD:w}' }, timeout_millis: 0, tag_on_timeout: 'slow' });
  assert.equal(off.timeoutMillis, undefined);
  const e2 = new Event({ message: 'x' });
  off.onTimeout!(e2);
  assert.deepEqual(e2.tags, ['slow']);
});

test('configuration errors name the field and the problem', async () => {
  await assert.rejects(grok({ match: { message: '%{NOPE:x}' } }), /match "message": pattern %\{NOPE:x\} not defined/);
  await assert.rejects(grok({ match: { message: '(?<x>a' } }), /match "message": invalid pattern/);
  await assert.rejects(grok({ match: { message: '(?~a)' } }), /absent operator/);
  await assert.rejects(grok({ match: { message: ['ok', 3] } }), /must be a string/);
});
