// The file output: events appended to files whose path may depend on the event
// (`/var/log/%{type}/%{+yyyy-MM-dd}.log`). Encoding (on a worker) groups a batch by resolved path into one
// string per file; delivery (main thread) appends each with the handle kept open, creating directories,
// and resolves once the write system calls completed. As in Logstash, a path whose event-provided parts
// would leave the static directory prefix (`..`) goes to `<prefix>/<filename_failure>` instead.

import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { defineOutput, type BatchEncoder, type CodecSpec, type Output } from '../core/plugin.js';
import type { Event } from '../core/event.js';
import { compileSprintf } from '../core/sprintf.js';
import { TextBytes } from '../core/text_bytes.js';
import { outputBytes } from '../core/byte_pool.js';
import { zlibLib } from '../core/libs.js';

interface FileOutputConfig {
  path: string;
  codec: CodecSpec;
  create_if_deleted: boolean;
  dir_mode: number;
  file_mode: number;
  flush_interval: number;
  gzip: boolean;
  write_behavior: 'append' | 'overwrite';
  filename_failure: string;
  stale_cleanup_interval: number;
}

/** What encode hands to deliver: one entry per destination file. */
export type FileOutputPayload = Array<[string, string | Uint8Array]>;

const FIELD_REF = /%\{[^}]+\}/;

function expandPath(p: string): string {
  if (p === '~' || p.startsWith('~/')) p = homedir() + p.slice(1);
  return resolve(p);
}

/** Logstash modes are written like `0750`; read the digits as octal when they are octal digits. */
export function fileModeFromSetting(mode: number): number | undefined {
  if (mode < 0) return undefined;
  const digits = String(mode);
  return /^[0-7]+$/.test(digits) ? parseInt(digits, 8) : mode;
}

/** The static directory prefix of a templated path: every segment before the first one holding a %{…}. */
export function staticRoot(absPath: string): string {
  const parts = absPath.split(sep);
  const i = parts.findIndex((part) => FIELD_REF.test(part));
  return i < 0 ? dirname(absPath) : parts.slice(0, i).join(sep) || sep;
}

interface OpenFile {
  handle: Promise<FileHandle>;
  active: boolean;
}

