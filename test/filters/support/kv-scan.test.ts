import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKvScanRegex, fastKvScan, fastKvScanApplies, kvScanRubySource, type KvScanOptions } from '../../../src/filters/support/kv-scan.js';

function regexPairs(o: KvScanOptions, text: string): [string, string | null][] {
  const r = buildKvScanRegex(o);
  if (!r.hasValueSplit.test(text)) return [];
  const out: [string, string | null][] = [];
  for (const m of text.matchAll(r.scan)) {
    let v: string | null = null;
    for (let i = 2; i < m.length; i++) if (m[i] !== undefined) { v = m[i]!; break; }
    out.push([m[1]!, v]);
  }
  return out;
}

function fastPairs(o: KvScanOptions, text: string): [string, string | null][] {
  const flat: (string | undefined)[] = [];
  fastKvScan(text, o, flat);
  const out: [string, string | null][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1] ?? null]);
  return out;
}

const base: KvScanOptions = { fieldSplit: ' ', valueSplit: '=', includeBrackets: true, lenient: true };

test('the scan regex is built like Logstash builds it', () => {
  const src = kvScanRubySource(base);
  assert.match(src.scan, /^\(\(\?:\\\\\.\|\[\^= \]\)\+\)/);
  assert.equal(src.valueSplit, '(?: *)(?:[=])(?: *)');
});

test('the fast scanner applies only to plain character separators', () => {
  assert.equal(fastKvScanApplies(base), true);
  assert.equal(fastKvScanApplies({ ...base, fieldSplit: '&?' }), true);
  assert.equal(fastKvScanApplies({ ...base, fieldSplitPattern: ':+' }), false);
  assert.equal(fastKvScanApplies({ ...base, fieldSplit: '\\]' }), false);
  assert.equal(fastKvScanApplies({ ...base, valueSplit: ' =' }), false);
  assert.equal(fastKvScanApplies({ ...base, fieldSplit: '=' }), false);
});

test('fast scanner gives exactly the pairs of the regex (generated inputs)', () => {
  // A fixed linear congruential generator keeps the inputs the same on every run.
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = ['a', 'b', 'k', ' ', ' ', '=', '=', '"', "'", '(', ')', '[', ']', '<', '>', ',', ';', ':', '&', '\n', '|', 'é'];
  const configs: KvScanOptions[] = [
    base,
    { ...base, lenient: false },
    { ...base, includeBrackets: false },
    { fieldSplit: ',;', valueSplit: ':=', includeBrackets: true, lenient: true },
    { fieldSplit: '&?', valueSplit: '=', includeBrackets: false, lenient: false },
  ];
  let compared = 0;
  for (const o of configs) {
    for (let n = 0; n < 1500; n++) {
      let text = '';
      const len = rand(30);
      for (let i = 0; i < len; i++) text += alphabet[rand(alphabet.length)];
      assert.deepEqual(fastPairs(o, text), regexPairs(o, text), `options ${JSON.stringify(o)} text ${JSON.stringify(text)}`);
      compared++;
    }
  }
  assert.equal(compared, 7500);
});

test('Ruby $ before a newline ends a quoted value', () => {
  assert.deepEqual(regexPairs(base, 'a="x"\nb=2'), [['a', 'x'], ['\nb', '2']]);
  assert.deepEqual(fastPairs(base, 'a="x"\nb=2'), [['a', 'x'], ['\nb', '2']]);
});
