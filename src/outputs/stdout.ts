// The stdout output: events encoded with the codec (rubydebug by default) written to standard output.
// Delivery resolves once the text was handed to the operating system, waiting for 'drain' when the
// stream is congested, so a slow terminal or pipe slows the pipeline instead of filling memory.

import type { Writable } from 'node:stream';
import { defineOutput, type Codec, type CodecSpec, type Output } from '../core/plugin.js';
import type { Event } from '../core/event.js';

interface StdoutConfig {
  codec: CodecSpec;
}

/** Write `text` and resolve when the stream accepted it and has room again. */
export function writeRespectingBackpressure(stream: Writable, text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    let written = false;
    let drained = true;
    const settle = () => {
      if (written && drained) resolve();
    };
    const ok = stream.write(text, (err) => {
      if (err) {
        reject(err);
        return;
      }
      written = true;
      settle();
    });
    if (!ok) {
      drained = false;
      stream.once('drain', () => {
        drained = true;
        settle();
      });
    }
  });
}

/** A stdout-like output over any writable stream (tests pass their own). */
export function createStreamOutput(codec: Codec, stream: Writable): Output {
  return {
    encode(events: Event[]): string {
      let s = '';
      for (const e of events) s += codec.encode(e);
      return s;
    },
    async deliver(payload: unknown): Promise<void> {
      if (typeof payload !== 'string' || payload.length === 0) return;
      await writeRespectingBackpressure(stream, payload);
    },
  };
}

export default defineOutput<StdoutConfig>({
  name: 'stdout',
  description: 'Prints events to standard output, by default in the rubydebug format.',
  options: {
    codec: { type: 'codec', default: 'rubydebug', description: 'Codec that formats events (rubydebug, json, json_lines, line, dots, …).' },
  },
  create(config, ctx) {
    const codec = ctx.createCodec(config.codec);
    return createStreamOutput(codec, process.stdout);
  },
});
