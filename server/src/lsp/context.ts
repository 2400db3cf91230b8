import type * as A from '../language/ast';
import { lex } from '../language/lexer';
import { comparePositions, type Position, type Range } from '../language/position';
import { DECLARATION_KEYWORDS, type Token } from '../language/tokens';
import { lastStartingAtOrBefore } from './locate';

/**
 * Where the cursor is, for completion and signature help, in text that is usually
 * half-typed. The syntax tree gives a nearby statement start to begin from (so the cost
 * is one statement, not the file); from there the tokens up to the cursor are replayed
 * through a small bracket machine that follows the parser's rules: statements end at
 * newlines, except inside brackets, where a newline ends the bracket only when neither
 * the previous token nor the next one continues it.
 */

export type Container =
  | { readonly kind: 'top' }
  | { readonly kind: 'model'; readonly name: string }
  | { readonly kind: 'block'; readonly name: string; readonly params: readonly string[] }
  | { readonly kind: 'dataset'; readonly name: string }
  | { readonly kind: 'train' }
  | { readonly kind: 'repeat' }
  | { readonly kind: 'residual' }
  /** Between a concat's paths, where only `{ ... }` goes. */
  | { readonly kind: 'concat' }
  | { readonly kind: 'unknown' };

export interface OpenCall {
  readonly callee: string;
  readonly calleeRange: Range;
  /** Just after the '('. */
  readonly open: Position;
  /** The setting or argument this call is the value of (optimizer: adam(…), bidirectional(lstm(…))). */
  readonly valueOf?: ValueSlot;
  /** A block's parameter list rather than a call. */
  readonly params: boolean;
  /** Index of the argument the cursor is in. */
  argIndex: number;
  /** Positional arguments written before the current one. */
  positional: number;
  /** Names of the named arguments written before the current one. */
  readonly usedNames: string[];
  /** The current argument's name, once `name:` is written. */
  currentName?: string;
  /** Tokens of the current argument's value. */
  current: Token[];
}

export type ValueSlot =
  | { readonly kind: 'setting'; readonly container: Container; readonly key: string }
  | { readonly kind: 'arg'; readonly call: OpenCall; readonly name?: string; readonly position: number };

export type Where =
  | { readonly kind: 'comment' }
  | { readonly kind: 'string'; readonly slot?: ValueSlot }
  /** At the start of a statement in a body (or at the top level). */
  | { readonly kind: 'statement'; readonly container: Container; readonly usedKeys: readonly string[]; readonly hasTrain: boolean }
  /** Where a value goes: after `key:`, after `name:` in a call, or as a list item. */
  | { readonly kind: 'value'; readonly slot: ValueSlot; readonly listed: readonly string[] | undefined }
  /** At the start of an argument: a name or a positional value may follow. */
  | { readonly kind: 'argument'; readonly call: OpenCall }
  | { readonly kind: 'compare'; readonly listed: readonly string[] }
  | { readonly kind: 'other' };

export interface CursorContext {
  readonly where: Where;
  /** Enclosing bodies, outermost (top level) first. */
  readonly containers: readonly Container[];
  /** Open calls, innermost last (for signature help, even inside a nested list). */
  readonly calls: readonly OpenCall[];
  /** The identifier before the cursor being typed ('' when none). */
  readonly prefix: string;
  /** Where that identifier starts (the cursor when there is none). */
  readonly prefixStart: Position;
}

type BodyFrame = { type: 'body'; container: Container; stmt: Token[]; keys: Set<string>; hasTrain: boolean; params?: string[] };
type Frame =
  | BodyFrame
  | { type: 'call'; call: OpenCall; last?: Token }
  | { type: 'list'; slot?: ValueSlot; item: Token[]; listed: string[]; last?: Token }
  | { type: 'group'; item: Token[]; last?: Token };

const CONTINUES = new Set(['(', '[', ',', ':', '=', '+', '-', '*', '/']);

