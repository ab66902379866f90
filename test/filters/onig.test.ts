// Tests of the Oniguruma → JavaScript translation. The expected results in ONIGURUMA_CASES were produced by
// Ruby 3.1 (Onigmo) with Regexp::MULTILINE, as grok compiles patterns, and are kept here as literals.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateOnig, inputTraits, OnigError, HAS_NEWLINE, HAS_NON_ASCII, HAS_ASTRAL, type OnigRegExp } from '../../src/filters/grok/onig.js';

type Expected = null | [string] | [string, Record<string, Array<string | null>>];

/** Run like Ruby's Regexp#match + MatchData#named_captures (every group of a duplicated name). */
function rubyLike(t: OnigRegExp, input: string): Expected {
  const m = t.exec(input);
  if (!m) return null;
  const caps: Record<string, Array<string | null>> = {};
  for (const g of t.groups) (caps[g.name] ??= []).push(m[g.index] ?? null);
  return Object.keys(caps).length > 0 ? [m[0], caps] : [m[0]];
}

// [pattern, input, what Oniguruma returns: null (no match) | [match] | [match, named captures]]
const ONIGURUMA_CASES: Array<[string, string, Expected]> = [
  ["(?>a|ab)c", "abc", null],
  ["(?:a|ab)c", "abc", ["abc"]],
  ["(?>x*)x", "xxx", null],
  ["x*+x", "xxx", null],
  ["x++y", "xxy", ["xxy"]],
  ["x?+x", "x", null],
  ["(?>\\d+)-", "123-", ["123-"]],
  ["(?<n>(?>[0-9]+))(?<r>.*)", "123abc", ["123abc",{"n":["123"],"r":["abc"]}]],
  ["(?<q>(?>\"(?>\\\\.|[^\\\\\"]+)+\"|\"\"))", "say \"hi \\\" there\" ok", ["\"hi \\\" there\"",{"q":["\"hi \\\" there\""]}]],
  ["(?<num>(?<![0-9.+-])(?>[+-]?(?:(?:[0-9]+(?:\\.[0-9]+)?)|(?:\\.[0-9]+))))", "v=-12.50;", ["-12.50",{"num":["-12.50"]}]],
  ["(?<y>(?>\\d\\d){1,2})", "2026x", ["2026",{"y":["2026"]}]],
  ["\\Aab", "ab\nab", ["ab"]],
  ["\\Aab", "xab", null],
  ["ab\\z", "ab\n", null],
  ["ab\\Z", "ab\n", ["ab"]],
  ["ab\\Z", "ab\nx", null],
  ["\\Gb", "ab", null],
  ["^b", "a\nb", ["b"]],
  ["a$", "a\nb", ["a"]],
  ["^$", "a\n", null],
  ["^$", "a\n\nb", [""]],
  ["\\h+", "xx0fA9g", ["0fA9"]],
  ["\\H+", "0fA9-g", ["-g"]],
  ["a.c", "a\nc", ["a\nc"]],
  ["(?-m)a.c", "a\nc", null],
  ["(?-m:a.)c", "a\nc", null],
  ["(?m)a.c", "a\nc", ["a\nc"]],
  ["(?i)abc", "xABCx", ["ABC"]],
  ["a(?i)b|c", "C", null],
  ["a(?i)b|c", "aC", ["aC"]],
  ["a(?i:b)c", "aBc", ["aBc"]],
  ["a(?i:b)c", "aBC", null],
  ["(?i:[a-c]+)", "xABca", ["ABca"]],
  ["(?i)[^a]", "A", null],
  ["(?i)é", "É", ["É"]],
  ["(?x) a b # comment\n c", "abc", ["abc"]],
  ["(?x)a\\ b", "a b", ["a b"]],
  ["(?x)[ ]a", " a", [" a"]],
  ["[[:alpha:]]+", "12héllo3", ["héllo"]],
  ["[[:^alpha:]]+", "héllo123!", ["123!"]],
  ["[[:digit:]]+", "x٣2", ["٣2"]],
  ["[[:punct:]]+", "a$+<=>^`|~!b", ["$+<=>^`|~!"]],
  ["[a[:digit:]_]+", "-a_12-", ["a_12"]],
  ["[[:space:]]+", "a \t b", [" \t "]],
  ["[[:upper:][:digit:]]+", "abC1Dx", ["C1D"]],
  ["[[:xdigit:]]+", "xyzBEEF12g", ["BEEF12"]],
  ["[^[:space:]]+", "  ab  ", ["ab"]],
  ["\\p{Lu}+", "abcDÉFg", ["DÉF"]],
  ["\\p{^Lu}+", "ABcdéF", ["cdé"]],
  ["\\P{L}+", "ab12!é", ["12!"]],
  ["\\p{Greek}+", "abc αβγ", ["αβγ"]],
  ["\\p{Han}+", "日本語abc", ["日本語"]],
  ["\\p{Alpha}+", "1é2", ["é"]],
  ["[a-z&&[^aeiou]]+", "hello", ["h"]],
  ["[]a]+", "x]a]b", ["]a]"]],
  ["[a-]+", "b-a-", ["-a-"]],
  ["[\\-'\"]+", "x-'\"y", ["-'\""]],
  ["\\-\\'\\\"\\/\\%\\@\\<\\>", "-'\"/%@<>", ["-'\"/%@<>"]],
  ["\\x41\\u0042\\101", "ABA", ["ABA"]],
  ["\\xc3\\xa9", "é", ["é"]],
  ["\\t\\e\\a\\v\\f", "\t\u001b\u0007\u000b\f", ["\t\u001b\u0007\u000b\f"]],
  ["[\\b]", "\b", ["\b"]],
  ["\\cA", "\u0001", ["\u0001"]],
  ["(?<[a][b]>\\d+) (?<foo.bar>\\w+) (?<@x>x)", "12 ab x", ["12 ab x",{"[a][b]":["12"],"foo.bar":["ab"],"@x":["x"]}]],
  ["(?<f>a)|(?<f>b)", "b", ["b",{"f":[null,"b"]}]],
  ["(?<f>a)(?<f>b)", "ab", ["ab",{"f":["a","b"]}]],
  ["(?<a:b:int>\\d+)", "x42", ["42",{"a:b:int":["42"]}]],
  ["(a)\\1", "xaa", ["aa"]],
  ["(?<n>ab)\\k<n>", "abab", ["abab",{"n":["ab"]}]],
  ["a{,2}b", "aaab", ["aab"]],
  ["a{2}?b", "b", ["b"]],
  ["a{1,2}+b", "aaab", ["aaab"]],
  ["a{1,2}?", "aa", ["a"]],
  ["x{a}", "x{a}", ["x{a}"]],
  ["x{,}", "x{,}", ["x{,}"]],
  ["a**", "aaa", ["aaa"]],
  ["\\bfoo\\b", "foo_ foo", ["foo"]],
  ["\\w+\\b", "héllo", ["llo"]],
  ["\\b\\w+\\b", "héllo wörld ok", ["ok"]],
  ["\\bé", "xé é", ["é"]],
  ["a\\B", "ab a", ["a"]],
  ["\\s+", "a b \t c", [" \t "]],
  ["\\S+", " x", [" x"]],
  ["\\d+", "٣١2", ["2"]],
  ["\\w+", "éab", ["ab"]],
  ["(?<x>a)?b", "b", ["b",{"x":[null]}]],
  ["(?<x>a?)?b", "b", ["b",{"x":[""]}]],
  ["(?:\\d??)?", "1", [""]],
  [".{2}", "😀😀", ["😀😀"]],
  ["(?<c>.)", "😀", ["😀",{"c":["😀"]}]],
  ["(?#comment)a", "a", ["a"]],
  ["(?: (?:H=(?<h>\\S+)|S=(?<s>\\d+)|id=(?<id>\\S+)|(?<unk>[A-Za-z]{1,4})=\\S+))*", " H=host S=12 X=1 id=abc", [" H=host S=12 X=1 id=abc", {"h": ["host"], "s": ["12"], "id": ["abc"], "unk": ["X"]}]],
  ["a(?: (?:H=(?<h>\\S+)|S=(?<s>\\d+)))*(?: for (?<f>\\S+))?", "a H=x S=1 H=y for me", ["a H=x S=1 H=y for me", {"h": ["y"], "s": ["1"], "f": ["me"]}]],
  ["(?:(?<x>a)|b)+", "ab", ["ab", {"x": ["a"]}]],
  ["(?:(?<x>a)|b)+c", "abbc", ["abbc", {"x": ["a"]}]],
  ["(?<=a)b", "ab", ["b"]],
  ["(?<!a)b", "ab b", ["b"]],
];

