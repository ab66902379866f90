#!/usr/bin/env node
// Micro-benchmark: grok with library-style patterns vs hand-written regular expressions on the same lines.
// Plain node, imports the compiled sources from dist (run `npx tsc -p .` first). No assertions.
//
//   node bench/grok-micro.mjs [--count 200000] [--rounds 5] [--input FILE] [--patterns DIR]
//
// Input: FILE, or Cisco ASA lines from ../shared/bench/gen-logs.mjs when present. Patterns: the bundled
// library (patterns/legacy) when present, else DIR, else the few definitions below (Logstash's, as text).
// Prints lines/s (best of the rounds, rounds interleaved) for:
//   hand    the hand-written expressions of ../shared/bench/node-floor.mjs (syslog header + 302013/302014)
//   grok    the same fields with library patterns through the grok filter (events, captures, conversions)
//   regex   the translated grok expressions alone (exec only), to separate matching from event work
//   grokAll the syslog header, then the library's CISCOFW patterns tried in order, as Logstash's usual ASA
//           configuration does (only with a library that has them: patterns/legacy or --patterns DIR)
//   naive   the same expressions translated naively (atomic groups always emulated as (?=(X))\N, the `u` flag,
//           Unicode word boundaries and line anchors written out for every input), exec only
//
// --fallback uses the definitions below (Logstash's text, with its atomic groups) even when patterns/ exists.

import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const count = Number(arg('count', 200000));
const rounds = Number(arg('rounds', 5));

const { Event } = await import(join(root, 'dist/src/core/event.js'));
const { validateOptions } = await import(join(root, 'dist/src/core/options.js'));
const { createLogger } = await import(join(root, 'dist/src/core/logger.js'));
const grokDef = (await import(join(root, 'dist/src/filters/grok.js'))).default;
const { compileGrok, PatternLibrary, patternFilesIn } = await import(join(root, 'dist/src/filters/grok/compiler.js'));
const { translateOnig } = await import(join(root, 'dist/src/filters/grok/onig.js'));

// ---- input ----
let lines;
const input = arg('input');
if (input) lines = readFileSync(input, 'utf8').split('\n').filter(Boolean).slice(0, count);
else {
  const gen = resolve(root, '..', 'shared', 'bench', 'gen-logs.mjs');
  if (!existsSync(gen)) {
    console.error('no input: pass --input FILE (or put ../shared/bench/gen-logs.mjs beside the project)');
    process.exit(2);
  }
  lines = execFileSync(process.execPath, [gen, '--kind', 'asa', '--count', String(count)], { maxBuffer: 1 << 30 }).toString('utf8').split('\n').filter(Boolean);
}

