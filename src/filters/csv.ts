// csv: parses one line of delimited text into fields, with Ruby CSV's rules (RFC 4180 quoting,
// strict about stray quotes), column naming (columnN) and conversions as in Logstash's csv filter.

import { defineFilter, type Filter } from '../core/plugin.js';
import type { Event } from '../core/event.js';
import { parseFieldRef, type FieldPath } from '../core/fieldref.js';
import { parseIsoTimestamp } from './json.js';
import { rubyStrip } from './support/ruby.js';

interface CsvConfig {
  source: string;
  columns: string[];
  separator: string;
  quote_char: string;
  target?: string;
  autodetect_column_names: boolean;
  autogenerate_column_names: boolean;
  skip_empty_columns: boolean;
  skip_empty_rows: boolean;
  skip_header: boolean;
  convert: Record<string, unknown>;
  ecs_compatibility?: string;
}

export class MalformedCsvError extends Error {}

/**
 * Ruby's CSV.parse_line: the first row of `s`. Unquoted empty fields are null, quoted empty ones "".
 * Returns null for an empty string. The row separator is the first "\r\n", "\n" or "\r" in the text.
 */
export function parseCsvLine(s: string, sep: string, quote: string): (string | null)[] | null {
  if (s.length === 0) return null;
  const fields: (string | null)[] = [];
  // Fast path: no quote and no line break, a plain split.
  const cr = s.indexOf('\r');
  const lf = s.indexOf('\n');
  if ((quote.length === 0 || !s.includes(quote)) && cr < 0 && lf < 0) {
    for (const f of s.split(sep)) fields.push(f.length === 0 ? null : f);
    return fields;
  }
  let rowSep = '';
  const first = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
  if (first >= 0) rowSep = s[first] === '\r' && s[first + 1] === '\n' ? '\r\n' : s[first]!;
  const n = s.length;
  let pos = 0;
  const atRowEnd = (p: number) => p >= n || (rowSep.length > 0 && s.startsWith(rowSep, p));
  if (atRowEnd(0)) return fields;
  for (;;) {
    let value: string | null;
    if (quote.length > 0 && s.startsWith(quote, pos)) {
      pos += quote.length;
      let v = '';
      for (;;) {
        const q = s.indexOf(quote, pos);
        if (q < 0) throw new MalformedCsvError('Unclosed quoted field in line 1.');
        v += s.slice(pos, q);
        if (s.startsWith(quote, q + quote.length)) {
          v += quote;
          pos = q + 2 * quote.length;
        } else {
          pos = q + quote.length;
          break;
        }
      }
      if (!atRowEnd(pos) && !s.startsWith(sep, pos)) throw new MalformedCsvError("Any value after quoted field isn't allowed in line 1.");
      value = v;
    } else {
      let end = s.indexOf(sep, pos);
      if (end < 0) end = n;
      if (rowSep.length > 0) {
        const r = s.indexOf(rowSep, pos);
        if (r >= 0 && r < end) end = r;
      }
      const v = s.slice(pos, end);
      if (quote.length > 0 && v.includes(quote)) throw new MalformedCsvError('Illegal quoting in line 1.');
      if (v.includes('\r') || v.includes('\n')) throw new MalformedCsvError('Unquoted fields do not allow new line in line 1.');
      pos = end;
      value = v.length === 0 ? null : v;
    }
    fields.push(value);
    if (atRowEnd(pos)) return fields;
    pos += sep.length; // at a separator
    if (atRowEnd(pos)) {
      fields.push(null);
      return fields;
    }
  }
}

// Ruby's Integer(): optional sign, 0x / 0b / 0o / 0d prefixes, a leading 0 means octal, single '_' between digits.
const RUBY_INTEGER = /^([+-]?)(?:0x([0-9a-f]+(?:_[0-9a-f]+)*)|0b([01]+(?:_[01]+)*)|0o?([0-7]+(?:_[0-7]+)*)|0d(\d+(?:_\d+)*)|([1-9]\d*(?:_\d+)*|0))$/i;
const RUBY_FLOAT = /^[+-]?(?:\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?$/;
const RUBY_HEX_FLOAT = /^([+-]?)0x([0-9a-f]+(?:_[0-9a-f]+)*)$/i;

function rubyInteger(raw: string): number | undefined {
  const m = RUBY_INTEGER.exec(rubyStrip(raw));
  if (!m) return undefined;
  const [, sign, hex, bin, oct, dec, plain] = m;
  const digits = (hex ?? bin ?? oct ?? dec ?? plain)!.replace(/_/g, '');
  const radix = hex !== undefined ? 16 : bin !== undefined ? 2 : oct !== undefined ? 8 : 10;
  const n = radix === 10 ? Number(digits) : parseInt(digits, radix);
  return (sign === '-' ? -n : n) + 0;
}

function rubyFloat(raw: string): number | undefined {
  const s = rubyStrip(raw);
  const hex = RUBY_HEX_FLOAT.exec(s);
  if (hex) {
    const n = parseInt(hex[2]!.replace(/_/g, ''), 16);
    return hex[1] === '-' ? -n : n;
  }
  return RUBY_FLOAT.test(s) ? Number(s.replace(/_/g, '')) : undefined;
}

// Ruby CSV's DateMatcher / DateTimeMatcher, limited to the ISO forms (see notes).
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T\s]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?(?:[+-]\d{2}(?::\d{2})|Z)?)?)?$/;

