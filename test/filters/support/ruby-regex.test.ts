import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateRubyRegex, translateRubyReplacement, RubyRegexError } from '../../../src/filters/support/ruby-regex.js';

/** Ruby's str.gsub(regex, replacement). Expected values below come from Ruby 3.1. */
function gsub(s: string, pattern: string, replacement: string): string {
  const t = translateRubyRegex(pattern);
  return s.replace(new RegExp(t.source, t.flags + 'g'), translateRubyReplacement(replacement, t));
}

test('^ and $ are line anchors; \\A \\z \\Z are string anchors', () => {
  assert.equal(gsub('ab\nab', '^a', 'X'), 'Xb\nXb');
  assert.equal(gsub('ab\nab', 'b$', 'X'), 'aX\naX');
  assert.equal(gsub('ab\nab', '\\Aa', 'X'), 'Xb\nab');
  assert.equal(gsub('xx\n', 'x\\Z', 'X'), 'xX\n');
  assert.equal(gsub('c\nc', 'c\\z', 'X'), 'c\nX');
});

test('dot excludes only \\n; (?m) makes it match newlines', () => {
  assert.equal(gsub('a\r\nb', '.', '.'), '..\n.');
  assert.equal(gsub('a\nb', '(?m)a.b', 'X'), 'X');
});

test('ASCII \\s and \\h, POSIX brackets, \\p{...}', () => {
  assert.equal(gsub('a\u00a0b c', '\\s', '_'), 'a\u00a0b_c');
  assert.equal(gsub('foo bar', '\\h+', 'H'), 'Hoo Hr');
  assert.equal(gsub('éa Ü!?', '[[:alpha:]]+', 'A'), 'A A!?');
  assert.equal(gsub('éa Ü!?', '[[:punct:]]', 'P'), 'éa ÜPP');
  assert.equal(gsub('éa1', '\\p{L}+', 'L'), 'L1');
});

test('inline options: (?i), (?i:...) and (?i) in the middle', () => {
  assert.equal(gsub('aAb AB', '(?i)ab', 'x'), 'ax x');
  assert.equal(gsub('AB Ab aB', '(?i:a)b', 'x'), 'AB x aB');
  assert.equal(gsub('AB Ab aB', 'a(?i)b', 'x'), 'AB Ab x');
  assert.equal(gsub('XyZ', '[x-z](?i)[a-c]?', '.'), 'X.Z');
  assert.equal(gsub('xYz', '(?i:[x-z])', '.'), '...');
});

test('{,n} intervals, literal braces, possessive and atomic approximations', () => {
  assert.equal(gsub('aaaa', 'a{,2}', 'x'), 'xxx');
  assert.equal(gsub('a{2', 'a{2', 'x'), 'x');
  assert.equal(gsub('aaab', 'a++b', 'x'), 'x');
  assert.equal(gsub('aaab', '(?>a+)b', 'x'), 'x');
});

test('replacement back-references as in Ruby', () => {
  assert.equal(gsub('joe@example', '(\\w+)@(\\w+)', '\\2 at \\1'), 'example at joe');
  assert.equal(gsub('ab', 'a', '[\\0]'), '[a]b');
  assert.equal(gsub('ab', 'a', '<\\&>'), '<a>b');
  assert.equal(gsub('ab', '(a)', '\\10'), 'a0b', 'Ruby references are one digit');
  assert.equal(gsub('ab', 'a', '\\1'), 'b', 'a missing group is empty');
  assert.equal(gsub('ab', 'a', '$1$&'), '$1$&b', '$ is literal');
  assert.equal(gsub('ab', 'a', '\\\\'), '\\b');
  assert.equal(gsub('ab', '(?<n>a)', '<\\k<n>>'), '<a>b');
  assert.equal(gsub('xab', 'a', "\\`|\\'"), 'xx|bb');
});

test('named groups make plain groups non-capturing, as in Ruby', () => {
  const t = translateRubyRegex('(?<n>a)(b)');
  assert.equal(t.groupCount, 1);
  assert.equal(t.names.get('n'), 1);
  assert.equal(gsub('ab', '(?<n>a)(b)', '<\\1>'), '<>');
});

test('unsupported syntax is reported', () => {
  assert.throws(() => translateRubyRegex('\\G'), RubyRegexError);
  assert.throws(() => translateRubyRegex('[a&&b]'), RubyRegexError);
  assert.throws(() => translateRubyRegex('(a'), RubyRegexError);
  assert.throws(() => translateRubyReplacement('\\k<nope>', translateRubyRegex('a')), RubyRegexError);
});
