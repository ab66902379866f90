// Real syslog clients: rsyslog and syslog-ng, each started in the foreground from its own config file in a
// temp dir, read a file of 100,000 lines and forward every line to the syslog input twice: over TCP (RFC 5424,
// octet counting) and over UDP (RFC 3164). Every TCP line must arrive exactly once; UDP losses must be
// accounted for by the input's counters (kernel drops and queue drops) and are reported.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { Agent } from '../../src/core/agent.js';
import { waitFor } from './fake_sink.js';
import { freePort, requireBinary, rsyslogd, sendTcp, sleep, syslogNg, stopAll, track } from './net_helpers.js';

after(stopAll);

const LINES = 100_000;

function rsyslogConfig(dir: string, input: string, port: number): string {
  return `global(workDirectory="${join(dir, 'work')}" localHostname="sluice-test-host")
module(load="imfile" mode="polling" PollingInterval="1")
input(type="imfile" file="${input}" tag="app:" facility="local0" severity="info" ruleset="fwd" freshStartTail="off")
ruleset(name="fwd") {
  action(type="omfwd" target="127.0.0.1" port="${port}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format"
         action.resumeRetryCount="-1" action.resumeInterval="1")
  action(type="omfwd" target="127.0.0.1" port="${port}" protocol="udp" template="RSYSLOG_TraditionalForwardFormat")
}
`;
}

function syslogNgConfig(input: string, port: number): string {
  return `@version: 3.38
options { keep-hostname(no); use-fqdn(no); stats-freq(0); mark-freq(0); time-reopen(1); log-fifo-size(200000); };
source s_file { file("${input}" follow-freq(1) flags(no-parse) program-override("app") default-facility(local0) default-priority(info) log-iw-size(20000)); };
destination d_tcp5424 { syslog("127.0.0.1" transport("tcp") port(${port})); };
destination d_udp3164 { network("127.0.0.1" transport("udp") port(${port})); };
log { source(s_file); destination(d_tcp5424); destination(d_udp3164); flags(flow-control); };
`;
}

interface Received {
  tcp: Map<number, number>;
  udp: Map<number, number>;
  badPriority: number;
}

/** Read the output file: `<id>|<priority>|<message>` lines. */
async function readOutput(file: string): Promise<Received> {
  const r: Received = { tcp: new Map(), udp: new Map(), badPriority: 0 };
  const rl = createInterface({ input: createReadStream(file) });
  for await (const line of rl) {
    const [id, priority, message] = line.split('|');
    const m = /^seq=(\d+) /.exec(message ?? '');
    if (!m) continue;
    const seq = Number(m[1]);
    const map = id!.startsWith('syslog:tcp:') ? r.tcp : r.udp;
    map.set(seq, (map.get(seq) ?? 0) + 1);
    if (priority !== '134') r.badPriority++;
  }
  return r;
}

async function forwardThrough(t: TestContext, client: 'rsyslog' | 'syslog-ng'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${client}-`));
  mkdirSync(join(dir, 'work'));
  const input = join(dir, 'app.log');
  writeFileSync(input, Array.from({ length: LINES }, (_, i) => `seq=${String(i + 1).padStart(6, '0')} INFO user=u${i % 97} action=login text="quoted [x]" ✓\n`).join(''));
  const port = await freePort();
  const out = join(dir, 'out.txt');
  const agent = new Agent(
    {
      configString: `input { syslog { port => ${port} host => "127.0.0.1" } }
        output { file { path => "${out}" codec => line { format => "%{[@metadata][_id]}|%{priority}|%{message}" } } }`,
      pathData: join(dir, 'data'),
      workers: 2,
      batchSize: 500,
    },
    await loadRegistry(),
    createLogger('test'),
  );
  track(agent);
  await agent.start();
  await waitFor(async () => sendTcp(port, '').then(() => true, () => false), 'listening');

  let child: ChildProcess;
  let stderr = '';
  if (client === 'rsyslog') {
    const conf = join(dir, 'rsyslog.conf');
    writeFileSync(conf, rsyslogConfig(dir, input, port));
    child = spawn(rsyslogd()!, ['-n', '-f', conf, '-i', join(dir, 'rsyslog.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    const sng = syslogNg()!;
    const conf = join(dir, 'syslog-ng.conf');
    writeFileSync(conf, syslogNgConfig(input, port));
    child = spawn(sng.bin, [...sng.moduleArgs, '--no-caps', '-F', '-e', '-f', conf, '-R', join(dir, 'persist'), '-c', join(dir, 'ctl'), '-p', join(dir, 'pid')], {
      env: sng.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const inputStats = () => (agent.stats()[0]!.inputs?.[0] ?? {}) as Record<string, number>;
  try {
    await waitFor(() => inputStats().tcp_frames >= LINES, `${LINES} TCP frames from ${client}`, 180_000).catch((e) => {
      throw new Error(`${(e as Error).message}; ${client} said: ${stderr.slice(-2000)}; stats ${JSON.stringify(inputStats())}`);
    });
    // UDP: wait until every datagram is either received or counted as dropped, or nothing moves any more.
    let last = -1;
    for (let still = 0; still < 20; ) {
      const s = inputStats();
      const seen = s.udp_datagrams + Math.max(0, s.udp_dropped_kernel);
      if (seen >= LINES) break;
      still = seen === last ? still + 1 : 0;
      last = seen;
      await sleep(250);
    }
    await sleep(500); // a duplicate, if any, would come now
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  await agent.stop();
  const s = inputStats(); // final counters (the kernel's drop count is read when the socket closes)
  const got = await readOutput(out);

  // TCP: every line exactly once.
  assert.equal(got.tcp.size, LINES, `distinct TCP lines from ${client}`);
  for (let i = 1; i <= LINES; i++) if (got.tcp.get(i) !== 1) assert.fail(`TCP line ${i} arrived ${got.tcp.get(i) ?? 0} times`);
  assert.equal(s.tcp_frames, LINES);
  assert.equal(got.badPriority, 0, 'every event parsed with priority 134 (local0.info)');

  // UDP: nothing twice, and every line not received is accounted for by the counters.
  for (const [seq, n] of got.udp) if (n !== 1) assert.fail(`UDP line ${seq} arrived ${n} times`);
  const lost = LINES - got.udp.size;
  const counted = Math.max(0, s.udp_dropped_kernel) + s.udp_dropped_queue_full;
  t.diagnostic(`${client}: UDP received ${got.udp.size}/${LINES}; lost ${lost}; counted by the input: kernel ${s.udp_dropped_kernel}, queue ${s.udp_dropped_queue_full}; receive buffer ${s.udp_receive_buffer_bytes} bytes`);
  assert.equal(got.udp.size, s.udp_datagrams - s.udp_dropped_queue_full, 'every datagram taken in reached the output');
  assert.ok(s.udp_dropped_kernel >= 0, 'the kernel drop counter could be read');
  assert.equal(lost, counted, `UDP loss (${lost}) equals what the input counted (${counted})`);
}

test('rsyslog forwards 100,000 lines over TCP (octet counting, RFC 5424) and UDP (RFC 3164)', async (t) => {
  if (!requireBinary(t, 'rsyslogd', rsyslogd())) return;
  await forwardThrough(t, 'rsyslog');
});

test('syslog-ng forwards 100,000 lines over TCP (octet counting, RFC 5424) and UDP (RFC 3164)', async (t) => {
  if (!requireBinary(t, 'syslog-ng', syslogNg())) return;
  await forwardThrough(t, 'syslog-ng');
});
