// mutate: Logstash's general field mutations. Operations always run in Logstash's fixed order
// (coerce, rename, update, replace, convert, gsub, uppercase, capitalize, lowercase, strip, split,
// join, merge, copy), whatever their order in the config. An error aborts the remaining operations
// and tags the event with `tag_on_failure`, as Logstash does.

import { defineFilter, type Filter } from '../core/plugin.js';
import type { Event } from '../core/event.js';
import { deepClone } from '../core/event.js';
import { parseFieldRef, type FieldPath } from '../core/fieldref.js';
import { compileSprintf, type Template } from '../core/sprintf.js';
import { rubyCapitalize, rubySplit, rubyStrip, rubyToS } from './support/ruby.js';
import { compileRubyRegex, translateRubyRegex, translateRubyReplacement, type TranslatedRegex } from './support/ruby-regex.js';

interface MutateConfig {
  coerce?: Record<string, unknown>;
  rename?: Record<string, unknown>;
  update?: Record<string, unknown>;
  replace?: Record<string, unknown>;
  convert?: Record<string, unknown>;
  gsub?: unknown[];
  uppercase?: string[];
  capitalize?: string[];
  lowercase?: string[];
  strip?: string[];
  split?: Record<string, unknown>;
  join?: Record<string, unknown>;
  merge?: Record<string, unknown>;
  copy?: Record<string, unknown>;
  tag_on_failure: string;
}

/** An error inside one mutation: the rest is aborted and the event tagged. */
class MutateError extends Error {}

type Converter = (v: unknown) => unknown;

const CONVERSIONS = ['integer', 'integer_eu', 'float', 'float_eu', 'string', 'boolean'] as const;
type Conversion = (typeof CONVERSIONS)[number];

// Logstash's patterns, including the unescaped '.' in 1.0 and Ruby's line-anchored ^ and $.
const TRUE_RE = compileRubyRegex('(?i)^(true|t|yes|y|1|1.0)$');
const FALSE_RE = compileRubyRegex('(?i)^(false|f|no|n|0|0.0)$');
const HEX_PREFIX = /^[+-]?0x/i;
const HEX_INT = /^([+-]?)0x([0-9a-f]+(?:_[0-9a-f]+)*)$/i;
const HEX_UNSIGNED = /^0x([0-9a-f]+(?:_[0-9a-f]+)*)$/i;
// Ruby's Float(): digits with single underscores between them, optional fraction and exponent, ".5" allowed.
const RUBY_FLOAT = /^[+-]?(?:\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?$/;
// BigDecimal(): like Float() but the mantissa may also end with a bare '.'.
const RUBY_BIGDECIMAL = /^[+-]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?$/;
// String#to_i: the leading integer, or 0.
const RUBY_TO_I = /^[\t\n\v\f\r ]*([+-]?\d+(?:_\d+)*)/;

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : rubyToS(v);
}

function parseHexInteger(s: string): number {
  const m = HEX_INT.exec(s);
  if (!m) throw new MutateError(`invalid value for Integer(): ${JSON.stringify(s)}`);
  const n = parseInt(m[2]!.replace(/_/g, ''), 16);
  return m[1] === '-' ? -n : n;
}

function rubyFloatParse(s: string): number {
  if (HEX_PREFIX.test(s)) {
    const negative = s[0] === '-';
    const m = HEX_UNSIGNED.exec(s.replace(/^[+-]/, ''));
    if (!m) throw new MutateError(`invalid value for Float(): ${JSON.stringify(s)}`);
    const n = parseInt(m[1]!.replace(/_/g, ''), 16);
    return negative ? -n : n;
  }
  if (!RUBY_FLOAT.test(s)) throw new MutateError(`invalid value for Float(): ${JSON.stringify(s)}`);
  return Number(s.replace(/_/g, ''));
}

