// Encoded output is written straight into bytes. Building a string per event (JSON.stringify), joining them and
// converting the result to UTF-8 cost twice what writing the bytes does: JSON.stringify copies every character
// into a string (checking each for escapes), the joined string is copied again when flattened, measured and
// encoded. TextBytes writes JSON and text into one buffer of this thread's output pool (never Node's shared
// Buffer pool, which moving to another thread would detach), checking and copying each character once.

import { outputBytes } from './byte_pool.js';
import type { EventData } from './event.js';
import { METADATA, TIMESTAMP } from './event.js';
import { isoString } from './serialize.js';

/** Below this many characters a string is copied by a loop; above it, Node's native UTF-8 write is cheaper. */
const NATIVE_WRITE_CHARS = 64;
/**
 * From this many characters, a JSON string with nothing to escape (checked by a RegExp) is copied by Node's
 * native Latin-1 write, a plain copy for V8's one-byte strings, rather than a character at a time: about 15%
 * fewer instructions per event with a log line's message in it. Shorter strings are cheaper in the loop.
 */
const NATIVE_JSON_CHARS = 40;
/** Anything JSON.stringify escapes, or that takes more than one byte in UTF-8. */
const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f-\uffff]/;
/** Keys kept as their `"key":` bytes: the events of a pipeline have a few dozen keys between them. */
const KEY_CACHE_LIMIT = 4096;
const keyBytes = new Map<string, Uint8Array>();

/** Nesting past this depth is handed to JSON.stringify, which throws on a cycle as it should. */
const MAX_DEPTH = 200;

/** Size of the last buffer finished on this thread: the next batch of an output is usually about as big. */
let lastSize = 64 * 1024;

/** pushObject at an event's top level: `@metadata` left out, or kept. */
const EVENT = 1;
const EVENT_WITH_METADATA = 2;

const Q = 34; // "
const BACKSLASH = 92;

/** An object JSON.stringify writes its own way (toJSON, a class instance such as Map or Buffer): handed to it. */
function special(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function';
}

/** Append-only UTF-8 bytes: text, and JSON written exactly as JSON.stringify writes it. */
export class TextBytes {
  private buf: Buffer | undefined;
  private pos = 0;

  /** Bytes written so far. */
  get byteLength(): number {
    return this.pos;
  }

  /** Room for `n` more bytes. */
  private room(n: number): Buffer {
    const buf = this.buf;
    if (buf !== undefined && buf.length - this.pos >= n) return buf;
    return this.grow(n);
  }

  private grow(n: number): Buffer {
    const old = this.buf;
    const need = this.pos + n;
    let cap = old === undefined ? Math.max(lastSize, 4096) : old.length * 2;
    while (cap < need) cap *= 2;
    const next = outputBytes.take(cap);
    const fresh = Buffer.from(next.buffer, next.byteOffset, next.buffer.byteLength - next.byteOffset); // the pooled buffer whole
    if (old !== undefined) {
      old.copy(fresh, 0, 0, this.pos);
      outputBytes.give(old.buffer);
    }
    this.buf = fresh;
    return fresh;
  }

