import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJson, stringifyEvent } from '../../src/core/serialize.js';
import { TextBytes } from '../../src/core/text_bytes.js';
import { outputBytes } from '../../src/core/byte_pool.js';

test('parseJson keeps 64-bit integers exact (as strings) and leaves safe numbers alone', () => {
  const v = parseJson('{"flow_id": 1587736186286131123, "n": 42, "s": "1587736186286131123", "a": [9007199254740993, 1]}') as Record<string, unknown>;
  assert.equal(v.flow_id, '1587736186286131123');
  assert.equal(v.n, 42);
  assert.equal(v.s, '1587736186286131123');
  assert.deepEqual(v.a, ['9007199254740993', 1]);
  assert.deepEqual(parseJson('{"x": 1234567890123456}'), { x: 1234567890123456 }, 'a safe 16-digit integer stays a number');
  assert.throws(() => parseJson('{"x": 12345678901234567890'), SyntaxError);
});

test('stringifyEvent renders @timestamp as ISO-8601 and leaves out @metadata unless asked', () => {
  const data = { '@timestamp': new Date('2026-11-01T00:00:00Z'), message: 'm', '@metadata': { _id: 'x' }, nested: { d: new Date(0) } };
  assert.equal(stringifyEvent(data), '{"@timestamp":"2026-11-01T00:00:00.000Z","message":"m","nested":{"d":"1970-01-01T00:00:00.000Z"}}');
  assert.match(stringifyEvent(data, true), /"@metadata":\{"_id":"x"\}/);
});

// ---------------------------------------------------------------------------------------------
// TextBytes writes JSON straight into bytes: it must give exactly the UTF-8 of stringifyEvent / JSON.stringify.

/** Deterministic pseudo-random JSON-like values with every kind of string JSON escapes. */
function randomValue(rnd: () => number, depth: number): unknown {
  const pick = Math.floor(rnd() * (depth > 3 ? 6 : 9));
  const chars = ['a', 'Z', '0', ' ', '"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', '€', '😀', '\ud800', '\udc00', '/', '<', '\u2028'];
  switch (pick) {
    case 0: {
      let s = '';
      const n = Math.floor(rnd() * (rnd() < 0.1 ? 200 : 12));
      for (let i = 0; i < n; i++) s += rnd() < 0.7 ? String.fromCharCode(32 + Math.floor(rnd() * 95)) : chars[Math.floor(rnd() * chars.length)];
      return s;
    }
    case 1:
      return [0, -0, 1.5, -42, 1e21, 1e-7, NaN, Infinity, -Infinity, 2 ** 53, 123456789][Math.floor(rnd() * 11)];
    case 2:
      return rnd() < 0.5;
    case 3:
      return null;
    case 4:
      return [undefined, () => 1, Symbol('s')][Math.floor(rnd() * 3)];
    case 5:
      return rnd() < 0.5 ? new Date(Math.floor(rnd() * 2e12)) : new Date(NaN);
    case 6: {
      const a: unknown[] = [];
      const n = Math.floor(rnd() * 5);
      for (let i = 0; i < n; i++) a.push(randomValue(rnd, depth + 1));
      if (rnd() < 0.1) a.length += 2; // holes
      return a;
    }
    default: {
      const o: Record<string, unknown> = rnd() < 0.1 ? Object.create(null) : {};
      const n = Math.floor(rnd() * 6);
      for (let i = 0; i < n; i++) o[String(randomValue(rnd, 9)) + (rnd() < 0.2 ? String(i) : '')] = randomValue(rnd, depth + 1);
      if (rnd() < 0.1) o['7'] = 'an index key comes first';
      return o;
    }
  }
}

