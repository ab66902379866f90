// Real Elasticsearch shippers against the http input's `_bulk` API: rsyslog's omelasticsearch and syslog-ng's
// elasticsearch-http(), each started in the foreground from its own config file in a temp dir, reading a file
// of N lines. Every line must arrive exactly once in the file output, with the index and a unique id.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { Agent } from '../../src/core/agent.js';
import { waitFor } from './fake_sink.js';
import { need, rsyslogd, syslogNg } from '../support/es-shippers.js';
import { readJsonLines } from '../support/sluice.js';

const N = 3000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startSluice(dir: string, port: number): Promise<{ agent: Agent; out: string }> {
  const out = join(dir, 'out.jsonl');
  const config = `
    input { http { host => "127.0.0.1" port => ${port} elasticsearch_api => true user => "etl" password => "secret" } }
    filter { mutate { add_field => { "eid" => "%{[@metadata][_id]}" "eindex" => "%{[@metadata][_index]}" } } }
    output { file { path => "${out}" } }`;
  const agent = new Agent({ configString: config, pathData: join(dir, 'data'), workers: 1, batchSize: 200 }, await loadRegistry(), createLogger('test'));
  await agent.start();
  return { agent, out };
}

function writeLines(file: string, tag: string): void {
  const lines: string[] = [];
  for (let i = 0; i < N; i++) lines.push(`${tag} line ${i} user=alice action=login path=/var/log/x "quoted" ✓`);
  writeFileSync(file, lines.join('\n') + '\n');
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function checkAllOnce(events: Array<Record<string, any>>, field: string, tag: string, index: string): void {
  const seen = new Map<number, number>();
  for (const e of events) {
    const m = /line (\d+) /.exec(String(e[field]));
    assert.ok(m, `unexpected event ${JSON.stringify(e)}`);
    seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1);
    assert.equal(e.eindex, index);
    assert.ok(String(e[field]).startsWith(tag));
  }
  assert.equal(seen.size, N, 'every line arrived');
  assert.ok([...seen.values()].every((n) => n === 1), 'no line arrived twice');
  assert.equal(new Set(events.map((e) => e.eid)).size, N, 'ids are unique');
}

test('http _bulk with real rsyslog omelasticsearch: every line arrives once', async (t) => {
  const bin = rsyslogd();
  if (!need(t, !!bin, 'rsyslogd with omelasticsearch (Debian packages rsyslog, rsyslog-elasticsearch)')) return;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-rsyslog-es-'));
  mkdirSync(join(dir, 'work'));
  const port = await freePort();
  const { agent, out } = await startSluice(dir, port);
  const input = join(dir, 'app.log');
  writeLines(input, 'rsyslog');
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(
    conf,
    `global(workDirectory="${join(dir, 'work')}" localHostname="etl-test-host")
module(load="imfile" mode="polling" PollingInterval="1")
module(load="omelasticsearch")
template(name="es-json" type="list" option.jsonf="on") {
  property(outname="@timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  property(outname="tag" name="syslogtag" format="jsonf")
  property(outname="message" name="msg" format="jsonf")
}
input(type="imfile" file="${input}" tag="app:" facility="local0" severity="info" ruleset="es" freshStartTail="off")
ruleset(name="es") {
  action(type="omelasticsearch" server="127.0.0.1" serverport="${port}" searchIndex="logs-rsyslog" template="es-json"
         bulkmode="on" maxbytes="1m" uid="etl" pwd="secret" queue.type="linkedlist" queue.size="20000"
         queue.dequeueBatchSize="500" action.resumeRetryCount="-1" errorFile="${join(dir, 'errors.json')}")
}
`,
  );
  const child = spawn(bin!, ['-n', '-f', conf, '-i', join(dir, 'rsyslog.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitFor(() => readJsonLines(out).length >= N || child.exitCode !== null, `${N} events from rsyslog`, 120_000).catch((err) => {
      throw new Error(`${(err as Error).message}; got ${readJsonLines(out).length}; rsyslog stderr: ${stderr.slice(-2000)}`);
    });
    assert.equal(child.exitCode, null, `rsyslog exited: ${stderr}`);
  } finally {
    await stopChild(child);
    await agent.stop();
  }
  checkAllOnce(readJsonLines(out), 'message', 'rsyslog', 'logs-rsyslog');
  assert.ok(!existsSync(join(dir, 'errors.json')), 'rsyslog recorded no failed request');
});

test('http _bulk with real syslog-ng elasticsearch-http(): every line arrives once', async (t) => {
  const sng = syslogNg();
  if (!need(t, !!sng, 'syslog-ng 3.38 with syslog-ng-mod-http and syslog-ng-scl (extracted .debs, see .ci/run)')) return;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sng-es-'));
  const port = await freePort();
  const { agent, out } = await startSluice(dir, port);
  const input = join(dir, 'app.log');
  writeLines(input, 'syslog-ng');
  const conf = join(dir, 'syslog-ng.conf');
  writeFileSync(
    conf,
    `@version: 3.38
@include "${join(sng!.sclDir, 'elasticsearch', 'elastic-http.conf')}"
options { keep-hostname(no); use-fqdn(no); stats-freq(0); mark-freq(0); };
source s_file { file("${input}" follow-freq(1) flags(no-parse) program-override("app") default-facility(local0) default-priority(info)); };
destination d_es { elasticsearch-http(url("http://127.0.0.1:${port}/_bulk") index("logs-sng") type("")
                   user("etl") password("secret") batch-lines(200) workers(1) time-reopen(1)); };
log { source(s_file); destination(d_es); };
`,
  );
  const child = spawn(
    sng!.binary,
    [`--module-path=${sng!.modulePath}`, '--no-caps', '-f', conf, '-R', join(dir, 'persist'), '-c', join(dir, 'ctl'), '-p', join(dir, 'pid'), '-F', '-e'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: sng!.env },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitFor(() => readJsonLines(out).length >= N || child.exitCode !== null, `${N} events from syslog-ng`, 120_000).catch((err) => {
      throw new Error(`${(err as Error).message}; got ${readJsonLines(out).length}; syslog-ng stderr: ${stderr.slice(-2000)}`);
    });
    assert.equal(child.exitCode, null, `syslog-ng exited: ${stderr}`);
  } finally {
    await stopChild(child);
    await agent.stop();
  }
  checkAllOnce(readJsonLines(out), 'MESSAGE', 'syslog-ng', 'logs-sng');
});
