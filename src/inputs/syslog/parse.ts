// Syslog message parsing for the syslog input, on the worker threads.
//
// RFC 3164 lines get exactly the fields of Logstash's syslog input, which matches
// `<%{POSINT:priority}>%{SYSLOGLINE}` and then dates `timestamp` with "MMM dd HH:mm:ss", "MMM  d HH:mm:ss",
// "MMM d HH:mm:ss" and ISO8601. Logstash's input does not understand RFC 5424; here an RFC 5424 line
// (`<PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]`) is
// parsed too, into the field names of Logstash's SYSLOG5424LINE grok pattern (legacy or ECS library), plus
// the structured data as an object. A line that is neither keeps its text, gets priority 13 and the tag
// `_grokparsefailure_sysloginput`, as in Logstash.
//
// Field names by mode (ecs_compatibility disabled | v1/v8):
//   priority, severity, facility         priority | [log][syslog][priority], [log][syslog][severity][code], [log][syslog][facility][code]
//   labels                               severity_label, facility_label | [log][syslog][severity][name], [log][syslog][facility][name]
//   3164 header                          timestamp (or timestamp8601 and timestamp), logsource, program, pid
//                                        | timestamp (removed after dating), [host][hostname], [process][name], [process][pid]
//   5424 header                          syslog5424_ver, syslog5424_ts, syslog5424_host, syslog5424_app, syslog5424_proc,
//                                        syslog5424_msgid, syslog5424_sd (raw), syslog5424_structured_data (parsed)
//                                        | [system][syslog][version], [host][hostname], [process][name], [process][pid]
//                                        (or [log][syslog][procid] when not a number), [event][code],
//                                        [system][syslog][structured_data] (raw), [log][syslog][structured_data] (parsed)
//   the original line (v1 only)          [event][original]

import type { Event, EventData } from '../../core/event.js';
import { compileJodaParser, compileIso8601Parser, type DateParser } from '../../core/joda.js';

export const SYSLOG_FAILURE_TAG = '_grokparsefailure_sysloginput';
export const DATE_FAILURE_TAG = '_dateparsefailure';

export const DEFAULT_FACILITY_LABELS = [
  'kernel', 'user-level', 'mail', 'system', 'security/authorization', 'syslogd', 'line printer', 'network news', 'UUCP', 'clock',
  'security/authorization', 'FTP', 'NTP', 'log audit', 'log alert', 'clock', 'local0', 'local1', 'local2', 'local3', 'local4',
  'local5', 'local6', 'local7',
];
export const DEFAULT_SEVERITY_LABELS = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'];

export interface SyslogParserOptions {
  ecs: boolean;
  /** Field holding the line after the codec (`syslog_field`). */
  field: string;
  useLabels: boolean;
  facilityLabels: readonly string[];
  severityLabels: readonly string[];
  timezone?: string;
  locale?: string;
  /** Clock for the year-less 3164 dates (tests). */
  now?: () => Date;
}

// The pieces of Logstash's SYSLOGLINE, as JavaScript expressions (same alternatives as the pattern library).
const MONTH =
  '\\b(?:[Jj](?:an(?:uary?)?|u(?:n[ei]?|l[yi]?))|[Ff]eb(?:ruary?)?|[Mm](?:a(?:r(?:ch|z)?|[yi])?|är(?:ch|z)?|r(?:ch|z)?)|[Aa](?:pr(?:il)?|ug(?:ust)?)|[Ss]ep(?:tember)?|[Oo][ck]?t(?:ober)?|[Nn]ov(?:ember)?|[Dd]e[cz](?:ember)?)\\b';
