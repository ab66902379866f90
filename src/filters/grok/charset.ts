// Exact sets of Unicode code points as sorted range lists, for translating Oniguruma character
// classes: union, intersection, complement, Unicode properties (computed once per thread from the
// JavaScript engine's own Unicode tables), case-insensitive closure and emission as JavaScript class syntax.

/** Sorted, merged, non-overlapping inclusive ranges, flattened: [lo0, hi0, lo1, hi1, ...]. */
export type Ranges = readonly number[];

export const MAX_CP = 0x10ffff;
export const EMPTY: Ranges = Object.freeze([]);
export const ALL: Ranges = Object.freeze([0, MAX_CP]);
export const ASCII: Ranges = Object.freeze([0, 0x7f]);
export const NON_ASCII: Ranges = Object.freeze([0x80, MAX_CP]);

export function single(cp: number): Ranges {
  return [cp, cp];
}

/** Build from unsorted, possibly overlapping pairs. */
export function normalize(pairs: number[]): Ranges {
  const n = pairs.length / 2;
  if (n <= 1) return pairs.slice();
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => pairs[2 * a]! - pairs[2 * b]! || pairs[2 * a + 1]! - pairs[2 * b + 1]!);
  const out: number[] = [];
  for (const i of idx) {
    const lo = pairs[2 * i]!;
    const hi = pairs[2 * i + 1]!;
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) {
      if (hi > out[last]!) out[last] = hi;
    } else out.push(lo, hi);
  }
  return out;
}

export function union(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return normalize([...a, ...b]);
}

export function complement(a: Ranges): Ranges {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < a.length; i += 2) {
    if (a[i]! > next) out.push(next, a[i]! - 1);
    next = a[i + 1]! + 1;
  }
  if (next <= MAX_CP) out.push(next, MAX_CP);
  return out;
}

export function intersect(a: Ranges, b: Ranges): Ranges {
  // Disjoint by their bounds (a set below U+10000 against the astral planes, say): nothing to walk.
  if (a.length === 0 || b.length === 0 || a[a.length - 1]! < b[0]! || b[b.length - 1]! < a[0]!) return EMPTY;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]!, b[j]!);
    const hi = Math.min(a[i + 1]!, b[j + 1]!);
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return out;
}

export function subtract(a: Ranges, b: Ranges): Ranges {
  return intersect(a, complement(b));
}

export function isEmpty(a: Ranges): boolean {
  return a.length === 0;
}

export function disjoint(a: Ranges, b: Ranges): boolean {
  return intersect(a, b).length === 0;
}

export function isSubset(a: Ranges, b: Ranges): boolean {
  return subtract(a, b).length === 0;
}

export function contains(a: Ranges, cp: number): boolean {
  for (let i = 0; i < a.length; i += 2) {
    if (cp < a[i]!) return false;
    if (cp <= a[i + 1]!) return true;
  }
  return false;
}

export function size(a: Ranges): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 2) n += a[i + 1]! - a[i]! + 1;
  return n;
}

export function equals(a: Ranges, b: Ranges): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The only code point of a one-element set, else -1. */
export function singleCodePoint(a: Ranges): number {
  return a.length === 2 && a[0] === a[1] ? a[0]! : -1;
}

// ---- fixed classes (Oniguruma's \d \w \s \h are ASCII-only in Ruby) ----

export const DIGIT: Ranges = Object.freeze([0x30, 0x39]);
export const WORD: Ranges = Object.freeze([0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a]);
/** Ruby's \s: [ \t\n\v\f\r] (JavaScript's \s also matches NBSP, U+2028 and others). */
export const SPACE: Ranges = Object.freeze([0x09, 0x0d, 0x20, 0x20]);
export const HEX: Ranges = Object.freeze([0x30, 0x39, 0x41, 0x46, 0x61, 0x66]);
export const NEWLINE: Ranges = Object.freeze([0x0a, 0x0a]);

// ---- Unicode properties ----

/** JavaScript class body (inside [...], `u` flag) for Oniguruma's word characters, used by \b. */
export const UNICODE_WORD_BODY = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}';

let allCodePoints: string | undefined;
const BMP_UNITS = 0xd800 + 0x2000; // code units for U+0000-D7FF and U+E000-FFFF

/** Every code point except the surrogates, in order: U+0000..D7FF, U+E000..10FFFF. */
function allCodePointsString(): string {
  if (allCodePoints !== undefined) return allCodePoints;
  const parts: string[] = [];
  const chunk: number[] = [];
  const flush = () => {
    parts.push(String.fromCodePoint(...chunk));
    chunk.length = 0;
  };
  for (let cp = 0; cp <= MAX_CP; cp++) {
    if (cp === 0xd800) cp = 0xe000;
    chunk.push(cp);
    if (chunk.length === 8192) flush();
  }
  flush();
  allCodePoints = parts.join('');
  return allCodePoints;
}

