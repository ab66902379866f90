// Glob expansion for `path.config` and the file input's `path` (Node 20 has no fs.glob).
// Supports `*`, `?`, `[abc]`, `{a,b}` and `**` (any depth). Results are sorted, as Logstash concatenates them.

import { readdirSync, statSync } from 'node:fs';
import { join, sep, isAbsolute, resolve } from 'node:path';

export function hasGlobMagic(p: string): boolean {
  return /[*?[{]/.test(p);
}

/** Translate one glob into a RegExp over '/'-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  let inGroup = 0;
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more directories
        if (glob[i + 2] === '/') {
          re += '(?:[^/]*/)*';
          i += 3;
        } else {
          re += '.*';
          i += 2;
        }
        continue;
      }
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let cls = glob.slice(i + 1, end);
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '{') {
      re += '(?:';
      inGroup++;
    } else if (c === '}' && inGroup > 0) {
      re += ')';
      inGroup--;
    } else if (c === ',' && inGroup > 0) re += '|';
    else re += /[.+^$()|\\/]/.test(c) ? '\\' + c : c;
    i++;
  }
  return new RegExp(`^${re}$`);
}

/** Expand a glob (absolute or relative to cwd) to existing files, sorted. A path without magic is returned if it exists. */
export function expandGlob(pattern: string, opts: { directories?: boolean } = {}): string[] {
  const abs = isAbsolute(pattern) ? pattern : resolve(pattern);
  const norm = abs.split(sep).join('/');
  if (!hasGlobMagic(norm)) {
    try {
      const st = statSync(abs);
      return st.isFile() || opts.directories ? [abs] : [];
    } catch {
      return [];
    }
  }
  // Walk from the longest directory prefix without magic.
  const segs = norm.split('/');
  let baseSegs: string[] = [];
  for (const s of segs) {
    if (hasGlobMagic(s)) break;
    baseSegs.push(s);
  }
  const base = baseSegs.join('/') || '/';
  const deep = norm.includes('**');
  const depth = segs.length - baseSegs.length;
  const re = globToRegExp(norm);
  const out: string[] = [];
  const walk = (dir: string, level: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      const ps = p.split(sep).join('/');
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = statSync(p);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
      }
      if ((isFile || (opts.directories && isDir)) && re.test(ps)) out.push(p);
      if (isDir && (deep || level + 1 < depth)) walk(p, level + 1);
    }
  };
  walk(base, 0);
  return out.sort();
}
