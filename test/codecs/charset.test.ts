// Input charsets: bytes in the codec's charset become UTF-8 text, through the whole pipeline (file input in
// read mode, plain and multiline codecs), and an unknown charset stops the pipeline before it starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { charsetDecoder } from '../../src/codecs/support/charset.js';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { Agent } from '../../src/core/agent.js';

const decode = (charset: string, bytes: number[]) => {
  const b = Buffer.from(bytes);
  return charsetDecoder(charset)(b, 0, b.length);
};

test('charset decoders: ISO-8859-1 is byte = code point, Windows-1252 maps 0x80 to the euro sign, US-ASCII replaces high bytes', () => {
  assert.equal(decode('ISO-8859-1', [0x63, 0x61, 0x66, 0xe9, 0x80]), 'caf\u00e9\u0080');
  assert.equal(decode('Windows-1252', [0x80, 0x20, 0xe9]), '\u20ac \u00e9');
  assert.equal(decode('CP1252', [0x80]), '\u20ac');
  assert.equal(decode('US-ASCII', [0x61, 0xe9, 0x62]), 'a\ufffdb');
  assert.equal(decode('Shift_JIS', [0x93, 0xfa, 0x96, 0x7b]), '\u65e5\u672c');
  assert.equal(decode('UTF-8', [0xc3, 0xa9, 0xff]), '\u00e9\ufffd');
  assert.throws(() => charsetDecoder('UTF-16LE'), /newline bytes/);
  assert.throws(() => charsetDecoder('klingon-1'), /unknown charset "klingon-1"/);
});

async function run(config: string, dir: string) {
  const registry = await loadRegistry();
  const agent = new Agent({ configString: config, pathData: join(dir, 'data'), workers: 1, batchSize: 2 }, registry, createLogger('test'));
  await agent.start();
  await agent.whenIdle();
  return agent.stats();
}

const readJsonLines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];

test('file input with charset ISO-8859-1 and Shift_JIS: messages arrive as the right characters, ids keep byte offsets', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-charset-'));
  const latin = join(dir, 'latin.log');
  const sjis = join(dir, 'sjis.log');
  // "Zürich café\n" in ISO-8859-1, then "日本 ok\n" in Shift_JIS.
  writeFileSync(latin, Buffer.from([0x5a, 0xfc, 0x72, 0x69, 0x63, 0x68, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a]));
  writeFileSync(sjis, Buffer.from([0x93, 0xfa, 0x96, 0x7b, 0x20, 0x6f, 0x6b, 0x0a]));
  const out = join(dir, 'out.jsonl');
  const file = (path: string, charset: string) =>
    `file { path => "${path}" mode => "read" exit_after_read => true file_completed_action => "log" file_completed_log_path => "${join(dir, 'done.log')}" sincedb_path => "${path}.sincedb" codec => plain { charset => "${charset}" } }`;
  const stats = await run(
    `input { ${file(latin, 'ISO-8859-1')} ${file(sjis, 'Shift_JIS')} }
     filter { mutate { add_field => { "id" => "%{[@metadata][_id]}" } } }
     output { file { path => "${out}" } }`,
    dir,
  );
  const events = readJsonLines(out);
  const byMessage = new Map(events.map((e) => [e.message, e]));
  assert.deepEqual([...byMessage.keys()].sort(), ['Z\u00fcrich', 'caf\u00e9', '\u65e5\u672c ok'].sort());
  // The second latin line starts at byte 7 (after "Zürich\n", 7 bytes in ISO-8859-1).
  assert.match(String(byMessage.get('caf\u00e9')!.id), /:7$/);
  assert.equal(stats[0]!.out, 3);
});

test('an unknown charset is an error before the pipeline runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-charset-'));
  await assert.rejects(
    run(`input { generator { count => 1 codec => plain { charset => "klingon-1" } } } output { file { path => "${join(dir, 'o')}" } }`, dir),
    /klingon-1/,
  );
});
