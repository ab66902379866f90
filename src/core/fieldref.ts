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
  // `[constructor]`, `[toString]`: inherited members are not fields.
  return typeof cur === 'function' ? undefined : cur;
}

// V8 turns an object into a slow dictionary once more than a dozen properties were added through computed
// keys (`o[k] = v`), and JSON.stringify of a dictionary is several times slower. Events routinely carry 20-50
// fields, so stores go through one small compiled function per key name, `o["key"] = v`, which V8 treats as
// a named store and keeps the object's fast hidden-class layout. Bounded: rare keys fall back to `o[k] = v`.
export type Setter = (o: Record<string, unknown>, v: unknown) => void;
const setters = new Map<string, Setter>();
const MAX_SETTERS = 5_000;

function computedStore(o: Record<string, unknown>, k: string, v: unknown): void {
  o[k] = v;
}

function definedStore(o: Record<string, unknown>, v: unknown): void {
  // Untrusted keys (kv, json) must not reach the prototype: `__proto__` is stored as an ordinary property.
  Object.defineProperty(o, '__proto__', { value: v, writable: true, enumerable: true, configurable: true });
}

/** The function that stores under `key` in a plain object (see above); callers that store one key often keep it. */
export function setterFor(key: string): Setter {
  let set = setters.get(key);
  if (set !== undefined) return set;
  if (key === '__proto__') return definedStore;
  if (setters.size >= MAX_SETTERS || isArrayIndex(key)) return (o, v) => computedStore(o, key, v);
  set = new Function('o', 'v', `o[${JSON.stringify(key)}] = v;`) as Setter;
  setters.set(key, set);
  return set;
}

/** Store `value` under `key` in a plain object; `__proto__` becomes an ordinary own property. */
export function storeKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  const set = setters.get(key);
  if (set !== undefined) set(obj, value);
  else setterFor(key)(obj, value);
}

function isArrayIndex(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57 && String(Number(key) >>> 0) === key;
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
        storeKey(cur, seg, next);
      }
    }
    cur = next as Record<string, unknown>;
  }
  const seg = path[last]!;
  if (Array.isArray(cur)) {
    const idx = indexOf(cur, seg);
    if (idx >= 0) cur[idx] = value;
  } else storeKey(cur, seg, value);
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
  if (!Object.prototype.hasOwnProperty.call(obj, seg)) return undefined;
  const v = obj[seg];
  // At the event's root, removal stores undefined instead of `delete`: deleting any but the last-added
  // property turns the object into a slow dictionary for the rest of its life (and JSON.stringify of it
  // several times slower), and the root is the large object every event has. An undefined value means "no
  // such field" everywhere (JSON has no undefined; iterations skip it). Nested hashes are small: deleted.
  if (last === 0) {
    if (v !== undefined) storeKey(obj, seg, undefined);
  } else delete obj[seg];
  return v;
}
