// The event: a plain JSON-like object with Logstash's reserved fields.
// `@timestamp` is a Date (serialises to ISO-8601), `@metadata` is a hash never written out unless asked,
// `tags` is an array of strings. Field access goes through cached field-reference paths.

import { parseFieldRef, getPath, setPath, removePath, storeKey, type FieldPath } from './fieldref.js';
import { compileSprintf } from './sprintf.js';

export type EventData = Record<string, unknown>;

export const TIMESTAMP = '@timestamp';
export const METADATA = '@metadata';
export const TAGS = 'tags';

export class Event {
  /** The event's fields, including `@timestamp` and `@metadata`. */
  data: EventData;
  /** Set by `drop` (and filters that replace an event, like `split`): the event goes no further. */
  cancelled = false;

  constructor(data?: EventData) {
    this.data = data ?? {};
    const ts = this.data[TIMESTAMP];
    if (ts === undefined) this.data[TIMESTAMP] = new Date();
    else if (!(ts instanceof Date)) {
      const d = typeof ts === 'string' || typeof ts === 'number' ? new Date(ts) : new Date(NaN);
      if (Number.isNaN(d.getTime())) {
        // Logstash keeps an unparseable @timestamp under _@timestamp and tags the event.
        this.data['_@timestamp'] = ts;
        this.data[TIMESTAMP] = new Date();
        this.tag('_timestampparsefailure');
      } else this.data[TIMESTAMP] = d;
    }
  }

  get timestamp(): Date {
    return this.data[TIMESTAMP] as Date;
  }
  set timestamp(d: Date) {
    this.data[TIMESTAMP] = d;
  }

  /** `[@metadata]`, created on first use. */
  get metadata(): EventData {
    let m = this.data[METADATA] as EventData | undefined;
    if (m === undefined || m === null || typeof m !== 'object') {
      m = {};
      this.data[METADATA] = m;
    }
    return m;
  }

  get(ref: string): unknown {
    return getPath(this.data, parseFieldRef(ref));
  }
  getPath(path: FieldPath): unknown {
    return getPath(this.data, path);
  }
  has(ref: string): boolean {
    return getPath(this.data, parseFieldRef(ref)) !== undefined;
  }
  set(ref: string, value: unknown): void {
    this.setPath(parseFieldRef(ref), value);
  }
  setPath(path: FieldPath, value: unknown): void {
    if (path.length === 1 && path[0] === TIMESTAMP && !(value instanceof Date)) {
      const d = new Date(value as string);
      if (!Number.isNaN(d.getTime())) value = d;
    }
    setPath(this.data, path, value);
  }
  remove(ref: string): unknown {
    return removePath(this.data, parseFieldRef(ref));
  }
  removePath(path: FieldPath): unknown {
    return removePath(this.data, path);
  }

  get tags(): string[] {
    const t = this.data[TAGS];
    return Array.isArray(t) ? (t as string[]) : t === undefined || t === null ? [] : [String(t)];
  }
  hasTag(tag: string): boolean {
    const t = this.data[TAGS];
    return Array.isArray(t) ? t.includes(tag) : t === tag;
  }
  /** Add a tag once, as Logstash does. */
  tag(tag: string): void {
    const t = this.data[TAGS];
    if (Array.isArray(t)) {
      if (!t.includes(tag)) t.push(tag);
    } else if (t === undefined || t === null) {
      this.data[TAGS] = [tag];
    } else if (t !== tag) {
      this.data[TAGS] = [t, tag];
    }
  }
  untag(tag: string): void {
    const t = this.data[TAGS];
    if (Array.isArray(t)) {
      const i = t.indexOf(tag);
      if (i >= 0) t.splice(i, 1);
    } else if (t === tag) delete this.data[TAGS];
  }

  /** `%{[field]}` / `%{+yyyy.MM.dd}` interpolation (Logstash sprintf). */
  sprintf(format: string): string {
    return compileSprintf(format)(this);
  }

  /** Deep copy (split, clone). */
  clone(): Event {
    const e = new Event(deepClone(this.data) as EventData);
    return e;
  }

  /** The event as written by outputs: without `@metadata`. */
  toJSON(): EventData {
    const out: EventData = {};
    for (const k in this.data) if (k !== METADATA && this.data[k] !== undefined) out[k] = this.data[k];
    return out;
  }
}

export function deepClone(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Date) return new Date(v.getTime());
  if (Array.isArray(v)) return v.map(deepClone);
  const o: Record<string, unknown> = {};
  for (const k in v as Record<string, unknown>) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) storeKey(o, k, deepClone(x));
  }
  return o;
}

/** Render a field value as Logstash does inside strings: arrays joined by ',', hashes as JSON. */
export function valueToString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(valueToString).join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
