import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPlugin, runFilter } from '../helpers.js';
import type { Filter } from '../../src/core/plugin.js';
import { guessYear } from '../../src/core/joda.js';
import { parseUnixSeconds, parseUnixMillis, parseTai64n } from '../../src/filters/date.js';

const dateFilter = (settings: Record<string, unknown>) => createPlugin<Filter>('filter', 'date', settings);
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : `not a Date: ${JSON.stringify(v)}`);
const OLD = new Date('2000-01-01T00:00:00Z');

test('date: ISO8601 into @timestamp (the default target)', async () => {
  const f = await dateFilter({ match: ['ts', 'ISO8601'] });
  const { matched, event } = runFilter(f, { ts: '2011-04-19T03:44:01.103Z', '@timestamp': OLD });
  assert.equal(matched, true);
  assert.equal(iso(event.data['@timestamp']), '2011-04-19T03:44:01.103Z');
  assert.equal(event.hasTag('_dateparsefailure'), false);
});

test('date: formats are tried in order, the first match wins', async () => {
  const f = await dateFilter({ match: ['logdate', 'MMM dd yyyy HH:mm:ss', 'MMM  d yyyy HH:mm:ss', 'ISO8601'], timezone: 'UTC' });
  assert.equal(iso(runFilter(f, { logdate: 'Aug 13 2010 00:03:44' }).event.timestamp), '2010-08-13T00:03:44.000Z');
  assert.equal(iso(runFilter(f, { logdate: 'Aug  3 2010 00:03:44' }).event.timestamp), '2010-08-03T00:03:44.000Z');
  assert.equal(iso(runFilter(f, { logdate: '2010-08-03T00:03:44Z' }).event.timestamp), '2010-08-03T00:03:44.000Z');
  // UNIX before ISO8601: "1000000000" is a valid epoch and ISO8601 is never tried.
  const g = await dateFilter({ match: ['t', 'UNIX', 'ISO8601'] });
  assert.equal(iso(runFilter(g, { t: '1000000000' }).event.timestamp), '2001-09-09T01:46:40.000Z');
});

test('date: nested source and another target get a Date; @timestamp stays', async () => {
  const f = await dateFilter({ match: ['[event][created]', 'dd/MMM/yyyy:HH:mm:ss Z'], target: '[event][start]' });
  const { matched, event } = runFilter(f, { event: { created: '11/Jun/2021:01:50:15 +0200' }, '@timestamp': OLD });
  assert.equal(matched, true);
  assert.equal(iso(event.get('[event][start]')), '2021-06-10T23:50:15.000Z');
  assert.equal(iso(event.timestamp), OLD.toISOString());
});

test('date: failure adds tag_on_failure (default _dateparsefailure) and returns false', async () => {
  const f = await dateFilter({ match: ['ts', 'yyyy-MM-dd'] });
  assert.deepEqual(f.failureTags, ['_dateparsefailure']);
  const { matched, event } = runFilter(f, { ts: 'yesterday', '@timestamp': OLD });
  assert.equal(matched, false);
  assert.deepEqual(event.tags, ['_dateparsefailure']);
  assert.equal(iso(event.timestamp), OLD.toISOString());

  const g = await dateFilter({ match: ['ts', 'yyyy-MM-dd'], tag_on_failure: ['bad_date', 'needs_review'] });
  assert.deepEqual(g.failureTags, ['bad_date', 'needs_review']);
  const r = runFilter(g, { ts: '2026-02-30', tags: ['x'] });
  assert.deepEqual(r.event.tags, ['x', 'bad_date', 'needs_review']);
});

test('date: a missing or null field is neither a match nor a failure', async () => {
  const f = await dateFilter({ match: ['ts', 'ISO8601'] });
  for (const data of [{}, { ts: null }]) {
    const { matched, event } = runFilter(f, { ...data, '@timestamp': OLD });
    assert.equal(matched, false);
    assert.deepEqual(event.tags, []);
    assert.equal(iso(event.timestamp), OLD.toISOString());
  }
});

