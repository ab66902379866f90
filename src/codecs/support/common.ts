// Pieces shared by the text codecs (plain, line, json, json_lines, multiline).

import type { OptionSpec, PluginContext } from '../../core/plugin.js';
import type { EventData } from '../../core/event.js';
import { parseFieldRef, setPath } from '../../core/fieldref.js';
import { compileSprintf, type Template } from '../../core/sprintf.js';
import { parseJson } from '../../core/serialize.js';
import { charsetDecoder } from './charset.js';

export const CHARSET_OPTION: OptionSpec = {
  type: 'string',
  default: 'UTF-8',
  description:
    'Character encoding of the input text, converted to UTF-8 (what cannot be converted becomes U+FFFD): UTF-8, ISO-8859-1, ' +
    'US-ASCII, Windows-1252 (CP1252), the ISO-8859 family, Shift_JIS, EUC-JP, GB18030, Big5, KOI8-R and the other WHATWG encodings.',
  example: 'charset => "ISO-8859-1"',
};

/** Check the codec's charset when it is created, so a misspelt one stops the pipeline before it starts. */
export function checkCharset(charset: unknown, _ctx: PluginContext, codec: string): string | undefined {
  if (typeof charset !== 'string') return undefined;
  try {
    charsetDecoder(charset);
  } catch (e) {
    throw new Error(`codec ${codec}: ${(e as Error).message}`);
  }
  return charset;
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