/** Logstash (8.14+) integer conversion. */
function convertInteger(value: unknown): unknown {
  if (value === true) return 1;
  if (value === false) return 0;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MutateError(`cannot convert ${value} to an integer`);
    return Math.trunc(value) + 0; // + 0 turns -0 into 0
  }
  if (value instanceof Date) return Math.floor(value.getTime() / 1000); // Timestamp#to_i
  if (typeof value === 'string') {
    const s = rubyStrip(value).replace(/,/g, '');
    if (HEX_PREFIX.test(s)) {
      rubyFloatParse(s); // Logstash parses it as a Float first: invalid hex raises
      if (!s.includes('.')) return parseHexInteger(s);
      throw new MutateError(`invalid value for Integer(): ${JSON.stringify(s)}`);
    }
    // Scientific notation goes through BigDecimal (only a lower-case 'e' is looked for, as in Logstash).
    if (s.includes('e')) {
      if (!RUBY_BIGDECIMAL.test(s)) throw new MutateError(`invalid value for BigDecimal(): ${JSON.stringify(s)}`);
      return Math.trunc(Number(s.replace(/_/g, ''))) + 0;
    }
    const m = RUBY_TO_I.exec(s);
    return m ? Number(m[1]!.replace(/_/g, '')) + 0 : 0;
  }
  throw new MutateError(`cannot convert ${describe(value)} to an integer`);
}

/** Logstash (8.14+) float conversion: strict, like Ruby's Float(). */
function convertFloat(value: unknown): unknown {
  if (value === true) return 1;
  if (value === false) return 0;
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime() / 1000; // Timestamp#to_f
  if (typeof value === 'string') return rubyFloatParse(rubyStrip(value).replace(/,/g, ''));
  throw new MutateError(`cannot convert ${describe(value)} to a float`);
}

/** EU style: '.' groups thousands and ',' is the decimal mark (the two are swapped, then converted). */
function swapEu(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(/[.,]/g, (c) => (c === '.' ? ',' : '.'));
}

function convertBoolean(value: unknown): unknown {
  const s = rubyToS(value);
  if (TRUE_RE.test(s)) return true;
  if (s.length === 0 || FALSE_RE.test(s)) return false;
  return value; // Logstash passes other values through (with a warning)
}

const CONVERTERS: Record<Conversion, Converter> = {
  integer: convertInteger,
  integer_eu: (v) => convertInteger(swapEu(v)),
  float: convertFloat,
  float_eu: (v) => convertFloat(swapEu(v)),
  string: (v) => rubyToS(v),
  boolean: convertBoolean,
};

const upper = (s: string) => s.toUpperCase();
const lower = (s: string) => s.toLowerCase();

