// A fake InputSink for input tests: records every batch and lets the test acknowledge them in any order.

import type { InputSink, RawBatch } from '../../src/core/plugin.js';

export interface Pushed {
  batch: RawBatch;
  ack: () => void;
  acked: boolean;
}

export interface Line {
  id: string;
  text: string;
  bytes: Buffer;
  truncated: boolean;
  fields?: Record<string, unknown>;
}

export class FakeSink implements InputSink {
  readonly pushed: Pushed[] = [];
  stopping = false;

  /** autoAck: acknowledge each batch as soon as it is pushed. */
  constructor(private readonly autoAck = false) {}

  async push(batch: RawBatch, ack?: () => void): Promise<void> {
    // An input may reuse a batch's memory once push resolves (InputSink.push): keep a copy, as the pipeline does.
    if (batch.kind === 'bytes' || batch.kind === 'jsonLines') batch = { ...batch, data: Uint8Array.from(batch.data) };
    const p: Pushed = {
      batch,
      acked: false,
      ack: () => {
        if (p.acked) return;
        p.acked = true;
        ack?.();
      },
    };
    this.pushed.push(p);
    if (this.autoAck) p.ack();
  }

  ackAll(): void {
    for (const p of this.pushed) p.ack();
  }

  /** Every line pushed so far, split the way the runtime splits byte batches. */
  lines(): Line[] {
    const out: Line[] = [];
    for (const { batch } of this.pushed) {
      if (batch.kind === 'bytes') {
        const buf = Buffer.from(batch.data.buffer, batch.data.byteOffset, batch.data.byteLength);
        const cut = new Set(batch.truncated ?? []);
        let start = 0;
        let line = batch.baseLine;
        while (start < buf.length) {
          const nl = buf.indexOf(10, start);
          const end = nl < 0 ? buf.length : nl;
          const offset = batch.baseOffset + start;
          const bytes = buf.subarray(start, end);
          out.push({ id: batch.idPrefix + (line !== undefined ? line : offset), text: bytes.toString('utf8'), bytes, truncated: cut.has(offset), fields: batch.fields });
          start = nl < 0 ? buf.length : nl + 1;
          if (line !== undefined) line++;
        }
      } else if (batch.kind === 'messages') {
        batch.messages.forEach((m, i) => out.push({ id: batch.ids[i]!, text: m, bytes: Buffer.from(m), truncated: !!batch.truncated?.[i], fields: batch.fields }));
      }
    }
    return out;
  }
}

/** Wait until `cond` holds (polling); fails after `ms` so a broken input cannot hang the suite. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
