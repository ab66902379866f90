// fingerprint: consistent hashes of fields, equal to Logstash's for the same event. Values are turned
// into the exact strings Logstash hashes: Ruby's "#{value}" (hashes and arrays in Ruby inspect form
// with hash keys sorted), and with concatenate_sources the string "|name|value|name|value|".

import { createHash, createHmac, randomUUID } from 'node:crypto';
import { defineFilter, type Filter } from '../core/plugin.js';
import type { Event } from '../core/event.js';
import { parseFieldRef, type FieldPath } from '../core/fieldref.js';
import { compareBytewise, rubyToS } from './support/ruby.js';
import { int64LE, murmur3x64_128, murmur3x86_32 } from './support/murmur3.js';

const METHODS = ['SHA1', 'SHA256', 'SHA384', 'SHA512', 'MD5', 'MURMUR3', 'MURMUR3_128', 'IPV4_NETWORK', 'UUID', 'PUNCTUATION'] as const;
type Method = (typeof METHODS)[number];

interface FingerprintConfig {
  source: string[];
  target?: string;
  key?: string;
  base64encode: boolean;
  method: Method;
  concatenate_sources: boolean;
  concatenate_all_fields: boolean;
  ecs_compatibility?: 'disabled' | 'v1' | 'v8';
}

const DIGESTS: Partial<Record<Method, string>> = { SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512', MD5: 'md5' };
// Logstash hashes MURMUR3_128 with seed 2 (and integers as 32-bit little-endian values).
const MURMUR3_128_SEED = 2;
const FAILURE_TAG = '_fingerprintfailure';
const PUNCTUATION_STRIP = /[^\p{P}\p{S}]/gu;
const encoder = new TextEncoder();

class FingerprintError extends Error {}

function int32LE(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, Number(BigInt.asIntN(32, BigInt(n))), true);
  return b;
}

function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function ipv4Network(value: unknown, bits: number): string {
  const s = rubyToS(value);
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(s);
  if (!m) throw new FingerprintError(`invalid IPv4 address ${JSON.stringify(s)}`);
  const octets = [m[1], m[2], m[3], m[4]].map(Number);
  if (octets.some((o) => o > 255)) throw new FingerprintError(`invalid IPv4 address ${JSON.stringify(s)}`);
  let addr = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const maskOf = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);
  if (m[5] !== undefined) addr = (addr & maskOf(Number(m[5]))) >>> 0;
  addr = (addr & maskOf(bits)) >>> 0;
  return [addr >>> 24, (addr >>> 16) & 255, (addr >>> 8) & 255, addr & 255].join('.');
}

