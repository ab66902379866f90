// Validation and coercion of plugin settings against the plugin's declared options.
// Errors are collected (not thrown one by one) so `sluice check` can report all of them.

import type { OptionSpec, OptionsSchema, CodecSpec, PluginKind } from './plugin.js';
import { COMMON_OPTIONS } from './plugin.js';

/** A plain settings value as it comes from the config (hashes already turned into objects). */
export type RawValue = unknown;

export class OptionError extends Error {}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

export function parseBytes(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.floor(v);
  if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
    if (m) {
      const unit = (m[2] || 'b').toLowerCase();
      const mult = BYTE_UNITS[unit];
      if (mult !== undefined) return Math.floor(Number(m[1]) * mult);
    }
  }
  throw new OptionError(`expected a size such as 10MiB or 512kb, got ${JSON.stringify(v)}`);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'a hash';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function coerceScalar(type: 'string' | 'number' | 'any', v: unknown, name: string): unknown {
  if (type === 'any') return v;
  if (type === 'string') {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new OptionError(`${name}: expected a string, got ${describe(v)}`);
  }
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new OptionError(`${name}: expected a number, got ${describe(v)}`);
}

export function coerceOption(name: string, spec: OptionSpec, v: unknown): unknown {
  switch (spec.type) {
    case 'string':
    case 'password':
    case 'path': {
      // Logstash accepts a one-element array for a string option.
      if (Array.isArray(v) && v.length === 1) v = v[0];
      const s = coerceScalar('string', v, name) as string;
      if (spec.enum && !spec.enum.includes(s)) throw new OptionError(`${name}: must be one of ${spec.enum.join(', ')}, got ${JSON.stringify(s)}`);
      return s;
    }
    case 'number':
      if (Array.isArray(v) && v.length === 1) v = v[0];
      return coerceScalar('number', v, name);
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw new OptionError(`${name}: expected a boolean (true or false), got ${describe(v)}`);
    case 'array': {
      const arr = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
      const items = spec.items ?? 'any';
      return arr.map((x, i) => coerceScalar(items, x, `${name}[${i}]`));
    }
    case 'hash':
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
      // Logstash also accepts ["k1", "v1", "k2", "v2"] for a hash; a repeated key collects its values in an
      // array (grok: match => ["message", "p1", "message", "p2"]).
      if (Array.isArray(v) && v.length % 2 === 0 && v.every((x) => typeof x !== 'object')) {
        const o: Record<string, unknown> = {};
        for (let i = 0; i < v.length; i += 2) {
          const k = String(v[i]);
          if (!Object.prototype.hasOwnProperty.call(o, k)) o[k] = v[i + 1];
          else {
            const prev = o[k];
            o[k] = Array.isArray(prev) ? [...prev, v[i + 1]] : [prev, v[i + 1]];
          }
        }
        return o;
      }
      throw new OptionError(`${name}: expected a hash like { "key" => "value" }, got ${describe(v)}`);
    case 'codec':
      return toCodecSpec(name, v);
    case 'bytes':
      try {
        return parseBytes(v);
      } catch (e) {
        throw new OptionError(`${name}: ${(e as Error).message}`);
      }
    case 'any':
      return v;
  }
}

export function toCodecSpec(name: string, v: unknown): CodecSpec {
  if (typeof v === 'string') return { name: v, settings: {} };
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as CodecSpec).name === 'string') {
    const c = v as CodecSpec;
    return { name: c.name, settings: c.settings ?? {} };
  }
  throw new OptionError(`${name}: expected a codec such as json or json { … }, got ${describe(v)}`);
}

export interface ValidationResult {
  config: Record<string, unknown>;
  errors: string[];
}

/**
 * Check settings against a plugin's options plus the common options of its kind.
 * Unknown options, wrong types and missing required options become errors; defaults are filled in.
 */
export function validateOptions(kind: PluginKind, pluginName: string, schema: OptionsSchema, settings: Record<string, unknown>): ValidationResult {
  const all: OptionsSchema = { ...COMMON_OPTIONS[kind], ...schema };
  const errors: string[] = [];
  const config: Record<string, unknown> = {};
  for (const key of Object.keys(settings)) {
    const spec = all[key];
    if (!spec) {
      const known = Object.keys(all).sort();
      const near = known.filter((k) => editDistance(k, key) <= 2);
      errors.push(`unknown option '${key}' for ${kind} plugin '${pluginName}'${near.length ? ` (did you mean ${near.map((n) => `'${n}'`).join(' or ')}?)` : ''}`);
      continue;
    }
    try {
      config[key] = coerceOption(key, spec, settings[key]);
    } catch (e) {
      errors.push(`${kind} plugin '${pluginName}': ${(e as Error).message}`);
    }
  }
  for (const [key, spec] of Object.entries(all)) {
    if (key in config) continue;
    if (spec.required) {
      errors.push(`${kind} plugin '${pluginName}': missing required option '${key}'`);
      continue;
    }
    // Defaults go through the same coercion as given values (a `bytes` default like "1 MiB" becomes a number).
    if (spec.default !== undefined) config[key] = cloneDefault(coerceOption(key, spec, spec.default));
  }
  return { config, errors };
}

function cloneDefault(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? structuredClone(v) : v;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
  for (let j = 1; j <= b.length; j++) dp[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i]![j] = Math.min(dp[i - 1]![j]! + 1, dp[i]![j - 1]! + 1, dp[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return dp[a.length]![b.length]!;
}
