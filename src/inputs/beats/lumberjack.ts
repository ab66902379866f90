// Lumberjack (Beats) protocol frames, versions 1 and 2. Every frame starts with a version byte ('1' or '2')
// and a type byte; integers are unsigned 32-bit big-endian:
//   'W' window size:  count                      — how many data frames the client sends before awaiting an ACK
//   'C' compressed:   length, zlib bytes         — the zlib stream holds further frames
//   'J' JSON data:    sequence, length, JSON     — one event (version 2)
//   'D' data:         sequence, pair count, then per pair: key length, key, value length, value
//   'A' ACK (server → client): sequence          — every event up to this sequence of the window is safe
// Declared lengths are checked before anything is buffered, so a huge length cannot make us allocate.

export type Frame =
  | { type: 'window'; version: number; size: number }
  | { type: 'compressed'; version: number; payload: Buffer }
  | { type: 'json'; version: number; seq: number; payload: Buffer }
  | { type: 'data'; version: number; seq: number; fields: Record<string, string>; payload: Buffer };

/** A violation of the protocol: the connection cannot be trusted any further and is closed. */
export class FrameError extends Error {}

export interface FrameLimits {
  /** Largest payload (JSON document, compressed block, data frame) accepted. */
  maxPayload: number;
}

const VERSION_1 = 0x31;
const VERSION_2 = 0x32;
const MAX_PAIRS = 65536;

export type ParseResult = { frame: Frame; next: number } | { need: number };

/** Parse one frame at `off`; `{ need }` = total bytes from `off` required before it can be parsed. */
export function parseFrame(buf: Buffer, off: number, limits: FrameLimits): ParseResult {
  const avail = buf.length - off;
  if (avail < 2) return { need: 2 };
  const version = buf[off]!;
  if (version !== VERSION_1 && version !== VERSION_2) throw new FrameError(`unknown protocol version byte 0x${version.toString(16)}`);
  const type = String.fromCharCode(buf[off + 1]!);
  const v = version - 0x30;
  switch (type) {
    case 'W': {
      if (avail < 6) return { need: 6 };
      return { frame: { type: 'window', version: v, size: buf.readUInt32BE(off + 2) }, next: off + 6 };
    }
    case 'C': {
      if (avail < 6) return { need: 6 };
      const len = buf.readUInt32BE(off + 2);
      if (len > limits.maxPayload) throw new FrameError(`compressed frame of ${len} bytes exceeds the limit of ${limits.maxPayload}`);
      if (avail < 6 + len) return { need: 6 + len };
      return { frame: { type: 'compressed', version: v, payload: buf.subarray(off + 6, off + 6 + len) }, next: off + 6 + len };
    }
    case 'J': {
      if (avail < 10) return { need: 10 };
      const seq = buf.readUInt32BE(off + 2);
      const len = buf.readUInt32BE(off + 6);
      if (len > limits.maxPayload) throw new FrameError(`JSON frame of ${len} bytes exceeds the limit of ${limits.maxPayload}`);
      if (avail < 10 + len) return { need: 10 + len };
      return { frame: { type: 'json', version: v, seq, payload: buf.subarray(off + 10, off + 10 + len) }, next: off + 10 + len };
    }
    case 'D': {
      if (avail < 10) return { need: 10 };
      const seq = buf.readUInt32BE(off + 2);
      const pairs = buf.readUInt32BE(off + 6);
      if (pairs > MAX_PAIRS) throw new FrameError(`data frame with ${pairs} pairs exceeds the limit of ${MAX_PAIRS}`);
      let p = off + 10;
      const fields: Record<string, string> = {};
      for (let i = 0; i < pairs; i++) {
        const kv: string[] = [];
        for (let k = 0; k < 2; k++) {
          if (buf.length - p < 4) return { need: p - off + 4 };
          const len = buf.readUInt32BE(p);
          if (p - off + len > limits.maxPayload) throw new FrameError(`data frame exceeds the limit of ${limits.maxPayload} bytes`);
          if (buf.length - p - 4 < len) return { need: p - off + 4 + len };
          kv.push(buf.toString('utf8', p + 4, p + 4 + len));
          p += 4 + len;
        }
        if (kv[0] !== '__proto__') fields[kv[0]!] = kv[1]!;
      }
      return { frame: { type: 'data', version: v, seq, fields, payload: buf.subarray(off + 10, p) }, next: p };
    }
    default:
      throw new FrameError(`unknown frame type 0x${buf[off + 1]!.toString(16)}`);
  }
}

/** All frames of a decompressed block; a block must hold whole frames only (and no nested compression). */
export function parseBlock(block: Buffer, limits: FrameLimits): Frame[] {
  const frames: Frame[] = [];
  let off = 0;
  while (off < block.length) {
    const r = parseFrame(block, off, limits);
    if ('need' in r) throw new FrameError('compressed block ends inside a frame');
    if (r.frame.type === 'compressed') throw new FrameError('nested compressed frame');
    frames.push(r.frame);
    off = r.next;
  }
  return frames;
}

export function ackFrame(version: number, seq: number): Buffer {
  const b = Buffer.alloc(6);
  b[0] = 0x30 + version;
  b[1] = 0x41; // 'A'
  b.writeUInt32BE(seq >>> 0, 2);
  return b;
}
