import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlugin } from '../helpers.js';
import type { Codec, LineJoiner } from '../../src/core/plugin.js';
import type { EventData } from '../../src/core/event.js';

const STACK = [
  '2024-01-01 10:00:00 ERROR request failed',
  'java.lang.IllegalStateException: boom',
  '\tat com.example.Foo.bar(Foo.java:10)',
  '\tat com.example.Main.main(Main.java:5)',
  'Caused by: java.io.IOException: disk full',
  '\tat com.example.Disk.write(Disk.java:3)',
  '\t... 2 more',
  '2024-01-01 10:00:01 INFO next request',
];

function feed(joiner: LineJoiner, lines: string[], firstId = 0): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  lines.forEach((l, i) => joiner.push(l, `src:${firstId + i}`, out));
  return out;
}

function decode(codec: Codec, text: string): EventData[] {
  const out: EventData[] = [];
  codec.decode(text, (d) => out.push(d));
  return out;
}

function patternsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-patterns-'));
  writeFileSync(join(dir, 'app'), ['# grok pattern file format', 'APP_LEVEL (?:ERROR|WARN|INFO)', 'APP_START ^%{TIMESTAMP_ISO8601} %{APP_LEVEL} ', ''].join('\n'));
  return dir;
}

test('multiline: a Java stack trace joins onto the line that starts with a timestamp (bundled grok pattern, negate, previous)', async () => {
  const codec = await createPlugin<Codec>('codec', 'multiline', { pattern: '^%{TIMESTAMP_ISO8601} ', negate: true, what: 'previous' });
  const joiner = codec.createJoiner!();
  const out = feed(joiner, STACK);
  assert.deepEqual(out, [[STACK.slice(0, 7).join('\n'), 'src:0']], 'the message carries the id of its first line');
  assert.notEqual(joiner.pendingSince, null, 'the next event is pending');
  joiner.flush(out);
  assert.deepEqual(out[1], [STACK[7], 'src:7']);
  assert.equal(joiner.pendingSince, null);

  assert.deepEqual(decode(codec, out[0]![0]), [{ message: STACK.slice(0, 7).join('\n'), tags: ['multiline'] }]);
  assert.deepEqual(decode(codec, out[1]![0]), [{ message: STACK[7] }], 'a single line is not tagged');
});

test('multiline: patterns_dir definitions may build on the bundled library', async () => {
  const codec = await createPlugin<Codec>('codec', 'multiline', { pattern: '%{APP_START}', negate: true, what: 'previous', patterns_dir: [patternsDir()] });
  const out = feed(codec.createJoiner!(), STACK);
  assert.deepEqual(out.map(([, id]) => id), ['src:0']);
  assert.equal(out[0]![0].split('\n').length, 7);
});

test('multiline: Logstash\'s "^\\s" previous example and the "\\\\$" next example', async () => {
  const prev = await createPlugin<Codec>('codec', 'multiline', { pattern: '^\\s', what: 'previous' });
  const j1 = prev.createJoiner!();
  const o1 = feed(j1, ['Exception', '  at a', '  at b', 'Other']);
  assert.deepEqual(o1, [['Exception\n  at a\n  at b', 'src:0']]);

  const next = await createPlugin<Codec>('codec', 'multiline', { pattern: '\\\\$', what: 'next' });
  const j2 = next.createJoiner!();
  const o2 = feed(j2, ['cmd \\', '  --flag \\', '  arg', 'single']);
  assert.deepEqual(o2, [['cmd \\\n  --flag \\\n  arg', 'src:0'], ['single', 'src:3']]);
  assert.equal(j2.pendingSince, null, 'nothing pending after a line that does not continue');
});

test('multiline: max_lines flushes and tags the event', async () => {
  const codec = await createPlugin<Codec>('codec', 'multiline', { pattern: '^\\s', what: 'previous', max_lines: 2 });
  const j = codec.createJoiner!();
  const out = feed(j, ['start', ' 1', ' 2', ' 3', ' 4']);
  // As in Logstash the limit is checked before a line is added, so a flushed event holds max_lines + 1 lines.
  assert.deepEqual(out, [['start\n 1\n 2', 'src:0']]);
  const [ev] = decode(codec, out[0]![0]);
  assert.deepEqual(ev!.tags, ['multiline', 'multiline_codec_max_lines_reached']);
});

test('multiline: auto_flush_interval is idle time since the last line', async () => {
  const codec = await createPlugin<Codec>('codec', 'multiline', { pattern: '^\\s', what: 'previous', auto_flush_interval: 1.5 });
  const j = codec.createJoiner!();
  assert.equal(j.autoFlushMillis, 1500);
  const realNow = Date.now;
  try {
    let now = 1_000;
    Date.now = () => now;
    const out: Array<[string, string]> = [];
    j.push('first', 'id1', out);
    assert.equal(j.pendingSince, 1_000);
    now = 2_000;
    j.push('  continued', 'id2', out);
    assert.equal(j.pendingSince, 2_000, 'each line restarts the idle clock');
    // What the runtime does once now - pendingSince >= autoFlushMillis:
    j.flush(out);
    assert.deepEqual(out, [['first\n  continued', 'id1']]);
    assert.equal(j.pendingSince, null);
  } finally {
    Date.now = realNow;
  }
  const noFlush = await createPlugin<Codec>('codec', 'multiline', { pattern: 'x', what: 'next' });
  assert.equal(noFlush.createJoiner!().autoFlushMillis, 0);
});

test('multiline: an unknown grok pattern or a bad regex is a clear configuration error', async () => {
  await assert.rejects(createPlugin('codec', 'multiline', { pattern: '%{NOPE}', what: 'previous' }), /%\{NOPE\} not defined/);
  await assert.rejects(createPlugin('codec', 'multiline', { pattern: '(', what: 'previous' }), /invalid pattern/);
  await assert.rejects(createPlugin('codec', 'multiline', { pattern: 'x' }), /missing required option 'what'/);
});
