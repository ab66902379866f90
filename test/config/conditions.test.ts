import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, ConfigSyntaxError } from '../../src/config/parser.js';
import { compileCondition, compileRubyRegex, isTruthy, valuesEqual } from '../../src/config/conditions.js';
import type { IfNode } from '../../src/config/ast.js';
import { Event, type EventData } from '../../src/core/event.js';

/** Compile the condition of `if SRC { }`. */
function compile(src: string) {
  const node = parseConfig(`filter { if ${src} { } }`, 'cond.conf', { env: {} }).filter[0] as IfNode;
  return compileCondition(node.branches[0]!.condition!);
}

/** Evaluate `src` against an event built from `data`. */
function check(src: string, data: EventData): boolean {
  return compile(src)(new Event(data));
}

test('a missing field is nil', () => {
  assert.equal(check('[a] == "x"', {}), false);
  assert.equal(check('[a] != "x"', {}), true);
  assert.equal(check('[a] == [b]', {}), true, 'two missing fields are equal (nil == nil)');
  assert.equal(check('[a] == [b]', { a: null }), true, 'null is nil too');
  assert.equal(check('[a] == [b]', { a: 1 }), false);
  assert.equal(check('[a][b][c] == 1', { a: 'not a hash' }), false);
});

test('== compares by value: numbers are not numeric strings, 1 equals 1.0', () => {
  assert.equal(check('[n] == 1', { n: 1 }), true);
  assert.equal(check('[n] == 1.0', { n: 1 }), true);
  assert.equal(check('[n] == 1', { n: '1' }), false);
  assert.equal(check('[s] == "1"', { s: 1 }), false);
  assert.equal(check('[s] == "1"', { s: '1' }), true);
  assert.equal(check('"1" == [s]', { s: '1' }), true);
  assert.equal(check('[s] != "1"', { s: 1 }), true);
  assert.equal(check('[b] == "true"', { b: true }), false);
  assert.equal(check('1 == 1.0', {}), true);
  assert.equal(check('"a" == "b"', {}), false);
});

test('arrays and hashes compare deeply', () => {
  assert.equal(check('[a] == [b]', { a: [1, { x: 'y' }], b: [1, { x: 'y' }] }), true);
  assert.equal(check('[a] == [b]', { a: [1, 2], b: [2, 1] }), false);
  assert.equal(check('[a] == [b]', { a: { p: 1, q: [2] }, b: { q: [2], p: 1 } }), true, 'key order does not matter');
  assert.equal(check('[a] == [b]', { a: { p: 1 }, b: { p: 1, q: 2 } }), false);
  assert.equal(check('[a] == [b]', { a: [], b: {} }), false);
  assert.equal(check('[a] == ["x", 2]', { a: ['x', 2] }), true);
  assert.equal(check('[a] == ["x", 2]', { a: ['x', '2'] }), false);
  assert.equal(check('[@timestamp] == [t]', { '@timestamp': '2024-01-01T00:00:00Z', t: new Date('2024-01-01T00:00:00Z') }), true);
});

test('ordering compares numbers or strings, and is false across types or with a missing side', () => {
  assert.equal(check('[n] > 5', { n: 6 }), true);
  assert.equal(check('[n] > 5', { n: 5 }), false);
  assert.equal(check('[n] >= 5', { n: 5 }), true);
  assert.equal(check('[n] < 5.5', { n: 5 }), true);
  assert.equal(check('[n] <= -1', { n: -1 }), true);
  assert.equal(check('[n] > 5', { n: '6' }), false, 'a numeric string is not a number');
  assert.equal(check('[n] < 5', {}), false);
  assert.equal(check('[n] >= 5', {}), false);
  assert.equal(check('[n] <= 5', {}), false);
  assert.equal(check('[s] < "b"', { s: 'a' }), true);
  assert.equal(check('[s] >= "b"', { s: 'ba' }), true);
  assert.equal(check('[s] > "b"', { s: 1 }), false);
  assert.equal(check('5 < [n]', { n: 6 }), true, 'a constant on the left flips the comparison');
  assert.equal(check('5 >= [n]', { n: 6 }), false);
  assert.equal(check('[a] < [b]', { a: 1, b: 2 }), true);
  assert.equal(check('[a] < [b]', { a: 1, b: '2' }), false);
  assert.equal(check('[a] <= [b]', { a: 'x', b: 'x' }), true);
  assert.equal(check('[a] < [b]', { a: new Date(1000), b: new Date(2000) }), true);
  assert.equal(check('[a] > [b]', {}), false);
  assert.equal(check('2 > 1', {}), true);
  assert.equal(check('"2" > 1', {}), false);
});

