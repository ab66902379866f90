// truncate: cuts string fields to at most `length_bytes` bytes of UTF-8, never inside a character.

import { defineFilter, type Filter } from '../core/plugin.js';
import type { Event } from '../core/event.js';
import { parseFieldRef, type FieldPath } from '../core/fieldref.js';

interface TruncateConfig {
  fields?: string[];
  length_bytes: number;
}

/**
 * Cut `s` to at most `max` UTF-8 bytes, at a character boundary. Returns `s` itself when it fits.
 * Works on UTF-16 directly: no encoding round trip for strings that already fit.
 */
export function truncateUtf8(s: string, max: number): string {
  if (max <= 0) return s.length === 0 ? s : '';
  if (s.length * 3 <= max) return s; // even all 3-byte characters fit
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let size: number;
    let units = 1;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size = 4;
      units = 2;
    } else size = 3; // BMP, or a lone surrogate (encoded as U+FFFD, 3 bytes)
    if (bytes + size > max) return s.slice(0, i);
    bytes += size;
    i += units - 1;
  }
  return s;
}

export default defineFilter<TruncateConfig>({
  name: 'truncate',
  description: 'Truncate string fields longer than `length_bytes` bytes (UTF-8), without splitting a character.',
  notes:
    'Without `fields`, every top-level field is tried (strings, strings inside arrays, and hashes recursively; @metadata is not). ' +
    'The common options (add_field, …) apply only when something was truncated, as in Logstash.',
  options: {
    fields: { type: 'array', items: 'string', description: 'Fields to truncate. Arrays: their string elements; hashes: all their values, recursively. Default: all fields of the event.', example: 'fields => [ "message", "[http][request][body]" ]' },
    length_bytes: { type: 'number', required: true, description: 'Maximum length in bytes.', example: 'length_bytes => 1024' },
  },
  create(config): Filter {
    const max = Math.floor(config.length_bytes);
    const paths: FieldPath[] | undefined = config.fields?.map((f) => parseFieldRef(f));

    /** Truncate `value` in place where possible; returns [new value, changed]. */
    const truncateValue = (value: unknown): [unknown, boolean] => {
      if (typeof value === 'string') {
        const t = truncateUtf8(value, max);
        return [t, t !== value];
      }
      if (Array.isArray(value)) {
        let changed = false;
        for (let i = 0; i < value.length; i++) {
          const v = value[i];
          if (typeof v !== 'string') continue;
          const t = truncateUtf8(v, max);
          if (t !== v) {
            value[i] = t;
            changed = true;
          }
        }
        return [value, changed];
      }
      if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
        const o = value as Record<string, unknown>;
        let changed = false;
        for (const k of Object.keys(o)) {
          const [t, c] = truncateValue(o[k]);
          if (c) {
            o[k] = t;
            changed = true;
          }
        }
        return [o, changed];
      }
      return [value, false];
    };

    return {
      filter(event: Event): boolean {
        let changed = false;
        if (paths) {
          for (const p of paths) {
            const v = event.getPath(p);
            if (v === undefined) continue;
            const [t, c] = truncateValue(v);
            if (c) {
              if (typeof v === 'string') event.setPath(p, t);
              changed = true;
            }
          }
        } else {
          const data = event.data;
          for (const k of Object.keys(data)) {
            if (k === '@metadata') continue;
            const [t, c] = truncateValue(data[k]);
            if (c) {
              data[k] = t;
              changed = true;
            }
          }
        }
        return changed;
      },
    };
  },
});
