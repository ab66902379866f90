import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileJodaFormatter,
  compileJodaParser,
  compileIso8601Parser,
  parseIso8601,
  guessYear,
  JodaPatternError,
  EN_US_NAMES,
  intlNameTables,
  type JodaParserOptions,
} from '../../src/core/joda.js';
import { resolveZone, UTC, daysFromCivil, civilFromDays, isoWeeksInYear } from '../../src/core/timezone.js';
import { Event } from '../../src/core/event.js';
import { execFileSync } from 'node:child_process';

const at = (iso: string) => new Date(iso);
const ms = (iso: string) => Date.parse(iso);
/** Parse and render as ISO (or 'fail'), so assertion messages show dates. */
function parse(pattern: string, text: string, opts: JodaParserOptions = {}): string {
  const r = compileJodaParser(pattern, { timezone: 'UTC', ...opts })(text);
  return r === undefined ? 'fail' : new Date(r).toISOString();
}
const fixedNow = (iso: string) => () => new Date(iso);

// ---------------------------------------------------------------------------------------------
// Formatter

test('formatter: every pattern letter, Europe/Berlin in summer', () => {
  const f = compileJodaFormatter("G C YYYY yy xxxx-'W'ww-e E EEEE D M MM MMM MMMM d dd a K h H k m mm s ss S SS SSS SSSSSS z zzzz Z ZZ ZZZ", 'Europe/Berlin');
  assert.equal(
    f(at('2026-07-04T13:05:09.123Z')),
    'AD 20 2026 26 2026-W27-6 Sat Saturday 185 7 07 Jul July 4 04 PM 3 3 15 15 5 05 9 09 1 12 123 123000 CEST Central European Summer Time +0200 +02:00 Europe/Berlin',
  );
});

test('formatter: UTC zone forms and year widths', () => {
  const f = compileJodaFormatter('y yyyy yyyyy z zzzz Z ZZ ZZZ', 'UTC');
  assert.equal(f(at('2026-07-04T13:05:09.123Z')), '2026 2026 02026 UTC Coordinated Universal Time +0000 +00:00 UTC');
});

test('formatter: clock hours at midnight and noon', () => {
  const f = compileJodaFormatter('H k h K a', 'UTC');
  assert.equal(f(at('2026-07-04T00:05:00Z')), '0 24 12 0 AM');
  assert.equal(f(at('2026-07-04T12:05:00Z')), '12 12 12 0 PM');
  assert.equal(f(at('2026-07-04T23:05:00Z')), '23 23 11 11 PM');
});

test('formatter: BC years (era, year of era, signed year)', () => {
  const d = new Date(0);
  d.setUTCFullYear(-43, 2, 15); // 44 BC
  assert.equal(compileJodaFormatter('G YYYY yyyy', 'UTC')(d), 'BC 0044 -0043');
});

test('formatter: ISO week-year differs from the calendar year at the edges', () => {
  const f = compileJodaFormatter("xxxx-'W'ww-e yyyy", 'UTC');
  assert.equal(f(at('2025-12-29T00:00:00Z')), '2026-W01-1 2025');
  assert.equal(f(at('2027-01-01T00:00:00Z')), '2026-W53-5 2027');
});

test('formatter: quoting, escaped quote and literal text', () => {
  const f = compileJodaFormatter("yyyy-MM-dd'T'HH:mm:ss'Z' '' 'o''clock'", 'UTC');
  assert.equal(f(at('2026-07-04T13:05:09.123Z')), "2026-07-04T13:05:09Z ' o'clock");
});

test('formatter: zones by offset, other names', () => {
  const d = at('2026-07-04T13:05:09.123Z');
  assert.equal(compileJodaFormatter('HH:mm z Z ZZ', 'America/New_York')(d), '09:05 EDT -0400 -04:00');
  assert.equal(compileJodaFormatter('HH:mm ZZ ZZZ', '+05:30')(d), '18:35 +05:30 +05:30');
  assert.equal(compileJodaFormatter('HH:mm z', 'Europe/Berlin')(at('2026-01-04T13:05:09Z')), '14:05 CET');
});

