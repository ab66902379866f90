// TLS for the http and beats inputs: Logstash's `ssl_*` option declarations and the Node TLS server options
// built from them. Certificates and keys are PEM files; `ssl_client_authentication` asks for (optional) or
// demands (required) a client certificate signed by one of `ssl_certificate_authorities` (mTLS).
// The deprecated `ssl` / `ssl_verify_mode` names of older Logstash configs are accepted as aliases.

import { readFileSync } from 'node:fs';
import type { TlsOptions, TLSSocket } from 'node:tls';
import type { OptionsSchema } from '../../core/plugin.js';

export interface TlsConfig {
  ssl_enabled?: boolean;
  ssl?: boolean;
  ssl_certificate?: string;
  ssl_key?: string;
  ssl_key_passphrase?: string;
  ssl_certificate_authorities?: string[];
  ssl_client_authentication?: 'none' | 'optional' | 'required';
  ssl_verify_mode?: 'none' | 'peer' | 'force_peer';
  ssl_supported_protocols?: string[];
  ssl_cipher_suites?: string[];
  ssl_handshake_timeout: number;
}

export const TLS_OPTIONS: OptionsSchema = {
  ssl_enabled: { type: 'boolean', description: 'Accept TLS connections only (needs `ssl_certificate` and `ssl_key`). Default false.' },
  ssl: { type: 'boolean', description: 'Deprecated name of `ssl_enabled`.' },
  ssl_certificate: { type: 'path', description: 'Server certificate (PEM); may hold the chain after it.', example: 'ssl_certificate => "/etc/sluice/tls/server.crt"' },
  ssl_key: { type: 'path', description: 'Private key of the server certificate (PEM, PKCS#1 or PKCS#8).' },
  ssl_key_passphrase: { type: 'password', description: 'Passphrase of an encrypted `ssl_key`.' },
  ssl_certificate_authorities: {
    type: 'array',
    items: 'string',
    default: [],
    description: 'CA certificates (PEM files) that client certificates must chain to, for `ssl_client_authentication`.',
  },
  ssl_client_authentication: {
    type: 'string',
    enum: ['none', 'optional', 'required'],
    description:
      'Client certificates (mTLS): `none` (not asked), `optional` (asked, verified when given), `required` (a connection without a valid one is refused). Default `none`.',
  },
  ssl_verify_mode: { type: 'string', enum: ['none', 'peer', 'force_peer'], description: 'Deprecated name of `ssl_client_authentication` (`peer` = optional, `force_peer` = required).' },
  ssl_supported_protocols: {
    type: 'array',
    items: 'string',
    default: ['TLSv1.2', 'TLSv1.3'],
    description: 'TLS versions accepted: any of `TLSv1.1`, `TLSv1.2`, `TLSv1.3` (the lowest and highest given set the range).',
  },
  ssl_cipher_suites: { type: 'array', items: 'string', default: [], description: 'Cipher suites (OpenSSL names) to allow; empty: Node\'s defaults.' },
  ssl_handshake_timeout: { type: 'number', default: 10000, description: 'Milliseconds a client has to finish the TLS handshake.' },
};

const PROTOCOL_ORDER = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

export function tlsEnabled(c: TlsConfig): boolean {
  return c.ssl_enabled ?? c.ssl ?? false;
}

export function clientAuthentication(c: TlsConfig): 'none' | 'optional' | 'required' {
  if (c.ssl_client_authentication) return c.ssl_client_authentication;
  if (c.ssl_verify_mode === 'peer') return 'optional';
  if (c.ssl_verify_mode === 'force_peer') return 'required';
  return 'none';
}

/** Node `tls` server options from the config; throws a clear error for a missing or unreadable file. */
export function buildTlsServerOptions(c: TlsConfig, plugin: string): TlsOptions {
  if (!c.ssl_certificate || !c.ssl_key) throw new Error(`${plugin}: ssl_enabled needs ssl_certificate and ssl_key`);
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`${plugin}: cannot read ${what} ${file}: ${(err as Error).message}`);
    }
  };
  const auth = clientAuthentication(c);
  const cas = c.ssl_certificate_authorities ?? [];
  if (auth !== 'none' && cas.length === 0) throw new Error(`${plugin}: ssl_client_authentication => "${auth}" needs ssl_certificate_authorities`);
  const protocols = (c.ssl_supported_protocols ?? []).map((p) => {
    if (!(PROTOCOL_ORDER as readonly string[]).includes(p)) throw new Error(`${plugin}: ssl_supported_protocols: unknown protocol ${p} (TLSv1.1, TLSv1.2, TLSv1.3)`);
    return PROTOCOL_ORDER.indexOf(p as (typeof PROTOCOL_ORDER)[number]);
  });
  const opts: TlsOptions = {
    cert: read(c.ssl_certificate, 'ssl_certificate'),
    key: read(c.ssl_key, 'ssl_key'),
    passphrase: c.ssl_key_passphrase,
    requestCert: auth !== 'none',
    rejectUnauthorized: auth === 'required',
    handshakeTimeout: c.ssl_handshake_timeout,
  };
  if (cas.length) opts.ca = cas.map((f) => read(f, 'ssl_certificate_authorities file'));
  if (protocols.length) {
    opts.minVersion = PROTOCOL_ORDER[Math.min(...protocols)];
    opts.maxVersion = PROTOCOL_ORDER[Math.max(...protocols)];
  }
  if (c.ssl_cipher_suites?.length) opts.ciphers = c.ssl_cipher_suites.join(':');
  return opts;
}

/** For `optional`: a client that sent a certificate which did not verify is refused (as Logstash's `peer`). */
export function peerRejected(socket: TLSSocket, c: TlsConfig): boolean {
  if (clientAuthentication(c) !== 'optional') return false;
  const cert = socket.getPeerCertificate();
  return !!cert && Object.keys(cert).length > 0 && !socket.authorized;
}
