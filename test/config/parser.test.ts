import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, ConfigSyntaxError, processEscapes } from '../../src/config/parser.js';
import type { Expr, IfNode, PipelineAST, PluginNode, Value } from '../../src/config/ast.js';

/** The AST without source locations, for structural comparisons. */
function strip<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (k, x) => (k === 'loc' ? undefined : x)));
}

const parse = (text: string, opts: Parameters<typeof parseConfig>[2] = {}) => parseConfig(text, 'test.conf', { env: {}, ...opts });

/** The settings of the first filter plugin, as a plain object. */
function settingsOf(text: string, opts?: Parameters<typeof parseConfig>[2]): Record<string, Value> {
  const p = parse(text, opts).filter[0] as PluginNode;
  return Object.fromEntries(p.settings.map((s) => [s.key, strip(s.value)]));
}

/** The condition of `filter { if COND { } }`, without locations. */
function cond(src: string, opts?: Parameters<typeof parseConfig>[2]): unknown {
  const node = parse(`filter { if ${src} { } }`, opts).filter[0] as IfNode;
  return strip(node.branches[0]!.condition);
}

/** The error thrown by parsing `text`. */
function parseError(text: string, opts?: Parameters<typeof parseConfig>[2]): ConfigSyntaxError {
  try {
    parse(text, opts);
  } catch (err) {
    assert.ok(err instanceof ConfigSyntaxError, `expected a ConfigSyntaxError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected a syntax error for:\n${text}`);
}

const f = (ref: string) => ({ type: 'field', ref });
const s = (value: string) => ({ type: 'string', value });
const n = (value: number) => ({ type: 'number', value });
const truthy = (ref: string) => ({ type: 'truthy', value: f(ref) });
const bool = (op: string, left: unknown, right: unknown) => ({ type: 'bool', op, left, right });

// ---- values ---------------------------------------------------------------------------------------

test('every setting value type', () => {
  const v = settingsOf(`filter { x {
    dq => "double quoted"
    sq => 'single quoted'
    int => 42
    float => 1.5
    neg => -7
    negfloat => -0.25
    trailingdot => 3.
    bare => true
    word => json
    empty_array => []
    array => [ "a", 'b', 1, -2.5, bare_word, [ "nested" ], { "k" => "v" } ]
    empty_hash => {}
    hash => { "quoted" => "v1" bare => 2 'single' => [1, 2] 404 => "not found" nested => { deep => yes } }
  } }`);
  assert.deepEqual(v, {
    dq: 'double quoted',
    sq: 'single quoted',
    int: 42,
    float: 1.5,
    neg: -7,
    negfloat: -0.25,
    trailingdot: 3,
    bare: 'true',
    word: 'json',
    empty_array: [],
    array: ['a', 'b', 1, -2.5, 'bare_word', ['nested'], { kind: 'hash', entries: [['k', 'v']] }],
    empty_hash: { kind: 'hash', entries: [] },
    hash: {
      kind: 'hash',
      entries: [
        ['quoted', 'v1'],
        ['bare', 2],
        ['single', [1, 2]],
        ['404', 'not found'],
        ['nested', { kind: 'hash', entries: [['deep', 'yes']] }],
      ],
    },
  });
});

test('hash entries may be separated by commas, newlines or spaces', () => {
  const v = settingsOf(`filter { x { h => { "a" => 1, "b" => 2 "c" => 3,
    "d" => 4, } } }`);
  assert.deepEqual(v.h, { kind: 'hash', entries: [['a', 1], ['b', 2], ['c', 3], ['d', 4]] });
});

test('a plugin as a value is a codec node; a bare plugin name is a plain string', () => {
  const ast = parse(`input { stdin { codec => json { charset => "UTF-8" } } tcp { codec => json_lines port => 5000 } }`);
  const stdin = ast.input[0] as PluginNode;
  const codec = stdin.settings[0]!.value as PluginNode;
  assert.equal(codec.kind, 'plugin');
  assert.equal(codec.section, 'codec');
  assert.equal(codec.name, 'json');
  assert.deepEqual(strip(codec.settings), [{ key: 'charset', value: 'UTF-8' }]);
  assert.deepEqual(codec.loc, { file: 'test.conf', line: 1, column: 26 });
  const tcp = ast.input[1] as PluginNode;
  assert.equal(tcp.settings[0]!.value, 'json_lines');
  assert.equal(tcp.settings[1]!.value, 5000);
});

test('quoted setting names and plugin names are accepted (Logstash: name is a word or a string)', () => {
  const ast = parse(`filter { "mutate" { "add_tag" => "x" 'remove_tag' => "y" } }`);
  const p = ast.filter[0] as PluginNode;
  assert.equal(p.name, 'mutate');
  assert.deepEqual(p.settings.map((x) => x.key), ['add_tag', 'remove_tag']);
});

test('plugin and setting locations are exact', () => {
  const text = 'input {\n  stdin {}\n}\nfilter {\n\tmutate {\n\t  add_tag => "x"\n\t}\n}\n';
  const ast = parse(text);
  assert.deepEqual((ast.input[0] as PluginNode).loc, { file: 'test.conf', line: 2, column: 3 });
  const mutate = ast.filter[0] as PluginNode;
  assert.deepEqual(mutate.loc, { file: 'test.conf', line: 5, column: 2 });
  assert.deepEqual(mutate.settings[0]!.loc, { file: 'test.conf', line: 6, column: 4 });
});

test('CRLF line endings and a byte order mark do not disturb positions', () => {
  const ast = parse('\ufeffinput {\r\n  stdin {\r\n    tags => ["a"]\r\n  }\r\n}\r\n');
  const p = ast.input[0] as PluginNode;
  assert.deepEqual(p.loc, { file: 'test.conf', line: 2, column: 3 });
  assert.deepEqual(p.settings[0]!.loc, { file: 'test.conf', line: 3, column: 5 });
});

// ---- strings -------------------------------------------------------------------------------------

test('strings are verbatim by default (config.support_escapes: false)', () => {
  const v = settingsOf(String.raw`filter { x { a => "say \"hi\"" b => 'it\'s' c => "tab\there" d => "\d+\.\d+" e => "line
two" } }`);
  assert.equal(v.a, String.raw`say \"hi\"`);
  assert.equal(v.b, String.raw`it\'s`);
  assert.equal(v.c, String.raw`tab\there`);
  assert.equal(v.d, String.raw`\d+\.\d+`);
  assert.equal(v.e, 'line\ntwo');
});

test('with supportEscapes the StringEscape sequences are processed and others kept', () => {
  const v = settingsOf(String.raw`filter { x { a => "say \"hi\"" b => 'it\'s' c => "t\tn\nr\rz\0" d => "back\\slash" e => "\d+\." } }`, {
    supportEscapes: true,
  });
  assert.equal(v.a, 'say "hi"');
  assert.equal(v.b, "it's");
  assert.equal(v.c, 't\tn\nr\rz\0');
  assert.equal(v.d, 'back\\slash');
  assert.equal(v.e, String.raw`\d+\.`);
  assert.equal(processEscapes('trailing\\'), 'trailing\\');
});

test('a backslash before the closing quote does not end a string, as in Logstash', () => {
  // "C:\" does not end: the string runs on to the next double quote.
  const v = settingsOf(String.raw`filter { x { path => "C:\" other => " y => "z" } }`);
  assert.deepEqual(v, { path: String.raw`C:\" other => `, y: 'z' });
});

// ---- comments and sections -------------------------------------------------------------------------

test('comments are allowed wherever whitespace is', () => {
  const ast = parse(`# leading comment
input # after the section name
{ # after the brace
  stdin { # inside a plugin
    tags => [ # inside an array
      "a", # after an item
      "b"
    ] # after a value
    add_field => { # inside a hash
      "k" => "v" # after an entry
    }
  } # after a plugin
}
filter {
  if [a] # before an operator
    == # after an operator
    "x" # before the block
  { # in the block
    drop {}
  } # between if and else
  else { }
}
output { stdout {} } # trailing comment without newline`);
  const stdin = ast.input[0] as PluginNode;
  assert.deepEqual(strip(stdin.settings), [
    { key: 'tags', value: ['a', 'b'] },
    { key: 'add_field', value: { kind: 'hash', entries: [['k', 'v']] } },
  ]);
  const iff = ast.filter[0] as IfNode;
  assert.equal(iff.branches.length, 2);
  assert.deepEqual(strip(iff.branches[0]!.condition), { type: 'compare', op: '==', left: f('[a]'), right: s('x') });
  assert.equal((ast.output[0] as PluginNode).name, 'stdout');
});

test('several sections of each kind are concatenated in order; empty configs are fine', () => {
  const ast = parse(`
    filter { a {} }
    input { i1 {} }
    filter { b {} c {} }
    output { o1 {} }
    input { i2 {} }
    filter { }
  `);
  const names = (nodes: PipelineAST['input']) => nodes.map((x) => (x as PluginNode).name);
  assert.deepEqual(names(ast.input), ['i1', 'i2']);
  assert.deepEqual(names(ast.filter), ['a', 'b', 'c']);
  assert.deepEqual(names(ast.output), ['o1']);
  assert.deepEqual(parse('  # nothing but a comment\n'), { input: [], filter: [], output: [] });
  assert.deepEqual(parse('input{stdin{}}output{stdout{}}').input.length, 1);
});

// ---- repeated settings ----------------------------------------------------------------------------

test('a repeated setting is merged as Logstash does (compiler_spec cases)', () => {
  assert.deepEqual(settingsOf('filter { g { aarg => [1] aarg => [2] aarg => [3] } }').aarg, [1, 2, 3]);
  assert.deepEqual(settingsOf(`filter { g { aarg => [1] aarg => 2 aarg => '3' aarg => [4] } }`).aarg, [1, 2, '3', 4]);
  const grok = settingsOf(`filter { grok {
    match => { "message" => "%{WORD:word}" }
    match => { "examplefield" => "%{NUMBER:num}" }
    break_on_match => false
  } }`);
  assert.deepEqual(grok.match, {
    kind: 'hash',
    entries: [
      ['message', '%{WORD:word}'],
      ['examplefield', '%{NUMBER:num}'],
    ],
  });
  assert.equal(grok.break_on_match, 'false');
  const dup = settingsOf(`filter { grok { match => { "message" => "foo" } match => { "message" => "bar" } } }`);
  assert.deepEqual(dup.match, { kind: 'hash', entries: [['message', ['foo', 'bar']]] });
  // Scalars: an identical repeat is kept once, different values become an array.
  assert.equal(settingsOf('filter { g { id => "a" id => "a" } }').id, 'a');
  assert.deepEqual(settingsOf('filter { g { add_tag => "a" add_tag => "b" add_tag => "c" } }').add_tag, ['a', 'b', 'c']);
});

test('a repeated hash setting given as another type is an error', () => {
  const err = parseError('filter { g {\n  match => { "a" => "b" }\n  match => "c"\n} }');
  assert.equal(err.line, 3);
  assert.equal(err.column, 3);
  assert.match(err.message, /setting "match" is given again as a string but was a hash at line 2, column 3/);
});

test('duplicate keys in one hash literal are an error pointing at the second key', () => {
  const err = parseError('filter { mutate { add_field => {\n  "a" => "1"\n  a => "2"\n} } }');
  assert.equal(err.line, 3);
  assert.equal(err.column, 3);
  assert.match(err.message, /^test\.conf:3:3: Duplicate keys found in your configuration: "a" \(first given at line 2, column 3\)$/);
  // The same key in two different (nested) hashes is fine.
  assert.doesNotThrow(() => parse('filter { x { h => { a => { k => 1 } b => { k => 2 } } } }'));
});

// ---- ${VAR} ---------------------------------------------------------------------------------------

test('${VAR} and ${VAR:default} are substituted in strings, arrays, hash values and bare positions', () => {
  const env = { HOST: 'db1', PORT: '9200', EMPTY: '' };
  const v = settingsOf(
    `filter { x {
      s => "http://\${HOST}:\${PORT}/x"
      d => "\${MISSING:fallback value}"
      e => "\${MISSING:}"
      set_but_empty => "[\${EMPTY:no}]"
      a => [ "\${HOST}", "\${NOPE:d}" ]
      h => { "\${HOST}" => "\${PORT}" }
      bare => \${PORT}
      bare_default => \${NOPE:5}
      no_var => "$HOST and \${lowercase_ok:x}"
    } }`,
    { env },
  );
  assert.equal(v.s, 'http://db1:9200/x');
  assert.equal(v.d, 'fallback value');
  assert.equal(v.e, '');
  assert.equal(v.set_but_empty, '[]');
  assert.deepEqual(v.a, ['db1', 'd']);
  // Keys are not substituted (Logstash replaces values only).
  assert.deepEqual(v.h, { kind: 'hash', entries: [['${HOST}', '9200']] });
  assert.equal(v.bare, '9200');
  assert.equal(v.bare_default, '5');
  assert.equal(v.no_var, '$HOST and x');
});

test('an undefined variable without default is an error naming it and its position', () => {
  const err = parseError('filter {\n  x {\n    a => "prefix-${NOT_SET}"\n  }\n}');
  assert.equal(err.line, 3);
  assert.equal(err.column, 18);
  assert.match(err.message, /NOT_SET/);
  assert.match(err.message, /^test\.conf:3:18: cannot evaluate `\$\{NOT_SET\}`/);
});

test('process.env is the default source of variables', () => {
  process.env.SLUICE_PARSER_TEST_VAR = 'from-env';
  try {
    const ast = parseConfig('filter { x { a => "${SLUICE_PARSER_TEST_VAR}" } }', 't.conf');
    assert.equal((ast.filter[0] as PluginNode).settings[0]!.value, 'from-env');
  } finally {
    delete process.env.SLUICE_PARSER_TEST_VAR;
  }
});

test('variables are substituted in condition strings and lists but not in regexes', () => {
  const env = { APP: 'web' };
  assert.deepEqual(cond('[app] == "${APP}"', { env }), { type: 'compare', op: '==', left: f('[app]'), right: s('web') });
  assert.deepEqual(cond('[app] in ["${APP}", "x"]', { env }), {
    type: 'in',
    negate: false,
    left: f('[app]'),
    right: { type: 'list', items: [s('web'), s('x')] },
  });
  assert.deepEqual(cond('[app] =~ "^${APP}"', { env }), { type: 'match', op: '=~', left: f('[app]'), right: s('^${APP}') });
  assert.deepEqual(cond('[app] =~ /${APP}/', { env }), { type: 'match', op: '=~', left: f('[app]'), right: { type: 'regex', source: '${APP}' } });
});

// ---- conditionals ---------------------------------------------------------------------------------

test('if / else if / else, nested, in every section', () => {
  const text = `
input { if [x] { a {} } else { b {} } }
filter {
  if [type] == "apache" {
    if [status] >= 500 { c {} } else if [status] >= 400 { d {} }
    e {}
  } else if [type] == "syslog" {
    f {}
  } elseif [type] == "glued" {
  } else {
    if [z] { g {} }
  }
}
output { if "_grokparsefailure" not in [tags] { stdout {} } }`;
  const ast = parse(text);
  const inputIf = ast.input[0] as IfNode;
  assert.equal(inputIf.branches.length, 2);
  assert.equal(inputIf.branches[1]!.condition, null);
  const top = ast.filter[0] as IfNode;
  assert.equal(top.kind, 'if');
  assert.deepEqual(top.loc, { file: 'test.conf', line: 4, column: 3 });
  assert.equal(top.branches.length, 4);
  assert.deepEqual(top.branches[1]!.loc, { file: 'test.conf', line: 7, column: 5 });
  assert.deepEqual(strip(top.branches[2]!.condition), { type: 'compare', op: '==', left: f('[type]'), right: s('glued') });
  const inner = top.branches[0]!.body[0] as IfNode;
  assert.equal(inner.kind, 'if');
  assert.equal(inner.branches.length, 2);
  assert.deepEqual(strip(inner.branches[1]!.condition), { type: 'compare', op: '>=', left: f('[status]'), right: n(400) });
  assert.equal((top.branches[0]!.body[1] as PluginNode).name, 'e');
  assert.equal(((top.branches[3]!.body[0] as IfNode).branches[0]!.body[0] as PluginNode).name, 'g');
  assert.equal(((ast.output[0] as IfNode).branches[0]!.body[0] as PluginNode).section, 'output');
});

test('every comparison, match and membership operator', () => {
  for (const op of ['==', '!=', '<', '>', '<=', '>=']) {
    assert.deepEqual(cond(`[a] ${op} 1`), { type: 'compare', op, left: f('[a]'), right: n(1) });
  }
  assert.deepEqual(cond('[a]<=[b]'), { type: 'compare', op: '<=', left: f('[a]'), right: f('[b]') });
  assert.deepEqual(cond('[a] =~ /^x\\/y$/'), { type: 'match', op: '=~', left: f('[a]'), right: { type: 'regex', source: '^x\\/y$' } });
  assert.deepEqual(cond('[a] !~ "\\.log$"'), { type: 'match', op: '!~', left: f('[a]'), right: s('\\.log$') });
  assert.deepEqual(cond('"x" in [tags]'), { type: 'in', negate: false, left: s('x'), right: f('[tags]') });
  assert.deepEqual(cond('[a] not  in ["b", 2]'), {
    type: 'in',
    negate: true,
    left: f('[a]'),
    right: { type: 'list', items: [s('b'), n(2)] },
  });
  assert.deepEqual(cond('[a] in []'), { type: 'in', negate: false, left: f('[a]'), right: { type: 'list', items: [] } });
  assert.deepEqual(cond('[@metadata][x][0] == -1.5'), { type: 'compare', op: '==', left: f('[@metadata][x][0]'), right: n(-1.5) });
  assert.deepEqual(cond('[a]'), truthy('[a]'));
  assert.deepEqual(cond('"literal"'), { type: 'truthy', value: s('literal') });
  assert.deepEqual(cond('![a]'), { type: 'not', expr: truthy('[a]') });
  assert.deepEqual(cond('!("foo" in ["hello", "world"])'), {
    type: 'not',
    expr: { type: 'in', negate: false, left: s('foo'), right: { type: 'list', items: [s('hello'), s('world')] } },
  });
  const glued = parse('filter{if[a]{drop{}}else{}}').filter[0] as IfNode;
  assert.deepEqual(strip(glued.branches[0]!.condition), truthy('[a]'));
});

test('a one-element list is a field reference, as in Logstash (elastic/logstash#9932)', () => {
  assert.deepEqual(cond('[a] in ["x"]'), { type: 'in', negate: false, left: f('[a]'), right: f('["x"]') });
  assert.deepEqual(cond('[a] in ["x", "y"]'), {
    type: 'in',
    negate: false,
    left: f('[a]'),
    right: { type: 'list', items: [s('x'), s('y')] },
  });
});

test('precedence: and binds tighter than or; chains group to the left', () => {
  const [a, b, c, d] = [truthy('[a]'), truthy('[b]'), truthy('[c]'), truthy('[d]')];
  assert.deepEqual(cond('[a] or [b] and [c]'), bool('or', a, bool('and', b, c)));
  assert.deepEqual(cond('[a] and [b] or [c]'), bool('or', bool('and', a, b), c));
  assert.deepEqual(cond('[a] and [b] or [c] and [d]'), bool('or', bool('and', a, b), bool('and', c, d)));
  assert.deepEqual(cond('[a] and [b] and [c] or [d]'), bool('or', bool('and', bool('and', a, b), c), d));
  assert.deepEqual(cond('[a] or [b] or [c]'), bool('or', bool('or', a, b), c));
  assert.deepEqual(cond('([a] or [b]) and [c]'), bool('and', bool('or', a, b), c));
  assert.deepEqual(cond('[a] and ([b] or ([c]))'), bool('and', a, bool('or', b, c)));
  assert.deepEqual(cond('[a] xor [b]'), bool('xor', a, b));
  assert.deepEqual(cond('[a] nand [b]'), bool('nand', a, b));
  assert.deepEqual(cond('([a] xor [b]) or [c]'), bool('or', bool('xor', a, b), c));
  assert.deepEqual(cond('![a] and [b]'), bool('and', { type: 'not', expr: a }, b));
});

test('xor and nand cannot be mixed with other boolean operators without parentheses', () => {
  const err = parseError('filter { if [a] and [b] nand [c] { } }');
  assert.equal(err.column, 25);
  assert.match(err.message, /"nand" cannot be combined/);
  assert.throws(() => parse('filter { if [a] xor [b] xor [c] { } }'), /"xor" cannot be combined/);
});

test('operator keywords need a word boundary; uppercase OR is not an operator', () => {
  const err = parseError('filter { if [a] == "x" OR [b] == "y" { } }');
  assert.equal(err.column, 24);
  assert.match(err.message, /but found "OR"/);
  assert.throws(() => parse('filter { if [a] index [b] { } }'), /but found "index"/);
});

// ---- errors -------------------------------------------------------------------------------------------

test('error: a missing "=>" names file, line, column, expectation and what was found', () => {
  const err = parseError('input {\n  stdin {\n    codec json\n  }\n}');
  assert.equal(err.message, 'test.conf:3:11: expected "=>" but found "json" (after the setting name "codec")');
  assert.equal(err.file, 'test.conf');
  assert.equal(err.line, 3);
  assert.equal(err.column, 11);
  assert.deepEqual(err.expected, ['"=>"']);
  assert.equal(err.found, '"json"');
});

test('error: a section that is never closed', () => {
  const err = parseError('filter {\n  mutate { }\n');
  assert.equal(err.line, 3);
  assert.equal(err.column, 1);
  assert.match(err.message, /expected one of a plugin name, "if", "}" but found end of input \(the "filter" section opened at line 1, column 8 is not closed\)/);
});

test('error: a forgotten "}" between two plugins is pointed out', () => {
  const err = parseError('filter {\n  grok {\n    match => { "message" => "%{WORD:w}" }\n\n  date { match => ["t", "ISO8601"] }\n}\n');
  assert.equal(err.line, 5);
  assert.equal(err.column, 8);
  assert.match(err.message, /"date" looks like a plugin: is the "}" closing plugin "grok" \(line 2, column 3\) missing\?/);
});

test('error: unknown section name', () => {
  const err = parseError('# comment\ninputs { stdin {} }');
  assert.equal(err.message, 'test.conf:2:1: expected one of "input", "filter", "output" but found "inputs"');
});

test('error: unterminated strings and regexes point at their start', () => {
  const err = parseError('filter {\n  mutate { add_tag => "oops }\n}\n');
  assert.equal(err.line, 2);
  assert.equal(err.column, 23);
  assert.match(err.message, /unterminated double-quoted string/);
  const re = parseError('filter { if [a] =~ /abc { } }');
  assert.equal(re.column, 20);
  assert.match(re.message, /unterminated regular expression/);
});

test('error: unquoted values Logstash would not accept', () => {
  const bytes = parseError('output { x { max => 10MiB } }');
  assert.equal(bytes.column, 21);
  assert.match(bytes.message, /but found "10MiB".*quote the value: "10MiB"/);
  assert.match(parseError('output { x { host => 127.0.0.1 } }').message, /but found "127\.0\.0\.1"/);
  assert.match(parseError('output { x { name => foo-bar } }').message, /but found "foo-bar"/);
});

test('error: settings must be separated by whitespace, arrays by commas', () => {
  const glued = parseError('filter { x { a => "1"b => "2" } }');
  assert.equal(glued.column, 22);
  assert.deepEqual(glued.expected, ['whitespace', '"}"']);
  const noComma = parseError('filter { x { a => ["1" "2"] } }');
  assert.equal(noComma.message, 'test.conf:1:24: expected one of ",", "]" but found "2"');
  const trailing = parseError('filter { x { a => ["1", ] } }');
  assert.equal(trailing.column, 25);
  assert.match(trailing.message, /trailing comma/);
});

test('error: bad conditions', () => {
  const assign = parseError('filter {\n  if [a] = "x" { }\n}');
  assert.equal(assign.line, 2);
  assert.equal(assign.column, 10);
  assert.ok(assign.expected.includes('"=="'));
  assert.ok(assign.expected.includes('"{"'));
  const bare = parseError('filter { if foo == "bar" { } }');
  assert.equal(bare.column, 13);
  assert.match(bare.message, /but found "foo" \(a bare word is not a value in a condition/);
  const method = parseError('filter { if length([a]) > 1 { } }');
  assert.match(method.message, /method calls like "length\(…\)" are not supported/);
  const regexCompare = parseError('filter { if [a] == /x/ { } }');
  assert.equal(regexCompare.column, 20);
  assert.match(regexCompare.message, /a regular expression can only follow "=~" or "!~"/);
  const matchField = parseError('filter { if [a] =~ [b] { } }');
  assert.deepEqual(matchField.expected, ['a regular expression', 'a string']);
  const bang = parseError('filter { if !"x" { } }');
  assert.match(bang.message, /expected one of "\(", a field reference but found "x"/);
  const paren = parseError('filter { if ([a] == 1 { } }');
  assert.ok(paren.expected.includes('")"'));
  assert.match(parseError('filter { else { } }').message, /"else" without a preceding "if" block/);
  const noBlock = parseError('filter { if [a] } ');
  assert.equal(noBlock.column, 17);
});

test('error: invisible characters are shown escaped', () => {
  const err = parseError('filter {\u00a0mutate {} }');
  assert.match(err.message, /but found "\\u00a0/);
});

// ---- complete configurations from Logstash's documentation --------------------------------------

test('doc example: apache/error/random logs with conditionals (config-examples)', () => {
  const ast = parse(`input {
  file {
    path => "/tmp/*_log"
  }
}

filter {
  if [path] =~ "access" {
    mutate { replace => { type => "apache_access" } }
    grok {
      match => { "message" => "%{COMBINEDAPACHELOG}" }
    }
    date {
      match => [ "timestamp" , "dd/MMM/yyyy:HH:mm:ss Z" ]
    }
  } else if [path] =~ "error" {
    mutate { replace => { type => "apache_error" } }
  } else {
    mutate { replace => { type => "random_logs" } }
  }
}

output {
  elasticsearch { hosts => ["localhost:9200"] }
  stdout { codec => rubydebug }
}`);
  const branches = (ast.filter[0] as IfNode).branches;
  assert.equal(branches.length, 3);
  assert.deepEqual(strip(branches[0]!.condition), { type: 'match', op: '=~', left: f('[path]'), right: s('access') });
  const [mutate, grok, date] = branches[0]!.body as PluginNode[];
  assert.deepEqual(strip(mutate!.settings), [{ key: 'replace', value: { kind: 'hash', entries: [['type', 'apache_access']] } }]);
  assert.deepEqual(strip(grok!.settings), [{ key: 'match', value: { kind: 'hash', entries: [['message', '%{COMBINEDAPACHELOG}']] } }]);
  assert.deepEqual(strip(date!.settings), [{ key: 'match', value: ['timestamp', 'dd/MMM/yyyy:HH:mm:ss Z'] }]);
  assert.deepEqual(strip((ast.output[1] as PluginNode).settings), [{ key: 'codec', value: 'rubydebug' }]);
});

test('doc example: syslog with a grok of several captures, repeated add_field and a multi-format date', () => {
  const ast = parse(`input {
  tcp {
    port => 5000
    type => syslog
  }
  udp {
    port => 5000
    type => syslog
  }
}

filter {
  if [type] == "syslog" {
    grok {
      match => { "message" => "%{SYSLOGTIMESTAMP:syslog_timestamp} %{SYSLOGHOST:syslog_hostname} %{DATA:syslog_program}(?:\\[%{POSINT:syslog_pid}\\])?: %{GREEDYDATA:syslog_message}" }
      add_field => [ "received_at", "%{@timestamp}" ]
      add_field => [ "received_from", "%{host}" ]
    }
    date {
      match => [ "syslog_timestamp", "MMM  d HH:mm:ss", "MMM dd HH:mm:ss" ]
    }
  }
}

output {
  elasticsearch { hosts => ["localhost:9200"] }
  stdout { codec => rubydebug }
}`);
  assert.deepEqual(strip((ast.input[0] as PluginNode).settings), [
    { key: 'port', value: 5000 },
    { key: 'type', value: 'syslog' },
  ]);
  const [grok, date] = (ast.filter[0] as IfNode).branches[0]!.body as PluginNode[];
  const match = grok!.settings[0]!.value as { entries: Array<[string, string]> };
  assert.equal(match.entries[0]![1], '%{SYSLOGTIMESTAMP:syslog_timestamp} %{SYSLOGHOST:syslog_hostname} %{DATA:syslog_program}(?:\\[%{POSINT:syslog_pid}\\])?: %{GREEDYDATA:syslog_message}');
  assert.deepEqual(grok!.settings[1]!.value, ['received_at', '%{@timestamp}', 'received_from', '%{host}']);
  assert.deepEqual(date!.settings[0]!.value, ['syslog_timestamp', 'MMM  d HH:mm:ss', 'MMM dd HH:mm:ss']);
});

test('doc example: grok with several patterns per field and pattern_definitions', () => {
  const v = settingsOf(`filter {
  grok {
    match => {
      "message" => [
        "Duration: %{NUMBER:duration}",
        "Speed: %{NUMBER:speed}"
      ]
    }
    pattern_definitions => { "MYNUM" => "\\d+" }
    break_on_match => false
    tag_on_failure => [ "_grokparsefailure", "custom" ]
  }
}`);
  assert.deepEqual(v.match, { kind: 'hash', entries: [['message', ['Duration: %{NUMBER:duration}', 'Speed: %{NUMBER:speed}']]] });
  assert.deepEqual(v.pattern_definitions, { kind: 'hash', entries: [['MYNUM', '\\d+']] });
  assert.equal(v.break_on_match, 'false');
});

test('doc example: date with several formats, timezone and target', () => {
  const v = settingsOf(`filter {
  date {
    match => [ "logdate", "MMM dd yyyy HH:mm:ss", "MMM  d yyyy HH:mm:ss", "ISO8601" ]
    timezone => "Europe/Paris"
    target => "[@metadata][ts]"
    locale => en
  }
}`);
  assert.deepEqual(v.match, ['logdate', 'MMM dd yyyy HH:mm:ss', 'MMM  d yyyy HH:mm:ss', 'ISO8601']);
  assert.equal(v.target, '[@metadata][ts]');
  assert.equal(v.locale, 'en');
});

test('doc example: mutate split/add_field/rename and convert, then @metadata in an output condition', () => {
  const ast = parse(`filter {
  mutate {
    split => ["hostname", "."]
    add_field => { "shortHostname" => "%{[hostname][0]}" }
  }
  mutate {
    rename => ["shortHostname", "hostname"]
  }
  mutate {
    convert => {
      "fieldname" => "integer"
      "booleanfield" => "boolean"
    }
  }
  mutate { add_field => { "[@metadata][test]" => "Hello" } }
}
output {
  if [@metadata][test] == "Hello" {
    stdout { codec => rubydebug { metadata => true } }
  }
}`);
  const [m1, m2, m3] = ast.filter as PluginNode[];
  assert.deepEqual(strip(m1!.settings), [
    { key: 'split', value: ['hostname', '.'] },
    { key: 'add_field', value: { kind: 'hash', entries: [['shortHostname', '%{[hostname][0]}']] } },
  ]);
  assert.deepEqual(m2!.settings[0]!.value, ['shortHostname', 'hostname']);
  assert.deepEqual(strip(m3!.settings[0]!.value), { kind: 'hash', entries: [['fieldname', 'integer'], ['booleanfield', 'boolean']] });
  const out = ast.output[0] as IfNode;
  assert.deepEqual(strip(out.branches[0]!.condition), { type: 'compare', op: '==', left: f('[@metadata][test]'), right: s('Hello') });
  const codec = (out.branches[0]!.body[0] as PluginNode).settings[0]!.value as PluginNode;
  assert.equal(codec.section, 'codec');
  assert.deepEqual(strip(codec.settings), [{ key: 'metadata', value: 'true' }]);
});

test('doc example: kv options', () => {
  const v = settingsOf(`filter {
  kv {
    field_split => "&?"
    include_keys => [ "from", "to" ]
    default_keys => [ "from", "logstash@example.com",
                      "to", "default@dev.null" ]
    trim_value => "<>\\[\\],"
    value_split_pattern => "[:=]"
    prefix => "arg_"
    recursive => "true"
  }
}`);
  assert.equal(v.field_split, '&?');
  assert.deepEqual(v.include_keys, ['from', 'to']);
  assert.deepEqual(v.default_keys, ['from', 'logstash@example.com', 'to', 'default@dev.null']);
  assert.equal(v.trim_value, '<>\\[\\],');
});

test('doc example: pipeline-to-pipeline config strings (bare word in an array)', () => {
  const up = parse('input { stdin {} } output { pipeline { send_to => [myVirtualAddress] } }');
  assert.deepEqual((up.output[0] as PluginNode).settings[0]!.value, ['myVirtualAddress']);
  const down = parse('input { pipeline { address => myVirtualAddress } }');
  assert.equal((down.input[0] as PluginNode).settings[0]!.value, 'myVirtualAddress');
});

test('doc example: conditionals reference (in / not in / ! / and)', () => {
  const ast = parse(`filter {
  if [action] == "login" {
    mutate { remove_field => "secret" }
  }
  if [foo] in [foobar] { a {} }
  if [foo] in "foo" { b {} }
  if "hello" in [greeting] { c {} }
  if [foo] in ["hello", "world", "foo"] { d {} }
  if [missing] in [alsomissing] { e {} }
  if !("foo" in ["hello", "world"]) { f {} }
}
output {
  # Send production errors to pagerduty
  if [loglevel] == "ERROR" and [deployment] == "production" {
    pagerduty { service_key => "abc" }
  }
  if "_grokparsefailure" not in [tags] {
    elasticsearch { hosts => ["localhost:9200"] }
  }
}`);
  assert.equal(ast.filter.length, 7);
  const conds = ast.filter.map((x) => strip((x as IfNode).branches[0]!.condition)) as Expr[];
  assert.deepEqual(conds[1], { type: 'in', negate: false, left: f('[foo]'), right: f('[foobar]') });
  assert.deepEqual(conds[2], { type: 'in', negate: false, left: f('[foo]'), right: s('foo') });
  assert.deepEqual(strip((ast.output[0] as IfNode).branches[0]!.condition), bool(
    'and',
    { type: 'compare', op: '==', left: f('[loglevel]'), right: s('ERROR') },
    { type: 'compare', op: '==', left: f('[deployment]'), right: s('production') },
  ));
});
