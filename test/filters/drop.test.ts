import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPlugin, runFilter } from '../helpers.js';
import type { Filter } from '../../src/core/plugin.js';

const drop = (settings: Record<string, unknown> = {}) => createPlugin<Filter>('filter', 'drop', settings);

test('drops every event by default', async () => {
  const f = await drop();
  const { matched, event } = runFilter(f, { message: 'x' });
  assert.equal(event.cancelled, true);
  assert.equal(matched, false, 'the common options are not applied to dropped events');
});

test('percentage drops about that share, the same events every time', async () => {
  const f = await drop({ percentage: 40 });
  let dropped = 0;
  const decisions: boolean[] = [];
  for (let i = 0; i < 2000; i++) {
    const { event } = runFilter(f, { message: `line ${i}`, '@metadata': { _id: `file:${i * 97}` } });
    decisions.push(event.cancelled);
    if (event.cancelled) dropped++;
  }
  assert.ok(dropped > 700 && dropped < 900, `dropped ${dropped} of 2000`);
  for (let i = 0; i < 2000; i += 137) {
    const again = runFilter(f, { message: `line ${i}`, '@metadata': { _id: `file:${i * 97}` } });
    assert.equal(again.event.cancelled, decisions[i], 'a replayed event gets the same decision');
  }
});

test('percentage 0 keeps everything; out-of-range percentages are config errors', async () => {
  const keep = await drop({ percentage: 0 });
  assert.equal(runFilter(keep, { message: 'x' }).event.cancelled, false);
  await assert.rejects(drop({ percentage: 150 }), /between 0 and 100/);
});
