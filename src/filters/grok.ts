// grok: parse text with named regular expressions, as Logstash's grok filter does, with its pattern library.
// Patterns are Oniguruma (Ruby) expressions translated once to JavaScript (see grok/onig.ts) and compiled
// once per thread; per event the filter runs one RegExp per pattern tried and copies groups by index.

import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';
import { defineFilter, type Filter } from '../core/plugin.js';
import type { Event, EventData } from '../core/event.js';
import { parseFieldRef, getPath, setPath, type FieldPath } from '../core/fieldref.js';
import { expandGlob } from '../core/glob.js';
import { compileGrok, PatternLibrary, patternFilesIn, chomp, toInt, toFloat, Convert, GrokError, type CompiledGrok } from './grok/compiler.js';
import { inputTraits, type OnigRegExp } from './grok/onig.js';

export interface GrokConfig {
  match: Record<string, unknown>;
  break_on_match: boolean;
  named_captures_only: boolean;
  keep_empty_captures: boolean;
  overwrite: string[];
  pattern_definitions: Record<string, unknown>;
  patterns_dir: string[];
  patterns_files_glob: string;
  tag_on_failure: string[];
  tag_on_timeout: string;
  timeout_millis: number;
  timeout_scope: 'pattern' | 'event';
  ecs_compatibility: string;
  target?: string;
}

/** The bundled pattern library, at the package root (dist/src/filters/grok.js → ../../../patterns/). */
export const PATTERNS_ROOT = fileURLToPath(new URL('../../../patterns/', import.meta.url));

const ECS_MODES = ['disabled', 'v1', 'v8'] as const;
const ECS_DEFAULT = process.env.SLUICE_ECS_COMPATIBILITY || 'disabled';

/** Library subdirectory for an ecs_compatibility mode (Logstash: v8 uses the v1 patterns). */
export function libraryDirFor(ecs: string): string {
  return join(PATTERNS_ROOT, ecs === 'disabled' ? 'legacy' : 'ecs-v1');
}

/** Copies a match's groups into an event: generated per pattern (see compileCapture). */
type CaptureFn = (m: RegExpExecArray, data: EventData, event: Event) => void;

/** One pattern of one `match` field, with everything the per-event code needs resolved. */
interface PreparedPattern {
  readonly grok: CompiledGrok;
  readonly regex: OnigRegExp;
  readonly capture: CaptureFn;
}

interface FieldMatcher {
  readonly field: string;
  readonly path: FieldPath;
  readonly patterns: PreparedPattern[];
  /** Input facts the patterns' RegExp variants depend on. */
  readonly traits: number;
}

/** Ruby's `to_s` of a field value, as grok matches non-string values. */
function valueToText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}

class GrokFilter implements Filter {
  readonly timeoutMillis: number | undefined;
  readonly failureTags: readonly string[];

  constructor(
    private readonly fields: FieldMatcher[],
    private readonly breakOnMatch: boolean,
    private readonly tagOnTimeout: string,
    timeoutMillis: number,
    tagOnFailure: string[],
  ) {
    this.timeoutMillis = timeoutMillis > 0 ? timeoutMillis : undefined;
    this.failureTags = tagOnFailure;
  }

  filter(event: Event): boolean {
    let matched = false;
    const fields = this.fields;
    for (let f = 0; f < fields.length; f++) {
      const fm = fields[f]!;
      const input = getPath(event.data, fm.path);
      let ok: boolean;
      if (Array.isArray(input)) {
        ok = false;
        for (let k = 0; k < input.length; k++) if (this.matchText(fm, valueToText(input[k]), event)) ok = true;
      } else ok = this.matchText(fm, valueToText(input), event);
      if (ok) {
        matched = true;
        if (this.breakOnMatch) break;
      }
    }
    if (!matched) for (const t of this.failureTags) event.tag(t);
    return matched;
  }

