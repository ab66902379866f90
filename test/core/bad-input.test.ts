// Bad input end to end: nothing crashes the process, nothing disappears uncounted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { Agent } from '../../src/core/agent.js';
import { sharedFile } from '../helpers.js';
import { readJsonLines } from '../support/sluice.js';

async function run(config: string, dir: string) {
  const agent = new Agent({ configString: config, pathData: join(dir, 'data'), workers: 2, batchSize: 50 }, await loadRegistry(), createLogger('test'));
  await agent.start();
  await agent.whenIdle();
  return agent.stats()[0]!;
}

test('invalid UTF-8 is replaced, over-long lines are cut and tagged, grok and date failures are tagged and kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bad-'));
  const input = join(dir, 'in.log');
  const good = 'Nov 01 2026 10:00:00 fw1 accepted\n';
  const bytes = Buffer.concat([
    Buffer.from(good),
    Buffer.from([0x4e, 0x6f, 0x76, 0x20, 0xff, 0xfe, 0xc3, 0x0a]), // "Nov " + invalid bytes
    Buffer.from('x'.repeat(3 * 1024 * 1024) + '\n'), // 3 MiB line
    Buffer.from('Foo 99 2026 99:99:99 fw1 bad date\n'),
    Buffer.from(good),
  ]);
  writeFileSync(input, bytes);
  const out = join(dir, 'out.jsonl');
  const s = await run(
    `input { file { path => "${input}" mode => "read" file_completed_action => "log" file_completed_log_path => "${join(dir, 'done.log')}" sincedb_path => "${join(dir, 'sincedb')}" max_line_bytes => 65536 } }
     filter {
       grok { match => { "message" => "^%{WORD:mon} %{INT:day} %{INT:year} %{TIME:time} %{WORD:device} %{GREEDYDATA:text}$" } }
       mutate { add_field => { "ts" => "%{mon} %{day} %{year} %{time}" } }
       date { match => ["ts", "MMM dd yyyy HH:mm:ss"] }
     }
     output { file { path => "${out}" } }`,
    dir,
  );
  const events = readJsonLines(out);
  assert.equal(events.length, 5, 'every line is an event');
  assert.equal(s.in, 5);
  assert.equal(s.out, 5);
  // Batches complete out of order on 2 workers: find events by content, not position.
  const parsed = events.filter((e) => e.message === good.trim());
  assert.equal(parsed.length, 2);
  for (const e of parsed) {
    assert.equal(e.device, 'fw1');
    assert.equal(e['@timestamp'], '2026-11-01T10:00:00.000Z');
  }
  const broken = events.find((e) => String(e.message).startsWith('Nov \uFFFD'));
  assert.ok(broken, 'invalid UTF-8 replaced with U+FFFD');
  assert.ok(broken.tags.includes('_grokparsefailure'));
  const long = events.find((e) => String(e.message).startsWith('xxx'))!;
  assert.equal(Buffer.byteLength(long.message), 65536, 'cut at max_line_bytes');
  assert.ok(long.tags.includes('_line_truncated'));
  const badDate = events.find((e) => String(e.message).startsWith('Foo'))!;
  assert.ok(badDate.tags.includes('_dateparsefailure'));
  assert.equal(s.failed, 3, 'grok failures (2) and the date failure (1) counted');
  assert.equal(s.truncated, 1);
});

test('a broken Suricata EVE file through the json codec: broken lines become _jsonparsefailure events, none lost', async (t) => {
  const sample = sharedFile(t, 'samples/ids/suricata/surevego/eve_broken.json');
  if (!sample) return;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-eve-'));
  const input = join(dir, 'eve.json');
  copyFileSync(sample, input);
  const out = join(dir, 'out.jsonl');
  const s = await run(
    `input { file { path => "${input}" mode => "read" codec => json file_completed_action => "log" file_completed_log_path => "${join(dir, 'done.log')}" sincedb_path => "${join(dir, 'sincedb')}" } }
     output { file { path => "${out}" } }`,
    dir,
  );
  const raw = readFileSync(sample, 'utf8').split('\n');
  const nonEmpty = raw.filter((l) => l.trim() !== '');
  let parseable = 0;
  for (const l of nonEmpty) {
    try {
      const v = JSON.parse(l);
      if (v && typeof v === 'object' && !Array.isArray(v)) parseable++;
    } catch {
      /* broken */
    }
  }
  const events = readJsonLines(out);
  const failures = events.filter((e) => e.tags?.includes('_jsonparsefailure'));
  assert.ok(failures.length > 0, 'the broken lines are there, tagged');
  assert.equal(events.length - failures.length, parseable, 'every valid document is an event');
  assert.equal(s.in, events.length);
  assert.equal(s.failed, failures.length);
  assert.equal(s.in + s.created, s.out + s.dropped);
});