test('=~ and !~ against a regex literal or a string', () => {
  assert.equal(check('[m] =~ /^GET /', { m: 'GET /index.html' }), true);
  assert.equal(check('[m] =~ /^GET /', { m: 'POST /' }), false);
  assert.equal(check('[m] =~ /^GET /', {}), false);
  assert.equal(check('[m] =~ /1/', { m: 1 }), false, 'only strings match');
  assert.equal(check('[m] !~ /1/', { m: 1 }), true);
  assert.equal(check('[m] !~ /^GET/', { m: 'GET' }), false);
  assert.equal(check('[path] =~ "access"', { path: '/var/log/access.log' }), true);
  assert.equal(check('[path] =~ "\\.log$"', { path: '/var/log/access.log' }), true);
  assert.equal(check('[path] =~ "\\.log$"', { path: '/var/log/access_log' }), false);
  assert.equal(check('[u] =~ /a\\/b/', { u: 'x/a/b' }), true);
  assert.equal(check('"abc" =~ /b/', {}), true);
});

test('Ruby regex syntax is translated: (?i), \\A, \\z, \\Z, \\h and line anchors', () => {
  assert.equal(check('[m] =~ /(?i)^error/', { m: 'ERROR: disk full' }), true);
  assert.equal(check('[m] =~ /\\Afoo\\z/', { m: 'foo' }), true);
  assert.equal(check('[m] =~ /\\Afoo\\z/', { m: 'foo\n' }), false);
  assert.equal(check('[m] =~ /\\Afoo\\Z/', { m: 'foo\n' }), true);
  assert.equal(check('[m] =~ /\\Abar/', { m: 'foo\nbar' }), false);
  assert.equal(check('[m] =~ /^bar$/', { m: 'foo\nbar\nbaz' }), true, 'Ruby ^ and $ are line anchors');
  assert.equal(check('[m] =~ /^\\h+$/', { m: 'DEADbeef' }), true);
  assert.equal(check('[m] =~ /^[\\h-]+$/', { m: 'ab-12' }), true);
  assert.equal(check('[m] =~ /(?m)a.b/', { m: 'a\nb' }), true, 'Ruby (?m) is dot-matches-newline');
  assert.equal(check('[m] =~ /a.b/', { m: 'a\nb' }), false);
  assert.equal(compileRubyRegex('(?i)x').flags.includes('i'), true);
});