  /**
   * Try the field's patterns in order. As in Logstash, the result is whether the last pattern tried
   * matched: with break_on_match => false a field whose last pattern fails counts as not matched
   * (logstash-filter-grok issue #49) even though earlier patterns' captures were added.
   */
  private matchText(fm: FieldMatcher, text: string, event: Event): boolean {
    const traits = fm.traits === 0 ? 0 : inputTraits(text, fm.traits);
    const patterns = fm.patterns;
    let matched = false;
    for (let p = 0; p < patterns.length; p++) {
      const pp = patterns[p]!;
      const m = pp.regex.exec(text, traits);
      matched = m !== null;
      if (m !== null) {
        pp.capture(m, event.data, event);
        if (this.breakOnMatch) break;
      }
    }
    return matched;
  }

  onTimeout(event: Event): void {
    event.tag(this.tagOnTimeout);
  }
}

/** Logstash's handling of a value for a field that may already exist (grok.rb `handle`), for nested paths. */
function assignPath(data: EventData, path: FieldPath, overwrite: boolean, value: unknown, event: Event): void {
  if (path.length === 1 && path[0] === '@timestamp') {
    // Keep the event's invariant (a Date) where possible.
    if (overwrite || data['@timestamp'] === undefined) event.setPath(path, value);
    return;
  }
  if (overwrite) {
    setPath(data, path, value);
    return;
  }
  const old = getPath(data, path);
  if (old === undefined || old === null) setPath(data, path, value);
  else if (Array.isArray(old)) old.push(value);
  else if (typeof old === 'string') setPath(data, path, [old, value]);
  // Any other existing value (number, hash, …) is left alone, as Logstash does.
}

interface CaptureSpec {
  index: number;
  convert: Convert;
  overwrite: boolean;
  path: FieldPath;
}

/**
 * Generate the function that copies a pattern's groups into an event, with the group indexes, conversions
 * and field names as constants: property stores with constant names stay fast in V8, where a loop over names
 * would make every store megamorphic. Ruby's grok does the same (jls-grok evals a capture lambda).
 * Semantics per capture, as Logstash's `handle`: a group that did not participate (nil) or matched "" is
 * skipped unless keep_empty_captures; a conversion turns "" into 0; the value overwrites a listed field,
 * is appended to an existing array, turns an existing string into [old, new], and fills an empty field.
 */
function compileCapture(specs: readonly CaptureSpec[], keepEmpty: boolean): CaptureFn {
  const lines: string[] = ['let v, o;'];
  specs.forEach((c, i) => {
    lines.push(`v = m[${c.index}];`);
    const guard: string[] = [];
    if (keepEmpty) lines.push('if (v === undefined) v = null;');
    else guard.push('v !== undefined');
    if (c.convert === Convert.Int) lines.push(`if (v != null) v = toInt(v);`);
    else if (c.convert === Convert.Float) lines.push(`if (v != null) v = toFloat(v);`);
    else if (!keepEmpty) guard.push("v !== ''");
    const body: string[] = [];
    const simple = c.path.length === 1 && c.path[0] !== '@timestamp' && c.path[0] !== '__proto__';
    if (simple) {
      const key = JSON.stringify(c.path[0]);
      if (c.overwrite) body.push(`data[${key}] = v;`);
      else
        body.push(
          `o = data[${key}];`,
          `if (o === undefined || o === null) data[${key}] = v;`,
          `else if (Array.isArray(o)) o.push(v);`,
          `else if (typeof o === 'string') data[${key}] = [o, v];`,
        );
    } else body.push(`assign(data, paths[${i}], ${c.overwrite}, v, event);`);
    lines.push(guard.length ? `if (${guard.join(' && ')}) {\n  ${body.join('\n  ')}\n}` : body.join('\n'));
  });
  const factory = new Function('toInt', 'toFloat', 'assign', 'paths', `return function grokCapture(m, data, event) {\n${lines.join('\n')}\n};`) as (
    ...args: unknown[]
  ) => CaptureFn;
  return factory(
    toInt,
    toFloat,
    assignPath,
    specs.map((c) => c.path),
  );
}

