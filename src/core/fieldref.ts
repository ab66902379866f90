// Logstash field references: `[a][b][0]`, `a`, `[a]`. Parsed once per distinct string and cached,
// because filters resolve the same few references millions of times.

export type FieldPath = readonly string[];

const cache = new Map<string, FieldPath>();

export class FieldRefError extends Error {}

/** Parse a field reference into its path segments. `a` → ['a'], `[a][b]` → ['a','b']. */
export function parseFieldRef(ref: string): FieldPath {
  let path = cache.get(ref);
  if (path !== undefined) return path;
  path = parseUncached(ref);
  if (cache.size < 100_000) cache.set(ref, path);
  return path;
}

function parseUncached(ref: string): FieldPath {
  if (ref.length === 0) throw new FieldRefError('empty field reference');
  if (ref[0] !== '[') {
    // A bare word may still carry a trailing selector: `a[b]` is `[a][b]` in Logstash's strict mode it is an error; we accept it.
    const i = ref.indexOf('[');
    if (i < 0) return Object.freeze([ref]);
    return Object.freeze([ref.slice(0, i), ...parseUncached(ref.slice(i))]);
  }
  const parts: string[] = [];
  let i = 0;
  while (i < ref.length) {
    if (ref[i] !== '[') throw new FieldRefError(`invalid field reference ${JSON.stringify(ref)}: expected '[' at ${i}`);
    const end = ref.indexOf(']', i + 1);
    if (end < 0) throw new FieldRefError(`invalid field reference ${JSON.stringify(ref)}: missing ']'`);
    const seg = ref.slice(i + 1, end);
    if (seg.length === 0) throw new FieldRefError(`invalid field reference ${JSON.stringify(ref)}: empty segment`);
    parts.push(seg);
    i = end + 1;
  }
  return Object.freeze(parts);
}

/** Canonical `[a][b]` form of a path. */
export function formatFieldRef(path: FieldPath): string {
  return path.map((p) => `[${p}]`).join('');
}

function indexOf(container: unknown[], seg: string): number {
  const n = Number(seg);
  if (!Number.isInteger(n)) return -1;
  return n < 0 ? container.length + n : n;
}

export function getPath(root: Record<string, unknown>, path: FieldPath): unknown {
  let cur: unknown = root;
  for (let i = 0; i < path.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const seg = path[i]!;
    if (Array.isArray(cur)) {
      const idx = indexOf(cur, seg);
      if (idx < 0) return undefined;
      cur = cur[idx];
    } else if (cur instanceof Date) {
      return undefined;
    } else {
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return cur;
}

/** Set a value, creating intermediate hashes as Logstash does. */
export function setPath(root: Record<string, unknown>, path: FieldPath, value: unknown): void {
  let cur: Record<string, unknown> | unknown[] = root;
  const last = path.length - 1;
  for (let i = 0; i < last; i++) {
    const seg = path[i]!;
    let next: unknown;
    if (Array.isArray(cur)) {
      const idx = indexOf(cur, seg);
      next = idx >= 0 ? cur[idx] : undefined;
      if (next === null || typeof next !== 'object' || next instanceof Date) {
        next = {};
        if (idx >= 0) cur[idx] = next;
      }
    } else {
      next = Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
      if (next === null || typeof next !== 'object' || next instanceof Date) {
        next = {};
        if (seg === '__proto__') Object.defineProperty(cur, seg, { value: next, writable: true, enumerable: true, configurable: true });
        else cur[seg] = next;
      }
    }
    cur = next as Record<string, unknown>;
  }
  const seg = path[last]!;
  if (Array.isArray(cur)) {
    const idx = indexOf(cur, seg);
    if (idx >= 0) cur[idx] = value;
  } else if (seg === '__proto__') {
    // Untrusted keys (kv, json) must not reach the prototype: store it as an ordinary property.
    Object.defineProperty(cur, seg, { value, writable: true, enumerable: true, configurable: true });
  } else {
    cur[seg] = value;
  }
}

export function removePath(root: Record<string, unknown>, path: FieldPath): unknown {
  let cur: unknown = root;
  const last = path.length - 1;
  for (let i = 0; i < last; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const seg = path[i]!;
    cur = Array.isArray(cur) ? cur[indexOf(cur, seg)] : (cur as Record<string, unknown>)[seg];
  }
  if (cur === null || typeof cur !== 'object') return undefined;
  const seg = path[last]!;
  if (Array.isArray(cur)) {
    const idx = indexOf(cur, seg);
    if (idx < 0 || idx >= cur.length) return undefined;
    return cur.splice(idx, 1)[0];
  }
  const obj = cur as Record<string, unknown>;
  if (!(seg in obj)) return undefined;
  const v = obj[seg];
  delete obj[seg];
  return v;
}
