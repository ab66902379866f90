import { test } from 'node:test';
import assert from 'node:assert/strict';
import { int64LE, murmur3x64_128, murmur3x86_32 } from '../../../src/filters/support/murmur3.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** SMHasher's VerificationTest: hash keys {}, {0}, {0,1}, … with seed 256-n, then hash the hashes. */
function verification(hash: (data: Uint8Array, seed: number) => Uint8Array, size: number): number {
  const key = new Uint8Array(256);
  const hashes = new Uint8Array(size * 256);
  for (let i = 0; i < 256; i++) {
    key[i] = i;
    hashes.set(hash(key.subarray(0, i), 256 - i), i * size);
  }
  const final = hash(hashes, 0);
  return (final[0]! | (final[1]! << 8) | (final[2]! << 16) | (final[3]! << 24)) >>> 0;
}

test('x86_32 passes SMHasher verification (0xB0F57EE3)', () => {
  const as32 = (d: Uint8Array, seed: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, murmur3x86_32(d, seed), true);
    return b;
  };
  assert.equal(verification(as32, 4), 0xb0f57ee3);
});

test('x64_128 passes SMHasher verification (0x6384BA69)', () => {
  assert.equal(verification(murmur3x64_128, 16), 0x6384ba69);
});

test('known x86_32 values (Ruby murmurhash3 gem test vectors)', () => {
  assert.equal(murmur3x86_32(utf8('asdfqwer')), 0xa46b5209);
  assert.equal(murmur3x86_32(utf8('asdfqwerty')), 0xa3cfe04b);
  assert.equal(murmur3x86_32(utf8('asd')), 0x14570c6f);
  assert.equal(murmur3x86_32(utf8('')), 0);
});

test('known x64_128 values for every tail length class (gem test vectors)', () => {
  const words = (s: string) => {
    const d = new DataView(murmur3x64_128(utf8(s)).buffer);
    return [0, 4, 8, 12].map((o) => d.getUint32(o, true));
  };
  assert.deepEqual(words('asdfqwer'), [0xd6d7d367, 0xcb41f064, 0x8973cd72, 0xc345e72e]);
  assert.deepEqual(words('asdfqwerzxcvyui'), [0x07b2172f, 0x64ecae1b, 0x1813b5a5, 0x9c674ee6]);
  assert.deepEqual(words('asdfqwerzxcvyuio'), [0xf508df57, 0xbb38f3fd, 0xf48c9d98, 0xb65c36cd]);
  assert.deepEqual(words('asdfqwerzxcvyuio!'), [0x8a011755, 0xb13d463f, 0x8386d32a, 0x0df8884c]);
});

test('int64LE packs two’s complement little-endian', () => {
  assert.deepEqual([...int64LE(0x12345678)], [0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0]);
  assert.deepEqual([...int64LE(-1)], [255, 255, 255, 255, 255, 255, 255, 255]);
});
