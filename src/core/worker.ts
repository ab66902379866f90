// Worker thread entry: rebuilds the pipeline's filters and encoders from the model, then turns raw
// batches into per-output payloads. All per-event work happens here, on as many threads as configured.

import { parentPort, workerData } from 'node:worker_threads';
import { loadRegistry } from './registry.js';
import { createLogger } from './logger.js';
import { PipelineExecutor } from './executor.js';
import type { PipelineModel } from './model.js';
import type { RawBatch } from './plugin.js';

export interface WorkerInit {
  model: PipelineModel;
  watch: SharedArrayBuffer;
  index: number;
}
export type ToWorker = { type: 'batch'; seq: number; input: number; batch: RawBatch; skips?: number[] } | { type: 'close' };
export type FromWorker =
  | { type: 'ready'; timeouts: Array<number | undefined> }
  | { type: 'result'; seq: number; payloads: unknown[]; counts: import('./executor.js').BatchCounts }
  | { type: 'failed'; seq: number; error: string }
  | { type: 'init-error'; error: string }
  | { type: 'closed' };

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

/**
 * Byte arrays in payloads (up to two levels of arrays deep) that own their whole ArrayBuffer: moved to the
 * main thread instead of copied. Pooled small Buffers share an ArrayBuffer and are copied as usual.
 */
function transferables(payloads: unknown[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (v instanceof Uint8Array) {
      const b = v.buffer;
      if (b instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === b.byteLength && !out.includes(b)) out.push(b);
    } else if (depth < 3 && Array.isArray(v)) for (const x of v) visit(x, depth + 1);
  };
  for (const p of payloads) visit(p, 0);
  return out;
}

try {
  const logger = createLogger(`${init.model.id}.worker${init.index}`);
  const registry = await loadRegistry();
  const exec = await PipelineExecutor.create(init.model, registry, logger, new Int32Array(init.watch));
  port.on('message', async (msg: ToWorker) => {
    if (msg.type === 'close') {
      await exec.close();
      post({ type: 'closed' });
      return;
    }
    try {
      const events = exec.decode(msg.batch, msg.input);
      const { payloads, counts } = exec.process(events, msg.seq, msg.skips);
      post({ type: 'result', seq: msg.seq, payloads, counts }, transferables(payloads));
    } catch (err) {
      post({ type: 'failed', seq: msg.seq, error: (err as Error).stack ?? String(err) });
    }
  });
  post({ type: 'ready', timeouts: exec.filterTimeouts });
} catch (err) {
  post({ type: 'init-error', error: (err as Error).stack ?? String(err) });
}
