// Framing of a byte stream (one TCP connection) into messages, straight into the pipeline's raw batches.
//
// Two framings, told apart on the connection's first bytes (RFC 6587):
//   - octet counting: `MSG-LEN SP MSG`, chosen when the stream starts with a count, a space and `<` (a syslog
//     PRI); one trailing LF inside MSG is not part of the message (rsyslog and syslog-ng both send one);
//     a frame that does not start with a digit is read up to the next LF, as rsyslog does;
//   - newline: one message per line (LF or CRLF).
//
// Output: `bytes` batches of whole lines (the workers cut and decode them), ids counting frames
// (`idPrefix + frame number`, from 1). An octet-counted MSG holding a newline of its own cannot travel as a
// line: it goes in a `messages` batch, in order. No per-byte JavaScript loops: lines are found with indexOf
// and runs of lines are copied at once.
//
// Limits: a message longer than `maxMessageSize` is cut to that size and marked truncated (the pipeline tags
// it `_line_truncated`), and the rest of it is skipped without being buffered. A frame cut by the end of the
// connection (an octet count larger than what came) is delivered as far as it came, marked truncated. Each
// case is counted. Memory per connection stays below maxMessageSize plus one read.

import type { RawBatch } from '../../core/plugin.js';

export interface FrameCounters {
  /** Messages delivered. */
  frames: number;
  /** Payload bytes received. */
  bytes: number;
  /** Messages cut at the maximum message size. */
  oversize: number;
  /** Frames cut short by the end of the connection (octet count larger than the data). */
  incomplete: number;
  /** Octet-counting headers that were not valid (`12x`, `0 `): read as a line instead. */
  invalid_headers: number;
}

export function newFrameCounters(): FrameCounters {
  return { frames: 0, bytes: 0, oversize: 0, incomplete: 0, invalid_headers: 0 };
}

const LF = 10;
const SP = 32;
const LT = 60;
const MAX_COUNT_DIGITS = 10;

/**
 * Framing works in one scratch buffer shared by every framer of the thread (framing is synchronous), so an idle
 * connection holds no more than its unframed tail. The input (pending tail + new reads) is copied there once;
 * messages are then compacted in place towards the start (the output never overtakes the reading position:
 * each octet-counting header removed is at least 2 bytes, and at most 1 LF is added per message), and each
 * batch gets an exactly sized copy.
 */
let scratch = Buffer.allocUnsafe(256 * 1024);

/** Copy `parts` into the scratch buffer; returns the view of what was copied. */
function intoScratch(parts: Array<Buffer | null>): Buffer {
  let n = 0;
  for (const p of parts) if (p) n += p.length;
  if (scratch.length < n + 64) scratch = Buffer.allocUnsafe(Math.max(n + 64, scratch.length * 2));
  let at = 0;
  for (const p of parts) if (p) at += p.copy(scratch, at);
  return scratch.subarray(0, n);
}

const enum Mode {
  Unknown,
  Lines,
  Octets,
}

export class StreamFramer {
  private mode = Mode.Unknown;
  private pending: Buffer | null = null;
  /** Octet mode: bytes of an oversize frame still to skip. */
  private skipBytes = 0;
  /** Line mode: skipping the rest of an oversize line up to its LF. */
  private skipLine = false;
  private nextFrame = 1;
  private cutAtEnd = false;

  // The batch being built (in `scratch`).
  private out: Buffer = scratch;
  private outLen = 0;
  private segFirstFrame = 1;
  private segTruncated: number[] = [];
  private runStart = 0;
  private runEnd = 0;
  private src: Buffer = Buffer.alloc(0);
  private parts: RawBatch[] = [];

  constructor(
    private readonly idPrefix: string,
    private readonly maxMessageSize: number,
    private readonly counters: FrameCounters,
    private readonly fields?: Record<string, unknown>,
    /** false: newline framing only (no octet-count detection). */
    private readonly detectOctetCounting = true,
  ) {}

  /** Frame what arrived (one read or several); returns the batches completed by it (maybe none). */
  feed(chunk: Buffer | Buffer[]): RawBatch[] {
    const chunks = Array.isArray(chunk) ? chunk : [chunk];
    for (const c of chunks) this.counters.bytes += c.length;
    const buf = intoScratch([this.pending, ...chunks]);
    this.pending = null;
    const consumed = this.frame(buf, false);
    if (consumed < buf.length) this.pending = Buffer.from(buf.subarray(consumed)); // own copy: do not pin the whole read
    return this.takeParts();
  }

