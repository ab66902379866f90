// The null output: accepts every event and writes nothing (benchmarks, and pipelines whose filters are the point).

import { defineOutput } from '../core/plugin.js';

export default defineOutput({
  name: 'null',
  description: 'Discards every event (acknowledged at once). For benchmarks and testing.',
  options: {},
  create() {
    return {
      encode: (events) => events.length,
      deliver: async () => {},
    };
  },
});
