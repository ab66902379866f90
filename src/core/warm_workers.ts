// Pipeline worker threads started before the pipelines are known. A thread's own start (Node's bootstrap, then
// importing the engine and the codecs) takes about a tenth of a second; started first thing, it overlaps the
// main thread's start (loading plugins, compiling the configuration) instead of following it. A pipeline takes
// a warm thread when there is one and starts its own otherwise; `sluice run` drops the unused ones once every
// pipeline has started.

import { Worker } from 'node:worker_threads';
import type { WorkerInit } from './worker.js';

interface WarmWorker {
  worker: Worker;
  exited: boolean;
}

const warm: WarmWorker[] = [];

export const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Start `count` threads that wait for their pipeline (they do not keep the process alive meanwhile). */
export function warmUpWorkers(count: number): void {
  for (let i = 0; i < count; i++) {
    const w: WarmWorker = { worker: new Worker(WORKER_URL), exited: false };
    w.worker.once('exit', () => (w.exited = true));
    w.worker.once('error', () => (w.exited = true));
    w.worker.unref();
    warm.push(w);
  }
}

/** A warm thread given its pipeline, or undefined when none is left. */
export function takeWarmWorker(init: WorkerInit): Worker | undefined {
  for (let w = warm.shift(); w !== undefined; w = warm.shift()) {
    if (w.exited) continue;
    w.worker.ref();
    w.worker.postMessage({ type: 'init', init });
    return w.worker;
  }
  return undefined;
}

/** Stop the threads no pipeline took. */
export function dropWarmWorkers(): void {
  for (const w of warm.splice(0)) void w.worker.terminate();
}
