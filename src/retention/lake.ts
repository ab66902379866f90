// The `lake:` section of `sluice retention`: partitions (type/date/hour folders) of a data lake whose hour
// ended more than max_age_days ago. One candidate per partition; removing it deletes its objects.

import { applyLakeRetention, deleteLakePartition } from '../lake/retention.js';
import { lakeRetentionSettings } from '../cli/lake_actions.js';
import type { RetentionSection, RetentionTarget } from './target.js';

export const lakeRetention: RetentionSection = {
  key: 'lake',
  create(value) {
    return lakeRetentionSettings({ lake: value }).map(
      (settings): RetentionTarget => ({
        label: `lake ${settings.url}`,
        async plan(now) {
          const report = await applyLakeRetention(settings, { dryRun: true, now: now.getTime() });
          return report.partitions.map((p) => ({
            name: `partition ${p.prefix}`,
            reason: `${p.objects} object(s), ${p.bytes} bytes, older than ${settings.max_age_days} days`,
            ref: p.prefix,
          }));
        },
        async remove(candidate) {
          await deleteLakePartition(settings, candidate.ref as string);
        },
      }),
    );
  },
};