  /**
   * The stream ended: deliver what is left (a last line without LF, or a frame cut short). `cut`: we stopped
   * reading (shutdown), so even a last line is known to be cut: it is marked truncated and counted incomplete.
   */
  end(cut = false): RawBatch[] {
    const buf = this.pending;
    this.pending = null;
    this.cutAtEnd = cut;
    if (buf && buf.length) this.frame(intoScratch([buf]), true);
    // The source ended: a joining codec (multiline) completes this connection's last message now (a connection
    // that sent nothing needs no marker).
    const last = this.parts[this.parts.length - 1];
    if (last !== undefined && last.kind === 'bytes') last.final = true;
    else if (this.nextFrame > 1) this.parts.push({ kind: 'bytes', data: new Uint8Array(0), idPrefix: this.idPrefix, baseOffset: 0, baseLine: this.nextFrame, fields: this.fields, final: true });
    return this.takeParts();
  }

  /** Bytes held waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending?.length ?? 0;
  }

  private takeParts(): RawBatch[] {
    const parts = this.parts;
    this.parts = [];
    return parts;
  }

  /** Frame `buf` (a view of the scratch buffer, compacted in place); returns how many bytes were consumed. */
  private frame(buf: Buffer, atEnd: boolean): number {
    const n = buf.length;
    this.src = buf;
    this.out = scratch; // the same memory, past `n` too (a last line may get its LF there)
    this.outLen = 0;
    this.segFirstFrame = this.nextFrame;
    this.segTruncated = [];
    this.runStart = this.runEnd = 0;
    const max = this.maxMessageSize;
    let pos = 0;
    let lfScan = -1; // first LF at or after the last scan start (octet frames: finds inner LFs in linear time)
    while (pos < n) {
      if (this.skipBytes > 0) {
        const take = Math.min(this.skipBytes, n - pos);
        this.skipBytes -= take;
        pos += take;
        continue;
      }
      if (this.skipLine) {
        const nl = buf.indexOf(LF, pos);
        if (nl < 0) {
          pos = n;
          break;
        }
        this.skipLine = false;
        pos = nl + 1;
        continue;
      }
      if (this.mode === Mode.Unknown) {
        const m = this.detect(buf, pos, atEnd);
        if (m === Mode.Unknown) break; // need more bytes to tell
        this.mode = m;
      }
      const c = buf[pos]!;
      if (this.mode === Mode.Octets && (c === LF || c === 13)) {
        pos++; // a line end sent after a counted frame (outside its count) is not a message
        continue;
      }
      if (this.mode === Mode.Octets && c >= 48 && c <= 57) {
        let p = pos;
        let count = 0;
        while (p < n && p - pos <= MAX_COUNT_DIGITS) {
          const d = buf[p]!;
          if (d < 48 || d > 57) break;
          count = count * 10 + (d - 48);
          p++;
        }
        if (p === n && !atEnd) break; // header not complete yet
        if (p < n && buf[p] === SP && count > 0 && p - pos <= MAX_COUNT_DIGITS && buf[pos] !== 48) {
          const start = p + 1;
          const end = start + count;
          if (count > max) {
            const avail = n - start;
            if (avail < max && !atEnd) break; // wait for the first max bytes
            const take = Math.min(max, avail);
            this.emitTruncated(start, start + take);
            this.counters.oversize++;
            if (avail >= count) pos = end; // the whole frame is here: skip its rest now
            else if (atEnd) {
              this.counters.incomplete++;
              pos = n;
            } else {
              this.skipBytes = count - take;
              pos = start + take;
            }
            continue;
          }
          if (end > n) {
            if (!atEnd) break;
            // The connection ended inside the frame: deliver what came, marked as cut.
            this.counters.incomplete++;
            this.emitTruncated(start, n);
            pos = n;
            continue;
          }
          // Drop one trailing LF (and a CR before it); an inner LF needs a message of its own.
          let bodyEnd = end;
          if (bodyEnd > start && buf[bodyEnd - 1] === LF) bodyEnd--;
          if (lfScan < start) {
            const q = buf.indexOf(LF, start);
            lfScan = q < 0 ? n : q;
          }
          if (lfScan < bodyEnd) this.emitMessage(start, bodyEnd > start && buf[bodyEnd - 1] === 13 ? bodyEnd - 1 : bodyEnd);
          else this.emitLine(start, bodyEnd);
          pos = end;
          continue;
        }
        this.counters.invalid_headers++;
        // Not a valid count: read this frame as a line.
      }
      const nl = buf.indexOf(LF, pos);
      if (nl < 0) {
        if (n - pos > max) {
          this.emitTruncated(pos, pos + max);
          this.counters.oversize++;
          this.skipLine = !atEnd;
          pos = n;
          break;
        }
        if (!atEnd) break;
        if (this.cutAtEnd) {
          this.counters.incomplete++;
          this.emitTruncated(pos, n);
        } else this.emitLine(pos, n);
        pos = n;
        break;
      }
      if (nl - pos > max) {
        this.emitTruncated(pos, pos + max);
        this.counters.oversize++;
      } else this.emitLine(pos, nl + 1, true);
      pos = nl + 1;
    }
    this.closeSegment();
    return pos;
  }

