// Translate an Oniguruma regular expression, as Logstash's grok compiles it (Ruby syntax on JRuby's Joni,
// with Regexp::MULTILINE, i.e. `.` matches a newline), into JavaScript RegExps that match the same strings
// and capture the same groups.
//
// The pattern is parsed into a small syntax tree, then written out as JavaScript. Differences handled:
//  - Ruby's `^`/`$` are line anchors, `\A` `\z` `\Z` `\G` buffer anchors; JavaScript is used without the `m` flag.
//  - `\s` `\d` `\w` `\h` are ASCII-only; `\b`, POSIX brackets and `\p{…}` are Unicode-aware (Oniguruma's word =
//    Alphabetic | Mark | Decimal_Number | Connector_Punctuation).
//  - Atomic groups and possessive quantifiers: dropped when the analysis proves no backtracking into them can
//    succeed, rewritten with a maximality lookahead (`C+(?!C)`) when their content allows it, otherwise emulated
//    with `(?=(X))\N`.
//  - Scoped options `(?i:…)`, `(?m:…)`, `(?x)` and isolated `(?i)` (which extends to the end of the group,
//    alternatives included): case-insensitivity is written into the character sets, since JavaScript in Node 20
//    has no modifier groups.
//  - Named groups may have any name (`[a][b]`, `foo.bar`, `@x`, duplicates): every group becomes a plain numbered
//    JavaScript group and the caller gets the list of names with their indices. Unnamed groups capture only when
//    the pattern has no named group (Ruby's rule), and then only if a backreference needs them.
//
// Because some of Ruby's semantics are costly to express in JavaScript but only matter for some inputs, up to
// four variants are produced lazily: for inputs with/without a '\n' (line anchors) and with/without non-ASCII
// characters (Unicode word boundaries and classes, which need the `u` flag). The variant for inputs with both is
// always correct; the others are exact for the inputs they are chosen for.

import * as cs from './charset.js';
import type { Ranges, SetMode } from './charset.js';

export class OnigError extends Error {
  constructor(message: string, readonly pattern?: string, readonly position?: number) {
    super(message);
  }
}

type AnchorKind = 'bol' | 'eol' | 'bos' | 'eos' | 'eosnl' | 'wordb' | 'nwordb';

type Node =
  | { t: 'set'; set: Ranges }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'group'; body: Node; cap: number } // cap: index into the parser's group list, -1 = non-capturing
  | { t: 'atomic'; body: Node }
  | { t: 'look'; behind: boolean; neg: boolean; body: Node }
  | { t: 'quant'; body: Node; min: number; max: number; lazy: boolean; src?: string; recover?: boolean }
  | { t: 'anchor'; kind: AnchorKind }
  | { t: 'backref'; cap: number }
  | { t: 'empty' };

interface Flags {
  i: boolean;
  m: boolean; // Ruby's m: dot matches newline
  x: boolean;
}

interface GroupDef {
  name: string | null;
  node: Node & { t: 'group' };
  /** Under an optional construct (alternation, `?`, `*`, `{0,n}`), so it may not participate in a match. */
  optional: boolean;
  /** A backreference uses it. */
  referenced?: boolean;
}

const EMPTY_NODE: Node = { t: 'empty' };
const INF = Number.POSITIVE_INFINITY;

// ------------------------------------------------------------------------------------------------
// Parser (Ruby syntax as in Oniguruma/Joni)
// ------------------------------------------------------------------------------------------------

class Parser {
  private pos = 0;
  readonly groups: GroupDef[] = [];
  private readonly backrefs: Array<{ node: Node & { t: 'backref' }; ref: string | number; byName: boolean; at: number; ci: boolean }> = [];

  constructor(private readonly src: string) {}

  fail(msg: string, at = this.pos): never {
    throw new OnigError(`${msg} at offset ${at} in /${this.src.length > 200 ? this.src.slice(0, 200) + '…' : this.src}/`, this.src, at);
  }

  parse(flags: Flags): Node {
    const node = this.parseAlt(flags);
    if (this.pos < this.src.length) this.fail("unmatched close parenthesis ')'");
    this.resolve();
    return node;
  }

  private peek(off = 0): string {
    return this.src[this.pos + off] ?? '';
  }
  private eof(): boolean {
    return this.pos >= this.src.length;
  }
  private nextCodePoint(): number {
    const cp = this.src.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private skipExtended(flags: Flags): void {
    if (!flags.x) return;
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') this.pos++;
      else if (c === '#') {
        while (!this.eof() && this.peek() !== '\n') this.pos++;
      } else return;
    }
  }

  private parseAlt(flags: Flags): Node {
    const alts: Node[] = [];
    const firstGroup = this.groups.length;
    for (;;) {
      const { node, absorbed } = this.parseSeq(flags);
      alts.push(node);
      if (absorbed || this.peek() !== '|') break;
      this.pos++;
    }
    if (alts.length === 1) return alts[0]!;
    // A group in one branch of an alternation may not participate in the match.
    for (let g = firstGroup; g < this.groups.length; g++) this.groups[g]!.optional = true;
    return { t: 'alt', alts };
  }

  private parseSeq(flags: Flags): { node: Node; absorbed: boolean } {
    const items: Node[] = [];
    let absorbed = false;
    for (;;) {
      this.skipExtended(flags);
      if (this.eof()) break;
      const c = this.peek();
      if (c === '|' || c === ')') break;
      const atomStart = this.pos;
      const atom = this.parseAtom(flags);
      if (atom === null) continue; // comment
      if ('isolated' in atom) {
        // `(?i)` applies to the rest of the enclosing group, alternatives included (Oniguruma: /a(?i)b|c/ == /a(?i:b|c)/).
        items.push(this.parseAlt(atom.isolated));
        absorbed = true;
        break;
      }
      let node: Node = atom;
      for (;;) {
        this.skipExtended(flags);
        const q = this.parseQuantifier();
        if (!q) break;
        if (node.t === 'anchor' || node.t === 'look') this.fail('target of repeat operator is invalid', atomStart);
        if (q.min === 0 || q.max === 0) this.markOptional(atomStart);
        const src = this.src.slice(atomStart, this.pos);
        let quant: Node = { t: 'quant', body: node, min: q.min, max: q.max, lazy: q.lazy, src };
        if (q.possessive) quant = { t: 'atomic', body: { t: 'quant', body: node, min: q.min, max: q.max, lazy: false, src } };
        node = quant;
      }
      items.push(node);
    }
    if (items.length === 0) return { node: EMPTY_NODE, absorbed };
    return { node: items.length === 1 ? items[0]! : { t: 'seq', items }, absorbed };
  }

  /** Groups opened since `from` (source offset) become optional. */
  private markOptional(from: number): void {
    for (const g of this.groups) if ((g as GroupDef & { at?: number }).at !== undefined && (g as GroupDef & { at: number }).at >= from) g.optional = true;
  }

  /** Quantifier at the current position, consumed; null when there is none. */
  private parseQuantifier(): { min: number; max: number; lazy: boolean; possessive: boolean } | null {
    const c = this.peek();
    let min: number, max: number;
    let interval = false;
    let fixed = false;
    if (c === '*') (min = 0), (max = INF), this.pos++;
    else if (c === '+') (min = 1), (max = INF), this.pos++;
    else if (c === '?') (min = 0), (max = 1), this.pos++;
    else if (c === '{') {
      const iv = this.readInterval();
      if (!iv) return null;
      ({ min, max } = iv);
      interval = true;
      fixed = iv.fixed;
    } else return null;
    // Ruby: `{n}` is greedy only (a following `?` or `+` is another quantifier); `{n,m}?` is lazy; `{n,m}+` is not possessive.
    if (fixed) return { min, max, lazy: false, possessive: false };
    if (this.peek() === '?') {
      this.pos++;
      return { min, max, lazy: true, possessive: false };
    }
    if (!interval && this.peek() === '+') {
      this.pos++;
      return { min, max, lazy: false, possessive: true };
    }
    return { min, max, lazy: false, possessive: false };
  }

  /** `{n}`, `{n,}`, `{,m}`, `{n,m}`; anything else is a literal `{` (Ruby allows invalid intervals). */
  private readInterval(): { min: number; max: number; fixed: boolean } | null {
    const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(this.src.slice(this.pos, this.pos + 24));
    if (!m) return null;
    const lo = m[1]!, comma = m[2], hi = m[3] ?? '';
    if (lo === '' && (!comma || hi === '')) return null;
    const min = lo === '' ? 0 : Number(lo);
    const max = comma ? (hi === '' ? INF : Number(hi)) : min;
    if (min > 100000 || (max !== INF && max > 100000)) this.fail('too big number for repeat range');
    if (max < min) this.fail('upper bound must be greater than lower bound');
    this.pos += m[0].length;
    return { min, max, fixed: !comma };
  }

