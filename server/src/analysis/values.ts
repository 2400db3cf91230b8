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
      return bound ?? { kind: 'ident', name: expr.name, range: expr.range };
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
    case 'unary': {
      const v = evaluate(expr.operand, env, diags);
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
  if (l.kind !== 'number' || r.kind !== 'number') {
    diags.add('invalid-expression', `'${expr.op}' needs numbers on both sides, not ${describeValue(l.kind !== 'number' ? l : r)}.`, expr.range);
    return { kind: 'error', range: expr.range };
  }
  if (expr.op === '/' && r.value === 0) {
    diags.add('invalid-expression', 'Division by zero.', expr.range);
    return { kind: 'error', range: expr.range };
  }
  const value =
    expr.op === '+' ? l.value + r.value : expr.op === '-' ? l.value - r.value : expr.op === '*' ? l.value * r.value : l.value / r.value;
  return { kind: 'number', value, range: expr.range };
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
