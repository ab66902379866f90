// Starts a real nats-server (JetStream on, store in a temp dir) on a free loopback port for a test, and stops it
// in teardown. Missing binary: the test is skipped with a clear message, except in CI (CI=true) where it fails.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';

export interface NatsServer {
  url: string;
  port: number;
  storeDir: string;
  /** SIGKILL the server (no cleanup). */
  kill(): void;
  stop(): Promise<void>;
}

/** A port free right now on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export function findNatsServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, 'nats-server');
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** The nats-server binary, or undefined after skipping the test (never in CI: there it throws). */
export function natsServerOrSkip(t: TestContext): string | undefined {
  const bin = findNatsServer();
  if (bin) return bin;
  if (process.env.CI === 'true') throw new Error('CI: nats-server is not installed (.ci/run installs it with apt-get)');
  t.skip('needs nats-server on PATH (apt-get install nats-server), absent here');
  return undefined;
}

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (b: Buffer) => {
      log += b.toString();
      if (log.includes('Server is ready')) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`nats-server exited (${code}) before it was ready:\n${log}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`nats-server not ready in time:\n${log}`));
    }, 20_000);
    function cleanup() {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      child.stderr!.resume(); // keep draining so the server never blocks on a full pipe
    }
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** `port`: a given port (e.g. one a client already waits on); otherwise a free one. */
export async function startNatsServer(bin: string, fixedPort?: number): Promise<NatsServer> {
  let lastError: Error | undefined;
  // A free port can be taken between the probe and the server's bind: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = fixedPort ?? (await freePort());
    const storeDir = mkdtempSync(join(tmpdir(), 'sluice-nats-'));
    const child = spawn(bin, ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port), '-n', `test-${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await waitReady(child);
    } catch (e) {
      lastError = e as Error;
      child.kill('SIGKILL');
      rmSync(storeDir, { recursive: true, force: true });
      continue;
    }
    const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    return {
      url: `nats://127.0.0.1:${port}`,
      port,
      storeDir,
      kill: () => child.kill('SIGKILL'),
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
        rmSync(storeDir, { recursive: true, force: true });
      },
    };
  }
  throw lastError ?? new Error('cannot start nats-server');
}