  /** One atom, or an isolated option change, or null for a comment. */
  private parseAtom(flags: Flags): Node | { isolated: Flags } | null {
    const start = this.pos;
    const c = this.peek();
    switch (c) {
      case '(':
        return this.parseGroup(flags);
      case '[': {
        this.pos++;
        return { t: 'set', set: this.parseClass(flags) };
      }
      case '.':
        this.pos++;
        return { t: 'set', set: flags.m ? cs.ALL : cs.complement(cs.NEWLINE) };
      case '^':
        this.pos++;
        return { t: 'anchor', kind: 'bol' };
      case '$':
        this.pos++;
        return { t: 'anchor', kind: 'eol' };
      case '*':
      case '+':
      case '?':
        this.fail('target of repeat operator is not specified');
      // eslint-disable-next-line no-fallthrough
      case '{':
        if (this.readInterval()) this.fail('target of repeat operator is not specified', start);
        this.pos++;
        return this.literal(0x7b, flags);
      case '\\':
        return this.parseEscape(flags);
      default:
        return this.literal(this.nextCodePoint(), flags);
    }
  }

  private literal(cp: number, flags: Flags): Node {
    const set = cs.single(cp);
    return { t: 'set', set: flags.i ? cs.caseClosure(set) : set };
  }

  private parseGroup(flags: Flags): Node | { isolated: Flags } | null {
    const open = this.pos;
    this.pos++; // (
    if (this.peek() !== '?') return this.finishGroup(flags, null, open);
    this.pos++;
    const c = this.peek();
    if (c === '#') {
      // comment: up to the first unescaped ')'
      for (;;) {
        this.pos++;
        if (this.eof()) this.fail('end pattern in group', open);
        if (this.peek() === '\\') this.pos++;
        else if (this.peek() === ')') {
          this.pos++;
          return null;
        }
      }
    }
    if (c === ':') {
      this.pos++;
      const body = this.parseAlt(flags);
      this.expectClose(open);
      return { t: 'group', body, cap: -1 };
    }
    if (c === '>') {
      this.pos++;
      const body = this.parseAlt(flags);
      this.expectClose(open);
      return { t: 'atomic', body };
    }
    if (c === '=' || c === '!') {
      this.pos++;
      return this.finishLook(flags, false, c === '!', open);
    }
    if (c === '<' && (this.peek(1) === '=' || this.peek(1) === '!')) {
      const neg = this.peek(1) === '!';
      this.pos += 2;
      return this.finishLook(flags, true, neg, open);
    }
    if (c === '<' || c === "'") {
      const end = c === '<' ? '>' : "'";
      this.pos++;
      const nameStart = this.pos;
      while (!this.eof() && this.peek() !== end && this.peek() !== ')') this.pos++;
      if (this.peek() !== end) this.fail('invalid group name', nameStart);
      const name = this.src.slice(nameStart, this.pos);
      if (name === '') this.fail('group name is empty', nameStart);
      if (/^[0-9]/.test(name)) this.fail(`invalid group name <${name}>`, nameStart);
      this.pos++;
      return this.finishGroup(flags, name, open);
    }
    if (c === '~') this.fail('absent operator (?~…) is not supported', open);
    if (c === '(') this.fail('conditional groups (?(cond)…) are not supported', open);
    // options: (?imx-imx) or (?imx-imx:subexp)
    const nf: Flags = { ...flags };
    let on = true;
    let any = false;
    for (;;) {
      const o = this.peek();
      if (o === '-') {
        on = false;
        this.pos++;
      } else if (o === 'i' || o === 'm' || o === 'x') {
        nf[o] = on;
        any = true;
        this.pos++;
      } else if (o === ')') {
        this.pos++;
        if (!any && on) this.fail('undefined group option', open);
        return { isolated: nf };
      } else if (o === ':') {
        this.pos++;
        const body = this.parseAlt(nf);
        this.expectClose(open);
        return { t: 'group', body, cap: -1 };
      } else if (o === 'a' || o === 'u' || o === 'd' || o === 'l') {
        this.fail(`option '${o}' (character-set option) is not supported`, this.pos);
      } else if (o === '') {
        this.fail('end pattern in group', open);
      } else this.fail(`undefined group option '(?${this.src.slice(open + 2, this.pos + 1)}'`, open);
    }
  }

  private finishLook(flags: Flags, behind: boolean, neg: boolean, open: number): Node {
    const before = this.groups.length;
    const body = this.parseAlt(flags);
    this.expectClose(open);
    // Groups in a negative lookaround never keep a value; in a positive one they do.
    if (neg) for (let g = before; g < this.groups.length; g++) this.groups[g]!.optional = true;
    return { t: 'look', behind, neg, body };
  }

  private finishGroup(flags: Flags, name: string | null, open: number): Node {
    const node = { t: 'group' as const, body: EMPTY_NODE, cap: this.groups.length };
    const def: GroupDef & { at: number } = { name, node, optional: false, at: open };
    this.groups.push(def);
    node.body = this.parseAlt(flags);
    this.expectClose(open);
    return node;
  }

  private expectClose(open: number): void {
    if (this.peek() !== ')') this.fail('end pattern with unmatched parenthesis', open);
    this.pos++;
  }

  // ---- escapes outside classes ----

  private parseEscape(flags: Flags): Node {
    const start = this.pos;
    this.pos++; // backslash
    if (this.eof()) this.fail('end pattern at escape', start);
    const c = this.peek();
    const typed = this.typeEscape(c);
    if (typed) {
      this.pos++;
      return { t: 'set', set: typed };
    }
    switch (c) {
      case 'b':
        this.pos++;
        return { t: 'anchor', kind: 'wordb' };
      case 'B':
        this.pos++;
        return { t: 'anchor', kind: 'nwordb' };
      case 'A':
      case 'G': // \G is where the search started, 0 for Regexp#match
        this.pos++;
        return { t: 'anchor', kind: 'bos' };
      case 'z':
        this.pos++;
        return { t: 'anchor', kind: 'eos' };
      case 'Z':
        this.pos++;
        return { t: 'anchor', kind: 'eosnl' };
      case 'p':
      case 'P':
        if (this.peek(1) === '{') return { t: 'set', set: this.parseProperty() };
        this.pos++;
        return this.literal(c.charCodeAt(0), flags);
      case 'k':
        if (this.peek(1) === '<' || this.peek(1) === "'") return this.parseNamedBackref(flags, start);
        this.pos++;
        return this.literal(0x6b, flags);
      case 'g':
        if (this.peek(1) === '<' || this.peek(1) === "'") this.fail('subexpression calls \\g<…> are not supported', start);
        this.pos++;
        return this.literal(0x67, flags);
      case 'K':
      case 'R':
      case 'X':
      case 'N':
      case 'O':
      case 'y':
      case 'Y':
        this.fail(`escape \\${c} is not supported (its meaning differs between Oniguruma versions)`, start);
      // eslint-disable-next-line no-fallthrough
      case 'o':
        if (this.peek(1) === '{') this.fail('octal escape \\o{…} is not supported', start);
        break;
    }
    if (c >= '1' && c <= '9') {
      const m = /^\d+/.exec(this.src.slice(this.pos))![0];
      const num = Number(m);
      if (num <= 9 || num <= this.groups.length) {
        this.pos += m.length;
        const node = { t: 'backref' as const, cap: -1 };
        this.backrefs.push({ node, ref: num, byName: false, at: start, ci: flags.i });
        return node;
      }
      if (c === '8' || c === '9') {
        this.pos++;
        return this.literal(c.charCodeAt(0), flags);
      }
    }
    const cp = this.escapedCodePoint();
    return this.literal(cp, flags);
  }

  /** \w \W \d \D \s \S \h \H (ASCII-only in Ruby), else undefined. */
  private typeEscape(c: string): Ranges | undefined {
    switch (c) {
      case 'w':
        return cs.WORD;
      case 'W':
        return cs.complement(cs.WORD);
      case 'd':
        return cs.DIGIT;
      case 'D':
        return cs.complement(cs.DIGIT);
      case 's':
        return cs.SPACE;
      case 'S':
        return cs.complement(cs.SPACE);
      case 'h':
        return cs.HEX;
      case 'H':
        return cs.complement(cs.HEX);
    }
    return undefined;
  }

  private parseProperty(): Ranges {
    const start = this.pos;
    const neg0 = this.peek() === 'P';
    this.pos += 2; // p{
    const end = this.src.indexOf('}', this.pos);
    if (end < 0) this.fail('invalid character property name', start);
    let name = this.src.slice(this.pos, end);
    this.pos = end + 1;
    let neg = neg0;
    if (name.startsWith('^')) {
      neg = !neg;
      name = name.slice(1);
    }
    if (/^in_?/i.test(name) && !/^inherited$/i.test(name)) this.fail(`Unicode block property \\p{${name}} is not supported`, start);
    const r = cs.propertyRanges(name);
    if (!r) this.fail(`invalid character property name {${name}}`, start);
    return neg ? cs.complement(r) : r;
  }

  private parseNamedBackref(flags: Flags, start: number): Node {
    const open = this.peek(1);
    const close = open === '<' ? '>' : "'";
    this.pos += 2;
    const end = this.src.indexOf(close, this.pos);
    if (end < 0) this.fail('invalid backref name', start);
    const ref = this.src.slice(this.pos, end);
    this.pos = end + 1;
    if (ref === '') this.fail('group name is empty', start);
    if (/[+-]\d+$/.test(ref) && !/^-?\d+$/.test(ref)) this.fail('backreferences with a nest level \\k<name+n> are not supported', start);
    if (/^-\d+$/.test(ref)) this.fail('relative backreferences \\k<-n> are not supported', start);
    const node = { t: 'backref' as const, cap: -1 };
    if (/^\d+$/.test(ref)) this.backrefs.push({ node, ref: Number(ref), byName: false, at: start, ci: flags.i });
    else this.backrefs.push({ node, ref, byName: true, at: start, ci: flags.i });
    return node;
  }