  /** Append text as UTF-8. */
  push(text: string): void {
    const n = text.length;
    if (n > NATIVE_WRITE_CHARS) {
      this.pos += this.room(n * 3).write(text, this.pos, 'utf8');
      return;
    }
    const b = this.room(n * 3);
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 127) {
        this.pos = p + b.write(i === 0 ? text : text.slice(i), p, 'utf8');
        return;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** Append one byte (an ASCII delimiter). */
  pushByte(byte: number): void {
    this.room(1)[this.pos++] = byte;
  }

  /**
   * Append an event as JSON, as the json codecs write it (stringifyEvent): `@metadata` left out unless asked,
   * `@timestamp` in ISO 8601.
   */
  pushEvent(data: EventData, includeMetadata = false): void {
    this.pushObject(data, 0, includeMetadata ? EVENT_WITH_METADATA : EVENT);
  }

  private member(key: string, first: boolean): void {
    let bytes = keyBytes.get(key);
    if (bytes === undefined) {
      if (keyBytes.size >= KEY_CACHE_LIMIT) {
        // Keys without end (a kv filter over arbitrary input): written as they come, nothing kept.
        if (!first) this.pushByte(44); // ,
        this.pushJsonString(key);
        this.pushByte(58); // :
        return;
      }
      bytes = Buffer.from(`${JSON.stringify(key)}:`, 'utf8');
      keyBytes.set(key, bytes);
    }
    const n = bytes.length;
    const b = this.room(n + 1);
    let p = this.pos;
    if (!first) b[p++] = 44; // ,
    for (let i = 0; i < n; i++) b[p++] = bytes[i]!;
    this.pos = p;
  }

  /** Append any JSON value as JSON.stringify writes it (undefined, functions and symbols as `null`). */
  pushJson(v: unknown, depth = 0): void {
    switch (typeof v) {
      case 'string':
        this.pushJsonString(v);
        return;
      case 'number':
        this.push(Number.isFinite(v) ? String(v) : 'null');
        return;
      case 'boolean':
        this.push(v ? 'true' : 'false');
        return;
      case 'object':
        if (v === null) break;
        if (depth > MAX_DEPTH) {
          this.push(JSON.stringify(v) ?? 'null');
          return;
        }
        if (Array.isArray(v)) {
          this.room(1)[this.pos++] = 91; // [
          for (let i = 0; i < v.length; i++) {
            if (i > 0) this.room(1)[this.pos++] = 44;
            this.pushJson(v[i], depth + 1);
          }
          this.room(1)[this.pos++] = 93; // ]
          return;
        }
        if (v instanceof Date) {
          const ms = v.getTime();
          if (Number.isNaN(ms)) break;
          this.pushJsonString(v.toISOString());
          return;
        }
        if (special(v)) {
          this.push(JSON.stringify(v) ?? 'null');
          return;
        }
        this.pushObject(v as Record<string, unknown>, depth);
        return;
    }
    this.push('null');
  }

  /** `event`: an event's top level (EVENT, EVENT_WITH_METADATA), where `@metadata` and `@timestamp` are special. */
  private pushObject(o: Record<string, unknown>, depth: number, event = 0): void {
    this.room(1)[this.pos++] = 123; // {
    let first = true;
    for (const k in o) {
      const v = o[k];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      if (event !== 0) {
        if (k === METADATA && event === EVENT) continue;
        if (k === TIMESTAMP && v instanceof Date) {
          this.member(k, first);
          first = false;
          this.pushJsonString(isoString(v));
          continue;
        }
      }
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && special(v)) {
        const raw = JSON.stringify(v); // toJSON and the like, as JSON.stringify has them
        if (raw === undefined) continue;
        this.member(k, first);
        first = false;
        this.push(raw);
        continue;
      }
      this.member(k, first);
      first = false;
      this.pushJson(v, depth + 1);
    }
    this.room(1)[this.pos++] = 125; // }
  }

  /** Append a JSON string literal: printable ASCII copied as it is, anything else escaped by JSON.stringify. */
  pushJsonString(s: string): void {
    const n = s.length;
    const b = this.room(n + 2);
    let p = this.pos;
    b[p++] = Q;
    if (n >= NATIVE_JSON_CHARS && !NEEDS_ESCAPE.test(s)) {
      p += b.write(s, p, 'latin1');
      b[p++] = Q;
      this.pos = p;
      return;
    }
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 32 || c === Q || c === BACKSLASH || c > 126) {
        // The rest through JSON.stringify (escapes, lone surrogates), its opening quote dropped when mid-string.
        this.pos = i === 0 ? p - 1 : p;
        const rest = JSON.stringify(i === 0 ? s : s.slice(i));
        this.push(i === 0 ? rest : rest.slice(1));
        return;
      }
      b[p++] = c;
    }
    b[p++] = Q;
    this.pos = p;
  }

  /**
   * The bytes so far, in a Buffer from this thread's output pool (hand it back with
   * `outputBytes.give(buf.buffer)` when it is not passed on); the builder starts empty again.
   */
  toBuffer(): Buffer {
    const buf = this.buf;
    if (buf === undefined) return Buffer.alloc(0);
    const out = Buffer.from(buf.buffer, buf.byteOffset, this.pos);
    if (this.pos > 0) lastSize = this.pos;
    this.buf = undefined;
    this.pos = 0;
    return out;
  }
}

/** Bytes decoded per call: the strings stay below V8's large-object threshold (see above). */
export const SEGMENT_BYTES = 64 * 1024;

/**
 * Where the segment of whole lines starting at `start` ends: after the last newline within SEGMENT_BYTES, or
 * after the first one past it when a single line is longer, or at the end of `buf`.
 */
export function segmentEnd(buf: Buffer, start: number): number {
  const n = buf.length;
  if (n - start <= SEGMENT_BYTES) return n;
  const nl = buf.lastIndexOf(10, start + SEGMENT_BYTES - 1);
  if (nl >= start) return nl + 1;
  const after = buf.indexOf(10, start + SEGMENT_BYTES);
  return after < 0 ? n : after + 1;
}

/**
 * The UTF-8 lines of `buf` (split on `\n`; a final empty line is not one), decoded a segment of whole lines
 * at a time rather than as one string. A multi-byte character never spans a newline, so cutting after one is
 * safe.
 */
export function utf8Lines(buf: Buffer): string[] {
  const lines: string[] = [];
  const n = buf.length;
  for (let start = 0; start < n; ) {
    const end = segmentEnd(buf, start);
    const segment = buf.toString('utf8', start, end).split('\n');
    if (end < n || segment[segment.length - 1] === '') segment.pop(); // the piece after the segment's last newline
    for (const line of segment) lines.push(line);
    start = end;
  }
  return lines;
}
