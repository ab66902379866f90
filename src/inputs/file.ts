// The file input: tails files (or reads them once, in read mode) and hands whole lines to the pipeline as
// byte batches, never holding a whole file in memory.
//
// Identity and ids: a file is known by device + inode, plus a generation bumped each time it is found
// truncated (copy-truncate rotation). Every line's event id is `file:<dev>:<ino>:<generation>:<byte offset>`,
// so a line read again after a restart gets the same id.
//
// Checkpoints: acknowledgements arrive in any order; per file the checkpoint only advances to the end of
// the longest prefix of batches all acknowledged (AckTracker), and is written to the sincedb at
// `sincedb_write_interval` and on close. A restart resumes at the checkpoint: nothing is lost and only
// unacknowledged lines are read again.
//
// Rotation: by rename, the old inode is finished from its open handle and the new file at the path is read
// from its start; by copy-truncate (size below the read position), the generation is bumped and the file is
// read again from 0.

import { appendFile, mkdir, open, stat, unlink, type FileHandle } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { defineInput, type CodecSpec, type Input, type InputSink, type PluginContext, type RawBatch } from '../core/plugin.js';
import { ECS_COMPATIBILITY_OPTION, ecsMode } from '../core/ecs.js';
import { expandGlob, globToRegExp } from '../core/glob.js';
import { parseBytes } from '../core/options.js';
import { AckTracker } from './file/ack_tracker.js';
import { LineCutter, type CutPiece, type LineBatch } from './file/line_cutter.js';
import { SinceDb, identityKey } from './file/sincedb.js';
import { parseDuration } from './file/durations.js';
import { cryptoLib } from '../core/libs.js';

export interface FileInputConfig {
  path: string[];
  exclude?: string[];
  mode: 'tail' | 'read';
  start_position: 'end' | 'beginning';
  sincedb_path?: string;
  sincedb_write_interval: unknown;
  sincedb_clean_after: unknown;
  stat_interval: unknown;
  discover_interval: number;
  delimiter: string;
  close_older: unknown;
  ignore_older?: unknown;
  file_completed_action: 'delete' | 'log' | 'log_and_delete';
  file_completed_log_path?: string;
  file_chunk_size: number;
  file_chunk_count: number;
  max_open_files: number;
  file_sort_by: 'last_modified' | 'path';
  file_sort_direction: 'asc' | 'desc';
  max_line_bytes: number | string;
  exit_after_read: boolean;
  ecs_compatibility?: string;
  codec?: CodecSpec;
  id?: string;
}

/** Reads are at least this big whatever `file_chunk_size` says: fewer system calls and pushes. */
const MIN_READ_SIZE = 1024 * 1024;

type FileState =
  | 'active' // being read / tailed
  | 'finishing' // rotated away or deleted: read to its end through the open handle, then done
  | 'eof' // read mode: read to the end, waiting for acknowledgements
  | 'done'; // finished: dropped once every batch is acknowledged

interface Watched {
  key: string;
  dev: string;
  ino: string;
  generation: number;
  path: string;
  idPrefix: string;
  fields: Record<string, unknown>;
  fd: FileHandle | null;
  /** Next byte to read (the cutter's pending bytes sit just before it). */
  readPos: number;
  /** ms of the last read that returned data (close_older). */
  lastActivity: number;
  cutter: LineCutter;
  tracker: AckTracker;
  state: FileState;
  /** The path no longer leads to this file (renamed or deleted): found elsewhere by discovery, or finished. */
  pathGone: boolean;
  /** The file has no name left (nlink 0): forget its checkpoint once everything is acknowledged. */
  deleted: boolean;
  /** The last open failed (warned once until it succeeds). */
  openFailed: boolean;
  /** Read mode: gone before its end, so no completed action (its path may name another file by now). */
  skipAction: boolean;
}

