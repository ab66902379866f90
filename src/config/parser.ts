// A hand-written recursive-descent parser for the Logstash pipeline configuration language, following
// Logstash's treetop grammar (logstash-core/lib/logstash/compiler/lscl/lscl_grammar.treetop) and the
// AST rules of its compiler (lscl.rb). Where Logstash's behaviour is surprising we follow it and say so;
// where we deliberately differ (friendlier, never silently different results) the comment says why.

import type { Expr, HashValue, IfBranch, IfNode, Loc, Node, PipelineAST, PluginNode, Rvalue, Section, Setting, Value } from './ast.js';

export interface ParseOptions {
  /** Variables for `${VAR}` / `${VAR:default}` substitution (default: process.env). */
  env?: Record<string, string | undefined>;
  /**
   * Logstash's `config.support_escapes` (default false). When false, the text between the quotes is kept
   * verbatim (a `\"` does not end a double-quoted string and the backslash stays); when true,
   * \\ \" \' \n \r \t \0 are processed and any other backslash sequence is kept as written.
   */
  supportEscapes?: boolean;
}

/** A configuration error with its position: `file:line:column: expected … but found …`. */
export class ConfigSyntaxError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** What would have been accepted at this point (empty when the error is not about the next token). */
  readonly expected: readonly string[];
  /** The offending token as shown in the message, when there is one. */
  readonly found: string | undefined;

  constructor(loc: Loc, detail: string, expected: readonly string[] = [], found?: string) {
    super(`${loc.file}:${loc.line}:${loc.column}: ${detail}`);
    this.name = 'ConfigSyntaxError';
    this.file = loc.file;
    this.line = loc.line;
    this.column = loc.column;
    this.expected = expected;
    this.found = found;
  }
}

/** Parse one configuration file (or config string) into its sections. */
export function parseConfig(text: string, file: string, opts: ParseOptions = {}): PipelineAST {
  return new Parser(text, file, opts.env ?? process.env, opts.supportEscapes ?? false).parseConfig();
}

// Logstash's substitution placeholder (org.logstash.settings.SubstitutionVariables).
const PLACEHOLDER = /\$\{([a-zA-Z_.][a-zA-Z0-9_.]*)(?::([^}]*))?\}/g;

/** Replace `${VAR}` / `${VAR:default}`; `onMissing` is called for an undefined variable without default. */
export function substituteVariables(
  value: string,
  env: Record<string, string | undefined>,
  onMissing: (name: string, index: number) => string,
): string {
  if (!value.includes('${')) return value;
  return value.replace(PLACEHOLDER, (_m, name: string, def: string | undefined, index: number) => {
    const v = env[name];
    if (v !== undefined) return v;
    if (def !== undefined) return def;
    return onMissing(name, index);
  });
}

/** Logstash's StringEscape (config.support_escapes: true). Unknown sequences keep their backslash. */
export function processEscapes(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c;
      continue;
    }
    const n = raw[i + 1];
    i++;
    switch (n) {
      case '\\':
      case '"':
      case "'":
        out += n;
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case '0':
        out += '\0';
        break;
      default:
        out += '\\' + n;
    }
  }
  return out;
}

type BoolOp = 'and' | 'or' | 'xor' | 'nand';
type CompareOp = '==' | '!=' | '<' | '>' | '<=' | '>=';

