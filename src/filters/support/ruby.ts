// Small pieces of Ruby string semantics that Logstash filters expose in their results: String#split,
// #strip, #capitalize, and how values turn into strings ("#{v}" and #inspect). Filters that hash or
// compare such strings (fingerprint) must build exactly what Logstash builds.

const RUBY_SPACE = /[\0\t\n\v\f\r ]/;
const STRIP_RE = /^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g;
const AWK_SPACE_RUN = /[\t\n\v\f\r ]+/;

/** Ruby String#strip: removes leading/trailing ASCII whitespace and NUL (not Unicode spaces). */
export function rubyStrip(s: string): string {
  if (s.length === 0 || (!RUBY_SPACE.test(s[0]!) && !RUBY_SPACE.test(s[s.length - 1]!))) return s;
  return s.replace(STRIP_RE, '');
}

/**
 * Ruby String#split with a string separator. `limit` 0 drops trailing empty strings (Ruby's default),
 * a negative limit keeps them. A single space separator splits on runs of whitespace and ignores
 * leading whitespace (awk style); an empty separator splits into characters.
 */
export function rubySplit(s: string, sep: string, limit = 0): string[] {
  if (s.length === 0) return [];
  let parts: string[];
  if (sep === ' ') {
    let start = 0;
    while (start < s.length && AWK_SPACE_RUN.test(s[start]!)) start++;
    if (start === s.length) return limit < 0 ? [''] : [];
    parts = s.slice(start).split(AWK_SPACE_RUN);
  } else if (sep === '') {
    parts = Array.from(s);
  } else {
    parts = s.split(sep);
  }
  if (limit === 0) {
    let end = parts.length;
    while (end > 0 && parts[end - 1] === '') end--;
    if (end !== parts.length) parts.length = end;
  }
  return parts;
}

/** Ruby String#capitalize: first character upper case, the rest lower case. */
export function rubyCapitalize(s: string): string {
  if (s.length === 0) return s;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  return first.toUpperCase() + s.slice(first.length).toLowerCase();
}

/** Ruby Float#to_s for a non-integral number (integral numbers print as integers: JS cannot tell 1.0 from 1). */
export function rubyNumberToS(n: number): string {
  if (Number.isInteger(n) || !Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n === Infinity ? 'Infinity' : n === -Infinity ? '-Infinity' : String(n);
  const abs = Math.abs(n);
  if (abs >= 1e-4 && abs < 1e16) return String(n);
  // Ruby switches to exponent form below 1e-4: 1.0e-05, 2.5e-300.
  const [mant, exp] = n.toExponential().split('e') as [string, string];
  const m = mant.includes('.') ? mant : `${mant}.0`;
  const sign = exp[0] === '-' ? '-' : '+';
  const digits = exp.replace(/^[+-]/, '');
  return `${m}e${sign}${digits.length < 2 ? '0' + digits : digits}`;
}

/**
 * `"#{value}"` in Ruby, for values as Logstash hands them to Ruby code. `sortKeys` sorts hash keys
 * (recursively) first, as fingerprint's deep_sort_hashes does.
 */
export function rubyToS(v: unknown, sortKeys = false): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return rubyNumberToS(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  return rubyInspect(v, sortKeys);
}

/** Ruby #inspect (Ruby 3.1 / JRuby 9.4 format): `{"k"=>1, "a"=>[nil, "x"]}`. */
export function rubyInspect(v: unknown, sortKeys = false): string {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'string') return inspectString(v);
  if (typeof v === 'number') return rubyNumberToS(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return `[${v.map((x) => rubyInspect(x, sortKeys)).join(', ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // Key order comes from an explicit list: JS objects iterate integer-like keys first.
    const defined = Object.keys(o).filter((k) => o[k] !== undefined); // undefined: a removed field
    const keys = sortKeys ? defined.sort(compareBytewise) : defined;
    const parts: string[] = [];
    for (const k of keys) parts.push(`${inspectString(k)}=>${rubyInspect(o[k], sortKeys)}`);
    return `{${parts.join(', ')}}`;
  }
  return String(v);
}

const NAMED_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
  '\f': '\\f',
  '\v': '\\v',
  '\b': '\\b',
  '\x07': '\\a',
  '\x1b': '\\e',
};

function inspectString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const named = NAMED_ESCAPES[c];
    if (named !== undefined) out += named;
    else if (c === '#' && (s[i + 1] === '{' || s[i + 1] === '$' || s[i + 1] === '@')) out += '\\#';
    else {
      const code = c.charCodeAt(0);
      if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
      else out += c;
    }
  }
  return out + '"';
}

/** Ruby String#<=> on UTF-8 strings: byte order, which is code point order. */
export function compareBytewise(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}
