// Logstash configs carry Ruby (Onigmo) regular expressions: mutate's gsub, kv's split patterns.
// This translates one into an equivalent JavaScript RegExp source, once, at config time.
//
// Exact:   ^ and $ are line anchors in Ruby (made exact with look-arounds, no 'm' flag needed);
//          . excludes only "\n"; \A \z \Z \h \H \R \e \a; \s is ASCII [ \t\n\v\f\r]; {,n};
//          named groups (plain groups stop capturing when named ones exist, as in Ruby);
//          (?imx-imx) and (?imx-imx:...) (i by case expansion inside a group, m = dot-all, x = extended);
//          POSIX brackets [[:alpha:]] and \p{...} (Unicode, as in Ruby), nested classes [a[bc]].
// Approximate: atomic groups (?>...) and possessive quantifiers (*+ ++ ?+) become their ordinary
//          backtracking forms (same matches in nearly all real patterns, only backtracking differs).
// Rejected (RubyRegexError): \G \K \g<..> subexpression calls, absent operator, class intersection &&.

export class RubyRegexError extends Error {}

export interface TranslatedRegex {
  source: string;
  flags: string;
  /** Number of capturing groups in the JS source. */
  groupCount: number;
  /** Named group → capture index (names are kept as JS names when valid). */
  names: Map<string, number>;
}

interface Mode {
  i: boolean;
  m: boolean;
  x: boolean;
}

const SYNTAX_CHARS = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);
const JS_IDENT = /^[A-Za-z_$][\w$]*$/;

const POSIX: Record<string, string> = {
  alnum: '\\p{L}\\p{M}\\p{Nd}',
  alpha: '\\p{L}\\p{M}',
  ascii: '\\x00-\\x7F',
  blank: '\\p{Zs}\\t',
  cntrl: '\\p{Cc}\\p{Cf}\\p{Co}\\p{Cn}',
  digit: '\\p{Nd}',
  graph: '\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}',
  lower: '\\p{Ll}',
  print: '\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}\\p{Zs}',
  punct: '\\p{P}$+<=>^`|~',
  space: '\\p{White_Space}',
  upper: '\\p{Lu}',
  xdigit: '0-9A-Fa-f',
  word: '\\p{L}\\p{M}\\p{Nd}\\p{Pc}',
};

// Ruby property names that differ in JavaScript; scripts need `Script=` in JS.
const PROPERTY_ALIASES: Record<string, string> = {
  alpha: 'Alphabetic',
  alphabetic: 'Alphabetic',
  upper: 'Uppercase',
  uppercase: 'Uppercase',
  lower: 'Lowercase',
  lowercase: 'Lowercase',
  space: 'White_Space',
  white_space: 'White_Space',
  digit: 'Nd',
  punct: 'P',
  any: 'Any',
  ascii: 'ASCII',
  emoji: 'Emoji',
};
const GENERAL_CATEGORY = /^(?:[LMNPSZC][a-z]?|Letter|Mark|Number|Punctuation|Symbol|Separator|Other|[A-Z][a-z]+_[A-Z][a-z_]+)$/;
const PROPERTY_SETS: Record<string, string> = {
  word: '\\p{L}\\p{M}\\p{Nd}\\p{Pc}',
  alnum: '\\p{L}\\p{M}\\p{Nd}',
  xdigit: '0-9A-Fa-f',
  blank: '\\p{Zs}\\t',
};

function jsProperty(name: string): string {
  const key = name.toLowerCase();
  const alias = PROPERTY_ALIASES[key];
  if (alias) return alias;
  if (GENERAL_CATEGORY.test(name)) return name;
  return `Script=${name}`;
}

function escapeLiteral(c: string, inClass: boolean): string {
  if (inClass) return c === '\\' || c === ']' || c === '[' || c === '^' || c === '-' ? `\\${c}` : c;
  return SYNTAX_CHARS.has(c) ? `\\${c}` : c;
}

