// `sluice run` starts its pipeline worker threads first thing (core/warm_workers.ts): bin/sluice.js loads this
// small module, calls it, and only then loads the command line's own (heavier) modules.

import { availableParallelism } from 'node:os';
import { warmUpWorkers } from '../core/warm_workers.js';

/**
 * Warm up as many worker threads as `sluice run` with these arguments will want, read off the arguments as
 * commander reads them (`-w N`, `--pipeline.workers N` or `=N`). A wrong guess costs an idle thread for a moment
 * or a thread started later, nothing else.
 */
export function warmWorkersFor(args: string[]): void {
  if (args[0] !== 'run' || args.includes('--help') || args.includes('-h')) return;
  let count = availableParallelism();
  for (let i = 1; i < args.length; i++) {
    const m = /^(?:-w|--pipeline\.workers)(?:=(.*))?$/.exec(args[i]!);
    if (!m) continue;
    const n = Number(m[1] ?? args[i + 1]);
    if (Number.isInteger(n) && n > 0) count = n;
  }
  warmUpWorkers(Math.min(count, 64));
}
