// Connecting to NATS and making sure a JetStream stream exists: shared by the jetstream input and output,
// the JetStream dead-letter queue and `sluice stream status`. Only features of server 2.9 are used.

import { readFileSync } from 'node:fs';
import type { NatsConnection, ConnectionOptions } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { OptionsSchema } from '../plugin.js';
import type { Logger } from '../logger.js';
import { natsTransport, natsJetStream } from '../libs.js';

/** Connection options of the jetstream plugins (names follow Logstash's conventions for credentials and TLS). */
export interface NatsConnectionConfig {
  servers: string[];
  user?: string;
  password?: string;
  token?: string;
  nkey?: string;
  creds?: string;
  ssl_enabled: boolean;
  ssl_certificate_authorities?: string[];
  ssl_certificate?: string;
  ssl_key?: string;
  connect_name?: string;
}

export interface StreamConfig {
  stream: string;
  create_stream: boolean;
  replicas: number;
  max_age: number;
  max_bytes: number;
  retention: 'limits' | 'workqueue';
  storage: 'file' | 'memory';
  duplicate_window: number;
}

export const CONNECTION_OPTIONS: OptionsSchema = {
  servers: {
    type: 'array',
    items: 'string',
    default: ['nats://127.0.0.1:4222'],
    description: 'NATS servers to connect to (any node of a cluster will do; the client learns the others).',
    example: 'servers => ["nats://nats-1:4222", "nats://nats-2:4222"]',
  },
  user: { type: 'string', description: 'User name for user/password authentication.' },
  password: { type: 'password', description: 'Password for user/password authentication (use `${NATS_PASSWORD}`).' },
  token: { type: 'password', description: 'Token authentication.' },
  nkey: { type: 'path', description: 'File holding an NKey seed (`SU…`) for NKey authentication.' },
  creds: { type: 'path', description: 'A `.creds` file (JWT and NKey seed) for decentralised authentication.' },
  ssl_enabled: { type: 'boolean', default: false, description: 'Connect with TLS (also implied by `tls://` server URLs).' },
  ssl_certificate_authorities: { type: 'array', items: 'string', description: 'PEM files of the certificate authorities that signed the server certificate.' },
  ssl_certificate: { type: 'path', description: 'Client certificate (PEM) for mutual TLS.' },
  ssl_key: { type: 'path', description: 'Private key (PEM) of `ssl_certificate`.' },
  connect_name: { type: 'string', description: 'Connection name shown in the server\'s monitoring (default: `sluice <pipeline>.<plugin>`).' },
};

export const STREAM_OPTIONS: OptionsSchema = {
  stream: { type: 'string', required: true, description: 'Name of the JetStream stream.', example: 'stream => "LOGS"' },
  create_stream: { type: 'boolean', default: true, description: 'Create the stream with the settings below when it does not exist (an existing stream is used as it is).' },
  stream_subjects: {
    type: 'array',
    items: 'string',
    description: 'Subjects the stream captures when Sluice creates it. Default: the output\'s `subject` with everything from its first `%{…}` replaced by `>` (e.g. `logs.>`); for the input `<stream>.>` unless `subject` is set.',
  },
  replicas: { type: 'number', default: 1, description: 'Replicas of a stream Sluice creates (1, 3 or 5; at most the cluster size).' },
  max_age: { type: 'number', default: 604800, description: 'Seconds a message is kept in a stream Sluice creates (0: no limit).' },
  max_bytes: { type: 'bytes', default: 0, description: 'Size limit of a stream Sluice creates (0: no limit). When full, new publishes are refused (and retried) rather than old data discarded.' },
  retention: {
    type: 'string',
    default: 'limits',
    enum: ['limits', 'workqueue'],
    description: '`limits`: messages stay until `max_age`/`max_bytes` (several consumers may read them); `workqueue`: a message is removed once a worker acknowledged it (one consumer per subject).',
  },
  storage: { type: 'string', default: 'file', enum: ['file', 'memory'], description: 'Storage of a stream Sluice creates.' },
  duplicate_window: { type: 'number', default: 120, description: 'Seconds during which the stream drops a message whose `Nats-Msg-Id` it has seen (makes publish retries safe).' },
};

const NANOS_PER_SECOND = 1_000_000_000;

/**
 * Pipelines never give up on NATS: a worker or a front waits for the stream to come back instead of exiting
 * (its batches stay unacknowledged). Commands (`sluice stream status`, `sluice dlq list`) set this to false
 * so that an unreachable server is an error rather than a wait.
 */
export const natsBehaviour = { persistent: true };