  /**
   * The code point of an escape that stands for one character: control escapes, \x, \u, octal, \cX, \C-X,
   * or the escaped character itself (Ruby treats unknown escapes such as \- \' \/ as the literal character).
   */
  private escapedCodePoint(): number {
    const start = this.pos - 1;
    const c = this.peek();
    this.pos++;
    switch (c) {
      case 'n':
        return 0x0a;
      case 't':
        return 0x09;
      case 'r':
        return 0x0d;
      case 'f':
        return 0x0c;
      case 'v':
        return 0x0b;
      case 'a':
        return 0x07;
      case 'e':
        return 0x1b;
      case 'b':
        return 0x08; // only reached inside a class
      case 'x': {
        if (this.peek() === '{') {
          const m = /^\{([0-9a-fA-F]{1,8})\}/.exec(this.src.slice(this.pos));
          if (m) {
            this.pos += m[0].length;
            const cp = parseInt(m[1]!, 16);
            if (cp > cs.MAX_CP) this.fail('invalid code point value', start);
            return cp;
          }
        }
        const m = /^[0-9a-fA-F]{0,2}/.exec(this.src.slice(this.pos))![0];
        this.pos += m.length;
        return this.rawByte(m ? parseInt(m, 16) : 0, start);
      }
      case 'u': {
        const m = /^[0-9a-fA-F]{0,4}/.exec(this.src.slice(this.pos))![0];
        this.pos += m.length;
        return m ? parseInt(m, 16) : 0;
      }
      case '0': {
        const m = /^[0-7]{0,2}/.exec(this.src.slice(this.pos))![0];
        this.pos += m.length;
        return this.rawByte(m ? parseInt(m, 8) : 0, start);
      }
      case 'c':
        return this.controlChar(start);
      case 'C':
        if (this.peek() === '-') {
          this.pos++;
          return this.controlChar(start);
        }
        return 0x43;
      case 'M':
        if (this.peek() === '-') this.fail('meta escapes \\M-x are not supported', start);
        return 0x4d;
    }
    if (c >= '1' && c <= '7') {
      // Octal (a backreference was ruled out by the caller): up to three digits.
      const m = /^[0-7]{0,2}/.exec(this.src.slice(this.pos))![0];
      this.pos += m.length;
      return this.rawByte(parseInt(c + m, 8), start);
    }
    // Any other escaped character stands for itself (including astral characters).
    this.pos--;
    return this.nextCodePoint();
  }

  private controlChar(start: number): number {
    if (this.eof()) this.fail('end pattern at control', start);
    if (this.peek() === '?') {
      this.pos++;
      return 0x7f;
    }
    let cp: number;
    if (this.peek() === '\\') {
      this.pos++;
      cp = this.escapedCodePoint();
    } else cp = this.nextCodePoint();
    return cp & 0x9f;
  }

  /** A raw byte (\xHH, octal): ASCII, or the lead byte of a UTF-8 sequence written as further \xHH escapes. */
  private rawByte(b: number, start: number): number {
    if (b < 0x80) return b;
    const bytes = [b];
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    if (need === 0) this.fail('invalid multibyte character (a lone UTF-8 continuation byte)', start);
    while (bytes.length < need) {
      const m = /^\\x([0-9a-fA-F]{2})/.exec(this.src.slice(this.pos));
      if (!m) this.fail('invalid multibyte character (incomplete UTF-8 sequence)', start);
      bytes.push(parseInt(m[1]!, 16));
      this.pos += 4;
    }
    const s = Buffer.from(bytes).toString('utf8');
    const cp = s.codePointAt(0)!;
    if (cp === 0xfffd || String.fromCodePoint(cp).length !== s.length) this.fail('invalid multibyte character', start);
    return cp;
  }

  // ---- character classes ----

  /** After '[': the class's code points (case closure applied to literal members under (?i)). */
  private parseClass(flags: Flags): Ranges {
    const open = this.pos - 1;
    let neg = false;
    if (this.peek() === '^') {
      neg = true;
      this.pos++;
    }
    const operands: Ranges[] = [];
    let literalPairs: number[] = [];
    let typed: Ranges = cs.EMPTY;
    let first = true;
    const flushOperand = () => {
      let lit = cs.normalize(literalPairs);
      if (flags.i) lit = cs.caseClosure(lit);
      operands.push(cs.union(lit, typed));
      literalPairs = [];
      typed = cs.EMPTY;
    };
    for (;;) {
      if (this.eof()) this.fail('premature end of char-class', open);
      const c = this.peek();
      if (c === ']') {
        if (first && this.src.indexOf(']', this.pos + 1) >= 0) {
          // `[]…]`: a leading ']' is literal when the class is closed later.
          this.pos++;
          literalPairs.push(0x5d, 0x5d);
          first = false;
          continue;
        }
        if (first) this.fail('empty char-class', open);
        this.pos++;
        break;
      }
      first = false;
      if (c === '&' && this.peek(1) === '&') {
        this.pos += 2;
        flushOperand();
        continue;
      }
      if (c === '[') {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos, this.pos + 16));
        if (posix) {
          const r = cs.posixBracketRanges(posix[2]!);
          if (!r) this.fail(`invalid POSIX bracket type [:${posix[2]}:]`);
          this.pos += posix[0].length;
          typed = cs.union(typed, posix[1] ? cs.complement(r) : r);
          continue;
        }
        this.pos++;
        typed = cs.union(typed, this.parseClass(flags));
        continue;
      }
      const a = this.classAtom();
      if (a.set) {
        if (this.peek() === '-' && this.peek(1) !== ']') this.fail('unmatched range specifier in char-class');
        typed = cs.union(typed, a.set);
        continue;
      }
      const lo = a.cp!;
      // A range `a-z`: '-' followed by something other than ']'.
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        const save = this.pos;
        this.pos++;
        if (this.peek() === '[' || (this.peek() === '&' && this.peek(1) === '&')) {
          this.pos = save;
          literalPairs.push(lo, lo);
          continue;
        }
        const b = this.classAtom();
        if (b.set) this.fail('char-class value at end of range', save);
        const hi = b.cp!;
        if (hi < lo) this.fail('empty range in char class', save);
        literalPairs.push(lo, hi);
        continue;
      }
      literalPairs.push(lo, lo);
    }
    flushOperand();
    let r = operands[0]!;
    for (let k = 1; k < operands.length; k++) r = cs.intersect(r, operands[k]!);
    return neg ? cs.complement(r) : r;
  }

  private classAtom(): { cp?: number; set?: Ranges } {
    if (this.peek() !== '\\') return { cp: this.nextCodePoint() };
    const start = this.pos;
    this.pos++;
    if (this.eof()) this.fail('end pattern at escape', start);
    const c = this.peek();
    const typed = this.typeEscape(c);
    if (typed) {
      this.pos++;
      return { set: typed };
    }
    if ((c === 'p' || c === 'P') && this.peek(1) === '{') return { set: this.parseProperty() };
    if (c === '8' || c === '9') {
      this.pos++;
      return { cp: c.charCodeAt(0) };
    }
    return { cp: this.escapedCodePoint() };
  }

  // ---- after parsing ----

  private resolve(): void {
    const hasNamed = this.groups.some((g) => g.name !== null);
    if (hasNamed) {
      // Ruby: when named groups are used, unnamed groups do not capture.
      for (const g of this.groups) if (g.name === null) g.node.cap = -1;
    }
    const numbered = this.groups.filter((g) => g.node.cap >= 0);
    for (const b of this.backrefs) {
      let targets: GroupDef[];
      if (!b.byName) {
        if (hasNamed) this.fail('numbered backref/call is not allowed (use a name)', b.at);
        const g = numbered[(b.ref as number) - 1];
        if (!g) this.fail('invalid backref number/name', b.at);
        targets = [g];
      } else {
        targets = this.groups.filter((g) => g.name === b.ref);
        if (targets.length === 0) this.fail(`undefined name <${b.ref}> reference`, b.at);
        if (targets.length > 1) this.fail(`backreference \\k<${b.ref}> to a name used by several groups is not supported`, b.at);
      }
      const g = targets[0]!;
      if (b.ci) this.fail('backreferences under (?i) are not supported', b.at);
      if (g.optional)
        this.fail('backreference to a group that may not participate in the match is not supported (Oniguruma fails where JavaScript matches empty)', b.at);
      b.node.cap = g.node.cap;
      g.referenced = true;
    }
    // Unnamed groups that no backreference uses need not capture.
    for (const g of this.groups) if (g.name === null && !g.referenced) g.node.cap = -1;
  }
}

// ------------------------------------------------------------------------------------------------
// Analysis: first characters, nullability, and whether backtracking into a construct can succeed
// ------------------------------------------------------------------------------------------------

