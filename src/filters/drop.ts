// drop: cancels events. With `percentage` below 100 only that share is dropped; the choice is
// deterministic per event (a hash of its id, else of its message), so a replayed batch drops exactly
// the same events: no loss or duplicates on retry. Logstash draws a random number instead.

import { defineFilter, type Filter } from '../core/plugin.js';
import type { Event } from '../core/event.js';
import { valueToString } from '../core/event.js';
import { murmur3x86_32 } from './support/murmur3.js';

interface DropConfig {
  percentage: number;
}

const encoder = new TextEncoder();

/** A stable number in [0, 1) for an event: from `[@metadata][_id]`, else the message, else the whole event. */
export function eventFraction(event: Event): number {
  const meta = event.data['@metadata'];
  let key: unknown = meta !== null && typeof meta === 'object' ? (meta as Record<string, unknown>)['_id'] : undefined;
  if (key === undefined || key === null) key = event.data['message'];
  const text = key === undefined || key === null ? JSON.stringify(event.toJSON()) : valueToString(key);
  return murmur3x86_32(encoder.encode(text)) / 0x1_0000_0000;
}

export default defineFilter<DropConfig>({
  name: 'drop',
  description: 'Drop events (usually inside a conditional).',
  notes: 'With percentage below 100 the events dropped are chosen by a hash of the event id (or message): the same event is always dropped or always kept, unlike Logstash\'s random draw.',
  options: {
    percentage: { type: 'number', default: 100, description: 'Share of events to drop, 0 to 100.', example: 'percentage => 40' },
  },
  create(config): Filter {
    const pct = config.percentage;
    if (!(pct >= 0 && pct <= 100)) throw new Error(`drop: percentage must be between 0 and 100, got ${pct}`);
    const share = pct / 100;
    return {
      filter(event: Event): boolean {
        if (pct === 100 || eventFraction(event) < share) event.cancelled = true;
        // Logstash's drop never applies the common options (add_field etc.).
        return false;
      },
    };
  },
});