test('date: arrays and non-strings fail as in Logstash (no element is picked)', async () => {
  const f = await dateFilter({ match: ['ts', 'ISO8601', 'yyyy-MM-dd'] });
  assert.deepEqual(runFilter(f, { ts: ['2026-01-01T00:00:00Z'] }).event.tags, ['_dateparsefailure']);
  assert.deepEqual(runFilter(f, { ts: 1700000000 }).event.tags, ['_dateparsefailure']);
  assert.deepEqual(runFilter(f, { ts: { a: 1 } }).event.tags, ['_dateparsefailure']);
  const u = await dateFilter({ match: ['ts', 'UNIX'] });
  assert.deepEqual(runFilter(u, { ts: [1700000000] }).event.tags, ['_dateparsefailure']);
});

test('date: UNIX seconds from strings and numbers', async () => {
  const f = await dateFilter({ match: ['t', 'UNIX'] });
  const cases: Array<[unknown, string]> = [
    ['0', '1970-01-01T00:00:00.000Z'],
    ['1478207457', '2016-11-03T21:10:57.000Z'],
    ['1478207457.456', '2016-11-03T21:10:57.456Z'],
    ['1478207457.4', '2016-11-03T21:10:57.400Z'],
    ['1478207457.456789123', '2016-11-03T21:10:57.456Z'],
    [1478207457, '2016-11-03T21:10:57.000Z'],
    [1478207457.456, '2016-11-03T21:10:57.456Z'],
    [456, '1970-01-01T00:07:36.000Z'],
  ];
  for (const [t, expected] of cases) assert.equal(iso(runFilter(f, { t }).event.timestamp), expected, String(t));
  for (const t of ['abc', '1.', '.5', '1e9', ' 1', '2147483648', 2147483648, '1478207457.4x'])
    assert.deepEqual(runFilter(f, { t }).event.tags, ['_dateparsefailure'], String(t));
});

test('date: UNIX_MS from strings and numbers', async () => {
  const f = await dateFilter({ match: ['t', 'UNIX_MS'] });
  assert.equal(iso(runFilter(f, { t: '1366125117000' }).event.timestamp), '2013-04-16T15:11:57.000Z');
  assert.equal(iso(runFilter(f, { t: 1000000000123 }).event.timestamp), '2001-09-09T01:46:40.123Z');
  assert.deepEqual(runFilter(f, { t: '1366125117000.5' }).event.tags, ['_dateparsefailure']);
});

test('date: TAI64N with and without @', async () => {
  const f = await dateFilter({ match: ['t', 'TAI64N'] });
  assert.equal(iso(runFilter(f, { t: '4000000050d506482dbdf024' }).event.timestamp), '2012-12-22T01:00:46.767Z');
  assert.equal(iso(runFilter(f, { t: '@4000000050d506482dbdf024' }).event.timestamp), '2012-12-22T01:00:46.767Z');
  assert.deepEqual(runFilter(f, { t: '@4000000050d50648' }).event.tags, ['_dateparsefailure']);
  assert.deepEqual(runFilter(f, { t: '@40000000zzd506482dbdf024' }).event.tags, ['_dateparsefailure']);
});

test('date: numeric format helpers reject what Logstash rejects', () => {
  assert.equal(parseUnixSeconds(true), undefined);
  assert.equal(parseUnixSeconds(Number.NaN), undefined);
  assert.equal(parseUnixSeconds('-1.5'), -500); // Logstash adds the fraction to the signed seconds
  assert.equal(parseUnixMillis('12x'), undefined);
  assert.equal(parseUnixMillis(12.9), 12);
  assert.equal(parseTai64n(123), undefined);
  assert.equal(parseTai64n('c000000050d506482dbdf024'), undefined);
});