function isHash(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

/** Ruby's Array(x): nil → [], an array stays, anything else is wrapped. */
function rubyArray(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Ruby Array#join: nested arrays are joined with the same separator, nil is empty. */
function mapStrings(v: unknown, fn: (s: string) => string): unknown {
  if (typeof v === 'string') return fn(v);
  if (!Array.isArray(v)) return v;
  const out = new Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = typeof v[i] === 'string' ? fn(v[i]) : v[i];
  return out;
}

function rubyJoin(arr: unknown[], sep: string): string {
  let out = '';
  for (let i = 0; i < arr.length; i++) {
    if (i > 0) out += sep;
    const v = arr[i];
    out += Array.isArray(v) ? rubyJoin(v, sep) : rubyToS(v);
  }
  return out;
}

function refOf(ref: string, option: string): FieldPath {
  try {
    return parseFieldRef(ref);
  } catch (e) {
    throw new Error(`mutate: invalid field reference in ${option}: ${(e as Error).message}`);
  }
}

/** A field name that may contain %{...}: resolved per event only when it does. */
interface DynamicRef {
  path?: FieldPath;
  template?: Template;
}

function dynamicRef(ref: string, option: string): DynamicRef {
  return ref.includes('%{') ? { template: compileSprintf(ref) } : { path: refOf(ref, option) };
}

function resolve(ref: DynamicRef, event: Event): FieldPath {
  if (ref.path) return ref.path;
  try {
    return parseFieldRef(ref.template!(event));
  } catch (e) {
    throw new MutateError((e as Error).message);
  }
}

function templateOf(v: unknown): Template {
  return compileSprintf(typeof v === 'string' ? v : rubyToS(v));
}

interface GsubRule {
  path: FieldPath;
  /** Compiled once when the pattern has no %{...}. */
  regex?: RegExp;
  translated?: TranslatedRegex;
  needle?: Template;
  /** Static replacement (already in JS syntax) or a template resolved per event. */
  replacement?: string;
  /** A static replacement Ruby would reject when substituting (e.g. \k<unknown>): fails on a match. */
  replacementError?: string;
  replacementTemplate?: Template;
}

const DYNAMIC_REGEX_CACHE_MAX = 1000;

export default defineFilter<MutateConfig>({
  name: 'mutate',
  description:
    "Rename, replace, convert and modify fields. Operations run in Logstash's fixed order: coerce, rename, update, replace, convert, gsub, uppercase, capitalize, lowercase, strip, split, join, merge, copy; use several mutate blocks to order them differently.",
  options: {
    coerce: { type: 'hash', description: 'Set the value of fields that exist but are null (values are sprintf templates).', example: 'coerce => { "field1" => "default_value" }' },
    rename: { type: 'hash', description: 'Rename fields: `old => new` (both may be sprintf templates). Missing source fields are ignored; an existing destination is replaced.', example: 'rename => { "HOSTORIP" => "client_ip" }' },
    update: { type: 'hash', description: 'Set existing fields to a new value (sprintf template); fields that do not exist are left alone.', example: 'update => { "sample" => "My new message" }' },
    replace: { type: 'hash', description: 'Set fields to a new value (sprintf template), adding them when missing.', example: 'replace => { "message" => "%{source_host}: My new message" }' },
    convert: {
      type: 'hash',
      description:
        'Convert field values: integer, integer_eu, float, float_eu, string or boolean. Arrays are converted element by element; hashes are left alone. ' +
        'integer/float accept "1,000" grouping (integer truncates decimals); the _eu forms use "." for grouping and "," as decimal mark. ' +
        'boolean: true/t/yes/y/1/1.0 and false/f/no/n/0/0.0 (any case), empty string is false, other values are left unchanged.',
      example: 'convert => { "fieldname" => "integer" "booleanfield" => "boolean" }',
    },
    gsub: {
      type: 'array',
      description: 'Regex substitutions as triples: field, Ruby regex, replacement (`\\1` back-references). Applies to strings and arrays of strings. Pattern and replacement may contain %{...}.',
      example: 'gsub => [ "fieldname", "/", "_", "fieldname2", "[\\\\?#-]", "." ]',
    },
    uppercase: { type: 'array', items: 'string', description: 'Upper-case these string fields (and strings in arrays).', example: 'uppercase => [ "fieldname" ]' },
    capitalize: { type: 'array', items: 'string', description: 'Capitalize these string fields: first character upper case, the rest lower case.', example: 'capitalize => [ "fieldname" ]' },
    lowercase: { type: 'array', items: 'string', description: 'Lower-case these string fields (and strings in arrays).', example: 'lowercase => [ "fieldname" ]' },
    strip: { type: 'array', items: 'string', description: 'Remove leading and trailing whitespace from these fields.', example: 'strip => [ "field1", "field2" ]' },
    split: { type: 'hash', description: 'Split string fields into arrays on a separator (Ruby String#split: trailing empty items are dropped; " " splits on runs of whitespace).', example: 'split => { "fieldname" => "," }' },
    join: { type: 'hash', description: 'Join array fields with a separator; non-array fields are left alone.', example: 'join => { "fieldname" => "," }' },
    merge: { type: 'hash', description: '`dest => added`: merge the added field into dest. Arrays and strings concatenate into an array; hashes merge; an array and a hash do not merge.', example: 'merge => { "dest_field" => "added_field" }' },
    copy: { type: 'hash', description: 'Copy fields (deep copy): `source => destination`; an existing destination is replaced.', example: 'copy => { "source_field" => "dest_field" }' },
    tag_on_failure: { type: 'string', default: '_mutate_error', description: 'Tag added when an operation fails; the remaining operations are then skipped.' },
  },
  create(config, ctx): Filter {
    const log = ctx.logger;
    const failureTag = config.tag_on_failure;

    const coerce = Object.entries(config.coerce ?? {}).map(([f, v]) => ({ path: refOf(f, 'coerce'), value: templateOf(v) }));
    const rename = Object.entries(config.rename ?? {}).map(([from, to]) => ({ from: dynamicRef(from, 'rename'), to: dynamicRef(String(to), 'rename') }));
    const update = Object.entries(config.update ?? {}).map(([f, v]) => ({ path: refOf(f, 'update'), value: templateOf(v) }));
    const replace = Object.entries(config.replace ?? {}).map(([f, v]) => ({ path: refOf(f, 'replace'), value: templateOf(v) }));
    const convert = Object.entries(config.convert ?? {}).map(([f, t]) => {
      if (!(CONVERSIONS as readonly string[]).includes(String(t))) {
        throw new Error(`mutate: invalid conversion type '${String(t)}' for '${f}', expected one of ${CONVERSIONS.join(', ')}`);
      }
      return { path: refOf(f, 'convert'), convert: CONVERTERS[t as Conversion] };
    });

    const gsub: GsubRule[] = [];
    if (config.gsub) {
      const g = config.gsub;
      if (g.length % 3 !== 0) throw new Error(`mutate: gsub needs 3 elements per substitution (field, pattern, replacement), got ${g.length}`);
      for (let i = 0; i < g.length; i += 3) {
        const [field, needle, replacement] = [g[i], g[i + 1], g[i + 2]];
        if (field == null || needle == null || replacement == null) throw new Error('mutate: gsub requires 3 non-nil elements per entry');
        const rule: GsubRule = { path: refOf(String(field), 'gsub') };
        const needleSrc = String(needle);
        if (needleSrc.includes('%{')) rule.needle = compileSprintf(needleSrc);
        else {
          try {
            rule.translated = translateRubyRegex(needleSrc);
            rule.regex = new RegExp(rule.translated.source, rule.translated.flags + 'g');
          } catch (e) {
            throw new Error(`mutate: invalid gsub pattern ${JSON.stringify(needleSrc)}: ${(e as Error).message}`);
          }
        }
        const rep = String(replacement);
        if (rep.includes('%{')) rule.replacementTemplate = compileSprintf(rep);
        else if (rule.translated) {
          try {
            rule.replacement = translateRubyReplacement(rep, rule.translated);
          } catch (e) {
            rule.replacementError = (e as Error).message;
          }
        } else rule.replacement = rep; // translated per event, once the pattern is known
        gsub.push(rule);
      }
    }

    const fields = (list: string[] | undefined, option: string) => (list ?? []).map((f) => refOf(f, option));
    const uppercase = fields(config.uppercase, 'uppercase');
    const capitalize = fields(config.capitalize, 'capitalize');
    const lowercase = fields(config.lowercase, 'lowercase');
    const strip = fields(config.strip, 'strip');
    const split = Object.entries(config.split ?? {}).map(([f, sep]) => ({ path: refOf(f, 'split'), sep: rubyToS(sep) }));
    const join = Object.entries(config.join ?? {}).map(([f, sep]) => ({ path: refOf(f, 'join'), sep: rubyToS(sep) }));
    const merge = Object.entries(config.merge ?? {}).map(([dest, added]) => ({
      dest: refOf(dest, 'merge'),
      added: rubyArray(added).map((a) => refOf(String(a), 'merge')),
    }));
    const copy = Object.entries(config.copy ?? {}).map(([src, dest]) => ({ src: refOf(src, 'copy'), dest: refOf(String(dest), 'copy') }));

    const dynamicRegexes = new Map<string, { regex: RegExp; translated: TranslatedRegex }>();
    const dynamicRegex = (src: string) => {
      let r = dynamicRegexes.get(src);
      if (r === undefined) {
        try {
          const translated = translateRubyRegex(src);
          r = { regex: new RegExp(translated.source, translated.flags + 'g'), translated };
        } catch (e) {
          throw new MutateError(`invalid gsub pattern ${JSON.stringify(src)}: ${(e as Error).message}`);
        }
        if (dynamicRegexes.size >= DYNAMIC_REGEX_CACHE_MAX) dynamicRegexes.clear();
        dynamicRegexes.set(src, r);
      }
      return r;
    };

    const gsubOne = (rule: GsubRule, s: string, event: Event): string => {
      let regex = rule.regex;
      let translated = rule.translated;
      if (!regex) {
        const d = dynamicRegex(rule.needle!(event));
        regex = d.regex;
        translated = d.translated;
      }
      regex.lastIndex = 0;
      if (rule.replacementError !== undefined) {
        if (regex.test(s)) throw new MutateError(rule.replacementError);
        return s;
      }
      let rep: string;
      try {
        if (rule.replacementTemplate) rep = translateRubyReplacement(rule.replacementTemplate(event), translated!);
        else if (rule.regex) rep = rule.replacement!;
        else rep = translateRubyReplacement(rule.replacement!, translated!);
      } catch (e) {
        regex.lastIndex = 0;
        if (regex.test(s)) throw new MutateError((e as Error).message);
        return s;
      }
      regex.lastIndex = 0;
      return s.replace(regex, rep);
    };


    const run = (event: Event): void => {
      for (const c of coerce) {
        if (event.getPath(c.path) === null) event.setPath(c.path, c.value(event));
      }
      for (const r of rename) {
        const from = resolve(r.from, event);
        const to = resolve(r.to, event);
        if (event.getPath(from) === undefined) continue;
        event.setPath(to, event.removePath(from));
      }
      for (const u of update) {
        if (event.getPath(u.path) === undefined) continue;
        event.setPath(u.path, u.value(event));
      }
      for (const r of replace) event.setPath(r.path, r.value(event));
      for (const c of convert) {
        const v = event.getPath(c.path);
        if (v === undefined || v === null || isHash(v)) continue;
        if (Array.isArray(v)) event.setPath(c.path, v.map((x) => (x === null || x === undefined ? x : c.convert(x))));
        else event.setPath(c.path, c.convert(v));
      }
      for (const rule of gsub) {
        const v = event.getPath(rule.path);
        if (typeof v === 'string') event.setPath(rule.path, gsubOne(rule, v, event));
        else if (Array.isArray(v)) event.setPath(rule.path, v.map((x) => (typeof x === 'string' ? gsubOne(rule, x, event) : x)));
      }
      for (const p of uppercase) {
        const v = event.getPath(p);
        if (v !== undefined && v !== null) event.setPath(p, mapStrings(v, upper));
      }
      for (const p of capitalize) {
        const v = event.getPath(p);
        if (v !== undefined && v !== null) event.setPath(p, mapStrings(v, rubyCapitalize));
      }
      for (const p of lowercase) {
        const v = event.getPath(p);
        if (v !== undefined && v !== null) event.setPath(p, mapStrings(v, lower));
      }
      for (const p of strip) {
        const v = event.getPath(p);
        if (typeof v === 'string') event.setPath(p, rubyStrip(v));
        else if (Array.isArray(v)) {
          event.setPath(
            p,
            v.map((x) => {
              if (typeof x !== 'string') throw new MutateError(`strip: cannot strip ${describe(x)} (not a string)`);
              return rubyStrip(x);
            }),
          );
        }
      }
      for (const s of split) {
        const v = event.getPath(s.path);
        if (typeof v === 'string') event.setPath(s.path, rubySplit(v, s.sep));
      }
      for (const j of join) {
        const v = event.getPath(j.path);
        if (Array.isArray(v)) event.setPath(j.path, rubyJoin(v, j.sep));
      }
      for (const m of merge) {
        for (const addedPath of m.added) {
          const dest = event.getPath(m.dest);
          const added = event.getPath(addedPath);
          if (isHash(dest) !== isHash(added)) {
            log.debug('mutate: cannot merge an array and a hash', { dest: m.dest.join('.'), added: addedPath.join('.') });
            continue;
          }
          // Copies keep the two fields from sharing nested objects afterwards.
          if (isHash(dest)) Object.assign(dest, deepClone(added));
          else event.setPath(m.dest, rubyArray(dest).concat(rubyArray(deepClone(added))));
        }
      }
      for (const c of copy) {
        const v = event.getPath(c.src);
        if (v === undefined || v === null) continue;
        event.setPath(c.dest, deepClone(v));
      }
    };

    return {
      failureTags: [failureTag],
      filter(event: Event): boolean {
        try {
          run(event);
          return true;
        } catch (e) {
          log.warn('Exception caught while applying mutate filter', { exception: (e as Error).message });
          event.tag(failureTag);
          return false;
        }
      },
    };
  },
});