  /** Octet counting when the stream starts with `DIGITS SP <`; Unknown while too few bytes came to tell. */
  private detect(buf: Buffer, pos: number, atEnd: boolean): Mode {
    if (!this.detectOctetCounting) return Mode.Lines;
    const c = buf[pos]!;
    if (c < 49 || c > 57) return Mode.Lines;
    let p = pos + 1;
    while (p < buf.length && p - pos <= MAX_COUNT_DIGITS && buf[p]! >= 48 && buf[p]! <= 57) p++;
    if (p + 1 >= buf.length) return atEnd ? Mode.Lines : p - pos > MAX_COUNT_DIGITS ? Mode.Lines : Mode.Unknown;
    return buf[p] === SP && buf[p + 1] === LT ? Mode.Octets : Mode.Lines;
  }

  /** A line [start, end) of the source; `withLf`: the range already ends with its LF. */
  private emitLine(start: number, end: number, withLf = false): void {
    this.counters.frames++;
    this.nextFrame++;
    if (withLf) {
      if (start === this.runEnd && this.runEnd > this.runStart) this.runEnd = end;
      else {
        this.flushRun();
        this.runStart = start;
        this.runEnd = end;
      }
      return;
    }
    this.flushRun();
    this.moveOut(start, end);
    this.out[this.outLen++] = LF;
  }

  /** Compact [start, end) of the input to the output position (a no-op while nothing was removed before it). */
  private moveOut(start: number, end: number): void {
    if (this.outLen !== start) this.out.copyWithin(this.outLen, start, end);
    this.outLen += end - start;
  }

  private emitTruncated(start: number, end: number): void {
    this.flushRun();
    this.segTruncated.push(this.outLen);
    // A cut line must not carry an LF of its own into the batch.
    const nl = this.src.indexOf(LF, start);
    if (nl >= 0 && nl < end) {
      this.emitMessageText(this.src.toString('utf8', start, end), true);
      return;
    }
    this.counters.frames++;
    this.nextFrame++;
    this.moveOut(start, end);
    this.out[this.outLen++] = LF;
  }

  private emitMessage(start: number, end: number): void {
    this.emitMessageText(this.src.toString('utf8', start, end), false);
  }

  /** A message that cannot be a line: close the bytes segment and send it in a `messages` batch. */
  private emitMessageText(text: string, truncated: boolean): void {
    if (truncated) this.segTruncated.pop();
    this.closeSegment();
    const frame = this.nextFrame++;
    this.counters.frames++;
    const last = this.parts[this.parts.length - 1];
    if (last !== undefined && last.kind === 'messages' && last.messages.length < 1000) {
      last.messages.push(text);
      last.ids.push(this.idPrefix + frame);
      last.truncated!.push(truncated);
    } else this.parts.push({ kind: 'messages', messages: [text], ids: [this.idPrefix + frame], truncated: [truncated], fields: this.fields });
    this.segFirstFrame = this.nextFrame;
  }

  private flushRun(): void {
    if (this.runEnd > this.runStart) this.moveOut(this.runStart, this.runEnd);
    this.runStart = this.runEnd = 0;
  }

  private closeSegment(): void {
    this.flushRun();
    if (this.outLen > 0) {
      // An exactly sized copy: the batch owns its ArrayBuffer, so it crosses to a worker without a second copy.
      const data = new Uint8Array(this.outLen);
      data.set(this.out.subarray(0, this.outLen));
      const batch: RawBatch = { kind: 'bytes', data, idPrefix: this.idPrefix, baseOffset: 0, baseLine: this.segFirstFrame, fields: this.fields };
      if (this.segTruncated.length) batch.truncated = this.segTruncated;
      this.parts.push(batch);
    }
    this.outLen = 0;
    this.segTruncated = [];
    this.segFirstFrame = this.nextFrame;
  }
}