const NAME_CHAR = /[A-Za-z0-9_-]/; // plugin and setting names: [A-Za-z0-9_-]+
const IDENT_CHAR = /[A-Za-z0-9_]/; // keyword boundaries (and, or, in, …)
const BAREWORD_START = /[A-Za-z_]/;
const BAREWORD = /[A-Za-z_][A-Za-z0-9_]*/y; // Logstash wants 2+ chars; we also accept one
const NUMBER = /-?[0-9]+(?:\.[0-9]*)?/y;
const TOKEN_STOP = /[\s{}[\](),"'#=<>!~]/;
const COMPARE_OPS: readonly CompareOp[] = ['==', '!=', '<=', '>=', '<', '>'];
const TWO_CHAR_TOKENS = ['=>', '==', '!=', '<=', '>=', '=~', '!~'];

const EXPECT_BOOL_OPS = ['"and"', '"or"', '"xor"', '"nand"'];
const EXPECT_OPERATORS = ['"=="', '"!="', '"<"', '">"', '"<="', '">="', '"=~"', '"!~"', '"in"', '"not in"'];
const EXPECT_RVALUE = ['a field reference', 'a string', 'a number', 'a list', 'a regular expression'];
const EXPECT_VALUE = ['a value (string, number, bare word, array, hash or plugin)'];

const isQuote = (c: string | undefined): boolean => c === '"' || c === "'";
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isNameChar = (c: string | undefined): boolean => c !== undefined && NAME_CHAR.test(c);
const isIdentChar = (c: string | undefined): boolean => c !== undefined && IDENT_CHAR.test(c);

function isHash(v: Value): v is HashValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'hash';
}

function valueKind(v: Value): string {
  if (Array.isArray(v)) return 'an array';
  if (isHash(v)) return 'a hash';
  if (typeof v === 'object') return 'a plugin';
  return `a ${typeof v}`;
}

/** Ruby-like `==` on setting values (hashes compare regardless of key order). */
function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => valueEquals(x, b[i]!));
  }
  if (isHash(a) && isHash(b)) {
    if (a.entries.length !== b.entries.length) return false;
    const bm = new Map(b.entries);
    return a.entries.every(([k, v]) => bm.has(k) && valueEquals(v, bm.get(k)!));
  }
  if (a.kind === 'plugin' && b.kind === 'plugin') {
    return (
      a.name === b.name &&
      a.settings.length === b.settings.length &&
      a.settings.every((s, i) => s.key === b.settings[i]!.key && valueEquals(s.value, b.settings[i]!.value))
    );
  }
  return false;
}

// Merging of a repeated hash setting, after LogStash::Util.hash_merge_many / hash_merge_with_dups:
// values of a key present in both become an array; arrays are appended; nested hashes are merged with
// hash_merge, whose arrays are unioned without duplicates.
function hashMerge(dst: HashValue, src: HashValue, keepDuplicates: boolean): HashValue {
  const out = new Map<string, Value>(dst.entries);
  for (const [k, sv] of src.entries) {
    if (!out.has(k)) {
      out.set(k, sv);
      continue;
    }
    const dv = out.get(k)!;
    let merged: Value;
    if (isHash(dv) && isHash(sv)) merged = hashMerge(dv, sv, false);
    else if (Array.isArray(sv)) {
      const base = Array.isArray(dv) ? dv : [dv];
      merged = keepDuplicates ? [...base, ...sv] : union(base, sv);
    } else if (Array.isArray(dv)) merged = dv.some((x) => valueEquals(x, sv)) ? dv : [...dv, sv];
    else merged = valueEquals(dv, sv) ? dv : [dv, sv];
    out.set(k, merged);
  }
  return { kind: 'hash', entries: [...out] };
}

function union(a: Value[], b: Value[]): Value[] {
  const out: Value[] = [];
  for (const v of [...a, ...b]) if (!out.some((x) => valueEquals(x, v))) out.push(v);
  return out;
}

class Parser {
  private pos = 0;
  private readonly lineStarts: number[] = [0];
  /** Set by parseExpression: the last expression was a bare operand (so a comparison operator could follow). */
  private lastWasBare = false;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly env: Record<string, string | undefined>,
    private readonly supportEscapes: boolean,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  // ---- positions and errors ------------------------------------------------------------------

