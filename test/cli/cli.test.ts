// The command line as a user meets it: help, check reporting every error, run -e, test, the README reference.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';

const bin = join(repoRoot, 'bin', 'sluice.js');
const sluice = (args: string[], input?: string | Buffer) => spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', cwd: mkdtempSync(join(tmpdir(), 'sluice-cli-')) });

test('--help on every command', () => {
  for (const cmd of [[], ['run'], ['check'], ['test'], ['docs']]) {
    const r = sluice([...cmd, '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: sluice/);
  }
  assert.match(sluice(['run', '--help']).stdout, /--pipeline\.workers/);
});

test('check reports every error with its location, before anything runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-check-'));
  const conf = join(dir, 'bad.conf');
  writeFileSync(
    conf,
    `input { stdin { } }
filter {
  grokk { match => { "message" => "%{WORD:w}" } }
  mutate { add_feld => { "a" => "b" } }
  date { match => ["ts", "ISO8601"] tag_on_failure => { "a" => "b" } }
}
output { stdout { codec => jsn } }
`,
  );
  const r = sluice(['check', '-f', conf]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /4 errors/);
  assert.match(r.stderr, /bad\.conf:3:3: unknown filter plugin 'grokk'/);
  assert.match(r.stderr, /bad\.conf:4:3: unknown option 'add_feld'.*did you mean 'add_field'/);
  assert.match(r.stderr, /bad\.conf:5:3: .*tag_on_failure/);
  assert.match(r.stderr, /bad\.conf:7:10: unknown codec 'jsn'/);
});

test('a syntax error names file, line, column and what was expected', () => {
  const r = sluice(['check', '-e', 'input { stdin { } }\nfilter { mutate { add_tag => [ "a" } }']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /<config string>:2:\d+: expected/);
});

test('run -e reads stdin and writes events; the summary adds up', () => {
  const r = sluice(['run', '-w', '1', '-e', 'input { stdin { } } filter { mutate { uppercase => ["message"] } } output { stdout { codec => json_lines } }'], Buffer.concat([Buffer.from('one\ntwo\n'), Buffer.from([0xff, 0x20, 0x62, 0x61, 0x64, 0x0a])]));
  assert.equal(r.status, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => e.message), ['ONE', 'TWO', '\uFFFD BAD'], 'invalid UTF-8 replaced, not fatal');
  assert.match(r.stderr, /main\s+3\s+3\s+0\s+0/);
  assert.match(r.stderr, /ok/);
});

test('sluice test passes good cases and prints a diff for a bad one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  writeFileSync(join(dir, 'p.conf'), 'filter { mutate { add_field => { "[a][b]" => "x" } } }');
  writeFileSync(join(dir, 'ok.yml'), 'tests:\n  - name: adds\n    input: ["hello"]\n    expect:\n      - message: hello\n        "[a][b]": x\n        nothere: null\n');
  const ok = sluice(['test', join(dir, 'p.conf'), join(dir, 'ok.yml')]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /1 passed, 0 failed/);
  writeFileSync(join(dir, 'bad.yml'), 'tests:\n  - name: wrong\n    input: ["hello"]\n    expect:\n      - "[a][b]": y\n');
  const bad = sluice(['test', join(dir, 'p.conf'), join(dir, 'bad.yml')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /FAIL wrong/);
  assert.match(bad.stdout, /\[a\]\[b\]: expected "y", got "x"/);
});

test("the README's plugin reference is generated from the plugins' declarations and up to date", () => {
  const r = sluice(['docs', '--check', join(repoRoot, 'README.md')]);
  assert.equal(r.status, 0, r.stderr);
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  for (const name of ['grok', 'date', 'mutate', 'kv', 'json', 'csv', 'dissect', 'drop', 'fingerprint', 'split', 'truncate', 'file', 'stdin', 'generator', 'stdout', 'multiline', 'rubydebug'])
    assert.ok(readme.includes(`#### \`${name}\``), `README documents ${name}`);
});

test('bin/sluice.js run as a program re-executes itself as node with its V8 flags, in the same process (signals reach it)', async () => {
  const child = spawn(bin, ['run', '-e', 'input { stdin {} } output { stdout { codec => line { format => "got %{message}" } } }'], { stdio: ['pipe', 'pipe', 'pipe'], cwd: mkdtempSync(join(tmpdir(), 'sluice-bin-')) });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  child.stdin.write('hello\n');
  const until = Date.now() + 30_000;
  while (!out.includes('got hello')) {
    if (Date.now() > until || child.exitCode !== null) assert.fail(`no output from the pipeline: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // The process that reads stdin is the one spawned: /bin/sh exec'd node in place (same pid).
  const args = spawnSync('ps', ['-o', 'args=', '-p', String(child.pid)], { encoding: 'utf8' }).stdout;
  assert.match(args, /^node --single-threaded-gc --no-regexp-tier-up --no-allocation-site-pretenuring \S*sluice\.js run -e/);
  child.kill('SIGTERM');
  const code = await new Promise((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 0, 'SIGTERM reached sluice itself: it drained and exited cleanly');
});
