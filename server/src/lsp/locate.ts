import type { Analysis, LayerRow, ModelAnalysis } from '../analysis/model';
import type * as A from '../language/ast';
import { comparePositions, containsPosition, type Position, type Range } from '../language/position';
import type { Section } from './specs';

/**
 * Finds the syntax node under a position in the analysis's tree. Declarations and body
 * items are searched by binary search on their start, so a lookup costs O(log n) plus the
 * size of one statement, whatever the size of the file.
 */

/** Who owns an argument list. */
export type Owner =
  | { readonly kind: 'layer'; readonly call: A.LayerCall }
  | { readonly kind: 'residual'; readonly stmt: A.ResidualStmt }
  | { readonly kind: 'call'; readonly call: A.CallExpr; readonly slot: Slot };

/** Where a value is written. */
export type Slot =
  | { readonly kind: 'setting'; readonly section: Section; readonly prop: A.Property }
  | { readonly kind: 'arg'; readonly owner: Owner; readonly arg: A.Argument; readonly index: number }
  | { readonly kind: 'repeat'; readonly stmt: A.RepeatStmt }
  | { readonly kind: 'param-default'; readonly param: A.BlockParam };

export type Located = (
  | { readonly kind: 'declName'; readonly decl: A.DatasetDecl | A.BlockDecl | A.ModelDecl }
  | { readonly kind: 'keyword'; readonly word: string }
  | { readonly kind: 'layerName'; readonly call: A.LayerCall }
  | { readonly kind: 'callName'; readonly call: A.CallExpr; readonly slot: Slot }
  | { readonly kind: 'argName'; readonly owner: Owner; readonly arg: A.Argument }
  | { readonly kind: 'propKey'; readonly section: Section; readonly prop: A.Property }
  | { readonly kind: 'value'; readonly expr: A.Expr; readonly slot: Slot }
  | { readonly kind: 'compareName'; readonly id: A.Identifier }
  | { readonly kind: 'param'; readonly param: A.BlockParam }
) & { readonly range: Range; readonly decl: A.Declaration };

/** Index of the last element whose start is at or before `pos`, or -1. */
export function lastStartingAtOrBefore<T extends { range: Range }>(items: readonly T[], pos: Position): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (comparePositions(items[mid].range.start, pos) <= 0) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export function declarationAt(source: A.SourceFile, pos: Position): A.Declaration | undefined {
  const i = lastStartingAtOrBefore(source.declarations, pos);
  const d = i >= 0 ? source.declarations[i] : undefined;
  return d && containsPosition(d.range, pos) ? d : undefined;
}

function keywordRange(start: Position, word: string): Range {
  return { start, end: { line: start.line, character: start.character + word.length } };
}

export function locate(source: A.SourceFile, pos: Position): Located | undefined {
  const decl = declarationAt(source, pos);
  if (!decl) return undefined;
  const kw = keywordRange(decl.range.start, decl.kind);
  if (containsPosition(kw, pos)) return { kind: 'keyword', word: decl.kind, range: kw, decl };
  if (decl.kind === 'compare') {
    const id = decl.names.find((n) => containsPosition(n.range, pos));
    return id ? { kind: 'compareName', id, range: id.range, decl } : undefined;
  }
  if (decl.name.name && containsPosition(decl.name.range, pos)) return { kind: 'declName', decl, range: decl.name.range };
  const found = (() => {
    switch (decl.kind) {
      case 'dataset':
        return inProps(decl.props, 'dataset', pos);
      case 'block': {
        for (const p of decl.params) {
          if (containsPosition(p.name.range, pos)) return { kind: 'param' as const, param: p, range: p.name.range };
          if (p.default && containsPosition(p.default.range, pos)) return inExpr(p.default, { kind: 'param-default', param: p }, pos);
        }
        return inBody(decl.body, 'model', pos);
      }
      case 'model':
        return inBody(decl.body, 'model', pos);
    }
  })();
  return found ? ({ ...found, decl } as Located) : undefined;
}

type Found = Located extends infer L ? (L extends unknown ? Omit<L, 'decl'> : never) : never;

function inProps(props: readonly A.Property[], section: Section, pos: Position): Found | undefined {
  const i = lastStartingAtOrBefore(props, pos);
  return i >= 0 ? inProp(props[i], section, pos) : undefined;
}

function inProp(prop: A.Property, section: Section, pos: Position): Found | undefined {
  if (containsPosition(prop.key.range, pos)) return { kind: 'propKey', section, prop, range: prop.key.range };
  if (containsPosition(prop.value.range, pos)) return inExpr(prop.value, { kind: 'setting', section, prop }, pos);
  return undefined;
}

