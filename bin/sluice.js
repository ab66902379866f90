#!/bin/sh
// 2>/dev/null; exec node --single-threaded-gc --no-regexp-tier-up --no-allocation-site-pretenuring "$0" "$@"
// ^ Run as a program, /bin/sh reads the line above (`//` fails quietly) and replaces itself with node and the
// V8 flags; node reads both lines as comments. `node bin/sluice.js` works too, without the flags. Why them:
// --single-threaded-gc: each pipeline worker is a thread with its own heap, as many as cores, and V8's GC helper
//   threads only add hand-offs between threads that compete for the same cores (grok+date, 2 workers: 6% faster);
// --no-regexp-tier-up: grok patterns become large regular expressions, run millions of times; V8 would first
//   build and optimise interpreter bytecode for each of them in each worker, then compile it to machine code
//   anyway (about 2% of the CPU of the grok+date benchmark);
// --no-allocation-site-pretenuring: events live for one part of a batch. When V8 guesses from a busy moment that
//   some of them last, it allocates them in the old generation, where they die and drag the young objects they
//   point to along: young collections then copy megabytes each and the heap grows. It happened in one run in three
//   of the firewall example (35% slower, 390 MiB instead of 230); never with the flag, and no slower otherwise.
// Pipeline worker threads start before the command line's modules load (see dist/src/cli/warm.js).
const { warmWorkersFor } = await import('../dist/src/cli/warm.js');
warmWorkersFor(process.argv.slice(2));
await import('../dist/src/cli/main.js');
