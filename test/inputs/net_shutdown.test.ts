// SIGTERM on `sluice run` with a syslog input: the process stops accepting and reading, delivers what it read
// (a gap-free prefix of what was sent, every line whole and once), reports its counters, and exits 0.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';
import { waitFor } from './fake_sink.js';
import { freePort, octet, sleep } from './net_helpers.js';

test('sluice run + SIGTERM: stops accepting, drains what was read, exits 0 with the input counters in the summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sigterm-'));
  const port = await freePort();
  const out = join(dir, 'out.txt');
  const config = `input { syslog { port => ${port} host => "127.0.0.1" } }
    filter { if "_line_truncated" in [tags] { mutate { replace => { "message" => "CUT %{message}" } } } }
    output { file { path => "${out}" codec => line { format => "%{message}" } } }`;
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'sluice.js'), 'run', '-e', config, '--path.data', join(dir, 'data')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const c = net.connect(port, '127.0.0.1', () => (c.destroy(), resolve(true)));
          c.on('error', () => resolve(false));
        }),
      'sluice listening',
      30_000,
    );
    const total = 50_000;
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => undefined);
    await new Promise((r) => client.on('connect', r));
    client.write(Array.from({ length: total }, (_, i) => octet(`<13>1 - h app - - - n=${i + 1}\n`)).join(''));
    // The connection stays open: the stop, not the client, ends it.
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').length > 0, 'first events written', 30_000);
    child.kill('SIGTERM');
    assert.equal(await exit, 0, stderr);
    await sleep(50);
    const refused = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => (c.destroy(), resolve(false)));
      c.on('error', () => resolve(true));
    });
    assert.ok(refused, 'no longer accepting');
    client.destroy();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  assert.ok(lines.length > 0);
  const whole = lines.filter((l) => /^n=\d+$/.test(l));
  // Whole lines form the prefix 1..k, each once; at most one line (the one the stop cut) is partial.
  whole.map((l) => Number(l.slice(2))).sort((a, b) => a - b).forEach((n, i) => assert.equal(n, i + 1, 'gap-free, each once'));
  assert.ok(lines.length - whole.length <= 1, 'at most the cut line is partial');
  assert.match(stderr, /input main\/syslog_1 \(syslog\): tcp_frames=\d+/);
  const frames = Number(/tcp_frames=(\d+)/.exec(stderr)![1]);
  assert.equal(frames, lines.length, 'every frame read was written');
});