function unitIndexToCodePoint(i: number): number {
  if (i < 0xd800) return i;
  if (i < BMP_UNITS) return i + 0x800;
  return 0x10000 + ((i - BMP_UNITS) >> 1);
}

const propertyCache = new Map<string, Ranges>();

/** Exact code points of a JavaScript class body such as `\p{L}\p{Nd}` (scanned once, cached per thread). */
export function rangesOfClassBody(body: string): Ranges {
  let r = propertyCache.get(body);
  if (r !== undefined) return r;
  const s = allCodePointsString();
  const re = new RegExp(`[${body}]+`, 'gu');
  const out: number[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const lo = unitIndexToCodePoint(m.index);
    const hi = unitIndexToCodePoint(m.index + m[0].length - 1);
    out.push(lo, hi);
  }
  // Lone surrogates all share one set of properties (gc=Cs).
  if (new RegExp(`^[${body}]$`, 'u').test('\ud800')) out.push(0xd800, 0xdfff);
  r = normalize(out);
  propertyCache.set(body, r);
  return r;
}

const GENERAL_CATEGORIES = [
  'L', 'Letter', 'LC', 'Cased_Letter', 'Lu', 'Uppercase_Letter', 'Ll', 'Lowercase_Letter', 'Lt', 'Titlecase_Letter',
  'Lm', 'Modifier_Letter', 'Lo', 'Other_Letter', 'M', 'Mark', 'Combining_Mark', 'Mn', 'Nonspacing_Mark', 'Mc',
  'Spacing_Mark', 'Me', 'Enclosing_Mark', 'N', 'Number', 'Nd', 'Decimal_Number', 'Nl', 'Letter_Number', 'No',
  'Other_Number', 'P', 'Punctuation', 'Pc', 'Connector_Punctuation', 'Pd', 'Dash_Punctuation', 'Ps',
  'Open_Punctuation', 'Pe', 'Close_Punctuation', 'Pi', 'Initial_Punctuation', 'Pf', 'Final_Punctuation', 'Po',
  'Other_Punctuation', 'S', 'Symbol', 'Sm', 'Math_Symbol', 'Sc', 'Currency_Symbol', 'Sk', 'Modifier_Symbol', 'So',
  'Other_Symbol', 'Z', 'Separator', 'Zs', 'Space_Separator', 'Zl', 'Line_Separator', 'Zp', 'Paragraph_Separator',
  'C', 'Other', 'Cc', 'Control', 'Cf', 'Format', 'Cs', 'Surrogate', 'Co', 'Private_Use', 'Cn', 'Unassigned',
];
const BINARY_PROPERTIES = [
  'ASCII_Hex_Digit', 'AHex', 'Alphabetic', 'Bidi_Control', 'Bidi_C', 'Bidi_Mirrored', 'Bidi_M', 'Case_Ignorable',
  'CI', 'Cased', 'Changes_When_Casefolded', 'Changes_When_Casemapped', 'Changes_When_Lowercased',
  'Changes_When_NFKC_Casefolded', 'Changes_When_Titlecased', 'Changes_When_Uppercased', 'Dash',
  'Default_Ignorable_Code_Point', 'DI', 'Deprecated', 'Dep', 'Diacritic', 'Dia', 'Emoji', 'Emoji_Component',
  'Emoji_Modifier', 'Emoji_Modifier_Base', 'Emoji_Presentation', 'Extended_Pictographic', 'Extender', 'Ext',
  'Grapheme_Base', 'Gr_Base', 'Grapheme_Extend', 'Gr_Ext', 'Hex_Digit', 'IDS_Binary_Operator',
  'IDS_Trinary_Operator', 'ID_Continue', 'IDC', 'ID_Start', 'IDS', 'Ideographic', 'Ideo', 'Join_Control',
  'Logical_Order_Exception', 'Lowercase', 'Math', 'Noncharacter_Code_Point', 'Pattern_Syntax',
  'Pattern_White_Space', 'Quotation_Mark', 'Radical', 'Regional_Indicator', 'Sentence_Terminal', 'Soft_Dotted',
  'Terminal_Punctuation', 'Unified_Ideograph', 'Uppercase', 'Variation_Selector', 'White_Space', 'XID_Continue',
  'XID_Start',
];

