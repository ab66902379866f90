// Grok pattern compiler: pattern libraries (Logstash's pattern-file format), expansion of %{NAME:field:type}
// references into one Oniguruma expression as Logstash's jls-grok does, translation to JavaScript, and the
// table that maps regex groups to event fields. Compiled patterns are cached per thread: the same pattern
// text with the same library gives the same object, shared by every filter instance.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseFieldRef, type FieldPath } from '../../core/fieldref.js';
import { translateOnig, OnigError, type OnigRegExp } from './onig.js';

export class GrokError extends Error {}

// ------------------------------------------------------------------------------------------------
// Pattern files and libraries
// ------------------------------------------------------------------------------------------------

/**
 * Parse a pattern file as jls-grok does: `NAME PATTERN` per line (separated by whitespace), lines starting
 * with `#` (after optional whitespace) are comments, lines without a pattern are skipped. The pattern keeps
 * everything after the separator except the line ending.
 */
export function parsePatternText(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    const line = raw.replace(/^\s+/, '');
    const m = /^(\S+)\s+([^]*)$/.exec(line);
    if (!m) continue;
    out.push([m[1]!, chomp(m[2]!)]);
  }
  return out;
}

/** Ruby's String#chomp: drop one trailing "\n", "\r\n" or "\r". */
export function chomp(s: string): string {
  if (s.endsWith('\r\n')) return s.slice(0, -2);
  if (s.endsWith('\n') || s.endsWith('\r')) return s.slice(0, -1);
  return s;
}

interface FileEntry {
  mtimeMs: number;
  size: number;
  defs: Array<[string, string]>;
}
const fileCache = new Map<string, FileEntry>();

/** Definitions of one pattern file, re-read only when the file changed. */
export function loadPatternFile(path: string): Array<[string, string]> {
  const st = statSync(path);
  const hit = fileCache.get(path);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.defs;
  const defs = parsePatternText(readFileSync(path, 'utf8'));
  fileCache.set(path, { mtimeMs: st.mtimeMs, size: st.size, defs });
  return defs;
}

/** Regular files of a directory, sorted by name, hidden files excluded (as Ruby's Dir.glob("dir/*")). */
export function patternFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => !n.startsWith('.'))
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    });
}

let libraryIds = 0;

/** Named pattern definitions; later layers override earlier ones (library < patterns_dir < pattern_definitions). */
export class PatternLibrary {
  readonly id = ++libraryIds;
  /** @internal compiled patterns for this library */
  readonly compiled = new Map<string, CompiledGrok>();

  private constructor(readonly defs: ReadonlyMap<string, string>) {}

  private static readonly cache = new Map<string, PatternLibrary>();

  /**
   * The library made of these files (in order) then these inline definitions. The same files (unchanged)
   * and definitions give the same object, so compiled patterns are shared.
   */
  static load(files: readonly string[], inline: ReadonlyArray<[string, string]> = []): PatternLibrary {
    const parts: string[] = [];
    const layers: Array<ReadonlyArray<[string, string]>> = [];
    for (const f of files) {
      const defs = loadPatternFile(f);
      const st = fileCache.get(f)!;
      parts.push(`${f}\u0001${st.mtimeMs}\u0001${st.size}`);
      layers.push(defs);
    }
    layers.push(inline);
    const key = parts.join('\u0000') + '\u0002' + JSON.stringify(inline);
    let lib = PatternLibrary.cache.get(key);
    if (!lib) {
      const m = new Map<string, string>();
      for (const layer of layers) for (const [name, def] of layer) m.set(name, def);
      lib = new PatternLibrary(m);
      if (PatternLibrary.cache.size > 1000) PatternLibrary.cache.clear();
      PatternLibrary.cache.set(key, lib);
    }
    return lib;
  }

  /** A library from definitions only (tests, tools). Not cached. */
  static fromDefinitions(defs: Iterable<[string, string]>): PatternLibrary {
    return new PatternLibrary(new Map(defs));
  }

  get(name: string): string | undefined {
    return this.defs.get(name);
  }
}

// ------------------------------------------------------------------------------------------------
// Expansion of %{...} references (jls-grok's PATTERN_RE and compile loop)
// ------------------------------------------------------------------------------------------------

/** Logstash's limit on substitutions while expanding one pattern ("Deep recursion pattern compilation"). */
const MAX_EXPANSIONS = 10000;

interface GrokRef {
  /** Offset just after the closing '}'. */
  end: number;
  /** NAME or NAME:subname: the regex group name. */
  name: string;
  pattern: string;
  definition: string | undefined;
}