test('formatter: locales for month and day names', () => {
  const d = at('2026-07-04T13:05:09.123Z');
  assert.equal(compileJodaFormatter('EEEE d MMMM yyyy', 'UTC', 'fr')(d), 'samedi 4 juillet 2026');
  assert.equal(compileJodaFormatter('EEEE d MMMM yyyy', 'UTC', 'de_DE')(d), 'Samstag 4 Juli 2026');
  assert.equal(compileJodaFormatter('MMM', 'UTC', 'es')(at('2026-01-04T00:00:00Z')), 'ene');
});

test('formatter: the per-day cache does not leak across days or zones', () => {
  const f = compileJodaFormatter('yyyy.MM.dd', 'UTC');
  assert.equal(f(at('2026-07-04T23:59:59.999Z')), '2026.07.04');
  assert.equal(f(at('2026-07-05T00:00:00Z')), '2026.07.05');
  assert.equal(f(at('2026-07-04T00:00:00Z')), '2026.07.04');
  assert.equal(compileJodaFormatter('yyyy.MM.dd', 'America/New_York')(at('2026-07-05T02:00:00Z')), '2026.07.04');
  const hourly = compileJodaFormatter('yyyy.MM.dd.HH', 'UTC');
  assert.equal(hourly(at('2026-07-04T10:59:59Z')), '2026.07.04.10');
  assert.equal(hourly(at('2026-07-04T11:00:00Z')), '2026.07.04.11');
  // The same wall time twice (autumn overlap) with different offsets.
  const berlin = compileJodaFormatter('HH:mm ZZ', 'Europe/Berlin');
  assert.equal(berlin(at('2026-10-25T00:30:00Z')), '02:30 +02:00');
  assert.equal(berlin(at('2026-10-25T01:30:00Z')), '02:30 +01:00');
  const millis = compileJodaFormatter('ss.SSS', 'UTC');
  assert.equal(millis(at('2026-07-04T10:00:01.001Z')), '01.001');
  assert.equal(millis(at('2026-07-04T10:00:01.002Z')), '01.002');
});

test('formatter: sprintf %{+…} uses it in UTC', () => {
  const e = new Event({ '@timestamp': at('2026-12-31T23:30:00Z') });
  assert.equal(e.sprintf('logs-%{+YYYY.MM.dd}'), 'logs-2026.12.31');
  assert.equal(e.sprintf("%{+yyyy-MM-dd'T'HH:mm}"), '2026-12-31T23:30');
});

test('formatter and parser: illegal pattern letters are errors, as in Joda', () => {
  assert.throws(() => compileJodaFormatter('yyyy-MM-dd q'), JodaPatternError);
  assert.throws(() => compileJodaParser('yyyy-MM-ddTHH:mm:ss'), /Illegal pattern component: T/);
  assert.throws(() => compileJodaParser('yyyy', { timezone: 'Mars/Olympus' }), /unknown time zone/);
});

// ---------------------------------------------------------------------------------------------
// Parser: real formats from security logs

test('parser: Cisco ASA "MMM dd yyyy HH:mm:ss"', () => {
  assert.equal(parse('MMM dd yyyy HH:mm:ss', 'Jun 08 2026 14:31:02'), '2026-06-08T14:31:02.000Z');
  assert.equal(parse('MMM dd yyyy HH:mm:ss', 'Jun 08 2026 14:31:02', { timezone: 'Europe/Berlin' }), '2026-06-08T12:31:02.000Z');
  // Single-digit days are accepted by dd (Joda does not enforce the width when parsing).
  assert.equal(parse('MMM dd yyyy HH:mm:ss', 'Jun 8 2026 14:31:02'), '2026-06-08T14:31:02.000Z');
});

test('parser: syslog "MMM dd HH:mm:ss" and "MMM  d HH:mm:ss" take the current year', () => {
  const now = fixedNow('2026-06-15T12:00:00Z');
  assert.equal(parse('MMM dd HH:mm:ss', 'Jun 18 04:31:02', { now }), '2026-06-18T04:31:02.000Z');
  assert.equal(parse('MMM  d HH:mm:ss', 'Jun  8 14:31:02', { now }), '2026-06-08T14:31:02.000Z');
  // Each form rejects the other's spacing.
  assert.equal(parse('MMM dd HH:mm:ss', 'Jun  8 14:31:02', { now }), 'fail');
  assert.equal(parse('MMM  d HH:mm:ss', 'Jun 18 14:31:02', { now }), 'fail');
  assert.equal(parse('MMM dd HH:mm:ss', 'Jun 08 14:31:02', { now, timezone: 'America/New_York' }), '2026-06-08T18:31:02.000Z');
});

