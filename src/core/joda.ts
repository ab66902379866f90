// Joda-Time DateTimeFormat patterns (what Logstash's date filter and `%{+yyyy.MM.dd}` use), compiled
// once into a list of steps: a formatter that prints an instant, and a parser that matches a whole
// string and returns epoch milliseconds. Semantics follow Joda-Time 2.x as Logstash uses it:
//
//  - letters G C Y x w e E y D M d a K h H k m s S z Z; other ASCII letters are an error; text in
//    single quotes is literal, '' is a quote. Literals match case-insensitively.
//  - numbers: the pattern's width is the printed minimum; parsing accepts 1..max(2, width) digits
//    (D: 3, e: 1); years (y Y x) take up to 9 digits and a sign, or exactly the width when the next
//    field is numeric too (so yyyyMMdd works). `yy` is a two-digit year pivoting on (this year - 30),
//    i.e. in [now-80, now+19]; it accepts other widths as a literal year when the next field is not numeric.
//  - M/E/a/G with 3+ letters (E: any) are text: short and full names both parse, in the locale's case,
//    lower or upper case (longest match wins).
//  - S: fraction, parsed up to the width (SSSSSSSSS = 9 digits), kept to milliseconds.
//  - Z / ZZ parse `Z`, `+hh`, `+hhmm`, `+hh:mm` (and seconds); print `+0100` / `+01:00`. ZZZ is a zone id.
//    z parses only Joda's default names (UT UTC GMT EST EDT CST CDT MST MDT PST PDT).
//  - Dates are validated (Feb 30 fails); a wall time inside a DST gap fails; an ambiguous one takes
//    the earlier instant.
//  - No year in the pattern (syslog `MMM dd HH:mm:ss`): Logstash's rule — the current year, except
//    an event in December seen in January is last year's, and an event in January seen in December
//    is next year's. Feb 29 moved into a non-leap year becomes Feb 28, as Joda's withYear does.

import {
  type Zone,
  UTC,
  MS_PER_DAY,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  MS_PER_SECOND,
  MAX_EPOCH_MS,
  daysFromCivil,
  civilFromDays,
  daysInMonth,
  isLeapYear,
  isoDayOfWeek,
  isoWeek1Monday,
  isoWeeksInYear,
  resolveZone,
  resolveZoneId,
  defaultZone,
  formatOffsetId,
} from './timezone.js';

export type { Zone } from './timezone.js';
export { resolveZone, defaultZone } from './timezone.js';

export type DateFormatter = (d: Date) => string;

/** Parses a string; epoch ms or undefined when the text does not match. `zone` overrides the compiled zone. */
export type DateParser = (text: string, zone?: Zone) => number | undefined;

export interface JodaParserOptions {
  /** Zone for text without an offset: IANA id or fixed offset. Default: the platform zone, as Logstash. */
  timezone?: string;
  /** BCP 47 (or POSIX `en_US`) locale for month/day names. Default English. */
  locale?: string;
  /** Clock for the year-less rule and the two-digit-year pivot (tests). */
  now?: () => Date;
}

export class JodaPatternError extends Error {}

// ---------------------------------------------------------------------------------------------
// Fields (indexes into the parse state)

const F_ERA = 0;
const F_CENTURY = 1;
const F_YEAR_OF_ERA = 2;
const F_YEAR = 3;
const F_WEEKYEAR = 4;
const F_WEEK = 5;
const F_DOW = 6;
const F_DOY = 7;
const F_MONTH = 8;
const F_DOM = 9;
const F_HALFDAY = 10;
const F_HOUR_OF_HALFDAY = 11; // K 0-11
const F_CLOCKHOUR_OF_HALFDAY = 12; // h 1-12
const F_HOUR = 13; // H 0-23
const F_CLOCKHOUR = 14; // k 1-24
const F_MINUTE = 15;
const F_SECOND = 16;
const F_MILLIS = 17;
const FIELD_COUNT = 18;

const bit = (f: number) => 1 << f;
const DATE_LEVEL_FIELDS = bit(F_MONTH) | bit(F_WEEK) | bit(F_DOY) | bit(F_DOM) | bit(F_DOW);
/** Years past ±300000 are outside the JS Date range (±275760). */
const MAX_YEAR = 300_000;
const MONTH_AND_DAY = bit(F_MONTH) | bit(F_DOM);
const YEAR_LEVEL_FIELDS = bit(F_ERA) | bit(F_CENTURY) | bit(F_YEAR_OF_ERA) | bit(F_YEAR) | bit(F_WEEKYEAR);

// ---------------------------------------------------------------------------------------------
// Locale names

const NAME_CACHE = new Map<string, LocaleNames>();

/**
 * Candidates grouped by their first two UTF-16 units, longest first: a longest-match lookup that
 * allocates nothing and tries only a handful of names (June, July, Jun, Jul for "Ju").
 */
class TextMatcher {
  private readonly byPrefix = new Map<number, Array<{ text: string; value: number }>>();
  /** Value of the last successful match. */
  value = 0;

  add(text: string, value: number): void {
    if (text.length === 0) return;
    const key = text.length === 1 ? text.charCodeAt(0) * 65536 + 65535 : text.charCodeAt(0) * 65536 + text.charCodeAt(1);
    let list = this.byPrefix.get(key);
    if (list === undefined) this.byPrefix.set(key, (list = []));
    if (list.some((e) => e.text === text)) return;
    list.push({ text, value });
    list.sort((a, b) => b.text.length - a.text.length);
  }

  /** End position of the longest name at `pos`, or -1. */
  match(s: string, pos: number): number {
    if (pos >= s.length) return -1;
    const c0 = s.charCodeAt(pos) * 65536;
    if (pos + 1 < s.length) {
      const list = this.byPrefix.get(c0 + s.charCodeAt(pos + 1));
      if (list !== undefined) {
        for (let i = 0; i < list.length; i++) {
          const e = list[i]!;
          if (s.startsWith(e.text, pos)) {
            this.value = e.value;
            return pos + e.text.length;
          }
        }
      }
    }
    // One-character names (rare: some locales' narrow forms).
    const single = this.byPrefix.get(c0 + 65535);
    if (single !== undefined) {
      this.value = single[0]!.value;
      return pos + 1;
    }
    return -1;
  }
}

interface LocaleNames {
  locale: string;
  monthsShort: string[]; // 0..11
  monthsLong: string[];
  daysShort: string[]; // 0..6 = Monday..Sunday
  daysLong: string[];
  halfdays: string[]; // AM, PM
  eras: string[]; // BC, AD
  months: TextMatcher; // value 1..12
  days: TextMatcher; // value 1..7
  halfdayParser: TextMatcher; // 0..1
  eraParser: TextMatcher; // 0..1
}

function normaliseLocale(locale: string | undefined): string {
  if (locale === undefined || locale === '') return 'en-US';
  const tag = locale.replace(/_/g, '-');
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? 'en-US';
  } catch {
    throw new JodaPatternError(`invalid locale ${JSON.stringify(locale)}`);
  }
}

function partOf(dtf: Intl.DateTimeFormat, d: Date, type: Intl.DateTimeFormatPartTypes): string {
  return dtf.formatToParts(d).find((p) => p.type === type)?.value ?? '';
}

