// Pieces shared by the text codecs (plain, line, json, json_lines, multiline).

import type { OptionSpec, PluginContext } from '../../core/plugin.js';
import type { EventData } from '../../core/event.js';
import { parseFieldRef, setPath } from '../../core/fieldref.js';
import { compileSprintf, type Template } from '../../core/sprintf.js';
import { parseJson } from '../../core/serialize.js';

export const CHARSET_OPTION: OptionSpec = {
  type: 'string',
  default: 'UTF-8',
  description:
    'Character encoding of the input text. Sluice reads text as UTF-8 (invalid bytes become U+FFFD); ' +
    'other values are accepted for compatibility and logged as unsupported.',
  example: 'charset => "UTF-8"',
};

const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii', 'ascii-8bit', 'binary']);

/** Warn once per codec instance when a non-UTF-8 charset is configured (the runtime decodes UTF-8). */
export function checkCharset(charset: unknown, ctx: PluginContext, codec: string): void {
  if (typeof charset === 'string' && !UTF8_NAMES.has(charset.toLowerCase())) {
    ctx.logger.warn(`codec ${codec}: charset ${JSON.stringify(charset)} is not supported; text is read as UTF-8`);
  }
}

/** Logstash's Event#to_s, used when a text codec has no `format`: `<@timestamp> <host> <message>`. */
export const DEFAULT_TEXT_FORMAT = '%{@timestamp} %{host} %{message}';

export function textTemplate(format: string | undefined): Template {
  return compileSprintf(format ?? DEFAULT_TEXT_FORMAT);
}

/**
 * Split `text` on `delimiter`, dropping only the empty piece after a trailing delimiter
 * ("a\nb\n" → ["a", "b"]), as a buffered tokenizer does.
 */
export function splitOnDelimiter(text: string, delimiter: string): string[] {
  if (delimiter === '' || !text.includes(delimiter)) return [text];
  const parts = text.split(delimiter);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export const JSON_PARSE_FAILURE = '_jsonparsefailure';

/**
 * Decode one JSON document as Logstash's json codecs do: an object is one event, an array one event per
 * element, `null`/blank text nothing; anything else (scalars, arrays of non-objects, broken JSON) becomes
 * an event with the raw text in `message` and the tag `_jsonparsefailure`.
 */
export function decodeJsonDocument(text: string, emit: (data: EventData) => void, wrap?: (v: EventData) => EventData): void {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    if (text.trim() === '') return;
    emit({ message: text, tags: [JSON_PARSE_FAILURE] });
    return;
  }
  if (value === null) return;
  if (isPlainObject(value)) {
    emit(wrap ? wrap(value) : value);
    return;
  }
  if (Array.isArray(value) && value.every(isPlainObject)) {
    for (const item of value as EventData[]) emit(wrap ? wrap(item) : item);
    return;
  }
  emit({ message: text, tags: [JSON_PARSE_FAILURE] });
}

function isPlainObject(v: unknown): v is EventData {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A decoded document placed under `target` (a field reference) instead of the event root; undefined without one. */
export function targetWrapper(target: string | undefined): ((v: EventData) => EventData) | undefined {
  if (!target) return undefined;
  const path = parseFieldRef(target);
  return (v) => {
    const out: EventData = {};
    setPath(out, path, v);
    return out;
  };
}
