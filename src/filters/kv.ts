// kv: parses `key=value` text (firewall logs, query strings). Same regex semantics as Logstash's kv
// filter; the default-like configurations (single-character separators) use a hand-written scanner
// that yields exactly the same pairs, because Check Point, Fortinet and pfSense logs are kv-heavy.

import { defineFilter, type Filter } from '../core/plugin.js';
import type { Event } from '../core/event.js';
import { parseFieldRef, storeKey, type FieldPath } from '../core/fieldref.js';
import { compileSprintf, type Template } from '../core/sprintf.js';
import { compileRubyRegex } from './support/ruby-regex.js';
import { rubyCapitalize } from './support/ruby.js';
import { buildKvScanRegex, fastKvScan, fastKvScanApplies, type KvScanOptions } from './support/kv-scan.js';

type Transform = 'lowercase' | 'uppercase' | 'capitalize';

interface KvConfig {
  allow_duplicate_values: boolean;
  allow_empty_values: boolean;
  default_keys: Record<string, unknown>;
  exclude_keys: string[];
  include_keys: string[];
  field_split: string;
  field_split_pattern?: string;
  value_split: string;
  value_split_pattern?: string;
  include_brackets: boolean;
  prefix: string;
  recursive: boolean;
  remove_char_key?: string;
  remove_char_value?: string;
  source: string;
  target?: string;
  tag_on_failure: string;
  tag_on_timeout: string;
  timeout_millis: number;
  transform_key?: Transform;
  transform_value?: Transform;
  trim_key?: string;
  trim_value?: string;
  whitespace: 'lenient' | 'strict';
  ecs_compatibility?: string;
}

const TRANSFORMS = ['lowercase', 'uppercase', 'capitalize'] as const;

function transformer(t: Transform | undefined): ((s: string) => string) | undefined {
  if (t === 'lowercase') return (s) => s.toLowerCase();
  if (t === 'uppercase') return (s) => s.toUpperCase();
  if (t === 'capitalize') return rubyCapitalize;
  return undefined;
}

/** A list of sprintf templates, resolved once when none of them has %{...}. */
function keyList(list: string[]): { fixed?: Set<string>; templates?: Template[] } {
  if (list.some((k) => k.includes('%{'))) return { templates: list.map(compileSprintf) };
  return { fixed: new Set(list) };
}

type Kv = Map<string, unknown>;

