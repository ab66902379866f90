// Test certificates: a throw-away CA and a server certificate for 127.0.0.1/localhost signed by it,
// made with the openssl command line in a temporary directory.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** A second CA that did not sign the server certificate. */
  otherCaCert: string;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-pki-'));
  const p = (f: string) => join(dir, f);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ca = (name: string) => ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', p(`${name}.key`), '-out', p(`${name}.crt`));
  ca('sluice-test-ca');
  ca('sluice-other-ca');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', p('server.key'), '-out', p('server.csr'));
  writeFileSync(p('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', p('server.csr'), '-CA', p('sluice-test-ca.crt'), '-CAkey', p('sluice-test-ca.key'), '-CAcreateserial', '-days', '2', '-extfile', p('san.ext'), '-out', p('server.crt'));
  return { dir, caCert: p('sluice-test-ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), otherCaCert: p('sluice-other-ca.crt') };
}