function otherCase(c: string): string | undefined {
  const u = c.toUpperCase();
  const l = c.toLowerCase();
  if (u.length !== 1 || l.length !== 1) return undefined;
  if (u !== c) return u;
  if (l !== c) return l;
  return undefined;
}

class Translator {
  private pos = 0;
  private out = '';
  private unicode = false;
  private groupCount = 0;
  private readonly names = new Map<string, number>();
  private readonly hasNamedGroups: boolean;
  private globalI = false;
  private globalS = false;

  constructor(private readonly src: string) {
    this.hasNamedGroups = /\(\?(?:<(?![=!])|')/.test(src);
  }

  run(): TranslatedRegex {
    const mode: Mode = { i: false, m: false, x: false };
    // A leading (?i) / (?m) / (?x) applies to the whole pattern: use flags where JS has them.
    const lead = /^\(\?([imx]+)\)/.exec(this.src);
    if (lead) {
      for (const f of lead[1]!) {
        if (f === 'i') this.globalI = true;
        else if (f === 'm') this.globalS = true;
        else mode.x = true;
      }
      this.pos = lead[0].length;
    }
    this.alternation(mode, false);
    if (this.pos < this.src.length) throw new RubyRegexError(`unmatched ')' at ${this.pos}`);
    let flags = '';
    if (this.globalI) flags += 'i';
    if (this.globalS) flags += 's';
    if (this.unicode) flags += 'u';
    return { source: this.out, flags, groupCount: this.groupCount, names: this.names };
  }

  private peek(o = 0): string | undefined {
    return this.src[this.pos + o];
  }

  /**
   * Sequence of alternatives until ')' (when nested) or the end. `nested` 'open' stops at either
   * (the rest of a group after an inline (?i)).
   */
  private alternation(mode: Mode, nested: boolean | 'open'): void {
    const m: Mode = { ...mode };
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === ')') {
        if (!nested) throw new RubyRegexError(`unmatched ')' at ${this.pos}`);
        return;
      }
      if (m.x && /\s/.test(c)) {
        this.pos++;
        continue;
      }
      if (m.x && c === '#') {
        while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
        continue;
      }
      switch (c) {
        case '|':
          this.out += '|';
          this.pos++;
          break;
        case '(':
          this.group(m);
          break;
        case '[':
          this.charClass(m);
          this.quantifier();
          break;
        case '\\':
          this.escape(m);
          this.quantifier();
          break;
        case '.':
          this.out += m.m || this.globalS ? '[\\s\\S]' : '[^\\n]';
          this.pos++;
          this.quantifier();
          break;
        case '^':
          this.out += '(?<![^\\n])';
          this.pos++;
          break;
        case '$':
          this.out += '(?![^\\n])';
          this.pos++;
          break;
        case '*':
        case '+':
        case '?':
          throw new RubyRegexError(`target of repeat operator is not specified at ${this.pos}`);
        case '{': {
          // A '{' that is not a valid interval is a literal in Ruby.
          if (this.tryInterval()) throw new RubyRegexError(`target of repeat operator is not specified at ${this.pos}`);
          this.literal('{', m);
          this.pos++;
          this.quantifier();
          break;
        }
        default:
          this.literal(c, m);
          this.pos += c.length;
          this.quantifier();
      }
    }
    if (nested === true) throw new RubyRegexError('end pattern with unmatched parenthesis');
  }

  private literal(c: string, m: Mode): void {
    if (m.i && !this.globalI) {
      const o = otherCase(c);
      if (o !== undefined) {
        this.out += `[${escapeLiteral(c, true)}${escapeLiteral(o, true)}]`;
        return;
      }
    }
    this.out += escapeLiteral(c, false);
  }

