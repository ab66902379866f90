// Run `sluice` as a separate process, as a deployment would, and wait on what it writes.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';

export interface SluiceProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  stderr(): string;
  stdout(): string;
  /** SIGKILL. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the drain. */
  stop(): Promise<number | string>;
}

export function startSluice(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): SluiceProcess {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'sluice.js'), ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 400_000) err = err.slice(-200_000);
  });
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.length > 400_000) out = out.slice(-200_000);
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    exited,
    stderr: () => err,
    stdout: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Whole lines of the files (missing files count as empty; a last line without its newline is still being written). */
export function readLines(...files: string[]): string[] {
  const lines: string[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    const pieces = readFileSync(f, 'utf8').split('\n');
    pieces.pop(); // after the last newline: empty, or a line still being written (read while a process writes)
    for (const l of pieces) if (l) lines.push(l);
  }
  return lines;
}

/** Events of JSON-lines files, whole lines only (see readLines): safe to poll while a pipeline writes. */
export function readJsonLines(...files: string[]): Array<Record<string, any>> {
  return readLines(...files).map((l) => JSON.parse(l) as Record<string, any>);
}

/** Poll `check` until it returns true; fail with `describe()` after `timeoutMs` (a safety net, not a timing assertion). */
export async function waitFor(check: () => boolean | Promise<boolean>, describe: () => string, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting: ${describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