/** A locale's month, weekday, half-day and era names, as ICU gives them (format context, with stand-alone forms). */
export interface NameTables {
  monthsShort: string[];
  monthsLong: string[];
  /** Per month: stand-alone [short, long]. */
  monthsAlone: string[][];
  daysShort: string[];
  daysLong: string[];
  /** Per weekday (Monday first): stand-alone [short, long]. */
  daysAlone: string[][];
  am: string;
  pm: string;
  bc: string;
  ad: string;
}

const EN_MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const EN_MONTHS_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const EN_DAYS_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const EN_DAYS_LONG = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/**
 * en-US, the default locale, written out: asking ICU costs each thread about 10 ms of locale data at start-up.
 * A test checks it against ICU.
 */
export const EN_US_NAMES: NameTables = {
  monthsShort: EN_MONTHS_SHORT,
  monthsLong: EN_MONTHS_LONG,
  monthsAlone: EN_MONTHS_SHORT.map((m, i) => [m, EN_MONTHS_LONG[i]!]),
  daysShort: EN_DAYS_SHORT,
  daysLong: EN_DAYS_LONG,
  daysAlone: EN_DAYS_SHORT.map((d, i) => [d, EN_DAYS_LONG[i]!]),
  am: 'AM',
  pm: 'PM',
  bc: 'BC',
  ad: 'AD',
};

/** A locale's names from ICU (Intl). */
export function intlNameTables(locale: string): NameTables {
  const utc = { timeZone: 'UTC' } as const;
  const fmt = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { ...utc, ...o });
  // Format-context names (as Java's DateFormatSymbols), falling back to stand-alone ones where the
  // format context is numeric (ja: 1月).
  const shortM = fmt({ month: 'short', day: 'numeric' });
  const longM = fmt({ month: 'long', day: 'numeric' });
  const shortMAlone = fmt({ month: 'short' });
  const longMAlone = fmt({ month: 'long' });
  const shortD = fmt({ weekday: 'short', day: 'numeric', month: 'long', year: 'numeric' });
  const longD = fmt({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const shortDAlone = fmt({ weekday: 'short' });
  const longDAlone = fmt({ weekday: 'long' });
  const isDigits = (s: string) => /^\d+$/.test(s);
  const monthsShort: string[] = [];
  const monthsLong: string[] = [];
  const monthsAlone: string[][] = [];
  for (let m = 0; m < 12; m++) {
    const d = new Date(Date.UTC(2000, m, 15));
    const ms = partOf(shortM, d, 'month');
    const ml = partOf(longM, d, 'month');
    const as = shortMAlone.format(d);
    const al = longMAlone.format(d);
    monthsShort.push(isDigits(ms) ? as : ms);
    monthsLong.push(isDigits(ml) ? al : ml);
    monthsAlone.push([as, al]);
  }
  const daysShort: string[] = [];
  const daysLong: string[] = [];
  const daysAlone: string[][] = [];
  for (let i = 0; i < 7; i++) {
    const d = new Date(Date.UTC(2000, 0, 3 + i)); // 2000-01-03 was a Monday
    daysShort.push(partOf(shortD, d, 'weekday') || shortDAlone.format(d));
    daysLong.push(partOf(longD, d, 'weekday') || longDAlone.format(d));
    daysAlone.push([shortDAlone.format(d), longDAlone.format(d)]);
  }
  const hourFmt = fmt({ hour: 'numeric', hour12: true });
  const am = partOf(hourFmt, new Date(Date.UTC(2000, 0, 1, 3)), 'dayPeriod') || 'AM';
  const pm = partOf(hourFmt, new Date(Date.UTC(2000, 0, 1, 15)), 'dayPeriod') || 'PM';
  const eraFmt = fmt({ era: 'short', year: 'numeric' });
  const bc = partOf(eraFmt, new Date(Date.UTC(-100, 0, 1)), 'era') || 'BC';
  const ad = partOf(eraFmt, new Date(Date.UTC(2000, 0, 1)), 'era') || 'AD';

  return { monthsShort, monthsLong, monthsAlone, daysShort, daysLong, daysAlone, am, pm, bc, ad };
}

function localeNames(locale: string): LocaleNames {
  let names = NAME_CACHE.get(locale);
  if (names !== undefined) return names;
  const { monthsShort, monthsLong, monthsAlone, daysShort, daysLong, daysAlone, am, pm, bc, ad } = locale === 'en-US' ? EN_US_NAMES : intlNameTables(locale);
  // en-US names are ASCII: plain case mapping gives the same as the locale's, without ICU.
  const variants = locale === 'en-US' ? (s: string) => [s, s.toLowerCase(), s.toUpperCase()] : (s: string) => [s, s.toLocaleLowerCase(locale), s.toLocaleUpperCase(locale)];
  const months = new TextMatcher();
  for (let m = 0; m < 12; m++)
    for (const s of [monthsShort[m]!, monthsLong[m]!, ...monthsAlone[m]!]) for (const v of variants(s)) months.add(v, m + 1);
  const days = new TextMatcher();
  for (let i = 0; i < 7; i++) for (const s of [daysShort[i]!, daysLong[i]!, ...daysAlone[i]!]) for (const v of variants(s)) days.add(v, i + 1);
  const halfdayParser = new TextMatcher();
  for (const v of variants(am)) halfdayParser.add(v, 0);
  for (const v of variants(pm)) halfdayParser.add(v, 1);
  const eraParser = new TextMatcher();
  for (const v of variants(bc)) eraParser.add(v, 0);
  for (const v of variants(ad)) eraParser.add(v, 1);
  if (locale === 'en' || locale.startsWith('en-')) {
    // Joda accepts BCE/CE in English.
    eraParser.add('BCE', 0);
    eraParser.add('CE', 1);
  }
  names = { locale, monthsShort, monthsLong, daysShort, daysLong, halfdays: [am, pm], eras: [bc, ad], months, days, halfdayParser, eraParser };
  NAME_CACHE.set(locale, names);
  return names;
}

// ---------------------------------------------------------------------------------------------
// Pattern compilation

const K_LITERAL = 0;
const K_NUMBER = 1;
const K_TWO_DIGIT_YEAR = 2;
const K_FRACTION = 3;
const K_TEXT = 4;
const K_OFFSET = 5;
const K_ZONE_ID = 6;
const K_ZONE_NAME = 7;

/** One compiled pattern element. A class, so every step shares one shape and the matcher's loop stays monomorphic. */
class Step {
  field = -1;
  /** Printed width (minimum digits); for text 1 = long form. */
  width = 0;
  /** Most digits parsed. */
  max = 0;
  signed = false;
  /** yy: accept other widths as a literal year. */
  lenient = false;
  /** ZZ: print with a colon. */
  colon = false;
  literal = '';
  lower = '';
  upper = '';
  text: TextMatcher | null = null;
  constructor(
    readonly kind: number,
    /** Pattern letter. */
    readonly letter: string,
  ) {}
}

function step(kind: number, letter: string, over: Partial<Omit<Step, 'kind' | 'letter'>>): Step {
  const s = new Step(kind, letter);
  if (over.field !== undefined) s.field = over.field;
  if (over.width !== undefined) s.width = over.width;
  if (over.max !== undefined) s.max = over.max;
  if (over.signed !== undefined) s.signed = over.signed;
  if (over.lenient !== undefined) s.lenient = over.lenient;
  if (over.colon !== undefined) s.colon = over.colon;
  if (over.literal !== undefined) s.literal = over.literal;
  if (over.lower !== undefined) s.lower = over.lower;
  if (over.upper !== undefined) s.upper = over.upper;
  if (over.text !== undefined) s.text = over.text;
  return s;
}

const isAsciiLetter = (c: string) => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

/** Split a pattern into Joda tokens: runs of one letter, or literal text prefixed with a quote. */
function tokenize(pattern: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i]!;
    if (isAsciiLetter(c)) {
      let j = i + 1;
      while (j < n && pattern[j] === c) j++;
      tokens.push(pattern.slice(i, j));
      i = j;
      continue;
    }
    let buf = "'";
    let inQuote = false;
    for (; i < n; i++) {
      const ch = pattern[i]!;
      if (ch === "'") {
        if (i + 1 < n && pattern[i + 1] === "'") {
          i++;
          buf += "'";
        } else inQuote = !inQuote;
      } else if (!inQuote && isAsciiLetter(ch)) break;
      else buf += ch;
    }
    tokens.push(buf);
  }
  return tokens;
}