  /** Returns the interval text at pos if it is a valid `{n}`, `{n,}`, `{n,m}` or `{,m}`, else undefined. */
  private tryInterval(): string | undefined {
    const m = /^\{(\d*)(,?)(\d*)\}/.exec(this.src.slice(this.pos, this.pos + 24));
    if (!m) return undefined;
    if (m[1] === '' && m[3] === '') return undefined;
    if (m[1] === '' && m[2] === '') return undefined;
    return m[0];
  }

  private quantifier(): void {
    for (;;) {
      const c = this.peek();
      let q: string | undefined;
      if (c === '*' || c === '+' || c === '?') q = c;
      else if (c === '{') {
        const iv = this.tryInterval();
        if (iv === undefined) return;
        q = iv.startsWith('{,') ? `{0${iv.slice(1)}` : iv;
        this.pos += iv.length - 1;
      } else return;
      this.pos++;
      this.out += q;
      const n = this.peek();
      if (n === '?') {
        this.out += '?';
        this.pos++;
      } else if (n === '+') {
        // Possessive: approximated by the greedy form (JS has no possessive quantifiers).
        this.pos++;
      }
      // Ruby allows stacked quantifiers like a** (rare); JS does not: wrap what we have.
      const next = this.peek();
      if (next === '*' || next === '+' || next === '?' || (next === '{' && this.tryInterval() !== undefined)) {
        throw new RubyRegexError(`nested quantifier at ${this.pos}`);
      }
      return;
    }
  }