test('date: static timezone applies to text without an offset only', async () => {
  const f = await dateFilter({ match: ['ts', 'yyyy-MM-dd HH:mm:ss', 'ISO8601'], timezone: 'America/New_York' });
  assert.equal(iso(runFilter(f, { ts: '2026-07-01 12:00:00' }).event.timestamp), '2026-07-01T16:00:00.000Z');
  assert.equal(iso(runFilter(f, { ts: '2026-01-01T12:00:00' }).event.timestamp), '2026-01-01T17:00:00.000Z');
  assert.equal(iso(runFilter(f, { ts: '2026-01-01T12:00:00+01:00' }).event.timestamp), '2026-01-01T11:00:00.000Z');
  // A wall time skipped by the DST change is a failure.
  assert.deepEqual(runFilter(f, { ts: '2026-03-08 02:30:00' }).event.tags, ['_dateparsefailure']);
});

test('date: timezone from the event (sprintf), unknown zones fail', async () => {
  const f = await dateFilter({ match: ['ts', 'yyyy-MM-dd HH:mm:ss', 'ISO8601', 'UNIX'], timezone: '%{[event][timezone]}' });
  const run = (data: Record<string, unknown>) => runFilter(f, data).event;
  assert.equal(iso(run({ ts: '2026-07-01 12:00:00', event: { timezone: 'Europe/Berlin' } }).timestamp), '2026-07-01T10:00:00.000Z');
  assert.equal(iso(run({ ts: '2026-07-01 12:00:00', event: { timezone: 'Asia/Tokyo' } }).timestamp), '2026-07-01T03:00:00.000Z');
  assert.equal(iso(run({ ts: '2026-07-01T12:00:00', event: { timezone: '+05:30' } }).timestamp), '2026-07-01T06:30:00.000Z');
  assert.deepEqual(run({ ts: '2026-07-01 12:00:00', event: { timezone: 'Nowhere/Special' } }).tags, ['_dateparsefailure']);
  // No field: the template stays literal, which is no zone.
  assert.deepEqual(run({ ts: '2026-07-01 12:00:00' }).tags, ['_dateparsefailure']);
  // Formats that need no zone still work.
  assert.equal(iso(run({ ts: '1000000000', event: { timezone: 'Nowhere/Special' } }).timestamp), '2001-09-09T01:46:40.000Z');
});

test('date: locale for month names', async () => {
  const f = await dateFilter({ match: ['ts', 'dd MMMM yyyy HH:mm'], locale: 'fr_FR', timezone: 'UTC' });
  assert.equal(iso(runFilter(f, { ts: '14 juillet 2026 10:00' }).event.timestamp), '2026-07-14T10:00:00.000Z');
  assert.deepEqual(runFilter(f, { ts: '14 July 2026 10:00' }).event.tags, ['_dateparsefailure']);
});

test('date: syslog without a year takes the current year (with the Dec/Jan rule)', async () => {
  const f = await dateFilter({ match: ['timestamp', 'MMM dd HH:mm:ss', 'MMM  d HH:mm:ss'], timezone: 'UTC' });
  const now = new Date();
  const year = guessYear(6, now.getFullYear(), now.getMonth() + 1);
  assert.equal(iso(runFilter(f, { timestamp: 'Jun 17 09:32:01' }).event.timestamp), `${year}-06-17T09:32:01.000Z`);
  assert.equal(iso(runFilter(f, { timestamp: 'Jun  7 09:32:01' }).event.timestamp), `${year}-06-07T09:32:01.000Z`);
});

test('date: configuration errors are reported at creation', async () => {
  await assert.rejects(dateFilter({ match: ['ts'] }), /match setting should contain/);
  await assert.rejects(dateFilter({ match: ['ts', 'yyyy-MM-dd qq'] }), /Illegal pattern component: qq for pattern/);
  await assert.rejects(dateFilter({ match: ['ts', 'ISO8601'], timezone: 'Mars/Olympus' }), /unknown timezone/);
  await assert.rejects(dateFilter({ match: ['ts', 'MMM'], locale: 'not a locale!' }), /invalid locale/);
  await assert.rejects(dateFilter({ match: ['ts', 'ISO8601'], tagg_on_failure: [] }), /unknown option 'tagg_on_failure'/);
});
