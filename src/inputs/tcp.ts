// The tcp input: reads messages from TCP (or TLS) connections, framed by newlines or by RFC 6587 octet
// counting (detected per connection), decoded by the codec (default `line`, as Logstash).
//
// Each event carries its sender: `host` (name, or ip with dns_reverse_lookup_enabled => false),
// `[@metadata][ip_address]`, `port`, `sslsubject` — or under `[@metadata][input][tcp]` with ECS — as
// Logstash's tcp input. Event ids: `tcp:<run id>:<connection>:<frame>` (see support/tcp_listener.ts).

import { defineInput, type CodecSpec, type Input, type InputSink } from '../core/plugin.js';
import { ECS_COMPATIBILITY_OPTION, ecsMode } from '../core/ecs.js';
import { TLS_SERVER_OPTIONS, clientAuthentication, tlsServerOptions, type TlsServerConfig } from './support/tls.js';
import { TcpListener, type PeerInfo } from './support/tcp_listener.js';
import { MAX_MESSAGE_SIZE_OPTION } from './support/net_options.js';

interface TcpConfig extends TlsServerConfig {
  host: string;
  port: number;
  mode: 'server';
  dns_reverse_lookup_enabled: boolean;
  tcp_keep_alive: boolean;
  max_message_size: number;
  ecs_compatibility?: string;
  codec: CodecSpec;
}

/** The sender's fields, with Logstash's tcp input names. */
export function tcpSourceFields(ecs: boolean, peer: PeerInfo): Record<string, unknown> {
  if (ecs) {
    const f: Record<string, unknown> = {
      '[@metadata][input][tcp][source][name]': peer.name,
      '[@metadata][input][tcp][source][ip]': peer.ip,
      '[@metadata][input][tcp][source][port]': peer.port,
    };
    if (peer.subject !== undefined) f['[@metadata][input][tcp][tls][client][subject]'] = peer.subject;
    return f;
  }
  const f: Record<string, unknown> = { host: peer.name, '[@metadata][ip_address]': peer.ip, port: peer.port };
  if (peer.subject !== undefined) f.sslsubject = peer.subject;
  return f;
}

export default defineInput<TcpConfig>({
  name: 'tcp',
  description:
    'Reads events over TCP or TLS: one message per line, or RFC 6587 octet-counted frames (detected per connection). A connection whose events find the pipeline full is paused (not read) until there is room.',
  options: {
    host: { type: 'string', default: '0.0.0.0', description: 'Address to listen on.' },
    port: { type: 'number', required: true, description: 'Port to listen on.', example: 'port => 5000' },
    mode: { type: 'string', enum: ['server'], default: 'server', description: 'Only `server` (listen for connections); Logstash\'s `client` mode is not supported.' },
    dns_reverse_lookup_enabled: { type: 'boolean', default: true, description: 'Put the sender\'s reverse-DNS name in `host` (`[@metadata][input][tcp][source][name]`); false: its ip.' },
    tcp_keep_alive: { type: 'boolean', default: false, description: 'Turn on TCP keep-alive on accepted connections (system default timings).' },
    max_message_size: MAX_MESSAGE_SIZE_OPTION,
    ecs_compatibility: {
      ...ECS_COMPATIBILITY_OPTION,
      description: 'Where the sender goes: `disabled`: `host`, `port`, `[@metadata][ip_address]`, `sslsubject`; `v1`/`v8`: `[@metadata][input][tcp][source][name|ip|port]`, `[@metadata][input][tcp][tls][client][subject]`.',
    },
    codec: { type: 'codec', default: 'line', description: 'Codec that decodes each message.' },
    ...TLS_SERVER_OPTIONS,
  },
  notes:
    'Event ids (`[@metadata][_id]`) are `tcp:<run id>:<connection number>:<frame number>`: TCP has no position to resume from, so the run id is random per start of the input. Counters (connections, frames, oversize, incomplete, tls_failures) appear in the pipeline stats.',
  create(config, ctx): Input {
    const ecs = ecsMode(config.ecs_compatibility) === 'v1';
    const listener = new TcpListener({
      host: config.host,
      port: config.port,
      tls: tlsServerOptions(config),
      clientAuthentication: clientAuthentication(config),
      maxMessageSize: config.max_message_size,
      idPrefix: 'tcp:',
      fieldsFor: (peer) => tcpSourceFields(ecs, peer),
      dnsReverseLookup: config.dns_reverse_lookup_enabled,
      keepAlive: config.tcp_keep_alive,
      octetCounting: true,
      logger: ctx.logger,
    });
    return {
      run: (sink: InputSink) => listener.run(sink),
      stop: () => listener.stop(),
      metrics: () => ({ ...listener.metrics() }),
    };
  },
});
