// dissect: splits text on the literal delimiters of a pattern such as "%{ts} %{+ts} %{src} %{msg}".
// Each mapping is compiled once into a plan: a leading delimiter, then fields each followed by the
// delimiter to search for next. No regular expressions run per event.

import { defineFilter, type Filter } from '../core/plugin.js';
import type { Event } from '../core/event.js';
import { parseFieldRef, type FieldPath } from '../core/fieldref.js';
import { valueToString } from '../core/event.js';

interface DissectConfig {
  mapping: Record<string, unknown>;
  convert_datatype: Record<string, unknown>;
  tag_on_failure: string[];
  append_separator?: string;
}

type Kind = 'normal' | 'skip' | 'append' | 'indirect';

interface FieldSpec {
  kind: Kind;
  /** The key: a field reference for normal/append, the referenced key for indirect, a name for skip. */
  name: string;
  path?: FieldPath;
  /** Skip repeats of the following delimiter (`->`). */
  padded: boolean;
  /** Append order (`/n`); 0 without one. Appends sort by it, then by position. */
  ordinal: number;
  /** The delimiter written before this field in the mapping (used to join appended values). */
  previous: string;
  /** Delimiter to search for after this field; for the last field '' means "to the end of the text". */
  next: string;
  index: number;
}

export interface DissectPlan {
  leading: string;
  fields: FieldSpec[];
}

const FIELD_RE = /([\s\S]*?)%\{([^}]*?)\}/g;

/** Compile a dissect mapping string into a plan. Throws on invalid field syntax. */
export function compileDissection(mapping: string): DissectPlan {
  if (mapping.length === 0) throw new Error('the mapping string cannot be empty');
  const fields: FieldSpec[] = [];
  let leading = '';
  let last = 0;
  FIELD_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = FIELD_RE.exec(mapping)) !== null) {
    const delimiter = m[1]!;
    if (fields.length === 0) leading = delimiter;
    else fields[fields.length - 1]!.next = delimiter;
    fields.push(parseField(m[2]!, delimiter, fields.length));
    last = FIELD_RE.lastIndex;
  }
  if (fields.length === 0) throw new Error(`no %{field} in dissect mapping ${JSON.stringify(mapping)}`);
  // Text after the last field is a delimiter that must follow it.
  fields[fields.length - 1]!.next = mapping.slice(last);
  return { leading, fields };
}

function parseField(raw: string, previous: string, index: number): FieldSpec {
  let body = raw;
  let padded = false;
  if (body.endsWith('->')) {
    padded = true;
    body = body.slice(0, -2);
  }
  const spec = (kind: Kind, name: string, ordinal = 0): FieldSpec => ({ kind, name, padded, ordinal, previous, next: '', index });
  if (body.length === 0) return spec('skip', '');
  const prefix = body[0];
  if (body.startsWith('+&') || body.startsWith('&+')) {
    throw new Error(`field cannot prefix with both Append and Indirect Prefix (${body.slice(0, 2)}): ${raw}`);
  }
  // `*key` (Elasticsearch ingest's reference key) names a value like `?key`: the pair is written by `&key`.
  if (prefix === '?' || prefix === '*') return spec('skip', body.slice(1));
  if (prefix === '+') {
    let name = body.slice(1);
    let ordinal = 0;
    const ord = /\/(\d+)$/.exec(name);
    if (ord) {
      ordinal = Number(ord[1]);
      name = name.slice(0, ord.index);
    }
    if (name.length === 0) throw new Error('field cannot be a prefix on its own without further text');
    const s = spec('append', name, ordinal);
    s.path = parseFieldRef(name);
    return s;
  }
  if (prefix === '&') {
    const name = body.slice(1);
    if (name.length === 0) throw new Error('field cannot be a prefix on its own without further text');
    return spec('indirect', name);
  }
  const s = spec('normal', body);
  s.path = parseFieldRef(body);
  return s;
}

/**
 * Run a plan over `text`. Returns the value of each field (by plan index), or undefined when a
 * delimiter is missing (the dissection fails).
 */
export function runDissection(plan: DissectPlan, text: string): string[] | undefined {
  const values: string[] = new Array(plan.fields.length);
  // Logstash skips the leading delimiter's length (repeated, when it is found there repeatedly).
  let pos = plan.leading.length;
  if (pos > 0) while (text.startsWith(plan.leading, pos)) pos += plan.leading.length;
  const fields = plan.fields;
  const lastIndex = fields.length - 1;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const next = f.next;
    // Between two fields an empty delimiter is found at once (the first field is empty), as in Logstash.
    if (next.length === 0 && i === lastIndex) {
      values[i] = text.slice(pos);
      pos = text.length;
      continue;
    }
    const at = text.indexOf(next, pos);
    if (at < 0) return undefined;
    values[i] = text.slice(pos, at);
    pos = at + next.length;
    if (f.padded && next.length > 0) while (text.startsWith(next, pos)) pos += next.length;
  }
  return values;
}

type Converter = (s: string) => number | undefined;
const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?$/;
const CONVERTERS: Record<string, Converter> = {
  int: (s) => (INT_RE.test(s) ? Number(s) + 0 : undefined),
  float: (s) => {
    const t = s.trim();
    return FLOAT_RE.test(t) ? Number(t.replace(/[fFdD]$/, '')) : undefined;
  },
};