function isNumericToken(token: string | undefined): boolean {
  if (token === undefined || token.length === 0) return false;
  switch (token[0]) {
    case 'c':
    case 'C':
    case 'x':
    case 'y':
    case 'Y':
    case 'd':
    case 'h':
    case 'H':
    case 'm':
    case 's':
    case 'S':
    case 'e':
    case 'D':
    case 'F':
    case 'W':
    case 'k':
    case 'K':
      return true;
    case 'M':
      return token.length <= 2;
  }
  return false;
}

interface CompiledPattern {
  steps: Step[];
  /** Pattern has y or Y (Logstash's "has a year" test). */
  hasYear: boolean;
  /** Finest unit the pattern prints (ms): the formatter reuses its output within one such unit. */
  cacheUnit: number;
}

function compilePattern(pattern: string, names: LocaleNames): CompiledPattern {
  const tokens = tokenize(pattern);
  const steps: Step[] = [];
  let hasYear = false;
  let cacheUnit = MS_PER_DAY;
  const finest = (unit: number) => {
    if (unit < cacheUnit) cacheUnit = unit;
  };
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    const c = token[0]!;
    const len = token.length;
    const nextNumeric = isNumericToken(tokens[t + 1]);
    const num = (field: number, maxParsed: number, signed = false) =>
      step(K_NUMBER, c, { field, width: len, max: Math.max(maxParsed, len), signed });
    switch (c) {
      case "'": {
        const lit = token.slice(1);
        if (lit.length > 0) steps.push(step(K_LITERAL, c, { literal: lit, lower: lit.toLowerCase(), upper: lit.toUpperCase() }));
        break;
      }
      case 'G':
        steps.push(step(K_TEXT, c, { field: F_ERA, text: names.eraParser }));
        break;
      case 'C':
        steps.push(num(F_CENTURY, len, true));
        break;
      case 'y':
      case 'Y':
      case 'x': {
        if (c !== 'x') hasYear = true;
        const field = c === 'x' ? F_WEEKYEAR : c === 'y' ? F_YEAR : F_YEAR_OF_ERA;
        if (len === 2) {
          // Joda: yy and YY are two-digit *years*; xx a two-digit weekyear.
          steps.push(step(K_TWO_DIGIT_YEAR, c, { field: c === 'x' ? F_WEEKYEAR : F_YEAR, width: 2, max: 2, lenient: !nextNumeric }));
        } else {
          steps.push(step(K_NUMBER, c, { field, width: len, max: nextNumeric ? len : 9, signed: c !== 'Y' }));
        }
        break;
      }
      case 'w':
        steps.push(num(F_WEEK, 2));
        break;
      case 'e':
        steps.push(num(F_DOW, 1));
        break;
      case 'E':
        steps.push(step(K_TEXT, c, { field: F_DOW, width: len >= 4 ? 1 : 0, text: names.days }));
        break;
      case 'D':
        steps.push(num(F_DOY, 3));
        break;
      case 'M':
        if (len >= 3) steps.push(step(K_TEXT, c, { field: F_MONTH, width: len >= 4 ? 1 : 0, text: names.months }));
        else steps.push(num(F_MONTH, 2));
        break;
      case 'd':
        steps.push(num(F_DOM, 2));
        break;
      case 'a':
        finest(MS_PER_HOUR);
        steps.push(step(K_TEXT, c, { field: F_HALFDAY, text: names.halfdayParser }));
        break;
      case 'K':
        finest(MS_PER_HOUR);
        steps.push(num(F_HOUR_OF_HALFDAY, 2));
        break;
      case 'h':
        finest(MS_PER_HOUR);
        steps.push(num(F_CLOCKHOUR_OF_HALFDAY, 2));
        break;
      case 'H':
        finest(MS_PER_HOUR);
        steps.push(num(F_HOUR, 2));
        break;
      case 'k':
        finest(MS_PER_HOUR);
        steps.push(num(F_CLOCKHOUR, 2));
        break;
      case 'm':
        finest(MS_PER_MINUTE);
        steps.push(num(F_MINUTE, 2));
        break;
      case 's':
        finest(MS_PER_SECOND);
        steps.push(num(F_SECOND, 2));
        break;
      case 'S':
        finest(1);
        steps.push(step(K_FRACTION, c, { field: F_MILLIS, width: len, max: len }));
        break;
      case 'z':
        steps.push(step(K_ZONE_NAME, c, { width: len >= 4 ? 1 : 0 }));
        break;
      case 'Z':
        if (len >= 3) steps.push(step(K_ZONE_ID, c, {}));
        else steps.push(step(K_OFFSET, c, { colon: len === 2 }));
        break;
      default:
        throw new JodaPatternError(`Illegal pattern component: ${token}`);
    }
  }
  return { steps, hasYear, cacheUnit };
}

// ---------------------------------------------------------------------------------------------
// Formatter

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);

const pad = (n: number, width: number): string => {
  if (n < 0) return '-' + pad(-n, width);
  if (n < 100) {
    if (width === 2) return TWO_DIGITS[n]!;
    if (width <= 1) return n < 10 ? TWO_DIGITS[n]![1]! : TWO_DIGITS[n]!;
  }
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
};

/** Broken-down local time of an instant. */
class LocalFields {
  year = 0;
  month = 0;
  day = 0;
  hour = 0;
  minute = 0;
  second = 0;
  millis = 0;
  dayNumber = 0;
  private readonly ymd = [0, 0, 0];