const normKey = (name: string) => name.toLowerCase().replace(/[\s_-]/g, '');

/**
 * Oniguruma's POSIX-like property names, as Ruby defines them for Unicode strings (enc-unicode.rb):
 * these take precedence over general categories of the same name.
 */
const POSIX_LIKE: Record<string, () => Ranges> = {
  alpha: () => rangesOfClassBody('\\p{Alphabetic}'),
  upper: () => rangesOfClassBody('\\p{Uppercase}'),
  lower: () => rangesOfClassBody('\\p{Lowercase}'),
  digit: () => rangesOfClassBody('\\p{Nd}'),
  xdigit: () => HEX,
  alnum: () => rangesOfClassBody('\\p{Alphabetic}\\p{Nd}'),
  space: () => rangesOfClassBody('\\p{White_Space}'),
  blank: () => rangesOfClassBody('\\p{Zs}\\t'),
  cntrl: () => rangesOfClassBody('\\p{Cc}'),
  punct: () => rangesOfClassBody('\\p{P}$+<=>^`|~'),
  word: () => rangesOfClassBody(UNICODE_WORD_BODY),
  graph: () => subtract(ALL, rangesOfClassBody('\\p{White_Space}\\p{Cc}\\p{Cs}\\p{Cn}')),
  print: () => union(subtract(ALL, rangesOfClassBody('\\p{White_Space}\\p{Cc}\\p{Cs}\\p{Cn}')), rangesOfClassBody('\\p{Zs}')),
  ascii: () => ASCII,
  any: () => ALL,
  assigned: () => rangesOfClassBody('\\P{Cn}'),
};

