// The rubydebug codec: events printed the way Logstash prints them with Ruby's amazing_print —
// keys right-aligned within each hash, 4-space indentation per level, `[i]` indices for arrays,
// strings quoted Ruby-style, timestamps bare. Meant for people reading stdout.

import { defineCodec } from '../core/plugin.js';
import type { EventData } from '../core/event.js';

interface RubydebugConfig {
  metadata: boolean;
}

const INDENT = 4;

/** Ruby String#inspect. */
export function rubyInspectString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x23 && i + 1 < s.length && (s[i + 1] === '{' || s[i + 1] === '$' || s[i + 1] === '@')) out += '\\#';
    else if (c >= 0x20 && c !== 0x7f) out += ch;
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x1b) out += '\\e';
    else if (c === 0x07) out += '\\a';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0b) out += '\\v';
    else if (c === 0x7f) out += '\\x7F';
    else out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
  }
  return out + '"';
}

function formatValue(v: unknown, level: number): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return rubyInspectString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'nil' : v.toISOString();
  if (Array.isArray(v)) return formatArray(v, level);
  if (typeof v === 'object') return formatHash(v as Record<string, unknown>, level, undefined);
  return rubyInspectString(String(v));
}

function formatArray(a: unknown[], level: number): string {
  if (a.length === 0) return '[]';
  const pad = ' '.repeat((level + 1) * INDENT);
  const width = String(a.length - 1).length;
  const items = a.map((x, i) => `${pad}[${String(i).padStart(width)}] ${formatValue(x, level + 1)}`);
  return `[\n${items.join(',\n')}\n${' '.repeat(level * INDENT)}]`;
}

function formatHash(h: Record<string, unknown>, level: number, skip: string | undefined): string {
  const keys = Object.keys(h).filter((k) => k !== skip && h[k] !== undefined);
  if (keys.length === 0) return '{}';
  const shown = keys.map(rubyInspectString);
  const width = shown.reduce((w, k) => Math.max(w, k.length), 0);
  const pad = ' '.repeat((level + 1) * INDENT);
  const lines = keys.map((k, i) => `${pad}${shown[i]!.padStart(width)} => ${formatValue(h[k], level + 1)}`);
  return `{\n${lines.join(',\n')}\n${' '.repeat(level * INDENT)}}`;
}

/** An event's data as Logstash's rubydebug codec prints it (without the trailing newline). */
export function formatRubydebug(data: EventData, withMetadata: boolean): string {
  return formatHash(data, 0, withMetadata ? undefined : '@metadata');
}

export default defineCodec<RubydebugConfig>({
  name: 'rubydebug',
  description: 'Pretty-prints events like Logstash\'s rubydebug codec (amazing_print layout), one block per event. For outputs.',
  options: {
    metadata: { type: 'boolean', default: false, description: 'Also print the event\'s `@metadata`.' },
  },
  create(config) {
    const withMetadata = config.metadata;
    return {
      // Logstash's rubydebug cannot decode; keeping the text (like plain) loses nothing if it is used on an input.
      decode(message, emit) {
        emit({ message });
      },
      encode(event) {
        return formatRubydebug(event.data, withMetadata) + '\n';
      },
    };
  },
});