  set(local: number): void {
    const days = Math.floor(local / MS_PER_DAY);
    let rest = local - days * MS_PER_DAY;
    this.dayNumber = days;
    civilFromDays(days, this.ymd);
    this.year = this.ymd[0]!;
    this.month = this.ymd[1]!;
    this.day = this.ymd[2]!;
    this.hour = Math.floor(rest / MS_PER_HOUR);
    rest -= this.hour * MS_PER_HOUR;
    this.minute = Math.floor(rest / MS_PER_MINUTE);
    rest -= this.minute * MS_PER_MINUTE;
    this.second = Math.floor(rest / MS_PER_SECOND);
    this.millis = rest - this.second * MS_PER_SECOND;
  }
  get dayOfWeek(): number {
    return isoDayOfWeek(this.dayNumber);
  }
  get dayOfYear(): number {
    return this.dayNumber - daysFromCivil(this.year, 1, 1) + 1;
  }
  get weekyear(): number {
    const next = isoWeek1Monday(this.year + 1);
    if (this.dayNumber >= next) return this.year + 1;
    return this.dayNumber >= isoWeek1Monday(this.year) ? this.year : this.year - 1;
  }
  get weekOfWeekyear(): number {
    return Math.floor((this.dayNumber - isoWeek1Monday(this.weekyear)) / 7) + 1;
  }
}

function formatOffset(offset: number, colon: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const h = Math.floor(a / MS_PER_HOUR);
  const m = Math.floor((a - h * MS_PER_HOUR) / MS_PER_MINUTE);
  return sign + pad(h, 2) + (colon ? ':' : '') + pad(m, 2);
}

function zoneDisplayName(zone: Zone, utc: number, offset: number, long: boolean, locale: string, cache: Map<number, string>): string {
  const key = long ? offset + 0.5 : offset;
  let name = cache.get(key);
  if (name !== undefined) return name;
  if (zone.fixedOffset !== undefined && !/^[A-Za-z]/.test(zone.id)) name = zone.id;
  else if (zone.id === 'UTC') name = long ? 'Coordinated Universal Time' : 'UTC';
  else {
    // en-US names only American zones (GMT+2 for Berlin); other English regions know CEST, BST, IST, AEST…
    const candidates = !long && (locale === 'en' || locale.startsWith('en-')) ? [locale, 'en-GB', 'en-AU', 'en-IN'] : [locale];
    for (const loc of candidates) {
      try {
        const dtf = new Intl.DateTimeFormat(loc, { timeZone: zone.id, timeZoneName: long ? 'long' : 'short' });
        name = partOf(dtf, new Date(utc), 'timeZoneName');
      } catch {
        name = undefined;
      }
      if (name && !/^GMT[+-−]/.test(name)) break;
    }
    if (!name) name = formatOffsetId(offset);
  }
  if (cache.size < 64) cache.set(key, name);
  return name;
}

/**
 * Compile a Joda pattern into a formatter (used by sprintf `%{+yyyy.MM.dd}`, always UTC there).
 * Throws JodaPatternError for an illegal pattern or unknown zone.
 */
export function compileJodaFormatter(pattern: string, timezone = 'UTC', locale?: string): DateFormatter {
  const zone = resolveZone(timezone);
  if (zone === undefined) throw new JodaPatternError(`unknown time zone ${JSON.stringify(timezone)}`);
  const names = localeNames(normaliseLocale(locale));
  const { steps, cacheUnit } = compilePattern(pattern, names);
  const f = new LocalFields();
  const zoneNames = new Map<number, string>();
  // Events arrive roughly in time order: consecutive ones usually print the same day (index names).
  let cachedKey = NaN;
  let cachedOffset = NaN;
  let cachedText = '';
  return (d: Date) => {
    const utc = d.getTime();
    if (utc !== utc) return 'Invalid Date';
    const offset = zone.offsetAt(utc);
    const local = utc + offset;
    const key = Math.floor(local / cacheUnit);
    if (key === cachedKey && offset === cachedOffset) return cachedText;
    f.set(local);
    let out = '';
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]!;
      switch (s.kind) {
        case K_LITERAL:
          out += s.literal;
          break;
        case K_NUMBER:
          out += pad(numberFor(s, f), s.width);
          break;
        case K_TWO_DIGIT_YEAR:
          out += pad(Math.abs(s.field === F_WEEKYEAR ? f.weekyear : f.year) % 100, 2);
          break;
        case K_FRACTION:
          out += s.width <= 3 ? pad(f.millis, 3).slice(0, s.width) : pad(f.millis, 3) + '0'.repeat(s.width - 3);
          break;
        case K_TEXT:
          out += textFor(s, f, names);
          break;
        case K_OFFSET:
          out += formatOffset(offset, s.colon);
          break;
        case K_ZONE_ID:
          out += zone.id;
          break;
        case K_ZONE_NAME:
          out += zoneDisplayName(zone, utc, offset, s.width === 1, names.locale, zoneNames);
          break;
      }
    }
    cachedKey = key;
    cachedOffset = offset;
    cachedText = out;
    return out;
  };
}

function numberFor(s: Step, f: LocalFields): number {
  switch (s.field) {
    case F_CENTURY:
      return Math.floor((f.year > 0 ? f.year : 1 - f.year) / 100);
    case F_YEAR_OF_ERA:
      return f.year > 0 ? f.year : 1 - f.year;
    case F_YEAR:
      return f.year;
    case F_WEEKYEAR:
      return f.weekyear;
    case F_WEEK:
      return f.weekOfWeekyear;
    case F_DOW:
      return f.dayOfWeek;
    case F_DOY:
      return f.dayOfYear;
    case F_MONTH:
      return f.month;
    case F_DOM:
      return f.day;
    case F_HOUR_OF_HALFDAY:
      return f.hour % 12;
    case F_CLOCKHOUR_OF_HALFDAY:
      return f.hour % 12 === 0 ? 12 : f.hour % 12;
    case F_HOUR:
      return f.hour;
    case F_CLOCKHOUR:
      return f.hour === 0 ? 24 : f.hour;
    case F_MINUTE:
      return f.minute;
    case F_SECOND:
      return f.second;
  }
  return 0;
}

function textFor(s: Step, f: LocalFields, names: LocaleNames): string {
  switch (s.field) {
    case F_ERA:
      return names.eras[f.year > 0 ? 1 : 0]!;
    case F_DOW:
      return (s.width === 1 ? names.daysLong : names.daysShort)[f.dayOfWeek - 1]!;
    case F_MONTH:
      return (s.width === 1 ? names.monthsLong : names.monthsShort)[f.month - 1]!;
    case F_HALFDAY:
      return names.halfdays[f.hour >= 12 ? 1 : 0]!;
  }
  return '';
}

// ---------------------------------------------------------------------------------------------
// Parser

/** Joda's default zone names for `z` (DateTimeUtils.getDefaultTimeZoneNames). */
const ZONE_NAMES: Array<[string, string]> = [
  ['UTC', 'UTC'],
  ['GMT', 'UTC'],
  ['UT', 'UTC'],
  ['EST', 'America/New_York'],
  ['EDT', 'America/New_York'],
  ['CST', 'America/Chicago'],
  ['CDT', 'America/Chicago'],
  ['MST', 'America/Denver'],
  ['MDT', 'America/Denver'],
  ['PST', 'America/Los_Angeles'],
  ['PDT', 'America/Los_Angeles'],
];

