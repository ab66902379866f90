// Cuts a file's bytes into batches of whole lines without ever holding more than one maximum line:
// - the bytes after the last delimiter stay pending until the next read completes them;
// - a line longer than `maxLineBytes` is emitted cut at that length (its offset listed as truncated)
//   and the rest of it is skipped as it is read, never buffered.
// Every batch is a contiguous byte range of the file, so line offsets (and so event ids) are exact.

export interface LineBatch {
  kind: 'batch';
  /**
   * Whole lines (the last may lack its delimiter when cut or at end of file): a standalone copy, or with
   * `views` a view of the region scanned, valid until the caller reuses that memory.
   */
  data: Uint8Array;
  baseOffset: number;
  truncated?: number[];
  /** Where a restart may resume once this batch is delivered: after its last whole line. */
  end: number;
}

/** The skipped rest of a cut line ended here: a restart may resume after it. */
export interface SkipDone {
  kind: 'skip';
  end: number;
}

export type CutPiece = LineBatch | SkipDone;

const EMPTY = new Uint8Array(0);

function copyOf(b: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(b.subarray(start, end));
  return out;
}

export class LineCutter {
  /** Bytes after the last delimiter (or, while skipping, the last delimiter-length-1 bytes). */
  private pendingBytes: Uint8Array = EMPTY;
  private pendingAt: number;
  private skipping = false;
  private readonly delim: Buffer;

  /**
   * `views`: batches are views of the region passed to scan() instead of copies. The file input hands them to the
   * pipeline, which copies them into shared memory before the next read reuses the buffer: a fresh megabyte
   * per read was a copy, page faults and V8's external-memory collections on the main thread (5% of a run).
   */
  constructor(
    start: number,
    private readonly maxLineBytes: number,
    delimiter: string | Uint8Array = '\n',
    private readonly views = false,
  ) {
    this.pendingAt = start;
    this.delim = Buffer.from(delimiter);
    if (this.delim.length === 0) throw new Error('empty line delimiter');
  }

  /** Bytes waiting for the rest of their line; a read must put them in front of the new bytes. */
  get pending(): Uint8Array {
    return this.pendingBytes;
  }
  /** File offset of `pending[0]`: the new bytes start at `pendingStart + pending.length`. */
  get pendingStart(): number {
    return this.pendingAt;
  }
  get isSkipping(): boolean {
    return this.skipping;
  }

  /** Forget everything and restart at `start` (a truncated file read again from 0). */
  reset(start: number): void {
    this.pendingBytes = EMPTY;
    this.pendingAt = start;
    this.skipping = false;
  }

  /**
   * Scan `region` = pending bytes followed by newly read bytes, starting at file offset `pendingStart`.
   * `region` may be a view of a reused buffer: what is kept is copied, and so is what is returned unless `views`.
   */
  scan(region: Uint8Array): CutPiece[] {
    const out: CutPiece[] = [];
    const R = Buffer.from(region.buffer, region.byteOffset, region.byteLength);
    const base = this.pendingAt;
    const d = this.delim.length;
    const max = this.maxLineBytes;
    let s = 0;
    if (this.skipping) {
      const idx = R.indexOf(this.delim, 0);
      if (idx < 0) {
        // Still inside the long line: keep only what could be the start of a split delimiter.
        const keep = Math.min(d - 1, R.length);
        this.pendingBytes = keep > 0 ? copyOf(R, R.length - keep, R.length) : EMPTY;
        this.pendingAt = base + R.length - keep;
        return out;
      }
      this.skipping = false;
      s = idx + d;
      out.push({ kind: 'skip', end: base + s });
    }
    let batchStart = s;
    for (;;) {
      const win = s + max;
      if (win + d > R.length) {
        // Too little left to tell whether the line at `s` is too long: take the whole lines, keep the rest.
        const last = R.length >= d ? R.lastIndexOf(this.delim, R.length - d) : -1;
        if (last >= s) s = last + d;
        break;
      }
      const last = R.lastIndexOf(this.delim, win);
      if (last >= s) {
        s = last + d;
        continue;
      }
      // The line at `s` is longer than the maximum: emit it cut, then skip the rest of it.
      const cutEnd = s + max;
      out.push({ kind: 'batch', data: this.views ? R.subarray(batchStart, cutEnd) : copyOf(R, batchStart, cutEnd), baseOffset: base + batchStart, truncated: [base + s], end: base + s });
      const idx = R.indexOf(this.delim, cutEnd);
      if (idx < 0) {
        this.skipping = true;
        const keep = Math.min(d - 1, R.length - cutEnd);
        this.pendingBytes = keep > 0 ? copyOf(R, R.length - keep, R.length) : EMPTY;
        this.pendingAt = base + R.length - keep;
        return out;
      }
      s = idx + d;
      out.push({ kind: 'skip', end: base + s });
      batchStart = s;
    }
    if (s > batchStart) out.push({ kind: 'batch', data: this.views ? R.subarray(batchStart, s) : copyOf(R, batchStart, s), baseOffset: base + batchStart, end: base + s });
    this.pendingBytes = s < R.length ? copyOf(R, s, R.length) : EMPTY;
    this.pendingAt = base + s;
    return out;
  }

  /** End of input: the pending partial line becomes the last line (cut if too long). */
  finish(): CutPiece[] {
    const out: CutPiece[] = [];
    const end = this.pendingAt + this.pendingBytes.length;
    if (this.skipping) {
      out.push({ kind: 'skip', end });
    } else if (this.pendingBytes.length > 0) {
      const p = this.pendingBytes;
      if (p.length > this.maxLineBytes) {
        out.push({ kind: 'batch', data: copyOf(p, 0, this.maxLineBytes), baseOffset: this.pendingAt, truncated: [this.pendingAt], end });
      } else {
        out.push({ kind: 'batch', data: p, baseOffset: this.pendingAt, end });
      }
    }
    this.pendingBytes = EMPTY;
    this.pendingAt = end;
    this.skipping = false;
    return out;
  }
}
