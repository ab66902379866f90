// The json_lines codec: newline-delimited JSON. Each line is decoded like the json codec (broken lines
// become `_jsonparsefailure` events with the raw text in `message`; blank lines are skipped). Encoding
// writes compact JSON (without `@metadata`) followed by the delimiter.

import { defineCodec } from '../core/plugin.js';
import { ECS_COMPATIBILITY_OPTION } from '../core/ecs.js';
import { stringifyEvent } from '../core/serialize.js';
import { CHARSET_OPTION, checkCharset, decodeJsonDocument, targetWrapper, splitOnDelimiter } from './support/common.js';

interface JsonLinesConfig {
  charset: string;
  delimiter: string;
  target?: string;
  ecs_compatibility?: string;
}

export default defineCodec<JsonLinesConfig>({
  name: 'json_lines',
  description: 'Newline-delimited JSON: one JSON document per line. Encodes compact JSON followed by the delimiter.',
  options: {
    charset: CHARSET_OPTION,
    delimiter: { type: 'string', default: '\n', description: 'Separator between JSON documents, for decoding and encoding.' },
    target: {
      type: 'string',
      description: 'Field to put each decoded document under, instead of the event root.',
      example: 'target => "[document]"',
    },
    ecs_compatibility: { ...ECS_COMPATIBILITY_OPTION, description: 'Accepted for compatibility; the json_lines codec uses the same field names in every mode.' },
  },
  create(config, ctx) {
    const charset = checkCharset(config.charset, ctx, 'json_lines');
    const delimiter = config.delimiter;
    const wrap = targetWrapper(config.target);
    return {
      charset,
      decode(message, emit) {
        if (!message.includes(delimiter)) {
          decodeJsonDocument(message, emit, wrap);
          return;
        }
        for (const line of splitOnDelimiter(message, delimiter)) decodeJsonDocument(line, emit, wrap);
      },
      encode(event) {
        return stringifyEvent(event.data) + delimiter;
      },
      encodeTo(event, out) {
        out.pushEvent(event.data);
        if (delimiter === '\n') out.pushByte(10);
        else out.push(delimiter);
      },
    };
  },
});