/** Mutable state of one parse (reused: parsing is synchronous). */
class ParseState {
  readonly values: number[] = Array.from({ length: FIELD_COUNT }, () => 0); // packed, not holey
  mask = 0;
  offset = 0;
  hasOffset = false;
  zone: Zone | undefined = undefined;
  reset(): void {
    this.mask = 0;
    this.hasOffset = false;
    this.zone = undefined;
  }
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** How many of the (up to) two characters at pos are digits. */
function twoDigitCount(text: string, pos: number): number {
  if (pos >= text.length || !isDigit(text.charCodeAt(pos))) return 0;
  return pos + 1 < text.length && isDigit(text.charCodeAt(pos + 1)) ? 2 : 1;
}

/** Joda's TimeZoneOffset parser: `Z` or ±hh[[:]mm[[:]ss[.SSS]]]. Returns the end or -1; offset in `st`. */
function parseOffset(text: string, pos: number, st: { offset: number }): number {
  const n = text.length;
  if (pos < n) {
    const c0 = text.charCodeAt(pos);
    if (c0 === 90 || c0 === 122) {
      st.offset = 0;
      return pos + 1;
    }
  }
  if (n - pos <= 1) return -1;
  const sign = text.charCodeAt(pos);
  if (sign !== 43 && sign !== 45) return -1;
  let p = pos + 1;
  if (!(p + 1 < n && isDigit(text.charCodeAt(p)) && isDigit(text.charCodeAt(p + 1)))) return -1;
  const hours = (text.charCodeAt(p) - 48) * 10 + text.charCodeAt(p + 1) - 48;
  if (hours > 23) return -1;
  let offset = hours * MS_PER_HOUR;
  p += 2;
  parse: {
    if (p >= n) break parse;
    let c = text.charCodeAt(p);
    let separators: boolean;
    if (c === 58) {
      separators = true;
      p++;
    } else if (isDigit(c)) separators = false;
    else break parse;
    let count = twoDigitCount(text, p);
    if (count === 0 && !separators) break parse;
    if (count < 2) return -1;
    const minutes = (text.charCodeAt(p) - 48) * 10 + text.charCodeAt(p + 1) - 48;
    if (minutes > 59) return -1;
    offset += minutes * MS_PER_MINUTE;
    p += 2;
    if (p >= n) break parse;
    if (separators) {
      if (text.charCodeAt(p) !== 58) break parse;
      p++;
    }
    count = twoDigitCount(text, p);
    if (count === 0 && !separators) break parse;
    if (count < 2) return -1;
    const seconds = (text.charCodeAt(p) - 48) * 10 + text.charCodeAt(p + 1) - 48;
    if (seconds > 59) return -1;
    offset += seconds * MS_PER_SECOND;
    p += 2;
    if (p >= n) break parse;
    if (separators) {
      c = text.charCodeAt(p);
      if (c !== 46 && c !== 44) break parse;
      p++;
    }
    let digits = 0;
    while (digits < 3 && p + digits < n && isDigit(text.charCodeAt(p + digits))) digits++;
    if (digits === 0 && !separators) break parse;
    if (digits < 1) return -1;
    offset += (text.charCodeAt(p) - 48) * 100;
    if (digits > 1) offset += (text.charCodeAt(p + 1) - 48) * 10;
    if (digits > 2) offset += text.charCodeAt(p + 2) - 48;
    p += digits;
  }
  st.offset = sign === 45 ? -offset : offset;
  return p;
}

const isZoneIdChar = (c: number) =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || isDigit(c) || c === 47 || c === 95 || c === 45 || c === 43;

/** Two-digit year with Joda's pivot: the century window [pivot-50, pivot+49]. */
function pivotYear(twoDigits: number, pivot: number): number {
  const low = pivot - 50;
  const t = low >= 0 ? low % 100 : 99 + ((low + 1) % 100);
  return twoDigits + low + (twoDigits < t ? 100 : 0) - t;
}

/** Match `text` against the steps into `st`; true when the whole string matched. */
function matchSteps(steps: Step[], text: string, st: ParseState, pivot: number): boolean {
  const n = text.length;
  const values = st.values;
  let mask = 0;
  let pos = 0;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    switch (s.kind) {
      case K_LITERAL: {
        const lit = s.literal;
        const len = lit.length;
        if (pos + len > n) return false;
        for (let j = 0; j < len; j++) {
          const c = text.charCodeAt(pos + j);
          if (c !== lit.charCodeAt(j) && c !== s.lower.charCodeAt(j) && c !== s.upper.charCodeAt(j)) {
            if (c < 128) return false;
            const ch = text[pos + j]!;
            if (ch.toUpperCase() !== s.upper[j] && ch.toLowerCase() !== s.lower[j]) return false;
          }
        }
        pos += len;
        break;
      }
      case K_NUMBER: {
        let limit = Math.min(s.max, n - pos);
        let p = pos;
        let negative = false;
        if (s.signed && limit > 0) {
          const c = text.charCodeAt(p);
          if (c === 45 || c === 43) {
            if (limit <= 1 || !isDigit(text.charCodeAt(p + 1))) return false;
            negative = c === 45;
            p++;
            limit = Math.min(limit + 1, n - pos);
          }
        }
        const end = pos + limit;
        let value = 0;
        const start = p;
        while (p < end) {
          const d = text.charCodeAt(p) - 48;
          if (d < 0 || d > 9) break;
          value = value * 10 + d;
          p++;
        }
        if (p === start) return false;
        values[s.field] = negative ? -value : value;
        mask |= 1 << s.field;
        pos = p;
        break;
      }
      case K_TWO_DIGIT_YEAR: {
        if (!s.lenient) {
          if (n - pos < 2) return false;
          const a = text.charCodeAt(pos) - 48;
          const b = text.charCodeAt(pos + 1) - 48;
          if (a < 0 || a > 9 || b < 0 || b > 9) return false;
          values[s.field] = pivotYear(a * 10 + b, pivot);
          mask |= 1 << s.field;
          pos += 2;
          break;
        }
        let p = pos;
        let negative = false;
        let hasSign = false;
        const c0 = text.charCodeAt(p);
        if (c0 === 45 || c0 === 43) {
          hasSign = true;
          negative = c0 === 45;
          p++;
        }
        const start = p;
        let value = 0;
        while (p < n) {
          const d = text.charCodeAt(p) - 48;
          if (d < 0 || d > 9) break;
          value = value * 10 + d;
          p++;
        }
        const digits = p - start;
        if (digits === 0) return false;
        values[s.field] = hasSign || digits !== 2 ? (negative ? -value : value) : pivotYear(value, pivot);
        mask |= 1 << s.field;
        pos = p;
        break;
      }
      case K_FRACTION: {
        const end = Math.min(pos + s.max, n);
        let p = pos;
        let millis = 0;
        while (p < end) {
          const d = text.charCodeAt(p) - 48;
          if (d < 0 || d > 9) break;
          if (p - pos < 3) millis = millis * 10 + d;
          p++;
        }
        const digits = p - pos;
        if (digits === 0) return false;
        if (digits === 1) millis *= 100;
        else if (digits === 2) millis *= 10;
        values[F_MILLIS] = millis;
        mask |= 1 << F_MILLIS;
        pos = p;
        break;
      }
      case K_TEXT: {
        const m = s.text!;
        const p = m.match(text, pos);
        if (p < 0) return false;
        values[s.field] = m.value;
        mask |= 1 << s.field;
        pos = p;
        break;
      }
      case K_OFFSET: {
        const p = parseOffset(text, pos, st);
        if (p < 0) return false;
        st.hasOffset = true;
        pos = p;
        break;
      }
      case K_ZONE_ID: {
        let end = pos;
        while (end < n && end - pos < 64 && isZoneIdChar(text.charCodeAt(end))) end++;
        let zone: Zone | undefined;
        // Joda takes the longest known id that prefixes the text.
        for (; end > pos; end--) {
          zone = resolveZoneId(text.slice(pos, end));
          if (zone !== undefined) break;
        }
        if (zone === undefined) return false;
        st.zone = zone;
        pos = end;
        break;
      }
      case K_ZONE_NAME: {
        let best = -1;
        for (let j = 0; j < ZONE_NAMES.length; j++) {
          const name = ZONE_NAMES[j]![0];
          if (text.startsWith(name, pos) && (best < 0 || name.length > ZONE_NAMES[best]![0].length)) best = j;
        }
        if (best < 0) return false;
        st.zone = resolveZone(ZONE_NAMES[best]![1]);
        pos += ZONE_NAMES[best]![0].length;
        break;
      }
    }
  }
  st.mask = mask;
  return pos === n;
}