test('parser: nginx "dd/MMM/yyyy:HH:mm:ss Z"', () => {
  assert.equal(parse('dd/MMM/yyyy:HH:mm:ss Z', '11/Jun/2021:01:50:15 +0200'), '2021-06-10T23:50:15.000Z');
  assert.equal(parse('dd/MMM/yyyy:HH:mm:ss Z', '03/Nov/2026:21:10:57 -0700', { timezone: 'Europe/Berlin' }), '2026-11-04T04:10:57.000Z');
  assert.equal(parse('dd/MMM/yyyy:HH:mm:ss Z', '11/Jun/2021:01:50:15'), 'fail');
});

test('parser: Suricata "yyyy-MM-dd\'T\'HH:mm:ss.SSSSSSZ" keeps milliseconds', () => {
  const p = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSZ";
  assert.equal(parse(p, '2026-03-01T10:11:12.123456+0100'), '2026-03-01T09:11:12.123Z');
  assert.equal(parse(p, '2026-03-01T10:11:12.999999+0000'), '2026-03-01T10:11:12.999Z');
  // Fewer digits are accepted, more are not (the rest is left unmatched).
  assert.equal(parse(p, '2026-03-01T10:11:12.5+0000'), '2026-03-01T10:11:12.500Z');
  assert.equal(parse(p, '2026-03-01T10:11:12.1234567+0000'), 'fail');
  assert.equal(parse('yyyy-MM-dd HH:mm:ss.SSS', '2026-03-01 10:11:12.123456'), 'fail');
  assert.equal(parse('yyyy-MM-dd HH:mm:ss.SSSSSSSSS', '2026-03-01 10:11:12.123456789'), '2026-03-01T10:11:12.123Z');
});

test('parser: Windows / Java style "yyyy-MM-dd HH:mm:ss,SSS" and 12-hour clocks', () => {
  assert.equal(parse('yyyy-MM-dd HH:mm:ss,SSS', '2026-11-01 00:00:00,123'), '2026-11-01T00:00:00.123Z');
  assert.equal(parse('M/d/yyyy h:mm:ss a', '7/4/2026 3:05:09 PM'), '2026-07-04T15:05:09.000Z');
  assert.equal(parse('M/d/yyyy h:mm:ss a', '7/4/2026 12:05:09 AM'), '2026-07-04T00:05:09.000Z');
  assert.equal(parse('M/d/yyyy h:mm:ss a', '7/4/2026 12:05:09 pm'), '2026-07-04T12:05:09.000Z');
  assert.equal(parse('M/d/yyyy h:mm:ss a', '7/4/2026 13:05:09 PM'), 'fail');
});

test('parser: ctime "EEE MMM dd HH:mm:ss yyyy" and full names where short ones are expected', () => {
  assert.equal(parse('EEE MMM dd HH:mm:ss yyyy', 'Sat Jul 04 13:05:09 2026'), '2026-07-04T13:05:09.000Z');
  assert.equal(parse('EEE MMM dd HH:mm:ss yyyy', 'Saturday July 04 13:05:09 2026'), '2026-07-04T13:05:09.000Z');
  // Joda sets the weekday within the date's ISO week rather than checking it.
  assert.equal(parse('EEE MMM dd HH:mm:ss yyyy', 'Sun Jul 04 13:05:09 2026'), '2026-07-05T13:05:09.000Z');
  // Names match in their own case, lower or upper case, not mixed.
  assert.equal(parse('dd MMM yyyy', '04 JUL 2026'), '2026-07-04T00:00:00.000Z');
  assert.equal(parse('dd MMM yyyy', '04 jul 2026'), '2026-07-04T00:00:00.000Z');
  assert.equal(parse('dd MMM yyyy', '04 jUl 2026'), 'fail');
});