const MONTHDAY = '(?:0[1-9]|[12][0-9]|3[01]|[1-9])';
const HOUR = '(?:2[0-3]|[01]?[0-9])';
const MINUTE = '[0-5][0-9]';
const SECOND = '(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)';
const TIME = `${HOUR}:${MINUTE}:${SECOND}(?![0-9])`;
const SYSLOGTIMESTAMP = `${MONTH} +${MONTHDAY} ${TIME}`;
const TIMESTAMP_ISO8601 = `(?:\\d\\d){1,2}-(?:0?[1-9]|1[0-2])-${MONTHDAY}[T ]${HOUR}:?${MINUTE}(?::?${SECOND})?(?:Z|[+-]${HOUR}:?${MINUTE})?`;
const IPV4 = '(?<![0-9])(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)(?![0-9])';
// IPv6 simplified: hex groups with at least two colons (the library's IPV6 accepts the same addresses and more forms).
const IPV6 = '(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|' + IPV4 + ')?';
const HOSTNAME = '\\b[0-9A-Za-z][0-9A-Za-z-]{0,62}(?:\\.[0-9A-Za-z][0-9A-Za-z-]{0,62})*\\.?';
const IPORHOST = `(?:${IPV6}|${IPV4}|${HOSTNAME})`;
const PROG = '[!-Z\\\\^-~]+';

// Groups: 1 priority, 2 syslog timestamp, 3 ISO timestamp, 4-5 SYSLOGFACILITY (overridden by the PRI, as in Logstash),
// 6 host, 7 program, 8 pid, 9 message (the whole rest, newlines included: GREEDYDATA would stop at the first one).
const LEGACY_3164 = new RegExp(
  `^<(\\d+)>(?:(${SYSLOGTIMESTAMP})|(${TIMESTAMP_ISO8601})) (?:<(\\d+)\\.(\\d+)> )?(${IPORHOST})(?: (${PROG})(?:\\[([1-9][0-9]*)\\])?:)? ([\\s\\S]*)$`,
);
const ECS_3164 = new RegExp(
  `^<(\\d+)>(?:(${SYSLOGTIMESTAMP})|(${TIMESTAMP_ISO8601}))(?: <(\\d+)\\.(\\d+)>)?(?: (${IPORHOST}))?(?: (${PROG})(?:\\[([1-9][0-9]*)\\])?:)? ([\\s\\S]*)$`,
);

