// Syslog parsing (RFC 3164 as Logstash's syslog input, RFC 5424 with structured data) in both ECS modes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Event } from '../../src/core/event.js';
import { createSyslogParser, parse5424, parse5424Time, parseStructuredData, DEFAULT_FACILITY_LABELS, DEFAULT_SEVERITY_LABELS } from '../../src/inputs/syslog/parse.js';

const now = () => new Date(Date.UTC(2026, 10, 28, 12, 0, 0));
function parse(line: unknown, ecs: boolean, extra: Record<string, unknown> = {}) {
  const p = createSyslogParser({ ecs, field: 'message', useLabels: true, facilityLabels: DEFAULT_FACILITY_LABELS, severityLabels: DEFAULT_SEVERITY_LABELS, timezone: 'UTC', now });
  const e = new Event({ message: line, ...extra });
  p(e);
  return e;
}

test('RFC 3164, legacy names: priority, labels, timestamp, logsource, program, pid, message; @timestamp from the header', () => {
  const e = parse('<134>Nov 28 11:55:26 etl-test-host app[42]: 2024-05-01 INFO user=alice\n', false, { host: '10.0.0.9' });
  assert.deepEqual(
    { ...e.data, '@timestamp': e.timestamp.toISOString() },
    {
      '@timestamp': '2026-11-28T11:55:26.000Z',
      message: '2024-05-01 INFO user=alice',
      host: '10.0.0.9',
      priority: 134,
      severity: 6,
      facility: 16,
      facility_label: 'local0',
      severity_label: 'Informational',
      timestamp: 'Nov 28 11:55:26',
      logsource: 'etl-test-host',
      program: 'app',
      pid: '42',
    },
  );
});

test('RFC 3164, ECS names: [log][syslog], [host][hostname], [process], [event][original]; timestamp removed', () => {
  const e = parse('<13>Nov  3 01:02:03 fw01 sshd[7]: Accepted key', true, { host: { ip: '10.0.0.9' } });
  assert.equal(e.get('[log][syslog][priority]'), 13);
  assert.equal(e.get('[log][syslog][severity][name]'), 'Notice');
  assert.equal(e.get('[log][syslog][facility][name]'), 'user-level');
  assert.equal(e.get('[host][hostname]'), 'fw01');
  assert.equal(e.get('[host][ip]'), '10.0.0.9');
  assert.equal(e.get('[process][name]'), 'sshd');
  assert.equal(e.get('[process][pid]'), 7);
  assert.equal(e.get('[event][original]'), '<13>Nov  3 01:02:03 fw01 sshd[7]: Accepted key');
  assert.equal(e.get('message'), 'Accepted key');
  assert.equal(e.get('timestamp'), undefined);
  assert.equal(e.timestamp.toISOString(), '2026-11-03T01:02:03.000Z');
});

test('RFC 3164 with an ISO8601 date: legacy keeps timestamp8601 and timestamp', () => {
  const e = parse('<14>2026-01-02T03:04:05.123Z host prog: hi', false);
  assert.equal(e.data.timestamp8601, '2026-01-02T03:04:05.123Z');
  assert.equal(e.data.timestamp, '2026-01-02T03:04:05.123Z');
  assert.equal(e.timestamp.toISOString(), '2026-01-02T03:04:05.123Z');
  assert.equal(e.data.message, 'hi');
});

test('a line that is not syslog keeps its text, gets priority 13 and _grokparsefailure_sysloginput', () => {
  for (const ecs of [false, true]) {
    const e = parse('just some text', ecs);
    assert.equal(e.get('message'), 'just some text');
    assert.deepEqual(e.data.tags, ['_grokparsefailure_sysloginput']);
    assert.equal(e.get(ecs ? '[log][syslog][priority]' : 'priority'), 13);
    assert.equal(e.get(ecs ? '[log][syslog][facility][name]' : 'facility_label'), 'user-level');
  }
  const binary = parse('\u0000\u00ff<13', false);
  assert.deepEqual(binary.data.tags, ['_grokparsefailure_sysloginput']);
  const notString = parse(undefined, false);
  assert.deepEqual(notString.data.tags, ['_grokparsefailure_sysloginput']);
});