type Converter = (v: string | null) => unknown;
const CONVERTERS: Record<string, Converter> = {
  integer: (v) => (v === null ? v : (rubyInteger(v) ?? v)),
  float: (v) => (v === null ? v : (rubyFloat(v) ?? v)),
  date: (v) => (v !== null && ISO_DATE.test(v) ? (parseIsoTimestamp(v) ?? v) : v),
  date_time: (v) => (v !== null && ISO_DATE_TIME.test(v) ? (parseIsoTimestamp(v) ?? v) : v),
  boolean: (v) => {
    if (v === null) return v;
    const s = rubyStrip(v).toLowerCase();
    return s === 'true' ? true : s === 'false' ? false : s;
  },
};

function sameColumns(a: readonly (string | null)[], b: readonly (string | null)[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export default defineFilter<CsvConfig>({
  name: 'csv',
  description: 'Parse a field holding one line of CSV (any separator) into fields named by `columns` (or column1, column2, …).',
  notes:
    'Quoting follows Ruby CSV (RFC 4180): a quote inside an unquoted field, text after a closing quote or an unclosed quote fail with `_csvparsefailure`. ' +
    'Only the first line of the source is parsed. The `date` and `date_time` conversions read ISO 8601 forms (others stay strings). ' +
    'autodetect_column_names takes the first event each worker sees as the header, so use it with a single pipeline worker, as in Logstash.',
  options: {
    source: { type: 'string', default: 'message', description: 'Field holding the CSV text.' },
    columns: { type: 'array', items: 'string', default: [], description: 'Column names, in order. Columns beyond this list are named columnN (N from 1) unless autogenerate_column_names is false.', example: 'columns => [ "date", "src_ip", "action" ]' },
    separator: { type: 'string', default: ',', description: 'Column separator (any string; for a tab use an actual tab character).' },
    quote_char: { type: 'string', default: '"', description: 'Character used to quote fields ("\\x00" disables quoting in practice).' },
    target: { type: 'string', description: 'Field to put the columns under; by default they go to the event root.' },
    autodetect_column_names: { type: 'boolean', default: false, description: 'Take column names from the first line seen (that event is dropped).' },
    autogenerate_column_names: { type: 'boolean', default: true, description: 'Name columns that have no name in `columns` columnN; when false such columns are not stored.' },
    skip_empty_columns: { type: 'boolean', default: false, description: 'Do not store empty columns.' },
    skip_empty_rows: { type: 'boolean', default: false, description: 'Tag events whose source is empty with `_csvskippedemptyfield` (instead of `_csvparsefailure`).' },
    skip_header: { type: 'boolean', default: false, description: 'Drop events whose values equal the column names (the header line).' },
    convert: { type: 'hash', default: {}, description: 'Column conversions: integer, float, date, date_time or boolean. Values that do not convert stay strings.', example: 'convert => { "column1" => "integer" "column2" => "boolean" }' },
    ecs_compatibility: { type: 'string', enum: ['disabled', 'v1', 'v8'], description: 'Accepted for compatibility; csv behaves the same in every mode.' },
  },
  create(config, ctx): Filter {
    const converters = new Map<string, Converter>();
    const bad: string[] = [];
    for (const [column, type] of Object.entries(config.convert)) {
      const c = CONVERTERS[String(type)];
      if (c) converters.set(column, c);
      else bad.push(String(type));
    }
    if (bad.length > 0) throw new Error(`csv: invalid conversion types: ${[...new Set(bad)].join(', ')}`);
    let quote = config.quote_char;
    if (quote === '\\x00') quote = '\x00';
    if (quote.length !== 1) throw new Error('csv: quote_char has to be a single character');
    if (config.separator.length === 0) throw new Error('csv: separator must not be empty');
    const sep = config.separator;
    const sourcePath = parseFieldRef(config.source);
    const targetPath: FieldPath = config.target !== undefined ? parseFieldRef(config.target) : [];
    let columns: (string | null)[] = config.columns.slice();
    const fieldPaths: FieldPath[] = [];
    const pathFor = (i: number): FieldPath => {
      let p = fieldPaths[i];
      if (p === undefined) {
        p = [...targetPath, columns[i] ?? `column${i + 1}`];
        fieldPaths[i] = p;
      }
      return p;
    };

    return {
      failureTags: ['_csvparsefailure'],
      filter(event: Event): boolean {
        const source = event.getPath(sourcePath);
        if (source === undefined || source === null || source === false) return false;
        try {
          if (typeof source !== 'string') throw new MalformedCsvError(`cannot parse a ${Array.isArray(source) ? 'array' : typeof source} as CSV`);
          const values = parseCsvLine(source, sep, quote);
          if (values === null) {
            if (config.skip_empty_rows) {
              event.tag('_csvskippedemptyfield');
              return false;
            }
            throw new MalformedCsvError('empty line');
          }
          if (config.autodetect_column_names && columns.length === 0) {
            columns = values;
            fieldPaths.length = 0;
            event.cancelled = true;
            return false;
          }
          if (config.skip_header && columns.length > 0 && sameColumns(columns, values)) {
            event.cancelled = true;
            return false;
          }
          for (let i = 0; i < values.length; i++) {
            const v = values[i]!;
            if (config.skip_empty_columns && (v === null || v.length === 0)) continue;
            const name = columns[i];
            if ((name === undefined || name === null) && !config.autogenerate_column_names) continue;
            const convert = converters.get(name ?? `column${i + 1}`);
            event.setPath(pathFor(i), convert ? convert(v) : v);
          }
          return true;
        } catch (e) {
          ctx.logger.warn('Error parsing csv', { field: config.source, exception: (e as Error).message });
          event.tag('_csvparsefailure');
          return false;
        }
      },
    };
  },
});
