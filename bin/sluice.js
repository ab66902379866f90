#!/bin/sh
// 2>/dev/null; exec node --single-threaded-gc "$0" "$@"
// ^ Run as a program, /bin/sh reads the line above (`//` fails quietly) and replaces itself with node and the
// V8 flag below; node reads both lines as comments. Why the flag: each pipeline worker is a thread with its
// own heap, as many as cores, and V8's GC helper threads only add hand-offs between threads that compete for
// the same cores (grok+date benchmark, 2 workers on 2 cores: 6% faster). `node bin/sluice.js` works too.
// Pipeline worker threads start before the command line's modules load (see dist/src/cli/warm.js).
const { warmWorkersFor } = await import('../dist/src/cli/warm.js');
warmWorkersFor(process.argv.slice(2));
await import('../dist/src/cli/main.js');