test('parser: numeric compact patterns and other fields', () => {
  assert.equal(parse('yyyyMMddHHmmss', '20260615103000'), '2026-06-15T10:30:00.000Z');
  assert.equal(parse('yyyy-DDD HH:mm', '2026-185 13:05'), '2026-07-04T13:05:00.000Z');
  assert.equal(parse("xxxx-'W'ww-e", '2026-W27-6'), '2026-07-04T00:00:00.000Z');
  assert.equal(parse('yyyy-MM-dd kk:mm', '2026-07-04 24:00'), '2026-07-04T00:00:00.000Z');
  assert.equal(parse('HH:mm:ss yyyy-MM-dd', '13:05:09 2026-07-04'), '2026-07-04T13:05:09.000Z');
  assert.equal(parse('YYYY G', '0044 BC'), '-000043-01-01T00:00:00.000Z');
});

test('parser: whole-string match, validation, case-insensitive literals', () => {
  assert.equal(parse('MMM dd yyyy HH:mm:ss', 'Jun 08 2026 14:31:02 trailing'), 'fail');
  assert.equal(parse('MMM dd yyyy HH:mm:ss', ' Jun 08 2026 14:31:02'), 'fail');
  assert.equal(parse('MMM dd yyyy HH:mm:ss', ''), 'fail');
  assert.equal(parse('yyyy-MM-dd', '2026-02-29'), 'fail');
  assert.equal(parse('yyyy-MM-dd', '2028-02-29'), '2028-02-29T00:00:00.000Z');
  assert.equal(parse('yyyy-MM-dd', '2026-13-01'), 'fail');
  assert.equal(parse('yyyy-MM-dd', '2026-04-31'), 'fail');
  assert.equal(parse('HH:mm:ss yyyy', '24:00:00 2026'), 'fail');
  assert.equal(parse('HH:mm:ss yyyy', '23:60:00 2026'), 'fail');
  assert.equal(parse("yyyy-MM-dd'T'HH:mm:ss", '2026-03-01t10:11:12'), '2026-03-01T10:11:12.000Z');
});

test('parser: two-digit years pivot on the current year - 30', () => {
  const now = fixedNow('2026-06-15T12:00:00Z');
  assert.equal(parse('yy-MM-dd', '45-01-01', { now }), '2045-01-01T00:00:00.000Z');
  assert.equal(parse('yy-MM-dd', '46-01-01', { now }), '1946-01-01T00:00:00.000Z');
  assert.equal(parse('yyMMdd', '260615', { now }), '2026-06-15T00:00:00.000Z');
  // Lenient when the next field is not numeric: a four-digit year is taken as written.
  assert.equal(parse('yy-MM-dd', '2015-01-01', { now }), '2015-01-01T00:00:00.000Z');
  assert.equal(parse('yy-MM-dd', '99999999999999-01-01', { now }), 'fail');
  assert.equal(parse('yyyy-MM-dd', '999999999-01-01', { now }), 'fail');
  assert.equal(parse('yyMMdd', '2015-01-01', { now }), 'fail');
});

test('parser: zone offsets Z/ZZ, zone ids ZZZ, zone names z', () => {
  assert.equal(parse('yyyy-MM-dd HH:mm:ssZ', '2026-07-01 12:00:00+01:00'), '2026-07-01T11:00:00.000Z');
  assert.equal(parse('yyyy-MM-dd HH:mm:ssZZ', '2026-07-01 12:00:00+0100'), '2026-07-01T11:00:00.000Z');
  assert.equal(parse('yyyy-MM-dd HH:mm:ssZ', '2026-07-01 12:00:00+01'), '2026-07-01T11:00:00.000Z');
  assert.equal(parse('yyyy-MM-dd HH:mm:ssZ', '2026-07-01 12:00:00Z', { timezone: 'Asia/Tokyo' }), '2026-07-01T12:00:00.000Z');
  assert.equal(parse('yyyy-MM-dd HH:mm:ssZ', '2026-07-01 12:00:00+1'), 'fail');
  assert.equal(parse('yyyy-MM-dd HH:mm:ss ZZZ', '2026-07-01 12:00:00 America/New_York'), '2026-07-01T16:00:00.000Z');
  assert.equal(parse('yyyy-MM-dd HH:mm:ss ZZZ', '2026-01-01 12:00:00 Europe/Berlin'), '2026-01-01T11:00:00.000Z');
  assert.equal(parse('yyyy-MM-dd HH:mm:ss ZZZ', '2026-01-01 12:00:00 Nowhere/Special'), 'fail');
  assert.equal(parse('yyyy-MM-dd HH:mm:ss z', '2026-01-01 12:00:00 PST'), '2026-01-01T20:00:00.000Z');
  assert.equal(parse('yyyy-MM-dd HH:mm:ss z', '2026-01-01 12:00:00 UTC', { timezone: 'Europe/Berlin' }), '2026-01-01T12:00:00.000Z');
  // Joda maps EST to the America/New_York zone, so summer dates get daylight time.
  assert.equal(parse('yyyy-MM-dd HH:mm:ss z', '2026-07-01 12:00:00 EST'), '2026-07-01T16:00:00.000Z');
  assert.equal(parse('yyyy-MM-dd HH:mm:ss z', '2026-01-01 12:00:00 CEST'), 'fail');
});

