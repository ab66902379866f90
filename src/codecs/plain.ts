// The plain codec: one message is one event, its text in `message`. Encoding uses `format` (sprintf)
// or Logstash's default text form `<@timestamp> <host> <message>`, with no delimiter.

import { defineCodec } from '../core/plugin.js';
import { ECS_COMPATIBILITY_OPTION, ecsMode } from '../core/ecs.js';
import { CHARSET_OPTION, checkCharset, textTemplate } from './support/common.js';

interface PlainConfig {
  format?: string;
  charset: string;
  ecs_compatibility?: string;
}

export default defineCodec<PlainConfig>({
  name: 'plain',
  description: 'Plain text with no delimiting between events: each message becomes one event with its text in `message`.',
  options: {
    format: {
      type: 'string',
      description: 'sprintf format for encoding events (outputs only). Without it, events are written as `<@timestamp> <host> <message>`.',
      example: 'format => "%{host}: %{message}"',
    },
    charset: CHARSET_OPTION,
    ecs_compatibility: { ...ECS_COMPATIBILITY_OPTION, description: ECS_COMPATIBILITY_OPTION.description + ' With `v1`, decoding also copies the text to `[event][original]`.' },
  },
  create(config, ctx) {
    const charset = checkCharset(config.charset, ctx, 'plain');
    const withOriginal = ecsMode(config.ecs_compatibility) === 'v1';
    const template = textTemplate(config.format);
    return {
      charset,
      decode(message, emit) {
        emit(withOriginal ? { message, event: { original: message } } : { message });
      },
      encode(event) {
        return template(event);
      },
    };
  },
});
