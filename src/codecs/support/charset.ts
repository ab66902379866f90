// Decoding input bytes in the codec's `charset`, as Logstash's codecs do (they convert to UTF-8 and replace
// what cannot be converted with U+FFFD). Line framing is on the byte 0x0A, so only charsets in which that
// byte always means a newline are accepted (every ASCII-compatible one; not UTF-16/32).

/** Decode bytes [start, end) of a buffer into text. */
export type TextDecodeFn = (buf: Buffer, start: number, end: number) => string;

const utf8: TextDecodeFn = (buf, start, end) => buf.toString('utf8', start, end);
// Ruby's ISO-8859-1 maps every byte to the code point of the same value (WHATWG's "latin1" label is
// windows-1252, which differs in 0x80-0x9F), which is exactly Node's 'latin1'.
const latin1: TextDecodeFn = (buf, start, end) => buf.toString('latin1', start, end);
const HIGH_BYTES = /[\x80-\xff]/g;
const usAscii: TextDecodeFn = (buf, start, end) => buf.toString('latin1', start, end).replace(HIGH_BYTES, '\ufffd');

// Windows-1252 differs from ISO-8859-1 only in 0x80-0x9F. Node 20's TextDecoder decodes the "windows-1252"
// label as ISO-8859-1 (a known Node bug), so those 32 code points are mapped here.
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1 = /[\x80-\x9f]/g;
const HAS_C1 = /[\x80-\x9f]/;
const cp1252: TextDecodeFn = (buf, start, end) => {
  const text = buf.toString('latin1', start, end);
  return HAS_C1.test(text) ? text.replace(C1, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!) : text;
};

const BUILT_IN: Record<string, TextDecodeFn> = {
  'windows-1252': cp1252,
  cp1252: cp1252,
  'utf-8': utf8,
  utf8: utf8,
  'iso-8859-1': latin1,
  'iso8859-1': latin1,
  latin1: latin1,
  'ascii-8bit': latin1,
  binary: latin1,
  'us-ascii': usAscii,
  ascii: usAscii,
};

const cache = new Map<string, TextDecodeFn>();

export class CharsetError extends Error {}

/** The decoder for a charset name (Ruby/Java spellings and WHATWG labels); throws for unknown ones. */
export function charsetDecoder(charset: string | undefined): TextDecodeFn {
  if (charset === undefined) return utf8;
  const key = charset.trim().toLowerCase();
  const known = BUILT_IN[key] ?? cache.get(key);
  if (known) return known;
  if (/^(utf-?16|utf-?32|ucs-?2|ucs-?4)/.test(key)) {
    throw new CharsetError(`charset ${JSON.stringify(charset)} is not supported: input is framed on newline bytes, which ${charset} does not use`);
  }
  let decoder: TextDecoder;
  try {
    // Java/Ruby spell Windows code pages "CP1252"; WHATWG knows "windows-1252".
    decoder = new TextDecoder(/^cp\d{3,4}$/.test(key) ? `windows-${key.slice(2)}` : key);
  } catch {
    throw new CharsetError(`unknown charset ${JSON.stringify(charset)} (examples: UTF-8, ISO-8859-1, Windows-1252, ISO-8859-15, Shift_JIS, GB18030)`);
  }
  const fn: TextDecodeFn = (buf, start, end) => decoder.decode(buf.subarray(start, end));
  cache.set(key, fn);
  return fn;
}