test('parser: fixed-offset and IANA timezone option', () => {
  assert.equal(parse('yyyy-MM-dd HH:mm', '2026-07-01 12:00', { timezone: '+05:30' }), '2026-07-01T06:30:00.000Z');
  assert.equal(parse('yyyy-MM-dd HH:mm', '2026-07-01 12:00', { timezone: 'Etc/GMT+5' }), '2026-07-01T17:00:00.000Z');
  assert.equal(parse('yyyy-MM-dd HH:mm', '2026-07-01 12:00', { timezone: 'Australia/Sydney' }), '2026-07-01T02:00:00.000Z');
  assert.equal(parse('yyyy-MM-dd HH:mm', '2026-01-01 12:00', { timezone: 'Australia/Sydney' }), '2026-01-01T01:00:00.000Z');
});

test('parser: locales (Intl month and day names), POSIX tags accepted', () => {
  assert.equal(parse('dd MMMM yyyy', '15 juin 2026', { locale: 'fr' }), '2026-06-15T00:00:00.000Z');
  assert.equal(parse('dd MMM yyyy', '01 janv. 2026', { locale: 'fr_FR' }), '2026-01-01T00:00:00.000Z');
  assert.equal(parse('EEEE, d. MMMM yyyy', 'Montag, 15. Juni 2026', { locale: 'de-DE' }), '2026-06-15T00:00:00.000Z');
  assert.equal(parse('d MMM yyyy', '3 März 2026', { locale: 'de' }), '2026-03-03T00:00:00.000Z');
  assert.equal(parse('dd MMM yyyy', '15 jun 2026', { locale: 'es' }), '2026-06-15T00:00:00.000Z');
  // English is the default; a German parser does not know English names.
  assert.equal(parse('dd MMM yyyy', '15 Jun 2026'), '2026-06-15T00:00:00.000Z');
  assert.equal(parse('dd MMM yyyy', '15 Mar 2026', { locale: 'de' }), 'fail');
  assert.throws(() => compileJodaParser('MMM', { locale: 'not a locale!' }), JodaPatternError);
});

// ---------------------------------------------------------------------------------------------
// Year-less dates: Logstash's rollover rule

test('year rollover: December events seen in January belong to last year', () => {
  const now = fixedNow('2026-01-05T12:00:00Z');
  assert.equal(parse('MMM dd HH:mm:ss', 'Dec 31 23:59:59', { now }), '2025-12-31T23:59:59.000Z');
  assert.equal(parse('MMM dd HH:mm:ss', 'Jan 05 00:00:01', { now }), '2026-01-05T00:00:01.000Z');
  // Only December moves back: November seen in January stays in the current year (Logstash's rule).
  assert.equal(parse('MMM dd HH:mm:ss', 'Nov 30 10:00:00', { now }), '2026-11-30T10:00:00.000Z');
});

test('year rollover: January events seen in December belong to next year', () => {
  const now = fixedNow('2026-12-20T12:00:00Z');
  assert.equal(parse('MMM dd HH:mm:ss', 'Jan 01 00:00:01', { now }), '2027-01-01T00:00:01.000Z');
  assert.equal(parse('MMM dd HH:mm:ss', 'Dec 19 08:00:00', { now }), '2026-12-19T08:00:00.000Z');
  assert.equal(parse('MMM dd HH:mm:ss', 'Feb 01 08:00:00', { now }), '2026-02-01T08:00:00.000Z');
});