  private loc(offset: number = this.pos): Loc {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  private where(offset: number): string {
    const l = this.loc(offset);
    return `line ${l.line}, column ${l.column}`;
  }

  /** Throw `expected one of … but found …` at `at`. */
  private fail(expected: readonly string[], at: number = this.pos, hint?: string): never {
    const found = this.describeFound(at);
    const what = expected.length === 1 ? expected[0] : `one of ${expected.join(', ')}`;
    throw new ConfigSyntaxError(this.loc(at), `expected ${what} but found ${found}${hint ? ` (${hint})` : ''}`, expected, found);
  }

  private error(at: number, message: string): never {
    throw new ConfigSyntaxError(this.loc(at), message);
  }

  private describeFound(at: number): string {
    if (at >= this.text.length) return 'end of input';
    const c = this.text[at]!;
    if (isQuote(c)) {
      let end = at + 1;
      while (end < this.text.length && this.text[end] !== c && this.text[end] !== '\n') end++;
      const tok = this.text.slice(at, end + 1).trimEnd();
      return tok.length > 40 ? `${tok.slice(0, 40)}…` : tok;
    }
    const run = this.tokenRun(at);
    if (run) return quote(run.length > 40 ? `${run.slice(0, 40)}…` : run);
    const two = this.text.slice(at, at + 2);
    if (TWO_CHAR_TOKENS.includes(two)) return quote(two);
    if (c === '\n' || c === '\r') return 'end of line';
    return quote(c);
  }

  /** The characters from `at` up to whitespace or punctuation: what the user wrote as one word. */
  private tokenRun(at: number): string {
    let i = at;
    while (i < this.text.length && !TOKEN_STOP.test(this.text[i]!)) i++;
    return this.text.slice(at, i);
  }

  // ---- low-level scanning --------------------------------------------------------------------

  /** Skip whitespace and `#` comments; true when anything was skipped. */
  private skipCs(): boolean {
    const start = this.pos;
    const t = this.text;
    for (;;) {
      const c = t[this.pos];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.pos++;
      else if (c === '#') {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? t.length : nl + 1;
      } else break;
    }
    return this.pos > start;
  }

  private peekName(at: number = this.pos): string {
    let i = at;
    while (isNameChar(this.text[i])) i++;
    return this.text.slice(at, i);
  }

  /** `word` at the cursor, not followed by another name character. */
  private atKeyword(word: string, boundary: (c: string | undefined) => boolean = isNameChar): boolean {
    return this.text.startsWith(word, this.pos) && !boundary(this.text[this.pos + word.length]);
  }

  private expect(token: string, expected: readonly string[] = [`"${token}"`], hint?: string): void {
    if (this.text.startsWith(token, this.pos)) this.pos += token.length;
    else this.fail(expected, this.pos, hint);
  }

  private notClosed(what: string, openedAt: number): string {
    return `${what} opened at ${this.where(openedAt)} is not closed`;
  }

  /** The raw text of a quoted string; the cursor is on the opening quote. A `\<quote>` does not end it. */
  private scanQuoted(): string {
    const q = this.text[this.pos]!;
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      if (i >= this.text.length) {
        this.error(start, `unterminated ${q === '"' ? 'double' : 'single'}-quoted string: no closing ${q} before the end of the file`);
      }
      const c = this.text[i];
      if (c === '\\' && this.text[i + 1] === q) i += 2;
      else if (c === q) break;
      else i++;
    }
    this.pos = i + 1;
    return this.text.slice(start + 1, i);
  }

  /** A quoted string value: verbatim, or with escapes processed when config.support_escapes is on. */
  private parseString(): string {
    const raw = this.scanQuoted();
    return this.supportEscapes ? processEscapes(raw) : raw;
  }

  private substitute(value: string, at: number): string {
    return substituteVariables(value, this.env, (name, index) => {
      const raw = this.text.indexOf('${' + name, at);
      return this.error(
        raw >= 0 ? raw : at + 1 + index,
        `cannot evaluate \`\${${name}}\`: variable ${name} is not defined in the environment and has no default value (write \${${name}:default} to give one)`,
      );
    });
  }

  /** A number token; fails when it runs on into letters or dots (`10MiB`, `127.0.0.1`). */
  private parseNumber(): number {
    const start = this.pos;
    NUMBER.lastIndex = start;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail(EXPECT_VALUE, start);
    this.checkWholeToken(start, m[0].length);
    this.pos = start + m[0].length;
    return Number(m[0]);
  }

  private parseBareword(): string {
    const start = this.pos;
    BAREWORD.lastIndex = start;
    const m = BAREWORD.exec(this.text)!;
    this.checkWholeToken(start, m[0].length);
    this.pos = start + m[0].length;
    return m[0];
  }

