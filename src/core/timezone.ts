// Time zones and calendar arithmetic for date parsing and formatting.
//
// Asking Intl for a zone's offset costs microseconds, far too much per event. Each IANA zone
// therefore keeps a table of its offset spans, built lazily in 32-day chunks (one Intl call per day
// of the chunk, then a binary search down to the second for each transition found), plus the last
// span used: the common lookup is two comparisons.

import { readlinkSync } from 'node:fs';

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** Largest |epoch ms| a JS Date can hold. */
export const MAX_EPOCH_MS = 8.64e15;

// ---------------------------------------------------------------------------------------------
// Proleptic Gregorian calendar (days since 1970-01-01), valid for negative years too.

// Every intermediate fits in int32 for the whole JS Date range (±1e8 days), so `| 0` replaces
// Math.floor wherever the operand is non-negative: several times faster.

/** Days since 1970-01-01 of a civil date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = ((y >= 0 ? y : y - 399) / 400) | 0;
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = (((153 * mp + 2) / 5) | 0) + day - 1;
  const doe = yoe * 365 + ((yoe / 4) | 0) - ((yoe / 100) | 0) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date of a day number, written into `out` as [year, month, day]. */
export function civilFromDays(days: number, out: number[]): void {
  const z = days + 719468;
  const era = ((z >= 0 ? z : z - 146096) / 146097) | 0;
  const doe = z - era * 146097;
  const yoe = ((doe - ((doe / 1460) | 0) + ((doe / 36524) | 0) - ((doe / 146096) | 0)) / 365) | 0;
  const doy = doe - (365 * yoe + ((yoe / 4) | 0) - ((yoe / 100) | 0));
  const mp = ((5 * doy + 2) / 153) | 0;
  const d = doy - (((153 * mp + 2) / 5) | 0) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  out[0] = m <= 2 ? era * 400 + yoe + 1 : era * 400 + yoe;
  out[1] = m;
  out[2] = d;
}

export function isLeapYear(y: number): boolean {
  return (y & 3) === 0 && (y % 100 !== 0 || y % 400 === 0);
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : DAYS_IN_MONTH[m]!;
}

/** ISO day of week of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function isoDayOfWeek(days: number): number {
  const r = (days + 3) % 7;
  return (r < 0 ? r + 7 : r) + 1;
}

/** Day number of the Monday of ISO week 1 of a week-based year. */
export function isoWeek1Monday(weekyear: number): number {
  const jan4 = daysFromCivil(weekyear, 1, 4);
  return jan4 - (isoDayOfWeek(jan4) - 1);
}

export function isoWeeksInYear(weekyear: number): number {
  return (isoWeek1Monday(weekyear + 1) - isoWeek1Monday(weekyear)) / 7;
}

// ---------------------------------------------------------------------------------------------
// Zones

export interface Zone {
  /** The id as configured (fixed offsets as `+05:00`, UTC as `UTC`). */
  readonly id: string;
  readonly fixedOffset: number | undefined;
  /** Offset from UTC in ms at a UTC instant. */
  offsetAt(utcMs: number): number;
  /**
   * The UTC instant of a wall-clock time (ms since 1970 on the local clock). NaN when the wall time
   * does not exist (skipped by a forward transition); the earlier instant when it is ambiguous,
   * as Joda-Time does.
   */
  localToUtc(localMs: number): number;
}

class FixedZone implements Zone {
  constructor(
    readonly id: string,
    readonly fixedOffset: number,
  ) {}
  offsetAt(): number {
    return this.fixedOffset;
  }
  localToUtc(localMs: number): number {
    return localMs - this.fixedOffset;
  }
}

const CHUNK_MS = 32 * MS_PER_DAY;
const MAX_CHUNKS = 4096;
// Offsets lie within [-12h, +14h] (-25h..+26h covers every historical oddity with margin).
const WINDOW_BEFORE = 14 * MS_PER_HOUR;
const WINDOW_AFTER = 12 * MS_PER_HOUR;

interface Chunk {
  starts: number[];
  offsets: number[];
}

class IanaZone implements Zone {
  readonly fixedOffset = undefined;
  private spanStart = 1;
  private spanEnd = 0;
  private spanOffset = 0;
  private readonly chunks = new Map<number, Chunk>();
  private readonly dtf: Intl.DateTimeFormat;

