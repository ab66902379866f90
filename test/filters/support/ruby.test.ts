import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rubyCapitalize, rubyInspect, rubyNumberToS, rubySplit, rubyStrip, rubyToS } from '../../../src/filters/support/ruby.js';

// Expected values come from Ruby 3.1.
test('String#split', () => {
  assert.deepEqual(rubySplit('a,b,,', ','), ['a', 'b']);
  assert.deepEqual(rubySplit('a,b,,', ',', -1), ['a', 'b', '', '']);
  assert.deepEqual(rubySplit('', ','), []);
  assert.deepEqual(rubySplit(' a \t b ', ' '), ['a', 'b']);
  assert.deepEqual(rubySplit('a  b ', ' ', -1), ['a', 'b', '']);
  assert.deepEqual(rubySplit(' \n', ' ', -1), ['']);
  assert.deepEqual(rubySplit('abc', ''), ['a', 'b', 'c']);
  assert.deepEqual(rubySplit('a\nb\n', '\n', -1), ['a', 'b', '']);
});

test('String#strip and #capitalize', () => {
  assert.equal(rubyStrip('  \t x \0\n'), 'x');
  assert.equal(rubyStrip('\u00a0x'), '\u00a0x');
  assert.equal(rubyCapitalize('hello World ÉCOLE'), 'Hello world école');
});

test('to_s and inspect', () => {
  assert.equal(rubyToS(null), '');
  assert.equal(rubyToS(new Date(0)), '1970-01-01T00:00:00.000Z');
  assert.equal(rubyToS({ b: 1, a: [null, 'x"y\n#{}', 1.5, true] }), '{"b"=>1, "a"=>[nil, "x\\"y\\n\\#{}", 1.5, true]}');
  assert.equal(rubyInspect({ b: 1, a: 2, 10: 3, 2: 4 }, true), '{"10"=>3, "2"=>4, "a"=>2, "b"=>1}');
  assert.equal(rubyInspect('\u0001\u007f\u0085é'), '"\\u0001\\u007F\u0085é"');
  assert.deepEqual([0.00001, 123.456, -2.5e-7, 0.0001].map(rubyNumberToS), ['1.0e-05', '123.456', '-2.5e-07', '0.0001']);
});
