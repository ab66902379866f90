// Starts a real S3-compatible server (s3rver, from npm) on a free port for a test, in its own process: it
// needs OpenSSL's legacy provider (its list continuation tokens use DES), which this process should not get.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface S3Server {
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

export async function startS3rver(bucket = 'lake'): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-s3rver-'));
  const bin = join(require.resolve('s3rver/package.json'), '..', 'bin', 's3rver.js');
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', bin, '-d', dir, '-a', '127.0.0.1', '-p', '0', '--configure-bucket', bucket], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += String(b);
      const m = /listening on ([\d.]+):(\d+)/.exec(out);
      if (m) resolve(`http://${m[1]}:${m[2]}`);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += String(b)));
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}): ${out}`)));
    child.once('error', reject);
  });
  // If the test process ends without its teardown (a timeout, an interrupt), do not leave the server behind.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  // Keep draining its log so it never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    endpoint,
    bucket,
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
