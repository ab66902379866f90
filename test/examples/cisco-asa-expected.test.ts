// The firewall example against Elastic's Cisco ASA integration: every `*-expected.json` under
// ../shared/samples/firewall/cisco_asa holds the documents Elastic's ingest pipeline makes from the lines of the
// `.log` next to it (or, when there is no .log, from the documents' event.original). We run those lines through
// examples/firewall.conf and compare field by field. Differences we accept are listed in ACCEPTED below, each
// with its reason (docs/cisco-asa-differences.md explains them for users); any other difference fails, and so
// does an ACCEPTED entry that no longer matches anything (the table must not hide regressions or go stale).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { sharedFile } from '../helpers.js';
import { exampleRunner, plain } from './run-example.js';

type Kind = 'missing' | 'extra' | 'value';

interface Difference {
  file: string;
  line: number;
  code: string;
  field: string;
  kind: Kind;
  expected?: unknown;
  actual?: unknown;
}

interface Accepted {
  /** Field path, or a pattern over field paths. */
  field: string | RegExp;
  kind: Kind;
  /** Only for these message ids (event.code). */
  codes?: string[];
  /** Only in these expected files. */
  files?: string[];
  /** Only when the values look like this. */
  when?: (expected: unknown, actual: unknown) => boolean;
  reason: string;
}

const ELASTIC_ONLY = 'not produced by the example';
const OLDER_MAPPING = 'the expected file comes from an older version of the integration, whose mapping the current one changed; we follow the current one';

/** Every difference from Elastic's output that the example accepts. Keep in step with docs/cisco-asa-differences.md. */
const ACCEPTED: Accepted[] = [
  // Fields of Elastic's ingest pipeline or test setup that a Logstash pipeline does not make.
  { field: 'tags', kind: 'missing', reason: "the test configuration of Elastic's integration adds the tag preserve_original_event" },
  { field: 'ecs.version', kind: 'missing', reason: 'set by the Elastic integration (and its value differs between the expected files)' },
  { field: 'event.timezone', kind: 'missing', reason: 'times are read as UTC by the date filter; the example does not record the zone' },
  { field: /^(?:source|destination)\.(?:geo|as)\./, kind: 'missing', reason: 'GeoIP / ASN enrichment: a separate geoip filter with a MaxMind database' },
  { field: 'network.community_id', kind: 'missing', reason: 'Community ID needs a hash of the flow tuple; no Logstash core filter computes it' },
  { field: /^log\.syslog\.(?:facility|severity)\.code$/, kind: 'missing', reason: 'derived from <PRI> by arithmetic (PRI / 8, PRI % 8), which Logstash filters other than ruby cannot do; log.syslog.priority is kept' },
  { field: 'event.start', kind: 'missing', reason: 'event.end minus event.duration needs date arithmetic; event.end and event.duration are produced' },
  { field: 'cisco.asa.message_id', kind: 'extra', reason: 'kept beside event.code: the conditionals of the pipeline (and users) select on it' },
  { field: 'cisco.asa', kind: 'missing', when: (e) => isDeepStrictEqual(e, {}), reason: 'Elastic leaves an empty cisco.asa object on some messages; the example writes no empty objects' },
  { field: 'cisco.asa.security', kind: 'missing', when: (e) => isDeepStrictEqual(e, {}), reason: 'an empty object left by the FTD security-event step of the Elastic pipeline' },

  // Syslog timestamps without a year (RFC 3164): the year is the current one (Logstash's date filter rule),
  // the expected documents were made with their own clock. Only the year may differ.
  { field: /^(?:@timestamp|event\.end)$/, kind: 'value', when: sameButYear, reason: 'no year in the syslog timestamp: the current year is assumed' },

  // Lines without an %ASA-n-id tag: Elastic invents severity 7 / debug and an empty event.code.
  { field: /^(?:event\.code|event\.severity|log\.level)$/, kind: 'missing', codes: [''], reason: 'a line without %ASA tag has no severity or message id; the example does not make them up' },

  // Categorisation: we follow the mapping of the current integration (its ingest pipeline), which the
  // expected files from older versions predate: denies have outcome failure (older: success), connection
  // and NAT messages flow-creation / nat-slot with start/creation types (older: firewall-rule, info), ...
  { field: 'event.outcome', kind: 'value', when: (e, a) => e === 'success' && a === 'failure', reason: OLDER_MAPPING + ' (a denied connection has event.outcome failure)' },
  { field: 'event.outcome', kind: 'extra', codes: ['113029', '113030', '113031', '113032', '113033', '113034', '113035', '113036', '113037', '113038', '113039', '113040', '302013', '302015', '302016', '302020', '302021', '305011', '305012', '607001'], reason: OLDER_MAPPING },
  { field: /^event\.(?:action|type|category)$/, kind: 'value', codes: ['113029', '113030', '113031', '113032', '113033', '113034', '113035', '113036', '113037', '113038', '113040', '302013', '302015', '302020', '304001', '305011', '305012', '338204'], reason: OLDER_MAPPING },
  { field: /^event\.(?:action|type)$/, kind: 'missing', codes: ['999999'], reason: 'older versions of the integration gave every message event.action firewall-rule and event.type info; the example categorises only the messages it parses' },
  { field: 'network.protocol', kind: 'missing', codes: ['302020'], reason: 'ICMP is a transport: the example sets network.transport icmp and network.iana_number 1, like the current integration does for 302021 (an older one set network.protocol icmp for 302020)' },
  { field: /^network\.(?:transport|iana_number)$/, kind: 'extra', codes: ['302020'], reason: 'see network.protocol for 302020' },

  // Outbound connections (302013/302015): the current integration swaps the two addresses (the connection
  // was initiated from the inside), the expected file of test-non-canonical predates that.
  { field: /^(?:source|destination)\.|^cisco\.asa\.(?:source|destination)_interface$|^cisco\.asa\.mapped_|^observer\.(?:ingress|egress)\.|^related\.(?:ip|hosts)$/, kind: 'value', codes: ['302013', '302015'], files: ['test-non-canonical.log-expected.json'], reason: OLDER_MAPPING + ': outbound connections are reported from the initiator (inside) to the responder' },
  { field: /^(?:source|destination)\.|^cisco\.asa\.mapped_/, kind: 'missing', codes: ['302013', '302015'], files: ['test-non-canonical.log-expected.json'], reason: 'same swap of outbound addresses' },
  { field: /^(?:source|destination)\.|^cisco\.asa\.mapped_/, kind: 'extra', codes: ['302013', '302015'], files: ['test-non-canonical.log-expected.json'], reason: 'same swap of outbound addresses' },

  // Where the example extracts more than the integration.
  { field: /^cisco\.asa\.icmp_(?:type|code)$/, kind: 'extra', codes: ['106023'], reason: 'the example also extracts the ICMP type and code of denied ICMP packets' },
  { field: /^source\.nat\.(?:ip|port)$/, kind: 'extra', codes: ['305011', '305012'], reason: 'the mapped address of a NAT translation is also written as source.nat.ip/port' },

  // Lines Elastic's pipeline fails on (event.kind pipeline_error), which the example parses: 722022/722023
  // with Group/User/IP not in angle brackets.
  { field: /.*/, kind: 'extra', codes: ['722022', '722023'], files: ['test-asa-missing-groups.log-expected.json'], when: () => true, reason: 'Elastic fails on these lines (pipeline_error); the example parses them' },
  { field: /^(?:event\.kind|message)$/, kind: 'value', codes: ['722022', '722023'], files: ['test-asa-missing-groups.log-expected.json'], reason: 'Elastic fails on these lines (pipeline_error); the example parses them' },
  { field: /^(?:message|error\.message)$/, kind: 'missing', codes: ['722022', '722023'], files: ['test-asa-missing-groups.log-expected.json'], reason: 'Elastic fails on these lines (pipeline_error) and keeps message and error.message' },
];