interface Edge {
  /** Characters the node can consume first (or last). */
  set: Ranges;
  /** The node can match the empty string (possibly only under conditions, e.g. anchors). */
  nullable: boolean;
  /** The node can match at any position whatever the input (e.g. `x*`). */
  uncond: boolean;
}

/** What follows a node: the next node then the rest, or another iteration of a loop, or success. */
type Cont = { node: Node; next: Cont } | { loop: Node & { t: 'quant' }; next: Cont } | typeof SUCCESS | typeof ANYTHING;
/** The regex (or lookaround, or emulated atomic group) ends here and succeeds. */
const SUCCESS = { success: true } as const;
/** Unknown continuation: anything may follow and it may or may not succeed. */
const ANYTHING = { anything: true } as const;

interface Follow {
  set: Ranges;
  /** Success may be reached without consuming a character. */
  end: boolean;
  /** Success is reached whatever the input. */
  uncond: boolean;
}

class Analysis {
  private readonly firstMemo = new Map<Node, Edge>();
  private readonly lastMemo = new Map<Node, Edge>();
  private readonly followMemo = new Map<Cont, Follow>();

  first(n: Node): Edge {
    let e = this.firstMemo.get(n);
    if (!e) {
      e = this.edge(n, true);
      this.firstMemo.set(n, e);
    }
    return e;
  }

  last(n: Node): Edge {
    let e = this.lastMemo.get(n);
    if (!e) {
      e = this.edge(n, false);
      this.lastMemo.set(n, e);
    }
    return e;
  }

  private edge(n: Node, fromStart: boolean): Edge {
    const get = (x: Node) => (fromStart ? this.first(x) : this.last(x));
    switch (n.t) {
      case 'set':
        return { set: n.set, nullable: false, uncond: false };
      case 'seq': {
        let set: Ranges = cs.EMPTY;
        let uncond = true;
        const items = fromStart ? n.items : [...n.items].reverse();
        for (const it of items) {
          const e = get(it);
          set = cs.union(set, e.set);
          if (!e.nullable) return { set, nullable: false, uncond: false };
          uncond &&= e.uncond;
        }
        return { set, nullable: true, uncond };
      }
      case 'alt': {
        let set: Ranges = cs.EMPTY;
        let nullable = false;
        let uncond = false;
        for (const a of n.alts) {
          const e = get(a);
          set = cs.union(set, e.set);
          nullable ||= e.nullable;
          uncond ||= e.uncond;
        }
        return { set, nullable, uncond };
      }
      case 'group':
      case 'atomic':
        return get(n.body);
      case 'quant': {
        if (n.max === 0) return { set: cs.EMPTY, nullable: true, uncond: true };
        const e = get(n.body);
        return { set: e.set, nullable: n.min === 0 || e.nullable, uncond: n.min === 0 || e.uncond };
      }
      case 'look':
      case 'anchor':
        return { set: cs.EMPTY, nullable: true, uncond: false };
      case 'backref':
        return { set: cs.ALL, nullable: true, uncond: false };
      case 'empty':
        return { set: cs.EMPTY, nullable: true, uncond: true };
    }
  }

  follow(k: Cont): Follow {
    let f = this.followMemo.get(k);
    if (f) return f;
    if (k === SUCCESS) f = { set: cs.EMPTY, end: true, uncond: true };
    else if (k === ANYTHING) f = { set: cs.ALL, end: true, uncond: false };
    else if ('node' in k) {
      const e = this.first(k.node);
      if (!e.nullable) f = { set: e.set, end: false, uncond: false };
      else {
        const g = this.follow(k.next);
        f = { set: cs.union(e.set, g.set), end: g.end, uncond: e.uncond && g.uncond };
      }
    } else if ('loop' in k) {
      const e = this.first(k.loop.body);
      const g = this.follow(k.next);
      f = { set: cs.union(e.set, g.set), end: g.end, uncond: g.uncond && k.loop.min <= 1 };
    } else throw new Error('internal: bad continuation');
    this.followMemo.set(k, f);
    return f;
  }

  /** After one iteration of loop `q`: another iteration (if allowed) or what follows the loop. */
  loopCont(q: Node & { t: 'quant' }, k: Cont): Cont {
    return { loop: q, next: k };
  }

  /** Continuations of each item of a sequence. */
  seqConts(items: Node[], k: Cont): Cont[] {
    const out: Cont[] = new Array(items.length);
    let cur = k;
    for (let i = items.length - 1; i >= 0; i--) {
      out[i] = cur;
      cur = { node: items[i]!, next: cur };
    }
    return out;
  }

  /** Backtracking to a path starting with a character of `s` cannot lead to success. */
  private safeAgainst(s: Ranges, k: Cont): boolean {
    const g = this.follow(k);
    return g.uncond || (!g.end && cs.disjoint(s, g.set));
  }

  /**
   * True when no choice point inside `n` (alternation, quantifier) can lead to a successful match other than
   * the first one tried, given what follows. Then an atomic group around `n` changes nothing.
   */
  allSafe(n: Node, k: Cont): boolean {
    switch (n.t) {
      case 'set':
      case 'anchor':
      case 'backref':
      case 'empty':
      case 'look': // lookarounds are atomic in both engines
        return true;
      case 'atomic': // has one match at most whatever follows (it is dropped, rewritten or emulated)
        return true;
      case 'group':
        return this.allSafe(n.body, k);
      case 'seq': {
        const conts = this.seqConts(n.items, k);
        return n.items.every((it, i) => this.allSafe(it, conts[i]!));
      }
      case 'alt': {
        if (!n.alts.every((a) => this.allSafe(a, k))) return false;
        return this.follow(k).uncond || this.exclusiveBranches(n.alts);
      }
      case 'quant': {
        if (n.max === 0) return true;
        if (!this.allSafe(n.body, this.loopCont(n, k))) return false;
        if (n.min === n.max) return true;
        if (n.lazy) return this.follow(k).uncond;
        const e = this.first(n.body);
        return !e.nullable && this.safeAgainst(e.set, k);
      }
    }
  }

  /** No string can be matched by two of the branches at the same position. */
  exclusiveBranches(alts: Node[]): boolean {
    for (let i = 0; i < alts.length; i++) for (let j = i + 1; j < alts.length; j++) if (!this.exclusive(alts[i]!, alts[j]!)) return false;
    return true;
  }

  /** No match of `a` starting at a position can coexist with a match of `b` there (both consume, and differ early). */
  exclusive(a: Node, b: Node): boolean {
    const ea = this.first(a);
    const eb = this.first(b);
    if (ea.nullable || eb.nullable) return false;
    if (cs.disjoint(ea.set, eb.set)) return true;
    const ha = headOf(a);
    const hb = headOf(b);
    if (!ha || !hb) return false;
    if (cs.disjoint(ha.set, hb.set)) return true;
    return this.exclusive(ha.rest, hb.rest);
  }

  /** `n` has exactly one way to match at a position, whatever follows. */
  deterministic(n: Node): boolean {
    return this.allSafe(n, ANYTHING);
  }

  /** `(?>n)` can be written without an emulation group (see Emitter.emitForced). */
  canForce(n: Node): boolean {
    if (this.deterministic(n)) return true;
    switch (n.t) {
      case 'atomic': // forced or emulated in place
        return true;
      case 'group':
        return this.canForce(n.body);
      case 'alt':
        return this.exclusiveBranches(n.alts) && n.alts.every((a) => this.canForce(a));
      case 'seq': {
        const last = n.items.length - 1;
        const conts = this.seqConts(n.items, ANYTHING);
        for (let i = 0; i < last; i++) if (!this.allSafe(n.items[i]!, conts[i]!)) return false;
        return this.canForce(n.items[last]!);
      }
      case 'quant': {
        if (n.recover || !this.canForce(n.body)) return false;
        if (n.lazy) return true;
        if (this.first(n.body).nullable || hasBackref(n.body)) return false;
        if (n.body.t === 'set') return true;
        // A finite range writes the body twice: only without capture groups.
        return n.max === INF || n.max === n.min || (n.min === 0 && n.max === 1) || !hasCapture(n.body);
      }
      default:
        return false;
    }
  }
}

/** Split a node that starts by consuming exactly one character: that character's set and the rest. */
function headOf(n: Node): { set: Ranges; rest: Node } | null {
  switch (n.t) {
    case 'set':
      return { set: n.set, rest: EMPTY_NODE };
    case 'group':
    case 'atomic': // an atomic group matches a subset of what its body matches
      return headOf(n.body);
    case 'seq': {
      const h = headOf(n.items[0]!);
      if (!h) return null;
      const rest = n.items.slice(1);
      if (h.rest.t !== 'empty') rest.unshift(h.rest);
      return { set: h.set, rest: rest.length === 0 ? EMPTY_NODE : rest.length === 1 ? rest[0]! : { t: 'seq', items: rest } };
    }
    case 'quant':
      if (n.min >= 1 && n.max === n.min && n.min <= 64) {
        const items = Array.from({ length: n.min }, () => n.body);
        return headOf({ t: 'seq', items });
      }
      if (n.min >= 1) {
        const h = headOf(n.body);
        if (!h) return null;
        const rest: Node = { t: 'quant', body: n.body, min: n.min - 1, max: n.max === INF ? INF : n.max - 1, lazy: n.lazy };
        return { set: h.set, rest: h.rest.t === 'empty' ? rest : { t: 'seq', items: [h.rest, rest] } };
      }
      return null;
    default:
      return null;
  }
}