  constructor(readonly id: string) {
    this.dtf = new Intl.DateTimeFormat('en-US', {
      timeZone: id,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  offsetAt(t: number): number {
    if (t >= this.spanStart && t < this.spanEnd) return this.spanOffset;
    return this.lookup(t);
  }

  localToUtc(local: number): number {
    const before = this.offsetAt(local - WINDOW_BEFORE);
    const after = this.offsetAt(local + WINDOW_AFTER);
    if (before === after) return local - before;
    // One transition inside the window: each side's offset gives a candidate, valid if it lands on its side.
    const u1 = local - before;
    const u2 = local - after;
    const v1 = this.offsetAt(u1) === before;
    const v2 = this.offsetAt(u2) === after;
    if (v1 && v2) return u1 < u2 ? u1 : u2;
    if (v1) return u1;
    if (v2) return u2;
    return NaN;
  }

  private lookup(t: number): number {
    if (!(t > -MAX_EPOCH_MS && t < MAX_EPOCH_MS)) return this.rawOffset(t > 0 ? MAX_EPOCH_MS - MS_PER_DAY : -MAX_EPOCH_MS + MS_PER_DAY);
    const key = Math.floor(t / CHUNK_MS);
    let chunk = this.chunks.get(key);
    if (chunk === undefined) {
      chunk = this.buildChunk(key * CHUNK_MS);
      if (this.chunks.size >= MAX_CHUNKS) this.chunks.clear();
      this.chunks.set(key, chunk);
    }
    const starts = chunk.starts;
    let i = starts.length - 1;
    while (starts[i]! > t) i--;
    this.spanStart = starts[i]!;
    this.spanEnd = i + 1 < starts.length ? starts[i + 1]! : (key + 1) * CHUNK_MS;
    this.spanOffset = chunk.offsets[i]!;
    return this.spanOffset;
  }

  private buildChunk(start: number): Chunk {
    const starts = [start];
    const offsets = [this.rawOffset(start)];
    let prevT = start;
    let prevOff = offsets[0]!;
    for (let t = start + MS_PER_DAY; t <= start + CHUNK_MS; t += MS_PER_DAY) {
      const off = this.rawOffset(t);
      if (off !== prevOff) {
        // Find the first second carrying the new offset.
        let lo = prevT;
        let hi = t;
        while (hi - lo > MS_PER_SECOND) {
          const mid = lo + Math.floor((hi - lo) / 2 / MS_PER_SECOND) * MS_PER_SECOND;
          if (this.rawOffset(mid) === prevOff) lo = mid;
          else hi = mid;
        }
        if (hi < start + CHUNK_MS) {
          starts.push(hi);
          offsets.push(this.rawOffset(hi));
        }
        prevOff = off;
      }
      prevT = t;
    }
    return { starts, offsets };
  }

  /** Offset at an instant straight from Intl (slow: table building only). */
  private rawOffset(t: number): number {
    if (t < -MAX_EPOCH_MS) t = -MAX_EPOCH_MS;
    if (t > MAX_EPOCH_MS) t = MAX_EPOCH_MS;
    const ts = Math.floor(t / MS_PER_SECOND) * MS_PER_SECOND;
    let y = 0;
    let mo = 1;
    let d = 1;
    let h = 0;
    let mi = 0;
    let s = 0;
    let bc = false;
    for (const p of this.dtf.formatToParts(ts)) {
      switch (p.type) {
        case 'year':
          y = parseInt(p.value, 10);
          break;
        case 'month':
          mo = parseInt(p.value, 10);
          break;
        case 'day':
          d = parseInt(p.value, 10);
          break;
        case 'hour':
          h = parseInt(p.value, 10);
          break;
        case 'minute':
          mi = parseInt(p.value, 10);
          break;
        case 'second':
          s = parseInt(p.value, 10);
          break;
        case 'era':
          bc = p.value === 'BC' || p.value === 'B';
          break;
      }
    }
    if (bc) y = 1 - y;
    const local = daysFromCivil(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR + mi * MS_PER_MINUTE + s * MS_PER_SECOND;
    return local - ts;
  }
}

export const UTC: Zone = new FixedZone('UTC', 0);

const zoneCache = new Map<string, Zone | null>();
const ianaByCanonical = new Map<string, IanaZone>();
const MAX_CACHED_ZONES = 10_000;

/** `+05:00` style id of a fixed offset (as Joda names fixed zones). */
export function formatOffsetId(offsetMs: number): string {
  if (offsetMs === 0) return 'UTC';
  const sign = offsetMs < 0 ? '-' : '+';
  let a = Math.abs(offsetMs);
  const h = Math.floor(a / MS_PER_HOUR);
  a -= h * MS_PER_HOUR;
  const m = Math.floor(a / MS_PER_MINUTE);
  a -= m * MS_PER_MINUTE;
  const s = Math.floor(a / MS_PER_SECOND);
  const base = `${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  return s === 0 ? base : `${base}:${String(s).padStart(2, '0')}`;
}

/** Ids that ICU resolves to UTC (compared lower-cased, as ICU compares them). */
const UTC_ALIASES = new Set(
  ['UTC', 'UCT', 'Universal', 'Zulu', 'GMT', 'GMT0', 'GMT+0', 'GMT-0', 'Greenwich'].flatMap((n) => [n, `Etc/${n}`]).map((n) => n.toLowerCase()),
);

const OFFSET_ID = /^(?:UTC|GMT|UT)?([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/;

function createZone(id: string, allowOffsets: boolean): Zone | null {
  if (allowOffsets) {
    if (id === 'Z') return UTC;
    const m = OFFSET_ID.exec(id);
    if (m) {
      const h = Number(m[2]);
      const mi = m[3] === undefined ? 0 : Number(m[3]);
      const s = m[4] === undefined ? 0 : Number(m[4]);
      if (h > 23 || mi > 59 || s > 59) return null;
      const off = (m[1] === '-' ? -1 : 1) * (h * MS_PER_HOUR + mi * MS_PER_MINUTE + s * MS_PER_SECOND);
      return off === 0 ? UTC : new FixedZone(formatOffsetId(off), off);
    }
  }
  if (id.length === 0 || id.length > 64) return null;
  // Known without asking ICU: its zone data costs a thread about 20 ms to load, and UTC is the usual platform zone.
  if (UTC_ALIASES.has(id.toLowerCase())) return id === 'UTC' ? UTC : new FixedZone(id, 0);
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: id }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  if (canonical === 'UTC' || canonical === 'Etc/UTC' || canonical === 'Etc/GMT' || canonical === 'GMT') return id === 'UTC' ? UTC : new FixedZone(id, 0);
  const etc = /^Etc\/GMT([+-])(\d{1,2})$/.exec(canonical);
  // POSIX-style sign: Etc/GMT+5 is five hours *behind* UTC.
  if (etc) return new FixedZone(id, (etc[1] === '+' ? -1 : 1) * Number(etc[2]) * MS_PER_HOUR);
  let zone = ianaByCanonical.get(canonical);
  if (zone === undefined) {
    zone = new IanaZone(canonical);
    ianaByCanonical.set(canonical, zone);
  }
  return zone;
}

function cachedZone(key: string, id: string, allowOffsets: boolean): Zone | undefined {
  let z = zoneCache.get(key);
  if (z === undefined) {
    z = createZone(id, allowOffsets);
    if (zoneCache.size < MAX_CACHED_ZONES) zoneCache.set(key, z);
  }
  return z ?? undefined;
}

/**
 * A zone from a configured id: an IANA name (`Europe/Berlin`, `UTC`, `Etc/GMT+5`) or a fixed
 * offset (`+05:00`, `-0330`, `+01`). Undefined when unknown. Cached, cheap to call per event.
 */
export function resolveZone(id: string): Zone | undefined {
  return cachedZone(id, id, true);
}

/** Like resolveZone, but IANA ids only (what Joda's `ZZZ` accepts in text). */
export function resolveZoneId(id: string): Zone | undefined {
  return cachedZone('\u0000' + id, id, false);
}

let platformZone: Zone | undefined;

/** The platform's default zone (`TZ`), as Logstash uses when no `timezone` is configured. */
export function defaultZone(): Zone {
  if (platformZone === undefined) {
    const id = utcPlatformZoneId() ?? new Intl.DateTimeFormat().resolvedOptions().timeZone;
    platformZone = (id ? resolveZone(id) : undefined) ?? UTC;
  }
  return platformZone;
}

/**
 * The platform zone's id when it is UTC under another name, read where ICU reads it (`TZ`, else the
 * /etc/localtime link) and confirmed by the engine's own local time; undefined otherwise (ask ICU).
 */
function utcPlatformZoneId(): string | undefined {
  let id = process.env.TZ;
  if (id === undefined) {
    try {
      const link = readlinkSync('/etc/localtime');
      const at = link.lastIndexOf('zoneinfo/');
      if (at >= 0) id = link.slice(at + 'zoneinfo/'.length);
    } catch {
      return undefined;
    }
  } else if (id.startsWith(':')) id = id.slice(1);
  if (id === undefined || !UTC_ALIASES.has(id.toLowerCase())) return undefined;
  const year = new Date().getFullYear();
  return new Date(year, 0, 1).getTimezoneOffset() === 0 && new Date(year, 6, 1).getTimezoneOffset() === 0 ? id : undefined;
}
