// The lake's key layout, shared by the writer (s3 output), query, replay and retention:
//
//   type=<type>/date=YYYY-MM-DD/hour=HH/raw-<hash>.log.gz     original lines (gzip), for replay and audit
//   type=<type>/date=YYYY-MM-DD/hour=HH/events-<hash>.parquet processed events (Parquet, zstd)
//   _schema/type=<type>.json                                   the Parquet column set of a type (only widens)
//
// Partitions are Hive-style (key=value), so DuckDB, Athena, Spark and Trino read `type`, `date` and `hour`
// as columns. Times are UTC. The hash is derived from the ids of the first and last event of the object
// and their count: a redelivered batch gets the same name and overwrites its earlier copy.

import { createHash } from 'node:crypto';

export type LakeFormat = 'raw' | 'parquet';

export interface PartitionKey {
  type: string;
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** 00-23 (UTC). */
  hour: string;
}

const TYPE_UNSAFE = /[^A-Za-z0-9_.-]/g;

/** A type name safe as a path segment and as an SQL identifier once quoted. */
export function sanitizeType(t: string): string {
  const s = t.replace(TYPE_UNSAFE, '_').replace(/^\.+/, '_');
  return s === '' ? '_unknown' : s;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function partitionOf(type: string, time: Date): PartitionKey {
  const ms = Number.isNaN(time.getTime()) ? 0 : time.getTime();
  const d = new Date(ms);
  return { type, date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`, hour: pad(d.getUTCHours()) };
}

export function partitionPrefix(p: PartitionKey): string {
  return `type=${p.type}/date=${p.date}/hour=${p.hour}/`;
}

/** Start of a partition's hour, in ms since the epoch. */
export function partitionStart(p: Pick<PartitionKey, 'date' | 'hour'>): number {
  return Date.parse(`${p.date}T${p.hour}:00:00Z`);
}

export function batchHash(firstId: string, lastId: string, count: number): string {
  return createHash('sha256').update(`${firstId}\n${lastId}\n${count}`).digest('hex').slice(0, 24);
}

export function objectName(format: LakeFormat, hash: string, gzip: boolean): string {
  return format === 'parquet' ? `events-${hash}.parquet` : `raw-${hash}.log${gzip ? '.gz' : ''}`;
}

export function schemaKey(type: string): string {
  return `_schema/type=${type}.json`;
}

const KEY_RE = /^type=([^/]+)\/date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/([^/]+)$/;

export interface ParsedKey extends PartitionKey {
  name: string;
  format: LakeFormat;
}

/** Parse an object key of the layout; undefined for anything else (schema files, foreign objects). */
export function parseKey(key: string): ParsedKey | undefined {
  const m = KEY_RE.exec(key);
  if (!m) return undefined;
  const name = m[4]!;
  const format: LakeFormat | undefined = name.endsWith('.parquet') ? 'parquet' : name.startsWith('raw-') ? 'raw' : undefined;
  if (!format) return undefined;
  return { type: m[1]!, date: m[2]!, hour: m[3]!, name, format };
}

/**
 * A time given on the command line: ISO 8601 (`2026-11-28T11:00Z`, `2026-11-28`), or relative to now
 * (`2h`, `30m`, `7d` ago). Returns ms since the epoch.
 */
export function parseTime(s: string, now = Date.now()): number {
  const rel = /^(\d+)\s*(s|m|h|d)$/.exec(s.trim());
  if (rel) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 's' | 'm' | 'h' | 'd'];
    return now - Number(rel[1]) * unit;
  }
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s.trim()) ? `${s.trim()}T00:00:00Z` : s);
  if (Number.isNaN(t)) throw new Error(`not a time: ${s} (use ISO 8601 like 2026-11-28T11:00:00Z, or 2h / 7d ago)`);
  return t;
}
