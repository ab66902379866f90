// The format of one JetStream message carrying many events: the events as JSON lines, `@metadata` included
// (so `[@metadata][_id]` survives the trip and the workers' outputs write idempotently), compressed.
//
// Why brotli at quality 1 by default: on these JSON lines it compresses about 2.7x faster than gzip at level 1 and a
// little smaller, and decompresses faster; gzip was about a fifth of a front's CPU, on two cores it shares with the
// workers and nats-server. Security logs compress 5-10x, which keeps the stream's disk and network small. Brotli
// has no magic bytes, so the message's Sluice-Encoding header says `br+jsonl`; gzip (`compression => gzip`, and
// every message written before brotli) is recognised by its magic bytes and its CRC32 catches a damaged message.
//
// The message id (`Nats-Msg-Id`) is a hash of the subject and the ids of the events, in order: a publish
// retried after a timeout, a leader election or a crash of the front (which re-reads the same lines, and so
// builds the same events) carries the same id, and the stream's duplicate window drops the copy.

import type { EventData } from '../event.js';
import { parseJson } from '../serialize.js';
import { TextBytes, utf8Lines } from '../text_bytes.js';
import { outputBytes } from '../byte_pool.js';
import { cryptoLib, zlibLib } from '../libs.js';

export interface StreamMessage {
  subject: string;
  /** `Nats-Msg-Id`. */
  id: string;
  data: Uint8Array;
  /** Number of events in `data`. */
  count: number;
}

export const BATCH_ENCODING_HEADER = 'Sluice-Encoding';
export const BATCH_EVENTS_HEADER = 'Sluice-Events';

export type Compression = 'brotli' | 'gzip' | 'none';

/** The Sluice-Encoding header of a message packed with `compression`. */
export function encodingHeader(compression: Compression): string {
  return compression === 'brotli' ? 'br+jsonl' : compression === 'gzip' ? 'gzip+jsonl' : 'jsonl';
}

function compress(raw: Uint8Array, compression: Compression): Uint8Array {
  const z = zlibLib();
  if (compression === 'gzip') return z.gzipSync(raw, { level: z.constants.Z_BEST_SPEED });
  if (compression === 'brotli')
    return z.brotliCompressSync(raw, {
      params: { [z.constants.BROTLI_PARAM_QUALITY]: 1, [z.constants.BROTLI_PARAM_MODE]: z.constants.BROTLI_MODE_TEXT, [z.constants.BROTLI_PARAM_SIZE_HINT]: raw.byteLength },
    });
  return raw;
}

/** Build one or more messages (halving until each fits `maxBytes`) from events bound for one subject. */
export function packEvents(subject: string, events: EventData[], compression: Compression, maxBytes: number): StreamMessage[] {
  // Every event written once, as JSON lines straight into bytes; a message is a range of them.
  const text = new TextBytes();
  const ends: number[] = [];
  for (const e of events) {
    text.pushEvent(e, true);
    text.pushByte(10);
    ends.push(text.byteLength);
  }
  const all = text.toBuffer();
  const startOf = (i: number) => (i === 0 ? 0 : ends[i - 1]!);
  const ids = events.map((e, i) => {
    const id = (e['@metadata'] as Record<string, unknown> | undefined)?._id;
    return typeof id === 'string' && id !== '' ? id : `#${cryptoLib().createHash('sha1').update(all.subarray(startOf(i), ends[i]! - 1)).digest('hex')}`;
  });
  const out: StreamMessage[] = [];
  const pack = (from: number, to: number) => {
    const raw = all.subarray(startOf(from), ends[to - 1]);
    const data = compress(raw, compression);
    if (data.byteLength > maxBytes && to - from > 1) {
      const mid = from + Math.floor((to - from) / 2);
      pack(from, mid);
      pack(mid, to);
      return;
    }
    if (data.byteLength > maxBytes) throw new Error(`one event is larger than the message limit (${data.byteLength} > ${maxBytes} bytes)`);
    // A view of a pooled Buffer would drag (and, when transferred, detach) the whole pool, and the text's own
    // buffer goes back to the pool below: own the bytes.
    const own = data.buffer !== all.buffer && data.byteOffset === 0 && data.buffer.byteLength === data.byteLength;
    const owned = own ? new Uint8Array(data.buffer, 0, data.byteLength) : new Uint8Array(data);
    out.push({ subject, id: batchId(subject, ids.slice(from, to)), data: owned, count: to - from });
  };
  try {
    if (events.length) pack(0, events.length);
  } finally {
    outputBytes.give(all.buffer as ArrayBuffer); // every message owns a copy (or its compressed form)
  }
  return out;
}

/** Deterministic id of a batch: same subject and same event ids in the same order → same id. */
export function batchId(subject: string, ids: string[]): string {
  const h = cryptoLib().createHash('sha256');
  h.update(subject);
  for (const id of ids) h.update('\n').update(id);
  return `sluice-${h.digest('base64url').slice(0, 32)}`;
}

/** The text lines of a message (see messageBytes). Throws on a damaged message. */
export function messageLines(data: Uint8Array, encoding?: string): string[] {
  return utf8Lines(messageBytes(data, encoding));
}

/**
 * The bytes of a message's lines: gunzipped when gzip (its magic bytes), decompressed when its Sluice-Encoding
 * header (`encoding`) says brotli, else as they are. Throws on a damaged message.
 */
export function messageBytes(data: Uint8Array, encoding?: string): Buffer {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return zlibLib().gunzipSync(buf);
  return encoding !== undefined && encoding.startsWith('br+') ? zlibLib().brotliDecompressSync(buf) : buf;
}

/**
 * The events of a message's lines; `baseIndex`: index of the first line in its message. A line that is not a JSON
 * object (a message published by something else than Sluice) becomes `{ message: line }` with an id from the
 * stream sequence, as a line-oriented input would.
 */
export function eventsFromLines(lines: readonly string[], fallbackIdPrefix: string, baseIndex: number): EventData[] {
  const events: EventData[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const id = `${fallbackIdPrefix}:${baseIndex + i}`;
    let parsed: unknown;
    try {
      parsed = line.startsWith('{') ? parseJson(line) : undefined;
    } catch {
      parsed = undefined;
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const e = parsed as EventData;
      const meta = e['@metadata'];
      if (!meta || typeof meta !== 'object' || typeof (meta as Record<string, unknown>)._id !== 'string') {
        e['@metadata'] = { ...(meta && typeof meta === 'object' ? meta : {}), _id: id };
      }
      events.push(e);
    } else events.push({ message: line, '@metadata': { _id: id } });
  }
  return events;
}
