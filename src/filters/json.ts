// json: parses a field holding JSON. Without a target the object is merged into the event root, and a
// parsed `@timestamp` becomes the event timestamp (or `_@timestamp` + `_timestampparsefailure` when it
// cannot be read), as in Logstash.

import { defineFilter, type Filter } from '../core/plugin.js';
import type { Event } from '../core/event.js';
import { parseFieldRef, storeKey, type FieldPath } from '../core/fieldref.js';
import { rubyToS } from './support/ruby.js';
import { parseJson } from '../core/serialize.js';

interface JsonConfig {
  source: string;
  target?: string;
  skip_on_invalid_json: boolean;
  tag_on_failure: string[];
  ecs_compatibility?: string;
}

const TIMESTAMP_FAILURE_TAG = '_timestampparsefailure';
const TIMESTAMP_FAILURE_FIELD = '_@timestamp';

// ISO 8601 as Logstash's Timestamp.coerce reads it: date, optional time (T or space), optional
// fraction, optional zone (Z, ±hh, ±hhmm, ±hh:mm). A time without zone is UTC.
const ISO8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Parse an ISO 8601 timestamp string; undefined when it is not one. */
export function parseIsoTimestamp(s: string): Date | undefined {
  const m = ISO8601.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  let t = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms);
  if (new Date(Date.UTC(Number(y), month - 1, day)).getUTCDate() !== day) return undefined; // Feb 30
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0);
    t -= sign * offset * 60_000;
  }
  return Number.isNaN(t) ? undefined : new Date(t);
}

function coerceTimestamp(v: unknown): Date | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v;
  if (typeof v === 'string') return parseIsoTimestamp(v);
  return undefined;
}

export default defineFilter<JsonConfig>({
  name: 'json',
  description: 'Parse JSON text from a field into the event (root by default, or `target`).',
  notes:
    'Without `target`, only a JSON object can be merged into the event; other JSON values fail with tag_on_failure. ' +
    'Numbers are JavaScript numbers: integers beyond 2^53 lose precision, and 1.0 is written as 1.',
  options: {
    source: { type: 'string', required: true, description: 'Field holding the JSON text.', example: 'source => "message"' },
    target: { type: 'string', description: 'Field to store the parsed value in (replaced if present). Without it the JSON object is merged into the event root.', example: 'target => "doc"' },
    skip_on_invalid_json: { type: 'boolean', default: false, description: 'Leave events whose source is not valid JSON untouched: no tag, no warning.' },
    tag_on_failure: { type: 'array', items: 'string', default: ['_jsonparsefailure'], description: 'Tags added when parsing fails.' },
    ecs_compatibility: { type: 'string', enum: ['disabled', 'v1', 'v8'], description: 'Accepted for compatibility; json behaves the same in every mode.' },
  },
  create(config, ctx): Filter {
    const sourcePath = parseFieldRef(config.source);
    const targetPath: FieldPath | undefined = config.target !== undefined ? parseFieldRef(config.target) : undefined;
    const tags = config.tag_on_failure;
    const fail = (event: Event): false => {
      for (const t of tags) event.tag(t);
      return false;
    };

    return {
      failureTags: tags,
      filter(event: Event): boolean {
        const source = event.getPath(sourcePath);
        if (source === undefined || source === null || source === false) return false;
        let parsed: unknown;
        try {
          if (typeof source !== 'string') throw new Error(`cannot parse a ${Array.isArray(source) ? 'array' : typeof source} as JSON`);
          // An empty (or blank) document parses to nothing, as with Logstash's JSON parser.
          parsed = source.trim().length === 0 ? null : parseJson(source);
        } catch (e) {
          if (config.skip_on_invalid_json) return false;
          ctx.logger.warn('Error parsing json', { source: config.source, exception: (e as Error).message });
          return fail(event);
        }
        try {
          if (targetPath) {
            event.setPath(targetPath, parsed);
            return true;
          }
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
            ctx.logger.warn('Parsed JSON object/hash requires a target configuration option', { source: config.source });
            return fail(event);
          }
          const obj = parsed as Record<string, unknown>;
          const parsedTimestamp = obj['@timestamp'];
          for (const k of Object.keys(obj)) {
            if (k === '@timestamp') continue;
            const v = obj[k];
            if (k.includes('[')) event.setPath(parseFieldRef(k), v);
            else storeKey(event.data, k, v);
          }
          if (parsedTimestamp !== undefined && parsedTimestamp !== null && parsedTimestamp !== false) {
            const ts = coerceTimestamp(parsedTimestamp);
            if (ts) event.timestamp = ts;
            else {
              event.timestamp = new Date();
              event.tag(TIMESTAMP_FAILURE_TAG);
              event.data[TIMESTAMP_FAILURE_FIELD] = rubyToS(parsedTimestamp);
            }
          }
          return true;
        } catch (e) {
          ctx.logger.warn('Exception caught in json filter', { source: config.source, exception: (e as Error).message });
          return fail(event);
        }
      },
    };
  },
});
