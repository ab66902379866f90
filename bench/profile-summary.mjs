#!/usr/bin/env node
// Summarise V8 .cpuprofile files (from `node --cpu-prof`): self time per function and per source file,
// for each thread's profile (the main thread and every worker write their own file).
//   node bench/profile-summary.mjs DIR_OR_FILES... [--top N]

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0); // piped into head
  throw e;
});
const args = process.argv.slice(2);
let top = 25;
const inputs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else inputs.push(args[i]);
}
if (!inputs.length) {
  process.stderr.write('usage: node bench/profile-summary.mjs DIR_OR_FILES... [--top N]\n');
  process.exit(2);
}
const files = inputs.flatMap((p) =>
  statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith('.cpuprofile')).sort().map((f) => join(p, f)) : [p],
);

const shortUrl = (url) => {
  if (!url) return '(native)';
  const m = /\/(dist\/.*|bench\/.*|shared\/.*)$/.exec(url);
  return m ? m[1] : url.replace(/^.*\/node_modules\//, 'node_modules/').replace(/^node:/, 'node:');
};

for (const file of files) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  // samples[i] was taken timeDeltas[i] after the previous one; attribute each delta to the sampled node.
  for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const perFunction = new Map();
  const perFile = new Map();
  for (const [id, us] of self) {
    const cf = byId.get(id).callFrame;
    let name = cf.functionName || '(anonymous)';
    if (name.length > 90) name = name.slice(0, 87) + '...';
    const where = shortUrl(cf.url);
    const key = `${name}  ${where}${cf.url ? ':' + (cf.lineNumber + 1) : ''}`;
    perFunction.set(key, (perFunction.get(key) ?? 0) + us);
    const fileKey = cf.url ? where : name.startsWith('(') ? name : '(native) ' + name;
    perFile.set(fileKey, (perFile.get(fileKey) ?? 0) + us);
  }
  const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5) + '%';
  const ms = (us) => (us / 1000).toFixed(0).padStart(7) + ' ms';
  process.stdout.write(`\n== ${basename(file)}: ${(total / 1e6).toFixed(2)} s sampled\n-- self time by function\n`);
  for (const [k, us] of [...perFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${ms(us)} ${pct(us)}  ${k}\n`);
  process.stdout.write('-- self time by file\n');
  for (const [k, us] of [...perFile].sort((a, b) => b[1] - a[1]).slice(0, Math.min(top, 15))) process.stdout.write(`${ms(us)} ${pct(us)}  ${k}\n`);
}