test('year rollover: the clock is read per parse, not at compile time', () => {
  let current = new Date('2026-12-15T12:00:00Z');
  const p = compileJodaParser('MMM dd HH:mm:ss', { timezone: 'UTC', now: () => current });
  assert.equal(p('Dec 31 23:00:00'), ms('2026-12-31T23:00:00Z'));
  current = new Date('2027-01-15T12:00:00Z');
  assert.equal(p('Dec 31 23:00:00'), ms('2026-12-31T23:00:00Z'));
  assert.equal(p('Jan 02 23:00:00'), ms('2027-01-02T23:00:00Z'));
});

test('year rollover: Feb 29 moves to Feb 28 in a non-leap year (Joda withYear)', () => {
  let current = new Date('2028-03-10T12:00:00Z');
  const p = compileJodaParser('MMM dd HH:mm:ss', { timezone: 'UTC', now: () => current });
  assert.equal(p('Feb 29 10:00:00'), ms('2028-02-29T10:00:00Z'));
  current = new Date('2029-03-10T12:00:00Z');
  assert.equal(p('Feb 29 10:00:00'), ms('2029-02-28T10:00:00Z'));
  // Compiled in a non-leap year, Feb 29 is invalid (Logstash validates in the year it started).
  assert.equal(parse('MMM dd HH:mm:ss', 'Feb 29 10:00:00', { now: fixedNow('2027-03-10T12:00:00Z') }), 'fail');
});

test('year rollover: the rule itself', () => {
  assert.equal(guessYear(12, 2026, 1), 2025);
  assert.equal(guessYear(1, 2026, 12), 2027);
  assert.equal(guessYear(11, 2026, 1), 2026);
  assert.equal(guessYear(12, 2026, 12), 2026);
  assert.equal(guessYear(6, 2026, 6), 2026);
});

// ---------------------------------------------------------------------------------------------
// Daylight saving edges

test('DST Europe/Berlin: the spring gap fails, the autumn overlap takes the earlier instant', () => {
  const tz = { timezone: 'Europe/Berlin' };
  const p = 'yyyy-MM-dd HH:mm:ss';
  assert.equal(parse(p, '2026-03-29 01:59:59', tz), '2026-03-29T00:59:59.000Z');
  assert.equal(parse(p, '2026-03-29 02:00:00', tz), 'fail');
  assert.equal(parse(p, '2026-03-29 02:30:00', tz), 'fail');
  assert.equal(parse(p, '2026-03-29 03:00:00', tz), '2026-03-29T01:00:00.000Z');
  assert.equal(parse(p, '2026-10-25 01:59:59', tz), '2026-10-24T23:59:59.000Z');
  assert.equal(parse(p, '2026-10-25 02:30:00', tz), '2026-10-25T00:30:00.000Z');
  assert.equal(parse(p, '2026-10-25 03:00:00', tz), '2026-10-25T02:00:00.000Z');
});

test('DST America/New_York: the spring gap fails, the autumn overlap takes the earlier instant', () => {
  const tz = { timezone: 'America/New_York' };
  const p = 'yyyy-MM-dd HH:mm:ss';
  assert.equal(parse(p, '2026-03-08 01:59:59', tz), '2026-03-08T06:59:59.000Z');
  assert.equal(parse(p, '2026-03-08 02:30:00', tz), 'fail');
  assert.equal(parse(p, '2026-03-08 03:00:00', tz), '2026-03-08T07:00:00.000Z');
  assert.equal(parse(p, '2026-11-01 00:59:59', tz), '2026-11-01T04:59:59.000Z');
  assert.equal(parse(p, '2026-11-01 01:30:00', tz), '2026-11-01T05:30:00.000Z');
  assert.equal(parse(p, '2026-11-01 02:00:00', tz), '2026-11-01T07:00:00.000Z');
});

test('DST with a year-less pattern and a zone given per call (Logstash\'s own CET test)', () => {
  const p = compileJodaParser('MMM dd hh:mm:ss.SSS', { timezone: 'UTC', now: fixedNow('2016-03-29T23:59:50Z') });
  const cet = resolveZone('CET')!;
  assert.equal(p('Mar 27 01:59:59.999', cet), ms('2016-03-27T00:59:59.999Z'));
  assert.equal(p('Mar 27 03:00:01.000', cet), ms('2016-03-27T01:00:01.000Z'));
  assert.equal(p('Mar 27 02:00:01.000', cet), undefined);
});