  private group(mode: Mode): void {
    const start = this.pos;
    this.pos++; // (
    if (this.peek() !== '?') {
      if (this.hasNamedGroups) this.out += '(?:';
      else {
        this.out += '(';
        this.groupCount++;
      }
      this.alternation(mode, true);
      this.closeGroup(start);
      return;
    }
    this.pos++; // ?
    const c = this.peek();
    if (c === ':' || c === '=' || c === '!' || c === '>') {
      this.pos++;
      this.out += c === '>' ? '(?:' : `(?${c}`;
      this.alternation(mode, true);
      this.closeGroup(start);
      return;
    }
    if (c === '<' && (this.peek(1) === '=' || this.peek(1) === '!')) {
      this.out += `(?<${this.peek(1)}`;
      this.pos += 2;
      this.alternation(mode, true);
      this.closeGroup(start);
      return;
    }
    if (c === '<' || c === "'") {
      const close = c === '<' ? '>' : "'";
      const end = this.src.indexOf(close, this.pos + 1);
      if (end < 0) throw new RubyRegexError(`invalid group name at ${this.pos}`);
      const name = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
      this.groupCount++;
      if (!this.names.has(name)) this.names.set(name, this.groupCount);
      this.out += JS_IDENT.test(name) && this.names.get(name) === this.groupCount ? `(?<${name}>` : '(';
      this.alternation(mode, true);
      this.closeGroup(start);
      return;
    }
    if (c === '#') {
      const end = this.src.indexOf(')', this.pos);
      if (end < 0) throw new RubyRegexError('unterminated comment');
      this.pos = end + 1;
      return;
    }
    const opts = /^([imx]*)(?:-([imx]*))?([:)])/.exec(this.src.slice(this.pos));
    if (opts) {
      const m: Mode = { ...mode };
      for (const f of opts[1]!) m[f as keyof Mode] = true;
      for (const f of opts[2] ?? '') m[f as keyof Mode] = false;
      this.pos += opts[0].length;
      if (opts[3] === ':') {
        this.out += '(?:';
        this.alternation(m, true);
        this.closeGroup(start);
      } else {
        // (?i) in the middle applies to the rest of the enclosing group, alternatives included;
        // the enclosing group's ')' (or the end) is left to the caller.
        this.out += '(?:';
        this.alternation(m, 'open');
        this.out += ')';
      }
      return;
    }
    throw new RubyRegexError(`unsupported group syntax '(?${c ?? ''}' at ${start}`);
  }

  private closeGroup(start: number): void {
    if (this.peek() !== ')') throw new RubyRegexError(`end pattern with unmatched parenthesis (group at ${start})`);
    this.pos++;
    this.out += ')';
    this.quantifier();
  }

  /** Escape outside a class. */
  private escape(m: Mode): void {
    const c = this.src[this.pos + 1];
    if (c === undefined) throw new RubyRegexError('too short escape sequence');
    this.pos += 2;
    switch (c) {
      case 'A':
        this.out += '(?<![\\s\\S])';
        return;
      case 'z':
        this.out += '(?![\\s\\S])';
        return;
      case 'Z':
        this.out += '(?=\\n?(?![\\s\\S]))';
        return;
      case 'h':
        this.out += '[0-9A-Fa-f]';
        return;
      case 'H':
        this.out += '[^0-9A-Fa-f]';
        return;
      case 's':
        this.out += '[\\t-\\r ]';
        return;
      case 'S':
        this.out += '[^\\t-\\r ]';
        return;
      case 'R':
        this.out += '(?:\\r\\n|[\\n\\v\\f\\r\\x85\\u2028\\u2029])';
        return;
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 'b':
      case 'B':
        this.out += `\\${c}`;
        return;
      case 'k': {
        const open = this.peek();
        const close = open === '<' ? '>' : open === "'" ? "'" : undefined;
        if (!close) throw new RubyRegexError('invalid backref');
        const end = this.src.indexOf(close, this.pos + 1);
        if (end < 0) throw new RubyRegexError('invalid backref');
        const name = this.src.slice(this.pos + 1, end);
        this.pos = end + 1;
        const idx = this.names.get(name) ?? (/^-?\d+$/.test(name) ? Number(name) : undefined);
        if (idx === undefined) throw new RubyRegexError(`undefined name <${name}> reference`);
        this.out += `\\${idx}`;
        return;
      }
      case 'p':
      case 'P':
        this.out += this.property(c === 'P', false);
        return;
      case 'G':
      case 'K':
      case 'g':
      case 'X':
        throw new RubyRegexError(`\\${c} is not supported`);
      default:
        if (c >= '1' && c <= '9') {
          let digits = c;
          while (/[0-9]/.test(this.peek() ?? '') && Number(digits + this.peek()) <= this.groupCount) digits += this.src[this.pos++];
          this.out += `\\${digits}`;
          return;
        }
        this.out += this.commonEscape(c, false, m);
    }
  }

  /** Escapes that mean the same inside and outside a class: character escapes and literals. */
  private commonEscape(c: string, inClass: boolean, m: Mode): string {
    switch (c) {
      case 'n':
        return '\\n';
      case 't':
        return '\\t';
      case 'r':
        return '\\r';
      case 'f':
        return '\\f';
      case 'v':
        return '\\v';
      case 'a':
        return '\\x07';
      case 'e':
        return '\\x1B';
      case '0': {
        let oct = '';
        while (oct.length < 2 && /[0-7]/.test(this.peek() ?? '')) oct += this.src[this.pos++];
        return hexEscape(parseInt(oct || '0', 8));
      }
      case 'x': {
        const hm = /^[0-9A-Fa-f]{1,2}/.exec(this.src.slice(this.pos));
        if (!hm) throw new RubyRegexError('invalid hex escape');
        this.pos += hm[0].length;
        return hexEscape(parseInt(hm[0], 16));
      }
      case 'u': {
        let cp: number;
        if (this.peek() === '{') {
          const end = this.src.indexOf('}', this.pos);
          if (end < 0) throw new RubyRegexError('invalid Unicode escape');
          cp = parseInt(this.src.slice(this.pos + 1, end), 16);
          this.pos = end + 1;
        } else {
          const hm = /^[0-9A-Fa-f]{4}/.exec(this.src.slice(this.pos));
          if (!hm) throw new RubyRegexError('invalid Unicode escape');
          this.pos += 4;
          cp = parseInt(hm[0], 16);
        }
        if (!Number.isFinite(cp)) throw new RubyRegexError('invalid Unicode escape');
        if (cp > 0xffff) {
          this.unicode = true;
          return `\\u{${cp.toString(16)}}`;
        }
        return `\\u${cp.toString(16).padStart(4, '0')}`;
      }
      case 'c': {
        const x = this.src[this.pos++];
        if (x === undefined) throw new RubyRegexError('invalid control escape');
        return hexEscape(x.charCodeAt(0) & 0x1f);
      }
      default:
        if (/[A-Za-z]/.test(c)) {
          // Unknown letter escapes are the letter itself in Ruby (with a warning).
          if (!inClass && m.i && !this.globalI) {
            const o = otherCase(c);
            if (o) return `[${c}${o}]`;
          }
          return c;
        }
        return escapeLiteral(c, inClass);
    }
  }

  private property(negated: boolean, inClass: boolean): string {
    if (this.peek() !== '{') throw new RubyRegexError('invalid character property name');
    const end = this.src.indexOf('}', this.pos);
    if (end < 0) throw new RubyRegexError('invalid character property name');
    let name = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    this.unicode = true;
    const set = PROPERTY_SETS[name.toLowerCase()];
    if (set !== undefined) {
      if (!negated) return inClass ? set : `[${set}]`;
      if (inClass) throw new RubyRegexError(`negated \\p{${name}} inside a class is not supported`);
      return `[^${set}]`;
    }
    return `\\${negated ? 'P' : 'p'}{${jsProperty(name)}}`;
  }

  /** A character class, possibly with POSIX brackets and nested classes (flattened). */
  private charClass(m: Mode): void {
    this.pos++; // [
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const body = this.classBody(m, true);
    this.out += `[${negated ? '^' : ''}${body}]`;
  }

  private classBody(m: Mode, top: boolean): string {
    let body = '';
    let first = true;
    const caseExtra: string[] = [];
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === ']' && !first) {
        this.pos++;
        return body + caseExtra.join('');
      }
      first = false;
      if (c === '[') {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos));
        if (posix) {
          const set = POSIX[posix[2]!];
          if (set === undefined) throw new RubyRegexError(`invalid POSIX bracket type [:${posix[2]}:]`);
          if (posix[1]) throw new RubyRegexError(`negated POSIX bracket [:^${posix[2]}:] is not supported`);
          if (set.includes('\\p')) this.unicode = true;
          body += set;
          this.pos += posix[0].length;
          continue;
        }
        // Nested class: a union, flattened.
        this.pos++;
        if (this.peek() === '^') throw new RubyRegexError('negated nested character class is not supported');
        body += this.classBody(m, false);
        continue;
      }
      if (c === '&' && this.peek(1) === '&') throw new RubyRegexError('character class intersection (&&) is not supported');
      if (c === '\\') {
        const e = this.src[this.pos + 1];
        if (e === undefined) throw new RubyRegexError('premature end of char-class');
        this.pos += 2;
        switch (e) {
          case 'd':
          case 'D':
          case 'w':
          case 'W':
            body += `\\${e}`;
            break;
          case 's':
            body += '\\t-\\r ';
            break;
          case 'S':
            body += '\\S';
            break;
          case 'h':
            body += '0-9A-Fa-f';
            break;
          case 'b':
            body += '\\x08';
            break;
          case 'p':
          case 'P':
            body += this.property(e === 'P', true);
            break;
          default: {
            const lit = this.commonEscape(e, true, m);
            body += lit;
            if (m.i && !this.globalI && lit.length === 1) {
              const o = otherCase(lit);
              if (o) caseExtra.push(escapeLiteral(o, true));
            }
          }
        }
        continue;
      }
      // A range a-z: add the other-case range under local (?i).
      if (m.i && !this.globalI && this.peek(1) === '-' && this.peek(2) !== undefined && this.peek(2) !== ']') {
        const from = c;
        const to = this.src[this.pos + 2]!;
        if (/[a-z]/.test(from) && /[a-z]/.test(to)) caseExtra.push(`${from.toUpperCase()}-${to.toUpperCase()}`);
        else if (/[A-Z]/.test(from) && /[A-Z]/.test(to)) caseExtra.push(`${from.toLowerCase()}-${to.toLowerCase()}`);
      } else if (m.i && !this.globalI) {
        const o = otherCase(c);
        if (o) caseExtra.push(escapeLiteral(o, true));
      }
      if (c === '-') body += '-';
      else body += escapeLiteral(c, true);
      this.pos++;
    }
    throw new RubyRegexError(top ? 'premature end of char-class' : 'premature end of nested char-class');
  }
}

