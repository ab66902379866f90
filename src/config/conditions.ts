// Compiles a parsed condition into a closure over the event, with the semantics of Logstash's Java
// execution engine (org.logstash.config.ir.compiler.EventCondition):
//  - a missing field is nil; `==` compares by value as Ruby does: 1 == 1.0, but 1 != "1";
//    arrays and hashes compare deeply, and two missing fields are equal;
//  - `<` `>` `<=` `>=` compare two numbers, two strings or two timestamps; any other pair (or a
//    missing side) is false (Logstash raises an evaluation error for those pairs);
//  - `=~` needs a string on the left (anything else does not match); `!~` is its negation;
//  - `in` is membership when the right side is a list literal or an array field, and substring
//    search when it is a string;
//  - a bare operand is true when it exists and is not false, "" or "false" (Logstash tests the
//    value's string form, so the string "false" is false too).
// Everything is decided at compile time: evaluation reads the fields and compares, with no allocation
// in the usual cases (field against a constant).

import type { Expr, Rvalue, Loc } from './ast.js';
import type { Event } from '../core/event.js';
import { parseFieldRef, type FieldPath } from '../core/fieldref.js';
import { ConfigSyntaxError } from './parser.js';

export type Condition = (event: Event) => boolean;

type Operand = { kind: 'field'; path: FieldPath; loc: Loc } | { kind: 'const'; value: unknown; loc: Loc };

const TRUE: Condition = () => true;
const FALSE: Condition = () => false;
const constant = (b: boolean): Condition => (b ? TRUE : FALSE);

/** Compile once; the returned function is called per event. Throws ConfigSyntaxError for bad regexes. */
export function compileCondition(expr: Expr): Condition {
  switch (expr.type) {
    case 'bool': {
      const l = compileCondition(expr.left);
      const r = compileCondition(expr.right);
      switch (expr.op) {
        case 'and':
          return (e) => l(e) && r(e);
        case 'or':
          return (e) => l(e) || r(e);
        case 'xor':
          return (e) => l(e) !== r(e);
        case 'nand':
          return (e) => !(l(e) && r(e));
      }
      break;
    }
    case 'not': {
      const inner = compileCondition(expr.expr);
      if (inner === TRUE) return FALSE;
      if (inner === FALSE) return TRUE;
      return (e) => !inner(e);
    }
    case 'truthy': {
      const o = operand(expr.value);
      if (o.kind === 'const') return constant(isTruthy(o.value));
      const p = o.path;
      return (e) => isTruthy(e.getPath(p));
    }
    case 'compare':
      return compileCompare(expr.op, operand(expr.left), operand(expr.right));
    case 'match': {
      const m = compileMatch(operand(expr.left), expr.right);
      return expr.op === '=~' ? m : negate(m);
    }
    case 'in': {
      const c = compileIn(operand(expr.left), operand(expr.right));
      return expr.negate ? negate(c) : c;
    }
  }
  throw new Error(`unknown condition node ${(expr as { type: string }).type}`);
}

function negate(c: Condition): Condition {
  if (c === TRUE) return FALSE;
  if (c === FALSE) return TRUE;
  return (e) => !c(e);
}

function operand(rv: Rvalue): Operand {
  switch (rv.type) {
    case 'field':
      try {
        return { kind: 'field', path: parseFieldRef(rv.ref), loc: rv.loc };
      } catch (err) {
        throw new ConfigSyntaxError(rv.loc, `invalid field reference ${rv.ref}: ${(err as Error).message}`);
      }
    case 'string':
    case 'number':
      return { kind: 'const', value: rv.value, loc: rv.loc };
    case 'list':
      return { kind: 'const', value: rv.items.map((i) => constValue(i)), loc: rv.loc };
    case 'regex':
      throw new ConfigSyntaxError(rv.loc, 'a regular expression can only follow "=~" or "!~"');
  }
}

function constValue(rv: Rvalue): unknown {
  const o = operand(rv);
  if (o.kind !== 'const') throw new ConfigSyntaxError(rv.loc, 'a list may contain only strings and numbers');
  return o.value;
}

/** Logstash's truthiness: nil, false, "" and "false" are false; everything else (0, [], {}) is true. */
export function isTruthy(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== '' && v !== 'false';
}

/** Ruby `==` on event values. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null) return b === undefined || b === null;
  if (typeof a !== 'object' || typeof b !== 'object' || b === null) return false;
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || b instanceof Date) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let n = 0;
  // Undefined values are removed fields: not part of the hash.
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    if (bo[k] === undefined || !Object.prototype.hasOwnProperty.call(bo, k) || !valuesEqual(ao[k], bo[k])) return false;
    n++;
  }
  for (const k in bo) if (bo[k] !== undefined) n--;
  return n === 0;
}

/** Ordering of two values of the same kind (number, string, timestamp); NaN when not comparable. */
function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  // Ruby compares strings byte-wise (UTF-8); UTF-16 code-unit order agrees except between astral
  // characters and U+E000–U+FFFF.
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  return NaN;
}

const FLIP: Record<string, '<' | '>' | '<=' | '>='> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

