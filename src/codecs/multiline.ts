// The multiline codec: joins lines into one event (Java stack traces, continuation lines). It is a line
// joiner the runtime runs on the input's side, in order, one joiner per source: a line whose match of
// `pattern` (inverted by `negate`) is true belongs to the `previous` or `next` line's event.
// Joined text uses '\n' between lines and carries the id of its first line. Decoding sees the joined
// text, so the tags (multiline, max lines/bytes reached) are derived from it.

import { defineCodec, type LineJoiner } from '../core/plugin.js';
import { parseBytes } from '../core/options.js';
import { ECS_COMPATIBILITY_OPTION, ecsMode } from '../core/ecs.js';
import type { EventData } from '../core/event.js';
import { expandGlob } from '../core/glob.js';
import { CHARSET_OPTION, checkCharset, textTemplate } from './support/common.js';
import { compileGrok, PatternLibrary, patternFilesIn } from '../filters/grok/compiler.js';
import type { OnigRegExp } from '../filters/grok/onig.js';
import { libraryDirFor } from '../filters/grok.js';

interface MultilineConfig {
  pattern: string;
  what: 'previous' | 'next';
  negate: boolean;
  patterns_dir: string[];
  charset: string;
  multiline_tag: string;
  max_lines: number;
  max_bytes: number | string;
  auto_flush_interval?: number;
  delimiter: string;
  streaming_input: boolean;
  ecs_compatibility?: string;
}

export const MAX_LINES_TAG = 'multiline_codec_max_lines_reached';
export const MAX_BYTES_TAG = 'multiline_codec_max_bytes_reached';

/** Pattern files: the bundled library for the ECS mode, then each patterns_dir entry (a directory's files, or a glob). */
function patternFiles(ecs: 'disabled' | 'v1', patternsDirs: string[]): string[] {
  const files = patternFilesIn(libraryDirFor(ecs));
  for (const entry of patternsDirs) {
    const inDir = patternFilesIn(entry);
    files.push(...(inDir.length > 0 ? inDir : expandGlob(entry)));
  }
  return files;
}

class MultilineJoiner implements LineJoiner {
  private lines: string[] = [];
  private bytes = 0;
  private firstId = '';
  pendingSince: number | null = null;

  constructor(
    private readonly re: OnigRegExp,
    private readonly negate: boolean,
    private readonly previous: boolean,
    private readonly maxLines: number,
    private readonly maxBytes: number,
    readonly autoFlushMillis: number,
  ) {}

  push(line: string, id: string, out: Array<[string, string]>): void {
    const matched = this.re.regexpFor(line).test(line) !== this.negate;
    if (this.previous) {
      if (this.lines.length > 0 && (!matched || this.overLimits())) this.flush(out);
      this.add(line, id);
    } else {
      this.add(line, id);
      if (!matched || this.overLimits()) this.flush(out);
    }
  }

  flush(out: Array<[string, string]>): void {
    if (this.lines.length === 0) return;
    out.push([this.lines.length === 1 ? this.lines[0]! : this.lines.join('\n'), this.firstId]);
    this.lines = [];
    this.bytes = 0;
    this.pendingSince = null;
  }

  private add(line: string, id: string): void {
    if (this.lines.length === 0) this.firstId = id;
    this.lines.push(line);
    this.bytes += Buffer.byteLength(line);
    // Logstash restarts the auto-flush timer on every line: the interval is idle time.
    this.pendingSince = Date.now();
  }

  // Same limits as Logstash: more than max_lines lines, or at least max_bytes bytes.
  private overLimits(): boolean {
    return this.lines.length > this.maxLines || this.bytes >= this.maxBytes;
  }
}

