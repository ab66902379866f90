// The date filter: parse a date from a field and store it in @timestamp (or `target`), as Logstash's
// logstash-filter-date (3.x, the Java implementation) does:
//  - formats are tried in order; the first that parses wins, the others are not tried;
//  - a missing or null field is not a failure (no tag, no add_field);
//  - the field's value must be a string for ISO8601 and Joda patterns; UNIX / UNIX_MS also take
//    numbers. Anything else — arrays included, Logstash does not pick an element — is a failure;
//  - failure adds `tag_on_failure`; the result is a Date (Logstash stores a Timestamp in any target).

import { defineFilter, type Filter } from '../core/plugin.js';
import { parseFieldRef, type FieldPath } from '../core/fieldref.js';
import { compileSprintf, isTemplate } from '../core/sprintf.js';
import type { Event } from '../core/event.js';
import { compileJodaParser, compileIso8601Parser, type DateParser } from '../core/joda.js';
import { resolveZone, MAX_EPOCH_MS, type Zone } from '../core/timezone.js';

interface DateConfig {
  match: string[];
  timezone?: string;
  locale?: string;
  target: string;
  tag_on_failure: string[];
}

/** One format: value (any type) and zone → epoch ms, or undefined. */
type ValueParser = (value: unknown, zone: Zone | undefined) => number | undefined;

interface Format {
  parse: ValueParser;
  /** Text formats need the zone; UNIX, UNIX_MS and TAI64N ignore it. */
  usesZone: boolean;
}

const MAX_EPOCH_SECONDS = 2147483647; // Logstash rejects UNIX values past Integer.MAX_VALUE seconds

function validMillis(ms: number): number | undefined {
  return ms >= -MAX_EPOCH_MS && ms <= MAX_EPOCH_MS ? ms : undefined;
}

/** Java's Long.parseLong: optional sign, ASCII digits only. NaN otherwise. */
function parseLong(s: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && (s.charCodeAt(i) === 45 || s.charCodeAt(i) === 43)) {
    negative = s.charCodeAt(i) === 45;
    i++;
  }
  if (i >= end) return NaN;
  let v = 0;
  for (; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

/**
 * UNIX: seconds since the epoch. Strings `123` or `123.456` (up to 9 fraction digits, further ones
 * ignored); integers; floats (to the microsecond, as Logstash). Values past 2^31-1 seconds fail.
 */
export function parseUnixSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    const seconds = Math.trunc(value);
    if (seconds > MAX_EPOCH_SECONDS) return undefined;
    if (Number.isInteger(value)) return validMillis(value * 1000);
    return validMillis(Math.floor(Math.trunc(value * 1e6) / 1000));
  }
  if (typeof value !== 'string') return undefined;
  const dot = value.indexOf('.');
  if (dot < 0) {
    const seconds = parseLong(value, 0, value.length);
    if (!(seconds <= MAX_EPOCH_SECONDS)) return undefined;
    return validMillis(seconds * 1000);
  }
  const seconds = parseLong(value, 0, dot);
  if (!(seconds <= MAX_EPOCH_SECONDS)) return undefined;
  const fracEnd = Math.min(value.length, dot + 10);
  if (fracEnd === dot + 1) return undefined;
  let millis = 0;
  for (let i = dot + 1; i < fracEnd; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    if (i < dot + 4) millis = millis * 10 + d;
  }
  const digits = fracEnd - dot - 1;
  if (digits === 1) millis *= 100;
  else if (digits === 2) millis *= 10;
  // Logstash adds the fraction to the (signed) seconds: "-1.5" is -0.5 s there too.
  return validMillis(seconds * 1000 + millis);
}

/** UNIX_MS: integer milliseconds since the epoch (string or number; a float is truncated). */
export function parseUnixMillis(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? validMillis(Math.trunc(value)) : undefined;
  if (typeof value !== 'string') return undefined;
  const ms = parseLong(value, 0, value.length);
  return ms === ms ? validMillis(ms) : undefined;
}

function hexValue(s: string, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return NaN;
    v = v * 16 + d;
  }
  return v;
}

/**
 * TAI64N (`@4000000063a1b2c3…`): 16 hex digits of TAI seconds (2^62 = the Unix epoch) then 8 of
 * nanoseconds. Logstash subtracts a flat 10 leap seconds; so do we, for identical timestamps.
 */
export function parseTai64n(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const o = value.charCodeAt(0) === 64 ? 1 : 0;
  if (value.length < o + 24) return undefined;
  const hi = hexValue(value, o, o + 8);
  const lo = hexValue(value, o + 8, o + 16);
  const nanos = hexValue(value, o + 16, o + 24);
  // Java parses the 16 digits as a signed long (the top bit must be clear) and the nanoseconds as an int.
  if (!(hi < 0x80000000) || lo !== lo || !(nanos <= 0x7fffffff)) return undefined;
  const seconds = (hi % 0x40000000) * 0x100000000 + lo - 10;
  return validMillis(seconds * 1000 + Math.floor(nanos / 1e6));
}

