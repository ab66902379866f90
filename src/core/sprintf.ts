// Logstash sprintf templates, compiled once per distinct template string.
//   %{field} / %{[a][b]}  the field's value (arrays joined by ',', hashes as JSON); a missing field stays literal
//   %{+yyyy.MM.dd}        @timestamp formatted with a Joda pattern, in UTC
//   %{+%s}                @timestamp as epoch seconds

import { parseFieldRef, getPath } from './fieldref.js';
import { compileJodaFormatter } from './joda.js';
import type { Event } from './event.js';
import { valueToString } from './event.js';

export type Template = (event: Event) => string;

const cache = new Map<string, Template>();

export function compileSprintf(format: string): Template {
  let t = cache.get(format);
  if (t === undefined) {
    t = compile(format);
    if (cache.size < 10_000) cache.set(format, t);
  }
  return t;
}

/** True when the string contains a `%{…}` reference and so varies per event. */
export function isTemplate(s: string): boolean {
  return /%\{[^}]+\}/.test(s);
}

type Part = string | ((e: Event) => string);

function compile(format: string): Template {
  if (!format.includes('%{')) return () => format;
  const parts: Part[] = [];
  const re = /%\{([^}]+)\}/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(format)) !== null) {
    if (m.index > last) parts.push(format.slice(last, m.index));
    const key = m[1]!;
    const literal = m[0];
    if (key === '+%s') {
      parts.push((e) => String(Math.floor(e.timestamp.getTime() / 1000)));
    } else if (key.startsWith('+')) {
      const fmt = compileJodaFormatter(key.slice(1), 'UTC');
      parts.push((e) => fmt(e.timestamp));
    } else {
      let path: readonly string[];
      try {
        path = parseFieldRef(key);
      } catch {
        parts.push(literal);
        last = re.lastIndex;
        continue;
      }
      parts.push((e) => {
        const v = getPath(e.data, path);
        return v === undefined || v === null ? literal : valueToString(v);
      });
    }
    last = re.lastIndex;
  }
  if (last < format.length) parts.push(format.slice(last));
  if (parts.length === 1) {
    const p = parts[0]!;
    return typeof p === 'string' ? () => p : p;
  }
  return (e) => {
    let s = '';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      s += typeof p === 'string' ? p : p(e);
    }
    return s;
  };
}