export default defineFilter<KvConfig>({
  name: 'kv',
  description: 'Parse `key=value` pairs (e.g. `ip=1.2.3.4 error=REFUSED`) into fields. Values may be quoted with "…" or \'…\', and with include_brackets also (…), […] or <…>.',
  options: {
    allow_duplicate_values: { type: 'boolean', default: true, description: 'Keep duplicate key/value pairs (a repeated key becomes an array). When false, a value already present for the key is dropped.' },
    allow_empty_values: { type: 'boolean', default: false, description: 'Keep keys whose value is empty (set to ""); by default they are skipped.' },
    default_keys: { type: 'hash', default: {}, description: 'Keys and values added when the source does not contain them.', example: 'default_keys => { "from" => "logstash@example.com" }' },
    exclude_keys: { type: 'array', items: 'string', default: [], description: 'Parsed keys not to add (sprintf templates); compared after trim/remove/transform, before prefix.' },
    include_keys: { type: 'array', items: 'string', default: [], description: 'Only add these parsed keys (sprintf templates); empty means all.' },
    field_split: { type: 'string', default: ' ', description: 'Characters that separate pairs (a regex character class: escape `[`, `]` and such with `\\`).', example: 'field_split => "&?"' },
    field_split_pattern: { type: 'string', description: 'Regex separating pairs (multi-character separators); takes precedence over field_split. Avoid capture groups.', example: 'field_split_pattern => ":+"' },
    value_split: { type: 'string', default: '=', description: 'Characters that separate a key from its value (a regex character class).', example: 'value_split => ":"' },
    value_split_pattern: { type: 'string', description: 'Regex separating key from value; takes precedence over value_split. Avoid capture groups.' },
    include_brackets: { type: 'boolean', default: true, description: 'Treat (…), […] and <…> as value quotes that are removed.' },
    prefix: { type: 'string', default: '', description: 'String prepended to every key (sprintf template).', example: 'prefix => "arg_"' },
    recursive: { type: 'boolean', default: false, description: 'Parse values again for nested key/value pairs, stored as sub-fields of the key.' },
    remove_char_key: { type: 'string', description: 'Characters removed from keys wherever they are (a regex character class).', example: 'remove_char_key => "<>\\[\\],"' },
    remove_char_value: { type: 'string', description: 'Characters removed from values wherever they are (a regex character class).' },
    source: { type: 'string', default: 'message', description: 'Field to parse (a string, or an array of strings).' },
    target: { type: 'string', description: 'Field to put all pairs into (replacing it); by default pairs go to the event root.' },
    tag_on_failure: { type: 'string', default: '_kv_filter_error', description: 'Tag added when parsing raises an error (e.g. a key that is not a valid field reference).' },
    tag_on_timeout: { type: 'string', default: '_kv_filter_timeout', description: 'Tag added when parsing an event exceeds timeout_millis.' },
    timeout_millis: { type: 'number', default: 30000, description: 'Abort parsing of one event after this many milliseconds (0 disables).' },
    transform_key: { type: 'string', enum: TRANSFORMS, description: 'Change key case: lowercase, uppercase or capitalize.' },
    transform_value: { type: 'string', enum: TRANSFORMS, description: 'Change value case: lowercase, uppercase or capitalize.' },
    trim_key: { type: 'string', description: 'Characters trimmed from the start and end of keys (a regex character class).', example: 'trim_key => "<>\\[\\],"' },
    trim_value: { type: 'string', description: 'Characters trimmed from the start and end of values (a regex character class).', example: 'trim_value => "<>\\[\\],"' },
    whitespace: { type: 'string', enum: ['lenient', 'strict'], default: 'lenient', description: 'lenient ignores spaces around the value separator; strict does not, so a separator followed by a field separator is an empty value.' },
    ecs_compatibility: { type: 'string', enum: ['disabled', 'v1', 'v8'], description: 'Accepted for compatibility; kv behaves the same in every mode.' },
  },
  create(config, ctx): Filter {
    if (config.value_split.length === 0) throw new Error("kv: 'value_split' must be a non-empty string");
    if (config.field_split_pattern !== undefined && config.field_split_pattern.length === 0) throw new Error("kv: 'field_split_pattern' must be a non-empty string");
    if (config.value_split_pattern !== undefined && config.value_split_pattern.length === 0) throw new Error("kv: 'value_split_pattern' must be a non-empty string");

    const compile = (src: string, what: string, flags = ''): RegExp => {
      try {
        return compileRubyRegex(src, flags);
      } catch (e) {
        throw new Error(`kv: invalid ${what}: ${(e as Error).message}`);
      }
    };
    const trimKey = config.trim_key !== undefined ? compile(`^[${config.trim_key}]+|[${config.trim_key}]+$`, 'trim_key', 'g') : undefined;
    const trimValue = config.trim_value !== undefined ? compile(`^[${config.trim_value}]+|[${config.trim_value}]+$`, 'trim_value', 'g') : undefined;
    const removeKey = config.remove_char_key !== undefined ? compile(`[${config.remove_char_key}]`, 'remove_char_key', 'g') : undefined;
    const removeValue = config.remove_char_value !== undefined ? compile(`[${config.remove_char_value}]`, 'remove_char_value', 'g') : undefined;
    const transformKey = transformer(config.transform_key);
    const transformValue = transformer(config.transform_value);

    const scanOptions: KvScanOptions = {
      fieldSplit: config.field_split,
      valueSplit: config.value_split,
      fieldSplitPattern: config.field_split_pattern,
      valueSplitPattern: config.value_split_pattern,
      includeBrackets: config.include_brackets,
      lenient: config.whitespace === 'lenient',
    };
    let regexes: ReturnType<typeof buildKvScanRegex>;
    try {
      regexes = buildKvScanRegex(scanOptions);
    } catch (e) {
      throw new Error(`kv: invalid separators: ${(e as Error).message}`);
    }
    const { scan, hasValueSplit } = regexes;
    const fast = fastKvScanApplies(scanOptions);
    const fastValueSplit = fast ? config.value_split : '';

    const includeKeys = keyList(config.include_keys);
    const excludeKeys = keyList(config.exclude_keys);
    const prefixTemplate = config.prefix.includes('%{') ? compileSprintf(config.prefix) : undefined;
    const sourcePath = parseFieldRef(config.source);
    const targetPath: FieldPath | undefined = config.target !== undefined ? parseFieldRef(config.target) : undefined;
    const defaults = Object.entries(config.default_keys);
    const allowEmpty = config.allow_empty_values;
    const allowDuplicates = config.allow_duplicate_values;
    const recursive = config.recursive;
    const failureTag = config.tag_on_failure;
    const timeoutTag = config.tag_on_timeout;

    const containsValueSplit = (text: string): boolean => {
      if (fast) {
        for (let i = 0; i < fastValueSplit.length; i++) if (text.includes(fastValueSplit[i]!)) return true;
        return false;
      }
      return hasValueSplit.test(text);
    };

    /** Per-event state shared by the recursion. */
    interface Ctx {
      include?: Set<string>;
      exclude?: Set<string>;
      prefix: string;
    }

    const addPair = (c: Ctx, kv: Kv, rawKey: string, rawValue: string | undefined): void => {
      if (rawValue === undefined || rawValue.length === 0) {
        if (!allowEmpty) return;
        rawValue = '';
      }
      let key = rawKey;
      if (trimKey) key = key.replace(trimKey, '');
      if (removeKey) key = key.replace(removeKey, '');
      if (transformKey) key = transformKey(key);
      if (c.include && c.include.size > 0 && !c.include.has(key)) return;
      if (c.exclude && c.exclude.has(key)) return;
      key = c.prefix + key;
      let value: unknown = rawValue;
      let s = rawValue;
      if (trimValue) s = s.replace(trimValue, '');
      if (removeValue) s = s.replace(removeValue, '');
      if (transformValue) s = transformValue(s);
      value = s;
      const existing = kv.get(key);
      if (!allowDuplicates && existing !== undefined && includesValue(existing, s)) return;
      if (recursive) {
        const inner = parse(c, s, new Map());
        if (inner.size > 0) value = Object.fromEntries(inner);
      }
      if (existing === undefined) kv.set(key, value);
      else if (Array.isArray(existing)) existing.push(value);
      else kv.set(key, [existing, value]);
    };

    const parse = (c: Ctx, text: string, kv: Kv): Kv => {
      if (!containsValueSplit(text)) return kv;
      if (fast && !text.includes('\\')) {
        const pairs: (string | undefined)[] = [];
        fastKvScan(text, scanOptions, pairs);
        for (let i = 0; i < pairs.length; i += 2) addPair(c, kv, pairs[i]!, pairs[i + 1]);
        return kv;
      }
      scan.lastIndex = 0;
      const matches = text.matchAll(scan);
      for (const m of matches) {
        let value: string | undefined;
        for (let i = 2; i < m.length; i++) {
          if (m[i] !== undefined) {
            value = m[i];
            break;
          }
        }
        addPair(c, kv, m[1]!, value);
      }
      return kv;
    };

    const resolveKeys = (list: { fixed?: Set<string>; templates?: Template[] }, event: Event): Set<string> | undefined => {
      if (list.fixed) return list.fixed.size > 0 ? list.fixed : undefined;
      return new Set(list.templates!.map((t) => t(event)));
    };

    return {
      failureTags: [failureTag, timeoutTag],
      timeoutMillis: config.timeout_millis > 0 ? config.timeout_millis : undefined,
      onTimeout(event: Event): void {
        event.tag(timeoutTag);
      },
      filter(event: Event): boolean {
        try {
          const value = event.getPath(sourcePath);
          let kv: Kv = new Map();
          if (typeof value === 'string' || Array.isArray(value)) {
            const c: Ctx = {
              include: resolveKeys(includeKeys, event),
              exclude: resolveKeys(excludeKeys, event),
              prefix: prefixTemplate ? prefixTemplate(event) : config.prefix,
            };
            if (typeof value === 'string') kv = parse(c, value, kv);
            else for (const v of value) if (typeof v === 'string') kv = parse(c, v, kv);
          } else if (value !== undefined && value !== null) {
            ctx.logger.debug('kv filter has no support for this type of data', { source: config.source });
          }
          if (defaults.length > 0) {
            const merged: Kv = new Map(defaults);
            for (const [k, v] of kv) merged.set(k, v);
            kv = merged;
          }
          if (kv.size === 0) return false;
          if (targetPath) event.setPath(targetPath, Object.fromEntries(kv));
          else for (const [k, v] of kv) setField(event, k, v);
          return true;
        } catch (e) {
          ctx.logger.warn('Exception while parsing KV', { exception: (e as Error).message });
          event.tag(failureTag);
          return false;
        }
      },
    };
  },
});

/** Logstash's `include?` on the existing value: substring test for a string, membership for an array. */
function includesValue(existing: unknown, value: string): boolean {
  if (typeof existing === 'string') return existing.includes(value);
  if (Array.isArray(existing)) return existing.includes(value);
  if (existing !== null && typeof existing === 'object') return Object.prototype.hasOwnProperty.call(existing, value);
  return false;
}

/** event.set(key, value) where the key is a field reference; plain keys skip the parser. */
function setField(event: Event, key: string, value: unknown): void {
  if (key.length === 0) return; // not a valid field reference; Logstash would reject the whole event
  if (!key.includes('[') && key !== '@timestamp') {
    storeKey(event.data, key, value);
    return;
  }
  event.setPath(parseFieldRef(key), value);
}