interface Parsed5424 {
  pri: number;
  version: string;
  timestamp?: string;
  host?: string;
  app?: string;
  procid?: string;
  msgid?: string;
  sdRaw?: string;
  sd?: Record<string, Record<string, string | string[]>>;
  msg: string;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Structured data `[id p="v" …][id2 …]` from `pos`; the object and where it ends, or undefined if malformed. */
export function parseStructuredData(s: string, pos: number): [Record<string, Record<string, string | string[]>>, number] | undefined {
  const out: Record<string, Record<string, string | string[]>> = {};
  let p = pos;
  if (s.charCodeAt(p) !== 91) return undefined;
  while (p < s.length && s.charCodeAt(p) === 91) {
    p++;
    const idStart = p;
    while (p < s.length) {
      const c = s.charCodeAt(p);
      if (c === 32 || c === 93 || c === 61 || c === 34) break;
      p++;
    }
    if (p === idStart || p - idStart > 32 || p >= s.length) return undefined;
    const id = s.slice(idStart, p);
    const params: Record<string, string | string[]> = Object.create(null);
    while (s.charCodeAt(p) === 32) {
      p++;
      const nameStart = p;
      while (p < s.length) {
        const c = s.charCodeAt(p);
        if (c === 61 || c === 32 || c === 93 || c === 34) break;
        p++;
      }
      if (p === nameStart || s.charCodeAt(p) !== 61 || s.charCodeAt(p + 1) !== 34) return undefined;
      const name = s.slice(nameStart, p);
      p += 2;
      let value = '';
      let chunkStart = p;
      for (;;) {
        if (p >= s.length) return undefined;
        const c = s.charCodeAt(p);
        if (c === 34) break;
        // RFC 5424: only \" \\ \] are escapes; a backslash before anything else stays.
        if (c === 92) {
          const n = s.charCodeAt(p + 1);
          if (n === 34 || n === 92 || n === 93) {
            value += s.slice(chunkStart, p);
            chunkStart = p + 1;
            p += 2;
            continue;
          }
        }
        p++;
      }
      value += s.slice(chunkStart, p);
      p++;
      const prev = params[name];
      params[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    if (s.charCodeAt(p) !== 93) return undefined;
    p++;
    const prevParams = out[id];
    out[id] = prevParams ? Object.assign(prevParams, params) : params;
  }
  // Plain objects from here on (serialisers and field references expect ordinary prototypes).
  for (const k of Object.keys(out)) out[k] = { ...out[k] };
  return [out, p];
}

/** RFC 5424, or undefined when the line is not one. Fills `out` (reused between calls: no allocation per line). */
export function parse5424(s: string, out: Parsed5424 = newParsed5424()): Parsed5424 | undefined {
  const n = s.length;
  if (s.charCodeAt(0) !== 60) return undefined;
  let p = 1;
  let pri = 0;
  while (p < n && p <= 4) {
    const c = s.charCodeAt(p);
    if (c < 48 || c > 57) break;
    pri = pri * 10 + (c - 48);
    p++;
  }
  if (p === 1 || s.charCodeAt(p) !== 62) return undefined;
  p++;
  // VERSION: 1-3 digits, then a space (a 3164 timestamp starts with a month name, an ISO one has a '-').
  const vStart = p;
  while (p < n && p - vStart < 3 && isDigit(s.charCodeAt(p))) p++;
  if (p === vStart || s.charCodeAt(p) !== 32 || s.charCodeAt(vStart) === 48) return undefined;
  out.pri = pri;
  out.version = p - vStart === 1 && s.charCodeAt(vStart) === 49 ? '1' : s.slice(vStart, p);
  p++;
  // Five space-separated header fields; `-` is the nil value.
  for (let i = 0; i < 5; i++) {
    if (p >= n) return undefined;
    let sp = s.indexOf(' ', p);
    if (sp === p) return undefined;
    if (sp < 0) {
      // The last header field may end the line only when it is MSGID... and then SD is missing: not 5424.
      return undefined;
    }
    const value = sp === p + 1 && s.charCodeAt(p) === 45 ? undefined : s.slice(p, sp);
    if (i === 0) out.timestamp = value;
    else if (i === 1) out.host = value;
    else if (i === 2) out.app = value;
    else if (i === 3) out.procid = value;
    else out.msgid = value;
    p = sp + 1;
  }
  if (p >= n) return undefined;
  if (s.charCodeAt(p) === 45) {
    out.sdRaw = undefined;
    out.sd = undefined;
    p++;
  } else {
    const r = parseStructuredData(s, p);
    if (!r) return undefined;
    out.sd = r[0];
    out.sdRaw = s.slice(p, r[1]);
    p = r[1];
  }
  out.msg = '';
  if (p < n) {
    if (s.charCodeAt(p) !== 32) return undefined;
    // A UTF-8 byte order mark announces a UTF-8 MSG; it is not part of the text.
    out.msg = s.charCodeAt(p + 1) === 0xfeff ? s.slice(p + 2) : s.slice(p + 1);
  }
  if (out.timestamp !== undefined && !isDigit(out.timestamp.charCodeAt(0))) return undefined;
  return out;
}

function newParsed5424(): Parsed5424 {
  return { pri: 0, version: '', timestamp: undefined, host: undefined, app: undefined, procid: undefined, msgid: undefined, sdRaw: undefined, sd: undefined, msg: '' };
}

// Consecutive messages mostly share their second: the epoch of the last `YYYY-MM-DDTHH:MM:SS` and offset is kept.
let lastSecond = '';
let lastZone = '';
let lastSecondMs = 0;

const digit = (t: string, i: number) => t.charCodeAt(i) - 48;
const two = (t: string, i: number) => {
  const a = digit(t, i);
  const b = digit(t, i + 1);
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
};

/** RFC 5424 timestamp (`2026-11-28T11:55:26.480476+00:00`, fraction of up to 9 digits): epoch ms, or undefined. */
export function parse5424Time(t: string): number | undefined {
  const n = t.length;
  if (n < 20 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || (t.charCodeAt(10) | 32) !== 116 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined;
  // Fraction, then the offset.
  let p = 19;
  let ms = 0;
  if (t.charCodeAt(p) === 46) {
    p++;
    const start = p;
    while (p < n && p - start < 9) {
      const d = digit(t, p);
      if (d < 0 || d > 9) break;
      if (p - start < 3) ms = ms * 10 + d;
      p++;
    }
    if (p === start) return undefined;
    for (let k = p - start; k < 3; k++) ms *= 10;
  }
  const zoneLen = n - p;
  if (lastSecond !== '' && zoneLen === lastZone.length && t.startsWith(lastSecond) && t.endsWith(lastZone)) return lastSecondMs + ms;
  let offsetMin: number;
  const z = t.charCodeAt(p);
  if (zoneLen === 1 && (z | 32) === 122) offsetMin = 0;
  else if (zoneLen === 6 && (z === 43 || z === 45) && t.charCodeAt(p + 3) === 58) {
    const hh = two(t, p + 1);
    const mm = two(t, p + 4);
    if (hh < 0 || mm < 0 || hh > 23 || mm > 59) return undefined;
    offsetMin = (z === 43 ? 1 : -1) * (hh * 60 + mm);
  } else return undefined;
  const y1 = two(t, 0);
  const y2 = two(t, 2);
  const mo = two(t, 5);
  const d = two(t, 8);
  const h = two(t, 11);
  const mi = two(t, 14);
  const sec = two(t, 17);
  if (y1 < 0 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return undefined;
  lastSecondMs = Date.UTC(y1 * 100 + y2, mo - 1, d, h, mi, sec) - offsetMin * 60000;
  lastSecond = t.slice(0, 19);
  lastZone = t.slice(p);
  return lastSecondMs + ms;
}

function setIn(data: EventData, a: string, b: string, value: unknown, c?: string): void {
  let o = data[a] as EventData | undefined;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) data[a] = o = {};
  if (c === undefined) {
    o[b] = value;
    return;
  }
  let o2 = o[b] as EventData | undefined;
  if (o2 === null || typeof o2 !== 'object' || Array.isArray(o2)) o[b] = o2 = {};
  o2[c] = value;
}

function stripLineEnd(s: string): string {
  let n = s.length;
  if (n && s.charCodeAt(n - 1) === 10) n--;
  if (n && s.charCodeAt(n - 1) === 13) n--;
  return n === s.length ? s : s.slice(0, n);
}

/** Build the per-event parser of the syslog input. */
export function createSyslogParser(o: SyslogParserOptions): (event: Event) => void {
  const dateOpts = { timezone: o.timezone, locale: o.locale, now: o.now };
  const dateParsers: DateParser[] = [
    compileJodaParser('MMM dd HH:mm:ss', dateOpts),
    compileJodaParser('MMM  d HH:mm:ss', dateOpts),
    compileJodaParser('MMM d HH:mm:ss', dateOpts),
    compileIso8601Parser({ timezone: o.timezone }),
  ];
  const parseDate = (text: string): number | undefined => {
    for (const p of dateParsers) {
      const ms = p(text);
      if (ms !== undefined) return ms;
    }
    return undefined;
  };
  const ecs = o.ecs;
  const field = o.field;
  const topLevelField = !field.startsWith('[') || /^\[[^\[\]]+\]$/.test(field) ? field.replace(/^\[|\]$/g, '') : undefined;

  const setPriority = (d: EventData, pri: number) => {
    const severity = pri & 7;
    const facility = pri >> 3;
    if (ecs) {
      setIn(d, 'log', 'syslog', pri, 'priority');
      const syslog = (d.log as EventData).syslog as EventData;
      syslog.severity = { code: severity };
      syslog.facility = { code: facility };
      if (o.useLabels) {
        const f = o.facilityLabels[facility];
        const s = o.severityLabels[severity];
        if (f !== undefined) (syslog.facility as EventData).name = f;
        if (s !== undefined) (syslog.severity as EventData).name = s;
      }
    } else {
      d.priority = pri;
      d.severity = severity;
      d.facility = facility;
      if (o.useLabels) {
        const f = o.facilityLabels[facility];
        const s = o.severityLabels[severity];
        if (f !== undefined) d.facility_label = f;
        if (s !== undefined) d.severity_label = s;
      }
    }
  };

  const setMessage = (e: Event, text: string) => {
    if (topLevelField !== undefined) e.data[topLevelField] = text;
    else e.set(field, text);
  };

  const date = (e: Event, ms: number | undefined) => {
    if (ms === undefined) {
      e.tag(DATE_FAILURE_TAG);
      return;
    }
    // The event's receive-time Date is not shared: set it instead of allocating another.
    const ts = e.data['@timestamp'];
    if (ts instanceof Date) ts.setTime(ms);
    else e.data['@timestamp'] = new Date(ms);
  };

  const scratch = newParsed5424();
  const parse = (e: Event) => {
    const d = e.data;
    const value = topLevelField !== undefined ? d[topLevelField] : e.get(field);
    if (typeof value !== 'string') {
      e.tag(SYSLOG_FAILURE_TAG);
      setPriority(d, 13);
      return;
    }
    const line = stripLineEnd(value);
    if (ecs) setIn(d, 'event', 'original', line);

    const r5424 = line.charCodeAt(0) === 60 ? parse5424(line, scratch) : undefined;
    if (r5424 !== undefined) {
      setPriority(d, r5424.pri);
      if (ecs) {
        setIn(d, 'system', 'syslog', r5424.version, 'version');
        if (r5424.host !== undefined) setIn(d, 'host', 'hostname', r5424.host);
        if (r5424.app !== undefined) setIn(d, 'process', 'name', r5424.app);
        if (r5424.procid !== undefined) {
          if (/^[1-9][0-9]*$/.test(r5424.procid) && r5424.procid.length < 16) setIn(d, 'process', 'pid', Number(r5424.procid));
          else setIn(d, 'log', 'syslog', r5424.procid, 'procid');
        }
        if (r5424.msgid !== undefined) setIn(d, 'event', 'code', r5424.msgid);
        if (r5424.sdRaw !== undefined) {
          setIn(d, 'system', 'syslog', r5424.sdRaw, 'structured_data');
          setIn(d, 'log', 'syslog', r5424.sd, 'structured_data');
        }
      } else {
        d.syslog5424_ver = r5424.version;
        if (r5424.timestamp !== undefined) d.syslog5424_ts = r5424.timestamp;
        if (r5424.host !== undefined) d.syslog5424_host = r5424.host;
        if (r5424.app !== undefined) d.syslog5424_app = r5424.app;
        if (r5424.procid !== undefined) d.syslog5424_proc = r5424.procid;
        if (r5424.msgid !== undefined) d.syslog5424_msgid = r5424.msgid;
        if (r5424.sdRaw !== undefined) {
          d.syslog5424_sd = r5424.sdRaw;
          d.syslog5424_structured_data = r5424.sd;
        }
      }
      setMessage(e, r5424.msg);
      if (r5424.timestamp !== undefined) date(e, parse5424Time(r5424.timestamp) ?? parseDate(r5424.timestamp));
      return;
    }

    const m = (ecs ? ECS_3164 : LEGACY_3164).exec(line);
    if (m === null) {
      // Not syslog: the line is kept as it came, with RFC 3164's default priority.
      e.tag(SYSLOG_FAILURE_TAG);
      setPriority(d, 13);
      return;
    }
    const pri = Number(m[1]);
    const stamp = m[2] ?? m[3]!;
    if (ecs) {
      if (m[6] !== undefined) setIn(d, 'host', 'hostname', m[6]);
      if (m[7] !== undefined) setIn(d, 'process', 'name', m[7]);
      if (m[8] !== undefined) setIn(d, 'process', 'pid', Number(m[8]));
    } else {
      if (m[2] !== undefined) d.timestamp = m[2];
      else {
        // Logstash's legacy SYSLOGBASE2 captures an ISO date as timestamp8601, then copies it to timestamp.
        d.timestamp8601 = m[3];
        d.timestamp = m[3];
      }
      d.logsource = m[6];
      if (m[7] !== undefined) d.program = m[7];
      if (m[8] !== undefined) d.pid = m[8];
    }
    setMessage(e, m[9]!);
    setPriority(d, Number.isSafeInteger(pri) ? pri : 13);
    date(e, parseDate(stamp));
  };
  // A failure here is a bug, not bad input: the event is kept, tagged, and the batch goes on.
  return (e: Event) => {
    try {
      parse(e);
    } catch {
      e.tag(SYSLOG_FAILURE_TAG);
    }
  };
}
