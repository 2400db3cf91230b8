import type { Position, Range } from './position';
import type { Comment, TokenKind } from './tokens';
import { clip } from '../util/clip';

export interface LexError {
  readonly code: 'unexpected-character' | 'unterminated-string' | 'unterminated-comment' | 'invalid-number';
  readonly message: string;
  readonly range: Range;
}

/** Token kinds as numbers: punctuation is its own character code, the rest below 32. */
export const IDENT = 1;
export const NUMBER = 2;
export const STRING = 3;
export const NEWLINE = 4;
export const EOF = 5;
/** Two-character comparison operators. */
export const EQ_EQ = 6;
export const NOT_EQ = 7;
export const LESS_EQ = 8;
export const GREATER_EQ = 9;

const KIND_NAMES: TokenKind[] = [];
KIND_NAMES[IDENT] = 'ident';
KIND_NAMES[NUMBER] = 'number';
KIND_NAMES[STRING] = 'string';
KIND_NAMES[NEWLINE] = 'newline';
KIND_NAMES[EOF] = 'eof';
KIND_NAMES[EQ_EQ] = '==';
KIND_NAMES[NOT_EQ] = '!=';
KIND_NAMES[LESS_EQ] = '<=';
KIND_NAMES[GREATER_EQ] = '>=';
for (const ch of '()[]{},:=+-*/<>') KIND_NAMES[ch.charCodeAt(0)] = ch as TokenKind;

export function kindName(kind: number): TokenKind {
  return KIND_NAMES[kind];
}

// Character classes of the ASCII range; everything above is neither.
const IDENT_START = 1;
const DIGIT = 2;
const PUNCT = 4;
const CLASS = new Uint8Array(128);
for (let c = 65; c <= 90; c++) CLASS[c] = IDENT_START;
for (let c = 97; c <= 122; c++) CLASS[c] = IDENT_START;
CLASS[95] = IDENT_START;
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
for (const ch of '()[]{},:=+-*/<>') CLASS[ch.charCodeAt(0)] = PUNCT;

