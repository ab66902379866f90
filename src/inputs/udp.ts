// The udp input: one datagram is one message, decoded by the codec (default `plain`). The sender's ip goes
// in `source_ip_fieldname` (`host`, or `[host][ip]` with ECS), as Logstash's udp input.
// UDP cannot push back: losses in the kernel and in the bounded queue are counted (see support/udp_listener.ts).
// Event ids: `udp:<run id>:<datagram number>`.

import { defineInput, type CodecSpec, type Input } from '../core/plugin.js';
import { ECS_COMPATIBILITY_OPTION, ecsMode } from '../core/ecs.js';
import { UdpListener } from './support/udp_listener.js';
import { DEFAULT_RECEIVE_BUFFER, QUEUE_SIZE_OPTION, RECEIVE_BUFFER_OPTION } from './support/net_options.js';

interface UdpConfig {
  host: string;
  port: number;
  buffer_size: number;
  receive_buffer_bytes?: number;
  queue_size: number;
  workers: number;
  source_ip_fieldname?: string;
  ecs_compatibility?: string;
  codec: CodecSpec;
}

export default defineInput<UdpConfig>({
  name: 'udp',
  description: 'Reads events from UDP datagrams, one message per datagram. Datagrams lost (kernel buffer full, or the pipeline full) are counted in the pipeline stats.',
  options: {
    host: { type: 'string', default: '0.0.0.0', description: 'Address to listen on (an IPv6 address listens on IPv6).' },
    port: { type: 'number', required: true, description: 'Port to listen on.', example: 'port => 5514' },
    buffer_size: { type: 'number', default: 65536, description: 'Longest datagram kept whole; longer ones are cut and tagged `_line_truncated`.' },
    receive_buffer_bytes: RECEIVE_BUFFER_OPTION,
    queue_size: QUEUE_SIZE_OPTION,
    workers: { type: 'number', default: 2, description: 'Accepted for compatibility; decoding runs on the pipeline\'s workers.' },
    source_ip_fieldname: { type: 'string', description: 'Field for the sender\'s ip. Default: `host`, or `[host][ip]` with ECS.' },
    ecs_compatibility: ECS_COMPATIBILITY_OPTION,
    codec: { type: 'codec', default: 'plain', description: 'Codec that decodes each datagram.' },
  },
  notes: 'Event ids (`[@metadata][_id]`) are `udp:<run id>:<datagram number>`, the run id random per start of the input.',
  create(config, ctx): Input {
    const ipField = config.source_ip_fieldname ?? (ecsMode(config.ecs_compatibility) === 'v1' ? '[host][ip]' : 'host');
    const listener = new UdpListener({
      host: config.host,
      port: config.port,
      receiveBufferBytes: config.receive_buffer_bytes ?? DEFAULT_RECEIVE_BUFFER,
      warnSmallBuffer: config.receive_buffer_bytes !== undefined,
      maxMessageSize: config.buffer_size,
      queueSize: config.queue_size,
      idPrefix: 'udp:',
      fieldsFor: (ip) => ({ [ipField]: ip }),
      logger: ctx.logger,
    });
    return {
      run: (sink) => listener.run(sink),
      stop: () => listener.stop(),
      metrics: () => ({ ...listener.metrics() }),
    };
  },
});
