import type { TextEdit } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/model';
import { lex } from '../language/lexer';
import type { Position } from '../language/position';
import type { Comment, Token } from '../language/tokens';

const INDENT = '  ';
const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);
const OPERATORS = new Set(['+', '-', '*', '/', '==', '!=', '<', '<=', '>', '>=']);

type Piece = { readonly kind: 'token'; readonly token: Token } | { readonly kind: 'comment'; readonly comment: Comment };

/**
 * The canonical layout of a document, or undefined when it has syntax errors (a
 * formatter guessing at broken text could lose some of it, and would fight the user
 * mid-edit). Line structure is kept;
 * only whitespace changes: indentation by bracket depth, one space after `:` and `,`,
 * none before `(` of a call, runs of blank lines collapsed to one, and trailing spaces,
 * leading and trailing blank lines dropped. The gap before a trailing comment is kept,
 * so comments aligned in a column stay aligned. Formatting its own output changes
 * nothing.
 */
export function formatText(text: string, analysis: Analysis): string | undefined {
  // A checker that failed leaves no word on the syntax, so the text counts as broken.
  if (analysis.source.errors.length > 0 || analysis.diagnostics.some((d) => d.code === 'internal-error')) return undefined;
  const { tokens, comments, errors } = lex(text);
  if (errors.length > 0) return undefined;
  const pieces = merge(tokens, comments);
  const out: string[] = [];
  const stack: string[] = [];
  let line: Piece[] = [];
  let blank = false;
  const emit = () => {
    if (line.length === 0) return;
    if (blank && out.length > 0) out.push('');
    blank = false;
    let leadingClosers = 0;
    while (leadingClosers < line.length && isToken(line[leadingClosers], CLOSERS)) leadingClosers++;
    const depth = Math.max(0, stack.length - leadingClosers);
    let s = INDENT.repeat(depth);
    for (let i = 0; i < line.length; i++) {
      const p = line[i];
      if (i > 0) s += gap(line[i - 1], p, i >= 2 ? line[i - 2] : undefined);
      s += p.kind === 'token' ? p.token.text : p.comment.text;
      if (p.kind === 'token') {
        if (OPENERS.has(p.token.kind)) stack.push(p.token.kind);
        else if (CLOSERS.has(p.token.kind)) stack.pop();
      }
    }
    out.push(...s.split('\n').map((l) => l.replace(/[ \t\r]+$/, '')));
    line = [];
  };
  for (const p of pieces) {
    if (p.kind === 'token' && p.token.kind === 'newline') {
      if (line.length === 0) blank = true;
      else emit();
      continue;
    }
    line.push(p);
  }
  emit();
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return out.length ? out.join(eol) + eol : '';
}

/** Edits that turn the document into its canonical layout: one edit over the span that differs. */
export function formattingEdits(text: string, analysis: Analysis, positionAt: (offset: number) => Position): TextEdit[] {
  const formatted = formatText(text, analysis);
  if (formatted === undefined || formatted === text) return [];
  let start = 0;
  const max = Math.min(text.length, formatted.length);
  while (start < max && text.charCodeAt(start) === formatted.charCodeAt(start)) start++;
  let endOld = text.length;
  let endNew = formatted.length;
  while (endOld > start && endNew > start && text.charCodeAt(endOld - 1) === formatted.charCodeAt(endNew - 1)) {
    endOld--;
    endNew--;
  }
  // Never split a CRLF pair between the kept and the replaced text.
  if (start > 0 && text[start - 1] === '\r') start--;
  if (endOld < text.length && text[endOld - 1] === '\r' && text[endOld] === '\n') {
    endOld++;
    endNew++;
  }
  return [{ range: { start: positionAt(start), end: positionAt(endOld) }, newText: formatted.slice(start, endNew) }];
}

function merge(tokens: readonly Token[], comments: readonly Comment[]): Piece[] {
  const out: Piece[] = [];
  let c = 0;
  for (const t of tokens) {
    if (t.kind === 'eof') break;
    while (c < comments.length && before(comments[c].range.start, t.range.start)) out.push({ kind: 'comment', comment: comments[c++] });
    out.push({ kind: 'token', token: t });
  }
  while (c < comments.length) out.push({ kind: 'comment', comment: comments[c++] });
  return out;
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function isToken(p: Piece, kinds: ReadonlySet<string>): boolean {
  return p.kind === 'token' && kinds.has(p.token.kind);
}

function kindOf(p: Piece | undefined): string | undefined {
  return p === undefined ? undefined : p.kind === 'comment' ? 'comment' : p.token.kind;
}

/** A '-' is a sign, not a subtraction, where no operand precedes it. */
function isUnaryMinus(p: Piece, prev: Piece | undefined): boolean {
  if (kindOf(p) !== '-') return false;
  const k = kindOf(prev);
  return k === undefined || k === 'comment' || k === '(' || k === '[' || k === ',' || k === ':' || k === '=' || OPERATORS.has(k) || k === '{';
}

function gap(a: Piece, b: Piece, beforeA: Piece | undefined): string {
  const ka = kindOf(a)!;
  const kb = kindOf(b)!;
  if (b.kind === 'comment') {
    const end = a.kind === 'comment' ? a.comment.range.end : a.token.range.end;
    const start = b.comment.range.start;
    return ' '.repeat(end.line === start.line ? Math.max(1, start.character - end.character) : 1);
  }
  if (ka === 'comment') return ' ';
  if (kb === ',' || kb === ')' || kb === ']' || kb === ':') return '';
  if (ka === '(' || ka === '[') return '';
  if (ka === ',' || ka === ':') return ' ';
  if (kb === '(') return ka === 'ident' ? '' : ' ';
  // A `[` glued to a name indexes it (`in_shape[0]`); a space would make it a list.
  if (kb === '[' && ka === 'ident' && a.kind === 'token' && b.token.offset === a.token.offset + a.token.text.length) return '';
  if (isUnaryMinus(a, beforeA)) return '';
  return ' ';
}
