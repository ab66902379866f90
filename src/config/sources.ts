// Reading `path.config` as Logstash does (logstash-core/lib/logstash/config/source/local.rb): a file,
// a directory (every file directly in it) or a glob, in alphabetical order. Each file is parsed on its
// own and the sections are then concatenated file by file (LogStash::Compiler.compile_sources), so a
// section cannot start in one file and end in the next.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { expandGlob, hasGlobMagic } from '../core/glob.js';
import type { PipelineAST } from './ast.js';
import { parseConfig, type ParseOptions } from './parser.js';

export interface ConfigSource {
  file: string;
  text: string;
}

/** Logstash skips editor backup files (`foo.conf~`). */
const TEMPORARY_FILE = /~$/;

export class ConfigSourceError extends Error {
  override name = 'ConfigSourceError';
}

/**
 * The files named by `path.config`, sorted, with their text. A relative path resolves against `baseDir`
 * (default: the current directory). Directories are not descended into. Like Ruby's Dir.glob, `*` does
 * not match hidden files (editor swap files such as `.main.conf.swp`) unless the pattern asks for a dot.
 */
export function readConfigSources(pathConfig: string, baseDir: string = process.cwd()): ConfigSource[] {
  const given = pathConfig.replace(/^file:\/\//i, '');
  if (!given.trim()) throw new ConfigSourceError('path.config is empty');
  const abs = isAbsolute(given) ? given : resolve(baseDir, given);
  let files: string[];
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    /* not an existing path: maybe a glob */
  }
  if (isDir) {
    files = readdirSync(abs, { withFileTypes: true })
      .filter((d) => !d.name.startsWith('.'))
      .map((d) => join(abs, d.name))
      .filter(isFile)
      .sort();
  } else if (hasGlobMagic(given)) {
    const wantsDot = basename(given).startsWith('.');
    files = expandGlob(abs).filter((f) => wantsDot || !basename(f).startsWith('.'));
  } else {
    files = isFile(abs) ? [abs] : [];
  }
  files = files.filter((f) => !TEMPORARY_FILE.test(f));
  if (files.length === 0) {
    const how = isDir ? 'the directory has no config files' : hasGlobMagic(given) ? 'no file matches the pattern' : 'no such file';
    throw new ConfigSourceError(`Cannot load configuration for path.config "${pathConfig}" (${abs}): ${how}`);
  }
  const badEncoding: string[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const sources = files.map((file) => {
    const bytes = readFileSync(file);
    try {
      return { file, text: decoder.decode(bytes) };
    } catch {
      badEncoding.push(file);
      return { file, text: '' };
    }
  });
  if (badEncoding.length) {
    throw new ConfigSourceError(`The following config files are not valid UTF-8: ${badEncoding.join(', ')}`);
  }
  return sources;
}

/** Parse each source on its own and concatenate the sections in source order. */
export function parseConfigSources(sources: readonly ConfigSource[], opts: ParseOptions = {}): PipelineAST {
  const merged: PipelineAST = { input: [], filter: [], output: [] };
  for (const { file, text } of sources) {
    const ast = parseConfig(text, file, opts);
    merged.input.push(...ast.input);
    merged.filter.push(...ast.filter);
    merged.output.push(...ast.output);
  }
  return merged;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