export default defineFilter<FingerprintConfig>({
  name: 'fingerprint',
  description: 'Store a consistent hash (fingerprint) of one or more fields, e.g. to build document ids that deduplicate.',
  notes:
    'Hashes equal Logstash\'s: SHA*/MD5 of the field value (HMAC when `key` is set), MURMUR3 as the unsigned 32-bit number, MURMUR3_128 as hex (seed 2, as Logstash). ' +
    'With concatenate_sources the hashed string is "|field1|value1|field2|value2|" with source names sorted. ' +
    'Hashes and arrays are hashed in Ruby\'s inspect form with keys sorted ({"a"=>1, "b"=>[1, "x"]}). ' +
    'A float with an integral value (1.0) is hashed as an integer (1): JavaScript does not tell them apart. ' +
    'IPV4_NETWORK on a value that is not an IPv4 address tags the event `_fingerprintfailure` (Logstash raises an error).',
  options: {
    source: { type: 'array', items: 'string', default: ['message'], description: 'Field(s) to fingerprint. Without concatenation the last existing one wins; an array value gives an array of fingerprints.' },
    target: { type: 'string', description: 'Field that receives the fingerprint (overwritten). Default `fingerprint`, or `[event][hash]` with ecs_compatibility v1/v8.' },
    key: { type: 'password', description: 'HMAC key for SHA1/SHA256/SHA384/SHA512/MD5 (plain digest without it); for IPV4_NETWORK the prefix length.' },
    base64encode: { type: 'boolean', default: false, description: 'Base64 instead of hex for SHA*, MD5 and MURMUR3_128.' },
    method: { type: 'string', enum: METHODS, default: 'SHA1', description: 'SHA1, SHA256, SHA384, SHA512, MD5, MURMUR3 (32-bit number), MURMUR3_128, IPV4_NETWORK (mask the address to `key` bits), UUID (random) or PUNCTUATION (keep only punctuation and symbols).' },
    concatenate_sources: { type: 'boolean', default: false, description: 'Hash all source fields together as "|name|value|…|" (names sorted).' },
    concatenate_all_fields: { type: 'boolean', default: false, description: 'Hash every field of the event (except @metadata) as "|name|value|…|" (names sorted).' },
    ecs_compatibility: { type: 'string', enum: ['disabled', 'v1', 'v8'], description: 'With v1 or v8 the default target is `[event][hash]`.' },
  },
  create(config): Filter {
    const method = config.method;
    const ecs = config.ecs_compatibility === 'v1' || config.ecs_compatibility === 'v8';
    const targetPath: FieldPath = parseFieldRef(config.target ?? (ecs ? '[event][hash]' : 'fingerprint'));
    const key = config.key;
    const base64 = config.base64encode;
    const sources = config.source.map((s) => ({ name: s, path: parseFieldRef(s) }));
    const sortedSources = sources.slice().sort((a, b) => compareBytewise(a.name, b.name));
    let ipBits = 0;
    if (method === 'IPV4_NETWORK') {
      if (key === undefined) throw new Error('fingerprint: key must be set to the subnet prefix length for IPV4_NETWORK');
      ipBits = Number(/^\s*[+-]?\d+/.exec(key)?.[0] ?? 0); // Ruby String#to_i
      if (ipBits < 0 || ipBits > 32) throw new Error(`fingerprint: invalid IPv4 prefix length ${key}`);
    }

    const digest = DIGESTS[method];
    const fingerprint = (value: unknown): unknown => {
      if (digest !== undefined) {
        const h = key !== undefined ? createHmac(digest, key) : createHash(digest);
        return h.update(rubyToS(value, true), 'utf8').digest(base64 ? 'base64' : 'hex');
      }
      switch (method) {
        case 'MURMUR3':
          return murmur3x86_32(isInteger(value) ? int64LE(value) : encoder.encode(rubyToS(value, true)));
        case 'MURMUR3_128': {
          const bytes = murmur3x64_128(isInteger(value) ? int32LE(value) : encoder.encode(rubyToS(value, true)), MURMUR3_128_SEED);
          return Buffer.from(bytes).toString(base64 ? 'base64' : 'hex');
        }
        case 'IPV4_NETWORK':
          return ipv4Network(value, ipBits);
        default:
          throw new FingerprintError(`unexpected method ${method}`);
      }
    };

    const run = (event: Event): void => {
      if (method === 'UUID') {
        event.setPath(targetPath, randomUUID());
        return;
      }
      if (method === 'PUNCTUATION') {
        for (const s of sortedSources) {
          const v = event.getPath(s.path);
          if (v === undefined) continue;
          event.setPath(targetPath, rubyToS(v).replace(PUNCTUATION_STRIP, ''));
        }
        return;
      }
      if (config.concatenate_sources || config.concatenate_all_fields) {
        let s = '';
        if (config.concatenate_all_fields) {
          const data = event.toJSON();
          for (const k of Object.keys(data).sort(compareBytewise)) if (data[k] !== undefined) s += `|${k}|${rubyToS(data[k], true)}`;
        } else {
          for (const src of sortedSources) s += `|${src.name}|${rubyToS(event.getPath(src.path), true)}`;
        }
        event.setPath(targetPath, fingerprint(s + '|'));
        return;
      }
      for (const src of sources) {
        const v = event.getPath(src.path);
        if (v === undefined) continue;
        event.setPath(targetPath, Array.isArray(v) ? v.map(fingerprint) : fingerprint(v));
      }
    };

    return {
      failureTags: [FAILURE_TAG],
      filter(event: Event): boolean {
        try {
          run(event);
          return true;
        } catch {
          event.tag(FAILURE_TAG);
          return false;
        }
      },
    };
  },
});