export default defineOutput<FileOutputConfig>({
  name: 'file',
  description: 'Writes events to files (one JSON document per line by default); the path may use event fields and dates.',
  options: {
    path: {
      type: 'string',
      required: true,
      description: 'File to write. May use sprintf references (`%{host}`, `%{+yyyy-MM-dd}`), but not in its first directory.',
      example: 'path => "/var/log/sluice/%{type}/%{+yyyy-MM-dd}.log"',
    },
    codec: { type: 'codec', default: 'json_lines', description: 'Codec that formats events (json_lines: one JSON document per line).' },
    create_if_deleted: { type: 'boolean', default: true, description: 'Recreate a file deleted while in use. When false, events for a missing file go to the failure file.' },
    dir_mode: { type: 'number', default: -1, description: 'Mode of created directories, e.g. 0750; -1: the system default (umask).' },
    file_mode: { type: 'number', default: -1, description: 'Mode of created files, e.g. 0640; -1: the system default (umask).' },
    flush_interval: {
      type: 'number',
      default: 2,
      description: 'Seconds between flushes in Logstash. Sluice writes every delivered batch to the operating system before acknowledging it, so nothing waits for a flush.',
    },
    gzip: { type: 'boolean', default: false, description: 'Compress with gzip (each delivered batch is appended as one gzip member; `gunzip`/`zcat` read the whole file).' },
    write_behavior: {
      type: 'string',
      default: 'append',
      enum: ['append', 'overwrite'],
      description: '`append` adds events at the end of the file; `overwrite` truncates it so only the most recent event remains.',
    },
    filename_failure: {
      type: 'string',
      default: '_filepath_failures',
      description: 'File (in the static directory prefix of `path`) receiving events whose path would leave that prefix.',
    },
    stale_cleanup_interval: { type: 'number', default: 10, description: 'Seconds after which files not written to are closed (they reopen on the next event).' },
  },
  create(config, ctx) {
    const codec = ctx.createCodec(config.codec);
    const absPath = expandPath(config.path);
    const templated = FIELD_REF.test(absPath);
    const firstSegment = absPath.split(sep).find((s) => s !== '');
    if (firstSegment !== undefined && FIELD_REF.test(firstSegment)) {
      throw new Error(`output file: the starting part of the path should not be dynamic: ${config.path}`);
    }
    const root = staticRoot(absPath);
    const rootPrefix = root.endsWith(sep) ? root : root + sep;
    const failurePath = join(root, config.filename_failure);
    const template = compileSprintf(absPath);
    const overwrite = config.write_behavior === 'overwrite';
    const gzip = config.gzip;
    const dirMode = fileModeFromSetting(config.dir_mode);
    const fileMode = fileModeFromSetting(config.file_mode);

    /** Destination of one event: its rendered path, or the failure file if it escapes the static prefix. */
    const destination = (event: Event): string => {
      if (!templated) return absPath;
      const p = resolve(template(event));
      return p.startsWith(rootPrefix) ? p : failurePath;
    };

    const files = new Map<string, OpenFile>();
    let cleanup: NodeJS.Timeout | undefined;
    if (ctx.side === 'main' && config.stale_cleanup_interval > 0) {
      cleanup = setInterval(() => {
        for (const [p, f] of files) {
          if (f.active) f.active = false;
          else {
            files.delete(p);
            void f.handle.then((h) => h.close()).catch(() => undefined);
          }
        }
      }, config.stale_cleanup_interval * 1000);
      cleanup.unref();
    }

    const openAppend = async (p: string): Promise<FileHandle> => {
      await mkdir(dirname(p), { recursive: true, ...(dirMode !== undefined ? { mode: dirMode } : {}) });
      return open(p, 'a', fileMode);
    };

    const exists = async (p: string): Promise<boolean> => {
      try {
        await stat(p);
        return true;
      } catch {
        return false;
      }
    };

    /** The open handle for `p`, reopened when the file was deleted underneath (create_if_deleted). */
    const handleFor = async (p: string): Promise<FileHandle> => {
      let f = files.get(p);
      // A synchronous stat: microseconds, where the promise API costs a thread-pool round trip per batch.
      if (f && config.create_if_deleted && !existsSync(p)) {
        files.delete(p);
        void f.handle.then((h) => h.close()).catch(() => undefined);
        f = undefined;
      }
      if (!f) {
        f = { handle: openAppend(p), active: true };
        files.set(p, f);
        f.handle.catch(() => files.delete(p));
      }
      f.active = true;
      return f.handle;
    };

    /** The bytes to write: the text's own, or its gzip (the plain bytes then go back to the pool at once). */
    const finish = (text: TextBytes): Uint8Array => {
      const plain = text.toBuffer();
      if (!gzip) return plain;
      const packed = zlibLib().gzipSync(plain);
      outputBytes.give(plain.buffer as ArrayBuffer);
      return packed;
    };

    const output: Output = {
      // deliver() awaits every write of the payload and keeps nothing: its buffers can be filled again.
      releasesPayload: true,
      encode(events: Event[]): FileOutputPayload {
        const enc = output.encoder!();
        enc.add(events);
        return enc.finish() as FileOutputPayload;
      },

      encoder(): BatchEncoder {
        const put = (e: Event, text: TextBytes) => (codec.encodeTo !== undefined ? codec.encodeTo(e, text) : text.push(codec.encode(e)));
        if (!templated && !overwrite) {
          // One destination: bytes handed to the main thread, which writes them without re-encoding.
          const text = new TextBytes();
          return {
            add: (events) => {
              for (const e of events) put(e, text);
            },
            finish: (): FileOutputPayload => [[absPath, finish(text)]],
          };
        }
        const groups = new Map<string, TextBytes>();
        let escaped = 0;
        return {
          add: (events) => {
            for (const e of events) {
              const p = destination(e);
              if (p === failurePath && templated) escaped++;
              let text = groups.get(p);
              if (text === undefined || overwrite) groups.set(p, (text = new TextBytes())); // overwrite: the last event wins
              put(e, text);
            }
          },
          finish: (): FileOutputPayload => {
            if (escaped > 0) ctx.logger.warn(`output file: ${escaped} event(s) had a path outside ${root}; written to ${failurePath}`);
            const payload: FileOutputPayload = [];
            for (const [p, text] of groups) payload.push([p, finish(text)]);
            return payload;
          },
        };
      },

      async deliver(payload: unknown): Promise<void> {
        for (const [p, data] of payload as FileOutputPayload) {
          let target = p;
          // Logstash: with create_if_deleted => false a missing file is never (re)created; its events go to the failure file.
          if (!config.create_if_deleted && target !== failurePath && !(await exists(target))) target = failurePath;
          if (overwrite) {
            await mkdir(dirname(target), { recursive: true, ...(dirMode !== undefined ? { mode: dirMode } : {}) });
            const h = await open(target, 'w', fileMode);
            try {
              await h.writeFile(data);
            } finally {
              await h.close();
            }
            continue;
          }
          const h = await handleFor(target);
          await h.writeFile(data);
        }
      },

      async close(): Promise<void> {
        if (cleanup) clearInterval(cleanup);
        const handles = [...files.values()].map((f) => f.handle);
        files.clear();
        await Promise.all(handles.map((h) => h.then((x) => x.close()).catch(() => undefined)));
      },
    };
    return output;
  },
});
