// Finding the real Elasticsearch shippers for tests: rsyslog with its omelasticsearch module (Debian package
// rsyslog-elasticsearch) and syslog-ng with elasticsearch-http() (syslog-ng-core, -mod-http, -scl). rsyslog and
// syslog-ng conflict as Debian packages, so syslog-ng may be run from its .deb files extracted into a
// directory: SLUICE_SYSLOG_NG_ROOT, else ~/.cache/sluice/syslog-ng (where .ci/run puts it), else the system.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export interface SyslogNg {
  binary: string;
  modulePath: string;
  sclDir: string;
  env: NodeJS.ProcessEnv;
}

/** Skip the test (or fail in CI) with a clear message. Returns false when skipped. */
export function need(t: TestContext, ok: boolean, what: string): boolean {
  if (ok) return true;
  if (process.env.CI === 'true') throw new Error(`CI: ${what} is missing (.ci/run installs it)`);
  t.skip(`needs ${what}`);
  return false;
}

export function rsyslogd(): string | undefined {
  const bin = '/usr/sbin/rsyslogd';
  const modules = ['/usr/lib/x86_64-linux-gnu/rsyslog', '/usr/lib/aarch64-linux-gnu/rsyslog', '/usr/lib/rsyslog'];
  return existsSync(bin) && modules.some((d) => existsSync(join(d, 'omelasticsearch.so'))) ? bin : undefined;
}

export function syslogNg(): SyslogNg | undefined {
  const roots = [process.env.SLUICE_SYSLOG_NG_ROOT, join(homedir(), '.cache', 'sluice', 'syslog-ng'), '/'].filter((r): r is string => !!r);
  for (const root of roots) {
    const binary = join(root, 'usr', 'sbin', 'syslog-ng');
    const modulePath = join(root, 'usr', 'lib', 'syslog-ng', '3.38');
    const sclDir = join(root, 'usr', 'share', 'syslog-ng', 'include', 'scl');
    if (existsSync(binary) && existsSync(join(modulePath, 'libhttp.so')) && existsSync(join(sclDir, 'elasticsearch', 'elastic-http.conf'))) {
      const libDir = join(root, 'usr', 'lib', 'syslog-ng');
      return { binary, modulePath, sclDir, env: { ...process.env, LD_LIBRARY_PATH: [libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } };
    }
  }
  return undefined;
}