function isIdentPart(c: number): boolean {
  return c < 128 && (CLASS[c] & (IDENT_START | DIGIT)) !== 0;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The lexer. Tokens live in parallel typed arrays rather than as objects: a large file
 * has 10^5 tokens, and the parser needs only their kind, offsets and line/column, slicing
 * the text for names and literals. It lexes on demand (`fill`), so an incremental parse
 * that starts at a known token boundary lexes only as far as the parser reads.
 * Single pass, linear in the text, never throws: anything it cannot read becomes a
 * LexError and is skipped, so the parser always gets a token stream ending in EOF.
 */
export class Scanner {
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  lines: Int32Array;
  /** Column of the first code unit; a token never spans lines, so its end column is col + length. */
  cols: Int32Array;
  count = 0;
  readonly comments: Comment[] = [];
  readonly errors: LexError[] = [];
  private i: number;
  private line: number;
  private lineStart: number;
  private done = false;

  /** Starts at `offset`, which must be a token boundary outside comments and strings. */
  constructor(readonly text: string, offset = 0, line = 0, lineStart = 0, capacity = 64) {
    this.i = offset;
    this.line = line;
    this.lineStart = lineStart;
    this.kinds = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.lines = new Int32Array(capacity);
    this.cols = new Int32Array(capacity);
  }

  /**
   * Lexes until token `index` exists or the text has ended (the last token is then EOF).
   * It reads a few dozen tokens further: one long loop is optimised by the engine early,
   * a call per token would run in the interpreter for much of a cold start.
   */
  fill(index: number): void {
    if (this.count <= index && !this.done) this.scan(index + 64);
  }

  private grow(): void {
    const size = this.kinds.length * 2;
    const copy = <T extends Uint8Array | Int32Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.kinds = copy(this.kinds, new Uint8Array(size));
    this.starts = copy(this.starts, new Int32Array(size));
    this.ends = copy(this.ends, new Int32Array(size));
    this.lines = copy(this.lines, new Int32Array(size));
    this.cols = copy(this.cols, new Int32Array(size));
  }

  private push(kind: number, start: number, end: number): void {
    const k = this.count;
    if (k === this.kinds.length) this.grow();
    this.kinds[k] = kind;
    this.starts[k] = start;
    this.ends[k] = end;
    this.lines[k] = this.line;
    this.cols[k] = start - this.lineStart;
    this.count = k + 1;
  }

  private pos(offset: number): Position {
    return { line: this.line, character: offset - this.lineStart };
  }

  /** Lexes tokens until token `last` exists or the text ends, skipping blanks, comments and unreadable characters. */
  private scan(last: number): void {
    const text = this.text;
    const n = text.length;
    let i = this.i;
    while (this.count <= last) {
      if (i >= n) {
        this.push(EOF, n, n);
        this.done = true;
        break;
      }
      const c = text.charCodeAt(i);
      // LSP ends a line at \n, \r\n or a lone \r; positions must agree with the editor's.
      if (c === 10 /* \n */ || c === 13 /* \r */) {
        const width = c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
        this.push(NEWLINE, i, i + width);
        i += width;
        this.line++;
        this.lineStart = i;
        continue;
      }
      if (c === 32 || c === 9 || c === 0xfeff) {
        i++;
        continue;
      }
      const cls = c < 128 ? CLASS[c] : 0;
      if (cls === IDENT_START) {
        const start = i;
        i++;
        while (i < n && isIdentPart(text.charCodeAt(i))) i++;
        this.push(IDENT, start, i);
        continue;
      }
      if (cls === DIGIT || (c === 46 /* . */ && isDigit(text.charCodeAt(i + 1)))) {
        i = this.number(i);
        continue;
      }
      if (c === 34 /* " */) {
        i = this.string(i);
        continue;
      }
      if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
        const start = i;
        while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
        this.comments.push({ text: text.slice(start, i), block: false, range: { start: this.pos(start), end: this.pos(i) } });
        continue;
      }
      if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
        i = this.blockComment(i);
        continue;
      }
      if (text.charCodeAt(i + 1) === 61 /* = */ && (c === 61 || c === 33 /* ! */ || c === 60 /* < */ || c === 62 /* > */)) {
        this.push(c === 61 ? EQ_EQ : c === 33 ? NOT_EQ : c === 60 ? LESS_EQ : GREATER_EQ, i, i + 2);
        i += 2;
        continue;
      }
      if (cls === PUNCT) {
        this.push(c, i, i + 1);
        i++;
        continue;
      }
      i = this.unreadable(i);
    }
    this.i = i;
  }

  private blockComment(start: number): number {
    const text = this.text;
    const n = text.length;
    const startPos = this.pos(start);
    let i = start + 2;
    let closed = false;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d === 42 && text.charCodeAt(i + 1) === 47) {
        i += 2;
        closed = true;
        break;
      }
      if (d === 10 || (d === 13 && text.charCodeAt(i + 1) !== 10)) {
        this.line++;
        this.lineStart = i + 1;
      }
      i++;
    }
    const endPos = this.pos(i);
    this.comments.push({ text: text.slice(start, i), block: true, range: { start: startPos, end: endPos } });
    if (!closed) {
      // Its own range: an incremental parse moves the comment's and the error's positions separately.
      const range = { start: { line: startPos.line, character: startPos.character }, end: { line: endPos.line, character: endPos.character } };
      this.errors.push({ code: 'unterminated-comment', message: 'This comment is never closed: add `*/` where it should end.', range });
    }
    return i;
  }

  private string(start: number): number {
    const text = this.text;
    const n = text.length;
    let i = start + 1;
    let closed = false;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d === 92 /* \ */ && i + 1 < n && text.charCodeAt(i + 1) !== 10) {
        i += 2;
        continue;
      }
      if (d === 34) {
        i++;
        closed = true;
        break;
      }
      if (d === 10 || d === 13) break;
      i++;
    }
    this.push(STRING, start, i);
    if (!closed) {
      this.errors.push({
        code: 'unterminated-string',
        message: 'This string is never closed: add `"` before the end of the line.',
        range: { start: this.pos(start), end: this.pos(i) },
      });
    }
    return i;
  }

  private number(start: number): number {
    const text = this.text;
    const n = text.length;
    let i = start;
    while (i < n && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 95)) i++;
    if (text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
      i++;
      while (i < n && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 95)) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 101 || e === 69) {
      let j = i + 1;
      if (text.charCodeAt(j) === 43 || text.charCodeAt(j) === 45) j++;
      if (isDigit(text.charCodeAt(j))) {
        i = j;
        while (i < n && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 95)) i++;
      }
    }
    // A number glued to letters ("3x3", "12abc") is one bad token, not a number and a name.
    let end = i;
    while (end < n && isIdentPart(text.charCodeAt(end))) end++;
    this.push(NUMBER, start, end);
    if (end !== i || !isPlainNumber(text, start, end)) {
      const raw = text.slice(start, end);
      this.errors.push({
        code: 'invalid-number',
        message: `${JSON.stringify(clip(raw))} is not a number: write digits with an optional fraction and exponent, e.g. 42, 0.5, 1e-3, 3_000_000.`,
        range: { start: this.pos(start), end: this.pos(end) },
      });
    }
    return end;
  }

  /** Reports a run of unreadable characters once, not once per character. */
  private unreadable(start: number): number {
    const text = this.text;
    const n = text.length;
    let i = start + ((text.codePointAt(start) ?? 0) > 0xffff ? 2 : 1);
    while (i < n && !isReadableStart(text.charCodeAt(i))) i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    this.errors.push({
      code: 'unexpected-character',
      message: `Unexpected character ${JSON.stringify(text.slice(start, Math.min(i, start + 8)))}: names use letters, digits and '_', strings use double quotes.`,
      range: { start: this.pos(start), end: this.pos(i) },
    });
    return i;
  }
}

function isReadableStart(c: number): boolean {
  return c === 10 || c === 13 || c === 32 || c === 9 || c === 34 || (c < 128 && CLASS[c] !== 0);
}

/**
 * Digits, '_' only between digits, an optional fraction and exponent, and a digit first
 * (after a leading '.'). The common case, plain digits, never reaches the regular expression.
 */
function isPlainNumber(text: string, start: number, end: number): boolean {
  let k = start;
  while (k < end && isDigit(text.charCodeAt(k))) k++;
  if (k === end) return true;
  const raw = text.slice(start, end);
  return /^(\d+(_\d+)*)?(\.\d+(_\d+)*)?([eE][+-]?\d+)?$/.test(raw) && /\d/.test(raw[0] === '.' ? raw.slice(1, 2) : raw[0]);
}
