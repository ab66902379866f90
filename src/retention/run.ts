// `sluice retention --config FILE [--dry-run]`: reads the retention config (YAML, `${VAR}` from the
// environment), builds the targets of each section, then for each target prints and deletes (or only prints)
// everything older than its limit. Sections are listed in RETENTION_SECTIONS: the lake adds its own there.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { substituteVariables } from '../config/parser.js';
import { elasticsearchRetention } from './elasticsearch.js';
import { lakeRetention } from './lake.js';
import type { RetentionSection, RetentionTarget } from './target.js';

/** Every section a retention config may have. Add a section here (e.g. the lake's) to extend the command. */
export const RETENTION_SECTIONS: RetentionSection[] = [elasticsearchRetention, lakeRetention];

/** Replace `${VAR}` / `${VAR:default}` in every string of the parsed YAML; a missing variable is an error. */
function substitute(v: unknown, missing: Set<string>): unknown {
  if (typeof v === 'string') return substituteVariables(v, process.env, (name) => (missing.add(name), ''));
  if (Array.isArray(v)) return v.map((x) => substitute(x, missing));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, missing)]));
  return v;
}

export function loadRetentionTargets(file: string, sections: RetentionSection[] = RETENTION_SECTIONS): RetentionTarget[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: expected sections such as ${sections.map((s) => `${s.key}:`).join(', ')}`);
  const missing = new Set<string>();
  const config = substitute(doc, missing) as Record<string, unknown>;
  if (missing.size) throw new Error(`${file}: environment variable${missing.size > 1 ? 's' : ''} not set: ${[...missing].join(', ')}`);
  const targets: RetentionTarget[] = [];
  try {
    for (const [key, value] of Object.entries(config)) {
      const section = sections.find((s) => s.key === key);
      if (!section) throw new Error(`unknown section ${JSON.stringify(key)} (known: ${sections.map((s) => s.key).join(', ')})`);
      targets.push(...section.create(value, { configDir: dirname(resolve(file)) }));
    }
  } catch (e) {
    for (const t of targets) void t.close?.();
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  if (!targets.length) throw new Error(`${file}: nothing to do (no ${sections.map((s) => s.key).join(' or ')} section)`);
  return targets;
}

export interface RetentionRunOptions {
  dryRun: boolean;
  now?: Date;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Run every target; returns the process exit code (1 when anything failed). */
export async function runRetention(targets: RetentionTarget[], opts: RetentionRunOptions): Promise<number> {
  const now = opts.now ?? new Date();
  let deleted = 0;
  let failed = 0;
  for (const t of targets) {
    try {
      const candidates = await t.plan(now);
      if (!candidates.length) opts.out(`${t.label}: nothing older than its limit`);
      for (const c of candidates) {
        if (opts.dryRun) {
          opts.out(`${t.label}: would delete ${c.name} (${c.reason})`);
          deleted++;
          continue;
        }
        try {
          await t.remove(c);
          opts.out(`${t.label}: deleted ${c.name} (${c.reason})`);
          deleted++;
        } catch (e) {
          failed++;
          opts.err(`${t.label}: could not delete ${c.name}: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      failed++;
      opts.err(`${t.label}: ${(e as Error).message}`);
    } finally {
      await t.close?.();
    }
  }
  opts.out(opts.dryRun ? `retention (dry run): ${deleted} would be deleted${failed ? `, ${failed} error(s)` : ''}` : `retention: ${deleted} deleted${failed ? `, ${failed} failed` : ''}`);
  return failed ? 1 : 0;
}
