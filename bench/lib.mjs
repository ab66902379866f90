// Shared by the benchmark scripts: the generated input, the pipeline configurations of the cases, and
// running a child process.

import { spawn } from 'node:child_process';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const benchDir = join(root, 'bench');

// ---------------------------------------------------------------------------------------------
// Input data: generated once, reused while count, seed and generator are unchanged
// ---------------------------------------------------------------------------------------------

/**
 * The node flags `sluice` runs with (bin/sluice.js re-executes itself with them): the benchmark runs Sluice
 * the way users do.
 */
export function sluiceNodeFlags() {
  const m = /exec node (.*?) "\$0"/.exec(readFileSync(join(root, 'bin', 'sluice.js'), 'utf8'));
  return m ? m[1].split(/\s+/).filter(Boolean) : [];
}

/** The non-empty lines of a text file (the network senders' input). */
export function* fileLines(file) {
  const text = readFileSync(file, 'utf8');
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line) yield line;
  }
}

export async function ensureData(count, seed) {
  const dataDir = join(benchDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const generator = join(benchDir, 'gen-asa.mjs');
  const genHash = createHash('sha256').update(readFileSync(generator)).digest('hex').slice(0, 16);
  const safeSeed = String(seed).replace(/[^A-Za-z0-9_-]/g, '_');
  const file = join(dataDir, `asa-${count}-seed${safeSeed}.log`);
  const metaFile = file + '.json';
  if (existsSync(file) && existsSync(metaFile)) {
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
      if (meta.count === count && meta.seed === String(seed) && meta.generator === genHash && statSync(file).size === meta.bytes) return { file, bytes: meta.bytes };
    } catch {
      // regenerate
    }
  }
  process.stderr.write(`generating ${count} lines (seed ${seed}) into ${file} ...\n`);
  const tmp = file + '.tmp';
  const fd = openSync(tmp, 'w');
  const t0 = Date.now();
  try {
    await runChild(process.execPath, [generator, '--count', String(count), '--seed', String(seed)], { stdio: ['ignore', fd, 'inherit'] });
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const bytes = statSync(file).size;
  writeFileSync(metaFile, JSON.stringify({ count, seed: String(seed), generator: genHash, bytes }) + '\n');
  process.stderr.write(`generated ${(bytes / 2 ** 20).toFixed(1)} MiB in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return { file, bytes };
}

export function runChild(cmd, args, options, timeoutSec) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, options);
    let timer;
    if (timeoutSec) {
      timer = setTimeout(() => {
        process.stderr.write(`bench: case exceeded ${timeoutSec} s; stopping it (pid ${child.pid})\n`);
        child.kill('SIGKILL');
      }, timeoutSec * 1000);
    }
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise();
      else reject(new Error(`${args[0]} exited with ${signal ?? code}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Pipeline configurations
// ---------------------------------------------------------------------------------------------

const quote = (s) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';

export function fileInput(dataFile, tmp) {
  // Read mode: the whole file once, then the input ends (exit_after_read). file_completed_action defaults to
  // "delete" in Logstash's read mode, so it is set to "log" to keep the benchmark input.
  return `input {
  file {
    path => ${quote(dataFile)}
    mode => "read"
    exit_after_read => true
    file_completed_action => "log"
    file_completed_log_path => ${quote(join(tmp, 'completed.log'))}
    sincedb_path => ${quote(join(tmp, 'sincedb'))}
  }
}
`;
}

export function fileOutput(outFile) {
  return `output {
  file {
    path => ${quote(outFile)}
    codec => json_lines
  }
}
`;
}

// The plain header-and-fields pipeline, written as users write it: library pattern names, one grok per
// message id picked by a conditional, then the date filter. Same fields as the hand-written node floor (the
// header grok overwrites `message` with the text after the header, and the date filter drops `ts`), plus the
// `path` and `host` fields every file input adds.
export const GROK_DATE_FILTERS = String.raw`filter {
  grok {
    match => { "message" => "^<%{POSINT:pri}>%{CISCOTIMESTAMP:ts} %{NOTSPACE:device} : %ASA-%{INT:level}-%{INT:msgid}: %{GREEDYDATA:message}" }
    overwrite => ["message"]
  }
  if [msgid] in ["302013", "302015"] {
    grok {
      match => { "message" => "^Built %{WORD:direction} %{WORD:proto} connection %{INT:conn_id} for %{DATA:src_if}:%{IP:src_ip}/%{INT:src_port} \(%{IP:src_xip}/%{INT:src_xport}\) to %{DATA:dst_if}:%{IP:dst_ip}/%{INT:dst_port} \(%{IP:dst_xip}/%{INT:dst_xport}\)" }
    }
  } else if [msgid] in ["302014", "302016"] {
    grok {
      match => { "message" => "^Teardown %{WORD:proto} connection %{INT:conn_id} for %{DATA:src_if}:%{IP:src_ip}/%{INT:src_port} to %{DATA:dst_if}:%{IP:dst_ip}/%{INT:dst_port} duration %{NOTSPACE:duration} bytes %{INT:bytes}(?: %{GREEDYDATA:reason})?$" }
    }
  } else if [msgid] == "106023" {
    grok {
      match => { "message" => "^Deny %{NOTSPACE:proto} src %{DATA:src_if}:%{IP:src_ip}/%{INT:src_port} dst %{DATA:dst_if}:%{IP:dst_ip}/%{INT:dst_port} by access-group \"%{DATA:acl}\"" }
    }
  } else if [msgid] in ["305011", "305012"] {
    grok {
      match => { "message" => "^%{WORD:nat_action} dynamic %{WORD:proto} translation from %{DATA:src_if}:%{IP:src_ip}/%{INT:src_port} to %{DATA:dst_if}:%{IP:dst_ip}/%{INT:dst_port}" }
    }
  } else if [msgid] == "106100" {
    grok {
      match => { "message" => "^access-list %{NOTSPACE:acl} %{WORD:action} %{WORD:proto} %{DATA:src_if}/%{IP:src_ip}\(%{INT:src_port}\) -> %{DATA:dst_if}/%{IP:dst_ip}\(%{INT:dst_port}\) hit-cnt %{INT:hits}" }
    }
  } else if [msgid] == "710003" {
    grok {
      match => { "message" => "^%{WORD:proto} access denied by ACL from %{IP:src_ip}/%{INT:src_port} to %{DATA:dst_if}:%{IP:dst_ip}/%{INT:dst_port}" }
    }
  }
  date {
    match => ["ts", "MMM dd yyyy HH:mm:ss"]
    remove_field => ["ts"]
  }
}
`;

/**
 * The top-level `filter { ... }` sections of a Logstash config, verbatim. Skips strings, comments and
 * regular-expression literals so braces inside them do not count.
 */
export function filterSections(text) {
  const sections = [];
  let i = 0;
  let depth = 0;
  let sectionStart = -1;
  let lastToken = '';
  while (i < text.length) {
    const c = text[i];
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i++;
      lastToken = 'string';
      continue;
    }
    if (c === '/' && (lastToken === '=~' || lastToken === '!~')) {
      i++;
      while (i < text.length && text[i] !== '/') i += text[i] === '\\' ? 2 : 1;
      i++;
      lastToken = 'regex';
      continue;
    }
    if (c === '{') {
      if (depth === 0 && /(?:^|\s)filter\s*$/.test(text.slice(Math.max(0, i - 40), i))) sectionStart = text.lastIndexOf('filter', i);
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0 && sectionStart >= 0) {
        sections.push(text.slice(sectionStart, i + 1));
        sectionStart = -1;
      }
    }
    if (c === '=' && text[i + 1] === '~') (lastToken = '=~'), i++;
    else if (c === '!' && text[i + 1] === '~') (lastToken = '!~'), i++;
    else if (!/\s/.test(c)) lastToken = c;
    i++;
  }
  return sections;
}

/** The syslog/tcp case: the syslog input on a local port, no filters, the null output (the input path alone). */
export function syslogTcpConfig(port) {
  return `input { syslog { host => "127.0.0.1" port => ${port} } }\noutput { null {} }\n`;
}

/**
 * The http-bulk case: the http input with the Elasticsearch API on a local port, no filters, the null output.
 * Ids of documents without `_id` are hashes of the source line, so that cost is part of the figure.
 */
export function bulkHttpConfig(port) {
  return `input { http { host => "127.0.0.1" port => ${port} elasticsearch_api => true } }\noutput { null {} }\n`;
}

/** A free TCP port on 127.0.0.1 (closed again; the case binds it right after). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

export function buildConfig(caseName, dataFile, tmp, outFile) {
  let filters;
  if (caseName === 'grok+date') filters = GROK_DATE_FILTERS;
  else if (caseName === 'firewall') filters = firewallFilters();
  else throw new Error(`no config for case ${caseName}`);
  const config = join(tmp, 'pipeline.conf');
  writeFileSync(config, fileInput(dataFile, tmp) + filters + fileOutput(outFile));
  return config;
}

// ---------------------------------------------------------------------------------------------
// Load cases: the data lake (s3 output on a local directory) and bulk indexing (Elasticsearch stand-in)
// ---------------------------------------------------------------------------------------------

/**
 * lake-raw: the original lines, gzip, no filters (the archive path); lake-parquet: the events parsed by the
 * grok+date filters, written as Parquet (zstd). Both into a lake directory inside the case's temp dir.
 */
export function lakeConfig(caseName, dataFile, tmp, lakeDir) {
  const format = caseName === 'lake-raw' ? 'raw' : 'parquet';
  const filters = format === 'parquet' ? GROK_DATE_FILTERS : '';
  const config = join(tmp, 'pipeline.conf');
  writeFileSync(config, fileInput(dataFile, tmp) + filters + `output {\n  s3 {\n    path => ${quote(lakeDir)}\n    type => "asa"\n    format => ${format}\n  }\n}\n`);
  return config;
}

/** es-bulk: the grok+date filters, then the elasticsearch output to the stand-in at `url`. */
export function esBulkConfig(dataFile, tmp, url) {
  const config = join(tmp, 'pipeline.conf');
  writeFileSync(config, fileInput(dataFile, tmp) + GROK_DATE_FILTERS + `output {\n  elasticsearch {\n    hosts => [${quote(url)}]\n    index => "asa-%{+yyyy.MM.dd}"\n  }\n}\n`);
  return config;
}

/** Bytes of every file under `dir` (0 when it does not exist). */
export function dirBytes(dir) {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += dirBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/**
 * The Elasticsearch stand-in of the tests (dist/test/outputs/support/es_standin.js) in its own process, so its
 * CPU and memory are not counted as the case's. It forgets stored documents as it goes (counting them), so a
 * million documents do not fill its memory. `stop()` ends it and returns what it indexed.
 */
export async function startEsStandin() {
  const child = spawn(process.execPath, [join(benchDir, 'es-standin.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  let waiting;
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      waiting?.();
    }
  });
  const exited = new Promise((r) => child.once('exit', r));
  const nextLine = async () => {
    while (!lines.length) {
      const more = new Promise((r) => (waiting = r));
      if ((await Promise.race([more.then(() => 'line'), exited.then(() => 'exit')])) === 'exit' && !lines.length) throw new Error('es-standin exited');
    }
    return lines.shift();
  };
  const first = await nextLine();
  const m = /^listening (\S+)/.exec(first);
  if (!m) throw new Error(`es-standin: ${first}`);
  return {
    url: m[1],
    async stop() {
      child.stdin.end('stop\n');
      const report = JSON.parse(await nextLine());
      await exited;
      return report;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The distributed case: a front pipeline (file → jetstream) and worker pipelines (jetstream → the firewall
// example's filters → file), each a `sluice run` process, on one nats-server started for the case.
// ---------------------------------------------------------------------------------------------

export const DISTRIBUTED_STREAM = 'BENCH';
export const DISTRIBUTED_CONSUMER = 'bench-workers';

export function firewallFilters() {
  const example = join(root, 'examples', 'firewall.conf');
  if (!existsSync(example)) throw new Error('examples/firewall.conf not found');
  const sections = filterSections(readFileSync(example, 'utf8'));
  if (!sections.length) throw new Error('examples/firewall.conf has no filter section');
  return sections.join('\n') + '\n';
}

/** Config files of the distributed case: `front.conf` and one `worker-<n>.conf` per worker (own output file each). */
export function distributedConfigs(dataFile, tmp, natsUrl, workers) {
  const stream = `stream => ${quote(DISTRIBUTED_STREAM)} subject => "bench.asa"`;
  const front = join(tmp, 'front.conf');
  writeFileSync(front, fileInput(dataFile, tmp) + `output {\n  jetstream { servers => [${quote(natsUrl)}] ${stream} }\n}\n`);
  const workerFiles = [];
  const outFiles = [];
  for (let n = 1; n <= workers; n++) {
    const out = join(tmp, `out-worker${n}.jsonl`);
    const file = join(tmp, `worker-${n}.conf`);
    writeFileSync(file, `input {\n  jetstream { servers => [${quote(natsUrl)}] ${stream} consumer => ${quote(DISTRIBUTED_CONSUMER)} }\n}\n` + firewallFilters() + fileOutput(out));
    workerFiles.push(file);
    outFiles.push(out);
  }
  return { front, workers: workerFiles, outFiles };
}
