// The ids and waf examples over real sample logs from ../shared (not redistributable, so not in the repo):
// nothing crashes, every line gives one event, broken lines are tagged and the rest is parsed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sharedFile } from '../helpers.js';
import { exampleRunner, plain } from './run-example.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function lines(file: string): string[] {
  const all = readFileSync(file, 'utf8').split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

const failed = (d: Doc) => ((d.tags ?? []) as string[]).filter((t) => t.endsWith('failure'));
function count<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

test('ids example over Suricata EVE samples (surevego eve.json and the deliberately broken eve_broken.json)', async (t) => {
  const good = sharedFile(t, 'samples/ids/suricata/surevego/eve.json');
  const broken = sharedFile(t, 'samples/ids/suricata/surevego/eve_broken.json');
  if (!good || !broken) return;
  const runner = await exampleRunner('ids');
  try {
    const input = lines(good);
    const docs = runner.run(input).map(plain) as Doc[];
    assert.equal(docs.length, input.length);
    assert.deepEqual(docs.filter((d) => failed(d).length), []);
    assert.deepEqual(count(docs, (d) => d.suricata.eve.event_type), { dns: 48, alert: 68, fileinfo: 68, http: 68, flow: 13, stats: 1 });
    for (const d of docs) {
      assert.match(d['@timestamp'], /^2017-01-/, 'time from the EVE record');
      assert.equal(d.timestamp, undefined);
      if (d.suricata.eve.event_type === 'stats') continue;
      assert.ok(d.source.ip && d.destination.ip && d.network.transport, JSON.stringify(d));
    }
    for (const d of docs.filter((x) => x.suricata.eve.event_type === 'alert')) {
      assert.equal(d.event.kind, 'alert');
      assert.deepEqual(d.event.category, ['network', 'intrusion_detection']);
      assert.ok(d.rule.id && d.rule.name && d.rule.category && Number.isInteger(d.event.severity), JSON.stringify(d));
    }
    for (const d of docs.filter((x) => x.suricata.eve.event_type === 'dns')) assert.ok(d.dns.type && d.dns.id && (d.dns.question?.name || d.dns.question?.type), JSON.stringify(d));
    assert.ok(docs.filter((x) => x.dns?.answers?.length).length >= 10, 'dns.answers from EVE v1 answer records');
    for (const d of docs.filter((x) => x.suricata.eve.event_type === 'http')) assert.ok(d.url.original && d.http.request.method, JSON.stringify(d));

    const brokenInput = lines(broken);
    const brokenDocs = runner.run(brokenInput).map(plain) as Doc[];
    const blank = brokenInput.filter((l) => l.trim() === '').length;
    assert.equal(blank, 4);
    // A blank line is no event; every other line is one.
    assert.equal(brokenDocs.length, brokenInput.length - blank);
    assert.deepEqual(count(brokenDocs, (d) => failed(d).join(',') || 'ok'), { ok: 262, _jsonparsefailure: 6, _dateparsefailure: 1 });
    for (const d of brokenDocs.filter((x) => failed(x).includes('_jsonparsefailure'))) assert.equal(typeof d.message, 'string');
    for (const d of brokenDocs.filter((x) => !failed(x).length)) assert.match(d['@timestamp'], /^2017-01-/);
  } finally {
    await runner.close();
  }
});

test('waf example over nginx sample logs', async (t) => {
  const access = sharedFile(t, 'samples/waf/nginx/elastic-integrations/test-access.log');
  const withHost = sharedFile(t, 'samples/waf/nginx/elastic-integrations/test-test-with-host.log');
  const errors = sharedFile(t, 'samples/waf/nginx/elastic-integrations/test-error-raw.log');
  if (!access || !withHost || !errors) return;
  const runner = await exampleRunner('waf');
  try {
    const accessDocs = runner.run(lines(access)).map(plain) as Doc[];
    assert.equal(accessDocs.length, 14);
    assert.deepEqual(accessDocs.filter((d) => failed(d).length), []);
    for (const d of accessDocs) {
      assert.match(d['@timestamp'], /^20(?:16|20)-/);
      assert.ok(d.source.ip && d.http.request.method && d.url.original && Number.isInteger(d.http.response.status_code), JSON.stringify(d));
      assert.equal(d.event.outcome, d.http.response.status_code >= 400 ? 'failure' : 'success');
    }
    assert.equal(accessDocs[0]!['@timestamp'], '2016-10-25T12:49:33.000Z', 'the +0200 offset is applied');
    assert.equal(accessDocs[13]!.url.domain, 'lessons.example.com', 'a virtual host before the client address');

    // Virtual host + X-Forwarded-For variants: all but the unix-socket line parse, the client is the first address.
    const hostDocs = runner.run(lines(withHost)).map(plain) as Doc[];
    assert.equal(hostDocs.length, 10);
    const hostFailures = hostDocs.filter((d) => failed(d).length);
    assert.equal(hostFailures.length, 1);
    assert.match(hostFailures[0]!.message, / unix: /, 'the request came through a unix socket: no client address');
    assert.equal(hostDocs[0]!.source.ip, '10.0.0.2');
    assert.equal(hostDocs[0]!.url.domain, 'example.com');

    // An error log is not an access log: every line goes to the failures, with its text.
    const errorDocs = runner.run(lines(errors)).map(plain) as Doc[];
    assert.equal(errorDocs.length, 7);
    assert.ok(errorDocs.every((d) => failed(d).includes('_grokparsefailure') && typeof d.message === 'string'));
  } finally {
    await runner.close();
  }
});