function hexEscape(code: number): string {
  return `\\x${code.toString(16).padStart(2, '0').toUpperCase()}`;
}

/** Translate a Ruby regex source into JavaScript. Throws RubyRegexError on syntax it cannot express. */
export function translateRubyRegex(source: string): TranslatedRegex {
  return new Translator(source).run();
}

/** Compile a Ruby regex source as a JS RegExp; `extraFlags` such as 'g' or 'y' are added. */
export function compileRubyRegex(source: string, extraFlags = ''): RegExp {
  const t = translateRubyRegex(source);
  try {
    return new RegExp(t.source, t.flags + extraFlags);
  } catch (e) {
    throw new RubyRegexError(`${(e as Error).message} (from Ruby regex ${JSON.stringify(source)})`);
  }
}

/** Escape a string for literal use inside a Ruby regex (Regexp.quote). */
export function rubyRegexpQuote(s: string): string {
  return s.replace(/[.*?+^$|()[\]{}\\/\- \t\n\r\f\v#]/g, (c) => {
    switch (c) {
      case ' ':
        return '\\ ';
      case '\t':
        return '\\t';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\f':
        return '\\f';
      case '\v':
        return '\\v';
      default:
        return `\\${c}`;
    }
  });
}

/**
 * Translate a Ruby gsub replacement (`\1`, `\0`, `\&`, `\k<name>`, `` \` ``, `\'`, `\\`) into a JS
 * replacement string. `$` is escaped; back-references to groups that do not exist become empty, as in Ruby
 * (where a pattern has named groups, numbered references are empty too). A `\k<name>` naming no group
 * throws, as Ruby raises when it substitutes.
 */