export const POSIX_BRACKET_NAMES = ['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'xdigit', 'word'];

let canonicalByKey: Map<string, string> | undefined;

function isValidJsProperty(expr: string): boolean {
  try {
    new RegExp(`\\p{${expr}}`, 'u');
    return true;
  } catch {
    return false;
  }
}

/** Code points of an Oniguruma property name (`\p{Name}`), or undefined when unknown. */
export function propertyRanges(name: string): Ranges | undefined {
  const key = normKey(name);
  const posix = POSIX_LIKE[key];
  if (posix) return posix();
  if (!canonicalByKey) {
    canonicalByKey = new Map();
    for (const n of [...GENERAL_CATEGORIES, ...BINARY_PROPERTIES]) canonicalByKey.set(normKey(n), n);
  }
  const canonical = canonicalByKey.get(key);
  if (canonical && isValidJsProperty(canonical)) return rangesOfClassBody(`\\p{${canonical}}`);
  // Scripts: JavaScript needs `Script=` and exact spelling; Oniguruma is loose about case and separators.
  const words = name.trim().split(/[\s_-]+/).filter(Boolean);
  const candidates = [name.trim(), words.map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join('_'), words.join('_')];
  for (const c of candidates) {
    if (/^[A-Za-z0-9_]+$/.test(c) && isValidJsProperty(`Script=${c}`)) return rangesOfClassBody(`\\p{Script=${c}}`);
  }
  return undefined;
}

/** The POSIX bracket `[:name:]` as Ruby defines it for UTF-8 strings (Unicode-aware). */
export function posixBracketRanges(name: string): Ranges | undefined {
  if (!POSIX_BRACKET_NAMES.includes(name)) return undefined;
  return POSIX_LIKE[name]!();
}

// ---- case-insensitive closure ----

/** Case folds JavaScript's toLowerCase/toUpperCase do not reach from ASCII/Latin-1 (Unicode CaseFolding.txt). */
const EXTRA_FOLDS: number[][] = [
  [0x4b, 0x6b, 0x212a], // K k KELVIN SIGN
  [0x53, 0x73, 0x17f], // S s LONG S
  [0xc5, 0xe5, 0x212b], // Å å ANGSTROM SIGN
  [0xb5, 0x3bc, 0x39c], // µ μ Μ
  [0xdf, 0x1e9e], // ß ẞ
];
let extraFoldMap: Map<number, number[]> | undefined;

function caseVariants(cp: number, out: number[]): void {
  const s = String.fromCodePoint(cp);
  for (const v of [s.toLowerCase(), s.toUpperCase()]) {
    const c = v.codePointAt(0)!;
    if (v.length === String.fromCodePoint(c).length && c !== cp) {
      out.push(c, c);
      const s2 = String.fromCodePoint(c);
      for (const w of [s2.toLowerCase(), s2.toUpperCase()]) {
        const d = w.codePointAt(0)!;
        if (w.length === String.fromCodePoint(d).length && d !== cp) out.push(d, d);
      }
    }
  }
  if (!extraFoldMap) {
    extraFoldMap = new Map();
    for (const group of EXTRA_FOLDS) for (const c of group) extraFoldMap.set(c, group);
  }
  const g = extraFoldMap.get(cp);
  if (g) for (const c of g) out.push(c, c);
}

/** Add the case variants of every code point (Ruby's (?i) on literal characters and class ranges). */
export function caseClosure(a: Ranges): Ranges {
  const extra: number[] = [];
  for (let i = 0; i < a.length; i += 2) {
    const lo = a[i]!;
    const hi = a[i + 1]!;
    // ASCII letters fast path.
    const ulo = Math.max(lo, 0x41), uhi = Math.min(hi, 0x5a);
    if (ulo <= uhi) extra.push(ulo + 32, uhi + 32);
    const llo = Math.max(lo, 0x61), lhi = Math.min(hi, 0x7a);
    if (llo <= lhi) extra.push(llo - 32, lhi - 32);
    for (const c of [0x6b, 0x73, 0x4b, 0x53]) if (c >= lo && c <= hi) caseVariants(c, extra);
    for (let cp = Math.max(lo, 0x80); cp <= hi; cp++) {
      if (cp === 0xd800) cp = 0xe000;
      if (cp > hi) break;
      caseVariants(cp, extra);
    }
  }
  return extra.length ? union(a, normalize(extra)) : a;
}

// ---- emission ----

function hex(n: number, w: number): string {
  return n.toString(16).toUpperCase().padStart(w, '0');
}

/** A code point written for use inside a JavaScript character class. */
export function classChar(cp: number, unicode: boolean): string {
  if (cp >= 0x21 && cp <= 0x7e) return /[\\\]\[^\-]/.test(String.fromCharCode(cp)) ? '\\' + String.fromCharCode(cp) : String.fromCharCode(cp);
  if (cp === 0x20) return ' ';
  if (cp === 0x09) return '\\t';
  if (cp === 0x0a) return '\\n';
  if (cp === 0x0d) return '\\r';
  if (cp < 0x100) return '\\x' + hex(cp, 2);
  if (cp < 0x10000) return '\\u' + hex(cp, 4);
  if (unicode) return '\\u{' + hex(cp, 5) + '}';
  throw new Error('internal: astral code point in a non-unicode class');
}

/** A code point written as a literal outside a class. */
export function literalChar(cp: number, unicode: boolean): string {
  if (cp >= 0x21 && cp <= 0x7e) {
    const c = String.fromCharCode(cp);
    return /[\\^$.|?*+()[\]{}/]/.test(c) ? '\\' + c : c;
  }
  if (cp === 0x20) return ' ';
  if (cp >= 0x10000 && !unicode) {
    const s = String.fromCodePoint(cp);
    return '(?:\\u' + hex(s.charCodeAt(0), 4) + '\\u' + hex(s.charCodeAt(1), 4) + ')';
  }
  return classChar(cp, unicode);
}

function rangesBody(a: Ranges, unicode: boolean): string {
  let s = '';
  for (let i = 0; i < a.length; i += 2) {
    const lo = a[i]!;
    const hi = a[i + 1]!;
    s += classChar(lo, unicode);
    if (hi > lo) s += (hi > lo + 1 ? '-' : '') + classChar(hi, unicode);
  }
  return s;
}

/**
 * How a set is written:
 * - `unicode`: exactly, for a RegExp with the `u` flag;
 * - `bmp`: without the `u` flag, exactly up to U+FFFF (characters above are left out: the caller uses this only
 *   for inputs without them).
 */
export type SetMode = 'unicode' | 'bmp';

/** JavaScript syntax matching one code point of the set: the shorter of a positive or a negated class. */
export function emitSet(a: Ranges, mode: SetMode): string {
  const unicode = mode === 'unicode';
  // Most sets of a pattern are one literal character: written at once (start-up translates thousands of them).
  if (a.length === 2 && a[0] === a[1] && (unicode || a[0]! <= 0xffff)) return literalChar(a[0]!, unicode);
  const domain: Ranges = unicode ? ALL : [0, 0xffff];
  const pos = intersect(a, domain);
  const neg = subtract(domain, pos);
  if (pos.length === 0) return '[]';
  if (neg.length === 0) return '[^]';
  const one = singleCodePoint(pos);
  if (one >= 0) return literalChar(one, unicode);
  const p = rangesBody(pos, unicode);
  const n = rangesBody(neg, unicode);
  return n.length < p.length ? `[^${n}]` : `[${p}]`;
}