test('translations match Oniguruma on every construct', () => {
  for (const [pattern, input, expected] of ONIGURUMA_CASES) {
    const t = translateOnig(pattern);
    assert.deepEqual(rubyLike(t, input), expected, `/${pattern}/ on ${JSON.stringify(input)}`);
  }
});

test('every variant agrees with the always-correct one on the inputs it is chosen for', () => {
  for (const [pattern, input] of ONIGURUMA_CASES) {
    const t = translateOnig(pattern);
    const universal = t.variant(true, true).regexp.exec(input);
    const chosen = t.regexpFor(input).exec(input);
    assert.deepEqual(chosen && [...chosen], universal && [...universal], `/${pattern}/ on ${JSON.stringify(input)}`);
  }
});

test('atomic groups: dropped when nothing can backtrack into them', () => {
  // [0-9]+ followed by '-' (which it excludes): backtracking cannot help, the group is dropped.
  const t = translateOnig('(?>\\d+)-');
  assert.equal(t.stats.atomicDropped, 1);
  assert.equal(t.variant(false, false).source, '[0-9]+-');
  // BASE10NUM followed by a space: every choice point is safe.
  const n = translateOnig('(?<n>(?<![0-9.+-])(?>[+-]?(?:(?:[0-9]+(?:\\.[0-9]+)?)|(?:\\.[0-9]+)))) ');
  assert.equal(n.stats.atomicDropped, 1);
  assert.ok(!n.variant(false, false).source.includes('(?='), n.variant(false, false).source);
  // At the end of the pattern nothing follows that could fail.
  assert.equal(translateOnig('a(?>b*)').variant(false, false).source, 'ab*');
});