// ---- patterns ----
// Fallback definitions (Logstash's legacy library text) so the benchmark runs before patterns/ exists.
const FALLBACK = {
  INT: '(?:[+-]?(?:[0-9]+))',
  POSINT: '\\b(?:[1-9][0-9]*)\\b',
  WORD: '\\b\\w+\\b',
  DATA: '.*?',
  GREEDYDATA: '.*',
  IPV4: '(?<![0-9])(?:(?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]))(?![0-9])',
  IP: '(?:%{IPV4})',
  HOSTNAME: '\\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*(\\.?|\\b)',
  IPORHOST: '(?:%{IP}|%{HOSTNAME})',
  SYSLOGHOST: '%{IPORHOST}',
  MONTH: '\\b(?:[Jj]an(?:uary|uar)?|[Ff]eb(?:ruary|ruar)?|[Mm](?:a|ä)?r(?:ch|z)?|[Aa]pr(?:il)?|[Mm]a(?:y|i)?|[Jj]un(?:e|i)?|[Jj]ul(?:y|i)?|[Aa]ug(?:ust)?|[Ss]ep(?:tember)?|[Oo](?:c|k)?t(?:ober)?|[Nn]ov(?:ember)?|[Dd]e(?:c|z)(?:ember)?)\\b',
  MONTHDAY: '(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])',
  YEAR: '(?>\\d\\d){1,2}',
  HOUR: '(?:2[0123]|[01]?[0-9])',
  MINUTE: '(?:[0-5][0-9])',
  SECOND: '(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)',
  TIME: '(?!<[0-9])%{HOUR}:%{MINUTE}(?::%{SECOND})(?![0-9])',
  CISCOTIMESTAMP: '%{MONTH} +%{MONTHDAY}(?: %{YEAR})? %{TIME}',
  CISCOTAG: '[A-Z0-9]+-%{INT}-(?:[A-Z0-9_]+)',
  CISCO_TAGGED_SYSLOG: '^<%{POSINT:syslog_pri}>%{CISCOTIMESTAMP:timestamp}( %{SYSLOGHOST:sysloghost})? ?: %%{CISCOTAG:ciscotag}:',
  CISCO_ACTION: 'Built|Teardown|Deny|Denied|denied|requested|permitted|denied by ACL|discarded|est-allowed|Dropping|created|deleted',
  CISCO_REASON: 'Duplicate TCP SYN|Failed to locate egress interface|Invalid transport field|No matching connection|DNS Response|DNS Query|(?:%{WORD}\\s*)*',
  CISCO_DIRECTION: 'Inbound|inbound|Outbound|outbound',
  CISCOFW302013_302014_302015_302016:
    '%{CISCO_ACTION:action}(?: %{CISCO_DIRECTION:direction})? %{WORD:protocol} connection %{INT:connection_id} for %{DATA:src_interface}:%{IP:src_ip}/%{INT:src_port}( \\(%{IP:src_mapped_ip}/%{INT:src_mapped_port}\\))?(\\(%{DATA:src_fwuser}\\))? to %{DATA:dst_interface}:%{IP:dst_ip}/%{INT:dst_port}( \\(%{IP:dst_mapped_ip}/%{INT:dst_mapped_port}\\))?(\\(%{DATA:dst_fwuser}\\))?( duration %{TIME:duration} bytes %{INT:bytes})?(?: %{CISCO_REASON:reason})?( \\(%{DATA:user}\\))?',
};
const bundled = join(root, 'patterns', 'legacy');
const dir = arg('patterns');
let libSource, patternSettings;
if (patternFilesIn(bundled).length > 0 && !process.argv.includes('--fallback')) {
  libSource = 'bundled patterns/legacy';
  patternSettings = {};
} else if (dir) {
  libSource = dir;
  patternSettings = { patterns_dir: [dir] };
} else {
  libSource = 'fallback definitions in bench/grok-micro.mjs';
  patternSettings = { pattern_definitions: FALLBACK };
}

const logger = createLogger('bench');
function makeGrok(settings) {
  const { config, errors } = validateOptions('filter', 'grok', grokDef.options, { ecs_compatibility: 'disabled', ...patternSettings, ...settings });
  if (errors.length) throw new Error(errors.join('; '));
  return grokDef.create(config, { pipelineId: 'bench', pluginId: 'grok', logger, dataDir: '/tmp', side: 'worker', createCodec: () => undefined });
}
const grokHead = makeGrok({ match: { message: '%{CISCO_TAGGED_SYSLOG} %{GREEDYDATA:cisco_message}' } });
const grokFw = makeGrok({ match: { cisco_message: '%{CISCOFW302013_302014_302015_302016}' }, tag_on_failure: [] });