function sameButYear(expected: unknown, actual: unknown): boolean {
  return typeof expected === 'string' && typeof actual === 'string' && expected.slice(4) === actual.slice(4) && expected !== actual;
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
  return out;
}

function accepted(d: Difference): Accepted | undefined {
  return ACCEPTED.find(
    (a) =>
      a.kind === d.kind &&
      (typeof a.field === 'string' ? a.field === d.field : a.field.test(d.field)) &&
      (!a.codes || a.codes.includes(d.code)) &&
      (!a.files || a.files.includes(d.file)) &&
      (!a.when || a.when(d.expected, d.actual)),
  );
}

function compare(file: string, line: number, expected: Record<string, unknown>, actual: Record<string, unknown>): Difference[] {
  const want = flatten(expected, '', new Map());
  const got = flatten(actual, '', new Map());
  const code = String(want.get('event.code') ?? got.get('event.code') ?? '');
  const diffs: Difference[] = [];
  for (const [field, e] of want) {
    if (!got.has(field)) diffs.push({ file, line, code, field, kind: 'missing', expected: e });
    else if (!isDeepStrictEqual(got.get(field), e)) diffs.push({ file, line, code, field, kind: 'value', expected: e, actual: got.get(field) });
  }
  for (const [field, a] of got) if (!want.has(field)) diffs.push({ file, line, code, field, kind: 'extra', actual: a });
  return diffs;
}

test('firewall example matches Elastic Cisco ASA expected documents, but for the accepted differences', async (t) => {
  const dir = sharedFile(t, 'samples/firewall/cisco_asa/elastic-integrations');
  if (!dir) return;
  const runner = await exampleRunner('firewall');
  const unexplained: Difference[] = [];
  const used = new Set<Accepted>();
  let documents = 0;
  try {
    for (const name of readdirSync(dir).filter((f) => f.endsWith('-expected.json')).sort()) {
      const parsed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { expected: Array<Record<string, unknown>> };
      const docs: Array<Record<string, unknown>> = parsed.expected;
      const logFile = join(dir, name.replace(/-expected\.json$/, ''));
      const originals: string[] = docs.map((d: Record<string, unknown>) => String((d.event as Record<string, unknown>).original));
      let lines = originals;
      if (existsSync(logFile)) {
        lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.trim() !== '');
        // The expected file may cover only the first lines of the log (see the samples README).
        assert.deepEqual(lines.slice(0, docs.length), originals, `${name}: event.original differs from the .log lines`);
      }
      const events = runner.run(lines);
      assert.equal(events.length, lines.length, `${name}: one event per line`);
      for (const [i, doc] of docs.entries()) {
        documents++;
        for (const d of compare(name, i + 1, doc, plain(events[i]!))) {
          const a = accepted(d);
          if (a) used.add(a);
          else unexplained.push(d);
        }
      }
    }
  } finally {
    await runner.close();
  }
  assert.ok(documents >= 70, `compared ${documents} documents`);
  const show = (d: Difference) => `${d.file}:${d.line} [${d.code}] ${d.kind} ${d.field}: expected ${JSON.stringify(d.expected)} got ${JSON.stringify(d.actual)}`;
  assert.deepEqual(unexplained.map(show), [], 'differences from Elastic that are not in ACCEPTED');
  const stale = ACCEPTED.filter((a) => !used.has(a)).map((a) => `${a.kind} ${String(a.field)}${a.codes ? ` (${a.codes.join(',')})` : ''}`);
  assert.deepEqual(stale, [], 'ACCEPTED entries that match no difference any more');
});