test('atomic groups: rewritten with a maximality lookahead when their content allows it', () => {
  const t = translateOnig('(?>\\d+)\\d');
  assert.equal(t.stats.atomicForced, 1);
  assert.equal(t.variant(false, false).source, '[0-9]+(?![0-9])[0-9]');
  assert.equal(t.exec('123'), null);
  // The QUOTEDSTRING shape: an alternation of exclusive branches inside a loop.
  const q = translateOnig('(?>"(?>\\\\.|[^\\\\"]+)+"|"")');
  assert.equal(q.stats.atomicEmulated, 0);
  assert.match(q.variant(false, false).source, /\[\^"\\\\\]\+\(\?!\[\^"\\\\\]\)/);
  // Bounded: takes min(run, n) characters, no fewer.
  const b = translateOnig('(?<x>(?>a{1,3}))a');
  assert.deepEqual(rubyLike(b, 'aaaa'), ['aaaa', { x: ['aaa'] }]);
  assert.equal(b.exec('aaa'), null);
});

test('atomic groups: emulated with (?=(X))\\N otherwise, with the same results', () => {
  const t = translateOnig('(?>a|ab)c');
  assert.equal(t.stats.atomicEmulated, 1);
  assert.match(t.variant(false, false).source, /\(\?=\(/);
  assert.equal(t.exec('abc'), null);
  assert.deepEqual([...t.exec('ac')!].slice(0, 1), ['ac']);
  // The emulation group does not shift the named groups' reported indexes.
  const g = translateOnig('(?>a|ab)(?<x>c)');
  assert.equal(g.exec('ac')![g.groups[0]!.index], 'c');
});

test('forced emulation (atomic: "emulate") matches the optimized translation', () => {
  const patterns = ['(?<n>(?<![0-9.+-])(?>[+-]?(?:(?:[0-9]+(?:\\.[0-9]+)?)|(?:\\.[0-9]+))))(?<r>.*)', '(?<q>(?>"(?>\\\\.|[^\\\\"]+)+"|""))', '(?<y>(?>\\d\\d){1,2})x'];
  const inputs = ['v=-12.50;', '"a\\"b" c', '"" x', '2026x', '20261x', '12.5.6 z'];
  for (const p of patterns) {
    const opt = translateOnig(p);
    const emu = translateOnig(p, { atomic: 'emulate' });
    assert.ok(emu.stats.atomicEmulated > 0);
    for (const s of inputs) assert.deepEqual(rubyLike(opt, s), rubyLike(emu, s), `/${p}/ on ${JSON.stringify(s)}`);
  }
});

test('the u flag is used only where needed; inputs are scanned only where it pays', () => {
  assert.equal(translateOnig('\\w+ \\d+').variant(true, true).flags, 's');
  assert.equal(translateOnig('[[:alpha:]]+').variant(false, false).flags, 's'); // written exactly up to U+FFFF
  const p = translateOnig('\\p{Lu}+');
  assert.equal(p.variant(false, false).flags, 's');
  assert.equal(p.variant(false, true).flags, 'su'); // astral upper-case letters need it
  assert.equal(p.astralSensitive, true);
  // The `u` variant is as fast: used for every input rather than scanning each one.
  assert.equal(p.alwaysUnicode, true);
  assert.equal(p.traitsNeeded, 0);
  assert.equal(p.regexpFor('ABC').flags, 'su');
  assert.equal(p.exec('x\u{1D400}\u{1D401}y')![0], '\u{1D400}\u{1D401}');
  // A word boundary checked on both sides is costly in the Unicode form: ASCII inputs get the plain one.
  const b = translateOnig('x?\\b');
  assert.equal(b.alwaysUnicode, false);
  assert.equal(b.traitsNeeded, HAS_NON_ASCII | HAS_ASTRAL);
  assert.equal(b.regexpFor('abc').flags, 's');
  assert.equal(b.regexpFor('ébc').flags, 'su');
});

test('word boundaries: decided statically where the neighbours are known ASCII', () => {
  // '<' before and a digit after: the first \b always holds; digit before and '>' after: the second too.
  const t = translateOnig('<(?<n>\\b[1-9][0-9]*\\b)>');
  assert.equal(t.unicodeSensitive, false);
  assert.equal(t.variant(false, false).source, '<([1-9][0-9]*)>');
  // At the start of an unanchored pattern the preceding character is unknown: needs Unicode for non-ASCII input.
  const w = translateOnig('\\b\\w+\\b');
  assert.equal(w.unicodeSensitive, true);
  assert.equal(w.exec('héllo'), null); // é is a word character for Oniguruma's \b
  assert.equal(w.exec('hello')![0], 'hello');
  assert.equal(w.variant(false, false).source, '\\b[0-9A-Z_a-z]+\\b');
});

test('line anchors: exact for inputs with newlines, plain ^ and $ otherwise', () => {
  const t = translateOnig('^b$');
  assert.equal(t.newlineSensitive, true);
  assert.equal(t.variant(false, false).source, '^b$');
  assert.equal(t.exec('a\nb\nc')![0], 'b');
  assert.equal(t.exec('a\n'), null);
  assert.equal(translateOnig('\\Ab\\z').newlineSensitive, false);
});

test('inputTraits reports newlines, non-ASCII and astral characters', () => {
  assert.equal(inputTraits('plain ascii'), 0);
  assert.equal(inputTraits('a\nb'), HAS_NEWLINE);
  assert.equal(inputTraits('é'), HAS_NON_ASCII);
  assert.equal(inputTraits('😀'), HAS_NON_ASCII | HAS_ASTRAL);
  assert.equal(inputTraits('a\né', HAS_NEWLINE), HAS_NEWLINE);
});

test('named groups: any name, duplicates, Ruby order; unnamed groups do not capture when names are used', () => {
  const t = translateOnig('(a)(?<x>b)(c)(?<y>d)(?<x>e)');
  assert.deepEqual(
    t.groups.map((g) => g.name),
    ['x', 'y', 'x'],
  );
  const m = t.exec('abcde')!;
  assert.deepEqual(
    t.groups.map((g) => m[g.index]),
    ['b', 'd', 'e'],
  );
  assert.equal(m.length, 4); // only the named groups capture
});

test('groups that skip iterations of a repetition keep their last value, as in Oniguruma', () => {
  // JavaScript alone would report only the last iteration's groups (h and s unset here).
  const t = translateOnig('(?: (?:H=(?<h>\\S+)|S=(?<s>\\d+)|(?<k>[a-z]+)=\\S+))*');
  assert.match(t.variant(false, false).flags, /d/); // the repetition's span is read from match indices
  assert.deepEqual(rubyLike(t, ' H=a S=1 x=2 H=b y=3'), [' H=a S=1 x=2 H=b y=3', { h: ['b'], s: ['1'], k: ['y'] }]);
  assert.deepEqual(rubyLike(t, 'nothing'), ['', { h: [null], s: [null], k: [null] }]);
});

test('characters above U+FFFF count as one character, as in Oniguruma', () => {
  // Expected values from Ruby: a single `[^a]` takes the whole emoji; matches never start inside one.
  assert.deepEqual(rubyLike(translateOnig('(?<g0>\\w)[^a]é'), '\n1😀é😀'), ['1😀é', { g0: ['1'] }]);
  assert.deepEqual(rubyLike(translateOnig('(?<c>[^a])b'), 'a😀b'), ['😀b', { c: ['😀'] }]);
  assert.equal(translateOnig('\\B').exec('x𝐀 c2c')!.index, 1); // x and 𝐀 are both word characters
  assert.equal(translateOnig('\\B').exec('𝐀'), null);
  // Patterns where it cannot matter need no check of the input.
  const greedy = translateOnig('^(?<a>\\w+) (?<rest>.*)');
  assert.equal(greedy.astralSensitive, false);
  assert.deepEqual(rubyLike(greedy, 'ab 😀 x'), ['ab 😀 x', { a: ['ab'], rest: ['😀 x'] }]);
});

test('case-insensitive scopes are written into the character sets', () => {
  assert.equal(translateOnig('a(?i:b)c').variant(false, false).source, 'a[Bb]c');
  assert.equal(translateOnig('(?i)k').exec('\u212a')![0], '\u212a'); // KELVIN SIGN folds to k
});

test('unsupported constructs are refused with the construct named', () => {
  const refused: Array<[string, RegExp]> = [
    ['(?<a>x)\\g<a>', /subexpression calls/],
    ['(?~abc)', /absent operator/],
    ['(?(1)a|b)', /conditional groups/],
    ['a\\Kb', /\\K is not supported/],
    ['\\R', /\\R is not supported/],
    ['\\X', /\\X is not supported/],
    ['(?<a>x)?\\k<a>', /may not participate/],
    ['(?<a>x)|\\k<a>', /may not participate/],
    ['(?i)(?<a>x)\\k<a>', /under \(\?i\)/],
    ['(?<a>x)(?<a>y)\\k<a>', /several groups/],
    ['(?<x>a?)*', /can match the empty string and contains capture groups/],
    ['(?:\\d??)*', /before a non-empty match/],
    ['(?:(?<x>a)(?<y>1)?|b)+$', /may not take part in every iteration, and the repetition may backtrack/],
    ['(?<=(?:(?<x>a)|b)+)c', /inside a lookbehind/],
    ['(?:(?:(?<x>a)|b)+,)+', /inside a lookbehind or another such repetition/],
    ['\\p{In_Basic_Latin}', /block property/],
    ['(?u)a', /option 'u'/],
  ];
  for (const [p, msg] of refused) assert.throws(() => translateOnig(p), (e: unknown) => e instanceof OnigError && msg.test((e as Error).message), p);
});

test('invalid patterns are errors, as in Oniguruma', () => {
  for (const p of ['(', 'a)', '[a', '[]', '*a', 'a{3,2}', '[z-a]', '\\p{NoSuchProperty}', '[[:nosuch:]]', '(?<1x>a)', '\\k<nope>', '[a-\\w]', '[\\w-a]', '(a)\\2', '(?<a>x)\\1'])
    assert.throws(() => translateOnig(p), OnigError, p);
});

test('every bundled library pattern translates in all four variants, with the same group numbers in each', async () => {
  const { PatternLibrary, compileGrok, patternFilesIn } = await import('../../src/filters/grok/compiler.js');
  const { repoRoot } = await import('../helpers.js');
  const { join } = await import('node:path');
  let checked = 0;
  for (const flavour of ['legacy', 'ecs-v1']) {
    const lib = PatternLibrary.load(patternFilesIn(join(repoRoot, 'patterns', flavour)));
    const failures: string[] = [];
    for (const name of lib.defs.keys()) {
      let regex: OnigRegExp;
      try {
        regex = compileGrok(`%{${name}}`, lib).regex;
      } catch {
        continue; // a translation refused at compile time (tested elsewhere), not a variant built later
      }
      // Only the variant for one-line ASCII input is built with the translation; the others on demand.
      const groups = JSON.stringify(regex.groups);
      try {
        for (const [nl, uni] of [[false, false], [true, false], [false, true], [true, true]] as const) assert.ok(regex.variant(nl, uni).regexp instanceof RegExp);
        assert.equal(JSON.stringify(regex.groups), groups);
        assert.equal(typeof regex.stats.atomicDropped, 'number');
        checked++;
      } catch (e) {
        failures.push(`${flavour} ${name}: ${(e as Error).message}`);
      }
    }
    assert.deepEqual(failures, []);
  }
  assert.ok(checked >= 600, `checked ${checked}`); // 319 legacy + 363 ECS definitions today
});
