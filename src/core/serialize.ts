// Fast JSON for events. JSON.stringify leaves its fast path for every Date (it calls toJSON), and every
// event has one: we render `@timestamp` ourselves (memoised: consecutive events often share it) and hand
// the rest to JSON.stringify in one call.

import type { EventData } from './event.js';
import { METADATA, TIMESTAMP } from './event.js';

let lastMs = NaN;
let lastIso = '';

export function isoString(d: Date): string {
  const ms = d.getTime();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = Number.isNaN(ms) ? '' : d.toISOString();
  }
  return lastIso;
}

/** Serialise an event's data as Logstash's json codecs do: without `@metadata` unless asked. */
export function stringifyEvent(data: EventData, includeMetadata = false): string {
  const copy: EventData = {};
  for (const k in data) {
    if (k === METADATA && !includeMetadata) continue;
    const v = data[k];
    copy[k] = k === TIMESTAMP && v instanceof Date ? isoString(v) : v;
  }
  return JSON.stringify(copy);
}

const UNSAFE_INT = /([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g;

/**
 * JSON.parse that keeps integers beyond 2^53 exact (as strings) instead of rounding them: Suricata's
 * flow_id and similar 64-bit ids must survive. The check costs one scan only when a 16-digit run exists.
 */
export function parseJson(text: string): unknown {
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  let changed = false;
  const quoted = text.replace(UNSAFE_INT, (m, pre: string, num: string) => {
    if (Number.isSafeInteger(Number(num))) return m;
    changed = true;
    return `${pre}"${num}"`;
  });
  if (!changed) return JSON.parse(text);
  try {
    return JSON.parse(quoted);
  } catch {
    return JSON.parse(text);
  }
}