export class FileInput implements Input {
  private readonly watched = new Map<string, Watched>();
  /** Read mode: identities completed in this run (never read again). */
  private readonly completed = new Set<string>();
  /** Identities skipped for good (read mode, ignore_older). */
  private readonly ignored = new Set<string>();
  readonly sincedb: SinceDb;
  private readonly patterns: string[];
  private readonly excludes: RegExp[];
  private readonly readMode: boolean;
  private readonly statMillis: number;
  private readonly discoverEvery: number;
  private readonly writeMillis: number;
  private readonly closeOlderMillis: number;
  private readonly ignoreOlderMillis: number | undefined;
  private readonly readSize: number;
  private readonly maxLineBytes: number;
  private readonly chunkBudget: number;
  private readonly maxOpen: number;
  private readonly delimiter: Buffer;
  private readonly newlineDelimited: boolean;
  private readonly ecs: boolean;
  private readonly host = hostname();
  private readBuf: Uint8Array;
  private openFiles = 0;
  private stopped = false;
  private wake: (() => void) | undefined;
  private writeTimer: NodeJS.Timeout | undefined;
  private warnedOpenLimit = false;

  constructor(
    private readonly config: FileInputConfig,
    private readonly ctx: PluginContext,
  ) {
    if (config.path.length === 0) throw new Error('input file: `path` needs at least one file or pattern');
    this.patterns = config.path.map((p) => resolve(p));
    this.excludes = (config.exclude ?? []).map((g) => globToRegExp(g));
    this.readMode = config.mode === 'read';
    this.statMillis = Math.max(1, parseDuration('stat_interval', config.stat_interval, 'seconds') * 1000);
    this.discoverEvery = Math.max(1, Math.round(config.discover_interval));
    this.writeMillis = parseDuration('sincedb_write_interval', config.sincedb_write_interval, 'seconds') * 1000;
    this.closeOlderMillis = parseDuration('close_older', config.close_older, 'seconds') * 1000;
    this.ignoreOlderMillis = config.ignore_older === undefined ? undefined : parseDuration('ignore_older', config.ignore_older, 'seconds') * 1000;
    const cleanAfter = parseDuration('sincedb_clean_after', config.sincedb_clean_after, 'days');
    if (!(config.file_chunk_size > 0)) throw new Error('input file: file_chunk_size must be positive');
    // Option defaults are not coerced by validation: '1 MiB' arrives as a string.
    this.maxLineBytes = parseBytes(config.max_line_bytes);
    if (!(this.maxLineBytes > 0)) throw new Error('input file: max_line_bytes must be positive');
    this.readSize = Math.max(MIN_READ_SIZE, Math.floor(config.file_chunk_size));
    this.chunkBudget = Math.max(1, config.file_chunk_count) * config.file_chunk_size;
    this.maxOpen = Math.max(1, Math.floor(config.max_open_files));
    if (config.delimiter === '') throw new Error('input file: delimiter must not be empty');
    this.delimiter = Buffer.from(config.delimiter);
    this.newlineDelimited = config.delimiter === '\n';
    this.ecs = ecsMode(config.ecs_compatibility) === 'v1';
    this.readBuf = new Uint8Array(this.maxLineBytes + this.delimiter.length + this.readSize);
    if (this.readMode && config.file_completed_action.includes('log') && !config.file_completed_log_path) {
      throw new Error('input file: "file_completed_log_path" must be set when "file_completed_action" is "log" or "log_and_delete"');
    }
    this.sincedb = new SinceDb(this.sincedbPath(), cleanAfter);
  }

  private sincedbPath(): string | null {
    const p = this.config.sincedb_path;
    if (p !== undefined) return p === '/dev/null' || p.toUpperCase() === 'NUL' ? null : resolve(p);
    // An explicit id names the file; otherwise, like Logstash, a digest of the patterns (stable when
    // inputs are reordered, which would renumber generated ids).
    const name = this.config.id ? this.config.id.replace(/[^A-Za-z0-9_.-]/g, '_') : cryptoLib().createHash('md5').update(this.config.path.join(',')).digest('hex');
    return join(this.ctx.dataDir, 'plugins', 'inputs', 'file', `.sincedb_${name}`);
  }

