// The syslog input: listens on TCP and UDP on the same port (as Logstash's), frames TCP by newline or
// RFC 6587 octet counting (detected per connection), and parses RFC 3164 and RFC 5424 messages on the
// worker threads (syslog/parse.ts) into Logstash's syslog input fields.
//
// TCP syslog has no acknowledgement: nothing read is dropped. A full pipeline pauses the connection
// (backpressure reaches the sender through TCP); on stop the input stops accepting and reading, and still
// delivers what it read. With `ssl_enabled` the input listens on TLS only (no plain UDP beside it).
//
// Event ids: `syslog:tcp:<run id>:<connection>:<frame>` and `syslog:udp:<run id>:<datagram>`.

import { defineInput, type CodecSpec, type Input } from '../core/plugin.js';
import { ECS_COMPATIBILITY_OPTION, ecsMode } from '../core/ecs.js';
import { TLS_SERVER_OPTIONS, clientAuthentication, tlsServerOptions, type TlsServerConfig } from './support/tls.js';
import { TcpListener } from './support/tcp_listener.js';
import { UdpListener } from './support/udp_listener.js';
import { DEFAULT_RECEIVE_BUFFER, MAX_MESSAGE_SIZE_OPTION, QUEUE_SIZE_OPTION, RECEIVE_BUFFER_OPTION } from './support/net_options.js';
import { createSyslogParser, DEFAULT_FACILITY_LABELS, DEFAULT_SEVERITY_LABELS } from './syslog/parse.js';

interface SyslogConfig extends TlsServerConfig {
  host: string;
  port: number;
  facility_labels: string[];
  severity_labels: string[];
  use_labels: boolean;
  timezone?: string;
  locale?: string;
  syslog_field: string;
  max_message_size: number;
  receive_buffer_bytes?: number;
  queue_size: number;
  tcp_keep_alive: boolean;
  ecs_compatibility?: string;
  codec: CodecSpec;
}

export default defineInput<SyslogConfig>({
  name: 'syslog',
  description:
    'Receives syslog over TCP and UDP on one port: RFC 3164 and RFC 5424 (structured data, BOM, fractional seconds), TCP framed by newline or octet counting (RFC 6587), optionally over TLS with client certificates. Lines that are not syslog are kept and tagged `_grokparsefailure_sysloginput`.',
  options: {
    host: { type: 'string', default: '0.0.0.0', description: 'Address to listen on.' },
    port: { type: 'number', default: 514, description: 'Port to listen on, TCP and UDP (below 1024 needs privileges).', example: 'port => 5514' },
    facility_labels: { type: 'array', items: 'string', default: DEFAULT_FACILITY_LABELS, description: 'Names of the facilities 0-23, in order.' },
    severity_labels: { type: 'array', items: 'string', default: DEFAULT_SEVERITY_LABELS, description: 'Names of the severities 0-7, in order.' },
    use_labels: { type: 'boolean', default: true, description: 'Add facility and severity names.' },
    timezone: { type: 'string', description: 'Zone of RFC 3164 timestamps (which carry none), e.g. `Europe/Paris`. Default: the platform\'s.' },
    locale: { type: 'string', description: 'Locale of month names in RFC 3164 timestamps. Default: English.' },
    syslog_field: { type: 'string', default: 'message', description: 'Field the codec put the syslog line in.' },
    max_message_size: MAX_MESSAGE_SIZE_OPTION,
    receive_buffer_bytes: RECEIVE_BUFFER_OPTION,
    queue_size: QUEUE_SIZE_OPTION,
    tcp_keep_alive: { type: 'boolean', default: false, description: 'Turn on TCP keep-alive on accepted connections.' },
    ecs_compatibility: {
      ...ECS_COMPATIBILITY_OPTION,
      description:
        '`disabled`: `priority`, `severity`, `facility`, `*_label`, `timestamp`, `logsource`, `program`, `pid`, `host` (sender ip), and `syslog5424_*` for RFC 5424; `v1`/`v8`: `[log][syslog][…]`, `[host][hostname]`, `[process][name|pid]`, `[host][ip]` (sender), `[event][original]`, `[system][syslog][version|structured_data]`, `[event][code]` (MSGID).',
    },
    codec: { type: 'codec', default: 'plain', description: 'Codec that decodes each message before syslog parsing.' },
    ...TLS_SERVER_OPTIONS,
  },
  notes:
    'RFC 5424 structured data is also parsed into an object: `[syslog5424_structured_data][<SD-ID>][<PARAM>]` (or `[log][syslog][structured_data]…` with ECS); a repeated PARAM gives an array. Event ids: `syslog:tcp:<run id>:<connection>:<frame>`, `syslog:udp:<run id>:<datagram>`. Counters (connections, frames, oversize, incomplete, udp drops by the kernel and by the queue) appear in the pipeline stats.',
  create(config, ctx): Input {
    const ecs = ecsMode(config.ecs_compatibility) === 'v1';
    const ipField = ecs ? '[host][ip]' : 'host';
    const tls = tlsServerOptions(config);
    const tcp = new TcpListener({
      host: config.host,
      port: config.port,
      tls,
      clientAuthentication: clientAuthentication(config),
      maxMessageSize: config.max_message_size,
      idPrefix: 'syslog:tcp:',
      fieldsFor: (peer) => ({ [ipField]: peer.ip }),
      dnsReverseLookup: false,
      keepAlive: config.tcp_keep_alive,
      octetCounting: true,
      logger: ctx.logger,
    });
    const udp = tls
      ? undefined
      : new UdpListener({
          host: config.host,
          port: config.port,
          receiveBufferBytes: config.receive_buffer_bytes ?? DEFAULT_RECEIVE_BUFFER,
          warnSmallBuffer: config.receive_buffer_bytes !== undefined,
          maxMessageSize: Math.min(config.max_message_size, 65535),
          queueSize: config.queue_size,
          idPrefix: 'syslog:udp:',
          fieldsFor: (ip) => ({ [ipField]: ip }),
          logger: ctx.logger,
        });
    return {
      async run(sink) {
        await Promise.all([tcp.run(sink), udp?.run(sink)]);
      },
      stop() {
        tcp.stop();
        udp?.stop();
      },
      metrics() {
        const out: Record<string, number> = {};
        for (const [k, v] of Object.entries(tcp.metrics())) out[`tcp_${k}`] = v;
        if (udp) for (const [k, v] of Object.entries(udp.metrics())) out[`udp_${k}`] = v;
        return out;
      },
    };
  },
  createEventParser(config) {
    return createSyslogParser({
      ecs: ecsMode(config.ecs_compatibility) === 'v1',
      field: config.syslog_field,
      useLabels: config.use_labels,
      facilityLabels: config.facility_labels,
      severityLabels: config.severity_labels,
      timezone: config.timezone,
      locale: config.locale,
    });
  },
});