function compileCompare(op: '==' | '!=' | '<' | '>' | '<=' | '>=', left: Operand, right: Operand): Condition {
  if (op === '!=') return negate(compileCompare('==', left, right));
  if (left.kind === 'const' && right.kind === 'const') {
    return constant(op === '==' ? valuesEqual(left.value, right.value) : testOrder(op, compareValues(left.value, right.value)));
  }
  if (left.kind === 'const' && right.kind === 'field') return compileCompare(op === '==' ? op : FLIP[op]!, right, left);
  const p = (left as Extract<Operand, { kind: 'field' }>).path;
  if (right.kind === 'const') {
    const c = right.value;
    if (op === '==') {
      if (typeof c === 'string' || typeof c === 'number') return (e) => e.getPath(p) === c;
      return (e) => valuesEqual(e.getPath(p), c);
    }
    if (typeof c === 'number') {
      switch (op) {
        case '<':
          return (e) => {
            const v = e.getPath(p);
            return typeof v === 'number' && v < c;
          };
        case '>':
          return (e) => {
            const v = e.getPath(p);
            return typeof v === 'number' && v > c;
          };
        case '<=':
          return (e) => {
            const v = e.getPath(p);
            return typeof v === 'number' && v <= c;
          };
        case '>=':
          return (e) => {
            const v = e.getPath(p);
            return typeof v === 'number' && v >= c;
          };
      }
    }
    return (e) => testOrder(op, compareValues(e.getPath(p), c));
  }
  const q = right.path;
  if (op === '==') return (e) => valuesEqual(e.getPath(p), e.getPath(q));
  return (e) => testOrder(op, compareValues(e.getPath(p), e.getPath(q)));
}

function testOrder(op: '<' | '>' | '<=' | '>=', c: number): boolean {
  // NaN (not comparable) fails every test.
  switch (op) {
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    case '>=':
      return c >= 0;
  }
}

function compileMatch(left: Operand, pattern: Rvalue): Condition {
  const source = pattern.type === 'regex' ? pattern.source : pattern.type === 'string' ? pattern.value : undefined;
  if (source === undefined) throw new ConfigSyntaxError(pattern.loc, 'expected a regular expression or a string after "=~" / "!~"');
  let re: RegExp;
  try {
    re = compileRubyRegex(source);
  } catch (err) {
    throw new ConfigSyntaxError(pattern.loc, `invalid regular expression /${source}/: ${(err as Error).message}`);
  }
  if (left.kind === 'const') return constant(typeof left.value === 'string' && re.test(left.value));
  const p = left.path;
  return (e) => {
    const v = e.getPath(p);
    return typeof v === 'string' && re.test(v);
  };
}

function compileIn(left: Operand, right: Operand): Condition {
  if (right.kind === 'const') {
    const r = right.value;
    if (Array.isArray(r)) {
      // EventCondition.FieldInConstantList: an item matches when the string forms are equal.
      const items = new Set(r.map((x) => String(x)));
      if (left.kind === 'const') return constant(isScalar(left.value) && items.has(String(left.value)));
      const p = left.path;
      return (e) => {
        const v = e.getPath(p);
        if (typeof v === 'string') return items.has(v);
        return (typeof v === 'number' || typeof v === 'boolean') && items.has(String(v));
      };
    }
    // A string (or number, taken as its string form) on the right: substring search.
    const s = String(r);
    if (left.kind === 'const') return constant(typeof left.value === 'string' && s.includes(left.value));
    const p = left.path;
    return (e) => {
      const v = e.getPath(p);
      return typeof v === 'string' && s.includes(v);
    };
  }
  const q = right.path;
  if (left.kind === 'const') {
    const c = left.value;
    if (typeof c === 'string') {
      // EventCondition.ConstantStringInField: substring of a string field, or element of an array field.
      return (e) => {
        const v = e.getPath(q);
        if (typeof v === 'string') return v.includes(c);
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (v[i] === c) return true;
        return false;
      };
    }
    if (typeof c === 'number') {
      return (e) => {
        const v = e.getPath(q);
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (v[i] === c) return true;
        return false;
      };
    }
    throw new ConfigSyntaxError(left.loc, 'a list cannot be looked up "in" a field; put the field on the left: [field] in ["a", "b"]');
  }
  const p = left.path;
  // EventCondition.FieldInField.
  return (e) => {
    const l = e.getPath(p);
    if (l === undefined || l === null || typeof l === 'object') return false;
    const r = e.getPath(q);
    if (typeof l === 'string' && typeof r === 'string') return r.includes(l);
    if (Array.isArray(r)) {
      for (let i = 0; i < r.length; i++) if (valuesEqual(l, r[i])) return true;
      return false;
    }
    return l === r;
  };
}

function isScalar(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/**
 * Compile a Ruby (Onigmo) regular expression as a JS RegExp, translating what commonly differs:
 * a leading `(?i)` / `(?m)` / `(?im)` becomes the `i` / `s` flag (Ruby's `m` is JS's dotAll);
 * `\A`, `\z`, `\Z` become lookarounds for the start, end, and end-before-final-newline of the string;
 * `\h` / `\H` become hex-digit classes. `^` and `$` are line anchors in Ruby, hence the `m` flag.
 */
export function compileRubyRegex(source: string): RegExp {
  let flags = 'm';
  let src = source;
  const opts = /^\(\?([imx]+)\)/.exec(src);
  if (opts) {
    for (const f of opts[1]!) {
      if (f === 'i' && !flags.includes('i')) flags += 'i';
      else if (f === 'm' && !flags.includes('s')) flags += 's';
      else if (f === 'x') throw new Error('the extended (?x) option is not supported');
    }
    src = src.slice(opts[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length) {
      const n = src[++i]!;
      if (inClass) out += n === 'h' ? '0-9a-fA-F' : c + n;
      else if (n === 'A') out += '(?<![\\s\\S])';
      else if (n === 'z') out += '(?![\\s\\S])';
      else if (n === 'Z') out += '(?=\\n?(?![\\s\\S]))';
      else if (n === 'h') out += '[0-9a-fA-F]';
      else if (n === 'H') out += '[^0-9a-fA-F]';
      else out += c + n;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return new RegExp(out, flags);
}