function hasCapture(n: Node): boolean {
  switch (n.t) {
    case 'group':
      return n.cap >= 0 || hasCapture(n.body);
    case 'seq':
      return n.items.some(hasCapture);
    case 'alt':
      return n.alts.some(hasCapture);
    case 'atomic':
    case 'look':
    case 'quant':
      return hasCapture(n.body);
    default:
      return false;
  }
}

function hasBackref(n: Node): boolean {
  switch (n.t) {
    case 'backref':
      return true;
    case 'group':
    case 'atomic':
    case 'look':
    case 'quant':
      return hasBackref(n.body);
    case 'seq':
      return n.items.some(hasBackref);
    case 'alt':
      return n.alts.some(hasBackref);
    default:
      return false;
  }
}

// ------------------------------------------------------------------------------------------------
// Emitter
// ------------------------------------------------------------------------------------------------

/** Emitted JavaScript: `atom` can take a quantifier, `seq` is a concatenation, `alt` has a top-level '|'. */
interface Out {
  src: string;
  kind: 'atom' | 'seq' | 'alt';
}

const BACKREF_MARK = '\u0000';

export interface EmitStats {
  atomicDropped: number;
  atomicForced: number;
  atomicEmulated: number;
}

/**
 * What precedes a position: the previous node then what precedes it, or (in a loop) the previous iteration,
 * or the start of the match attempt (any character, or none, may precede it).
 */
type Prec = { node: Node; prev: Prec } | { loop: Node & { t: 'quant' }; prev: Prec } | typeof BEGIN;
const BEGIN = { begin: true } as const;

/** Characters that may be adjacent to a position; `edge`: the input's start/end may be there instead. */
interface Adjacent {
  set: Ranges;
  edge: boolean;
  /** Unknown: anything may be there (the match attempt's start, or the regex's end). */
  open: boolean;
}

const ASCII_NONWORD: Ranges = cs.subtract(cs.ASCII, cs.WORD);

class Emitter {
  private nextGroup = 1;
  /** Parser group index → JavaScript group number. */
  readonly groupNumber = new Map<number, number>();
  private inLookbehind = 0;
  private noCapture = 0;
  readonly stats: EmitStats = { atomicDropped: 0, atomicForced: 0, atomicEmulated: 0 };
  /** Set when a word boundary could not be decided with ASCII semantics (needs the Unicode variant). */
  unicodeBoundary = false;
  /**
   * Set when such a boundary is costly in its Unicode form (checked on both sides, or at an unanchored start
   * where it is evaluated at every position): then a separate variant for ASCII input is worth an input scan.
   */
  genericBoundary = false;
  /** Repetitions whose groups are re-read iteration by iteration after a match. */
  readonly recoveries: RecoverySpec[] = [];
  /** Set when, without the `u` flag, a character above U+FFFF could be matched differently (see noteAstral). */
  astralRisk = false;
  private readonly precMemo = new Map<Prec, Adjacent>();

  constructor(
    private readonly an: Analysis,
    private readonly setMode: SetMode,
    private readonly newline: boolean,
    private readonly emulateAtomic = false,
  ) {}

  get unicode(): boolean {
    return this.setMode === 'unicode';
  }

  run(root: Node): string {
    return this.finish(this.emit(root, SUCCESS, BEGIN).src);
  }

  /** Resolve backreference placeholders to this emitter's group numbers. */
  finish(src: string): string {
    return src.replace(/\u0000(\d+)\u0000/g, (_, g: string) => `(?:\\${this.groupNumber.get(Number(g))})`);
  }

  private atom(o: Out): string {
    return o.kind === 'atom' ? o.src : `(?:${o.src})`;
  }

  private seqPrecs(items: Node[], p: Prec): Prec[] {
    const out: Prec[] = new Array(items.length);
    let cur = p;
    for (let i = 0; i < items.length; i++) {
      out[i] = cur;
      cur = { node: items[i]!, prev: cur };
    }
    return out;
  }

  /** The character before a position. */
  private before(p: Prec): Adjacent {
    let a = this.precMemo.get(p);
    if (a) return a;
    if (p === BEGIN) a = { set: cs.EMPTY, edge: true, open: true };
    else if ('node' in p) {
      const n = p.node;
      if (n.t === 'anchor' && (n.kind === 'bos' || (n.kind === 'bol' && !this.newline))) a = { set: cs.EMPTY, edge: true, open: false };
      else if (n.t === 'anchor' && n.kind === 'bol') a = { set: cs.NEWLINE, edge: true, open: false };
      else {
        const e = this.an.last(n);
        if (!e.nullable) a = { set: e.set, edge: false, open: false };
        else {
          const b = this.before(p.prev);
          a = { set: cs.union(e.set, b.set), edge: b.edge, open: b.open };
        }
      }
    } else if ('loop' in p) {
      const e = this.an.last(p.loop.body);
      const b = this.before(p.prev);
      a = { set: cs.union(e.set, b.set), edge: b.edge, open: b.open };
    } else throw new Error('internal: bad precedence');
    this.precMemo.set(p, a);
    return a;
  }

  /** The character after a position. */
  private after(k: Cont): Adjacent {
    const f = this.an.follow(k);
    // Reaching the end of the regex (or of a lookaround) leaves the next character unknown.
    return { set: f.set, edge: f.end, open: f.end };
  }

  emit(n: Node, k: Cont, p: Prec): Out {
    switch (n.t) {
      case 'set':
        this.noteAstral(n.set, k, p, 'none');
        return this.emitSet(n.set);
      case 'empty':
        return { src: '', kind: 'seq' };
      case 'seq': {
        if (n.items.length === 1) return this.emit(n.items[0]!, k, p);
        const conts = this.an.seqConts(n.items, k);
        const precs = this.seqPrecs(n.items, p);
        let src = '';
        for (let i = 0; i < n.items.length; i++) {
          const o = this.emit(n.items[i]!, conts[i]!, precs[i]!);
          src += o.kind === 'alt' ? `(?:${o.src})` : o.src;
        }
        return { src, kind: 'seq' };
      }
      case 'alt':
        return { src: n.alts.map((a) => this.emit(a, k, p).src).join('|'), kind: 'alt' };
      case 'group': {
        if (n.cap < 0 || this.noCapture > 0) return this.emit(n.body, k, p);
        const num = this.nextGroup++;
        this.groupNumber.set(n.cap, num);
        return { src: `(${this.emit(n.body, k, p).src})`, kind: 'atom' };
      }
      case 'look': {
        if (n.behind) this.inLookbehind++;
        const body = this.emit(n.body, SUCCESS, n.behind ? BEGIN : p).src;
        if (n.behind) this.inLookbehind--;
        // Zero-width: JavaScript (with the `u` flag) takes no quantifier on it, so kind 'seq' makes a caller wrap it.
        return { src: `(?${n.behind ? '<' : ''}${n.neg ? '!' : '='}${body})`, kind: 'seq' };
      }
      case 'quant':
        return this.emitQuant(n, k, p);
      case 'atomic':
        return this.emitAtomic(n, k, p);
      case 'anchor':
        return this.emitAnchor(n.kind, k, p);
      case 'backref':
        return { src: `${BACKREF_MARK}${n.cap}${BACKREF_MARK}`, kind: 'atom' };
    }
  }

  /**
   * Without the `u` flag a character above U+FFFF is two code units. A set with some but not all of those
   * characters cannot be written, and a single set with all of them (`.`, `[^a]`, `\S`) consumes half of
   * such a character. An unbounded repetition of a set with all of them (`.*`, `\S+`) consumes both units,
   * and only differs where it could stop between them: at an unanchored start, or before something that can
   * match a surrogate unit or end the match. A greedy one with nothing after it that can fail runs to the end.
   * (`loop`: the set is the body of such a repetition, `greedy`: and it is greedy.)
   */
  private noteAstral(set: Ranges, exit: Cont, p: Prec, loop: 'none' | 'lazy' | 'greedy'): void {
    if (this.astralRisk) return;
    const astral = cs.intersect(set, ASTRAL);
    if (astral.length === 0) return;
    if (loop === 'none' || !cs.equals(astral, ASTRAL) || this.before(p).open) {
      this.astralRisk = true;
      return;
    }
    const f = this.an.follow(exit);
    if (loop === 'greedy' && f.uncond) return;
    if (f.end || cs.intersect(f.set, SURROGATE_UNITS).length > 0) this.astralRisk = true;
  }

  private emitSet(set: Ranges): Out {
    if (cs.equals(set, cs.ALL)) return { src: '.', kind: 'atom' }; // with the `s` flag
    // An astral literal without the `u` flag is two code units: literalChar wraps it in (?:…).
    return { src: cs.emitSet(set, this.setMode), kind: 'atom' };
  }

  private quantSuffix(min: number, max: number, lazy: boolean): string {
    let q: string;
    if (min === 0 && max === INF) q = '*';
    else if (min === 1 && max === INF) q = '+';
    else if (min === 0 && max === 1) q = '?';
    else if (max === INF) q = `{${min},}`;
    else if (min === max) q = `{${min}}`;
    else q = `{${min},${max}}`;
    return lazy && min !== max ? q + '?' : q;
  }

