import type * as A from '../language/ast';
import type { Range } from '../language/position';
import type { DiagnosticSink } from './diagnostics';
import { clip } from '../util/clip';

/** An evaluated expression. `range` is where the user wrote it (a block argument keeps its call-site range). */
export type Value =
  | { readonly kind: 'number'; readonly value: number; readonly range: Range }
  | { readonly kind: 'string'; readonly value: string; readonly range: Range }
  | { readonly kind: 'bool'; readonly value: boolean; readonly range: Range }
  | { readonly kind: 'ident'; readonly name: string; readonly range: Range }
  | { readonly kind: 'list'; readonly items: readonly Value[]; readonly range: Range }
  | { readonly kind: 'call'; readonly name: string; readonly nameRange: Range; readonly args: readonly EvaluatedArg[]; readonly range: Range }
  | { readonly kind: 'error'; readonly range: Range };

export interface EvaluatedArg {
  readonly name?: A.Identifier;
  readonly value: Value;
  readonly range: Range;
}

/** Block parameters in scope while a block body is expanded. */
export type Env = ReadonlyMap<string, Value>;
export const EMPTY_ENV: Env = new Map();

export function evaluate(expr: A.Expr, env: Env, diags: DiagnosticSink): Value {
  switch (expr.kind) {
    // A literal node already has a value's shape: no copy per use.
    case 'number':
    case 'string':
    case 'bool':
    case 'error':
      return expr;
    case 'name': {
      const bound = env.get(expr.name);
      if (bound) return bound;
      if (INPUT_NAMES.has(expr.name)) {
        diags.add('invalid-expression', `\`${expr.name}\` reads the shape of a block's input, so it is known only inside a block body.`, expr.range);
        return { kind: 'error', range: expr.range };
      }
      return { kind: 'ident', name: expr.name, range: expr.range };
    }
    case 'list':
      return { kind: 'list', items: expr.items.map((e) => evaluate(e, env, diags)), range: expr.range };
    case 'call':
      return {
        kind: 'call',
        name: expr.callee.name,
        nameRange: expr.callee.range,
        args: evaluateArgs(expr.args, env, diags),
        range: expr.range,
      };
    case 'index':
      return evaluateIndex(expr, env, diags);
    case 'unary': {
      const v = evaluate(expr.operand, env, diags);
      if (expr.op === 'not') {
        if (v.kind === 'bool') return { kind: 'bool', value: !v.value, range: expr.range };
        if (v.kind !== 'error') diags.add('invalid-expression', `'not' needs true or false, not ${describeValue(v)}.`, expr.range);
        return { kind: 'error', range: expr.range };
      }
      if (v.kind === 'number') return { kind: 'number', value: -v.value, range: expr.range };
      if (v.kind !== 'error') diags.add('invalid-expression', `'-' needs a number, not ${describeValue(v)}.`, expr.range);
      return { kind: 'error', range: expr.range };
    }
    case 'binary':
      return evaluateBinary(expr, env, diags);
  }
}

/**
 * `a + b - c …` parses as a left-leaning chain as deep as it is long, so it is evaluated
 * along its left spine in a loop, not by recursion: a sum of 100,000 terms needs no more
 * stack than one of two. Operands on the right recurse, but only as deep as parentheses
 * and signs nest, which the parser bounds. Findings come in the same order as a recursive
 * evaluation's: the left operand's, then the right one's, then the operator's.
 */
function evaluateBinary(expr: A.BinaryExpr, env: Env, diags: DiagnosticSink): Value {
  let left = expr.left;
  if (left.kind !== 'binary') return combine(expr, evaluate(left, env, diags), evaluate(expr.right, env, diags), diags);
  const spine: A.BinaryExpr[] = [expr];
  while (left.kind === 'binary') {
    spine.push(left);
    left = left.left;
  }
  let value = evaluate(left, env, diags);
  for (let k = spine.length - 1; k >= 0; k--) {
    const node = spine[k];
    value = combine(node, value, evaluate(node.right, env, diags), diags);
  }
  return value;
}

