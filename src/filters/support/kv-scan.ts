// The kv filter's scanner. Logstash builds one Ruby regex from the options and `scan`s the text with
// it; `buildKvScanRegex` builds the same regex (in Ruby syntax, then translated). `fastKvScan` is a
// hand-written scanner giving exactly the same pairs for the common case (single-character
// separators such as the default space and '=', no backslash in the text), without a regex engine.

import { translateRubyRegex, type TranslatedRegex } from './ruby-regex.js';

export interface KvScanOptions {
  fieldSplit: string;
  valueSplit: string;
  fieldSplitPattern?: string;
  valueSplitPattern?: string;
  includeBrackets: boolean;
  lenient: boolean;
}

export interface KvRegexes {
  /** The global scan regex: group 1 is the key, the first defined later group the value. */
  scan: RegExp;
  /** Does the text contain a value separator at all (Logstash's short-circuit)? */
  hasValueSplit: RegExp;
  translated: TranslatedRegex;
}

function quoted(open: string, close: string): string {
  const o = open === '(' || open === '[' ? `\\${open}` : open;
  const c = close === ')' || close === ']' ? `\\${close}` : close;
  return `(?:${o}((?:\\\\.|[^${c}])+)?${c})`;
}

/** The Ruby source of Logstash's scan regex for these options. */
export function kvScanRubySource(o: KvScanOptions): { scan: string; valueSplit: string } {
  const fieldSplit = o.fieldSplitPattern ?? `[${o.fieldSplit}]`;
  let valueSplit = o.valueSplitPattern ?? `[${o.valueSplit}]`;
  if (o.lenient) valueSplit = `(?: *)(?:${valueSplit})(?: *)`;
  const patterns = o.fieldSplitPattern !== undefined || o.valueSplitPattern !== undefined;
  const key = patterns ? `((?:\\\\.|(?!(?:(?:${valueSplit})|(?:${fieldSplit}))).)+)` : `((?:\\\\.|[^${o.valueSplit}${o.fieldSplit}])+)`;
  const values = [quoted('"', '"'), quoted("'", "'")];
  if (o.includeBrackets) values.push(quoted('(', ')'), quoted('[', ']'), quoted('<', '>'));
  values.push(o.fieldSplitPattern !== undefined ? `((?:\\\\.|(?!(?:${fieldSplit})).)+)` : `((?:\\\\.|[^${o.fieldSplit}])+)`);
  const scan = `${key}(?:${valueSplit})(?:${values.join('|')})?(?:(?:${fieldSplit})|(?:$))`;
  return { scan, valueSplit };
}

export function buildKvScanRegex(o: KvScanOptions): KvRegexes {
  const src = kvScanRubySource(o);
  const translated = translateRubyRegex(src.scan);
  const vs = translateRubyRegex(src.valueSplit);
  return {
    scan: new RegExp(translated.source, translated.flags + 'g'),
    hasValueSplit: new RegExp(vs.source, vs.flags),
    translated,
  };
}

const CLASS_SPECIAL = /[\\\]\[^-]/;

/**
 * Can the fast scanner handle these options? Separators must be plain character sets (no regex
 * syntax), disjoint, and the value separator must not contain a space (lenient mode eats spaces).
 */
export function fastKvScanApplies(o: KvScanOptions): boolean {
  if (o.fieldSplitPattern !== undefined || o.valueSplitPattern !== undefined) return false;
  if (o.fieldSplit.length === 0 || o.valueSplit.length === 0) return false;
  if (CLASS_SPECIAL.test(o.fieldSplit) || CLASS_SPECIAL.test(o.valueSplit)) return false;
  if (o.valueSplit.includes(' ')) return false;
  for (const c of o.valueSplit) if (o.fieldSplit.includes(c)) return false;
  for (const c of o.fieldSplit + o.valueSplit) if (c.length !== 1) return false; // astral characters are two code units
  return true;
}

// Separator sets are tiny (usually one character): includes() on them is as fast as a comparison.
function isF(fs: string, c: string): boolean {
  return fs.length === 1 ? c === fs : fs.includes(c);
}
const isV = isF;

const QUOTE_CLOSE: Record<string, string> = { '"': '"', "'": "'" };
const BRACKET_CLOSE: Record<string, string> = { '"': '"', "'": "'", '(': ')', '[': ']', '<': '>' };

/**
 * Scan `text` (which must not contain a backslash) exactly as the regex would: appends each key and
 * its value (undefined when missing) to `out`, alternating. See fastKvScanApplies for the preconditions.
 */
export function fastKvScan(text: string, o: KvScanOptions, out: (string | undefined)[]): void {
  const fs = o.fieldSplit;
  const vs = o.valueSplit;
  const closes = o.includeBrackets ? BRACKET_CLOSE : QUOTE_CLOSE;
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    const c0 = text[pos]!;
    if (isF(fs, c0) || isV(vs, c0)) {
      pos++;
      continue;
    }
    // Key: the run of characters that are neither separator.
    let e = pos + 1;
    while (e < n && !isF(fs, text[e]!) && !isV(vs, text[e]!)) e++;
    let r = e;
    if (o.lenient) while (r < n && text[r] === ' ') r++;
    if (r >= n || !isV(vs, text[r]!)) {
      // No value separator after this key: no match starts anywhere in the run.
      pos = e;
      continue;
    }
    const key = text.slice(pos, e);
    r++;
    if (o.lenient) while (r < n && text[r] === ' ') r++;
    if (r >= n) {
      out.push(key, undefined);
      return;
    }
    const c = text[r]!;
    const close = closes[c];
    if (close !== undefined) {
      const k = text.indexOf(close, r + 1);
      if (k >= 0) {
        const after = k + 1;
        let end = -1;
        if (after >= n) end = n;
        else if (isF(fs, text[after]!)) end = after + 1;
        else if (text[after] === '\n') end = after; // Ruby's $ matches before a newline
        if (end >= 0) {
          out.push(key, k === r + 1 ? undefined : text.slice(r + 1, k));
          pos = end;
          continue;
        }
      }
      // Unclosed, or not followed by a separator: the quote is part of an unquoted value.
    }
    if (isF(fs, c)) {
      out.push(key, undefined);
      pos = r + 1;
      continue;
    }
    let m = r + 1;
    while (m < n && !isF(fs, text[m]!)) m++;
    out.push(key, text.slice(r, m));
    pos = m < n ? m + 1 : n;
  }
}