/** `offsetAt` maps a position to an offset in `text` (TextDocument.offsetAt). */
export function cursorContext(source: A.SourceFile, text: string, offsetAt: (p: Position) => number, pos: Position): CursorContext {
  const anchor = anchorFor(source, pos);
  const startOffset = offsetAt(anchor.start);
  const endOffset = offsetAt(pos);
  const lexed = lex(text.slice(startOffset, Math.max(startOffset, endOffset)));
  const shift = (p: Position): Position => (p.line === 0 ? { line: anchor.start.line, character: p.character + anchor.start.character } : { line: p.line + anchor.start.line, character: p.character });
  const tokens: Token[] = lexed.tokens.filter((t) => t.kind !== 'eof').map((t) => ({ ...t, range: { start: shift(t.range.start), end: shift(t.range.end) } }));
  const frames: Frame[] = anchor.frames;
  const base = { containers: () => frames.filter((f): f is BodyFrame => f.type === 'body').map((f) => f.container), calls: () => openCalls(frames) };

  const sliceEnd = endOffset - startOffset;
  // The slice ends at the cursor, so whatever reaches its end surrounds the cursor.
  const end = lexed.tokens[lexed.tokens.length - 1].range.start;
  const reachesEnd = (r: Range) => r.end.line === end.line && r.end.character === end.character;
  const unterminated = (code: string) => lexed.errors.some((e) => e.code === code && reachesEnd(e.range));
  const inComment = lexed.comments.some((c) => reachesEnd(c.range) && (!c.block || unterminated('unterminated-comment')));
  if (inComment) return { where: { kind: 'comment' }, containers: base.containers(), calls: base.calls(), prefix: '', prefixStart: pos };
  let prefix = '';
  let prefixStart = pos;
  const last = tokens[tokens.length - 1];
  if (last && last.offset + last.text.length === sliceEnd) {
    if (last.kind === 'ident') {
      prefix = last.text;
      prefixStart = last.range.start;
      tokens.pop();
    } else if (last.kind === 'string' && unterminated('unterminated-string')) {
      run(tokens.slice(0, -1), frames);
      // Inside a string the "prefix" is what is typed after the opening quote.
      const start = { line: last.range.start.line, character: last.range.start.character + 1 };
      return { where: { kind: 'string', slot: slotAt(frames) }, containers: base.containers(), calls: base.calls(), prefix: last.text.slice(1), prefixStart: start };
    }
  }
  run(tokens, frames);
  return { where: whereAt(frames), containers: base.containers(), calls: base.calls(), prefix, prefixStart };
}

function openCalls(frames: readonly Frame[]): OpenCall[] {
  return frames.flatMap((f) => (f.type === 'call' ? [f.call] : []));
}

// ---- the starting point ------------------------------------------------------

function body(container: Container, keys: Iterable<string> = [], hasTrain = false): BodyFrame {
  return { type: 'body', container, stmt: [], keys: new Set(keys), hasTrain };
}

function propKeys(items: readonly A.BodyItem[]): string[] {
  return items.flatMap((i) => (i.kind === 'property' ? [i.key.name] : []));
}

/**
 * The latest statement start at or before the cursor that the tree knows, with the bodies
 * around it. Starting there rather than at the top of the file keeps the replay short.
 */
function anchorFor(source: A.SourceFile, pos: Position): { frames: Frame[]; start: Position } {
  const top = () => body({ kind: 'top' });
  const i = lastStartingAtOrBefore(source.declarations, pos);
  if (i < 0) return { frames: [top()], start: { line: 0, character: 0 } };
  const decl = source.declarations[i];
  const fallback = { frames: [top()] as Frame[], start: decl.range.start };
  if (decl.kind === 'compare' || !decl.name.name || comparePositions(pos, decl.range.end) >= 0) return fallback;
  if (decl.kind === 'dataset') {
    const j = lastStartingAtOrBefore(decl.props, pos);
    if (j < 0) return fallback;
    return { frames: [top(), body({ kind: 'dataset', name: decl.name.name }, decl.props.map((p) => p.key.name))], start: decl.props[j].range.start };
  }
  const container: Container = decl.kind === 'model' ? { kind: 'model', name: decl.name.name } : { kind: 'block', name: decl.name.name, params: decl.params.map((p) => p.name.name) };
  const frame = body(container, propKeys(decl.body), decl.body.some((b) => b.kind === 'train'));
  return descend(decl.body, [top(), frame], fallback, pos);
}

function descend(items: readonly A.BodyItem[], frames: Frame[], fallback: { frames: Frame[]; start: Position }, pos: Position): { frames: Frame[]; start: Position } {
  const j = lastStartingAtOrBefore(items, pos);
  if (j < 0) return fallback;
  const item = items[j];
  const here = { frames, start: item.range.start };
  if ((item.kind === 'concat' || item.kind === 'if') && comparePositions(pos, item.range.end) < 0) {
    // A concat path and an if branch hold layers only, as a repeat body does.
    if (item.kind === 'concat') {
      const path = item.paths.find((p) => comparePositions(pos, p.range.start) > 0 && comparePositions(pos, p.range.end) < 0);
      return path ? descend(path.body, [...frames, body({ kind: 'concat' }), body({ kind: 'repeat' })], here, pos) : here;
    }
    const inner = item.elseKeyword && comparePositions(pos, item.elseKeyword.end) >= 0 ? item.elseBody : item.body;
    return inner ? descend(inner, [...frames, body({ kind: 'repeat' })], here, pos) : here;
  }
  if ((item.kind === 'repeat' || item.kind === 'residual' || item.kind === 'train') && comparePositions(pos, item.range.end) < 0) {
    if (item.kind === 'train') {
      const k = lastStartingAtOrBefore(item.props, pos);
      return k < 0 ? here : { frames: [...frames, body({ kind: 'train' }, item.props.map((p) => p.key.name))], start: item.props[k].range.start };
    }
    return descend(item.body, [...frames, body({ kind: item.kind })], here, pos);
  }
  return here;
}