interface CompiledMapping {
  source: string;
  sourcePath: FieldPath;
  plan: DissectPlan;
  normal: FieldSpec[];
  appends: FieldSpec[];
  indirects: FieldSpec[];
}

export default defineFilter<DissectConfig>({
  name: 'dissect',
  description: 'Split text on the literal delimiters of a pattern like "%{ts} %{+ts} %{src} %{} %{prog}[%{pid}]: %{msg}" (no regular expressions).',
  notes:
    '%{field} stores, %{} / %{?name} skip, %{+field} appends (joined with the delimiter before it, or a space; %{+field/2} orders), ' +
    '%{&name} stores under the key taken from field `name` (found by %{?name}, %{name} or %{*name}), %{field->} skips repeated delimiters after the field. ' +
    'A missing delimiter or an empty source fails with tag_on_failure; a missing source field only logs.',
  options: {
    mapping: { type: 'hash', default: {}, description: 'Dissections: `source field => pattern`. Later dissections may use fields from earlier ones.', example: 'mapping => { "message" => "%{ts} %{+ts} %{src} %{msg}" }' },
    convert_datatype: {
      type: 'hash',
      default: {},
      description: 'Convert fields after dissection: `field => int` or `field => float`. A value that cannot be converted tags `_dataconversionuncoercible_<field>_<type>`, a missing one `_dataconversionnullvalue_<field>_<type>`.',
      example: 'convert_datatype => { "cpu" => "float" "code" => "int" }',
    },
    tag_on_failure: { type: 'array', items: 'string', default: ['_dissectfailure'], description: 'Tags added when a dissection fails.' },
    append_separator: {
      type: 'string',
      description: 'Sluice extension (from Elasticsearch ingest dissect): when set, appended values are joined with this string instead of the delimiter that precedes each %{+field}.',
    },
  },
  create(config, ctx): Filter {
    const mappings: CompiledMapping[] = [];
    for (const [source, pattern] of Object.entries(config.mapping)) {
      const text = typeof pattern === 'string' ? pattern : String(pattern);
      if (text.length === 0) continue;
      let plan: DissectPlan;
      try {
        plan = compileDissection(text);
      } catch (e) {
        throw new Error(`dissect: invalid mapping for '${source}': ${(e as Error).message}`);
      }
      // Append fields keep declared order unless given /n; a stable sort by ordinal does both.
      const appends = plan.fields.filter((f) => f.kind === 'append').sort((a, b) => a.ordinal - b.ordinal || a.index - b.index);
      mappings.push({
        source,
        sourcePath: parseFieldRef(source),
        plan,
        normal: plan.fields.filter((f) => f.kind === 'normal'),
        appends,
        indirects: plan.fields.filter((f) => f.kind === 'indirect'),
      });
    }
    const conversions = Object.entries(config.convert_datatype).map(([field, type]) => {
      const t = String(type);
      const convert = CONVERTERS[t];
      if (!convert) throw new Error(`dissect: convert_datatype for '${field}' must be int or float, got '${t}'`);
      return { field, type: t, path: parseFieldRef(field), convert };
    });
    const tags = config.tag_on_failure;
    const appendSeparator = config.append_separator;

    const apply = (m: CompiledMapping, values: string[], event: Event): void => {
      for (const f of m.normal) event.setPath(f.path!, values[f.index]);
      for (const f of m.appends) {
        const value = values[f.index]!;
        const existing = event.getPath(f.path!);
        if (existing === undefined || existing === null) event.setPath(f.path!, value);
        else {
          const sep = appendSeparator ?? (f.previous.length > 0 ? f.previous : ' ');
          event.setPath(f.path!, valueToString(existing) + sep + value);
        }
      }
      for (const f of m.indirects) {
        // The key comes from a field of this dissection with that name, else from the event.
        let key: unknown;
        for (const other of m.plan.fields) {
          if (other.kind !== 'indirect' && other.name === f.name) key = values[other.index];
        }
        if (key === undefined) key = event.get(f.name);
        if (key === undefined || key === null) continue;
        const k = valueToString(key);
        if (k.length === 0) continue;
        event.setPath(parseFieldRef(k), values[f.index]);
      }
    };

    return {
      failureTags: tags,
      filter(event: Event): boolean {
        let missingSource = false;
        try {
          for (const m of mappings) {
            const src = event.getPath(m.sourcePath);
            if (src === undefined || src === null) {
              ctx.logger.warn('Dissector mapping, key not found in event', { key: m.source });
              missingSource = true;
              continue;
            }
            const text = typeof src === 'string' ? src : valueToString(src);
            const values = text.length === 0 ? undefined : runDissection(m.plan, text);
            if (values === undefined) {
              ctx.logger.debug('Dissector mapping, pattern not found', { key: m.source });
              for (const t of tags) event.tag(t);
              return false;
            }
            apply(m, values, event);
          }
        } catch (e) {
          ctx.logger.warn('Dissect threw an exception', { exception: (e as Error).message });
          for (const t of tags) event.tag(t);
          return false;
        }
        for (const c of conversions) {
          const v = event.getPath(c.path);
          if (v === undefined || v === null) {
            event.tag(`_dataconversionnullvalue_${c.field}_${c.type}`);
            continue;
          }
          const n = typeof v === 'string' || typeof v === 'number' ? c.convert(String(v)) : undefined;
          if (n === undefined) event.tag(`_dataconversionuncoercible_${c.field}_${c.type}`);
          else event.setPath(c.path, n);
        }
        return !missingSource;
      },
    };
  },
});