  private checkWholeToken(start: number, parsedLength: number): void {
    const run = this.tokenRun(start);
    if (run.length > parsedLength) {
      this.fail(EXPECT_VALUE, start, `bare words may contain only letters, digits and "_", and numbers only digits, "-" and one "."; quote the value: "${run}"`);
    }
  }

  // ---- sections, plugins and settings --------------------------------------------------------

  parseConfig(): PipelineAST {
    const ast: PipelineAST = { input: [], filter: [], output: [] };
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1; // byte order mark
    this.skipCs();
    while (this.pos < this.text.length) {
      const word = this.peekName();
      if (word !== 'input' && word !== 'filter' && word !== 'output') this.fail(['"input"', '"filter"', '"output"']);
      this.pos += word.length;
      this.skipCs();
      ast[word].push(...this.parseBlock(word, `the "${word}" section`));
      this.skipCs();
    }
    return ast;
  }

  /** `{ (plugin | if)* }` — a section body or the body of a branch. */
  private parseBlock(section: Section, what: string): Node[] {
    const open = this.pos;
    this.expect('{');
    const nodes: Node[] = [];
    for (;;) {
      this.skipCs();
      const c = this.text[this.pos];
      if (c === '}') {
        this.pos++;
        return nodes;
      }
      if (c === undefined) this.fail(['a plugin name', '"if"', '"}"'], this.pos, this.notClosed(what, open));
      if (this.atKeyword('if')) nodes.push(this.parseIf(section));
      else if (this.atKeyword('else')) this.error(this.pos, '"else" without a preceding "if" block');
      else if (isNameChar(c) || isQuote(c)) nodes.push(this.parsePlugin(section));
      else this.fail(['a plugin name', '"if"', '"}"']);
    }
  }

  /** A plugin or setting name: `[A-Za-z0-9_-]+` or a quoted string (taken verbatim). */
  private parseName(expected: readonly string[]): string {
    if (isQuote(this.text[this.pos])) return this.scanQuoted();
    const name = this.peekName();
    if (!name) this.fail(expected);
    this.pos += name.length;
    return name;
  }

  private parsePlugin(section: Section): PluginNode {
    const start = this.pos;
    const name = this.parseName(['a plugin name']);
    this.skipCs();
    if (this.text[this.pos] !== '{') this.fail(['"{"'], this.pos, `after the plugin name "${name}"`);
    return this.parsePluginBody(name, section, start);
  }

  /** `{ name => value … }`; the cursor is on the `{`. */
  private parsePluginBody(name: string, section: PluginNode['section'], start: number): PluginNode {
    const open = this.pos;
    this.pos++;
    const settings: Setting[] = [];
    const byKey = new Map<string, Setting>();
    let separated = true;
    for (;;) {
      if (this.skipCs()) separated = true;
      const c = this.text[this.pos];
      if (c === '}') {
        this.pos++;
        break;
      }
      if (c === undefined) this.fail(['a setting name', '"}"'], this.pos, this.notClosed(`the block of plugin "${name}"`, open));
      // Logstash requires whitespace between settings (`a => "x"b => 1` is an error there too).
      if (!separated) this.fail(['whitespace', '"}"']);
      if (!isNameChar(c) && !isQuote(c)) this.fail(['a setting name', '"}"']);
      const keyAt = this.pos;
      const key = this.parseName(['a setting name', '"}"']);
      this.skipCs();
      if (this.text[this.pos] === '{') {
        this.fail(['"=>"'], this.pos, `"${key}" looks like a plugin: is the "}" closing plugin "${name}" (${this.where(start)}) missing?`);
      }
      this.expect('=>', ['"=>"'], `after the setting name "${key}"`);
      this.skipCs();
      const value = this.parseValue(true);
      this.addSetting(settings, byKey, key, value, keyAt);
      separated = false;
    }
    return { kind: 'plugin', section, name, settings, loc: this.loc(start) };
  }

