// The null output: accepts every event and writes nothing. For benchmarks and for pipelines whose work is
// done by filters; delivery acknowledges at once.

import { defineOutput } from '../core/plugin.js';

export default defineOutput<Record<string, never>>({
  name: 'null',
  description: 'Discards every event (for benchmarks and tests).',
  options: {},
  create() {
    return {
      encode(events) {
        return events.length;
      },
      async deliver() {},
    };
  },
});