export default defineCodec<MultilineConfig>({
  name: 'multiline',
  description: 'Joins lines into one event (stack traces, continuation lines). Runs in order on the input side, one joiner per source.',
  notes: 'The pattern uses Oniguruma (Ruby) syntax and may use grok references such as `%{TIMESTAMP_ISO8601}`, looked up in the bundled pattern library and `patterns_dir`.',
  options: {
    pattern: {
      type: 'string',
      required: true,
      description: 'Regular expression tested against each line (grok references like %{TIMESTAMP_ISO8601} allowed).',
      example: 'pattern => "^\\s"',
    },
    what: { type: 'string', required: true, enum: ['previous', 'next'], description: 'Whether a matching line belongs to the previous or the next line\'s event.' },
    negate: { type: 'boolean', default: false, description: 'Invert the match: lines NOT matching `pattern` are joined.' },
    patterns_dir: { type: 'array', items: 'string', default: [], description: 'Extra directories (all their files) or file globs of grok pattern definitions, `NAME PATTERN` per line; they override the bundled ones.' },
    charset: CHARSET_OPTION,
    multiline_tag: { type: 'string', default: 'multiline', description: 'Tag added to events made of more than one line (empty: no tag).' },
    max_lines: { type: 'number', default: 500, description: 'Flush the event once it holds more than this many lines (tagged `multiline_codec_max_lines_reached`).' },
    max_bytes: { type: 'bytes', default: '10 MiB', description: 'Flush the event once its lines reach this many bytes (tagged `multiline_codec_max_bytes_reached`).' },
    auto_flush_interval: {
      type: 'number',
      description: 'Seconds without a new line after which the pending event is flushed. Unset: only a following line or the end of input flushes it.',
      example: 'auto_flush_interval => 2',
    },
    delimiter: { type: 'string', default: '\n', description: 'Line separator. Inputs frame lines on newlines before this codec sees them.' },
    streaming_input: { type: 'boolean', default: false, description: 'Accepted for compatibility: inputs always hand whole lines to this codec.' },
    ecs_compatibility: {
      ...ECS_COMPATIBILITY_OPTION,
      description: 'Grok pattern library for %{NAME} references: `disabled` uses patterns/legacy, `v1`/`v8` patterns/ecs-v1. ' + ECS_COMPATIBILITY_OPTION.description.slice(ECS_COMPATIBILITY_OPTION.description.indexOf('Default:')),
    },
  },
  create(config, ctx) {
    const charset = checkCharset(config.charset, ctx, 'multiline');
    const ecs = ecsMode(config.ecs_compatibility);
    let re: OnigRegExp;
    try {
      // Oniguruma syntax and %{NAME} references, as the grok filter compiles them.
      re = compileGrok(config.pattern, PatternLibrary.load(patternFiles(ecs, config.patterns_dir))).regex;
    } catch (e) {
      throw new Error(`codec multiline: invalid pattern ${JSON.stringify(config.pattern)}: ${(e as Error).message}`);
    }
    const { negate, max_lines: maxLines, multiline_tag: tag } = config;
    const maxBytes = parseBytes(config.max_bytes); // defaults ('10 MiB') reach create() uncoerced
    const previous = config.what === 'previous';
    const autoFlushMillis = config.auto_flush_interval && config.auto_flush_interval > 0 ? Math.round(config.auto_flush_interval * 1000) : 0;
    const template = textTemplate(undefined);
    return {
      charset,
      createJoiner: () => new MultilineJoiner(re, negate, previous, maxLines, maxBytes, autoFlushMillis),
      decode(message, emit) {
        const data: EventData = { message };
        const tags: string[] = [];
        let lines = 1;
        for (let i = message.indexOf('\n'); i >= 0; i = message.indexOf('\n', i + 1)) lines++;
        if (lines > 1 && tag !== '') tags.push(tag);
        // Bytes of the lines themselves, without the joining newlines (as Logstash counts them).
        if (message.length * 3 >= maxBytes && Buffer.byteLength(message) - (lines - 1) >= maxBytes) tags.push(MAX_BYTES_TAG);
        if (lines > maxLines) tags.push(MAX_LINES_TAG);
        if (tags.length) data.tags = tags;
        emit(data);
      },
      encode(event) {
        // Logstash's multiline encode passes the event through unchanged: its text form.
        return template(event);
      },
    };
  },
});
