import type { Comment } from './tokens';
import type { Position } from './position';
import { assemble, Parser, parseText, type ParsedText, type TopItem } from './parser';
import { Scanner, type LexError } from './scanner';

/** Characters past a token's end the lexer may read to end it (a number's exponent sign and digit). */
const LEXER_LOOKAHEAD = 3;

/**
 * Parses `text`, the next version of `old.text`, reusing the top-level items the edit
 * cannot have changed. The result equals `parseText(text, true)`; `old` must come from
 * parseText(…, true) or reparse, and is consumed: items after the edit are moved to their
 * new lines in place.
 *
 * Items before the edit are kept when everything the parser looked at for them, lexer
 * lookahead included, ends before the first changed character. Parsing restarts at the
 * first item that is not kept and stops at the first top-level item start that lies on
 * a line wholly inside the unchanged end of the text and where an old item started in the
 * same parser state: from there on the tokens, and so the items, are the old ones.
 */
export function reparse(old: ParsedText, text: string): ParsedText {
  const before = old.text;
  if (before === text) return old;
  if (old.items.some((item) => !item.positions)) return parseText(text, true);
  const prefix = commonPrefix(before, text);
  const suffix = commonSuffix(before, text, Math.min(before.length, text.length) - prefix);
  const delta = text.length - before.length;
  const unchangedFrom = text.length - suffix;

  const items = old.items;
  let kept = 0;
  while (kept < items.length && items[kept].lookahead + LEXER_LOOKAHEAD <= prefix) kept++;
  // The last item's lookahead reaches the end of the text, so some item is always re-read;
  // with none kept, reading starts at the top, where comments and blank lines may have changed.
  if (kept === items.length) return parseText(text, true);
  const restart = kept > 0 ? items[kept] : TOP;
  const scanner = new Scanner(text, restart.offset, restart.line, restart.offset - restart.character);
  const parser = new Parser(scanner, true, restart.errorLine);
  const fresh: TopItem[] = [];
  let resumed = -1;
  let lineDelta = 0;
  for (;;) {
    const first = parser.itemStart();
    if (first < 0) break;
    const offset = scanner.starts[first];
    // The line break before the item's line unchanged too: then its line starts at the same place in both texts.
    if (offset - scanner.cols[first] > unchangedFrom) {
      const b = itemAt(items, offset - delta, kept);
      if (b >= 0) {
        const line = scanner.lines[first];
        const moved = line - items[b].line;
        const errorLine = parser.errorLine();
        if ((errorLine < line ? -1 : errorLine) === (items[b].errorLine < 0 ? -1 : items[b].errorLine + moved)) {
          resumed = b;
          lineDelta = moved;
          break;
        }
      }
    }
    fresh.push(parser.parseItem(first));
  }

  const from = startOf(restart);
  if (resumed < 0) {
    const lineCount = parser.eofLine() + 1;
    return assemble(text, [...items.slice(0, kept), ...fresh], [...startingBefore(old.lexErrors, from), ...scanner.errors], [...startingBefore(old.source.comments, from), ...scanner.comments], lineCount);
  }
  const oldResume = startOf(items[resumed]);
  const newResume = { line: oldResume.line + lineDelta, character: oldResume.character };
  const tail = items.slice(resumed);
  const tailErrors = startingFrom(old.lexErrors, oldResume);
  const tailComments = startingFrom(old.source.comments, oldResume);
  if (delta !== 0 || lineDelta !== 0) {
    for (const item of tail) {
      item.offset += delta;
      item.lookahead += delta;
      if (lineDelta === 0) continue;
      item.line += lineDelta;
      if (item.errorLine >= 0) item.errorLine += lineDelta;
      for (const p of item.positions!) p.line += lineDelta;
    }
    if (lineDelta !== 0) {
      for (const e of tailErrors) moveRange(e.range, lineDelta);
      for (const c of tailComments) moveRange(c.range, lineDelta);
    }
  }
  return assemble(
    text,
    [...items.slice(0, kept), ...fresh, ...tail],
    [...startingBefore(old.lexErrors, from), ...startingBefore(scanner.errors, newResume), ...tailErrors],
    [...startingBefore(old.source.comments, from), ...startingBefore(scanner.comments, newResume), ...tailComments],
    old.source.lineCount + lineDelta,
  );
}

/**
 * Length of the common start of two texts. Equal slices are found by doubling then
 * halving, because comparing two long strings runs at memory speed while a loop over
 * character codes does not: a 20,000-line document is compared in microseconds.
 */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let same = 0;
  let step = 256;
  while (same + step <= n && a.slice(same, same + step) === b.slice(same, same + step)) {
    same += step;
    step *= 2;
  }
  let differs = Math.min(n, same + step);
  while (differs - same > 64) {
    const mid = (same + differs) >> 1;
    if (a.slice(same, mid) === b.slice(same, mid)) same = mid;
    else differs = mid;
  }
  while (same < n && a.charCodeAt(same) === b.charCodeAt(same)) same++;
  return same;
}

/** Length of the common end of two texts, at most `limit` (so it does not overlap the common start). */
function commonSuffix(a: string, b: string, limit: number): number {
  const tail = (s: string, from: number, to: number) => s.slice(s.length - to, s.length - from);
  let same = 0;
  let step = 256;
  while (same + step <= limit && tail(a, same, same + step) === tail(b, same, same + step)) {
    same += step;
    step *= 2;
  }
  let differs = Math.min(limit, same + step);
  while (differs - same > 64) {
    const mid = (same + differs) >> 1;
    if (tail(a, same, mid) === tail(b, same, mid)) same = mid;
    else differs = mid;
  }
  while (same < limit && a.charCodeAt(a.length - 1 - same) === b.charCodeAt(b.length - 1 - same)) same++;
  return same;
}

/** Where reading starts when no item is kept. */
const TOP = { offset: 0, line: 0, character: 0, errorLine: -1 };

function startOf(item: Pick<TopItem, 'line' | 'character'>): Position {
  return { line: item.line, character: item.character };
}

function moveRange(r: { start: Position; end: Position }, lines: number): void {
  r.start.line += lines;
  r.end.line += lines;
}

/** Index of the old item (from `lo` on) whose first token was at `offset`, or -1. */
function itemAt(items: readonly TopItem[], offset: number, lo: number): number {
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const o = items[mid].offset;
    if (o === offset) return mid;
    if (o < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

type Located = Comment | LexError;

function isBefore(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** The leading run of `list` (in text order) that starts before `p`. */
function startingBefore<T extends Located>(list: readonly T[], p: Position): readonly T[] {
  let n = 0;
  while (n < list.length && isBefore(list[n].range.start, p)) n++;
  return n === list.length ? list : list.slice(0, n);
}

/** The trailing run of `list` (in text order) that starts at or after `p`. */
function startingFrom<T extends Located>(list: readonly T[], p: Position): readonly T[] {
  let n = list.length;
  while (n > 0 && !isBefore(list[n - 1].range.start, p)) n--;
  return list.slice(n);
}