  private emitQuant(n: Node & { t: 'quant' }, k: Cont, p: Prec): Out {
    if (n.recover && this.noCapture === 0) return this.emitRecovered(n, k, p);
    if (n.min === 1 && n.max === 1) return this.emit(n.body, k, p);
    let body: Out;
    if (n.body.t === 'set') {
      // Consecutive iterations do not split a surrogate pair; only the loop's start and exit matter.
      this.noteAstral(n.body.set, k, p, n.min > 1 || n.max !== INF ? 'none' : n.lazy ? 'lazy' : 'greedy');
      body = this.emitSet(n.body.set);
    } else body = this.emit(n.body, this.an.loopCont(n, k), { loop: n, prev: p });
    if (n.max === 0) return { src: '', kind: 'seq' };
    if (n.min === 0 && n.max === 1 && this.an.first(n.body).nullable) {
      // Oniguruma's `X?` takes X's first match even if empty (its groups capture ""); JavaScript's `?` rejects
      // an empty iteration and tries X's other matches first. An alternation behaves the same in both.
      return { src: n.lazy ? `(?:|${body.src})` : `(?:${body.src}|)`, kind: 'atom' };
    }
    // A quantified atom takes no further quantifier in JavaScript (`a**`): kind 'seq' makes the caller wrap it.
    return { src: this.atom(body) + this.quantSuffix(n.min, n.max, n.lazy), kind: 'seq' };
  }

  /**
   * A repetition whose groups may skip iterations. It is wrapped in a group giving its span; after a match,
   * the body is run again iteration by iteration over that span (a sticky RegExp) to find each group's value
   * in the last iteration where it took part, as Oniguruma reports it. This is exact when the iterations of
   * the match are the body's first matches one after another: when nothing after the repetition can fail,
   * or when no backtracking into it can succeed.
   */
  private emitRecovered(n: Node & { t: 'quant' }, k: Cont, p: Prec): Out {
    // (With a minimum above 1 the repetition itself may need to backtrack to reach it.)
    if (n.lazy || !((this.an.follow(k).uncond && n.min <= 1) || this.an.allSafe(n, k)))
      throw new OnigError(
        `capture groups inside the repetition ${JSON.stringify(n.src ?? '')} may not take part in every iteration, and the repetition may backtrack: ` +
          'Oniguruma then keeps values from earlier iterations and JavaScript does not; this is not supported',
      );
    const span = this.nextGroup++;
    const inner = this.emitQuant({ ...n, recover: false }, k, p);
    const sub = new Emitter(this.an, this.setMode, this.newline, this.emulateAtomic);
    const lp: Prec = { loop: n, prev: p };
    const bodySrc = sub.finish(sub.emit(n.body, this.an.loopCont(n, k), lp).src);
    if (sub.unicodeBoundary) this.unicodeBoundary = true;
    if (sub.genericBoundary) this.genericBoundary = true;
    if (sub.astralRisk) this.astralRisk = true;
    const pairs: Array<[number, number]> = [];
    for (const [cap, subIndex] of sub.groupNumber) {
      const mainIndex = this.groupNumber.get(cap);
      if (mainIndex !== undefined) pairs.push([subIndex, mainIndex]);
    }
    this.recoveries.push({ span, body: bodySrc, pairs, max: n.max });
    return { src: `(${inner.src})`, kind: 'atom' };
  }

  private emitAtomic(n: Node & { t: 'atomic' }, k: Cont, p: Prec): Out {
    // In a lookbehind (fixed length in Oniguruma) atomicity cannot change whether it matches; JavaScript
    // matches lookbehinds right to left, where the emulation below would not work.
    if (this.inLookbehind > 0 || (!this.emulateAtomic && this.an.allSafe(n.body, k))) {
      this.stats.atomicDropped++;
      return this.emit(n.body, k, p);
    }
    if (!this.emulateAtomic && this.an.canForce(n.body)) {
      this.stats.atomicForced++;
      return this.emitForced(n.body, p);
    }
    this.stats.atomicEmulated++;
    const num = this.nextGroup++;
    const inner = this.emit(n.body, SUCCESS, p).src;
    return { src: `(?:(?=(${inner}))\\${num})`, kind: 'atom' };
  }

  /** JavaScript equivalent to `(?>n)` without an extra group; only when Analysis.canForce(n). */
  private emitForced(n: Node, p: Prec): Out {
    if (this.an.deterministic(n)) return this.emit(n, ANYTHING, p);
    switch (n.t) {
      case 'group': {
        if (n.cap < 0 || this.noCapture > 0) return this.emitForced(n.body, p);
        const num = this.nextGroup++;
        this.groupNumber.set(n.cap, num);
        return { src: `(${this.emitForced(n.body, p).src})`, kind: 'atom' };
      }
      case 'atomic':
        return this.emitAtomic(n, ANYTHING, p);
      case 'alt':
        return { src: n.alts.map((a) => this.emitForced(a, p).src).join('|'), kind: 'alt' };
      case 'seq': {
        const conts = this.an.seqConts(n.items, ANYTHING);
        const precs = this.seqPrecs(n.items, p);
        let src = '';
        const last = n.items.length - 1;
        for (let i = 0; i < last; i++) {
          const o = this.emit(n.items[i]!, conts[i]!, precs[i]!);
          src += o.kind === 'alt' ? `(?:${o.src})` : o.src;
        }
        const o = this.emitForced(n.items[last]!, precs[last]!);
        src += o.kind === 'alt' ? `(?:${o.src})` : o.src;
        return { src, kind: 'seq' };
      }
      case 'quant': {
        const { min, max } = n;
        const lp: Prec = { loop: n, prev: p };
        if (n.lazy || min === max) {
          // An atomic lazy loop stops at its minimum.
          if (min === 0) return { src: '', kind: 'seq' };
          return { src: this.atom(this.emitForced(n.body, lp)) + this.quantSuffix(min, min, false), kind: 'seq' };
        }
        const f = this.atom(this.emitForced(n.body, lp));
        // What must not follow: another iteration.
        this.noCapture++;
        const again = n.body.t === 'set' ? f : this.atom(this.emit(n.body, SUCCESS, lp));
        this.noCapture--;
        if (max === INF) return { src: `${f}${this.quantSuffix(min, INF, false)}(?!${again})`, kind: 'seq' };
        if (min === 0 && max === 1) return { src: `(?:${f}|(?!${again}))`, kind: 'atom' };
        const f2 = n.body.t === 'set' ? f : this.atom(this.emitForced(n.body, lp));
        return { src: `(?:${f}${this.quantSuffix(max, max, false)}|${f2}${this.quantSuffix(min, max - 1, false)}(?!${again}))`, kind: 'atom' };
      }
      default:
        return this.emit(n, ANYTHING, p);
    }
  }

  private emitAnchor(kind: AnchorKind, k: Cont, p: Prec): Out {
    switch (kind) {
      case 'bos':
        return { src: '^', kind: 'seq' };
      case 'eos':
        return { src: '$', kind: 'seq' };
      case 'eosnl':
        return { src: this.newline ? '(?=\\n?$)' : '$', kind: 'seq' };
      case 'bol':
        // Ruby: at the start, or after a '\n' that is not the last character.
        return { src: this.newline ? '(?:^|(?<=\\n)(?!$))' : '^', kind: 'seq' };
      case 'eol':
        return { src: this.newline ? '(?=\\n|$)' : '$', kind: 'seq' };
      case 'wordb':
      case 'nwordb':
        return this.emitWordBoundary(kind === 'nwordb', k, p);
    }
  }

  /**
   * Oniguruma's \b uses Unicode word characters (Alphabetic, Mark, Decimal_Number, Connector_Punctuation);
   * JavaScript's only ASCII ones. Where the characters on both sides are known to be ASCII (or the input's
   * edge), JavaScript's \b is exact; where their word-ness is known, the boundary is a constant.
   */
  private emitWordBoundary(not: boolean, k: Cont, p: Prec): Out {
    const b = this.before(p);
    const a = this.after(k);
    const known = (x: Adjacent, kind: 'word' | 'nonword') =>
      !x.open && (kind === 'word' ? !x.edge && x.set.length > 0 && cs.isSubset(x.set, cs.WORD) : cs.isSubset(x.set, ASCII_NONWORD));
    const bw = known(b, 'word'), bn = known(b, 'nonword'), aw = known(a, 'word'), an = known(a, 'nonword');
    if ((bw && an) || (bn && aw)) return { src: not ? '(?!)' : '', kind: 'seq' };
    if ((bw && aw) || (bn && an)) return { src: not ? '' : '(?!)', kind: 'seq' };
    const asciiSide = (x: Adjacent) => !x.open && cs.isSubset(x.set, cs.ASCII);
    if (asciiSide(b) && asciiSide(a)) return { src: not ? '\\B' : '\\b', kind: 'seq' };
    this.unicodeBoundary = true;
    if (!(aw || an || bw || bn) || b.open) this.genericBoundary = true;
    if (!this.unicode) return { src: not ? '\\B' : '\\b', kind: 'seq' }; // only used for ASCII inputs
    const w = `[${cs.UNICODE_WORD_BODY}]`;
    // When one side's word-ness is known, only the other side needs checking.
    if (aw) return { src: not ? `(?<=${w})` : `(?<!${w})`, kind: 'seq' };
    if (an) return { src: not ? `(?<!${w})` : `(?<=${w})`, kind: 'seq' };
    if (bw) return { src: not ? `(?=${w})` : `(?!${w})`, kind: 'seq' };
    if (bn) return { src: not ? `(?!${w})` : `(?=${w})`, kind: 'seq' };
    return {
      src: not ? `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))` : `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`,
      kind: 'seq',
    };
  }
}