  /**
   * A setting given more than once in one plugin block is merged as Logstash's compiler does
   * (lscl.rb Plugin#expr_attributes): hashes are merged (a key present in both gets both values as an
   * array), arrays are concatenated, and differing scalars become an array (`add_field => [..]` twice).
   * One deviation: a scalar followed by an array gives a flat array where Logstash nests it.
   */
  private addSetting(settings: Setting[], byKey: Map<string, Setting>, key: string, value: Value, at: number): void {
    const prev = byKey.get(key);
    if (!prev) {
      const s: Setting = { key, value, loc: this.loc(at) };
      settings.push(s);
      byKey.set(key, s);
      return;
    }
    const old = prev.value;
    if (isHash(old)) {
      if (!isHash(value)) this.cannotMerge(key, old, value, prev, at);
      prev.value = hashMerge(old, value, true);
    } else if (Array.isArray(old)) {
      if (isHash(value)) this.cannotMerge(key, old, value, prev, at);
      prev.value = Array.isArray(value) ? [...old, ...value] : [...old, value];
    } else if (!valueEquals(old, value)) {
      prev.value = Array.isArray(value) ? [old, ...value] : [old, value];
    }
  }

  private cannotMerge(key: string, old: Value, value: Value, prev: Setting, at: number): never {
    this.error(at, `setting "${key}" is given again as ${valueKind(value)} but was ${valueKind(old)} at ${this.where(this.offsetOf(prev.loc))}; Logstash cannot merge these`);
  }

  private offsetOf(loc: Loc): number {
    return this.lineStarts[loc.line - 1]! + loc.column - 1;
  }

  /** plugin / bareword / string / number / array / hash (a plugin only where `allowPlugin`). */
  private parseValue(allowPlugin: boolean): Value {
    const start = this.pos;
    const c = this.text[start];
    if (allowPlugin && (isNameChar(c) || isQuote(c))) {
      // `codec => json { … }`: a name followed by a block is a plugin (its section is "codec").
      const name = isQuote(c) ? this.scanQuoted() : this.peekName();
      if (!isQuote(c)) this.pos += name.length;
      this.skipCs();
      if (this.text[this.pos] === '{') return this.parsePluginBody(name, 'codec', start);
      this.pos = start;
    }
    if (isQuote(c)) return this.substitute(this.parseString(), start);
    if (c === '[') return this.parseArray();
    if (c === '{') return this.parseHash();
    if (c === '$' && this.text[start + 1] === '{') {
      // Unquoted `${VAR}`: not in Logstash's grammar (its docs always quote it), accepted for convenience.
      const end = this.text.indexOf('}', start);
      if (end < 0) this.fail(EXPECT_VALUE, start);
      this.pos = end + 1;
      return this.substitute(this.text.slice(start, end + 1), start);
    }
    if (c === '-' || isDigit(c)) return this.parseNumber();
    if (c !== undefined && BAREWORD_START.test(c)) return this.parseBareword();
    this.fail(EXPECT_VALUE);
  }

