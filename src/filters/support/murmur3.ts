// MurmurHash3 (Austin Appleby's public-domain algorithm), written for the fingerprint filter:
// x86_32 (Logstash's MURMUR3 value) and x64_128 (MURMUR3_128). Inputs are bytes; strings are hashed
// as their UTF-8 encoding, as Ruby's murmurhash3 gem does.

const C1_32 = 0xcc9e2d51;
const C2_32 = 0x1b873593;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3_x86_32 of `data`; returns an unsigned 32-bit integer. */
export function murmur3x86_32(data: Uint8Array, seed = 0): number {
  const len = data.length;
  const blocks = len & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < blocks; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, C1_32);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2_32);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rem = len & 3;
  if (rem !== 0) {
    let k = 0;
    if (rem === 3) k ^= data[blocks + 2]! << 16;
    if (rem >= 2) k ^= data[blocks + 1]! << 8;
    k ^= data[blocks]!;
    k = Math.imul(k, C1_32);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2_32);
    h ^= k;
  }
  h ^= len;
  return fmix32(h);
}

const MASK64 = (1n << 64n) - 1n;
const C1_64 = 0x87c37b91114253d5n;
const C2_64 = 0x4cf5ad432745937fn;

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK64;
}

function fmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & MASK64;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & MASK64;
  k ^= k >> 33n;
  return k;
}

function readU64LE(data: Uint8Array, at: number, count: number): bigint {
  let v = 0n;
  for (let i = count - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[at + i]!);
  return v;
}

/**
 * MurmurHash3_x64_128 of `data`: the 16-byte digest, h1 then h2 each little-endian (the byte order of
 * the reference implementation's output buffer and of the Ruby gem's `str_digest`).
 * BigInt keeps this simple and exact; it is fast enough for per-event fingerprints.
 */
export function murmur3x64_128(data: Uint8Array, seed = 0): Uint8Array {
  const len = data.length;
  const blocks = len - (len % 16);
  let h1 = BigInt(seed >>> 0);
  let h2 = h1;
  for (let i = 0; i < blocks; i += 16) {
    let k1 = readU64LE(data, i, 8);
    let k2 = readU64LE(data, i + 8, 8);
    k1 = (k1 * C1_64) & MASK64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * C2_64) & MASK64;
    h1 ^= k1;
    h1 = rotl64(h1, 27n);
    h1 = (h1 + h2) & MASK64;
    h1 = (h1 * 5n + 0x52dce729n) & MASK64;
    k2 = (k2 * C2_64) & MASK64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * C1_64) & MASK64;
    h2 ^= k2;
    h2 = rotl64(h2, 31n);
    h2 = (h2 + h1) & MASK64;
    h2 = (h2 * 5n + 0x38495ab5n) & MASK64;
  }
  const rem = len - blocks;
  if (rem > 8) {
    let k2 = readU64LE(data, blocks + 8, rem - 8);
    k2 = (k2 * C2_64) & MASK64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * C1_64) & MASK64;
    h2 ^= k2;
  }
  if (rem > 0) {
    let k1 = readU64LE(data, blocks, Math.min(rem, 8));
    k1 = (k1 * C1_64) & MASK64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * C2_64) & MASK64;
    h1 ^= k1;
  }
  const blen = BigInt(len);
  h1 ^= blen;
  h2 ^= blen;
  h1 = (h1 + h2) & MASK64;
  h2 = (h2 + h1) & MASK64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & MASK64;
  h2 = (h2 + h1) & MASK64;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i] = Number((h1 >> BigInt(8 * i)) & 0xffn);
    out[8 + i] = Number((h2 >> BigInt(8 * i)) & 0xffn);
  }
  return out;
}

/** The 8 little-endian bytes of a signed 64-bit integer (Ruby `[i].pack("Q<")`, the gem's int64_hash input). */
export function int64LE(n: number | bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(n)), true);
  return b;
}