// ---- the replay ---------------------------------------------------------------

function topFrame(frames: Frame[]): Frame {
  return frames[frames.length - 1];
}

function nearestBody(frames: Frame[]): BodyFrame {
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i];
    if (f.type === 'body') return f;
  }
  return frames[0] as BodyFrame;
}

/** Appends a token to the innermost frame's current statement, argument or item. */
function note(frames: Frame[], t: Token): void {
  const f = topFrame(frames);
  if (f.type === 'body') f.stmt.push(t);
  else if (f.type === 'call') f.call.current.push(t);
  else f.item.push(t);
  if (f.type !== 'body') f.last = t;
}

/** Closes brackets left open on a statement that ended. */
function popToBody(frames: Frame[]): void {
  while (frames.length > 1 && topFrame(frames).type !== 'body') frames.pop();
}

/** The value slot the innermost frame's next value fills, if any. */
function slotAt(frames: Frame[]): ValueSlot | undefined {
  const f = topFrame(frames);
  if (f.type === 'body') {
    const [key, colon, ...rest] = f.stmt;
    return key?.kind === 'ident' && colon?.kind === ':' && rest.length <= 1 ? { kind: 'setting', container: f.container, key: key.text } : undefined;
  }
  if (f.type === 'call') return f.call.params ? undefined : { kind: 'arg', call: f.call, name: f.call.currentName, position: f.call.positional };
  if (f.type === 'list') return f.slot;
  return undefined;
}

function run(tokens: readonly Token[], frames: Frame[]): void {
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const f = topFrame(frames);
    switch (t.kind) {
      case 'newline': {
        if (f.type === 'body') {
          f.stmt = [];
          break;
        }
        const prev = f.last;
        if (!prev || CONTINUES.has(prev.kind)) break;
        let n = k + 1;
        while (n < tokens.length && tokens[n].kind === 'newline') n++;
        const next = tokens[n];
        if (next && (next.kind === ',' || next.kind === ')' || next.kind === ']' || CONTINUES.has(next.kind))) break;
        popToBody(frames);
        nearestBody(frames).stmt = [];
        break;
      }
      case '(': {
        const before = f.type === 'body' ? f.stmt[f.stmt.length - 1] : f.type === 'call' ? f.call.current[f.call.current.length - 1] : f.item[f.item.length - 1];
        if (before?.kind === 'ident') {
          const isParams = f.type === 'body' && f.container.kind === 'top' && f.stmt.length === 2 && f.stmt[0].text === 'block';
          const valueOf = isParams ? undefined : f.type === 'body' ? slotAt(frames) : f.type === 'call' ? { kind: 'arg' as const, call: f.call, name: f.call.currentName, position: f.call.positional } : f.type === 'list' ? f.slot : undefined;
          note(frames, t);
          frames.push({
            type: 'call',
            call: { callee: before.text, calleeRange: before.range, open: t.range.end, valueOf, params: isParams, argIndex: 0, positional: 0, usedNames: [], current: [] },
            last: t,
          });
        } else {
          note(frames, t);
          frames.push({ type: 'group', item: [], last: t });
        }
        break;
      }
      case '[': {
        const slot = slotAt(frames);
        note(frames, t);
        frames.push({ type: 'list', slot, item: [], listed: [], last: t });
        break;
      }
      case ')':
      case ']': {
        const wanted = t.kind === ')' ? ['call', 'group'] : ['list'];
        let i = frames.length - 1;
        while (i > 0 && frames[i].type !== 'body' && !wanted.includes(frames[i].type)) i--;
        if (i > 0 && wanted.includes(frames[i].type)) {
          const closed = frames[i];
          frames.length = i;
          if (closed.type === 'call' && closed.call.params) {
            const b = nearestBody(frames);
            b.params = paramNames(closed.call);
          }
          note(frames, t);
        }
        break;
      }
      case '{': {
        popToBody(frames);
        const parent = topFrame(frames) as BodyFrame;
        const container = containerFor(parent);
        if (container.kind === 'train') parent.hasTrain = true;
        parent.stmt.push(t);
        frames.push(body(container));
        break;
      }
      case '}': {
        popToBody(frames);
        if (frames.length > 1) frames.pop();
        nearestBody(frames).stmt = [];
        break;
      }
      case ',': {
        if (f.type === 'call') {
          if (f.call.currentName !== undefined) f.call.usedNames.push(f.call.currentName);
          else if (f.call.current.length > 0) f.call.positional++;
          f.call.argIndex++;
          f.call.currentName = undefined;
          f.call.current = [];
          f.last = t;
        } else if (f.type === 'list') {
          const item = f.item.find((x) => x.kind === 'ident');
          if (item) f.listed.push(item.text);
          f.item = [];
          f.last = t;
        } else note(frames, t);
        break;
      }
      case ':':
      case '=': {
        if (f.type === 'call' && f.call.currentName === undefined && f.call.current.length === 1 && f.call.current[0].kind === 'ident') {
          f.call.currentName = f.call.current[0].text;
          f.call.current = [];
          f.last = t;
        } else if (f.type === 'body' && f.stmt.length === 1 && f.stmt[0].kind === 'ident') {
          f.keys.add(f.stmt[0].text);
          f.stmt.push(t);
        } else note(frames, t);
        break;
      }
      case 'ident': {
        // As in the parser, a declaration keyword at the start of a line ends any unclosed body.
        if (DECLARATION_KEYWORDS.has(t.text) && t.range.start.character === 0 && frames.length > 1 && tokens[k + 1]?.kind === 'ident') {
          frames.length = 1;
          (frames[0] as BodyFrame).stmt = [];
        }
        note(frames, t);
        break;
      }
      default:
        note(frames, t);
    }
  }
}

