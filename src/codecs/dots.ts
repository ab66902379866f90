// The dots codec: one '.' per event, a cheap progress indicator for outputs.

import { defineCodec } from '../core/plugin.js';

export default defineCodec<Record<string, never>>({
  name: 'dots',
  description: 'Writes one `.` per event (outputs only; useful to watch throughput). Decoding keeps the text in `message`.',
  options: {},
  create() {
    return {
      // Logstash's dots codec cannot decode; keeping the text (like plain) loses nothing if it is used on an input.
      decode(message, emit) {
        emit({ message });
      },
      encode() {
        return '.';
      },
    };
  },
});