function combine(expr: A.BinaryExpr, l: Value, r: Value, diags: DiagnosticSink): Value {
  if (l.kind === 'error' || r.kind === 'error') return { kind: 'error', range: expr.range };
  const op = expr.op;
  if (op === 'and' || op === 'or') {
    if (l.kind !== 'bool' || r.kind !== 'bool') {
      diags.add('invalid-expression', `'${op}' needs true or false on both sides, not ${describeValue(l.kind !== 'bool' ? l : r)}.`, expr.range);
      return { kind: 'error', range: expr.range };
    }
    return { kind: 'bool', value: op === 'and' ? l.value && r.value : l.value || r.value, range: expr.range };
  }
  if (op === '==' || op === '!=') {
    const same = equalValues(l, r);
    if (same === undefined) {
      const name = l.kind === 'ident' ? l : r.kind === 'ident' ? r : undefined;
      // A name compared with a number is most often a block parameter misspelt or used outside its block.
      const hint = name ? ` (\`${clip(name.name)}\` is a plain name here, not a block parameter)` : '';
      diags.add('invalid-expression', `'${op}' compares values of one kind, not ${describeValue(l)} and ${describeValue(r)}${hint}.`, expr.range);
      return { kind: 'error', range: expr.range };
    }
    return { kind: 'bool', value: op === '==' ? same : !same, range: expr.range };
  }
  if (l.kind !== 'number' || r.kind !== 'number') {
    diags.add('invalid-expression', `'${expr.op}' needs numbers on both sides, not ${describeValue(l.kind !== 'number' ? l : r)}.`, expr.range);
    return { kind: 'error', range: expr.range };
  }
  if (expr.op === '/' && r.value === 0) {
    diags.add('invalid-expression', 'Division by zero.', expr.range);
    return { kind: 'error', range: expr.range };
  }
  switch (op) {
    case '<':
      return { kind: 'bool', value: l.value < r.value, range: expr.range };
    case '<=':
      return { kind: 'bool', value: l.value <= r.value, range: expr.range };
    case '>':
      return { kind: 'bool', value: l.value > r.value, range: expr.range };
    case '>=':
      return { kind: 'bool', value: l.value >= r.value, range: expr.range };
  }
  const value = op === '+' ? l.value + r.value : op === '-' ? l.value - r.value : op === '*' ? l.value * r.value : l.value / r.value;
  return { kind: 'number', value, range: expr.range };
}

function evaluateIndex(expr: A.IndexExpr, env: Env, diags: DiagnosticSink): Value {
  const list = evaluate(expr.target, env, diags);
  const index = evaluate(expr.index, env, diags);
  if (list.kind === 'error' || index.kind === 'error') return { kind: 'error', range: expr.range };
  if (list.kind !== 'list') {
    diags.add('invalid-expression', `Only a list can be indexed, not ${describeValue(list)}.`, expr.target.range);
    return { kind: 'error', range: expr.range };
  }
  const n = list.items.length;
  if (index.kind !== 'number' || !Number.isInteger(index.value) || index.value >= n || index.value < -n) {
    const what = index.kind === 'number' ? `${index.value}` : describeValue(index);
    diags.add('invalid-expression', `\`${clip(expr.target.name)}\` has ${n} item${n === 1 ? '' : 's'}: an index is a whole number from 0 to ${n - 1} (or -1 for the last), not ${what}.`, expr.index.range);
    return { kind: 'error', range: expr.range };
  }
  const item = list.items[index.value < 0 ? n + index.value : index.value];
  return item.kind === 'number' ? { kind: 'number', value: item.value, range: expr.range } : item;
}

/** Names a block body reads its input's shape by; a block parameter of the same name hides them. */
export const INPUT_NAMES: ReadonlySet<string> = new Set(['in_channels', 'in_shape']);

/** Equality of two values of one kind (an enum name equals its string), undefined when the kinds differ. */
function equalValues(l: Value, r: Value): boolean | undefined {
  const text = (v: Value) => (v.kind === 'ident' ? v.name : v.kind === 'string' ? v.value : undefined);
  if (l.kind === 'number' && r.kind === 'number') return l.value === r.value;
  if (l.kind === 'bool' && r.kind === 'bool') return l.value === r.value;
  const a = text(l);
  const b = text(r);
  if (a !== undefined && b !== undefined) return a === b;
  if (l.kind === 'list' && r.kind === 'list') {
    if (l.items.length !== r.items.length) return false;
    for (let i = 0; i < l.items.length; i++) if (equalValues(l.items[i], r.items[i]) !== true) return false;
    return true;
  }
  return undefined;
}

export const NO_ARGS: readonly EvaluatedArg[] = [];

export function evaluateArgs(args: readonly A.Argument[] | undefined, env: Env, diags: DiagnosticSink): readonly EvaluatedArg[] {
  if (!args || args.length === 0) return NO_ARGS;
  const out: EvaluatedArg[] = new Array(args.length);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = evaluate(a.value, env, diags);
    // An argument whose value is a literal is already an evaluated argument.
    out[i] = value === a.value ? (a as unknown as EvaluatedArg) : { name: a.name, value, range: a.range };
  }
  return out;
}

export function describeValue(v: Value): string {
  switch (v.kind) {
    case 'number':
      return `the number ${formatNumberValue(v.value)}`;
    case 'string':
      return `the string ${JSON.stringify(clip(v.value, 31))}`;
    case 'bool':
      return `\`${v.value}\``;
    case 'ident':
      return `\`${clip(v.name)}\``;
    case 'list':
      return 'a list';
    case 'call':
      return `a call to ${clip(v.name)}(...)`;
    case 'error':
      return 'an invalid value';
  }
}

function formatNumberValue(n: number): string {
  return Number.isFinite(n) ? String(n) : n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN';
}