const scratchYmd = [0, 0, 0];

/**
 * Resolve the saved fields into local (wall-clock) ms, following Joda's order: the largest field
 * first, each validated against the date built so far. NaN when a value is out of range.
 */
function resolveLocal(st: ParseState, defaultYear: number): number {
  const v = st.values;
  const mask = st.mask;
  // Joda's base instant is 1970-01-01; the default year replaces 1970 when the largest field is a month/week/day.
  let year = mask & YEAR_LEVEL_FIELDS ? 1970 : mask & DATE_LEVEL_FIELDS ? defaultYear : 1970;
  if (mask & bit(F_ERA)) {
    if ((v[F_ERA] === 0) !== year <= 0) year = 1 - year;
  }
  if (mask & bit(F_YEAR)) year = v[F_YEAR]!;
  if (mask & bit(F_YEAR_OF_ERA)) {
    const yoe = v[F_YEAR_OF_ERA]!;
    if (yoe < 1) return NaN;
    year = year <= 0 ? 1 - yoe : yoe;
  }
  if (mask & bit(F_CENTURY)) {
    const c = v[F_CENTURY]!;
    if (c < 0) return NaN;
    const yoe = year > 0 ? year : 1 - year;
    const y = c * 100 + (yoe % 100);
    year = year > 0 ? y : 1 - y;
  }

  // Beyond a JS Date either way; also keeps the int32 calendar arithmetic exact.
  if (!(year > -MAX_YEAR && year < MAX_YEAR)) return NaN;
  let days: number;
  if (mask & bit(F_MONTH)) {
    const m = v[F_MONTH]!;
    if (m < 1 || m > 12) return NaN;
    if (mask & bit(F_DOM) && !(mask & (bit(F_WEEK) | bit(F_WEEKYEAR) | bit(F_DOY)))) {
      // The common case: year, month, day.
      const d = v[F_DOM]!;
      if (d < 1 || d > daysInMonth(year, m)) return NaN;
      days = daysFromCivil(year, m, d);
    } else days = daysFromCivil(year, m, 1);
  } else days = daysFromCivil(year, 1, 1);

  const weekDate = (mask & (bit(F_WEEK) | bit(F_WEEKYEAR))) !== 0;
  if (weekDate) {
    civilFromDays(days, scratchYmd);
    const dowNow = isoDayOfWeek(days);
    let wy = scratchYmd[0]!;
    const mon1 = isoWeek1Monday(wy);
    if (days < mon1) wy--;
    else if (days >= isoWeek1Monday(wy + 1)) wy++;
    const weekNow = Math.floor((days - isoWeek1Monday(wy)) / 7) + 1;
    const weekyear = mask & bit(F_WEEKYEAR) ? v[F_WEEKYEAR]! : wy;
    const week = mask & bit(F_WEEK) ? v[F_WEEK]! : Math.min(weekNow, isoWeeksInYear(weekyear));
    if (week < 1 || week > isoWeeksInYear(weekyear)) return NaN;
    let dow = dowNow;
    if (mask & bit(F_DOW)) {
      dow = v[F_DOW]!;
      if (dow < 1 || dow > 7) return NaN;
    }
    days = isoWeek1Monday(weekyear) + (week - 1) * 7 + (dow - 1);
  }
  if (mask & bit(F_DOY)) {
    civilFromDays(days, scratchYmd);
    const y = scratchYmd[0]!;
    const doy = v[F_DOY]!;
    if (doy < 1 || doy > (isLeapYear(y) ? 366 : 365)) return NaN;
    days = daysFromCivil(y, 1, 1) + doy - 1;
  }
  if (mask & bit(F_DOM) && (!(mask & bit(F_MONTH)) || mask & (bit(F_WEEK) | bit(F_WEEKYEAR) | bit(F_DOY)))) {
    civilFromDays(days, scratchYmd);
    const d = v[F_DOM]!;
    if (d < 1 || d > daysInMonth(scratchYmd[0]!, scratchYmd[1]!)) return NaN;
    days = daysFromCivil(scratchYmd[0]!, scratchYmd[1]!, d);
  }
  if (mask & bit(F_DOW) && !weekDate) {
    // Joda sets the day of week within the ISO week of the date (it does not check it).
    const dow = v[F_DOW]!;
    if (dow < 1 || dow > 7) return NaN;
    days += dow - isoDayOfWeek(days);
  }

  const timeOfDay = resolveTimeOfDay(st);
  return days * MS_PER_DAY + timeOfDay;
}

/** Milliseconds of the day from the saved time fields (Joda order: halfday, hour, hour of halfday…); NaN if invalid. */
function resolveTimeOfDay(st: ParseState): number {
  const v = st.values;
  const mask = st.mask;
  let hour = 0;
  if (mask & bit(F_HALFDAY)) hour = v[F_HALFDAY]! * 12;
  if (mask & bit(F_HOUR)) {
    hour = v[F_HOUR]!;
    if (hour > 23) return NaN;
  }
  if (mask & bit(F_CLOCKHOUR)) {
    const k = v[F_CLOCKHOUR]!;
    if (k < 1 || k > 24) return NaN;
    hour = k === 24 ? 0 : k;
  }
  if (mask & bit(F_HOUR_OF_HALFDAY)) {
    const kk = v[F_HOUR_OF_HALFDAY]!;
    if (kk > 11) return NaN;
    hour = (hour >= 12 ? 12 : 0) + kk;
  }
  if (mask & bit(F_CLOCKHOUR_OF_HALFDAY)) {
    const h = v[F_CLOCKHOUR_OF_HALFDAY]!;
    if (h < 1 || h > 12) return NaN;
    hour = (hour >= 12 ? 12 : 0) + (h === 12 ? 0 : h);
  }
  let ms = hour * MS_PER_HOUR;
  if (mask & bit(F_MINUTE)) {
    const m = v[F_MINUTE]!;
    if (m > 59) return NaN;
    ms += m * MS_PER_MINUTE;
  }
  if (mask & bit(F_SECOND)) {
    const s = v[F_SECOND]!;
    if (s > 59) return NaN;
    ms += s * MS_PER_SECOND;
  }
  if (mask & bit(F_MILLIS)) ms += v[F_MILLIS]!;
  return ms;
}