// ------------------------------------------------------------------------------------------------
// Public API
// ------------------------------------------------------------------------------------------------

/** A repetition whose groups are re-read after a match (see Emitter.emitRecovered). */
interface RecoverySpec {
  /** Group giving the repetition's span in the main RegExp (which has the `d` flag). */
  span: number;
  /** Source of one iteration. */
  body: string;
  /** [group in the iteration RegExp, group in the main RegExp]. */
  pairs: Array<[number, number]>;
  max: number;
}

interface Recovery extends RecoverySpec {
  regexp: RegExp;
}

export interface OnigVariant {
  source: string;
  flags: string;
  regexp: RegExp;
  /** Present when some groups must be re-read after a match; use OnigRegExp.exec, which does it. */
  recoveries?: readonly Recovery[];
  /** Sticky copy, made when a search must go on past a start inside a surrogate pair. */
  sticky?: RegExp;
}

export interface TranslateOptions {
  /** Ruby's MULTILINE option (`.` matches '\n'); grok always sets it. Default true. */
  dotAll?: boolean;
  /** Case-insensitive from the start (Ruby's IGNORECASE option). Default false. */
  ignoreCase?: boolean;
  /**
   * `optimize` (default): drop or rewrite atomic groups where that is provably equivalent; `emulate`: always
   * use `(?=(X))\N` (for comparisons and benchmarks).
   */
  atomic?: 'optimize' | 'emulate';
}

export class OnigRegExp {
  /** Named groups in Ruby's order (opening parenthesis), with their JavaScript group number. */
  readonly groups: ReadonlyArray<{ readonly name: string; readonly index: number }>;
  /** The translation differs for inputs containing '\n' (Ruby's line anchors `^` `$` `\Z`). */
  readonly newlineSensitive: boolean;
  /** The translation differs for inputs containing non-ASCII characters (a word boundary ASCII cannot decide). */
  readonly unicodeSensitive: boolean;
  /**
   * The translation differs for inputs containing characters above U+FFFF (which JavaScript without the
   * `u` flag sees as two code units): a set with some of them (`\p{L}`), or one with all of them (`.`, `[^a]`)
   * where a match could begin, end or hand over between the two units.
   */
  readonly astralSensitive: boolean;
  /** The `u` variant is used for every input (no scan of the input for non-ASCII characters). */
  readonly alwaysUnicode: boolean;
  private readonly variants: Array<OnigVariant | undefined> = [undefined, undefined, undefined, undefined];
  private readonly variantStats: Array<EmitStats | undefined> = [undefined, undefined, undefined, undefined];

  /** @internal */
  constructor(
    readonly pattern: string,
    private readonly root: Node,
    parserGroups: GroupDef[],
    private readonly emulateAtomic = false,
    /** First/last sets and follow sets depend on the tree only: one analysis serves every variant. */
    private readonly an: Analysis = new Analysis(),
  ) {
    this.newlineSensitive = hasAnchor(root, (k) => k === 'bol' || k === 'eol' || k === 'eosnl');
    // Word boundaries and sets above U+FFFF depend on their context: a dry run tells whether they matter.
    let unicode = false;
    let astral = false;
    let generic = false;
    let dry: Emitter | undefined;
    let drySource = '';
    if (hasAnchor(root, (k) => k === 'wordb' || k === 'nwordb') || hasSet(root, (r) => cs.intersect(r, ASTRAL).length > 0)) {
      dry = new Emitter(this.an, 'bmp', false);
      drySource = dry.run(root);
      unicode = dry.unicodeBoundary;
      astral = dry.astralRisk;
      generic = dry.genericBoundary;
    }
    this.unicodeSensitive = unicode;
    this.astralSensitive = astral;
    // The `u` variant matches as fast as the other in V8; only a costly word boundary (see genericBoundary)
    // is worth scanning each input for non-ASCII characters to avoid it.
    this.alwaysUnicode = (unicode || astral) && !generic;
    // Only the variant for the usual input (one line, ASCII) is built now; the others when an input needs them
    // (a translation and a RegExp each, about a fifth of a worker's start-up with a dozen grok patterns). When
    // that variant is the dry run's (no `u` flag, no newline), the dry run's translation is it.
    if (dry !== undefined && !this.alwaysUnicode && !emulateAtomic) this.finishVariant(0, dry, drySource);
    else this.variantFor(0);
    const groupNumber = this.groupNumber!;
    const groups: Array<{ name: string; index: number }> = [];
    parserGroups.forEach((g, i) => {
      if (g.name !== null) groups.push({ name: g.name, index: groupNumber.get(i)! });
    });
    this.groups = groups;
  }

  /** How atomic groups were handled in the always-correct variant (the one for inputs with '\n' and non-ASCII). */
  get stats(): EmitStats {
    this.variant(true, true);
    return this.variantStats[this.variantKey(true, true)]!;
  }

  /** Parser group index -> JavaScript group number, from the first variant built (the same in every variant). */
  private groupNumber?: ReadonlyMap<number, number>;

  /**
   * The variant for an input that does / does not contain '\n' and non-ASCII characters. Group numbers are
   * the same in every variant. `variant(true, true)` is correct for any input.
   */
  variant(newline: boolean, unicode: boolean): OnigVariant {
    const key = this.variantKey(newline, unicode);
    const v = this.variants[key];
    if (v) return v;
    const nl = (key & 1) !== 0;
    const uni = (key & 2) !== 0;
    // Without the `u` flag sets are written exactly up to U+FFFF: right for inputs without astral characters
    // (and, when a word boundary needs Unicode, for ASCII-only inputs).
    const em = new Emitter(this.an, uni ? 'unicode' : 'bmp', nl, this.emulateAtomic);
    return this.finishVariant(key, em, em.run(this.root));
  }

  private variantKey(newline: boolean, unicode: boolean): number {
    const nl = newline && this.newlineSensitive;
    const uni = unicode && (this.unicodeSensitive || this.astralSensitive);
    return (nl ? 1 : 0) | (uni ? 2 : 0);
  }

  /** The variant `key` from its emitter's translation `source`. */
  private finishVariant(key: number, em: Emitter, source: string): OnigVariant {
    const base = (key & 2) !== 0 ? 'su' : 's';
    const flags = em.recoveries.length > 0 ? base + 'd' : base;
    let regexp: RegExp;
    let recoveries: Recovery[] | undefined;
    try {
      regexp = new RegExp(source, flags);
      if (em.recoveries.length > 0) recoveries = em.recoveries.map((r) => ({ ...r, regexp: new RegExp(r.body, base + 'y') }));
    } catch (e) {
      throw new OnigError(`internal error translating /${this.pattern}/ to JavaScript: ${(e as Error).message}`, this.pattern);
    }
    const v: OnigVariant = recoveries ? { source, flags, regexp, recoveries } : { source, flags, regexp };
    this.variants[key] = v;
    this.variantStats[key] = em.stats;
    this.groupNumber ??= em.groupNumber;
    return v;
  }

  /**
   * The RegExp to use for an input; the caller may pass what it knows about the input (InputTraits)
   * to avoid scanning it once per pattern.
   */
  regexpFor(input: string, traits: number = inputTraits(input)): RegExp {
    return this.variantFor(traits).regexp;
  }

  private variantFor(traits: number): OnigVariant {
    const nl = this.newlineSensitive && (traits & HAS_NEWLINE) !== 0;
    const uni = this.alwaysUnicode || (this.unicodeSensitive && (traits & HAS_NON_ASCII) !== 0) || (this.astralSensitive && (traits & HAS_ASTRAL) !== 0);
    return this.variants[(nl ? 1 : 0) | (uni ? 2 : 0)] ?? this.variant(nl, uni);
  }

  /** Which input traits choose between variants (HAS_NEWLINE | HAS_NON_ASCII | HAS_ASTRAL); 0 when there is one variant. */
  get traitsNeeded(): number {
    const text = this.alwaysUnicode ? 0 : (this.unicodeSensitive ? HAS_NON_ASCII | HAS_ASTRAL : 0) | (this.astralSensitive ? HAS_ASTRAL : 0);
    return (this.newlineSensitive ? HAS_NEWLINE : 0) | text;
  }

  /**
   * Ruby's `Regexp#match`: the first match anywhere in `input`, or null. `traits` (inputTraits) may be
   * passed when already known. Use this rather than regexpFor(…).exec: some patterns need work after the match.
   */
  exec(input: string, traits: number = inputTraits(input, this.traitsNeeded)): RegExpExecArray | null {
    const v = this.variantFor(traits);
    let m = v.regexp.exec(input);
    if (m !== null && m.index > 0 && isTrail(input.charCodeAt(m.index)) && isLead(input.charCodeAt(m.index - 1))) m = searchFrom(v, input, m.index + 1);
    if (m !== null && v.recoveries !== undefined) recover(m, v.recoveries, input);
    return m;
  }
}