test('an invalid regex is a compile-time error with its position', () => {
  assert.throws(
    () => compile('[m] =~ /a(b/'),
    (err: unknown) => err instanceof ConfigSyntaxError && err.line === 1 && err.column === 20 && /invalid regular expression \/a\(b\//.test(err.message),
  );
});

test('in with a list literal: membership by string form', () => {
  assert.equal(check('[a] in ["x", "y"]', { a: 'y' }), true);
  assert.equal(check('[a] in ["x", "y"]', { a: 'z' }), false);
  assert.equal(check('[a] in ["x", "y"]', {}), false);
  assert.equal(check('[a] in ["5", "6"]', { a: 5 }), true, 'Logstash compares string forms');
  assert.equal(check('[a] in [5, 6]', { a: '6' }), true);
  assert.equal(check('[a] in ["x", "y"]', { a: ['x'] }), false);
  assert.equal(check('[a] not in ["x", "y"]', { a: 'z' }), true);
  assert.equal(check('[a] not in ["x", "y"]', {}), true);
  assert.equal(check('"x" in ["x", "y"]', {}), true);
  assert.equal(check('!("foo" in ["hello", "world"])', {}), true);
});

test('in with an array field: membership', () => {
  assert.equal(check('"error" in [tags]', { tags: ['warn', 'error'] }), true);
  assert.equal(check('"err" in [tags]', { tags: ['warn', 'error'] }), false);
  assert.equal(check('"_grokparsefailure" not in [tags]', { tags: [] }), true);
  assert.equal(check('"_grokparsefailure" not in [tags]', {}), true);
  assert.equal(check('5 in [codes]', { codes: [4, 5] }), true);
  assert.equal(check('5 in [codes]', { codes: ['5'] }), false);
  assert.equal(check('[a] in [list]', { a: 'x', list: ['w', 'x'] }), true);
  assert.equal(check('[a] in [list]', { a: 2, list: [1, 2] }), true);
  assert.equal(check('[a] in [list]', { a: '2', list: [1, 2] }), false);
});

test('in with a string: substring', () => {
  assert.equal(check('[a] in "foobar"', { a: 'oba' }), true);
  assert.equal(check('[a] in "foobar"', { a: 'xyz' }), false);
  assert.equal(check('[a] in "foobar"', { a: 1 }), false);
  assert.equal(check('"hello" in [greeting]', { greeting: 'hello world' }), true);
  assert.equal(check('"hello" in [greeting]', { greeting: 'hi' }), false);
  assert.equal(check('[foo] in [foobar]', { foo: 'bar', foobar: 'foobar' }), true);
  assert.equal(check('[missing] in [alsomissing]', {}), false);
  assert.equal(check('[a] in [b]', { a: 3, b: 3 }), true);
  assert.equal(check('[a] in [b]', { a: ['x'], b: ['x'] }), false, 'an array on the left is never "in"');
  assert.equal(check('"oo" in "foo"', {}), true);
});

test('a list cannot be looked up in a field', () => {
  assert.throws(() => compile('["a", "b"] in [tags]'), /a list cannot be looked up "in" a field/);
});

test('truthiness of a bare operand follows Logstash: nil, false, "" and "false" are false', () => {
  assert.equal(check('[a]', {}), false);
  assert.equal(check('[a]', { a: null }), false);
  assert.equal(check('[a]', { a: false }), false);
  assert.equal(check('[a]', { a: '' }), false);
  assert.equal(check('[a]', { a: 'false' }), false);
  assert.equal(check('[a]', { a: true }), true);
  assert.equal(check('[a]', { a: 0 }), true);
  assert.equal(check('[a]', { a: 'no' }), true);
  assert.equal(check('[a]', { a: [] }), true);
  assert.equal(check('[a]', { a: {} }), true);
  assert.equal(check('![a]', {}), true);
  assert.equal(check('![a]', { a: 'x' }), false);
  assert.equal(check('"constant"', {}), true);
  assert.equal(isTruthy(undefined), false);
});

test('boolean operators and precedence evaluate as parsed', () => {
  const ev = { t: 1, f: false };
  assert.equal(check('[t] and [f]', ev), false);
  assert.equal(check('[t] or [f]', ev), true);
  assert.equal(check('[t] xor [f]', ev), true);
  assert.equal(check('[t] xor [t]', ev), false);
  assert.equal(check('[t] nand [t]', ev), false);
  assert.equal(check('[t] nand [f]', ev), true);
  assert.equal(check('[t] or [f] and [f]', ev), true, 'and binds tighter: t or (f and f)');
  assert.equal(check('([t] or [f]) and [f]', ev), false);
  assert.equal(check('[f] and [t] and [t] or [t]', ev), true, '(f and t and t) or t');
  assert.equal(check('!([t] and [f])', ev), true);
});

test('@metadata fields are visible to conditions', () => {
  assert.equal(check('[@metadata][test] == "Hello"', { '@metadata': { test: 'Hello' } }), true);
  assert.equal(check('[@metadata][test] == "Hello"', { test: 'Hello' }), false);
  assert.equal(check('[@metadata][beat] in ["filebeat", "winlogbeat"]', { '@metadata': { beat: 'winlogbeat' } }), true);
});

test('a compiled condition is reusable and sees changes to the event', () => {
  const c = compile('[status] >= 500 and "alert" not in [tags]');
  const e = new Event({ status: 503 });
  assert.equal(c(e), true);
  e.tag('alert');
  assert.equal(c(e), false);
  e.set('status', 200);
  e.untag('alert');
  assert.equal(c(e), false);
});

test('valuesEqual treats nil alike and compares dates by time', () => {
  assert.equal(valuesEqual(undefined, null), true);
  assert.equal(valuesEqual(new Date(5), new Date(5)), true);
  assert.equal(valuesEqual(new Date(5), 5), false);
  assert.equal(valuesEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), true);
});
