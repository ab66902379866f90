// Building one string per batch and converting it at the end is the obvious way to encode a batch, and a slow
// one in V8: a string past 128 KiB lives in the large-object space, and building, flattening and
// UTF-8-encoding one such string per batch cost twice the JSON encoding itself (bench/stages.mjs). Text is
// gathered in pieces below that size and written once into a buffer of this thread's output pool (never
// Node's shared Buffer pool, which moving to another thread would detach).

import { outputBytes } from './byte_pool.js';

/** Characters gathered before a piece is closed: well under V8's large-object threshold (128 KiB). */
const PIECE_CHARS = 32 * 1024;

/** Append-only text that ends as UTF-8 bytes. */
export class TextBytes {
  private pieces: string[] = [];
  private pending = '';

  push(text: string): void {
    this.pending += text;
    if (this.pending.length >= PIECE_CHARS) {
      this.pieces.push(this.pending);
      this.pending = '';
    }
  }

  /**
   * The text so far as UTF-8, in a Buffer from this thread's output pool (hand it back with
   * `outputBytes.give(buf.buffer)` when it is not passed on); the builder starts empty again.
   */
  toBuffer(): Buffer {
    if (this.pending !== '') this.pieces.push(this.pending);
    const pieces = this.pieces;
    this.pieces = [];
    this.pending = '';
    let total = 0;
    for (const p of pieces) total += Buffer.byteLength(p);
    const out = outputBytes.take(total);
    let offset = 0;
    for (const p of pieces) offset += out.write(p, offset);
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