  async run(sink: InputSink): Promise<void> {
    await this.sincedb.load();
    if (this.readMode && this.config.file_completed_action.includes('log')) {
      await mkdir(dirname(resolve(this.config.file_completed_log_path!)), { recursive: true });
      await appendFile(this.config.file_completed_log_path!, '');
    }
    if (this.writeMillis > 0) {
      this.writeTimer = setInterval(() => this.writeSincedb(), this.writeMillis);
      this.writeTimer.unref();
    }
    try {
      await this.discover(true);
      let tick = 0;
      while (!this.isStopping(sink)) {
        await this.readAvailable(sink);
        if (this.isStopping(sink)) break;
        if (this.readMode) {
          await this.completeFinished();
          if (this.config.exit_after_read && this.watched.size === 0) {
            await this.discover(false);
            if (this.watched.size === 0) break;
            continue;
          }
        } else {
          this.reapFinished();
        }
        await this.sleep(this.statMillis);
        tick++;
        if (!this.readMode) await this.checkFiles(sink);
        if (tick % this.discoverEvery === 0) await this.discover(false);
      }
    } finally {
      if (this.writeTimer) clearInterval(this.writeTimer);
      this.writeTimer = undefined;
      await this.sincedb.write(this.liveKeys()).catch((e) => this.ctx.logger.error('input file: cannot write sincedb', { error: (e as Error).message }));
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  async close(): Promise<void> {
    if (this.writeTimer) clearInterval(this.writeTimer);
    this.writeTimer = undefined;
    for (const w of this.watched.values()) await this.closeFd(w);
    await this.sincedb.write(this.liveKeys());
  }

  /** Identities currently followed (their sincedb entries never expire). */
  private liveKeys(): Set<string> {
    return new Set(this.watched.keys());
  }

  private writeSincedb(): void {
    this.sincedb.write(this.liveKeys()).catch((e) => this.ctx.logger.error('input file: cannot write sincedb', { error: (e as Error).message }));
  }

  private isStopping(sink: InputSink): boolean {
    return this.stopped || sink.stopping;
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  // ---- discovery ------------------------------------------------------------------------------

  private excluded(path: string): boolean {
    if (this.excludes.length === 0) return false;
    const name = basename(path);
    return this.excludes.some((re) => re.test(name));
  }

  private async discover(initial: boolean): Promise<void> {
    const found = new Map<string, { path: string; st: BigIntStats }>();
    for (const pattern of this.patterns) {
      for (const p of expandGlob(pattern)) {
        if (this.excluded(p)) continue;
        let st: BigIntStats;
        try {
          st = await stat(p, { bigint: true });
        } catch {
          continue;
        }
        if (!st.isFile()) continue;
        const key = identityKey(st.dev, st.ino);
        if (!found.has(key)) found.set(key, { path: p, st });
      }
    }
    const fresh: Array<[string, { path: string; st: BigIntStats }]> = [];
    for (const [key, f] of found) {
      const w = this.watched.get(key);
      if (w) {
        // Renamed within the watched patterns: keep following it under its new name.
        if (w.pathGone && w.state === 'active') {
          w.pathGone = false;
          if (w.path !== f.path) this.setPath(w, f.path);
        }
        continue;
      }
      if (this.completed.has(key) || this.ignored.has(key)) continue;
      fresh.push([key, f]);
    }
    const dir = this.config.file_sort_direction === 'desc' ? -1 : 1;
    if (this.config.file_sort_by === 'path') fresh.sort((a, b) => dir * (a[1].path < b[1].path ? -1 : a[1].path > b[1].path ? 1 : 0));
    else fresh.sort((a, b) => dir * Number(a[1].st.mtimeMs - b[1].st.mtimeMs) || (a[1].path < b[1].path ? -1 : 1));
    for (const [key, f] of fresh) await this.addFile(key, f.path, f.st, initial);
  }

  private async addFile(key: string, path: string, st: BigIntStats, initial: boolean): Promise<void> {
    const size = Number(st.size);
    const entry = this.sincedb.get(key);
    let generation = 0;
    let pos = 0;
    if (entry) {
      if (size < entry.offset) {
        generation = entry.generation + 1; // truncated while we were away
        this.ctx.logger.info('input file: file is shorter than its checkpoint, reading it again', { path, checkpoint: entry.offset, size });
      } else {
        generation = entry.generation;
        pos = entry.offset;
      }
    } else {
      const old = this.ignoreOlderMillis !== undefined && Date.now() - Number(st.mtimeMs) > this.ignoreOlderMillis;
      if (this.readMode) {
        if (old) {
          this.ignored.add(key);
          return;
        }
      } else if (old || (initial && this.config.start_position === 'end')) {
        pos = size; // Logstash tails files found at startup from their end; files appearing later from their start
      }
    }
    if (this.readMode && entry && pos >= size) {
      // Read completely by an earlier run (a crash may have come before its completed action).
      this.completed.add(key);
      if (this.config.file_completed_action !== 'log') await this.completedAction(path, key);
      return;
    }
    const dev = st.dev.toString();
    const ino = st.ino.toString();
    const w: Watched = {
      key,
      dev,
      ino,
      generation,
      path,
      idPrefix: '',
      fields: {},
      fd: null,
      readPos: pos,
      lastActivity: Date.now(),
      cutter: new LineCutter(pos, this.maxLineBytes, this.delimiter, true), // views of readBuf: see InputSink.push
      tracker: undefined as unknown as AckTracker,
      state: 'active',
      pathGone: false,
      deleted: false,
      openFailed: false,
      skipAction: false,
    };
    w.tracker = this.newTracker(w, pos);
    this.setPath(w, path);
    this.updateIdPrefix(w);
    this.watched.set(key, w);
    if (!entry || entry.offset !== pos || entry.generation !== generation) this.record(w);
    this.ctx.logger.debug('input file: watching', { path, from: pos, generation });
  }

  private setPath(w: Watched, path: string): void {
    w.path = path;
    const host = this.host;
    w.fields = this.ecs
      ? { '[log][file][path]': path, '[host][name]': host, '[@metadata][path]': path, '[@metadata][host]': host }
      : { path, host, '[@metadata][path]': path, '[@metadata][host]': host };
  }

  private updateIdPrefix(w: Watched): void {
    w.idPrefix = `file:${w.dev}:${w.ino}:${w.generation}:`;
  }

  private newTracker(w: Watched, start: number): AckTracker {
    const tracker: AckTracker = new AckTracker(start, () => {
      if (w.tracker !== tracker) return; // a previous generation's batch
      this.record(w);
      if (this.readMode || w.state === 'done') this.wake?.();
    });
    return tracker;
  }

  /** Store the file's checkpoint in the sincedb (written at the interval and on close). */
  private record(w: Watched): void {
    if (w.deleted) return;
    this.sincedb.set({ dev: w.dev, ino: w.ino, generation: w.generation, offset: w.tracker.acked, lastActive: Date.now() / 1000, path: w.path });
  }

  // ---- tail mode: rotation, truncation, idle files ---------------------------------------------

  private async checkFiles(sink: InputSink): Promise<void> {
    let suspect = false;
    const now = Date.now();
    for (const w of this.watched.values()) {
      if (w.state !== 'active') continue;
      let st: BigIntStats | undefined;
      try {
        st = await stat(w.path, { bigint: true });
      } catch {
        st = undefined;
      }
      if (!st || identityKey(st.dev, st.ino) !== w.key) {
        w.pathGone = true;
        suspect = true;
        continue;
      }
      const size = Number(st.size);
      if (size < w.readPos) {
        this.ctx.logger.info('input file: file was truncated, reading it again from the start', { path: w.path, size, position: w.readPos });
        await this.newGeneration(w, sink);
      } else if (w.fd && size <= w.readPos && now - w.lastActivity > this.closeOlderMillis) {
        await this.closeFd(w); // reopened when it grows
      }
    }
    if (!suspect) return;
    await this.discover(false);
    for (const w of this.watched.values()) {
      if (w.state === 'active' && w.pathGone) {
        // Renamed out of the patterns or deleted: finish what is left through the open handle.
        w.state = 'finishing';
        this.ctx.logger.debug('input file: file moved or deleted, finishing it', { path: w.path });
      }
    }
  }

  private async newGeneration(w: Watched, sink: InputSink): Promise<void> {
    // The old generation's source ended: let a joining codec flush and forget it (its partial line is gone).
    if (this.newlineDelimited) await sink.push({ kind: 'bytes', data: new Uint8Array(0), idPrefix: w.idPrefix, baseOffset: w.readPos, fields: w.fields, final: true });
    w.generation++;
    w.readPos = 0;
    w.cutter.reset(0);
    w.tracker = this.newTracker(w, 0);
    this.updateIdPrefix(w);
    this.record(w);
  }

  /** Drop finished files whose batches are all acknowledged (forgetting deleted files). */
  private reapFinished(): void {
    for (const [key, w] of this.watched) {
      if (w.state !== 'done' || !w.tracker.idle) continue;
      this.watched.delete(key);
      if (w.deleted) this.sincedb.delete(key);
    }
  }

  // ---- read mode completion --------------------------------------------------------------------

  private async completeFinished(): Promise<void> {
    for (const [key, w] of this.watched) {
      if (w.state !== 'eof' || !w.tracker.idle) continue;
      this.watched.delete(key);
      this.completed.add(key);
      if (!w.skipAction) await this.completedAction(w.path, key);
    }
  }

  private async completedAction(path: string, key: string): Promise<void> {
    const action = this.config.file_completed_action;
    try {
      if (action === 'log' || action === 'log_and_delete') await appendFile(this.config.file_completed_log_path!, path + '\n');
      if (action === 'delete' || action === 'log_and_delete') {
        await unlink(path).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        });
        this.sincedb.delete(key);
      }
    } catch (e) {
      this.ctx.logger.error('input file: completed-file action failed', { path, action, error: (e as Error).message });
    }
  }

  // ---- reading ---------------------------------------------------------------------------------

  /** Read every file with new data, `file_chunk_count` chunks at a time per file, until none has more. */
  private async readAvailable(sink: InputSink): Promise<void> {
    let more = true;
    while (more && !this.isStopping(sink)) {
      more = false;
      for (const w of [...this.watched.values()]) {
        if (this.isStopping(sink)) return;
        if (w.state === 'eof' || w.state === 'done') continue;
        if (await this.readSome(w, sink)) more = true;
      }
    }
  }

  /** Read from `w` up to the chunk budget; true when the budget ran out before the end of the file. */
  private async readSome(w: Watched, sink: InputSink): Promise<boolean> {
    if (!w.fd) {
      if (w.state === 'finishing') {
        // Closed (close_older) before it moved away: its remaining bytes cannot be reached any more.
        w.state = 'done';
        await this.emit(w, w.cutter.finish(), sink, true);
        return false;
      }
      if (!this.readMode) {
        // Tailing: only open files that grew.
        try {
          const st = await stat(w.path);
          if (st.size <= w.readPos) return false;
        } catch {
          return false;
        }
      }
      if (this.openFiles >= this.maxOpen) {
        if (!this.warnedOpenLimit) {
          this.ctx.logger.warn('input file: max_open_files reached; other files wait for a free handle', { max_open_files: this.maxOpen });
          this.warnedOpenLimit = true;
        }
        return false;
      }
      const opened = await this.openFile(w);
      if (opened !== 'ok') {
        if (opened === 'gone' && this.readMode) await this.vanished(w, sink);
        return false;
      }
    }
    let budget = this.chunkBudget;
    const buf = this.readBuf;
    while (budget > 0 && !this.isStopping(sink)) {
      const pending = w.cutter.pending;
      buf.set(pending, 0);
      let bytesRead: number;
      try {
        ({ bytesRead } = await w.fd!.read(buf, pending.length, this.readSize, w.readPos));
      } catch (e) {
        this.ctx.logger.warn('input file: read failed', { path: w.path, error: (e as Error).message });
        await this.closeFd(w);
        return false;
      }
      const atEnd = bytesRead < this.readSize;
      // The end of a file read once (read mode) or moved away (tail mode) completes its last line.
      const last = atEnd && (this.readMode || w.state === 'finishing');
      let pieces: CutPiece[] = [];
      if (bytesRead > 0) {
        w.lastActivity = Date.now();
        pieces = w.cutter.scan(buf.subarray(0, pending.length + bytesRead));
        w.readPos += bytesRead;
        budget -= bytesRead;
      }
      if (last) pieces.push(...w.cutter.finish());
      await this.emit(w, pieces, sink, last);
      if (atEnd) {
        await this.atEnd(w);
        return false;
      }
    }
    return budget <= 0;
  }

  /**
   * Open the file at `w.path`, making sure it is still the same file (not a rotated replacement).
   * 'gone': it no longer exists under that name or cannot be read; 'retry': a passing failure (EMFILE…).
   */
  private async openFile(w: Watched): Promise<'ok' | 'retry' | 'gone'> {
    let fd: FileHandle;
    try {
      fd = await open(w.path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!w.openFailed) this.ctx.logger.warn('input file: cannot open file', { path: w.path, error: (e as Error).message });
      w.openFailed = true;
      return code === 'EMFILE' || code === 'ENFILE' || code === 'EAGAIN' || code === 'EINTR' ? 'retry' : 'gone';
    }
    try {
      const st = await fd.stat({ bigint: true });
      if (identityKey(st.dev, st.ino) !== w.key) {
        await fd.close();
        w.pathGone = true; // replaced since it was last seen: checkFiles/discovery sort it out
        return 'gone';
      }
    } catch {
      await fd.close().catch(() => undefined);
      return 'retry';
    }
    w.fd = fd;
    w.openFailed = false;
    this.openFiles++;
    return 'ok';
  }

  /** Read mode: the file disappeared (or cannot be read) before its end: done, without completed action. */
  private async vanished(w: Watched, sink: InputSink): Promise<void> {
    this.ctx.logger.warn('input file: file disappeared or cannot be read before its end; skipping the rest', { path: w.path, position: w.readPos });
    w.skipAction = true;
    w.state = 'eof';
    await this.emit(w, w.cutter.finish(), sink, true);
  }

  /** Reached the current end of the file (its last line already emitted when the file is finished). */
  private async atEnd(w: Watched): Promise<void> {
    if (this.readMode) {
      w.state = 'eof';
      await this.closeFd(w);
    } else if (w.state === 'finishing') {
      try {
        w.deleted = (await w.fd!.stat()).nlink === 0;
      } catch {
        w.deleted = false;
      }
      w.state = 'done';
      await this.closeFd(w);
    }
  }

  private async closeFd(w: Watched): Promise<void> {
    if (!w.fd) return;
    const fd = w.fd;
    w.fd = null;
    this.openFiles--;
    await fd.close().catch(() => undefined);
  }

  /** Push the pieces in file order; `final` marks the file's last batch (an empty one if needed). */
  private async emit(w: Watched, pieces: CutPiece[], sink: InputSink, final = false): Promise<void> {
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (piece.kind === 'skip') {
        w.tracker.skipTo(piece.end);
        continue;
      }
      const ack = w.tracker.track(piece.end);
      const batch = this.toBatch(w, piece);
      if (final && i === pieces.length - 1 && batch.kind === 'bytes') batch.final = true;
      await sink.push(batch, ack);
    }
    if (final && this.newlineDelimited && pieces[pieces.length - 1]?.kind !== 'batch') {
      // Nothing left to deliver, but a joining codec still has to learn that this source ended.
      await sink.push({ kind: 'bytes', data: new Uint8Array(0), idPrefix: w.idPrefix, baseOffset: w.readPos, fields: w.fields, final: true });
    }
  }

