// TLS for server-side network inputs (tcp, syslog, and later http, beats), with Logstash's option names.
//
// API (small on purpose):
//   TLS_SERVER_OPTIONS        option declarations to spread into an input's `options`
//   tlsServerOptions(config)  node:tls server options built from those settings, or undefined when
//                             `ssl_enabled` is false; throws OptionError for an inconsistent configuration
//   acceptPeer(socket, mode)  after the handshake: false when an `optional` client presented a certificate
//                             that does not chain to `ssl_certificate_authorities` (the caller closes it)
//   peerSubject(socket)       the client certificate's subject (`CN=…,O=…`), or undefined
//
// `ssl_client_authentication`: `none` asks for no client certificate; `optional` asks for one and accepts a
// client without one; `required` refuses a client without a valid one (mutual TLS). Like Logstash, client
// authentication needs `ssl_certificate_authorities`; the default `required` only takes effect when they are set.

import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { SecureVersion, TLSSocket, TlsOptions } from 'node:tls';
import type { OptionsSchema } from '../../core/plugin.js';
import { OptionError } from '../../core/options.js';

export type ClientAuthentication = 'none' | 'optional' | 'required';

export interface TlsServerConfig {
  ssl_enabled?: boolean;
  ssl_certificate?: string;
  ssl_key?: string;
  ssl_key_passphrase?: string;
  ssl_certificate_authorities?: string[];
  ssl_client_authentication?: ClientAuthentication;
  ssl_supported_protocols?: string[];
  ssl_cipher_suites?: string[];
  ssl_extra_chain_certs?: string[];
  ssl_handshake_timeout?: number;
}

export const TLS_SERVER_OPTIONS: OptionsSchema = {
  ssl_enabled: { type: 'boolean', default: false, description: 'Accept TLS connections (the other `ssl_` options apply only when this is true).' },
  ssl_certificate: { type: 'path', description: 'Server certificate (PEM), presented to clients. Required with `ssl_enabled`.', example: 'ssl_certificate => "/etc/sluice/server.crt"' },
  ssl_key: { type: 'path', description: 'Private key (PEM) of `ssl_certificate`. Required with `ssl_enabled`.' },
  ssl_key_passphrase: { type: 'password', description: 'Passphrase of an encrypted `ssl_key`.' },
  ssl_certificate_authorities: {
    type: 'array',
    items: 'string',
    default: [],
    description: 'CA certificates (PEM files) that client certificates must chain to; setting them turns on client authentication.',
  },
  ssl_client_authentication: {
    type: 'string',
    enum: ['none', 'optional', 'required'],
    default: 'required',
    description:
      'Client certificates (mutual TLS), when `ssl_certificate_authorities` is set: `none` asks for none, `optional` checks one if presented, `required` refuses clients without a valid one.',
  },
  ssl_supported_protocols: {
    type: 'array',
    items: 'string',
    default: [],
    description: 'Allowed TLS versions, among `TLSv1.1`, `TLSv1.2`, `TLSv1.3` (default: TLSv1.2 and TLSv1.3).',
  },
  ssl_cipher_suites: { type: 'array', items: 'string', default: [], description: 'Allowed cipher suites, OpenSSL names (default: Node.js defaults).' },
  ssl_extra_chain_certs: { type: 'array', items: 'string', default: [], description: 'Extra certificates (PEM files) sent after `ssl_certificate` to complete its chain.' },
  ssl_handshake_timeout: { type: 'number', default: 10000, description: 'Milliseconds a client has to complete the TLS handshake.' },
};

const PROTOCOLS: Record<string, SecureVersion> = { 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' };

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new OptionError(`${what}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Build node:tls server options from the `ssl_` settings; undefined when TLS is off. */
export function tlsServerOptions(config: TlsServerConfig): TlsOptions | undefined {
  if (!config.ssl_enabled) return undefined;
  if (!config.ssl_certificate || !config.ssl_key) throw new OptionError('ssl_enabled => true needs ssl_certificate and ssl_key');
  const cas = config.ssl_certificate_authorities ?? [];
  const explicitAuth = config.ssl_client_authentication;
  const auth: ClientAuthentication = cas.length === 0 ? 'none' : (explicitAuth ?? 'required');
  const extra = (config.ssl_extra_chain_certs ?? []).map((p) => readPem(p, 'ssl_extra_chain_certs'));
  const cert = extra.length ? Buffer.concat([readPem(config.ssl_certificate, 'ssl_certificate'), Buffer.from('\n'), ...extra]) : readPem(config.ssl_certificate, 'ssl_certificate');
  const options: TlsOptions = {
    cert,
    key: readPem(config.ssl_key, 'ssl_key'),
    passphrase: config.ssl_key_passphrase,
    requestCert: auth !== 'none',
    // `optional` must accept clients without a certificate; acceptPeer() refuses an invalid one afterwards.
    rejectUnauthorized: auth === 'required',
    handshakeTimeout: config.ssl_handshake_timeout ?? 10000,
  };
  if (cas.length) options.ca = cas.map((p) => readPem(p, 'ssl_certificate_authorities'));
  const protocols = config.ssl_supported_protocols ?? [];
  if (protocols.length) {
    const versions = protocols.map((p) => {
      const v = PROTOCOLS[p];
      if (!v) throw new OptionError(`ssl_supported_protocols: unknown protocol ${JSON.stringify(p)} (allowed: ${Object.keys(PROTOCOLS).join(', ')})`);
      return v;
    });
    const order = Object.values(PROTOCOLS);
    versions.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    options.minVersion = versions[0];
    options.maxVersion = versions[versions.length - 1];
  } else options.minVersion = 'TLSv1.2';
  const ciphers = config.ssl_cipher_suites ?? [];
  if (ciphers.length) options.ciphers = ciphers.join(':');
  return options;
}

/** The effective client authentication mode for settings (`none` without CAs, as Logstash). */
export function clientAuthentication(config: TlsServerConfig): ClientAuthentication {
  if (!config.ssl_enabled || !(config.ssl_certificate_authorities ?? []).length) return 'none';
  return config.ssl_client_authentication ?? 'required';
}

/** After the handshake: false for an `optional` client whose presented certificate is not trusted. */
export function acceptPeer(socket: TLSSocket, mode: ClientAuthentication): boolean {
  if (mode !== 'optional') return true;
  const cert = socket.getPeerCertificate();
  const presented = cert !== null && cert !== undefined && Object.keys(cert).length > 0;
  return !presented || socket.authorized;
}

/** Subject of the client certificate as `CN=…,O=…` (RFC 2253 order: most specific first), or undefined. */
export function peerSubject(socket: TLSSocket): string | undefined {
  const raw = socket.getPeerX509Certificate?.();
  if (!raw) return undefined;
  const subject = raw instanceof X509Certificate ? raw.subject : String(raw);
  return subject.split('\n').filter(Boolean).reverse().join(',');
}