function paramNames(call: OpenCall): string[] {
  // The parameter list was replayed as a call: its names are the argument names and the
  // positional identifiers. Good enough for completion; the tree has the exact list.
  return [...call.usedNames, ...(call.currentName ? [call.currentName] : []), ...call.current.filter((t) => t.kind === 'ident').map((t) => t.text)];
}

function containerFor(parent: BodyFrame): Container {
  const [first, second] = parent.stmt;
  const word = first?.kind === 'ident' ? first.text : undefined;
  if (parent.container.kind === 'top') {
    const name = second?.kind === 'ident' ? second.text : '';
    if (word === 'model') return { kind: 'model', name };
    if (word === 'dataset') return { kind: 'dataset', name };
    if (word === 'block') return { kind: 'block', name, params: parent.params ?? [] };
    return { kind: 'unknown' };
  }
  if (word === 'repeat') return { kind: 'repeat' };
  if (word === 'residual') return { kind: 'residual' };
  if (word === 'concat') return { kind: 'concat' };
  // A concat path and an if or else branch hold layers only, as a repeat body does.
  if (word === 'if' || (parent.container.kind === 'concat' && first === undefined)) return { kind: 'repeat' };
  if (word === 'train' && parent.container.kind === 'model') return { kind: 'train' };
  return { kind: 'unknown' };
}

function whereAt(frames: Frame[]): Where {
  const f = topFrame(frames);
  if (f.type === 'body') {
    if (f.stmt.length === 0) return { kind: 'statement', container: f.container, usedKeys: [...f.keys], hasTrain: f.hasTrain };
    if (f.container.kind === 'top' && f.stmt[0].text === 'compare') {
      const lastTok = f.stmt[f.stmt.length - 1];
      if (lastTok.text === 'compare' || lastTok.kind === ',') return { kind: 'compare', listed: f.stmt.slice(1).filter((t) => t.kind === 'ident').map((t) => t.text) };
      return { kind: 'other' };
    }
    if (f.stmt.length === 2) {
      const slot = slotAt(frames);
      if (slot) return { kind: 'value', slot, listed: undefined };
    }
    return { kind: 'other' };
  }
  if (f.type === 'call') {
    if (f.call.params) return { kind: 'other' };
    if (f.call.current.length > 0) return { kind: 'other' };
    if (f.call.currentName !== undefined) return { kind: 'value', slot: { kind: 'arg', call: f.call, name: f.call.currentName, position: f.call.positional }, listed: undefined };
    return { kind: 'argument', call: f.call };
  }
  if (f.type === 'list') return f.item.length === 0 && f.slot ? { kind: 'value', slot: f.slot, listed: f.listed } : { kind: 'other' };
  return { kind: 'other' };
}
