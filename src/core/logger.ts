// A small leveled logger writing one line per record to stderr, so stdout stays free for event output.

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const ORDER: Record<LogLevel, number> = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };

export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
  readonly level: LogLevel;
}

let globalLevel: LogLevel = (process.env.SLUICE_LOG_LEVEL as LogLevel) in ORDER ? (process.env.SLUICE_LOG_LEVEL as LogLevel) : 'warn';

export function setLogLevel(level: LogLevel): void {
  if (!(level in ORDER)) throw new Error(`unknown log level ${level} (fatal, error, warn, info, debug, trace)`);
  globalLevel = level;
  process.env.SLUICE_LOG_LEVEL = level; // worker threads inherit it
}
export function isLogLevel(s: string): s is LogLevel {
  return s in ORDER;
}

export function createLogger(scope = 'sluice', sink: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const log = (lvl: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] > ORDER[globalLevel]) return;
    let line = `[${new Date().toISOString()}][${lvl.toUpperCase().padEnd(5)}][${scope}] ${msg}`;
    if (fields) for (const k in fields) line += ` ${k}=${typeof fields[k] === 'string' ? fields[k] : JSON.stringify(fields[k])}`;
    sink(line + '\n');
  };
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: (s: string) => createLogger(`${scope}.${s}`, sink),
    get level() {
      return globalLevel;
    },
  };
}