test('TextBytes.pushEvent and pushJson write the bytes of stringifyEvent and JSON.stringify, for every kind of value', () => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
  const tb = new TextBytes();
  for (let i = 0; i < 3000; i++) {
    const data = randomValue(rnd, 0) as Record<string, unknown>;
    const event = data !== null && typeof data === 'object' && !Array.isArray(data) && !(data instanceof Date) ? data : { value: data };
    if (i % 3 === 0) event['@timestamp'] = i % 9 === 0 ? new Date(NaN) : new Date(1_700_000_000_000 + i);
    if (i % 4 === 0) event['@metadata'] = { _id: `id-${i}`, nested: { '@metadata': 'kept' } };
    tb.pushEvent(event);
    assert.equal(tb.toBuffer().toString('utf8'), stringifyEvent(event), `event ${i}`);
    tb.pushEvent(event, true);
    assert.equal(tb.toBuffer().toString('utf8'), stringifyEvent(event, true), `event ${i} with metadata`);
    const v = randomValue(rnd, 0);
    tb.pushJson(v);
    assert.equal(tb.toBuffer().toString('utf8'), JSON.stringify(v) ?? 'null', `value ${i}`);
  }
});

test('TextBytes: long strings (copied natively when nothing needs escaping) and repeated keys come out as JSON.stringify has them', () => {
  const tb = new TextBytes();
  const clean = 'Built inbound TCP connection 1234 for outside:10.0.0.1/443 (10.0.0.1/443) to inside:192.168.0.1/80';
  const specials = ['"', '\\', '\n', '\u0000', '\u007f', 'é', 'ÿ', '€', '😀', '\ud800'];
  const values: string[] = [clean, clean.slice(0, 39), clean.slice(0, 40), clean.slice(0, 41), 'x'.repeat(5000)];
  for (const c of specials) for (const at of [0, 20, 39, 40, clean.length]) values.push(clean.slice(0, at) + c + clean.slice(at));
  // A Latin-1 string V8 stores one byte per character: it must still come out as UTF-8.
  values.push(Buffer.from('caf\u00e9 '.repeat(20), 'latin1').toString('latin1'));
  for (const v of values) {
    const event = { message: v, [v.slice(0, 50)]: v.length, 'a "quoted" key': v, '€uro': [v, { k: v }] };
    tb.pushEvent(event);
    tb.pushEvent(event); // the second time, every key comes from the key cache
    assert.equal(tb.toBuffer().toString('utf8'), stringifyEvent(event).repeat(2), JSON.stringify(v).slice(0, 80));
  }
});

test('TextBytes: past the key cache (thousands of distinct keys), keys are still written as JSON.stringify writes them', () => {
  const tb = new TextBytes();
  for (let i = 0; i < 6000; i++) {
    const event = { [`k${i} "${String.fromCharCode(0x20 + (i % 95))}"`]: i, message: `m${i}` };
    tb.pushEvent(event);
    assert.equal(tb.toBuffer().toString('utf8'), stringifyEvent(event), `event ${i}`);
  }
});

test('TextBytes: objects JSON.stringify treats specially (toJSON, Map, Buffer) come out as JSON.stringify has them', () => {
  const tb = new TextBytes();
  const odd = { m: new Map([[1, 2]]), b: Buffer.from('hi'), t: { toJSON: () => 'custom' }, u: { toJSON: () => undefined }, s: new Set([1]) };
  tb.pushEvent(odd);
  assert.equal(tb.toBuffer().toString(), JSON.stringify(odd));
  tb.pushJson([odd.t, odd.u]);
  assert.equal(tb.toBuffer().toString(), JSON.stringify([odd.t, odd.u]));
});

test('TextBytes: a cycle throws as JSON.stringify does; many batches of growing size keep every byte', () => {
  const tb = new TextBytes();
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.throws(() => tb.pushEvent(cyclic), TypeError);
  tb.toBuffer();
  for (const n of [1, 10, 1000, 20_000, 3]) {
    const events = Array.from({ length: n }, (_, i) => ({ message: `line ${i} ${'x'.repeat(i % 300)} é`, n: i }));
    for (const e of events) {
      tb.pushEvent(e);
      tb.pushByte(10);
    }
    const out = tb.toBuffer();
    assert.equal(out.toString('utf8'), events.map((e) => JSON.stringify(e) + '\n').join(''));
    assert.ok(outputBytes.owns(out.buffer));
  }
});
