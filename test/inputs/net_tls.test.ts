// TLS and mutual TLS on the tcp and syslog inputs, with certificates made by the openssl CLI in the test.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './fake_sink.js';
import { freePort, hasOpenssl, octet, requireBinary, sleep, startInput, stopAll } from './net_helpers.js';

after(stopAll);

let dir = '';
const pem = (name: string) => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA and certificates it signs (EC keys: quick to make). */
function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '2');
}
function makeCert(name: string, ca: string, subject: string, san?: string): void {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, san ? `subjectAltName=${san}\n` : 'basicConstraints=CA:FALSE\n');
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', ext);
}

before(() => {
  if (!hasOpenssl()) return;
  dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
  makeCa('ca');
  makeCa('rogue-ca');
  makeCert('server', 'ca', '/CN=localhost', 'DNS:localhost,IP:127.0.0.1');
  makeCert('client', 'ca', '/O=Sluice/CN=client-1');
  makeCert('rogue', 'rogue-ca', '/CN=intruder');
});

interface ClientResult {
  /** The server kept the connection until we ended it. */
  accepted: boolean;
  error?: string;
}

/** Send `data` over TLS, optionally with a client certificate; reports whether the server kept the connection. */
function tlsSend(port: number, data: string, cert?: 'client' | 'rogue'): Promise<ClientResult> {
  return new Promise((resolve) => {
    const s = tls.connect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: readFileSync(pem('ca.crt')),
      ...(cert ? { cert: readFileSync(pem(`${cert}.crt`)), key: readFileSync(pem(`${cert}.key`)) } : {}),
    });
    let error: string | undefined;
    let ended = false;
    s.on('error', (e) => (error = e.message));
    s.on('secureConnect', async () => {
      s.write(data);
      // TLS 1.3 reports a refused client certificate after the handshake: give the server a moment to say so.
      await sleep(200);
      if (!s.destroyed) {
        ended = true;
        s.end();
      }
    });
    s.on('close', () => resolve({ accepted: ended && !error, error }));
    s.resume();
  });
}

test('TLS: a TLS client is read; a plain-TCP client gets nothing through', async (t) => {
  if (!requireBinary(t, 'openssl', hasOpenssl())) return;
  const port = await freePort();
  const r = await startInput('tcp', { port, host: '127.0.0.1', dns_reverse_lookup_enabled: false, ssl_enabled: true, ssl_certificate: pem('server.crt'), ssl_key: pem('server.key') });
  const ok = await tlsSend(port, 'secret line\n');
  assert.ok(ok.accepted, ok.error);
  await new Promise<void>((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => c.end('plain text line\n'));
    c.on('error', () => undefined);
    c.on('close', () => resolve());
    c.resume();
  });
  await waitFor(() => r.sink.lines().length >= 1, 'the TLS line');
  await sleep(100);
  assert.deepEqual(r.sink.lines().map((l) => l.text), ['secret line']);
  await waitFor(() => r.metrics().tls_failures >= 1, 'the plain client counted as a TLS failure');
  await r.stop();
});

test('mTLS required: clients without a certificate or with one from another CA are refused; a valid one is read with its subject', async (t) => {
  if (!requireBinary(t, 'openssl', hasOpenssl())) return;
  const port = await freePort();
  const r = await startInput('tcp', {
    port,
    host: '127.0.0.1',
    dns_reverse_lookup_enabled: false,
    ssl_enabled: true,
    ssl_certificate: pem('server.crt'),
    ssl_key: pem('server.key'),
    ssl_certificate_authorities: [pem('ca.crt')],
    ssl_client_authentication: 'required',
  });
  const before = r.metrics().tls_failures;
  const none = await tlsSend(port, 'from no cert\n');
  const rogue = await tlsSend(port, 'from rogue\n', 'rogue');
  const good = await tlsSend(port, 'from client-1\n', 'client');
  assert.equal(none.accepted, false, 'no certificate: refused');
  assert.equal(rogue.accepted, false, 'untrusted certificate: refused');
  assert.ok(good.accepted, good.error);
  await waitFor(() => r.sink.lines().length >= 1, 'the valid client line');
  await sleep(100);
  const lines = r.sink.lines();
  assert.deepEqual(lines.map((l) => l.text), ['from client-1']);
  assert.equal(lines[0]!.fields!.sslsubject, 'CN=client-1,O=Sluice');
  assert.ok(r.metrics().tls_failures - before >= 2, 'both refusals counted');
  await r.stop();
});

test('mTLS optional on the syslog input: no certificate is fine, an untrusted one is refused', async (t) => {
  if (!requireBinary(t, 'openssl', hasOpenssl())) return;
  const port = await freePort();
  const r = await startInput('syslog', {
    port,
    host: '127.0.0.1',
    ssl_enabled: true,
    ssl_certificate: pem('server.crt'),
    ssl_key: pem('server.key'),
    ssl_certificate_authorities: [pem('ca.crt')],
    ssl_client_authentication: 'optional',
  });
  const anon = await tlsSend(port, octet('<13>1 - h app - - - anonymous'));
  const rogue = await tlsSend(port, octet('<13>1 - h app - - - rogue'), 'rogue');
  const good = await tlsSend(port, octet('<13>1 - h app - - - trusted'), 'client');
  assert.ok(anon.accepted, anon.error);
  assert.equal(rogue.accepted, false);
  assert.ok(good.accepted, good.error);
  await waitFor(() => r.sink.lines().length >= 2, 'two lines');
  await sleep(100);
  assert.deepEqual(r.sink.lines().map((l) => l.text).sort(), ['<13>1 - h app - - - anonymous', '<13>1 - h app - - - trusted']);
  assert.equal(r.metrics().udp_datagrams, undefined, 'with TLS the syslog input does not listen on plain UDP');
  await r.stop();
});

test('TLS settings are checked: ssl_enabled without a certificate is a clear error', async () => {
  const port = await freePort();
  await assert.rejects(startInput('tcp', { port, ssl_enabled: true }), /ssl_certificate and ssl_key/);
});
