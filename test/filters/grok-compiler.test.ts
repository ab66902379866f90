import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';
import {
  parsePatternText,
  expandGrok,
  compileGrok,
  PatternLibrary,
  patternFilesIn,
  toInt,
  toFloat,
  Convert,
  GrokError,
} from '../../src/filters/grok/compiler.js';

const fixtures = join(repoRoot, 'test', 'filters', 'fixtures', 'grok');
const lib = (defs: Record<string, string>) => PatternLibrary.fromDefinitions(Object.entries(defs));

test('pattern files: NAME PATTERN per line, comments, blank and malformed lines skipped', () => {
  const defs = parsePatternText('# comment\n  # indented comment\n\nA [a-z]+\n  B   x y \nLONELY\nC\tz\r\nD 1\n');
  assert.deepEqual(defs, [
    ['A', '[a-z]+'],
    ['B', 'x y '], // trailing spaces are part of the pattern, as in jls-grok
    ['C', 'z'], // \r\n chomped
    ['D', '1'],
  ]);
});

test('pattern directories: regular files in name order, hidden files excluded', () => {
  const files = patternFilesIn(join(fixtures, 'patterns')).map((f) => f.slice(f.lastIndexOf('/') + 1));
  assert.deepEqual(files, ['base', 'syslog', 'windows-crlf.txt']);
  assert.deepEqual(patternFilesIn(join(fixtures, 'no-such-dir')), []);
});

test('libraries: later layers override earlier ones; the same inputs give the same object', () => {
  const files = patternFilesIn(join(fixtures, 'patterns'));
  const a = PatternLibrary.load([...files, join(fixtures, 'override', 'words')], [['QS', 'q']]);
  assert.equal(a.get('WORD'), '\\b[2-5]\\b');
  assert.equal(a.get('QS'), 'q');
  assert.equal(a.get('KV'), '%{WORD:key}=%{WORD:value}'); // CRLF file
  assert.equal(PatternLibrary.load([...files, join(fixtures, 'override', 'words')], [['QS', 'q']]), a);
  assert.notEqual(PatternLibrary.load(files), a);
});

test('expansion: %{NAME} without a field does not capture when named_captures_only', () => {
  const l = lib({ NUM: '\\d+', TWO: '%{NUM}-%{NUM:b}' });
  assert.equal(expandGrok('%{TWO:t}', l, true), '(?<TWO:t>(?:\\d+)-(?<NUM:b>\\d+))');
  assert.equal(expandGrok('%{TWO}', l, false), '(?<TWO>(?<NUM>\\d+)-(?<NUM:b>\\d+))');
  assert.equal(expandGrok('no refs', l, true), 'no refs');
});

test('expansion: undefined and self-referencing patterns are errors', () => {
  assert.throws(() => expandGrok('%{NOPE}', lib({}), true), /pattern %\{NOPE\} not defined/);
  assert.throws(() => expandGrok('%{A}', lib({ A: 'x%{B}', B: '%{A}' }), true), /refers to itself: %\{A\} -> %\{B\} -> %\{A\}/);
});

test('expansion: inline definitions %{NAME=regex} are local to one pattern', () => {
  const l = lib({});
  const g = compileGrok('%{FIZZLE=\\d+}', l, { namedCapturesOnly: false });
  assert.deepEqual([...g.regex.exec('hello 1234')!].slice(0, 1), ['1234']);
  assert.equal(g.captures[0]!.field, 'FIZZLE');
  assert.equal(l.get('FIZZLE'), undefined);
  assert.throws(() => compileGrok('%{FIZZLE}', l), /not defined/);
});

test('captures: field names, nested references, raw named groups, conversions', () => {
  const l = lib({ NUM: '\\d+', WORD: '\\b\\w+\\b' });
  const g = compileGrok('%{WORD:w} %{NUM:[a][b]:int} %{NUM:f:float} (?<raw>x+) (?<[c][d]>y) %{NUM:s:integer}', l);
  assert.deepEqual(
    g.captures.map((c) => [c.groupName, c.field, c.path, c.convert]),
    [
      ['WORD:w', 'w', ['w'], Convert.None],
      ['NUM:[a][b]:int', '[a][b]', ['a', 'b'], Convert.Int],
      ['NUM:f:float', 'f', ['f'], Convert.Float],
      ['raw', 'raw', ['raw'], Convert.None],
      ['[c][d]', '[c][d]', ['c', 'd'], Convert.None],
      ['NUM:s:integer', 's', ['s'], Convert.None], // Logstash knows only int and float
    ],
  );
  assert.equal(g.warnings.length, 1);
  assert.match(g.warnings[0]!, /'integer' is not supported/);
  const m = g.regex.exec('hi 42 15 xx y 7')!;
  assert.deepEqual(
    g.captures.map((c) => m[c.index]),
    ['hi', '42', '15', 'xx', 'y', '7'],
  );
});

test('captures: Ruby named_captures order (by name, first appearance, then position)', () => {
  const l = lib({ W: '\\w+' });
  const g = compileGrok('%{W:a} %{W:b} %{W:a}', l);
  assert.deepEqual(
    g.captures.map((c) => [c.groupName, c.index]),
    [
      ['W:a', 1],
      ['W:a', 3],
      ['W:b', 2],
    ],
  );
});

test('compiled patterns are cached per library and per named_captures_only', () => {
  const l = lib({ W: '\\w+' });
  const a = compileGrok('%{W:x}', l);
  assert.equal(compileGrok('%{W:x}', l), a);
  assert.notEqual(compileGrok('%{W:x}', l, { namedCapturesOnly: false }), a);
  assert.notEqual(compileGrok('%{W:x}', lib({ W: '\\w+' })), a);
});

test('invalid regular expressions and field references are reported with the pattern', () => {
  assert.throws(() => compileGrok('%{X:a}', lib({ X: '(unclosed' })), (e: unknown) => e instanceof GrokError && /invalid pattern/.test((e as Error).message));
  assert.throws(() => compileGrok('%{X:[a}', lib({ X: 'x' })), /invalid field reference/);
});

test('to_i and to_f follow Ruby', () => {
  const ints: Array<[string, number]> = [
    ['42', 42],
    [' -7x', -7],
    ['+3', 3],
    ['1_000', 1000],
    ['1__0', 1],
    ['_1', 0],
    ['3.9', 3],
    ['abc', 0],
    ['', 0],
    ['0x1A', 0],
    ['-0', 0],
  ];
  for (const [s, v] of ints) assert.equal(toInt(s), v, JSON.stringify(s));
  assert.ok(Object.is(toInt('-0'), 0));
  const floats: Array<[string, number]> = [
    ['454.33', 454.33],
    ['-1.5e3', -1500],
    ['.5', 0.5],
    ['5.', 5],
    ['1e', 1],
    ['1_000.5', 1000.5],
    [' 12abc', 12],
    ['abc', 0],
    ['Infinity', 0],
    ['1.2.3', 1.2],
  ];
  for (const [s, v] of floats) assert.equal(toFloat(s), v, JSON.stringify(s));
});