const isLead = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isTrail = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * V8 tries match starts between the two code units of a character above U+FFFF (even with the `u` flag);
 * Oniguruma never starts inside a character. When that happens, the search goes on from the next character
 * boundary with a sticky copy of the RegExp (rare: astral characters and a pattern that can start there).
 */
function searchFrom(v: OnigVariant, input: string, from: number): RegExpExecArray | null {
  const sticky = (v.sticky ??= new RegExp(v.regexp.source, v.regexp.flags + 'y'));
  for (let i = from; i <= input.length; i++) {
    if (i > 0 && isTrail(input.charCodeAt(i)) && isLead(input.charCodeAt(i - 1))) continue;
    sticky.lastIndex = i;
    const m = sticky.exec(input);
    if (m !== null) return m;
  }
  return null;
}

/** Replace the values of groups in recovered repetitions by the last value each took in any iteration. */
function recover(m: RegExpExecArray, recoveries: readonly Recovery[], input: string): void {
  const indices = m.indices!;
  for (const r of recoveries) {
    const span = indices[r.span];
    if (span === undefined) continue;
    const end = span[1];
    const re = r.regexp;
    const values: Array<string | undefined> = new Array(r.pairs.length);
    let pos = span[0];
    let n = 0;
    while (pos < end && n < r.max) {
      re.lastIndex = pos;
      const it = re.exec(input);
      if (it === null || re.lastIndex === pos) break;
      for (let i = 0; i < r.pairs.length; i++) {
        const v = it[r.pairs[i]![0]];
        if (v !== undefined) values[i] = v;
      }
      pos = re.lastIndex;
      n++;
    }
    if (pos !== end) continue; // cannot happen for the repetitions accepted (see emitRecovered)
    for (let i = 0; i < r.pairs.length; i++) m[r.pairs[i]![1]] = values[i]!;
  }
}

const ASTRAL: Ranges = [0x10000, cs.MAX_CP];
/** Code points whose class, written without the `u` flag, may match a surrogate code unit. */
const SURROGATE_UNITS: Ranges = [0xd800, 0xdfff, 0x10000, cs.MAX_CP];

export const HAS_NEWLINE = 1;
export const HAS_NON_ASCII = 2;
export const HAS_ASTRAL = 4;
const SURROGATE_RE = /[\ud800-\udfff]/;

/** Facts about an input that select the translation variant (computed once per input, shared by patterns). */
export function inputTraits(input: string, needed = HAS_NEWLINE | HAS_NON_ASCII | HAS_ASTRAL): number {
  let t = 0;
  if (needed & HAS_NEWLINE && input.indexOf('\n') >= 0) t |= HAS_NEWLINE;
  // Buffer.byteLength scans in native code, much faster than a RegExp for the common all-ASCII case.
  if (needed & (HAS_NON_ASCII | HAS_ASTRAL) && Buffer.byteLength(input, 'utf8') !== input.length) {
    t |= HAS_NON_ASCII;
    if (needed & HAS_ASTRAL && SURROGATE_RE.test(input)) t |= HAS_ASTRAL;
  }
  return t;
}

function hasSet(n: Node, pred: (r: Ranges) => boolean): boolean {
  switch (n.t) {
    case 'set':
      return pred(n.set);
    case 'seq':
      return n.items.some((x) => hasSet(x, pred));
    case 'alt':
      return n.alts.some((x) => hasSet(x, pred));
    case 'group':
    case 'atomic':
    case 'look':
    case 'quant':
      return hasSet(n.body, pred);
    default:
      return false;
  }
}

function hasAnchor(n: Node, pred: (k: AnchorKind) => boolean): boolean {
  switch (n.t) {
    case 'anchor':
      return pred(n.kind);
    case 'seq':
      return n.items.some((x) => hasAnchor(x, pred));
    case 'alt':
      return n.alts.some((x) => hasAnchor(x, pred));
    case 'group':
    case 'atomic':
    case 'look':
    case 'quant':
      return hasAnchor(n.body, pred);
    default:
      return false;
  }
}

/**
 * The node may match the empty string before trying a non-empty match (a lazy quantifier, an alternation with
 * an empty-capable branch before another): then Oniguruma and JavaScript repeat it differently.
 */
function emptyFirst(n: Node, an: Analysis): boolean {
  switch (n.t) {
    case 'seq':
      return n.items.some((x) => emptyFirst(x, an));
    case 'alt': {
      if (n.alts.some((x) => emptyFirst(x, an))) return true;
      for (let i = 0; i < n.alts.length - 1; i++) if (an.first(n.alts[i]!).nullable) return true;
      return false;
    }
    case 'group':
    case 'atomic':
      return emptyFirst(n.body, an);
    case 'quant':
      return (n.lazy && n.min === 0 && n.max > 0) || emptyFirst(n.body, an);
    default:
      return false;
  }
}

/**
 * Oniguruma ends a loop on an iteration that matched the empty string but keeps that iteration (its groups
 * capture ""); JavaScript rejects such an iteration and backtracks into it for a non-empty match. The two agree
 * when the body has no groups and only matches empty as its last resort; other cases are refused.
 */
function checkRepeats(n: Node, an: Analysis, groups: GroupDef[], ctx: { inLookbehind: boolean; inRecover: boolean } = { inLookbehind: false, inRecover: false }): void {
  switch (n.t) {
    case 'seq':
      n.items.forEach((x) => checkRepeats(x, an, groups, ctx));
      return;
    case 'alt':
      n.alts.forEach((x) => checkRepeats(x, an, groups, ctx));
      return;
    case 'group':
    case 'atomic':
      checkRepeats(n.body, an, groups, ctx);
      return;
    case 'look':
      checkRepeats(n.body, an, groups, n.behind ? { ...ctx, inLookbehind: true } : ctx);
      return;
    case 'quant': {
      // JavaScript clears the groups inside a repeated expression at each iteration; Oniguruma keeps the value
      // from the last iteration where the group took part. They agree when each group takes part in every
      // iteration; otherwise the values are recovered after the match (see Recovery).
      const skippable: number[] = [];
      if (n.max >= 2) optionalCaptures(n.body, false, skippable);
      if (skippable.length > 0) {
        const g = groups[skippable[0]!]!;
        const what = `capture group ${g.name !== null ? `<${g.name}>` : `#${skippable[0]! + 1}`} inside the repetition ${JSON.stringify(n.src ?? '')} may not take part in every iteration`;
        const why = 'Oniguruma then keeps its value from an earlier iteration and JavaScript does not';
        if (ctx.inLookbehind || ctx.inRecover) throw new OnigError(`${what}, inside a lookbehind or another such repetition: ${why}; this is not supported`);
        if (hasBackref(n.body) || skippable.some((c) => groups[c]!.referenced))
          throw new OnigError(`${what}, and a backreference depends on it: ${why}; this is not supported`);
        n.recover = true;
      }
      checkRepeats(n.body, an, groups, n.recover ? { ...ctx, inRecover: true } : ctx);
      if (n.max > n.min && n.max >= 2 && an.first(n.body).nullable && (hasCapture(n.body) || emptyFirst(n.body, an)))
        throw new OnigError(
          `repetition ${JSON.stringify(n.src ?? '')} of an expression that can match the empty string ${hasCapture(n.body) ? 'and contains capture groups' : 'before a non-empty match'} is not supported (Oniguruma and JavaScript repeat it differently); make the repeated part always consume a character`,
        );
      return;
    }
    default:
      return;
  }
}

/** Capture groups under `n` that may not take part in a match of `n` (alternation branch, optional, …). */
function optionalCaptures(n: Node, optional: boolean, out: number[]): void {
  switch (n.t) {
    case 'group':
      if (n.cap >= 0 && optional) out.push(n.cap);
      optionalCaptures(n.body, optional, out);
      return;
    case 'seq':
      n.items.forEach((x) => optionalCaptures(x, optional, out));
      return;
    case 'alt':
      n.alts.forEach((x) => optionalCaptures(x, optional || n.alts.length > 1, out));
      return;
    case 'quant':
      optionalCaptures(n.body, optional || n.min === 0, out);
      return;
    case 'atomic':
      optionalCaptures(n.body, optional, out);
      return;
    case 'look':
      if (!n.neg) optionalCaptures(n.body, optional, out); // groups in a negative lookaround are never set
      return;
    default:
      return;
  }
}

/** Parse and translate an Oniguruma (Ruby) regular expression. Throws OnigError for invalid or unsupported syntax. */
export function translateOnig(pattern: string, options: TranslateOptions = {}): OnigRegExp {
  const parser = new Parser(pattern);
  const root = parser.parse({ i: options.ignoreCase ?? false, m: options.dotAll ?? true, x: false });
  const an = new Analysis();
  checkRepeats(root, an, parser.groups);
  return new OnigRegExp(pattern, root, parser.groups, options.atomic === 'emulate', an);
}