function textParser(parse: DateParser): ValueParser {
  return (value, zone) => (typeof value === 'string' ? parse(value, zone) : undefined);
}

export default defineFilter<DateConfig>({
  name: 'date',
  description:
    'Parses a date from a field (Joda-Time patterns, ISO8601, UNIX, UNIX_MS, TAI64N) and stores it in `@timestamp` or `target`.',
  notes:
    'Patterns without a year (syslog `MMM dd HH:mm:ss`) get the current year, except that a December date seen in January is last year\'s and a January date seen in December is next year\'s (Logstash\'s rule). ' +
    'A wall time skipped by a daylight-saving change fails; an ambiguous one takes the earlier instant. ' +
    'An array value is a parse failure, as in Logstash.',
  options: {
    match: {
      type: 'array',
      items: 'string',
      default: [],
      description:
        'The field name, then one or more formats tried in order: a Joda-Time pattern, or `ISO8601`, `UNIX` (seconds, may have a fraction), `UNIX_MS` or `TAI64N`.',
      example: 'match => [ "logdate", "MMM dd yyyy HH:mm:ss", "MMM  d yyyy HH:mm:ss", "ISO8601" ]',
    },
    timezone: {
      type: 'string',
      description:
        'Time zone of dates that carry no offset: an IANA id (`Europe/Berlin`) or a fixed offset (`+05:00`). May be a sprintf template (`%{[event][timezone]}`). Default: the platform zone.',
      example: 'timezone => "America/New_York"',
    },
    locale: {
      type: 'string',
      description: 'Locale (BCP 47 such as `de-DE`, or POSIX `de_DE`) for month and weekday names. Default English.',
      example: 'locale => "fr"',
    },
    target: { type: 'string', default: '@timestamp', description: 'Field that receives the parsed date.' },
    tag_on_failure: {
      type: 'array',
      items: 'string',
      default: ['_dateparsefailure'],
      description: 'Tags added when no format matches.',
    },
  },
  create(config): Filter {
    if (config.match.length < 2) {
      throw new Error(
        `date filter: the match setting should contain first a field name and at least one date format, current value is ${JSON.stringify(config.match)}`,
      );
    }
    const [field, ...formats] = config.match as [string, ...string[]];
    const sourcePath: FieldPath = parseFieldRef(field);
    const targetPath: FieldPath = parseFieldRef(config.target);
    const targetIsTimestamp = targetPath.length === 1 && targetPath[0] === '@timestamp';
    const tags = config.tag_on_failure;

    const tz = config.timezone;
    const dynamicZone = tz !== undefined && isTemplate(tz) ? compileSprintf(tz) : undefined;
    let staticZone: Zone | undefined;
    if (tz !== undefined && dynamicZone === undefined) {
      staticZone = resolveZone(tz);
      if (staticZone === undefined) throw new Error(`date filter: unknown timezone ${JSON.stringify(tz)}`);
    }
    const zoneOption = staticZone === undefined ? undefined : tz;

    const parsers: Format[] = formats.map((format) => {
      switch (format) {
        case 'ISO8601':
          return { parse: textParser(compileIso8601Parser({ timezone: zoneOption })), usesZone: true };
        case 'UNIX':
          return { parse: parseUnixSeconds, usesZone: false };
        case 'UNIX_MS':
          return { parse: parseUnixMillis, usesZone: false };
        case 'TAI64N':
          return { parse: parseTai64n, usesZone: false };
        default:
          try {
            return { parse: textParser(compileJodaParser(format, { timezone: zoneOption, locale: config.locale })), usesZone: true };
          } catch (e) {
            throw new Error(`date filter: ${(e as Error).message} for pattern '${format}'`);
          }
      }
    });

    // Consecutive events usually carry the same timestamp text (logs have second resolution and arrive in
    // bursts): remember the last text parsed and its result.
    let lastText: string | undefined;
    let lastMs = 0;

    return {
      failureTags: tags,
      filter(event: Event): boolean {
        const value = event.getPath(sourcePath);
        if (value === undefined || value === null) return false;
        if (value === lastText && dynamicZone === undefined) {
          const date = new Date(lastMs);
          if (targetIsTimestamp) event.timestamp = date;
          else event.setPath(targetPath, date);
          return true;
        }
        let zone = staticZone;
        // An unknown dynamic zone makes the text formats fail; the numeric ones do not need a zone.
        let zoneOk = true;
        if (dynamicZone !== undefined) {
          zone = resolveZone(dynamicZone(event));
          zoneOk = zone !== undefined;
        }
        for (let i = 0; i < parsers.length; i++) {
          const format = parsers[i]!;
          if (!zoneOk && format.usesZone) continue;
          const ms = format.parse(value, zone);
          if (ms !== undefined) {
            if (typeof value === 'string' && dynamicZone === undefined) {
              lastText = value;
              lastMs = ms;
            }
            const date = new Date(ms);
            if (targetIsTimestamp) event.timestamp = date;
            else event.setPath(targetPath, date);
            return true;
          }
        }
        for (let i = 0; i < tags.length; i++) event.tag(tags[i]!);
        return false;
      },
    };
  },
});
