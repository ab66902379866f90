// StreamFramer: newline and octet-counted framing, limits and odd input, independent of how reads are cut.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamFramer, newFrameCounters } from '../../src/inputs/support/framing.js';
import { FakeSink } from './fake_sink.js';
import type { RawBatch } from '../../src/core/plugin.js';

/** Feed `input` cut into the given pieces, end the stream, and return the frames as the runtime would see them. */
function frame(input: Buffer | string, cuts: number[] = [], max = 1024) {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const counters = newFrameCounters();
  const framer = new StreamFramer('p:', max, counters, { host: 'h' });
  const sink = new FakeSink();
  const parts: RawBatch[] = [];
  let at = 0;
  for (const c of [...cuts, buf.length]) {
    if (c <= at) continue;
    parts.push(...framer.feed(buf.subarray(at, c)));
    at = c;
  }
  parts.push(...framer.end());
  for (const p of parts) void sink.push(p);
  const lines = sink.lines().map((l) => ({ id: l.id, text: l.text.replace(/\r$/, ''), truncated: l.truncated }));
  return { lines, counters, parts };
}

const octet = (msg: string) => `${Buffer.byteLength(msg)} ${msg}`;

test('newline framing: lines, CRLF, a last line without LF; ids count frames from 1', () => {
  const { lines, counters } = frame('<13>a\r\n<13>b\n\n<13>c');
  assert.deepEqual(lines.map((l) => l.text), ['<13>a', '<13>b', '', '<13>c']);
  assert.deepEqual(lines.map((l) => l.id), ['p:1', 'p:2', 'p:3', 'p:4']);
  assert.equal(counters.frames, 4);
});

test('octet counting is detected from the first frame; the trailing LF inside a frame is dropped', () => {
  const msgs = ['<134>1 2026-11-28T11:55:26+00:00 h app - - - one\n', '<134>1 - h app - - - two ✓\n', '<134>1 - h app - - - three'];
  const { lines, counters } = frame(msgs.map(octet).join(''));
  assert.deepEqual(lines.map((l) => l.text), ['<134>1 2026-11-28T11:55:26+00:00 h app - - - one', '<134>1 - h app - - - two ✓', '<134>1 - h app - - - three']);
  assert.equal(counters.frames, 3);
  assert.equal(counters.invalid_headers, 0);
});

test('a line starting with digits but no "<" after the count is read as a line (newline framing)', () => {
  const { lines } = frame('12 apples\n3 pears\n');
  assert.deepEqual(lines.map((l) => l.text), ['12 apples', '3 pears']);
});

test('the result does not depend on where reads are cut (every cut position)', () => {
  const input = [octet('<13>1 - h a - - - first\n'), octet('<13>1 - h a - - - multi\nline\n'), octet('<13>x'), 'plain line in octet mode\n', octet('<13>last')].join('');
  const whole = frame(input).lines;
  assert.equal(whole.length, 5);
  assert.equal(whole[1]!.text, '<13>1 - h a - - - multi\nline', 'an inner LF stays inside its message');
  for (let i = 1; i < input.length; i++) assert.deepEqual(frame(input, [i]).lines, whole, `cut at ${i}`);
  // And byte by byte.
  assert.deepEqual(frame(input, Array.from({ length: input.length }, (_, i) => i)).lines, whole);
});

test('oversize messages are cut, marked truncated and counted; the stream goes on after them', () => {
  const big = 'x'.repeat(5000);
  const lf = frame(`a\n${big}\nb\n`, [100, 2000], 1000);
  assert.deepEqual(lf.lines.map((l) => [l.text.length, l.truncated]), [[1, false], [1000, true], [1, false]]);
  assert.equal(lf.counters.oversize, 1);
  const oc = frame(octet('<13>a') + octet('<13>' + big) + octet('<13>b'), [50, 3000], 1000);
  assert.deepEqual(oc.lines.map((l) => [l.text.length, l.truncated]), [[5, false], [1000, true], [5, false]]);
  assert.equal(oc.counters.oversize, 1);
});

test('an octet count larger than what came before the end: delivered as far as it came, marked truncated, counted', () => {
  const { lines, counters } = frame(octet('<13>ok') + '500 <13>short');
  assert.deepEqual(lines.map((l) => [l.text, l.truncated]), [['<13>ok', false], ['<13>short', true]]);
  assert.equal(counters.incomplete, 1);
});

test('an invalid count in octet mode is counted and the frame read as a line', () => {
  const { lines, counters } = frame(octet('<13>a') + '12x <13>b\n' + octet('<13>c'));
  assert.deepEqual(lines.map((l) => l.text), ['<13>a', '12x <13>b', '<13>c']);
  assert.equal(counters.invalid_headers, 1);
});

test('random bytes never throw and every byte ends up in some frame or is counted', () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let round = 0; round < 200; round++) {
    const len = Math.floor(rnd() * 3000);
    const buf = Buffer.alloc(len);
    for (let i = 0; i < len; i++) buf[i] = rnd() < 0.1 ? 10 : rnd() < 0.2 ? 48 + Math.floor(rnd() * 10) : rnd() < 0.05 ? 32 : Math.floor(rnd() * 256);
    const cuts = Array.from({ length: 5 }, () => Math.floor(rnd() * len)).sort((a, b) => a - b);
    const r = frame(buf, cuts, 200);
    assert.ok(r.counters.frames === r.lines.length, 'frames counted = frames delivered');
    assert.deepEqual(frame(buf, [], 200).lines, r.lines, 'same frames whatever the cuts');
  }
});

test('batches own their bytes exactly (no view into a larger buffer crosses to the workers)', () => {
  const { parts } = frame('a\nb\nc\n', [2]);
  for (const p of parts) if (p.kind === 'bytes') assert.equal(p.data.byteLength, p.data.buffer.byteLength);
});