function patternList(field: string, v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((p, i) => {
    if (typeof p !== 'string') throw new GrokError(`match: the pattern${list.length > 1 ? ` #${i + 1}` : ''} for field ${JSON.stringify(field)} must be a string`);
    return p;
  });
}

/**
 * Pattern files of one patterns_dir entry, as Logstash: a directory is globbed with patterns_files_glob,
 * anything else is used as a glob (or file) itself. Sorted; hidden files only if the glob names them.
 */
function patternFilesFor(entry: string, glob: string): string[] {
  let isDir = false;
  try {
    isDir = statSync(entry).isDirectory();
  } catch {
    // not a directory: a file or a glob
  }
  const pattern = isDir ? join(entry, glob) : entry;
  const lastSeg = pattern.split(/[\\/]/).pop() ?? '';
  return expandGlob(pattern).filter((f) => lastSeg.startsWith('.') || !basename(f).startsWith('.'));
}

let warnedMissingLibrary = false;

export default defineFilter<GrokConfig>({
  name: 'grok',
  description:
    'Parse text into fields with grok patterns (named regular expressions), as Logstash\'s grok filter. ' +
    'Patterns use Oniguruma (Ruby) syntax and the bundled pattern library: `patterns/legacy` when ecs_compatibility is ' +
    '`disabled`, `patterns/ecs-v1` when it is `v1` or `v8`.',
  notes:
    'Definitions are looked up with this precedence: bundled library < files from patterns_dir < pattern_definitions. ' +
    'A capture into a field that already holds a string turns it into an array unless the field is listed in `overwrite`. ' +
    'Conversions: only `:int` and `:float` (`%{NUMBER:bytes:int}`), with Ruby\'s to_i/to_f semantics.',
  options: {
    match: {
      type: 'hash',
      default: {},
      description:
        'Field → pattern, or field → list of patterns tried in order. Several fields may be given; they are tried in order.',
      example: 'match => { "message" => [ "Duration: %{NUMBER:duration:float}", "Speed: %{NUMBER:speed:int}" ] }',
    },
    break_on_match: {
      type: 'boolean',
      default: true,
      description:
        'Stop at the first pattern (and field) that matches. With false every pattern is tried; as in Logstash, a field then counts ' +
        'as matched only if its last pattern matched (so tag_on_failure may be added even though some captures were made).',
    },
    named_captures_only: {
      type: 'boolean',
      default: true,
      description: 'Only store named captures. With false, `%{WORD}` without a field name stores its value in a field named `WORD`.',
    },
    keep_empty_captures: {
      type: 'boolean',
      default: false,
      description: 'Store captures that matched an empty string, and captures that did not participate in the match (as null).',
    },
    overwrite: {
      type: 'array',
      items: 'string',
      default: [],
      description:
        'Fields to overwrite instead of turning into an array when they already exist. Compared with the field name exactly as ' +
        'written in the pattern (use `[nested][field]` in both if the capture uses it).',
      example: 'match => { "message" => "%{SYSLOGBASE} %{GREEDYDATA:message}" } overwrite => [ "message" ]',
    },
    pattern_definitions: {
      type: 'hash',
      default: {},
      description: 'Pattern name → definition, available to this filter only; overrides the library and patterns_dir.',
      example: 'pattern_definitions => { "QUEUEID" => "[0-9A-F]{10,11}" }',
    },
    patterns_dir: {
      type: 'array',
      items: 'string',
      default: [],
      description:
        'Directories (or files, or globs) with pattern files (`NAME PATTERN` per line, `#` comments). Every file matching ' +
        'patterns_files_glob is read, in name order. Relative paths are resolved against the working directory.',
      example: 'patterns_dir => ["./patterns"]',
    },
    patterns_files_glob: { type: 'string', default: '*', description: 'Glob selecting the pattern files inside each patterns_dir directory.' },
    tag_on_failure: {
      type: 'array',
      items: 'string',
      default: ['_grokparsefailure'],
      description: 'Tags added when no pattern matched.',
    },
    tag_on_timeout: { type: 'string', default: '_groktimeout', description: 'Tag added when matching an event took longer than timeout_millis.' },
    timeout_millis: {
      type: 'number',
      default: 30000,
      description:
        'Interrupt matching that runs longer than this (a runaway regular expression); the event is tagged with tag_on_timeout. 0 disables it.',
    },
    timeout_scope: {
      type: 'string',
      enum: ['pattern', 'event'],
      default: 'pattern',
      description:
        'Accepted for compatibility. Sluice\'s watchdog bounds the whole filter call on an event (Logstash\'s `event` scope) in both cases.',
    },
    ecs_compatibility: {
      type: 'string',
      enum: ECS_MODES,
      default: ECS_DEFAULT,
      description:
        'Pattern library: `disabled` loads patterns/legacy (legacy field names), `v1` and `v8` load patterns/ecs-v1 (ECS field names). ' +
        'Default: the SLUICE_ECS_COMPATIBILITY environment variable if set (Logstash: pipeline.ecs_compatibility), else `disabled`.',
    },
    target: {
      type: 'string',
      description: 'Put all captures under this field instead of at the top level of the event.',
      example: 'target => "[@metadata][grok]"',
    },
  },

  create(config, ctx) {
    const ecs = config.ecs_compatibility;
    if (!(ECS_MODES as readonly string[]).includes(ecs))
      throw new GrokError(`ecs_compatibility: must be one of ${ECS_MODES.join(', ')}, got ${JSON.stringify(ecs)}`);

    // Library < patterns_dir files < pattern_definitions (later definitions win, as in Logstash).
    const libDir = libraryDirFor(ecs);
    const files = patternFilesIn(libDir);
    if (files.length === 0 && !warnedMissingLibrary) {
      warnedMissingLibrary = true;
      ctx.logger.warn('grok: bundled pattern library not found; only patterns_dir and pattern_definitions are available', { dir: libDir });
    }
    for (const entry of config.patterns_dir) {
      const found = patternFilesFor(entry, config.patterns_files_glob);
      if (found.length === 0) ctx.logger.warn('grok: no pattern files found', { patterns_dir: entry, patterns_files_glob: config.patterns_files_glob });
      files.push(...found);
    }
    const inline: Array<[string, string]> = [];
    for (const [name, def] of Object.entries(config.pattern_definitions)) {
      if (def === null || def === undefined) continue;
      inline.push([name, chomp(String(def))]);
    }
    const library = PatternLibrary.load(files, inline);

    const targetPath = config.target ? parseFieldRef(config.target) : null;
    const overwrite = new Set(config.overwrite);
    const fields: FieldMatcher[] = [];
    for (const [field, spec] of Object.entries(config.match)) {
      const patterns: PreparedPattern[] = [];
      let traits = 0;
      for (const pattern of patternList(field, spec)) {
        let grok: CompiledGrok;
        try {
          grok = compileGrok(pattern, library, { namedCapturesOnly: config.named_captures_only });
        } catch (e) {
          if (e instanceof GrokError) throw new GrokError(`grok: match ${JSON.stringify(field)}: ${e.message}`);
          throw e;
        }
        for (const w of grok.warnings) ctx.logger.warn(`grok: ${w}`, { pattern });
        const specs: CaptureSpec[] = grok.captures.map((c) => ({
          index: c.index,
          convert: c.convert,
          // Logstash compares the capture's name as written with the overwrite list.
          overwrite: overwrite.has(c.field),
          path: targetPath ? Object.freeze([...targetPath, ...c.path]) : c.path,
        }));
        const pp: PreparedPattern = { grok, regex: grok.regex, capture: compileCapture(specs, config.keep_empty_captures) };
        traits |= grok.regex.traitsNeeded;
        patterns.push(pp);
      }
      fields.push({ field, path: parseFieldRef(field), patterns, traits });
    }
    return new GrokFilter(fields, config.break_on_match, config.tag_on_timeout, config.timeout_millis, config.tag_on_failure);
  },
});