function inBody(items: readonly A.BodyItem[], section: Section, pos: Position): Found | undefined {
  const i = lastStartingAtOrBefore(items, pos);
  if (i < 0) return undefined;
  const item = items[i];
  if (!containsPosition(item.range, pos)) return undefined;
  switch (item.kind) {
    case 'property':
      return inProp(item, section, pos);
    case 'layer':
      if (containsPosition(item.name.range, pos)) return { kind: 'layerName', call: item, range: item.name.range };
      return inArgs(item.args ?? [], { kind: 'layer', call: item }, pos);
    case 'train':
      if (containsPosition(item.keyword, pos)) return { kind: 'keyword', word: 'train', range: item.keyword };
      return inProps(item.props, 'train', pos);
    case 'repeat':
      if (containsPosition(item.keyword, pos)) return { kind: 'keyword', word: 'repeat', range: item.keyword };
      if (containsPosition(item.count.range, pos)) return inExpr(item.count, { kind: 'repeat', stmt: item }, pos);
      return inBody(item.body, section, pos);
    case 'residual':
      if (containsPosition(item.keyword, pos)) return { kind: 'keyword', word: 'residual', range: item.keyword };
      return inArgs(item.args, { kind: 'residual', stmt: item }, pos) ?? inBody(item.body, section, pos);
    case 'concat': {
      if (containsPosition(item.keyword, pos)) return { kind: 'keyword', word: 'concat', range: item.keyword };
      const path = item.paths.find((p) => containsPosition(p.range, pos));
      return path ? inBody(path.body, section, pos) : undefined;
    }
    case 'if':
      if (containsPosition(item.keyword, pos)) return { kind: 'keyword', word: 'if', range: item.keyword };
      if (item.elseKeyword && containsPosition(item.elseKeyword, pos)) return { kind: 'keyword', word: 'else', range: item.elseKeyword };
      return inBody(item.body, section, pos) ?? (item.elseBody ? inBody(item.elseBody, section, pos) : undefined);
  }
}

function inArgs(args: readonly A.Argument[], owner: Owner, pos: Position): Found | undefined {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (!containsPosition(arg.range, pos)) continue;
    if (arg.name && containsPosition(arg.name.range, pos)) return { kind: 'argName', owner, arg, range: arg.name.range };
    return inExpr(arg.value, { kind: 'arg', owner, arg, index }, pos);
  }
  return undefined;
}

function inExpr(expr: A.Expr, slot: Slot, pos: Position): Found | undefined {
  if (!containsPosition(expr.range, pos)) return undefined;
  switch (expr.kind) {
    case 'call':
      if (containsPosition(expr.callee.range, pos)) return { kind: 'callName', call: expr, slot, range: expr.callee.range };
      return inArgs(expr.args, { kind: 'call', call: expr, slot }, pos);
    case 'list':
      for (const item of expr.items) {
        const f = inExpr(item, slot, pos);
        if (f) return f;
      }
      return undefined;
    case 'binary': {
      // Left operand first, then right, as `inExpr(left) ?? inExpr(right)` would, but down a
      // long left-leaning chain (`1 + 1 + …`, as deep as it is long) in a loop.
      const spine: A.BinaryExpr[] = [];
      let left: A.Expr = expr;
      while (left.kind === 'binary' && containsPosition(left.range, pos)) {
        spine.push(left);
        left = left.left;
      }
      let found = inExpr(left, slot, pos);
      for (let k = spine.length - 1; k >= 0 && !found; k--) found = inExpr(spine[k].right, slot, pos);
      return found;
    }
    case 'unary':
      return inExpr(expr.operand, slot, pos) ?? { kind: 'value', expr, slot, range: expr.range };
    default:
      return { kind: 'value', expr, slot, range: expr.range };
  }
}

/** The setting key a call or value is (directly) the value of, if any. */
export function settingKeyOf(slot: Slot): string | undefined {
  return slot.kind === 'setting' ? slot.prop.key.name : undefined;
}

// ---- rows by source range -------------------------------------------------

export interface RowRef {
  readonly model: ModelAnalysis;
  readonly row: LayerRow;
}

const rowIndexes = new WeakMap<Analysis, Map<string, RowRef[]>>();

export function rangeKey(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/**
 * The rows a piece of source produced: one for a layer in a model body, one per copy in
 * a repeat, one per use for a layer inside a block. Indexed once per analysis.
 */
export function rowsAt(analysis: Analysis, range: Range): readonly RowRef[] {
  let index = rowIndexes.get(analysis);
  if (!index) {
    index = new Map();
    for (const model of analysis.models) {
      for (const row of model.rows) {
        const key = rangeKey(row.range);
        const list = index.get(key);
        if (list) list.push({ model, row });
        else index.set(key, [{ model, row }]);
      }
    }
    rowIndexes.set(analysis, index);
  }
  return index.get(rangeKey(range)) ?? [];
}

export function modelNamed(analysis: Analysis, name: string): ModelAnalysis | undefined {
  return analysis.models.find((m) => m.name === name);
}

export function modelOf(analysis: Analysis, decl: A.Declaration): ModelAnalysis | undefined {
  return decl.kind === 'model' ? analysis.models.find((m) => m.decl === decl) : undefined;
}
