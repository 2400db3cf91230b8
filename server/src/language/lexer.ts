import type { Range } from './position';
import type { Comment, Token, TokenKind } from './tokens';

export interface LexError {
  readonly code: 'unexpected-character' | 'unterminated-string' | 'unterminated-comment' | 'invalid-number';
  readonly message: string;
  readonly range: Range;
}

export interface LexResult {
  readonly tokens: Token[];
  readonly comments: Comment[];
  readonly errors: LexError[];
}

const PUNCT = new Set('()[]{},:=+-*/');

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

/**
 * Single pass, linear in the text. Never throws: anything it cannot read becomes a
 * LexError and is skipped, so the parser always gets a token stream ending in `eof`.
 */
export function lex(text: string): LexResult {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  const errors: LexError[] = [];
  let i = 0;
  let line = 0;
  let lineStart = 0;
  const n = text.length;

  const pos = (offset: number) => ({ line, character: offset - lineStart });
  const push = (kind: TokenKind, start: number, end: number) => {
    tokens.push(new LexedToken(kind, text.slice(start, end), start, line, start - lineStart, end - lineStart));
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    // LSP ends a line at \n, \r\n or a lone \r; positions must agree with the editor's.
    if (c === 10 /* \n */ || c === 13 /* \r */) {
      const width = c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      push('newline', i, i + width);
      i += width;
      line++;
      lineStart = i;
      continue;
    }
    if (c === 32 || c === 9 || c === 0xfeff) {
      i++;
      continue;
    }
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      const start = i;
      while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      comments.push({ text: text.slice(start, i), block: false, range: { start: pos(start), end: pos(i) } });
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const start = i;
      const startPos = pos(i);
      i += 2;
      let closed = false;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 42 && text.charCodeAt(i + 1) === 47) {
          i += 2;
          closed = true;
          break;
        }
        if (d === 10 || (d === 13 && text.charCodeAt(i + 1) !== 10)) {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      const r = { start: startPos, end: pos(i) };
      comments.push({ text: text.slice(start, i), block: true, range: r });
      if (!closed) {
        errors.push({ code: 'unterminated-comment', message: 'This comment is never closed: add `*/` where it should end.', range: r });
      }
      continue;
    }
    if (isIdentStart(c)) {
      const start = i;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      push('ident', start, i);
      continue;
    }
    if (isDigit(c) || (c === 46 /* . */ && isDigit(text.charCodeAt(i + 1)))) {
      i = lexNumber(text, i, pos, push, errors);
      continue;
    }
    if (c === 34 /* " */) {
      const start = i;
      i++;
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
      push('string', start, i);
      if (!closed) {
        errors.push({
          code: 'unterminated-string',
          message: 'This string is never closed: add `"` before the end of the line.',
          range: { start: pos(start), end: pos(i) },
        });
      }
      continue;
    }
    const ch = text[i];
    if (PUNCT.has(ch)) {
      push(ch as TokenKind, i, i + 1);
      i++;
      continue;
    }
    // Report a run of unreadable characters once, not once per character.
    const start = i;
    const cp = text.codePointAt(i) ?? c;
    i += cp > 0xffff ? 2 : 1;
    while (i < n && !isReadableStart(text, i)) i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    errors.push({
      code: 'unexpected-character',
      message: `Unexpected character ${JSON.stringify(text.slice(start, Math.min(i, start + 8)))}: names use letters, digits and '_', strings use double quotes.`,
      range: { start: pos(start), end: pos(i) },
    });
  }
  tokens.push({ kind: 'eof', text: '', offset: n, range: { start: pos(n), end: pos(n) } });
  return { tokens, comments, errors };
}

/**
 * Tokens never span lines, so a token stores its line and columns and builds its range
 * object only when asked: most punctuation never is, and a large file has 10^5 tokens.
 */
class LexedToken implements Token {
  private cached: Range | undefined;
  constructor(
    readonly kind: TokenKind,
    readonly text: string,
    readonly offset: number,
    private readonly line: number,
    private readonly startChar: number,
    private readonly endChar: number,
  ) {}

  get range(): Range {
    return (this.cached ??= { start: { line: this.line, character: this.startChar }, end: { line: this.line, character: this.endChar } });
  }
}

function isReadableStart(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c === 10 || c === 13 || c === 32 || c === 9 || c === 34 || isIdentPart(c) || PUNCT.has(text[i]);
}

function lexNumber(
  text: string,
  start: number,
  pos: (offset: number) => { line: number; character: number },
  push: (kind: TokenKind, start: number, end: number) => void,
  errors: LexError[],
): number {
  let i = start;
  const n = text.length;
  const digits = () => {
    while (i < n && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 95)) i++;
  };
  digits();
  if (text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
    i++;
    digits();
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    if (text.charCodeAt(j) === 43 || text.charCodeAt(j) === 45) j++;
    if (isDigit(text.charCodeAt(j))) {
      i = j;
      digits();
    }
  }
  // A number glued to letters ("3x3", "12abc") is one bad token, not a number and a name.
  let end = i;
  while (end < n && isIdentPart(text.charCodeAt(end))) end++;
  push('number', start, end);
  const raw = text.slice(start, end);
  if (end !== i || !isWellFormedNumber(raw)) {
    errors.push({
      code: 'invalid-number',
      message: `${JSON.stringify(raw)} is not a number: write digits with an optional fraction and exponent, e.g. 42, 0.5, 1e-3, 3_000_000.`,
      range: { start: pos(start), end: pos(end) },
    });
  }
  return end;
}

function isWellFormedNumber(raw: string): boolean {
  return /^(\d+(_\d+)*)?(\.\d+(_\d+)*)?([eE][+-]?\d+)?$/.test(raw) && /\d/.test(raw[0] === '.' ? raw.slice(1, 2) : raw[0]);
}

export function numberValue(raw: string): number {
  return Number(raw.replace(/_/g, ''));
}