  private toBatch(w: Watched, piece: LineBatch): Extract<RawBatch, { kind: 'bytes' | 'messages' }> {
    if (this.newlineDelimited) {
      const batch: Extract<RawBatch, { kind: 'bytes' }> = { kind: 'bytes', data: piece.data, idPrefix: w.idPrefix, baseOffset: piece.baseOffset, fields: w.fields };
      if (piece.truncated) batch.truncated = piece.truncated;
      return batch;
    }
    // Another delimiter: the runtime frames byte batches on '\n', so hand over the lines themselves.
    const buf = Buffer.from(piece.data.buffer, piece.data.byteOffset, piece.data.byteLength);
    const d = this.delimiter;
    const messages: string[] = [];
    const ids: string[] = [];
    const truncated: boolean[] = [];
    const cut = new Set(piece.truncated ?? []);
    let start = 0;
    while (start < buf.length) {
      let end = buf.indexOf(d, start);
      const next = end < 0 ? buf.length : end + d.length;
      if (end < 0) end = buf.length;
      const offset = piece.baseOffset + start;
      messages.push(buf.toString('utf8', start, end));
      ids.push(w.idPrefix + offset);
      truncated.push(cut.has(offset));
      start = next;
    }
    const batch: Extract<RawBatch, { kind: 'messages' }> = { kind: 'messages', messages, ids, fields: w.fields };
    if (cut.size) batch.truncated = truncated;
    return batch;
  }
}

