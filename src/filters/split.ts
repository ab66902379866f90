// split: one event per line of a string field (or per element of an array field). The clones are
// emitted (each gets the common options and goes on through the later filters) and the original is
// cancelled. Each clone is a deep copy: no two emitted events share nested objects.

import { defineFilter, type Filter } from '../core/plugin.js';
import type { Emit } from '../core/plugin.js';
import type { Event } from '../core/event.js';
import { deepClone } from '../core/event.js';
import { parseFieldRef, type FieldPath } from '../core/fieldref.js';
import { rubySplit } from './support/ruby.js';

interface SplitConfig {
  field: string;
  terminator: string;
  target?: string;
}

const TYPE_FAILURE_TAG = '_split_type_failure';

export default defineFilter<SplitConfig>({
  name: 'split',
  description: 'Clone an event for each line of a string field (split on `terminator`) or each element of an array field.',
  notes:
    'Empty pieces are skipped. A string with no terminator is left as is (no clone, the event goes on). A field that is neither a string nor an array ' +
    '(or is missing) tags the event `_split_type_failure`. Splitting an array without `target` removes the array from the clones.',
  options: {
    field: { type: 'string', default: 'message', description: 'Field to split: a (multi-line) string, or an array.', example: 'field => "[results]"' },
    terminator: { type: 'string', default: '\n', description: 'String to split on (ignored for arrays).' },
    target: { type: 'string', description: 'Field of each clone that receives its piece; defaults to `field`.' },
  },
  create(config, ctx): Filter {
    const fieldPath: FieldPath = parseFieldRef(config.field);
    const targetPath: FieldPath = config.target !== undefined ? parseFieldRef(config.target) : fieldPath;
    const terminator = config.terminator;
    return {
      failureTags: [TYPE_FAILURE_TAG],
      filter(event: Event, emit: Emit): boolean {
        const original = event.getPath(fieldPath);
        let splits: unknown[];
        if (Array.isArray(original)) {
          // Without a target the array would be copied into every clone only to be overwritten.
          splits = original;
          if (config.target === undefined) event.removePath(fieldPath);
        } else if (typeof original === 'string') {
          splits = rubySplit(original, terminator, -1);
          if (splits.length === 1) return false;
        } else {
          ctx.logger.warn('Only String and Array types are splittable', { field: config.field });
          event.tag(TYPE_FAILURE_TAG);
          return false;
        }
        for (const value of splits) {
          if (value === null || value === undefined || value === '') continue;
          const clone = event.clone();
          clone.setPath(targetPath, deepClone(value));
          emit(clone);
        }
        event.cancelled = true;
        // The original is replaced by its clones; Logstash applies the common options to the clones only.
        return false;
      },
    };
  },
});