/** Logstash's year for a date without one: see the header comment. */
export function guessYear(eventMonth: number, nowYear: number, nowMonth: number): number {
  if (eventMonth === 12 && nowMonth === 1) return nowYear - 1;
  if (eventMonth === 1 && nowMonth === 12) return nowYear + 1;
  return nowYear;
}

/** Replace the year of a local time, keeping month/day/time (Feb 29 → Feb 28 in a non-leap year). */
function withYear(local: number, year: number): number {
  const days = Math.floor(local / MS_PER_DAY);
  const timeOfDay = local - days * MS_PER_DAY;
  civilFromDays(days, scratchYmd);
  const m = scratchYmd[1]!;
  let d = scratchYmd[2]!;
  const dim = daysInMonth(year, m);
  if (d > dim) d = dim;
  return daysFromCivil(year, m, d) * MS_PER_DAY + timeOfDay;
}

function localMonth(local: number): number {
  civilFromDays(Math.floor(local / MS_PER_DAY), scratchYmd);
  return scratchYmd[1]!;
}

/** Current year and month on the platform clock (Logstash reads `new DateTime()` in the JVM's zone). */
function clockReader(now: (() => Date) | undefined): () => number {
  if (now !== undefined) {
    return () => {
      const d = now();
      return d.getFullYear() * 100 + d.getMonth() + 1;
    };
  }
  let validUntil = 0;
  let cached = 0;
  return () => {
    const t = Date.now();
    if (t >= validUntil) {
      const d = new Date(t);
      cached = d.getFullYear() * 100 + d.getMonth() + 1;
      validUntil = t + MS_PER_SECOND;
    }
    return cached;
  };
}

/** Utc ms of local time in the zone that applies (offset > zone text > override > compiled), or undefined. */
function toUtc(local: number, st: ParseState, zone: Zone): number | undefined {
  if (local !== local) return undefined;
  let utc: number;
  if (st.hasOffset) utc = local - st.offset;
  else utc = (st.zone ?? zone).localToUtc(local);
  if (!(utc >= -MAX_EPOCH_MS && utc <= MAX_EPOCH_MS)) return undefined;
  return utc;
}

/**
 * Compile a Joda pattern into a parser with Logstash's date-filter semantics (whole-string match,
 * year-less rule, zones). Throws JodaPatternError for an illegal pattern, zone or locale.
 */
export function compileJodaParser(pattern: string, opts: JodaParserOptions = {}): DateParser {
  const zone = opts.timezone === undefined ? defaultZone() : resolveZone(opts.timezone);
  if (zone === undefined) throw new JodaPatternError(`unknown time zone ${JSON.stringify(opts.timezone)}`);
  const names = localeNames(normaliseLocale(opts.locale));
  const { steps, hasYear } = compilePattern(pattern, names);
  const clock = clockReader(opts.now);
  const compileYear = Math.floor(clock() / 100);
  // Joda's pivot for two-digit years, fixed when the pattern is compiled (as DateTimeFormat.forPattern does).
  const pivot = compileYear - 30;
  const st = new ParseState();
  if (hasYear) {
    return (text: string, zoneOverride?: Zone) => {
      st.reset();
      if (!matchSteps(steps, text, st, pivot)) return undefined;
      return toUtc(resolveLocal(st, compileYear), st, zoneOverride ?? zone);
    };
  }
  // The usual year-less pattern (syslog) has just month, day and time: no need to build the date twice.
  const simple = steps.every((s) => s.kind !== K_NUMBER && s.kind !== K_TEXT ? true : s.field === F_MONTH || s.field === F_DOM || s.field >= F_HOUR);
  const v = st.values;
  return (text: string, zoneOverride?: Zone) => {
    st.reset();
    if (!matchSteps(steps, text, st, pivot)) return undefined;
    const now = clock();
    const nowYear = (now / 100) | 0;
    const nowMonth = now - nowYear * 100;
    if (simple && (st.mask & MONTH_AND_DAY) === MONTH_AND_DAY) {
      const m = v[F_MONTH]!;
      const d = v[F_DOM]!;
      // Joda validates the day in the default year (the year the pattern was compiled), then moves it.
      if (m < 1 || m > 12 || d < 1 || d > daysInMonth(compileYear, m)) return undefined;
      const timeOfDay = resolveTimeOfDay(st);
      if (timeOfDay !== timeOfDay) return undefined;
      const year = guessYear(m, nowYear, nowMonth);
      const dim = daysInMonth(year, m);
      return toUtc(daysFromCivil(year, m, d > dim ? dim : d) * MS_PER_DAY + timeOfDay, st, zoneOverride ?? zone);
    }
    let local = resolveLocal(st, compileYear);
    if (local !== local) return undefined;
    local = withYear(local, guessYear(localMonth(local), nowYear, nowMonth));
    return toUtc(local, st, zoneOverride ?? zone);
  };
}

// ---------------------------------------------------------------------------------------------
// ISO8601 (Logstash's `ISO8601` format)

/** Scratch results of the ISO scanner. */
const iso = {
  pos: 0,
  value: 0,
  year: 0,
  month: 1,
  day: 1,
  week: 0,
  dow: 0,
  doy: 0,
  kind: 0, // 0 calendar, 1 week date, 2 ordinal
  offset: 0,
};

/** Up to `max` digits at pos (optionally signed); end position or -1; value in iso.value. */
function isoDigits(text: string, pos: number, max: number, signed: boolean): number {
  const n = text.length;
  let p = pos;
  let negative = false;
  if (signed && p < n) {
    const c = text.charCodeAt(p);
    if ((c === 45 || c === 43) && p + 1 < n && isDigit(text.charCodeAt(p + 1))) {
      negative = c === 45;
      p++;
    }
  }
  const start = p;
  const end = Math.min(n, start + max);
  let v = 0;
  while (p < end) {
    const d = text.charCodeAt(p) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    p++;
  }
  if (p === start) return -1;
  iso.value = negative ? -v : v;
  return p;
}

/** Fraction digits (1..9) at pos as a share of `unitMs`, truncated to ms; end or -1. */
function isoFraction(text: string, pos: number, unitMs: number): number {
  const n = text.length;
  let p = pos;
  let num = 0;
  let den = 1;
  while (p < n && p - pos < 9) {
    const d = text.charCodeAt(p) - 48;
    if (d < 0 || d > 9) break;
    num = num * 10 + d;
    den *= 10;
    p++;
  }
  if (p === pos) return -1;
  iso.value = Math.floor((num * unitMs) / den);
  return p;
}