test('formatter follows DST transitions', () => {
  const f = compileJodaFormatter('yyyy-MM-dd HH:mm:ss ZZ', 'Europe/Berlin');
  assert.equal(f(at('2026-03-29T00:59:59Z')), '2026-03-29 01:59:59 +01:00');
  assert.equal(f(at('2026-03-29T01:00:00Z')), '2026-03-29 03:00:00 +02:00');
  assert.equal(f(at('2026-10-25T00:59:59Z')), '2026-10-25 02:59:59 +02:00');
  assert.equal(f(at('2026-10-25T01:00:00Z')), '2026-10-25 02:00:00 +01:00');
});

// ---------------------------------------------------------------------------------------------
// ISO8601

test('ISO8601: the forms Logstash accepts', () => {
  const p = compileIso8601Parser({ timezone: 'UTC' });
  const cases: Array<[string, string]> = [
    ['2011-04-19T03:44:01.103Z', '2011-04-19T03:44:01.103Z'],
    ['2001-01-01T00:00:00-0800', '2001-01-01T08:00:00.000Z'],
    ['1974-03-02T04:09:09-0800', '1974-03-02T12:09:09.000Z'],
    ['2010-05-03T08:18:18+00:00', '2010-05-03T08:18:18.000Z'],
    ['2004-07-04T12:27:27-00:00', '2004-07-04T12:27:27.000Z'],
    ['2001-11-06T20:45:45-0000', '2001-11-06T20:45:45.000Z'],
    ['2026-11-01 00:00:00,123', '2026-11-01T00:00:00.123Z'],
    ['2026-11-01 00:00:00.123+0100', '2026-10-31T23:00:00.123Z'],
    ['2026-11-01 00:00:00', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T00:00:00.123456789+01:00', '2026-10-31T23:00:00.123Z'],
    ['2026-11-01T10:30', '2026-11-01T10:30:00.000Z'],
    ['2026-11-01T10', '2026-11-01T10:00:00.000Z'],
    ['2026-11-01T10:30.5', '2026-11-01T10:30:30.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11', '2026-11-01T00:00:00.000Z'],
    ['2026-W01-1', '2025-12-29T00:00:00.000Z'],
    ['2026-185', '2026-07-04T00:00:00.000Z'],
    ['2026-11-01t10:30:00z', '2026-11-01T10:30:00.000Z'],
  ];
  for (const [text, expected] of cases) {
    const r = p(text);
    assert.equal(r === undefined ? 'fail' : new Date(r).toISOString(), expected, text);
  }
});

test('ISO8601: rejects what Logstash rejects', () => {
  for (const text of ['', 'not a date', '2026-11-01Z', '2026-11-01T25:00:00', '2026-02-30T00:00:00', '2026-11-01 00:00:00 +0100', '2026-11-01T00:00:00Zjunk', '2026-11-01 '])
    assert.equal(parseIso8601(text, UTC), undefined, text);
});

test('ISO8601: text without offset is in the zone (historical offsets: Caracas)', () => {
  const p = compileIso8601Parser({ timezone: 'America/Caracas' });
  assert.equal(p('2001-01-01T00:00:00'), ms('2001-01-01T04:00:00Z'));
  // Venezuela used -04:30 from December 2007 to May 2016.
  assert.equal(p('2008-01-01T00:00:00'), ms('2008-01-01T04:30:00Z'));
  assert.equal(p('2016-05-01T08:18:18.123'), ms('2016-05-01T12:18:18.123Z'));
  assert.equal(p('2016-05-01T08:18:18.123Z'), ms('2016-05-01T08:18:18.123Z'));
});

// ---------------------------------------------------------------------------------------------
// Zones and calendar

test('zones: ids, fixed offsets and unknown ids', () => {
  assert.equal(resolveZone('+05:30')!.offsetAt(0), 5.5 * 3_600_000);
  assert.equal(resolveZone('-0330')!.offsetAt(0), -3.5 * 3_600_000);
  assert.equal(resolveZone('Etc/GMT+5')!.offsetAt(0), -5 * 3_600_000);
  assert.equal(resolveZone('UTC')!.offsetAt(ms('2026-07-01T00:00:00Z')), 0);
  assert.equal(resolveZone('Europe/Berlin')!.offsetAt(ms('2026-07-01T00:00:00Z')), 2 * 3_600_000);
  assert.equal(resolveZone('Europe/Berlin')!.offsetAt(ms('2026-01-01T00:00:00Z')), 3_600_000);
  assert.equal(resolveZone('Mars/Olympus'), undefined);
  assert.equal(resolveZone('+25:00'), undefined);
});

test('zones: offsets agree with Intl across many instants (transition tables)', () => {
  const zone = resolveZone('America/New_York')!;
  const dtf = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'longOffset' });
  for (let t = ms('2024-01-01T00:00:00Z'); t < ms('2027-01-01T00:00:00Z'); t += 7 * 3_600_000 + 13 * 60_000) {
    const name = dtf.formatToParts(new Date(t)).find((p) => p.type === 'timeZoneName')!.value; // GMT-05:00
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name)!;
    const expected = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3_600_000 + Number(m[3]) * 60_000);
    assert.equal(zone.offsetAt(t), expected, new Date(t).toISOString());
  }
});