test('RFC 5424 from rsyslog (microseconds) and syslog-ng (structured data), legacy names', () => {
  const r = parse('<134>1 2026-11-28T11:55:26.480476+01:00 etl-test-host app - - - 2024-05-01T10:00:00Z INFO a=1', false);
  assert.equal(r.timestamp.toISOString(), '2026-11-28T10:55:26.480Z');
  assert.equal(r.data.message, '2024-05-01T10:00:00Z INFO a=1');
  assert.equal(r.data.syslog5424_ver, '1');
  assert.equal(r.data.syslog5424_host, 'etl-test-host');
  assert.equal(r.data.syslog5424_app, 'app');
  assert.equal(r.data.syslog5424_proc, undefined);
  assert.equal(r.data.priority, 134);
  assert.equal(r.data.tags, undefined);
  const s = parse('<134>1 2026-11-28T11:55:38+00:00 vm app 1234 ID47 [meta sequenceId="1"][ex@32473 a="x\\"y\\]" a="2"] \uFEFFhello ✓', false);
  assert.equal(s.data.message, 'hello ✓', 'the BOM is not part of the message');
  assert.equal(s.data.syslog5424_proc, '1234');
  assert.equal(s.data.syslog5424_msgid, 'ID47');
  assert.equal(s.data.syslog5424_sd, '[meta sequenceId="1"][ex@32473 a="x\\"y\\]" a="2"]');
  assert.deepEqual(s.data.syslog5424_structured_data, { meta: { sequenceId: '1' }, 'ex@32473': { a: ['x"y]', '2'] } });
});

test('RFC 5424, ECS names', () => {
  const e = parse('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event', true);
  assert.equal(e.get('[log][syslog][priority]'), 165);
  assert.equal(e.get('[log][syslog][severity][code]'), 5);
  assert.equal(e.get('[log][syslog][facility][code]'), 20);
  assert.equal(e.get('[system][syslog][version]'), '1');
  assert.equal(e.get('[host][hostname]'), 'mymachine.example.com');
  assert.equal(e.get('[process][name]'), 'evntslog');
  assert.equal(e.get('[event][code]'), 'ID47');
  assert.deepEqual(e.get('[log][syslog][structured_data]'), { 'exampleSDID@32473': { iut: '3', eventSource: 'Application' } });
  assert.equal(e.get('[system][syslog][structured_data]'), '[exampleSDID@32473 iut="3" eventSource="Application"]');
  assert.equal(e.get('message'), 'An application event');
  assert.equal(e.timestamp.toISOString(), '2003-10-11T22:14:15.003Z');
  const odd = parse('<34>1 - host app proc-x - -', true);
  assert.equal(odd.get('[log][syslog][procid]'), 'proc-x');
  assert.equal(odd.get('message'), '');
});

test('RFC 5424 timestamps: fractions up to 9 digits, offsets, nil; malformed ones tag _dateparsefailure', () => {
  assert.equal(parse5424Time('2026-11-28T11:55:26.123456789Z'), Date.UTC(2026, 10, 28, 11, 55, 26, 123));
  assert.equal(parse5424Time('2026-11-28T11:55:26.5-02:30'), Date.UTC(2026, 10, 28, 14, 25, 26, 500));
  assert.equal(parse5424Time('2026-13-28T11:55:26Z'), undefined);
  const bad = parse('<13>1 2026-99-99T00:00:00Z h a - - - m', false);
  assert.deepEqual(bad.data.tags, ['_dateparsefailure']);
  assert.equal(bad.data.message, 'm');
});

test('malformed structured data makes the line fail as syslog (kept whole)', () => {
  assert.equal(parseStructuredData('[id a="unterminated]', 0), undefined);
  assert.equal(parseStructuredData('[ a="x"]', 0), undefined);
  assert.equal(parse5424('<13>1 - h a - - [bad'), undefined);
  const e = parse('<13>1 - h a - - [bad sd', false);
  assert.deepEqual(e.data.tags, ['_grokparsefailure_sysloginput']);
  assert.equal(e.data.message, '<13>1 - h a - - [bad sd');
});

test('use_labels => false and custom labels', () => {
  const p = createSyslogParser({ ecs: false, field: 'message', useLabels: false, facilityLabels: [], severityLabels: [], timezone: 'UTC', now });
  const e = new Event({ message: '<13>Nov 28 11:55:26 h p: m' });
  p(e);
  assert.equal(e.data.facility_label, undefined);
  assert.equal(e.data.severity, 5);
});
