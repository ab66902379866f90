// Real nats-server instances for tests: a single node or a cluster, on free loopback ports, with file
// storage in a temp directory. Each node can be killed (SIGKILL) and restarted with the same store.
// Without the binary a test skips with a clear message, except in CI where that is a failure.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export function natsServerAvailable(): boolean {
  return spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Skip the test when nats-server is missing (fail in CI). Returns false when skipped. */
export function requireNats(t: TestContext): boolean {
  if (natsServerAvailable()) return true;
  if (process.env.CI === 'true') throw new Error('CI: nats-server is not installed (.ci/run installs the Debian package nats-server)');
  t.skip('needs nats-server (Debian package nats-server), not installed here');
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export interface NatsNode {
  name: string;
  port: number;
  httpPort: number;
  url: string;
  process?: ChildProcess;
  /** SIGKILL the node. */
  kill(): Promise<void>;
  /** Start it again with the same config and store. */
  start(): Promise<void>;
  /** Server log so far (stderr), for failure messages. */
  log(): string;
}

export interface NatsCluster {
  nodes: NatsNode[];
  /** Client URLs of every node. */
  servers: string[];
  dir: string;
  /** Stream leader's server name, via the monitoring endpoint of any live node. */
  streamLeader(stream: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

export interface StartNatsOptions {
  jetstream?: boolean;
  /** Number of nodes (1: a single server without cluster block). */
  cluster?: number;
  /** More server configuration (authorization, …), appended to every node's file. */
  config?: string;
}

/** Start one nats-server or a cluster of `cluster` nodes; waits until every node accepts connections. */
export async function startNats(opts: StartNatsOptions = {}): Promise<NatsCluster> {
  const size = opts.cluster ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-nats-'));
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), http: await freePort(), route: await freePort() })));
  const nodes: NatsNode[] = ports.map((p, i) => {
    const name = `n${i + 1}`;
    const nodeDir = join(dir, name);
    mkdirSync(nodeDir, { recursive: true });
    const lines = [`server_name: ${name}`, `listen: 127.0.0.1:${p.client}`, `http: 127.0.0.1:${p.http}`];
    if (opts.jetstream !== false) lines.push(`jetstream { store_dir: "${join(nodeDir, 'store')}", max_memory_store: 64MB, max_file_store: 1GB }`);
    if (size > 1) {
      lines.push(`cluster { name: sluicetest, listen: 127.0.0.1:${p.route}, routes: [ ${ports.map((q) => `nats-route://127.0.0.1:${q.route}`).join(', ')} ] }`);
    }
    if (opts.config) lines.push(opts.config);
    const conf = join(nodeDir, 'nats.conf');
    writeFileSync(conf, lines.join('\n') + '\n');
    let stderr = '';
    const node: NatsNode = {
      name,
      port: p.client,
      httpPort: p.http,
      url: `nats://127.0.0.1:${p.client}`,
      async start() {
        const child = spawn('nats-server', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
        child.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
        });
        node.process = child;
        for (let i = 0; i < 200; i++) {
          if (child.exitCode !== null) throw new Error(`nats-server ${name} exited: ${stderr}`);
          if (await portOpen(p.client)) return;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`nats-server ${name} did not start: ${stderr}`);
      },
      async kill() {
        const child = node.process;
        node.process = undefined;
        if (!child || child.exitCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      },
      log: () => stderr,
    };
    return node;
  });
  await Promise.all(nodes.map((n) => n.start()));
  const cluster: NatsCluster = {
    nodes,
    servers: nodes.map((n) => n.url),
    dir,
    async streamLeader(stream) {
      for (const n of nodes) {
        if (!n.process) continue;
        try {
          const res = await fetch(`http://127.0.0.1:${n.httpPort}/jsz?streams=true`);
          const body = (await res.json()) as { account_details?: Array<{ stream_detail?: Array<{ name: string; cluster?: { leader?: string } }> }> };
          for (const a of body.account_details ?? []) for (const s of a.stream_detail ?? []) if (s.name === stream && s.cluster?.leader) return s.cluster.leader;
        } catch {
          // try the next node
        }
      }
      return undefined;
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
