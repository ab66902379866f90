// The line codec: line-oriented text. Decoding splits a message on `delimiter` (one event per line);
// encoding writes `format` (or Logstash's default text form) followed by the delimiter.

import { defineCodec } from '../core/plugin.js';
import { ECS_COMPATIBILITY_OPTION, ecsMode } from '../core/ecs.js';
import { CHARSET_OPTION, checkCharset, splitOnDelimiter, textTemplate } from './support/common.js';

interface LineConfig {
  format?: string;
  delimiter: string;
  charset: string;
  ecs_compatibility?: string;
}

export default defineCodec<LineConfig>({
  name: 'line',
  description: 'Line-oriented text: one event per line when decoding; each encoded event ends with the delimiter.',
  options: {
    format: {
      type: 'string',
      description: 'sprintf format for encoding events. Without it, events are written as `<@timestamp> <host> <message>`.',
      example: 'format => "%{[@metadata][index]} %{message}"',
    },
    delimiter: { type: 'string', default: '\n', description: 'Separator between lines, for decoding and encoding.' },
    charset: CHARSET_OPTION,
    ecs_compatibility: { ...ECS_COMPATIBILITY_OPTION, description: ECS_COMPATIBILITY_OPTION.description + ' With `v1`, decoding also copies each line to `[event][original]`.' },
  },
  create(config, ctx) {
    const charset = checkCharset(config.charset, ctx, 'line');
    const withOriginal = ecsMode(config.ecs_compatibility) === 'v1';
    const template = textTemplate(config.format);
    const delimiter = config.delimiter;
    return {
      charset,
      decode(message, emit) {
        // The runtime already frames input on '\n'; a message only needs splitting when it still holds delimiters.
        const lines = message.includes(delimiter) ? splitOnDelimiter(message, delimiter) : [message];
        for (const line of lines) emit(withOriginal ? { message: line, event: { original: line } } : { message: line });
      },
      encode(event) {
        return template(event) + delimiter;
      },
    };
  },
});
