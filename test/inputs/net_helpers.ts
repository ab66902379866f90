import { homedir } from 'node:os';
// Helpers for the network input tests: free ports, starting an input on a fake sink, clients.

import net from 'node:net';
import dgram from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Input, InputSink, RawBatch } from '../../src/core/plugin.js';
import { createPlugin, repoRoot } from '../helpers.js';
import { FakeSink, waitFor } from './fake_sink.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port free for both TCP and UDP on 127.0.0.1 (the syslog input listens on both). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.on('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = dgram.createSocket('udp4');
      u.on('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

/** A sink that can be made to hold every push (a full pipeline). */
export class BlockingSink extends FakeSink {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  /** Pushes currently waiting at the gate. */
  waiting = 0;

  constructor() {
    super(true);
  }

  block(): void {
    if (!this.gate) this.gate = new Promise((r) => (this.open = r));
  }

  release(): void {
    this.open?.();
    this.gate = this.open = undefined;
  }

  override async push(batch: RawBatch, ack?: () => void): Promise<void> {
    await super.push(batch, ack);
    while (this.gate) {
      this.waiting++;
      await this.gate;
      this.waiting--;
    }
  }
}

/** Everything a test started that listens: stopped by stopAll() (an `after` hook), so a failed test cannot hang the run. */
const started = new Set<{ stop(): Promise<void> }>();

export function track<T extends { stop(): Promise<void> }>(thing: T): T {
  started.add(thing);
  return thing;
}

export async function stopAll(): Promise<void> {
  const all = [...started];
  started.clear();
  await Promise.all(all.map((s) => s.stop().catch(() => undefined)));
}

export interface RunningInput {
  input: Input;
  sink: InputSink & FakeSink;
  done: Promise<void>;
  metrics(): Record<string, number>;
  stop(): Promise<void>;
}

/** Create an input from settings, run it on `sink`, and wait until its TCP port accepts connections. */
export async function startInput(name: string, settings: Record<string, unknown>, sink: FakeSink = new FakeSink(true), waitTcp = true): Promise<RunningInput> {
  const input = await createPlugin<Input>('input', name, settings, { side: 'main', pluginId: `${name}_1` });
  const done = input.run(sink);
  let failed: unknown;
  done.catch((e) => (failed = e));
  const port = settings.port as number;
  if (waitTcp)
    await waitFor(async () => {
      if (failed) throw failed;
      return new Promise<boolean>((resolve) => {
        const c = net.connect(port, '127.0.0.1');
        c.on('connect', () => {
          c.destroy();
          resolve(true);
        });
        c.on('error', () => resolve(false));
      });
    }, `${name} listening on ${port}`);
  let stopping: Promise<void> | undefined;
  const running: RunningInput = {
    input,
    sink,
    done,
    metrics: () => input.metrics?.() ?? {},
    stop() {
      started.delete(running);
      stopping ??= (async () => {
        input.stop();
        await done;
        await input.close?.();
      })();
      return stopping;
    },
  };
  return track(running);
}

/** Connect, write, and end; resolves when the server closed its side too. */
export function sendTcp(port: number, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.end(data));
    c.on('error', reject);
    c.on('close', () => resolve());
    c.resume();
  });
}

export const octet = (msg: string) => `${Buffer.byteLength(msg)} ${msg}`;

/**
 * Where an unpacked syslog-ng is: SLUICE_SYSLOG_NG_ROOT, else ~/.cache/sluice/syslog-ng (where .ci/run unpacks
 * it, since its Debian package conflicts with rsyslog's), else the one on PATH.
 */
export function syslogNg(): { bin: string; env: NodeJS.ProcessEnv; moduleArgs: string[] } | undefined {
  for (const root of [process.env.SLUICE_SYSLOG_NG_ROOT, join(homedir(), '.cache', 'sluice', 'syslog-ng')]) {
    if (!root) continue;
    const local = join(root, 'usr', 'sbin', 'syslog-ng');
    if (existsSync(local))
      return {
        bin: local,
        env: { ...process.env, LD_LIBRARY_PATH: join(root, 'usr', 'lib', 'syslog-ng') },
        moduleArgs: [`--module-path=${join(root, 'usr', 'lib', 'syslog-ng', '3.38')}`],
      };
  }
  try {
    const bin = execFileSync('sh', ['-c', 'command -v syslog-ng'], { encoding: 'utf8' }).trim();
    if (bin) return { bin, env: process.env, moduleArgs: [] };
  } catch {
    // not installed
  }
  return undefined;
}

export function rsyslogd(): string | undefined {
  for (const p of ['/usr/sbin/rsyslogd', '/sbin/rsyslogd']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v rsyslogd'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Skip (outside CI) or fail (in CI) when a needed binary is missing. */
export function requireBinary(t: TestContext, what: string, found: unknown): boolean {
  if (found) return true;
  if (process.env.CI === 'true') throw new Error(`CI: ${what} is missing (.ci/run installs it)`);
  t.skip(`needs ${what} (run .ci/syslog-clients.sh)`);
  return false;
}
