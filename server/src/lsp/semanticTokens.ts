import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/model';
import { catalogEntry } from '../catalog/registry';
import { INPUT_NAMES } from '../analysis/values';
import type * as A from '../language/ast';
import type { Range } from '../language/position';

export const TOKEN_TYPES = ['keyword', 'class', 'struct', 'function', 'parameter', 'property', 'enumMember', 'number', 'string', 'comment', 'variable'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'defaultLibrary'] as const;

export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

type TokenType = (typeof TOKEN_TYPES)[number];
const TYPE_INDEX = new Map<string, number>(TOKEN_TYPES.map((t, i) => [t, i]));
const DECLARATION = 1;
const LIBRARY = 2;

/**
 * Classifies what the grammar alone cannot: a name is a layer, a block, a dataset
 * reference, an argument, a setting key, an enum value or a block parameter depending
 * on where it stands. Built from the syntax tree and the comments, never by re-lexing.
 */
export function semanticTokens(analysis: Analysis): SemanticTokens {
  const { source } = analysis;
  // line, character, length, type, modifiers — five numbers per token, sorted at the end.
  const raw: number[] = [];
  const push = (r: Range, type: TokenType, modifiers = 0) => {
    if (r.start.line !== r.end.line) return;
    const length = r.end.character - r.start.character;
    if (length > 0) raw.push(r.start.line, r.start.character, length, TYPE_INDEX.get(type)!, modifiers);
  };
  const keyword = (start: A.Identifier['range']['start'], word: string) => push({ start, end: { line: start.line, character: start.character + word.length } }, 'keyword');

  const walkExpr = (e: A.Expr, scope: Scope): void => {
    switch (e.kind) {
      case 'number':
        push(e.range, 'number');
        return;
      case 'string':
        push(e.range, 'string');
        return;
      case 'bool':
        push(e.range, 'keyword');
        return;
      case 'name':
        if (scope.params.has(e.name) || INPUT_NAMES.has(e.name)) push(e.range, 'parameter');
        else if (scope.reference) push(e.range, 'struct');
        else push(e.range, 'enumMember');
        return;
      case 'list':
        for (const x of e.items) walkExpr(x, scope);
        return;
      case 'index':
        walkExpr(e.target, scope);
        walkExpr(e.index, scope);
        return;
      case 'call':
        // Calls in value position are always built-ins: optimizers, synthetic(), wrapped layers.
        push(e.callee.range, 'function', LIBRARY);
        walkArgs(e.args, { ...scope, reference: false });
        return;
      case 'binary': {
        // A long `1 + 1 + …` is a left-leaning chain as deep as it is long: down its left
        // spine in a loop, then the right operands (bounded in depth by the parser) in order.
        const rights: A.Expr[] = [];
        let left: A.Expr = e;
        while (left.kind === 'binary') {
          rights.push(left.right);
          left = left.left;
        }
        walkExpr(left, scope);
        for (let k = rights.length - 1; k >= 0; k--) walkExpr(rights[k], scope);
        return;
      }
      case 'unary':
        if (e.op === 'not') keyword(e.range.start, 'not');
        walkExpr(e.operand, scope);
        return;
      case 'error':
        return;
    }
  };
  const walkArgs = (args: readonly A.Argument[], scope: Scope) => {
    for (const a of args) {
      if (a.name) push(a.name.range, 'parameter');
      walkExpr(a.value, scope);
    }
  };
  const walkProps = (props: readonly A.Property[], scope: Scope) => {
    for (const p of props) {
      push(p.key.range, 'property');
      walkExpr(p.value, { ...scope, reference: p.key.name === 'data' });
    }
  };
  const walkBody = (items: readonly A.BodyItem[], scope: Scope) => {
    for (const item of items) {
      switch (item.kind) {
        case 'property':
          walkProps([item], scope);
          break;
        case 'train':
          push(item.keyword, 'keyword');
          walkProps(item.props, scope);
          break;
        case 'repeat':
          push(item.keyword, 'keyword');
          walkExpr(item.count, scope);
          walkBody(item.body, scope);
          break;
        case 'residual':
          push(item.keyword, 'keyword');
          walkArgs(item.args, scope);
          walkBody(item.body, scope);
          break;
        case 'concat':
          push(item.keyword, 'keyword');
          for (const path of item.paths) walkBody(path.body, scope);
          break;
        case 'if':
          push(item.keyword, 'keyword');
          walkExpr(item.condition, scope);
          walkBody(item.body, scope);
          if (item.elseKeyword) push(item.elseKeyword, 'keyword');
          if (item.elseBody) walkBody(item.elseBody, scope);
          break;
        case 'layer':
          push(item.name.range, 'function', catalogEntry(item.name.name) ? LIBRARY : 0);
          if (item.args) walkArgs(item.args, scope);
          break;
      }
    }
  };

  const none: Scope = { params: new Set(), reference: false };
  for (const d of source.declarations) {
    keyword(d.range.start, d.kind);
    switch (d.kind) {
      case 'dataset':
        push(d.name.range, 'struct', DECLARATION);
        walkProps(d.props, none);
        break;
      case 'block': {
        push(d.name.range, 'function', DECLARATION);
        const scope: Scope = { params: new Set(d.params.map((p) => p.name.name)), reference: false };
        for (const p of d.params) {
          push(p.name.range, 'parameter', DECLARATION);
          if (p.default) walkExpr(p.default, scope);
        }
        walkBody(d.body, scope);
        break;
      }
      case 'model':
        push(d.name.range, 'class', DECLARATION);
        walkBody(d.body, none);
        break;
      case 'compare':
        for (const n of d.names) push(n.range, 'class');
        break;
    }
  }
  for (const c of source.comments) {
    if (!c.block || c.range.start.line === c.range.end.line) {
      push(c.range, 'comment');
      continue;
    }
    // Clients without multi-line token support need one token per line.
    const lines = c.text.split('\n');
    lines.forEach((text, i) => {
      const line = c.range.start.line + i;
      const start = i === 0 ? c.range.start.character : 0;
      const length = text.endsWith('\r') ? text.length - 1 : text.length;
      push({ start: { line, character: start }, end: { line, character: start + length } }, 'comment');
    });
  }
  return { data: encode(raw) };
}

interface Scope {
  /** Block parameters in scope. */
  readonly params: ReadonlySet<string>;
  /** Names here refer to declarations (data: Digits). */
  readonly reference: boolean;
}

function encode(raw: number[]): number[] {
  const n = raw.length / 5;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => raw[a * 5] - raw[b * 5] || raw[a * 5 + 1] - raw[b * 5 + 1]);
  const data = new Array<number>(raw.length);
  let prevLine = 0;
  let prevChar = 0;
  let k = 0;
  let lastEnd = -1;
  let lastLine = -1;
  for (const i of order) {
    const line = raw[i * 5];
    const char = raw[i * 5 + 1];
    // Overlapping tokens are invalid in the protocol; recovery can produce them, keep the first.
    if (line === lastLine && char < lastEnd) continue;
    data[k++] = line - prevLine;
    data[k++] = line === prevLine ? char - prevChar : char;
    data[k++] = raw[i * 5 + 2];
    data[k++] = raw[i * 5 + 3];
    data[k++] = raw[i * 5 + 4];
    prevLine = line;
    prevChar = char;
    lastLine = line;
    lastEnd = char + raw[i * 5 + 2];
  }
  data.length = k;
  return data;
}
