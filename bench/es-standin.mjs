#!/usr/bin/env node
// The Elasticsearch stand-in of the test suite as a benchmark server, started by bench/run.mjs for the es-bulk
// case. Prints `listening <url>`; when its stdin ends (or says `stop`), prints one JSON line
// { indexed, bulkRequests, bulkItems } and exits. Stored documents are counted and dropped every 200 ms so
// that memory stays small; the index mappings are kept, so mapping checks still run.

import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { EsStandin } = await import(pathToFileURL(join(root, 'dist', 'test', 'outputs', 'support', 'es_standin.js')).href);
const standin = await EsStandin.start();
let indexed = 0;
const drain = () => {
  for (const idx of standin.indices.values()) {
    indexed += idx.docs.size;
    idx.docs.clear();
  }
};
const timer = setInterval(drain, 200);
process.stdout.write(`listening ${standin.url}\n`);
process.stdin.resume();
process.stdin.on('data', () => undefined);
await new Promise((r) => process.stdin.once('end', r));
clearInterval(timer);
drain();
process.stdout.write(JSON.stringify({ indexed, bulkRequests: standin.stats.bulkRequests, bulkItems: standin.stats.bulkItems }) + '\n');
await standin.close();
process.exit(0);