export function translateRubyReplacement(rep: string, regex: TranslatedRegex): string {
  if (!rep.includes('\\') && !rep.includes('$')) return rep;
  let out = '';
  for (let i = 0; i < rep.length; i++) {
    const c = rep[i]!;
    if (c === '$') {
      out += '$$';
      continue;
    }
    if (c !== '\\' || i + 1 >= rep.length) {
      out += c;
      continue;
    }
    const n = rep[i + 1]!;
    i++;
    if (n >= '0' && n <= '9') {
      const idx = Number(n);
      // $0N is unambiguous even when a digit follows (Ruby back-references are one digit).
      if (idx === 0) out += '$&';
      else if (idx <= regex.groupCount && regex.names.size === 0) out += `$0${idx}`;
    } else if (n === '&') out += '$&';
    else if (n === '`') out += '$`';
    else if (n === "'") out += "$'";
    else if (n === '\\') out += '\\';
    else if (n === 'k' && rep[i + 1] === '<') {
      const end = rep.indexOf('>', i + 2);
      const name = end > 0 ? rep.slice(i + 2, end) : '';
      const idx = regex.names.get(name);
      if (end < 0) out += '\\k';
      else if (idx === undefined) throw new RubyRegexError(`undefined group name reference: ${name}`);
      else {
        out += idx < 10 ? `$0${idx}` : `$${idx}`;
        i = end;
      }
    } else out += `\\${n}`;
  }
  return out;
}