const REF_HEAD = /%\{([A-z0-9]+)(?::([@\[\]A-z0-9_:.-]+))?/y;

/**
 * The reference starting at `at` (a "%{"), as jls-grok's PATTERN_RE reads it:
 * `%{NAME}`, `%{NAME:subname}`, `%{NAME=definition}`; anything else up to the next '}' is ignored.
 */
function readRef(s: string, at: number): GrokRef | null {
  REF_HEAD.lastIndex = at;
  const m = REF_HEAD.exec(s);
  if (!m) return null;
  let j = at + m[0].length;
  let definition: string | undefined;
  if (s[j] === '=') {
    const end = scanDefinition(s, j + 1);
    if (end > j + 1) {
      definition = s.slice(j + 1, end);
      j = end;
    }
  }
  const close = s.indexOf('}', j);
  if (close < 0) return null;
  return { end: close + 1, name: m[2] !== undefined ? `${m[1]}:${m[2]}` : m[1]!, pattern: m[1]!, definition };
}

/**
 * End of an inline definition `%{NAME=…}`: plain characters and balanced {…} groups; after a backslash the
 * definition runs to the last '}' on the line (PATTERN_RE's `\\.+` is greedy), as in Logstash.
 */
function scanDefinition(s: string, p: number): number {
  let q = p;
  while (q < s.length) {
    const c = s[q];
    if (c === '\\') {
      let eol = s.indexOf('\n', q);
      if (eol < 0) eol = s.length;
      const last = s.lastIndexOf('}', eol - 1);
      if (last >= q + 2) return last;
      break;
    }
    if (c === '{') {
      const k = balancedEnd(s, q);
      if (k < 0) break;
      q = k;
      continue;
    }
    if (c === '}') break;
    q++;
  }
  return q;
}

function balancedEnd(s: string, open: number): number {
  let depth = 0;
  for (let q = open; q < s.length; q++) {
    const c = s[q];
    if (c === '\\' && (s[q + 1] === '{' || s[q + 1] === '}')) q++;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return q + 1;
    }
  }
  return -1;
}

interface ExpandState {
  defs: Map<string, string> | ReadonlyMap<string, string>;
  /** Copy-on-write: inline definitions are local to one pattern (Logstash makes one Grok object per pattern). */
  own: boolean;
  namedCapturesOnly: boolean;
  expansions: number;
  stack: string[];
  root: string;
}