export function connectionOptions(config: NatsConnectionConfig, name: string): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: config.servers,
    name,
    maxReconnectAttempts: natsBehaviour.persistent ? -1 : 3,
    reconnectTimeWait: 250,
    waitOnFirstConnect: natsBehaviour.persistent,
  };
  if (config.user !== undefined) {
    opts.user = config.user;
    opts.pass = config.password ?? '';
  }
  if (config.token !== undefined) opts.token = config.token;
  if (config.creds) {
    const creds = readFileSync(config.creds);
    opts.authenticator = natsTransport().credsAuthenticator(new Uint8Array(creds));
  } else if (config.nkey) {
    const seed = readFileSync(config.nkey, 'utf8').trim();
    opts.authenticator = natsTransport().nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  const tlsUrl = config.servers.some((s) => /^tls:\/\//i.test(s));
  if (config.ssl_enabled || tlsUrl || config.ssl_certificate) {
    opts.tls = {};
    const ca = config.ssl_certificate_authorities;
    if (ca && ca.length) opts.tls.caFile = ca[0];
    if (config.ssl_certificate) opts.tls.certFile = config.ssl_certificate;
    if (config.ssl_key) opts.tls.keyFile = config.ssl_key;
  }
  return opts;
}

export interface NatsHandle {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/** Connect, logging disconnects and reconnects (the client reconnects on its own). */
export async function openNats(config: NatsConnectionConfig, name: string, logger: Logger, timeoutMillis = 5000): Promise<NatsHandle> {
  // A pipeline waits for NATS as long as it takes; say so instead of hanging silently.
  const waiting = setInterval(() => logger.warn('waiting for a NATS server', { servers: config.servers }), 5000);
  let nc: NatsConnection;
  try {
    nc = await natsTransport().connect(connectionOptions(config, name));
  } finally {
    clearInterval(waiting);
  }
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') logger.warn('NATS connection lost; reconnecting', { server: s.server });
      else if (s.type === 'reconnect') logger.info('NATS connection restored', { server: s.server });
    }
  })().catch(() => undefined);
  const js = natsJetStream().jetstream(nc, { timeout: timeoutMillis });
  const jsm = await natsJetStream().jetstreamManager(nc, { timeout: timeoutMillis, checkAPI: false });
  return { nc, js, jsm };
}

/** The stream's subjects by default: a template's static part followed by `>` (`logs.%{type}` → `logs.>`). */
export function defaultSubjects(subjectTemplate: string | undefined, stream: string): string[] {
  if (!subjectTemplate) return [`${stream}.>`];
  const at = subjectTemplate.indexOf('%{');
  if (at < 0) return [subjectTemplate];
  const staticPart = subjectTemplate.slice(0, at);
  const cut = staticPart.lastIndexOf('.');
  return [cut < 0 ? '>' : `${staticPart.slice(0, cut)}.>`];
}

function isNotFound(err: unknown): boolean {
  const e = err as { message?: string; code?: unknown; api_error?: { err_code?: number } };
  return /not found/i.test(e.message ?? '') || e.api_error?.err_code === 10059;
}

/** Create the stream when missing (and allowed); an existing stream is left as it is. */
export async function ensureStream(jsm: JetStreamManager, config: StreamConfig & { stream_subjects?: string[] }, subjects: string[], logger: Logger): Promise<void> {
  try {
    await jsm.streams.info(config.stream);
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    if (!config.create_stream) throw new Error(`stream '${config.stream}' does not exist and create_stream is false`);
  }
  try {
    await jsm.streams.add({
      name: config.stream,
      subjects: config.stream_subjects && config.stream_subjects.length ? config.stream_subjects : subjects,
      num_replicas: config.replicas,
      max_age: Math.round(config.max_age * NANOS_PER_SECOND),
      max_bytes: config.max_bytes > 0 ? config.max_bytes : -1,
      retention: config.retention === 'workqueue' ? natsJetStream().RetentionPolicy.Workqueue : natsJetStream().RetentionPolicy.Limits,
      storage: config.storage === 'memory' ? natsJetStream().StorageType.Memory : natsJetStream().StorageType.File,
      discard: natsJetStream().DiscardPolicy.New,
      duplicate_window: Math.round(config.duplicate_window * NANOS_PER_SECOND),
    });
    logger.info('created stream', { stream: config.stream, replicas: config.replicas });
  } catch (err) {
    // Another process created it at the same moment: fine.
    if (/already in use|already exists/i.test((err as Error).message)) return;
    throw err;
  }
}

/** Errors worth retrying: no leader during an election ("jetstream is not enabled"/no responders), timeouts, reconnects. */
export function isRetryable(err: unknown): boolean {
  const m = String((err as Error)?.message ?? err);
  return !/maximum payload|permissions violation|authorization/i.test(m);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const nanos = (seconds: number) => Math.round(seconds * NANOS_PER_SECOND);

/** A durable name NATS accepts (no `.`, `*`, `>` or white space). */
export function durableName(s: string): string {
  return s.replace(/[.*>\s]/g, '_');
}