export default defineInput<FileInputConfig>({
  name: 'file',
  description: 'Streams lines from files, tailing them (`mode => tail`) or reading them once (`mode => read`), resuming after restarts from a sincedb.',
  notes:
    'Event ids are `file:<dev>:<inode>:<generation>:<byte offset>`: a line read again after a restart keeps its id. ' +
    'The sincedb stores, per file identity, the offset up to which every batch was acknowledged by all outputs. ' +
    'Logstash sincedb files are read too. Compressed files are not decompressed in read mode.',
  options: {
    path: {
      type: 'array',
      items: 'string',
      required: true,
      description: 'Files to read: paths or glob patterns (`*`, `?`, `[abc]`, `{a,b}`, `**` for any depth).',
      example: 'path => ["/var/log/nginx/*.log", "/var/log/syslog"]',
    },
    exclude: {
      type: 'array',
      items: 'string',
      description: 'Glob patterns matched against file names (not full paths) to leave out.',
      example: 'exclude => "*.gz"',
    },
    mode: {
      type: 'string',
      default: 'tail',
      enum: ['tail', 'read'],
      description: '`tail` follows files as they grow (and rotate); `read` reads each file once from the start, then applies `file_completed_action`.',
    },
    start_position: {
      type: 'string',
      default: 'end',
      enum: ['beginning', 'end'],
      description: 'Tail mode, files seen for the first time at startup: read them from the `beginning` or only what is appended (`end`). Files without a checkpoint that appear later are read from their start.',
    },
    sincedb_path: {
      type: 'string',
      description: 'File keeping read positions. Default: `<path.data>/<pipeline>/plugins/inputs/file/.sincedb_<id or digest of path>`. "/dev/null" keeps no positions.',
    },
    sincedb_write_interval: { type: 'any', default: 15, description: 'Seconds (or a duration like "15 s") between sincedb writes; it is also written on shutdown.' },
    sincedb_clean_after: { type: 'any', default: '14 days', description: 'Forget positions of files not seen changing for this long (days, or a duration like "2 weeks").' },
    stat_interval: { type: 'any', default: 1, description: 'Seconds (or a duration like "500 ms") between checks of watched files for new data.' },
    discover_interval: { type: 'number', default: 15, description: 'Look for new files matching `path` every this many `stat_interval`s.' },
    delimiter: { type: 'string', default: '\n', description: 'Line separator.' },
    close_older: { type: 'any', default: '1 hour', description: 'Tail mode: close files not read for this long (seconds or a duration); they reopen when they grow.' },
    ignore_older: { type: 'any', description: 'Skip files last modified longer ago than this (seconds or a duration). Tail mode: their existing content is skipped, new data is read.' },
    file_completed_action: {
      type: 'string',
      default: 'delete',
      enum: ['delete', 'log', 'log_and_delete'],
      description: 'Read mode: what to do with a file once read and delivered completely.',
    },
    file_completed_log_path: { type: 'string', description: 'Read mode: file to which completed file paths are appended (for `log` and `log_and_delete`).' },
    file_chunk_size: { type: 'number', default: 32768, description: 'Bytes read at a time. Sluice reads at least 1 MiB at a time and cuts at the last line end.' },
    file_chunk_count: { type: 'number', default: Number.MAX_SAFE_INTEGER, description: 'Chunks read from one file before turning to the next (the default, like Logstash\'s 4611686018427387903, reads each file to its end).' },
    max_open_files: { type: 'number', default: 4095, description: 'Maximum number of files open at once; others wait (use close_older to release idle files).' },
    file_sort_by: { type: 'string', default: 'last_modified', enum: ['last_modified', 'path'], description: 'Order in which newly discovered files are read.' },
    file_sort_direction: { type: 'string', default: 'asc', enum: ['asc', 'desc'], description: 'Direction of `file_sort_by`.' },
    max_line_bytes: {
      type: 'bytes',
      default: '1 MiB',
      description: 'Sluice: longest line kept whole. Longer lines are cut to this size and tagged `_line_truncated`; the rest of the line is skipped without being buffered.',
    },
    exit_after_read: {
      type: 'boolean',
      default: true,
      description: 'Read mode: finish the input once every file is read and delivered (set false to keep watching for new files, as Logstash does by default).',
    },
    ecs_compatibility: {
      ...ECS_COMPATIBILITY_OPTION,
      description: ECS_COMPATIBILITY_OPTION.description + ' Sets `path`/`host` when disabled, `[log][file][path]`/`[host][name]` with v1/v8.',
    },
  },
  create(config, ctx) {
    return new FileInput(config, ctx);
  },
});
