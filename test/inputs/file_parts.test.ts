import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AckTracker } from '../../src/inputs/file/ack_tracker.js';
import { LineCutter, type CutPiece } from '../../src/inputs/file/line_cutter.js';
import { formatSinceDb, makedev, parseSinceDb } from '../../src/inputs/file/sincedb.js';
import { parseDuration } from '../../src/inputs/file/durations.js';

const text = (p: CutPiece) => (p.kind === 'batch' ? Buffer.from(p.data).toString() : `<skip to ${p.end}>`);

test('AckTracker: out-of-order acks advance the checkpoint over the acknowledged prefix only', () => {
  const seen: number[] = [];
  const t = new AckTracker(100, (a) => seen.push(a));
  const a = t.track(110);
  const b = t.track(120);
  const c = t.track(130);
  c();
  assert.equal(t.acked, 100);
  b();
  assert.equal(t.acked, 100);
  a();
  assert.equal(t.acked, 130);
  assert.deepEqual(seen, [130]);
  a(); // idempotent
  assert.equal(t.idle, true);
  const d = t.track(140);
  t.skipTo(150); // the skipped rest of a cut line waits for what precedes it
  assert.equal(t.acked, 130);
  d();
  assert.equal(t.acked, 150);
});

test('LineCutter: whole lines go out, the partial tail waits for the next read', () => {
  const c = new LineCutter(0, 100);
  const p1 = c.scan(Buffer.from('a\nbb\nccc'));
  assert.deepEqual(p1.map(text), ['a\nbb\n']);
  assert.deepEqual(p1.map((p) => p.end), [5]);
  assert.equal(Buffer.from(c.pending).toString(), 'ccc');
  assert.equal(c.pendingStart, 5);
  const region = Buffer.concat([Buffer.from(c.pending), Buffer.from('c\nd')]);
  const p2 = c.scan(region);
  assert.deepEqual(p2.map(text), ['cccc\n']);
  assert.equal((p2[0] as { baseOffset: number }).baseOffset, 5);
  assert.deepEqual(c.finish().map(text), ['d']);
});

test('LineCutter: a long line is cut at the maximum, its offset listed, its rest skipped across reads', () => {
  const c = new LineCutter(0, 4);
  const p = c.scan(Buffer.from('ok\n0123456789'));
  assert.deepEqual(p.map(text), ['ok\n0123']);
  assert.deepEqual(p[0]!.kind === 'batch' && p[0]!.truncated, [3]);
  assert.equal(p[0]!.end, 3, 'a restart before the rest is skipped reads the long line again (same id)');
  assert.equal(c.isSkipping, true);
  assert.equal(c.pending.length, 0, 'nothing of the long line is kept');
  const q = c.scan(Buffer.from('abc\nnext\n'));
  assert.deepEqual(q.map(text), ['<skip to 17>', 'next\n']);
  assert.equal(q[1]!.kind === 'batch' && q[1]!.baseOffset, 17);
});

test('LineCutter with views: batches are views of the scanned region, what it keeps is its own copy', () => {
  const region = Buffer.from('a\nbb\n0123456789\nccc');
  const c = new LineCutter(0, 6, '\n', true);
  const p = c.scan(region);
  assert.deepEqual(p.map(text), ['a\nbb\n012345', '<skip to 16>']);
  const first = p[0] as { data: Uint8Array };
  assert.equal(first.data.buffer, region.buffer, 'a view, not a copy');
  region.fill(0x78); // the input reads its next bytes into the same buffer
  assert.equal(Buffer.from(c.pending).toString(), 'ccc', 'the pending tail was copied');
  assert.deepEqual(c.finish().map(text), ['ccc']);
  const copying = new LineCutter(0, 100);
  const again = Buffer.from('x\ny');
  const q = copying.scan(again);
  again.fill(0);
  assert.deepEqual(q.map(text), ['x\n'], 'without views, a copy');
});

test('LineCutter: multi-byte delimiters, also split across reads', () => {
  const c = new LineCutter(0, 100, '\r\n');
  assert.deepEqual(c.scan(Buffer.from('a\r\nb\r')).map(text), ['a\r\n']);
  const q = c.scan(Buffer.concat([Buffer.from(c.pending), Buffer.from('\nc')]));
  assert.deepEqual(q.map(text), ['b\r\n']);
  assert.deepEqual(c.finish().map(text), ['c']);
});

test('LineCutter: at the end of input the pending line is emitted, cut if too long', () => {
  const fits = new LineCutter(10, 3);
  assert.deepEqual(fits.scan(Buffer.from('abc')).map(text), [], 'may still grow: kept');
  const f1 = fits.finish();
  assert.deepEqual(f1.map(text), ['abc']);
  assert.equal(f1[0]!.kind === 'batch' && f1[0]!.truncated, undefined);

  // With a 2-byte delimiter a pending tail can reach max + 1 bytes before it is known to be too long.
  const long = new LineCutter(10, 3, '\r\n');
  assert.deepEqual(long.scan(Buffer.from('abcd')).map(text), []);
  const f2 = long.finish();
  assert.deepEqual(f2.map(text), ['abc']);
  assert.deepEqual(f2[0]!.kind === 'batch' && f2[0]!.truncated, [10]);
  assert.equal(f2[0]!.end, 14);

  const skipping = new LineCutter(10, 3);
  assert.deepEqual(skipping.scan(Buffer.from('abcdef')).map(text), ['abc']);
  assert.deepEqual(skipping.finish().map(text), ['<skip to 16>'], 'the skipped rest ends at the end of input');
});

test('sincedb: our format round-trips and Logstash sincedb lines are understood', () => {
  const entries = [{ dev: '2049', ino: '131', generation: 2, offset: 77, lastActive: 1700000000.5, path: '/var/log/with space.log' }];
  const parsed = parseSinceDb(formatSinceDb(entries));
  assert.deepEqual([...parsed.values()], entries);

  const logstash = parseSinceDb('262204 0 2049 1234 1700000000.123 /var/log/syslog\n5 8 1 99\n');
  const a = logstash.get(`${makedev(0n, 2049n)}:262204`);
  assert.deepEqual([a?.offset, a?.generation, a?.path], [1234, 0, '/var/log/syslog']);
  assert.equal(logstash.get(`${makedev(8n, 1n)}:5`)?.offset, 99);
  assert.equal(makedev(8n, 1n), 2049n, 'major 8 minor 1 is st_dev 2049 on Linux');
});

test('durations: numbers in the option unit or friendly strings', () => {
  assert.equal(parseDuration('x', 15, 'seconds'), 15);
  assert.equal(parseDuration('x', '1 hour', 'seconds'), 3600);
  assert.equal(parseDuration('x', '500 ms', 'seconds'), 0.5);
  assert.equal(parseDuration('x', '14 days', 'days'), 14 * 86400);
  assert.equal(parseDuration('x', 2, 'days'), 2 * 86400);
  assert.throws(() => parseDuration('close_older', 'soon', 'seconds'), /close_older/);
});