  /** `[ value, value ]` — commas required, no trailing comma (as in Logstash). */
  private parseArray(): Value[] {
    const open = this.pos;
    this.pos++;
    const items: Value[] = [];
    this.skipCs();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return items;
    }
    for (;;) {
      if (this.text[this.pos] === ']') this.fail(EXPECT_VALUE, this.pos, 'a trailing comma is not allowed in an array');
      items.push(this.parseValue(false));
      this.skipCs();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        this.skipCs();
      } else if (c === ']') {
        this.pos++;
        return items;
      } else if (c === undefined) this.fail(['","', '"]"'], this.pos, this.notClosed('the array', open));
      else this.fail(['","', '"]"']);
    }
  }

  /** `{ key => value … }`; entries separated by whitespace and/or one comma. Duplicate keys are an error. */
  private parseHash(): HashValue {
    const open = this.pos;
    this.pos++;
    const entries: Array<[string, Value]> = [];
    const seen = new Map<string, number>();
    let separated = true;
    for (;;) {
      if (this.skipCs()) separated = true;
      const c = this.text[this.pos];
      if (c === '}') {
        this.pos++;
        return { kind: 'hash', entries };
      }
      if (c === undefined) this.fail(['a hash key', '"}"'], this.pos, this.notClosed('the hash', open));
      if (!separated) this.fail(['whitespace', '","', '"}"']);
      const keyAt = this.pos;
      const key = this.parseHashKey();
      const first = seen.get(key);
      if (first !== undefined) {
        this.error(keyAt, `Duplicate keys found in your configuration: "${key}" (first given at ${this.where(first)})`);
      }
      seen.set(key, keyAt);
      this.skipCs();
      this.expect('=>', ['"=>"'], `after the hash key "${key}"`);
      this.skipCs();
      entries.push([key, this.parseValue(true)]);
      separated = this.skipCs();
      if (this.text[this.pos] === ',') {
        this.pos++;
        separated = true;
      }
    }
  }

  /** number / bareword / string (Logstash's hashentry name). */
  private parseHashKey(): string {
    const c = this.text[this.pos];
    if (isQuote(c)) return this.parseString();
    if (c === '-' || isDigit(c)) return String(this.parseNumber());
    if (c !== undefined && BAREWORD_START.test(c)) return this.parseBareword();
    this.fail(['a hash key', '"}"']);
  }

  // ---- conditionals --------------------------------------------------------------------------

  /** `if COND { … } (else if COND { … })* (else { … })?`; the cursor is on `if`. */
  private parseIf(section: Section): IfNode {
    const start = this.pos;
    this.pos += 2;
    const branches: IfBranch[] = [this.parseBranch(section, start, 'if')];
    for (;;) {
      const save = this.pos;
      this.skipCs();
      const elseAt = this.pos;
      if (!this.text.startsWith('else', elseAt)) {
        this.pos = save;
        break;
      }
      this.pos += 4;
      // `elseif` (no space) is accepted by Logstash's grammar ("else" cs "if"), so it is here too.
      const glued = isNameChar(this.text[this.pos]);
      if (glued && !this.atKeyword('if')) {
        this.pos = save; // a plugin whose name starts with "else"
        break;
      }
      this.skipCs();
      if (this.atKeyword('if')) {
        this.pos += 2;
        branches.push(this.parseBranch(section, elseAt, 'else if'));
        continue;
      }
      if (this.text[this.pos] !== '{') this.fail(['"if"', '"{"'], this.pos, 'after "else"');
      branches.push({ condition: null, body: this.parseBlock(section, `the "else" block at ${this.where(elseAt)}`), loc: this.loc(elseAt) });
      break;
    }
    return { kind: 'if', branches, loc: this.loc(start) };
  }

  private parseBranch(section: Section, at: number, keyword: string): IfBranch {
    this.skipCs();
    const condition = this.parseCondition();
    this.skipCs();
    if (this.text[this.pos] !== '{') this.failAfterCondition('"{"');
    const body = this.parseBlock(section, `the "${keyword}" block at ${this.where(at)}`);
    return { condition, body, loc: this.loc(at) };
  }

  private failAfterCondition(closer: string): never {
    this.fail([...(this.lastWasBare ? EXPECT_OPERATORS : []), ...EXPECT_BOOL_OPS, closer]);
  }

  /**
   * `expression (boolop expression)*`.
   *
   * Precedence, after Logstash's compiler (lscl.rb Condition#join_conditions and its compiler_spec
   * "and or precedence" / "a complex expression" cases): `and` binds tighter than `or`, so
   * `a or b and c` is `a or (b and c)`. Chains of one operator are associative, so grouping them to the
   * left changes nothing. Logstash gives `xor` and `nand` no precedence at all (its `precedence()`
   * raises for them), so any condition that mixes them with another boolean operator fails to load
   * there; we reject it too, asking for parentheses. Known difference: Logstash's shunting-yard pops
   * only one operator, so it reads `a and b and c or d` as `a and ((b and c) or d)`; we use the
   * precedence its own tests state, `(a and b and c) or d`.
   */
  private parseCondition(): Expr {
    const operands: Expr[] = [this.parseExpression()];
    const ops: Array<{ op: BoolOp; at: number }> = [];
    for (;;) {
      const save = this.pos;
      this.skipCs();
      const op = this.matchBoolOp();
      if (!op) {
        this.pos = save;
        break;
      }
      ops.push({ op, at: this.pos });
      this.pos += op.length;
      this.skipCs();
      operands.push(this.parseExpression());
    }
    if (ops.length === 0) return operands[0]!;
    const special = ops.find((o) => o.op === 'xor' || o.op === 'nand');
    if (special) {
      if (ops.length > 1) {
        this.error(special.at, `"${special.op}" cannot be combined with other boolean operators without parentheses (Logstash defines no precedence for it); group the operands with ( )`);
      }
      return { type: 'bool', op: special.op, left: operands[0]!, right: operands[1]! };
    }
    const orTerms: Expr[] = [];
    let term = operands[0]!;
    ops.forEach(({ op }, i) => {
      if (op === 'and') term = { type: 'bool', op: 'and', left: term, right: operands[i + 1]! };
      else {
        orTerms.push(term);
        term = operands[i + 1]!;
      }
    });
    orTerms.push(term);
    return orTerms.reduce((left, right) => ({ type: 'bool', op: 'or', left, right }));
  }

  private matchBoolOp(): BoolOp | undefined {
    for (const op of ['and', 'or', 'xor', 'nand'] as const) if (this.atKeyword(op, isIdentChar)) return op;
    return undefined;
  }

  /** `( cond )`, `! ( cond )`, `! [field]`, `rvalue OP rvalue` or a bare rvalue. */
  private parseExpression(): Expr {
    const start = this.pos;
    const c = this.text[start];
    if (c === '(') {
      this.pos++;
      const inner = this.parseParenthesised();
      this.lastWasBare = false;
      return inner;
    }
    if (c === '!') {
      this.pos++;
      this.skipCs();
      if (this.text[this.pos] === '(') {
        this.pos++;
        const inner = this.parseParenthesised();
        this.lastWasBare = false;
        return { type: 'not', expr: inner };
      }
      const field = this.trySelector();
      if (!field) this.fail(['"("', 'a field reference'], this.pos, 'Logstash\'s "!" negates a field reference or a parenthesised condition');
      this.lastWasBare = false;
      return { type: 'not', expr: { type: 'truthy', value: field } };
    }
    const left = this.parseRvalue(['"("', '"!"', ...EXPECT_RVALUE]);
    const save = this.pos;
    this.skipCs();
    const opAt = this.pos;
    const two = this.text.slice(opAt, opAt + 2);
    this.lastWasBare = false;
    const cmp = COMPARE_OPS.find((op) => this.text.startsWith(op, opAt));
    if (two === '=~' || two === '!~') {
      this.pos += 2;
      this.skipCs();
      const right = this.parseMatchPattern();
      this.noRegex(left);
      return { type: 'match', op: two, left, right };
    }
    if (cmp) {
      this.pos += cmp.length;
      this.skipCs();
      const right = this.parseRvalue(EXPECT_RVALUE);
      this.noRegex(left);
      this.noRegex(right);
      return { type: 'compare', op: cmp, left, right };
    }
    let negate = false;
    if (this.text.startsWith('not', opAt) && /\s/.test(this.text[opAt + 3] ?? '')) {
      this.pos += 3;
      this.skipCs();
      if (this.atKeyword('in', isIdentChar)) negate = true;
      else this.pos = opAt;
    }
    if (negate || this.atKeyword('in', isIdentChar)) {
      this.pos += 2;
      this.skipCs();
      const right = this.parseRvalue(EXPECT_RVALUE);
      this.noRegex(left);
      this.noRegex(right);
      return { type: 'in', negate, left, right };
    }
    this.pos = save;
    this.noRegex(left);
    this.lastWasBare = true;
    return { type: 'truthy', value: left };
  }

  private parseParenthesised(): Expr {
    this.skipCs();
    const inner = this.parseCondition();
    this.skipCs();
    if (this.text[this.pos] !== ')') this.failAfterCondition('")"');
    this.pos++;
    return inner;
  }

  private noRegex(v: Rvalue): void {
    if (v.type === 'regex') this.error(this.offsetOf(v.loc), 'a regular expression can only follow "=~" or "!~"');
  }

  /** The right side of `=~` / `!~`: a regex literal or a string (used as a regex, not substituted). */
  private parseMatchPattern(): Rvalue {
    const at = this.pos;
    const c = this.text[at];
    if (c === '/') return { type: 'regex', source: this.scanRegex(), loc: this.loc(at) };
    if (isQuote(c)) return { type: 'string', value: this.parseString(), loc: this.loc(at) };
    this.fail(['a regular expression', 'a string']);
  }

  private parseRvalue(expected: readonly string[]): Rvalue {
    const at = this.pos;
    const c = this.text[at];
    const loc = this.loc(at);
    if (isQuote(c)) return { type: 'string', value: this.substitute(this.parseString(), at), loc };
    if (c === '-' || isDigit(c)) return { type: 'number', value: this.parseNumber(), loc };
    if (c === '/') return { type: 'regex', source: this.scanRegex(), loc };
    if (c === '[') return this.trySelector() ?? this.parseList();
    if (c !== undefined && BAREWORD_START.test(c)) {
      const word = this.peekName();
      this.pos += word.length;
      this.skipCs();
      if (this.text[this.pos] === '(') this.error(at, `method calls like "${word}(…)" are not supported (Logstash does not implement them either)`);
      this.fail(expected, at, 'a bare word is not a value in a condition: quote a string ("foo") or reference a field ([foo])');
    }
    this.fail(expected);
  }

  /**
   * A field reference `[a][b]`: one or more `[…]` whose content has no `[`, `]` or `,`. As in Logstash
   * (whose grammar tries a selector before an array), `["a"]` is therefore the field named `"a"`, not
   * a one-element list (elastic/logstash#9932); write `["a", "a"]` or `== "a"` for the list.
   */
  private trySelector(): Rvalue | undefined {
    const start = this.pos;
    let i = start;
    while (this.text[i] === '[') {
      let j = i + 1;
      while (j < this.text.length && !'[],'.includes(this.text[j]!)) j++;
      if (j === i + 1 || this.text[j] !== ']') break;
      i = j + 1;
    }
    if (i === start) return undefined;
    this.pos = i;
    return { type: 'field', ref: this.text.slice(start, i), loc: this.loc(start) };
  }

  /** A list literal in a condition: strings, numbers, bare words (as strings) and nested lists. */
  private parseList(): Rvalue {
    const open = this.pos;
    const loc = this.loc(open);
    this.pos++;
    const items: Rvalue[] = [];
    const itemExpected = ['a string', 'a number', 'a list'];
    this.skipCs();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { type: 'list', items, loc };
    }
    for (;;) {
      const at = this.pos;
      const c = this.text[at];
      if (isQuote(c)) items.push({ type: 'string', value: this.substitute(this.parseString(), at), loc: this.loc(at) });
      else if (c === '-' || isDigit(c)) items.push({ type: 'number', value: this.parseNumber(), loc: this.loc(at) });
      else if (c === '[') items.push(this.parseList());
      else if (c !== undefined && BAREWORD_START.test(c)) items.push({ type: 'string', value: this.parseBareword(), loc: this.loc(at) });
      else this.fail(itemExpected, at, c === ']' ? 'a trailing comma is not allowed in a list' : undefined);
      this.skipCs();
      const n = this.text[this.pos];
      if (n === ',') {
        this.pos++;
        this.skipCs();
      } else if (n === ']') {
        this.pos++;
        return { type: 'list', items, loc };
      } else if (n === undefined) this.fail(['","', '"]"'], this.pos, this.notClosed('the list', open));
      else this.fail(['","', '"]"']);
    }
  }

  /** `/…/` with `\/` escaping a slash; the source keeps the `\/` (a valid escape in both Ruby and JS). */
  private scanRegex(): string {
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      if (i >= this.text.length) this.error(start, 'unterminated regular expression: no closing / before the end of the file');
      const c = this.text[i];
      if (c === '\\' && this.text[i + 1] === '/') i += 2;
      else if (c === '/') break;
      else i++;
    }
    this.pos = i + 1;
    return this.text.slice(start + 1, i);
  }
}

/** Quote a token for a message, making invisible characters (no-break space, BOM …) visible. */
function quote(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u00a0\u00ad\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
