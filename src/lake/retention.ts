// Lake retention: delete the partitions (type/date/hour folders) whose hour ended more than max_age_days ago.
// Kept apart from the Elasticsearch retention so the CLI's `sluice retention` can call both.

import { openStore, type S3Connection } from './storage.js';
import { parseKey, partitionStart } from './layout.js';

export interface LakeRetentionSettings {
  /** Lake URL: s3://bucket/prefix, file:///dir or a path. */
  url: string;
  max_age_days: number;
  /** Only these types (default: all). */
  types?: string[];
  s3?: S3Connection;
}

export interface LakeRetentionReport {
  /** Partition prefixes deleted (or that would be, on a dry run), oldest first. */
  partitions: Array<{ prefix: string; objects: number; bytes: number }>;
  objects: number;
  bytes: number;
  dryRun: boolean;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

export async function applyLakeRetention(
  settings: LakeRetentionSettings,
  opts: { dryRun?: boolean; now?: number; log?: (line: string) => void } = {},
): Promise<LakeRetentionReport> {
  if (!(settings.max_age_days > 0)) throw new Error(`lake retention: max_age_days must be a positive number, got ${settings.max_age_days}`);
  const now = opts.now ?? Date.now();
  const cutoff = now - settings.max_age_days * DAY;
  const store = openStore(settings.url, settings.s3);
  const dryRun = Boolean(opts.dryRun);
  try {
    const old = new Map<string, { keys: string[]; bytes: number; start: number }>();
    for await (const o of store.list('type=')) {
      const k = parseKey(o.key);
      if (!k) continue;
      if (settings.types && !settings.types.includes(k.type)) continue;
      const start = partitionStart(k);
      // A partition holds events up to the end of its hour: it is old once that end is past the cutoff.
      if (start + HOUR > cutoff) continue;
      const prefix = o.key.slice(0, o.key.length - k.name.length);
      let p = old.get(prefix);
      if (!p) old.set(prefix, (p = { keys: [], bytes: 0, start }));
      p.keys.push(o.key);
      p.bytes += o.size;
    }
    const parts = [...old.entries()].sort((a, b) => a[1].start - b[1].start || (a[0] < b[0] ? -1 : 1));
    const report: LakeRetentionReport = { partitions: [], objects: 0, bytes: 0, dryRun };
    for (const [prefix, p] of parts) {
      opts.log?.(`${dryRun ? 'would delete' : 'deleting'} lake partition ${store.description.replace(/\/?$/, '/')}${prefix} (${p.keys.length} object${p.keys.length === 1 ? '' : 's'}, ${p.bytes} bytes)`);
      if (!dryRun) await store.delete(p.keys);
      report.partitions.push({ prefix, objects: p.keys.length, bytes: p.bytes });
      report.objects += p.keys.length;
      report.bytes += p.bytes;
    }
    if (!parts.length) opts.log?.(`lake ${store.description}: no partition older than ${settings.max_age_days} days`);
    return report;
  } finally {
    await store.close();
  }
}

/** Delete every object under one partition prefix (as listed by applyLakeRetention). */
export async function deleteLakePartition(settings: LakeRetentionSettings, prefix: string): Promise<number> {
  const store = openStore(settings.url, settings.s3);
  try {
    const keys: string[] = [];
    for await (const o of store.list(prefix)) keys.push(o.key);
    if (keys.length) await store.delete(keys);
    return keys.length;
  } finally {
    await store.close();
  }
}
