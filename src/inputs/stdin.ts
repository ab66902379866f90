// The stdin input: reads standard input to its end and hands whole lines to the pipeline as byte batches
// (up to ~256 KiB, or whatever lines are available, so interactive use stays responsive). Event ids
// count lines: `stdin:<run id>:<line number>`, the run id being random per process because standard
// input has no identity to resume from (Logstash keeps no position for it either).

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import { defineInput, type CodecSpec, type Input, type InputSink, type PluginContext } from '../core/plugin.js';
import { ECS_COMPATIBILITY_OPTION, ecsMode } from '../core/ecs.js';

interface StdinConfig {
  codec: CodecSpec;
  ecs_compatibility?: string;
  max_line_bytes: number;
}

const MAX_BATCH_BYTES = 256 * 1024;
const STOP = Symbol('stop');

/** A standalone copy of bytes (a view into a shared buffer would be cloned whole when sent to a worker). */
function ownedCopy(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

export class StdinInput implements Input {
  private wake: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly config: StdinConfig,
    private readonly ctx: PluginContext,
    private readonly stream: Readable = process.stdin,
  ) {}

  async run(sink: InputSink): Promise<void> {
    const idPrefix = `stdin:${randomBytes(8).toString('hex')}:`;
    const host = hostname();
    const fields = ecsMode(this.config.ecs_compatibility) === 'v1' ? { '[host][hostname]': host } : { host };
    let nextLine = 1;
    let parts: Buffer[] = [];
    let bytes = 0;

    const maxLine = this.config.max_line_bytes;
    /** After a line was cut at max_line_bytes: drop input up to its end. */
    let skipping = false;

    const pushLines = async (final: boolean) => {
      if (skipping) {
        const all = Buffer.concat(parts, bytes);
        const nl = all.indexOf(10);
        if (nl < 0) {
          parts = [];
          bytes = 0;
          return;
        }
        skipping = false;
        parts = [all.subarray(nl + 1)];
        bytes = all.length - nl - 1;
      }
      if (bytes === 0) return;
      const all = Buffer.from(ownedCopy(parts, bytes).buffer);
      const cut = final ? all.length : all.lastIndexOf(10) + 1;
      parts = cut < all.length ? [all.subarray(cut)] : [];
      bytes = all.length - cut;
      if (cut === 0) return;
      const data = cut === all.length ? new Uint8Array(all.buffer) : ownedCopy([all.subarray(0, cut)], cut);
      const baseLine = nextLine;
      nextLine += countNewlines(all.subarray(0, cut)) + (final && all[cut - 1] !== 10 ? 1 : 0);
      await sink.push({ kind: 'bytes', data, idPrefix, baseOffset: 0, baseLine, fields });
    };

    if (this.stream === process.stdin && process.stdin.isTTY) process.stderr.write('The stdin plugin is now waiting for input:\n');
    const it = this.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
    const stop = new Promise<typeof STOP>((resolve) => (this.wake = () => resolve(STOP)));
    if (this.stopped) this.wake?.();
    try {
      for (;;) {
        const r = await Promise.race([it.next(), stop]);
        if (r === STOP) {
          // As Logstash closes $stdin on stop. Not awaited: the iterator's pending read may never settle.
          void it.return?.().catch(() => undefined);
          break;
        }
        if (r.done) break;
        const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
        parts.push(chunk);
        bytes += chunk.length;
        // Gather what is already buffered (a fast pipe) into one batch; otherwise push right away.
        if (this.stream.readableLength > 0 && bytes < MAX_BATCH_BYTES) continue;
        await pushLines(false);
        if (bytes > maxLine) {
          // A line without end in sight: memory stays bounded. Its first max_line_bytes go on, tagged as
          // truncated (as the file input does); the rest of it is skipped.
          const head = ownedCopy([Buffer.concat(parts, bytes).subarray(0, maxLine)], maxLine);
          parts = [];
          bytes = 0;
          skipping = true;
          const baseLine = nextLine++;
          this.ctx.logger.warn(`input stdin: line ${baseLine} is longer than max_line_bytes (${maxLine}); truncated`);
          await sink.push({ kind: 'bytes', data: head, idPrefix, baseOffset: 0, baseLine, fields, truncated: [0] });
        }
      }
      await pushLines(true);
    } catch (err) {
      if (!this.stopped) throw err;
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
}

export default defineInput<StdinConfig>({
  name: 'stdin',
  description: 'Reads events from standard input, one per line by default, until the end of input.',
  options: {
    codec: { type: 'codec', default: 'line', description: 'Codec that decodes the input (line: one event per line).' },
    ecs_compatibility: ECS_COMPATIBILITY_OPTION,
    max_line_bytes: {
      type: 'bytes',
      default: '1 MiB',
      description:
        'Longest line kept whole (Sluice option: memory stays bounded). A longer line is cut to this size and tagged `_line_truncated`; the rest of it is skipped.',
    },
  },
  create(config, ctx) {
    return new StdinInput(config, ctx);
  },
});