// ---- hand-written (../shared/bench/node-floor.mjs) ----
const HEAD = /^<(\d+)>(\w{3}) (\d{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (\S+) : %ASA-(\d)-(\d+): (.*)$/;
const IPP = '([^\\s/:]+)/(\\d+)';
const P302013 = new RegExp(`^Built (inbound|outbound) (TCP|UDP) connection (\\d+) for ([^:]+):${IPP} \\(${IPP}\\) to ([^:]+):${IPP} \\(${IPP}\\)`);
const P302014 = new RegExp(`^Teardown (TCP|UDP) connection (\\d+) for ([^:]+):${IPP} to ([^:]+):${IPP} duration (\\S+) bytes (\\d+)(?: (.*))?$`);

function hand() {
  let n = 0;
  for (const line of lines) {
    const h = HEAD.exec(line);
    if (!h) continue;
    const e = { pri: h[1], device: h[8], msgid: h[10], message: h[11] };
    const id = h[10];
    if (id === '302013' || id === '302015') {
      const m = P302013.exec(h[11]);
      if (m) (e.direction = m[1]), (e.proto = m[2]), (e.conn_id = m[3]), (e.src_ip = m[5]), (e.dst_ip = m[10]), n++;
    } else if (id === '302014' || id === '302016') {
      const m = P302014.exec(h[11]);
      if (m) (e.proto = m[1]), (e.conn_id = m[2]), (e.src_ip = m[4]), (e.dst_ip = m[7]), (e.bytes = m[10]), n++;
    }
  }
  return n;
}

const CONN = /^ASA-\d-30201[3-6]$/;
function grok() {
  let n = 0;
  const emit = () => {};
  for (const line of lines) {
    const ev = new Event({ message: line });
    if (!grokHead.filter(ev, emit)) continue;
    if (CONN.test(ev.data.ciscotag) && grokFw.filter(ev, emit)) n++;
  }
  return n;
}

const lib = patternSettings.pattern_definitions
  ? PatternLibrary.fromDefinitions(Object.entries(FALLBACK))
  : PatternLibrary.load(patternFilesIn(patternSettings.patterns_dir?.[0] ?? bundled));
const headGrok = compileGrok('%{CISCO_TAGGED_SYSLOG} %{GREEDYDATA:cisco_message}', lib);
const fwGrok = compileGrok('%{CISCOFW302013_302014_302015_302016}', lib);
const headRe = headGrok.regex;
const fwRe = fwGrok.regex;
const msgIndex = headRe.groups.find((g) => g.name === 'GREEDYDATA:cisco_message').index;
const tagIndex = headRe.groups.find((g) => g.name === 'CISCOTAG:ciscotag').index;
function regex() {
  let n = 0;
  for (const line of lines) {
    const h = headRe.exec(line);
    if (h && CONN.test(h[tagIndex]) && fwRe.exec(h[msgIndex])) n++;
  }
  return n;
}

const naiveHeadT = translateOnig(headGrok.expanded, { atomic: 'emulate' });
const naiveHead = naiveHeadT.variant(true, true).regexp;
const naiveFw = translateOnig(fwGrok.expanded, { atomic: 'emulate' }).variant(true, true).regexp;
const naiveMsg = naiveHeadT.groups.find((g) => g.name === 'GREEDYDATA:cisco_message').index;
const naiveTag = naiveHeadT.groups.find((g) => g.name === 'CISCOTAG:ciscotag').index;
function naive() {
  let n = 0;
  for (const line of lines) {
    const h = naiveHead.exec(line);
    if (h && CONN.test(h[naiveTag]) && naiveFw.exec(h[naiveMsg])) n++;
  }
  return n;
}

// The usual Logstash Cisco ASA configuration tries the library's CISCOFW patterns in order (break_on_match),
// so most attempts fail: the cost of failing matters as much as the cost of matching.
const ASA_LIST = ['106001', '106006_106007_106010', '106014', '106015', '106021', '106023', '106100_2_3', '106100', '304001', '110002', '302010',
  '302013_302014_302015_302016', '302020_302021', '305011', '313001_313004_313008', '313005', '321001', '402117', '402119', '419001', '419002',
  '500004', '602303_602304', '710001_710002_710003_710005_710006', '713172', '733100'].map((id) => `CISCOFW${id}`);
const runs = { hand, grok, regex, naive };
if (ASA_LIST.every((n) => lib.get(n) !== undefined)) {
  const grokAll = makeGrok({ match: { cisco_message: ASA_LIST.map((n) => `%{${n}}`) }, tag_on_failure: [] });
  runs.grokAll = function grokAll_() {
    let n = 0;
    const emit = () => {};
    for (const line of lines) {
      const ev = new Event({ message: line });
      if (grokHead.filter(ev, emit) && grokAll.filter(ev, emit)) n++;
    }
    return n;
  };
}
const best = Object.fromEntries(Object.keys(runs).map((k) => [k, 0]));
let matched = {};
for (const f of Object.values(runs)) f(); // warm-up
// CPU time of this process (user + system), not wall time: other load on the machine then matters much less.
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
for (let r = 0; r < rounds; r++) {
  for (const [name, f] of Object.entries(runs)) {
    const t0 = cpuSeconds();
    matched[name] = f();
    const s = cpuSeconds() - t0;
    best[name] = Math.max(best[name], lines.length / s);
  }
}
console.log(`${lines.length} lines, patterns: ${libSource}, best of ${rounds} rounds, per CPU second (node ${process.version})`);
for (const name of Object.keys(runs))
  console.log(`${name.padEnd(7)} ${Math.round(best[name]).toLocaleString('en-US').padStart(12)} lines/s   (${matched[name]} ${name === 'grokAll' ? 'lines matched by one of the CISCOFW patterns' : 'connection lines parsed'})`);
console.log(`grok/hand: ${(best.grok / best.hand).toFixed(2)}   regex/hand: ${(best.regex / best.hand).toFixed(2)}   naive/hand: ${(best.naive / best.hand).toFixed(2)}`);
const st = (g) => JSON.stringify(g.regex.stats);
console.log(`atomic groups: header ${st(headGrok)}, 302013-16 ${st(fwGrok)}`);
