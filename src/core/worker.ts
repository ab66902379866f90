// Worker thread entry: rebuilds the pipeline's filters and encoders from the model, then turns raw
// batches into per-output payloads. All per-event work happens here, on as many threads as configured.

import { parentPort, workerData } from 'node:worker_threads';
import { loadCodecs, loadRegistryFor } from './registry.js';
import { createLogger } from './logger.js';
import { PipelineExecutor } from './executor.js';
import type { PipelineModel } from './model.js';
import type { RawBatch } from './plugin.js';
import { movableBuffers, outputBytes } from './byte_pool.js';

export interface WorkerInit {
  model: PipelineModel;
  watch: SharedArrayBuffer;
  index: number;
}
export type ToWorker =
  /** `recycle`: output buffers this worker sent earlier, written and handed back for reuse. */
  | { type: 'batch'; seq: number; input: number; batch: RawBatch; skips?: number[]; recycle?: ArrayBuffer[] }
  | { type: 'close' };
export type FromWorker =
  | { type: 'ready'; timeouts: Array<number | undefined> }
  | { type: 'result'; seq: number; payloads: unknown[]; counts: import('./executor.js').BatchCounts }
  | { type: 'failed'; seq: number; error: string }
  | { type: 'init-error'; error: string }
  | { type: 'closed' };

const port = parentPort!;
/** Started warm (warm_workers.ts): the pipeline arrives in the first message; meanwhile the codecs load. */
const init: WorkerInit =
  (workerData as WorkerInit | undefined) ??
  (await new Promise<WorkerInit>((resolve) => {
    void loadCodecs();
    port.once('message', (m: { type: 'init'; init: WorkerInit }) => resolve(m.init));
  }));
const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

try {
  const logger = createLogger(`${init.model.id}.worker${init.index}`);
  const registry = await loadRegistryFor(init.model);
  const exec = await PipelineExecutor.create(init.model, registry, logger, new Int32Array(init.watch));
  port.on('message', async (msg: ToWorker) => {
    if (msg.type === 'close') {
      await exec.close();
      post({ type: 'closed' });
      return;
    }
    if (msg.recycle) for (const ab of msg.recycle) outputBytes.give(ab);
    try {
      const events = exec.decode(msg.batch, msg.input);
      const { payloads, counts } = exec.process(events, msg.seq, msg.skips);
      const moved: ArrayBuffer[] = [];
      for (const p of payloads) movableBuffers(p, moved);
      post({ type: 'result', seq: msg.seq, payloads, counts }, moved);
    } catch (err) {
      post({ type: 'failed', seq: msg.seq, error: (err as Error).stack ?? String(err) });
    }
  });
  post({ type: 'ready', timeouts: exec.filterTimeouts });
} catch (err) {
  post({ type: 'init-error', error: (err as Error).stack ?? String(err) });
}