/** The date element: calendar, week or ordinal date, the longest match winning (Joda's MatchingParser). */
function isoDate(text: string, pos: number): number {
  const n = text.length;
  const yEnd = isoDigits(text, pos, 9, true);
  if (yEnd < 0) return -1;
  const year = iso.value;
  // calendar: yyyy[-MM[-dd]]
  let calEnd = yEnd;
  let month = 1;
  let day = 1;
  if (calEnd < n && text.charCodeAt(calEnd) === 45) {
    const mEnd = isoDigits(text, calEnd + 1, 2, false);
    if (mEnd > 0) {
      month = iso.value;
      calEnd = mEnd;
      if (calEnd < n && text.charCodeAt(calEnd) === 45) {
        const dEnd = isoDigits(text, calEnd + 1, 2, false);
        if (dEnd > 0) {
          day = iso.value;
          calEnd = dEnd;
        }
      }
    }
  }
  // week: xxxx-Www[-e]
  let weekEnd = -1;
  let week = 0;
  let dow = 1;
  if (yEnd + 1 < n && text.charCodeAt(yEnd) === 45 && (text.charCodeAt(yEnd + 1) | 0x20) === 119) {
    const wEnd = isoDigits(text, yEnd + 2, 2, false);
    if (wEnd > 0) {
      week = iso.value;
      weekEnd = wEnd;
      if (weekEnd < n && text.charCodeAt(weekEnd) === 45) {
        const eEnd = isoDigits(text, weekEnd + 1, 1, false);
        if (eEnd > 0) {
          dow = iso.value;
          weekEnd = eEnd;
        }
      }
    }
  }
  // ordinal: yyyy-DDD
  let ordEnd = -1;
  let doy = 0;
  if (yEnd < n && text.charCodeAt(yEnd) === 45) {
    const oEnd = isoDigits(text, yEnd + 1, 3, false);
    if (oEnd > 0) {
      doy = iso.value;
      ordEnd = oEnd;
    }
  }
  iso.year = year;
  if (calEnd >= weekEnd && calEnd >= ordEnd) {
    iso.kind = 0;
    iso.month = month;
    iso.day = day;
    return calEnd;
  }
  if (weekEnd >= ordEnd) {
    iso.kind = 1;
    iso.week = week;
    iso.dow = dow;
    return weekEnd;
  }
  iso.kind = 2;
  iso.doy = doy;
  return ordEnd;
}

/** hh[:mm[:ss[.f]] | .f] | [.f] at pos; end or -1; ms of day in iso.value. */
function isoTime(text: string, pos: number): number {
  const n = text.length;
  let p = isoDigits(text, pos, 2, false);
  if (p < 0) return -1;
  const hour = iso.value;
  if (hour > 23) return -1;
  let ms = hour * MS_PER_HOUR;
  const c = p < n ? text.charCodeAt(p) : 0;
  if (c === 58) {
    const mEnd = isoDigits(text, p + 1, 2, false);
    if (mEnd > 0) {
      if (iso.value > 59) return -1;
      ms += iso.value * MS_PER_MINUTE;
      p = mEnd;
      const c2 = p < n ? text.charCodeAt(p) : 0;
      if (c2 === 58) {
        const sEnd = isoDigits(text, p + 1, 2, false);
        if (sEnd > 0) {
          if (iso.value > 59) return -1;
          ms += iso.value * MS_PER_SECOND;
          p = sEnd;
          const c3 = p < n ? text.charCodeAt(p) : 0;
          if (c3 === 46 || c3 === 44) {
            const fEnd = isoFraction(text, p + 1, MS_PER_SECOND);
            if (fEnd > 0) {
              ms += iso.value;
              p = fEnd;
            }
          }
        }
      } else if (c2 === 46 || c2 === 44) {
        const fEnd = isoFraction(text, p + 1, MS_PER_MINUTE);
        if (fEnd > 0) {
          ms += iso.value;
          p = fEnd;
        }
      }
    }
  } else if (c === 46 || c === 44) {
    const fEnd = isoFraction(text, p + 1, MS_PER_HOUR);
    if (fEnd > 0) {
      ms += iso.value;
      p = fEnd;
    }
  }
  iso.value = ms;
  return p;
}

/** Local ms of the date element in `iso`, or NaN when invalid. */
function isoDateDays(): number {
  const y = iso.year;
  if (!(y > -MAX_YEAR && y < MAX_YEAR)) return NaN;
  if (iso.kind === 0) {
    if (iso.month < 1 || iso.month > 12 || iso.day < 1 || iso.day > daysInMonth(y, iso.month)) return NaN;
    return daysFromCivil(y, iso.month, iso.day);
  }
  if (iso.kind === 1) {
    if (iso.week < 1 || iso.week > isoWeeksInYear(y) || iso.dow < 1 || iso.dow > 7) return NaN;
    return isoWeek1Monday(y) + (iso.week - 1) * 7 + iso.dow - 1;
  }
  if (iso.doy < 1 || iso.doy > (isLeapYear(y) ? 366 : 365)) return NaN;
  return daysFromCivil(y, 1, 1) + iso.doy - 1;
}

/**
 * Parse an ISO8601 date-time as Logstash's `ISO8601` does: Joda's ISODateTimeFormat.dateTimeParser
 * (calendar, week or ordinal dates; `T` then optional time hh[:mm[:ss]] with a `.`/`,` fraction of up
 * to 9 digits; optional `Z`/±hh[:mm] offset) plus its fallbacks with a space instead of the `T`
 * (`2026-11-01 00:00:00,123`, fraction optional). Text without an offset is in `zone`.
 */
export function parseIso8601(text: string, zone: Zone): number | undefined {
  const n = text.length;
  if (n === 0) return undefined;
  let p: number;
  let days: number;
  let timeMs = 0;
  let hasOffset = false;
  // Joda only takes an offset after the `T` (or after a time following a space).
  let offsetAllowed = true;
  const c0 = text.charCodeAt(0);
  if (c0 === 84 || c0 === 116) {
    // Time only: T hh…[offset], on 1970-01-01.
    p = isoTime(text, 1);
    if (p < 0) return undefined;
    timeMs = iso.value;
    days = 0;
  } else {
    p = isoDate(text, 0);
    if (p < 0) return undefined;
    days = isoDateDays();
    if (days !== days) return undefined;
    offsetAllowed = false;
    if (p < n) {
      const sep = text.charCodeAt(p);
      if (sep === 84 || sep === 116) {
        p++;
        offsetAllowed = true;
        if (p < n && isDigit(text.charCodeAt(p))) {
          p = isoTime(text, p);
          if (p < 0) return undefined;
          timeMs = iso.value;
        }
      } else if (sep === 32) {
        p = isoTime(text, p + 1);
        if (p < 0) return undefined;
        timeMs = iso.value;
        offsetAllowed = true;
      }
    }
  }
  if (p < n && offsetAllowed) {
    p = parseOffset(text, p, iso);
    if (p < 0) return undefined;
    hasOffset = true;
  }
  if (p !== n) return undefined;
  const local = days * MS_PER_DAY + timeMs;
  const utc = hasOffset ? local - iso.offset : zone.localToUtc(local);
  if (!(utc >= -MAX_EPOCH_MS && utc <= MAX_EPOCH_MS)) return undefined;
  return utc;
}

/** `ISO8601` as a DateParser bound to a zone (default: the platform zone). */
export function compileIso8601Parser(opts: { timezone?: string } = {}): DateParser {
  const zone = opts.timezone === undefined ? defaultZone() : resolveZone(opts.timezone);
  if (zone === undefined) throw new JodaPatternError(`unknown time zone ${JSON.stringify(opts.timezone)}`);
  return (text: string, zoneOverride?: Zone) => parseIso8601(text, zoneOverride ?? zone);
}

export { UTC };