function expandText(text: string, st: ExpandState): string {
  let out = '';
  let last = 0;
  let i = text.indexOf('%{');
  while (i >= 0) {
    const ref = readRef(text, i);
    if (!ref) {
      i = text.indexOf('%{', i + 1);
      continue;
    }
    out += text.slice(last, i);
    if (++st.expansions > MAX_EXPANSIONS)
      throw new GrokError(`pattern expansion of ${JSON.stringify(st.root)} needs more than ${MAX_EXPANSIONS} substitutions (Logstash's limit)`);
    if (ref.definition !== undefined) {
      if (!st.own) {
        st.defs = new Map(st.defs);
        st.own = true;
      }
      (st.defs as Map<string, string>).set(ref.pattern, ref.definition);
    }
    const def = st.defs.get(ref.pattern);
    if (def === undefined) throw new GrokError(`pattern ${text.slice(i, ref.end)} not defined`);
    if (st.stack.includes(ref.pattern))
      throw new GrokError(`pattern %{${ref.pattern}} refers to itself: ${[...st.stack, ref.pattern].map((n) => `%{${n}}`).join(' -> ')}`);
    st.stack.push(ref.pattern);
    const inner = expandText(def, st);
    st.stack.pop();
    out += st.namedCapturesOnly && !ref.name.includes(':') ? `(?:${inner})` : `(?<${ref.name}>${inner})`;
    last = ref.end;
    i = text.indexOf('%{', ref.end);
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * Expand every %{…} reference as Logstash does: `%{NAME}` becomes `(?:definition)` when named_captures_only
 * (else `(?<NAME>definition)`), `%{NAME:field}` and `%{NAME:field:type}` become `(?<NAME:field:type>definition)`.
 */
export function expandGrok(pattern: string, library: PatternLibrary, namedCapturesOnly: boolean): string {
  return expandText(pattern, { defs: library.defs, own: false, namedCapturesOnly, expansions: 0, stack: [], root: pattern });
}

// ------------------------------------------------------------------------------------------------
// Compiled patterns
// ------------------------------------------------------------------------------------------------

/** Value conversion of a capture (`%{NUMBER:n:int}`). */
export const Convert = { None: 0, Int: 1, Float: 2 } as const;
export type Convert = (typeof Convert)[keyof typeof Convert];

export interface GrokCapture {
  /** The regex group name, e.g. `NUMBER:bytes:int` or `queue_id`. */
  readonly groupName: string;
  /** The field reference the value goes to, e.g. `bytes` or `[http][response][bytes]`. */
  readonly field: string;
  readonly path: FieldPath;
  readonly convert: Convert;
  /** Index in the RegExp match array. */
  readonly index: number;
}

export interface CompiledGrok {
  readonly pattern: string;
  /** The expanded Oniguruma expression. */
  readonly expanded: string;
  readonly regex: OnigRegExp;
  /** In the order Logstash hands captures to the event: by group name (first appearance), then by position. */
  readonly captures: readonly GrokCapture[];
  /** Notes for the user, e.g. an unknown conversion type Logstash ignores. */
  readonly warnings: readonly string[];
}

/** Compile (or fetch from the per-thread cache) a grok pattern against a library. Throws GrokError. */
export function compileGrok(pattern: string, library: PatternLibrary, opts: { namedCapturesOnly?: boolean } = {}): CompiledGrok {
  const nco = opts.namedCapturesOnly ?? true;
  const key = (nco ? '1' : '0') + pattern;
  let c = library.compiled.get(key);
  if (c) return c;
  c = compileUncached(pattern, library, nco);
  library.compiled.set(key, c);
  return c;
}

function compileUncached(pattern: string, library: PatternLibrary, namedCapturesOnly: boolean): CompiledGrok {
  const expanded = expandGrok(pattern, library, namedCapturesOnly);
  let regex: OnigRegExp;
  try {
    regex = translateOnig(expanded, { dotAll: true });
  } catch (e) {
    if (e instanceof OnigError) throw new GrokError(`invalid pattern ${JSON.stringify(pattern)}: ${e.message}`);
    throw e;
  }
  const warnings: string[] = [];
  // Ruby's Regexp#named_captures: names in order of first appearance, each with all its group numbers.
  const byName = new Map<string, number[]>();
  for (const g of regex.groups) {
    let list = byName.get(g.name);
    if (!list) byName.set(g.name, (list = []));
    list.push(g.index);
  }
  const captures: GrokCapture[] = [];
  for (const [groupName, indices] of byName) {
    // jls-grok: `pattern, name, coerce = name.split(":")`; a group without ':' is named after itself.
    const parts = rubySplitColon(groupName);
    const field = parts[1] ?? parts[0] ?? groupName;
    const type = parts[2];
    if (field === '') throw new GrokError(`empty field name in capture ${JSON.stringify(groupName)} of pattern ${JSON.stringify(pattern)}`);
    let path: FieldPath;
    try {
      path = parseFieldRef(field);
    } catch (e) {
      throw new GrokError(`invalid field reference ${JSON.stringify(field)} in pattern ${JSON.stringify(pattern)}: ${(e as Error).message}`);
    }
    const convert: Convert = type === 'int' ? Convert.Int : type === 'float' ? Convert.Float : Convert.None;
    if (type !== undefined && convert === Convert.None)
      warnings.push(`capture %{${groupName}}: conversion '${type}' is not supported (only int and float); the value stays a string, as in Logstash`);
    for (const index of indices) captures.push({ groupName, field, path, convert, index });
  }
  return { pattern, expanded, regex, captures, warnings };
}

/** Ruby's `str.split(":")`: trailing empty fields removed. */
function rubySplitColon(s: string): string[] {
  const parts = s.split(':');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

// ------------------------------------------------------------------------------------------------
// Conversions with Ruby's String#to_i and String#to_f semantics
// ------------------------------------------------------------------------------------------------

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** Ruby's String#to_i: leading whitespace, sign, digits (single '_' between digits allowed); 0 when none. */
export function toInt(s: string): number {
  const n = s.length;
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const c0 = s.charCodeAt(i);
  if (c0 === 0x2d || c0 === 0x2b) {
    neg = c0 === 0x2d;
    i++;
  }
  let v = 0;
  let any = false;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      v = v * 10 + (c - 0x30);
      any = true;
      i++;
    } else if (c === 0x5f && any && i + 1 < n && isDigit(s.charCodeAt(i + 1))) i++;
    else break;
  }
  return neg && v !== 0 ? -v : v;
}

/** Ruby's String#to_f: the longest decimal float prefix (underscores between digits allowed); 0 when none. */
export function toFloat(s: string): number {
  const n = s.length;
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let t = '';
  const c0 = s.charCodeAt(i);
  if (c0 === 0x2d || c0 === 0x2b) {
    if (c0 === 0x2d) t = '-';
    i++;
  }
  const digits = () => {
    let d = '';
    while (i < n) {
      const c = s.charCodeAt(i);
      if (isDigit(c)) {
        d += s[i];
        i++;
      } else if (c === 0x5f && d !== '' && i + 1 < n && isDigit(s.charCodeAt(i + 1))) i++;
      else break;
    }
    return d;
  };
  const int = digits();
  let frac = '';
  if (s.charCodeAt(i) === 0x2e && i + 1 < n && isDigit(s.charCodeAt(i + 1))) {
    i++;
    frac = digits();
  }
  if (int === '' && frac === '') return 0;
  let exp = '';
  const e = s.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    let j = i + 1;
    let sign = '';
    const sc = s.charCodeAt(j);
    if (sc === 0x2d || sc === 0x2b) {
      sign = s[j]!;
      j++;
    }
    if (j < n && isDigit(s.charCodeAt(j))) {
      i = j;
      const d = digits();
      exp = 'e' + sign + d;
    }
  }
  const v = Number(`${t}${int || '0'}${frac ? '.' + frac : ''}${exp}`);
  return v === 0 ? 0 : v;
}
