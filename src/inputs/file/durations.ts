// Logstash's "friendly durations": a number in the option's unit, or a string like "1 hour", "15 s", "14 days".

const UNIT_SECONDS: Record<string, number> = {
  us: 1e-6, usec: 1e-6, usecs: 1e-6, microsecond: 1e-6, microseconds: 1e-6,
  ms: 1e-3, msec: 1e-3, msecs: 1e-3, millisecond: 1e-3, milliseconds: 1e-3,
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
  w: 604800, week: 604800, weeks: 604800,
};

/** Seconds for `value`, a number in `unit` or a string "N unit". Throws a readable error otherwise. */
export function parseDuration(name: string, value: unknown, unit: 'seconds' | 'days'): number {
  const unitSeconds = unit === 'days' ? 86400 : 1;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value * unitSeconds;
  if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
    if (m) {
      if (m[2] === '') return Number(m[1]) * unitSeconds;
      const mult = UNIT_SECONDS[m[2]!.toLowerCase()];
      if (mult !== undefined) return Number(m[1]) * mult;
    }
  }
  throw new Error(`${name}: expected a number of ${unit} or a duration like "1 hour", got ${JSON.stringify(value)}`);
}
