// Which raw-archive objects a replay reads: those of the requested types whose hour partition overlaps
// [since, until), optionally one shard of them.
//
// Objects are the units of work. `shard i/n` keeps the objects whose key hashes to i modulo n: any number of
// replay processes (on one machine or several) split a range without talking to each other and without
// overlap, and a rerun of a shard reads exactly the same objects (so its events, whose ids come from the
// object key and line number, overwrite the earlier run's).

import { createHash } from 'node:crypto';
import type { ObjectStore } from './storage.js';
import { parseKey, partitionStart } from './layout.js';

export interface ReplayPlanOptions {
  types: string[];
  since?: number;
  until?: number;
  shard?: { index: number; count: number };
}

export interface PlannedObject {
  key: string;
  size: number;
  type: string;
}

const HOUR = 3_600_000;

export function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new Error(`shard must be i/n with 0 <= i < n, got ${s}`);
  return { index, count };
}

export function shardOf(key: string, count: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % count;
}

export async function planReplay(store: ObjectStore, opts: ReplayPlanOptions): Promise<PlannedObject[]> {
  const out: PlannedObject[] = [];
  for (const type of opts.types) {
    for await (const o of store.list(`type=${type}/`)) {
      const k = parseKey(o.key);
      if (!k || k.format !== 'raw' || k.type !== type) continue;
      const start = partitionStart(k);
      if (opts.since !== undefined && start + HOUR <= opts.since) continue;
      if (opts.until !== undefined && start >= opts.until) continue;
      if (opts.shard && opts.shard.count > 1 && shardOf(o.key, opts.shard.count) !== opts.shard.index) continue;
      out.push({ key: o.key, size: o.size, type });
    }
  }
  // Oldest first, then by name: a stable order, so progress and reruns are predictable.
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
