// The json codec: each message is one JSON document (an object → one event, an array → one event per
// element). Text that is not a JSON object/array becomes an event with the raw text in `message` and the
// tag `_jsonparsefailure`, as in Logstash. Encoding writes the event as compact JSON without `@metadata`.

import { defineCodec } from '../core/plugin.js';
import { ECS_COMPATIBILITY_OPTION } from '../core/ecs.js';
import { stringifyEvent } from '../core/serialize.js';
import { CHARSET_OPTION, checkCharset, decodeJsonDocument, targetWrapper } from './support/common.js';

interface JsonConfig {
  charset: string;
  target?: string;
  ecs_compatibility?: string;
}

export default defineCodec<JsonConfig>({
  name: 'json',
  description: 'Full JSON documents, one per message; an array at the root gives one event per element. Encodes compact JSON (no line terminator).',
  options: {
    charset: CHARSET_OPTION,
    target: {
      type: 'string',
      description: 'Field to put the decoded document under, instead of the event root.',
      example: 'target => "[document]"',
    },
    ecs_compatibility: { ...ECS_COMPATIBILITY_OPTION, description: 'Accepted for compatibility; the json codec uses the same field names in every mode.' },
  },
  create(config, ctx) {
    const charset = checkCharset(config.charset, ctx, 'json');
    const wrap = targetWrapper(config.target);
    return {
      charset,
      decode(message, emit) {
        decodeJsonDocument(message, emit, wrap);
      },
      encode(event) {
        return stringifyEvent(event.data);
      },
      encodeTo(event, out) {
        out.pushEvent(event.data);
      },
    };
  },
});
