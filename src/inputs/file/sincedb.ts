// The sincedb: per file identity (device + inode), the generation (bumped each time the file is found
// truncated) and the byte offset delivered so far. Written atomically (temporary file + rename).
//
// Our format, one file per line after a header:
//   # sluice sincedb v1: dev ino generation offset last_active_seconds path
// Logstash's own sincedb (`inode major minor offset [last_active [path]]`) is read too, so a
// configuration moved from Logstash with its sincedb_path resumes where Logstash stopped.

import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface SinceDbEntry {
  dev: string;
  ino: string;
  generation: number;
  offset: number;
  /** Seconds since the epoch of the last change (for `sincedb_clean_after`). */
  lastActive: number;
  path: string;
}

const HEADER = '# sluice sincedb v1: dev ino generation offset last_active_seconds path';

export function identityKey(dev: string | bigint, ino: string | bigint): string {
  return `${dev}:${ino}`;
}

/** Linux `makedev`: the st_dev number of a major/minor pair (how Logstash records devices). */
export function makedev(major: bigint, minor: bigint): bigint {
  return ((major & 0xfffff000n) << 32n) | ((major & 0xfffn) << 8n) | ((minor & 0xffffff00n) << 12n) | (minor & 0xffn);
}

export function parseSinceDb(text: string): Map<string, SinceDbEntry> {
  const entries = new Map<string, SinceDbEntry>();
  const lines = text.split('\n');
  const ours = lines[0]?.startsWith('# sluice sincedb');
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(' ');
    let e: SinceDbEntry | undefined;
    if (ours && f.length >= 5 && /^\d+$/.test(f[0]!) && /^\d+$/.test(f[1]!)) {
      e = { dev: f[0]!, ino: f[1]!, generation: Number(f[2]), offset: Number(f[3]), lastActive: Number(f[4]), path: f.slice(5).join(' ') };
    } else if (!ours && f.length >= 4 && f.slice(0, 4).every((x) => /^\d+$/.test(x))) {
      // Logstash: inode major minor offset [last_active [path]]
      const dev = makedev(BigInt(f[1]!), BigInt(f[2]!)).toString();
      e = { dev, ino: f[0]!, generation: 0, offset: Number(f[3]), lastActive: f[4] ? Number(f[4]) : Date.now() / 1000, path: f.slice(5).join(' ') };
    }
    if (e && Number.isFinite(e.offset) && Number.isFinite(e.generation)) {
      if (!Number.isFinite(e.lastActive)) e.lastActive = Date.now() / 1000;
      entries.set(identityKey(e.dev, e.ino), e);
    }
  }
  return entries;
}

export function formatSinceDb(entries: Iterable<SinceDbEntry>): string {
  let s = HEADER + '\n';
  for (const e of entries) s += `${e.dev} ${e.ino} ${e.generation} ${e.offset} ${e.lastActive.toFixed(3)} ${e.path.replace(/\n/g, ' ')}\n`;
  return s;
}

export class SinceDb {
  readonly entries = new Map<string, SinceDbEntry>();
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  /** `path` null: keep positions in memory only (sincedb_path => "/dev/null"). */
  constructor(
    readonly path: string | null,
    private readonly cleanAfterSeconds: number,
  ) {}

  async load(): Promise<void> {
    if (!this.path) return;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const [k, v] of parseSinceDb(text)) this.entries.set(k, v);
  }

  get(key: string): SinceDbEntry | undefined {
    return this.entries.get(key);
  }

  set(entry: SinceDbEntry): void {
    this.entries.set(identityKey(entry.dev, entry.ino), entry);
    this.dirty = true;
  }

  delete(key: string): void {
    if (this.entries.delete(key)) this.dirty = true;
  }

  markDirty(): void {
    this.dirty = true;
  }

  /** Write if anything changed (or `force`); writes never overlap. `live` keys are never expired. */
  write(live: ReadonlySet<string> = new Set(), force = false): Promise<void> {
    this.writing = this.writing.then(() => this.writeNow(live, force));
    return this.writing;
  }

  private async writeNow(live: ReadonlySet<string>, force: boolean): Promise<void> {
    if (!this.path || (!this.dirty && !force)) return;
    this.dirty = false;
    const cutoff = Date.now() / 1000 - this.cleanAfterSeconds;
    for (const [k, e] of this.entries) if (!live.has(k) && e.lastActive < cutoff) this.entries.delete(k);
    const tmp = `${this.path}.tmp-${process.pid}`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(formatSinceDb(this.entries.values()));
        await fh.datasync(); // the rename must never expose a file whose content is not on disk yet
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
    } catch (e) {
      this.dirty = true;
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }
}
