import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readConfigSources, parseConfigSources, ConfigSourceError } from '../../src/config/sources.js';
import { ConfigSyntaxError } from '../../src/config/parser.js';
import type { PluginNode } from '../../src/config/ast.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-sources-'));
after(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string | Buffer): string {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

write('conf.d/20-filter.conf', 'filter { b {} }\n');
write('conf.d/10-input.conf', 'input { stdin {} }\nfilter { a {} }\n');
write('conf.d/30-output.conf', 'output { stdout {} }\n');
write('conf.d/99-notes.txt', 'filter { c {} }\n');
write('conf.d/30-output.conf~', 'this backup file is skipped');
write('conf.d/.30-output.conf.swp', 'hidden swap file is skipped');
write('conf.d/sub/nested.conf', 'not read: directories are not descended into');
write('single.conf', 'input { generator {} }');

const names = (files: Array<{ file: string }>) => files.map((f) => basename(f.file));

test('a single file', () => {
  const sources = readConfigSources(join(root, 'single.conf'));
  assert.equal(sources.length, 1);
  assert.equal(sources[0]!.file, join(root, 'single.conf'));
  assert.equal(sources[0]!.text, 'input { generator {} }');
});

test('a directory: every file directly in it, alphabetically, without backups and hidden files', () => {
  const sources = readConfigSources(join(root, 'conf.d'));
  assert.deepEqual(names(sources), ['10-input.conf', '20-filter.conf', '30-output.conf', '99-notes.txt']);
});

test('a glob, and a relative path resolved against baseDir', () => {
  assert.deepEqual(names(readConfigSources(join(root, 'conf.d', '*.conf'))), ['10-input.conf', '20-filter.conf', '30-output.conf']);
  assert.deepEqual(names(readConfigSources('conf.d/{10,30}-*.conf', root)), ['10-input.conf', '30-output.conf']);
  assert.deepEqual(names(readConfigSources('single.conf', root)), ['single.conf']);
  assert.deepEqual(names(readConfigSources('conf.d/.*.swp', root)), ['.30-output.conf.swp'], 'a pattern asking for a dot gets hidden files');
  assert.deepEqual(names(readConfigSources(`file://${join(root, 'single.conf')}`)), ['single.conf']);
});

test('nothing matching is a clear error', () => {
  assert.throws(() => readConfigSources('conf.d/*.yaml', root), (err: unknown) => {
    assert.ok(err instanceof ConfigSourceError);
    assert.match(err.message, /Cannot load configuration for path\.config "conf\.d\/\*\.yaml" \(.*\): no file matches the pattern/);
    return true;
  });
  assert.throws(() => readConfigSources('missing.conf', root), /"missing\.conf" .*: no such file/);
  mkdirSync(join(root, 'empty'), { recursive: true });
  assert.throws(() => readConfigSources('empty', root), /the directory has no config files/);
  assert.throws(() => readConfigSources('  '), /path\.config is empty/);
});

test('a file that is not UTF-8 is refused', () => {
  write('latin1/x.conf', Buffer.from([0x69, 0x6e, 0x70, 0x75, 0x74, 0x20, 0xe9, 0x0a]));
  assert.throws(() => readConfigSources('latin1', root), /not valid UTF-8: .*x\.conf/);
});

test('parseConfigSources merges the files section by section, in file order', () => {
  const ast = parseConfigSources(readConfigSources(join(root, 'conf.d', '*.conf')));
  const plugin = (n: unknown) => n as PluginNode;
  assert.deepEqual(ast.input.map((n) => plugin(n).name), ['stdin']);
  assert.deepEqual(ast.filter.map((n) => plugin(n).name), ['a', 'b']);
  assert.deepEqual(ast.output.map((n) => plugin(n).name), ['stdout']);
  assert.equal(plugin(ast.filter[1]).loc.file, join(root, 'conf.d', '20-filter.conf'));
});

test('each file is parsed on its own and errors name the file', () => {
  const sources = [
    { file: 'a.conf', text: 'filter {' },
    { file: 'b.conf', text: '}' },
  ];
  assert.throws(
    () => parseConfigSources(sources),
    (err: unknown) => err instanceof ConfigSyntaxError && err.file === 'a.conf' && /^a\.conf:1:9: /.test(err.message),
  );
  const ok = parseConfigSources(
    [
      { file: 'x.conf', text: 'filter { m { a => "${V}" } }' },
      { file: 'y.conf', text: 'filter { n { b => "\\t" } }' },
    ],
    { env: { V: 'v' }, supportEscapes: true },
  );
  assert.equal(plugin0(ok.filter[0]).settings[0]!.value, 'v');
  assert.equal(plugin0(ok.filter[1]).settings[0]!.value, '\t');
});

function plugin0(n: unknown): PluginNode {
  return n as PluginNode;
}