test('calendar: day numbers round-trip, week-years have 52 or 53 weeks', () => {
  const ymd = [0, 0, 0];
  for (const [y, m, d] of [
    [1970, 1, 1],
    [2000, 2, 29],
    [1900, 3, 1],
    [-43, 3, 15],
    [275000, 12, 31],
  ] as const) {
    const days = daysFromCivil(y, m, d);
    const viaDate = new Date(0);
    viaDate.setUTCFullYear(y, m - 1, d);
    assert.equal(days, viaDate.getTime() / 86_400_000);
    civilFromDays(days, ymd);
    assert.deepEqual(ymd, [y, m, d]);
  }
  assert.equal(isoWeeksInYear(2026), 53);
  assert.equal(isoWeeksInYear(2025), 52);
});

// ---------------------------------------------------------------------------------------------
// Names and zones known without ICU (start-up)

test('the written-out en-US names are what ICU gives for en-US', () => {
  assert.deepEqual(EN_US_NAMES, intlNameTables('en-US'));
  // and they parse as before, in any case
  assert.equal(parse('dd MMMM yyyy EEE', '04 september 2026 fri'), '2026-09-04T00:00:00.000Z');
  assert.equal(parse('MMM dd yyyy hh:mm a', 'SEP 04 2026 03:05 pm'), '2026-09-04T15:05:00.000Z');
});

test('UTC under its other names resolves without ICU to the zone ICU would give', () => {
  for (const id of ['UTC', 'Etc/UTC', 'etc/utc', 'UCT', 'Etc/Universal', 'Zulu', 'GMT', 'Etc/GMT', 'GMT0', 'Etc/GMT-0', 'Greenwich']) {
    assert.equal(new Intl.DateTimeFormat('en-US', { timeZone: id }).resolvedOptions().timeZone, 'UTC', id);
    const z = resolveZone(id)!;
    assert.equal(z.offsetAt(Date.parse('2026-07-01T00:00:00Z')), 0, id);
    if (id === 'UTC') assert.equal(z, UTC);
  }
  assert.notEqual(resolveZone('Europe/London')!.offsetAt(Date.parse('2026-07-01T00:00:00Z')), 0, 'a zone at 0 only in winter is not UTC');
});

test('the platform zone (TZ) is the one ICU reports, on the UTC shortcut and off it', () => {
  const script = `import('${new URL('../../src/core/timezone.js', import.meta.url).href}').then((m) => {
    const z = m.defaultZone();
    const icu = m.resolveZone(new Intl.DateTimeFormat().resolvedOptions().timeZone);
    const t = [Date.parse('2026-01-15T12:00:00Z'), Date.parse('2026-07-15T12:00:00Z')];
    process.stdout.write(JSON.stringify([t.map((x) => z.offsetAt(x)), t.map((x) => icu.offsetAt(x))]));
  })`;
  // undefined: no TZ, the zone comes from /etc/localtime
  for (const tz of [undefined, 'Etc/UTC', ':UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata']) {
    const env = { ...process.env, TZ: tz };
    if (tz === undefined) delete env.TZ;
    const [ours, icu] = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' })) as number[][];
    assert.deepEqual(ours, icu, String(tz));
  }
});
