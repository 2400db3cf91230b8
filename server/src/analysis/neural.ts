import { formatShape, product } from '../catalog/common';
import { catalogEntry } from '../catalog/registry';
import { RESIDUAL_ARGS } from '../catalog/settings';
import type { Args, InferContext, LayerEntry, LayerEstimate, ModelFacts, NestedLayer, Report, Shape } from '../catalog/types';
import type * as A from '../language/ast';
import type { Range } from '../language/position';
import { closestName } from '../util/suggest';
import { bindArgs, type BindContext, type BoundArgs } from './args';
import type { DiagnosticSink } from './diagnostics';
import type { LayerRow, Reference } from './model';
import type { Reader } from './scope';
import { describeValue, EMPTY_ENV, evaluate, evaluateArgs, type Env, type EvaluatedArg, type Value } from './values';
import { clip } from '../util/clip';

/** Beyond these, expansion stops with a size-overflow error instead of using unbounded time or memory. */
export const MAX_ROWS = 50_000;
const MAX_ITERATIONS = 10_000;
/** A repeat whose body reaches a fixed shape is collapsed into one row per layer beyond this many copies. */
const EXPAND_COPIES = 64;
/** Blocks using blocks deeper than this are reported rather than expanded (each level costs stack). */
export const MAX_BLOCK_DEPTH = 100;

export interface NeuralContext {
  readonly diags: DiagnosticSink;
  readonly bind: BindContext;
  /** Blocks by name, and the block calls that close a cycle (reported once, never expanded). */
  readonly scope: Reader;
  readonly references: Reference[];
}

/** Running totals of the group being walked; a group's row gets them when it closes. */
interface Sums {
  trainable: bigint;
  nonTrainable: bigint;
  macs: bigint;
  activations: bigint;
}

const zeroSums = (): Sums => ({ trainable: 0n, nonTrainable: 0n, macs: 0n, activations: 0n });

/** Adds `from`, `times` over (once when absent: bigint arithmetic allocates, so no multiplying by one). */
function addSums(into: Sums | undefined, from: Sums, times?: bigint): void {
  if (!into) return;
  if (times === undefined) {
    into.trainable += from.trainable;
    into.nonTrainable += from.nonTrainable;
    into.macs += from.macs;
    into.activations += from.activations;
    return;
  }
  into.trainable += from.trainable * times;
  into.nonTrainable += from.nonTrainable * times;
  into.macs += from.macs * times;
  into.activations += from.activations * times;
}

/** What was added to `now` since it read `then`. */
function since(now: Sums, then: Sums): Sums {
  return { trainable: now.trainable - then.trainable, nonTrainable: now.nonTrainable - then.nonTrainable, macs: now.macs - then.macs, activations: now.activations - then.activations };
}

interface Walk {
  readonly ctx: NeuralContext;
  readonly rows: LayerRow[];
  /** One entry per open group, innermost last: totals stay linear in the rows, however deep the nesting. */
  readonly sums: Sums[];
  facts: ModelFacts;
  blockDepth: number;
  complete: boolean;
  overflow: boolean;
  /** One inference context for the whole walk, pointed at each layer in turn: no closures per layer. */
  readonly infer: LayerInference;
}

/** The InferContext of the layer being inferred, with what its reports need to find their ranges. */
interface LayerInference extends InferContext {
  input: Shape;
  args: Args;
  model: ModelFacts;
  ranges: ReadonlyMap<string, Range>;
  range: Range;
}

function layerInference(walk: () => Walk): LayerInference {
  const report = (r: Report) => {
    const { ctx, infer } = walk();
    const range = (r.arg ? infer.ranges.get(r.arg) : undefined) ?? infer.range;
    ctx.diags.add(r.code, r.message, range, r.data as Record<string, unknown> | undefined, r.severity);
  };
  const noNested = () => undefined;
  return {
    input: [],
    args: {},
    model: {},
    ranges: new Map(),
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    report,
    inferNested: (layer: NestedLayer, input: Shape) => layer.entry.infer({ input, args: layer.args, model: walk().facts, report, inferNested: noNested }),
  };
}

export interface NeuralResult {
  readonly rows: LayerRow[];
  readonly output?: Shape;
  readonly complete: boolean;
}

export function inferNeural(items: readonly A.LayerItem[], input: Shape | undefined, ctx: NeuralContext): NeuralResult {
  const walk: Walk = { ctx, rows: [], sums: [], facts: {}, blockDepth: 0, complete: input !== undefined, overflow: false, infer: layerInference(() => walk) };
  const output = walkItems(walk, items, EMPTY_ENV, input, 0, undefined);
  return { rows: walk.rows, output, complete: walk.complete && output !== undefined };
}

function walkItems(walk: Walk, items: readonly A.BodyItem[], env: Env, input: Shape | undefined, depth: number, site: Range | undefined): Shape | undefined {
  let shape = input;
  for (const item of items) {
    if (walk.overflow) return undefined;
    switch (item.kind) {
      case 'layer':
        shape = walkCall(walk, item, env, shape, depth, site ?? item.range);
        break;
      case 'repeat':
        shape = walkRepeat(walk, item, env, shape, depth, site ?? item.range);
        break;
      case 'residual':
        shape = walkResidual(walk, item, env, shape, depth, site ?? item.range);
        break;
      case 'concat':
        shape = walkConcat(walk, item, env, shape, depth, site ?? item.range);
        break;
      case 'if':
        shape = walkIf(walk, item, env, shape, depth, site);
        break;
      default:
        walk.ctx.diags.add('misplaced-item', `A ${item.kind === 'train' ? 'train section' : 'setting'} cannot appear inside a block; move it to the model.`, item.range);
    }
  }
  return shape;
}

/** False, with a size-overflow error, once the model has MAX_ROWS rows. */
function roomForRow(walk: Walk, site: Range): boolean {
  if (walk.rows.length < MAX_ROWS) return true;
  if (!walk.overflow) {
    walk.ctx.diags.add('size-overflow', `This model expands to more than ${MAX_ROWS.toLocaleString('en-US')} layers; estimates stop here. Reduce repeat counts.`, site);
  }
  walk.overflow = true;
  walk.complete = false;
  return false;
}

/** Adds a layer row (one copy: a repeat multiplies its rows when it collapses them). */
function pushRow(walk: Walk, row: LayerRow): void {
  if (!roomForRow(walk, row.site)) return;
  walk.rows.push(row);
  const into = walk.sums[walk.sums.length - 1];
  if (into) {
    into.trainable += row.trainable;
    into.nonTrainable += row.nonTrainable;
    into.macs += row.macs;
    into.activations += row.activations;
  }
}

function walkCall(walk: Walk, call: A.LayerCall, env: Env, input: Shape | undefined, depth: number, site: Range): Shape | undefined {
  const { ctx } = walk;
  const name = call.name.name;
  const entry = catalogEntry(name);
  if (entry?.kind === 'layer') return inferLayer(walk, entry, call, env, input, depth, site);
  const block = ctx.scope.block(name);
  if (block) {
    ctx.references.push({ name, kind: 'block', range: call.name.range, target: block });
    return expandBlock(walk, block, call, env, input, depth, site);
  }
  if (entry?.kind === 'estimator') {
    ctx.diags.add('mixed-model', `${name} is a classical estimator and cannot follow or precede neural layers; put it in a model of its own and list both in \`compare\`.`, call.name.range);
    walk.complete = false;
    return undefined;
  }
  reportUnknownLayer(call.name, ctx.scope, ctx.diags);
  walk.complete = false;
  return undefined;
}

export function reportUnknownLayer(name: A.Identifier, scope: Reader, diags: DiagnosticSink): void {
  const suggestion = closestName(name.name, scope.layerAndBlockNames());
  diags.add('unknown-layer', `Unknown layer '${clip(name.name)}'.${suggestion ? ` Did you mean '${clip(suggestion)}'?` : ''}`, name.range, {
    suggestions: suggestion ? [suggestion] : [],
  });
}

function inferLayer(walk: Walk, entry: LayerEntry, call: A.LayerCall, env: Env, input: Shape | undefined, depth: number, site: Range): Shape | undefined {
  const { ctx } = walk;
  const bound = bindArgs(entry.name, entry.args, evaluateArgs(call.args, env, ctx.diags), call.range, ctx.bind);
  if (!bound.ok || input === undefined) {
    walk.complete = false;
    pushRow(walk, emptyRow(entry.name, call.range, site, depth, input, entry));
    return undefined;
  }
  const infer = walk.infer;
  infer.input = input;
  infer.args = bound.args;
  infer.model = walk.facts;
  infer.ranges = bound.ranges;
  infer.range = call.range;
  let estimate: LayerEstimate | undefined;
  try {
    estimate = entry.infer(infer);
  } catch (err) {
    // An entry must never take the checker down; a throw is a bug we surface, not hide.
    ctx.diags.add('size-overflow', `Could not estimate ${entry.name}: ${(err as Error).message}`, call.range);
    estimate = undefined;
  }
  if (entry.name === 'embedding' && !walk.facts.embedding && typeof bound.args.vocab === 'number' && typeof bound.args.dim === 'number') {
    walk.facts = { ...walk.facts, embedding: { vocab: bound.args.vocab, dim: bound.args.dim } };
  }
  if (!estimate) {
    walk.complete = false;
    pushRow(walk, emptyRow(entry.name, call.range, site, depth, input, entry));
    return undefined;
  }
  pushRow(walk, {
    kind: 'layer',
    name: entry.name,
    entry,
    args: bound.args,
    argRanges: bound.ranges,
    range: call.range,
    site,
    depth,
    input,
    output: estimate.output,
    trainable: estimate.trainable,
    nonTrainable: estimate.nonTrainable,
    macs: estimate.macs,
    torchTrainable: estimate.torchTrainable,
    activations: elements(estimate.output),
    count: 1,
  });
  return estimate.output;
}

/** product(shape), without a bigint per axis while the count is exact as a double. */
function elements(shape: Shape): bigint {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return Number.isSafeInteger(n) ? BigInt(n) : product(shape);
}

function emptyRow(name: string, range: Range, site: Range, depth: number, input: Shape | undefined, entry?: LayerEntry): LayerRow {
  return { kind: 'layer', name, entry, range, site, depth, input, trainable: 0n, nonTrainable: 0n, macs: 0n, activations: 0n, count: 1 };
}

/**
 * Opens a group: its row goes before its children and gets their totals when the group
 * closes. Returns the row's index (past the end when the row did not fit).
 */
function openGroup(walk: Walk, label: string, range: Range, site: Range, depth: number, input: Shape | undefined): number {
  const index = walk.rows.length;
  if (roomForRow(walk, site)) walk.rows.push({ kind: 'group', name: label, entry: undefined, range, site, depth, input, trainable: 0n, nonTrainable: 0n, macs: 0n, activations: 0n, count: 1 });
  walk.sums.push(zeroSums());
  return index;
}

function closeGroup(walk: Walk, index: number, output: Shape | undefined): Shape | undefined {
  const sums = walk.sums.pop()!;
  addSums(walk.sums[walk.sums.length - 1], sums);
  const row = walk.rows[index];
  if (row?.kind !== 'group') return output;
  walk.rows[index] = {
    kind: 'group',
    name: row.name,
    entry: row.entry,
    range: row.range,
    site: row.site,
    depth: row.depth,
    input: row.input,
    trainable: sums.trainable,
    nonTrainable: sums.nonTrainable,
    macs: sums.macs,
    activations: sums.activations,
    count: row.count,
    output,
  };
  return output;
}

function expandBlock(walk: Walk, block: A.BlockDecl, call: A.LayerCall, env: Env, input: Shape | undefined, depth: number, site: Range): Shape | undefined {
  const { ctx } = walk;
  if (ctx.scope.isCyclic(call)) {
    walk.complete = false;
    return undefined;
  }
  if (walk.blockDepth >= MAX_BLOCK_DEPTH) {
    ctx.diags.add('nesting-too-deep', `Blocks are used inside blocks more than ${MAX_BLOCK_DEPTH} levels deep here; flatten the chain.`, call.name.range);
    walk.complete = false;
    return undefined;
  }
  const bound = bindBlockArgs(block, call, env, input, ctx);
  if (!bound) {
    walk.complete = false;
    return undefined;
  }
  const label = `${block.name.name}${call.args ? `(${bound.written.map((a) => (a.name ? `${a.name.name}: ` : '') + valueText(a.value)).join(', ')})` : ''}`;
  walk.blockDepth++;
  const index = openGroup(walk, label, call.range, site, depth, input);
  const output = closeGroup(walk, index, walkItems(walk, block.body, bound.env, input, depth + 1, site));
  walk.blockDepth--;
  return output;
}

function valueText(v: Value): string {
  switch (v.kind) {
    case 'number':
      return String(v.value);
    case 'bool':
      return String(v.value);
    case 'ident':
      return v.name;
    case 'string':
      return JSON.stringify(v.value);
    default:
      return '…';
  }
}

/**
 * `in_channels` and `in_shape` read the shape of this use's input. An unknown input has
 * already been reported where it became unknown, so they are then silent errors.
 */
function bindInputShape(env: Map<string, Value>, block: A.BlockDecl, range: Range, input: Shape | undefined): void {
  const own = (name: string) => block.params.some((p) => p.name.name === name);
  if (!own('in_channels')) {
    env.set('in_channels', input && input.length ? { kind: 'number', value: input[input.length - 1], range } : { kind: 'error', range });
  }
  if (!own('in_shape')) {
    env.set('in_shape', input ? { kind: 'list', items: input.map((value) => ({ kind: 'number' as const, value, range })), range } : { kind: 'error', range });
  }
}

/** Binds a block's untyped parameters: positional, then named, then defaults (which may use earlier parameters). */
function bindBlockArgs(block: A.BlockDecl, call: A.LayerCall, env: Env, input: Shape | undefined, ctx: NeuralContext): { env: Env; written: readonly EvaluatedArg[] } | undefined {
  const { diags } = ctx;
  const values = evaluateArgs(call.args, env, diags);
  const bound = new Map<string, Value>();
  const params = block.params;
  let position = 0;
  let ok = true;
  for (const arg of values) {
    let param: A.BlockParam | undefined;
    if (arg.name) {
      param = params.find((p) => p.name.name === arg.name!.name);
      if (!param) {
        const suggestion = closestName(arg.name.name, params.map((p) => p.name.name));
        diags.add(
          'unknown-argument',
          `Block ${clip(block.name.name)} has no parameter '${clip(arg.name.name)}'.${suggestion ? ` Did you mean '${clip(suggestion)}'?` : ''}${params.length ? ` It takes: ${params.map((p) => clip(p.name.name)).join(', ')}.` : ''}`,
          arg.name.range,
          { suggestions: suggestion ? [suggestion] : [] },
        );
        ok = false;
        continue;
      }
    } else {
      param = params[position++];
      if (!param) {
        diags.add('too-many-arguments', `Block ${clip(block.name.name)} takes ${params.length} argument${params.length === 1 ? '' : 's'}; remove this one.`, arg.range);
        ok = false;
        continue;
      }
    }
    if (bound.has(param.name.name)) {
      diags.add('duplicate-argument', `'${clip(param.name.name)}' is given more than once; keep one.`, arg.range);
      continue;
    }
    bound.set(param.name.name, arg.value);
  }
  // Defaults may read the input's shape too (`expand = in_channels * 6`).
  bindInputShape(bound, block, call.range, input);
  for (const param of params) {
    if (bound.has(param.name.name)) continue;
    if (param.default) {
      bound.set(param.name.name, evaluate(param.default, bound, diags));
    } else {
      diags.add('missing-argument', `Block ${clip(block.name.name)} needs '${clip(param.name.name)}'.`, call.range, { argument: param.name.name, insertText: `${param.name.name}: ` });
      ok = false;
    }
  }
  return ok ? { env: bound, written: values } : undefined;
}

function walkRepeat(walk: Walk, item: A.RepeatStmt, env: Env, input: Shape | undefined, depth: number, site: Range): Shape | undefined {
  const { diags } = walk.ctx;
  const count = evaluate(item.count, env, diags);
  if (count.kind !== 'number' || !Number.isInteger(count.value) || count.value < 0) {
    if (count.kind !== 'error') diags.add('argument-type', `repeat needs a whole number of copies, 0 or more (e.g. \`repeat 4 { ... }\`), not ${describeValue(count)}.`, item.count.range);
    walk.complete = false;
    return unknownCount(walk, item, env, input, depth, site);
  }
  const n = count.value;
  if (n > 2 ** 40) {
    diags.add('size-overflow', `repeat ${n} is beyond any trainable size (at most 2^40); use a realistic count.`, item.count.range);
    walk.complete = false;
    return undefined;
  }
  const index = openGroup(walk, `repeat ${n}`, item.range, site, depth, input);
  return closeGroup(walk, index, repeatBody(walk, item, n, env, input, depth, site));
}

/**
 * A repeat whose count is unknown still has its body checked once; when that body keeps
 * the shape, so does the repeat, and the layers after it are still inferred (their sizes
 * are exact, the model's totals are not: the copies are unknown).
 */
function unknownCount(walk: Walk, item: A.RepeatStmt, env: Env, input: Shape | undefined, depth: number, site: Range): Shape | undefined {
  const index = openGroup(walk, 'repeat ?', item.range, site, depth, input);
  const out = closeGroup(walk, index, walkItems(walk, item.body, env, input, depth + 1, site));
  return sameShape(out, input) ? input : undefined;
}

function repeatBody(walk: Walk, item: A.RepeatStmt, n: number, env: Env, input: Shape | undefined, depth: number, site: Range): Shape | undefined {
  const { diags } = walk.ctx;
  let shape = input;
  for (let i = 0; i < n; i++) {
    const before = walk.rows.length;
    const open = walk.sums[walk.sums.length - 1];
    const snapshot = { ...open };
    const facts = walk.facts;
    const out = walkItems(walk, item.body, env, shape, depth + 1, site);
    const remaining = n - i - 1;
    if (out === undefined || walk.overflow) return undefined;
    if (remaining > 0 && sameShape(out, shape) && (i + 1 >= EXPAND_COPIES || remaining + i + 1 > EXPAND_COPIES)) {
      // Same input shape gives the same layers again: count the remaining copies without walking them.
      const copies = remaining + 1;
      addSums(open, since(open, snapshot), BigInt(remaining));
      for (let r = before; r < walk.rows.length; r++) {
        const row = walk.rows[r];
        walk.rows[r] = { ...row, count: row.count * copies, activations: row.activations * BigInt(copies) };
      }
      return out;
    }
    if (remaining > 0 && sameShape(out, shape) && walk.facts === facts) {
      // The next copy would meet the same shape, arguments and facts, so it would walk to
      // the same rows: add those instead of walking again (GPT-2's 12 blocks walk once).
      return replayCopies(walk, before, remaining, snapshot, out);
    }
    if (i >= MAX_ITERATIONS) {
      diags.add('size-overflow', `repeat ${n} keeps changing the shape for more than ${MAX_ITERATIONS} copies; reduce the count.`, item.count.range);
      walk.complete = false;
      return undefined;
    }
    shape = out;
  }
  return shape;
}

/** Appends `copies` more copies of the rows from `from` on, with their totals, as walking them again would. */
function replayCopies(walk: Walk, from: number, copies: number, before: Sums, out: Shape): Shape | undefined {
  const open = walk.sums[walk.sums.length - 1];
  const copy = since(open, before);
  const end = walk.rows.length;
  for (let c = 0; c < copies; c++) {
    // Rows are never changed in place (a closing group or collapsing repeat writes a new object), so copies may share them.
    for (let r = from; r < end; r++) {
      if (!roomForRow(walk, walk.rows[r].site)) return undefined;
      walk.rows.push(walk.rows[r]);
    }
    addSums(open, copy);
  }
  return out;
}

function sameShape(a: Shape | undefined, b: Shape | undefined): boolean {
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function walkIf(walk: Walk, item: A.IfStmt, env: Env, input: Shape | undefined, depth: number, site: Range | undefined): Shape | undefined {
  const { diags } = walk.ctx;
  const condition = evaluate(item.condition, env, diags);
  if (condition.kind !== 'bool') {
    if (condition.kind !== 'error') diags.add('argument-type', `if needs a condition that is true or false (e.g. \`if stride == 1 { ... }\`), not ${describeValue(condition)}.`, item.condition.range);
    walk.complete = false;
    return undefined;
  }
  const body = condition.value ? item.body : item.elseBody;
  return body ? walkItems(walk, body, env, input, depth, site) : input;
}

/** Paths are groups under the concat's group, so engines find each path's layers. */
function walkConcat(walk: Walk, item: A.ConcatStmt, env: Env, input: Shape | undefined, depth: number, site: Range): Shape | undefined {
  const index = openGroup(walk, 'concat', item.range, site, depth, input);
  const outputs: (Shape | undefined)[] = [];
  for (let k = 0; k < item.paths.length && !walk.overflow; k++) {
    const path = item.paths[k];
    const open = openGroup(walk, `path ${k + 1}`, path.range, site, depth + 1, input);
    outputs.push(closeGroup(walk, open, walkItems(walk, path.body, env, input, depth + 2, site)));
  }
  return closeGroup(walk, index, joinPaths(walk, item, outputs));
}

function joinPaths(walk: Walk, item: A.ConcatStmt, outputs: readonly (Shape | undefined)[]): Shape | undefined {
  if (item.paths.length === 0) {
    walk.ctx.diags.add('concat-shape', 'concat needs at least one path: `concat { { layers } { layers } }` (`{ }` passes the input through).', item.keyword);
    walk.complete = false;
    return undefined;
  }
  if (outputs.length < item.paths.length || outputs.some((o) => o === undefined)) {
    walk.complete = false;
    return undefined;
  }
  const first = outputs[0]!;
  let channels = 0;
  for (let k = 0; k < outputs.length; k++) {
    const out = outputs[k]!;
    if (out.length !== first.length || out.length === 0 || out.some((d, axis) => axis < out.length - 1 && d !== first[axis])) {
      walk.ctx.diags.add(
        'concat-shape',
        `Path ${k + 1} of this concat gives ${formatShape(out)} but path 1 gives ${formatShape(first)}; the paths must agree on every axis but the last, where they are joined.`,
        item.paths[k].range,
      );
      walk.complete = false;
      return undefined;
    }
    channels += out[out.length - 1];
  }
  return [...first.slice(0, -1), channels];
}

function walkResidual(walk: Walk, item: A.ResidualStmt, env: Env, input: Shape | undefined, depth: number, site: Range): Shape | undefined {
  const { ctx } = walk;
  const bound = bindArgs('residual', RESIDUAL_ARGS, evaluateArgs(item.args, env, ctx.diags), item.keyword, ctx.bind);
  const index = openGroup(walk, 'residual', item.range, site, depth, input);
  return closeGroup(walk, index, residualBranch(walk, item, bound, env, input, depth, site));
}

function residualBranch(walk: Walk, item: A.ResidualStmt, bound: BoundArgs, env: Env, input: Shape | undefined, depth: number, site: Range): Shape | undefined {
  const { ctx } = walk;
  const branch = walkItems(walk, item.body, env, input, depth + 1, site);
  if (!branch || !input || !bound.ok) return undefined;
  if (sameShape(branch, input) && !bound.args.projection) return input;
  if (!bound.args.projection) {
    ctx.diags.add(
      'residual-shape',
      `The residual branch turns ${formatShape(input)} into ${formatShape(branch)}, so x + f(x) cannot be added; keep the shape or write \`residual(projection: true)\`.`,
      item.keyword,
      { fix: 'add-projection' },
    );
    walk.complete = false;
    return undefined;
  }
  const projection = projectionEstimate(input, branch, bound.args.projection_bias === true, bound.args.projection_batchnorm === true);
  if (!projection) {
    ctx.diags.add(
      'residual-shape',
      `No projection maps ${formatShape(input)} to ${formatShape(branch)}: a 1×1 projection needs the same rank and whole-number spatial strides.`,
      item.keyword,
    );
    walk.complete = false;
    return undefined;
  }
  pushRow(walk, {
    kind: 'layer',
    name: 'projection',
    // What the training engine needs to build the same projection that was counted.
    args: { projection_bias: bound.args.projection_bias === true, projection_batchnorm: bound.args.projection_batchnorm === true },
    range: item.keyword,
    site,
    depth: depth + 1,
    input,
    output: branch,
    trainable: projection.trainable,
    nonTrainable: projection.nonTrainable,
    macs: projection.macs,
    activations: product(branch),
    count: 1,
  });
  return branch;
}

/** The skip-path projection: 1×1 convolution with the spatial stride on images, dense on the last axis otherwise. */
function projectionEstimate(input: Shape, output: Shape, bias: boolean, batchnorm: boolean): Omit<LayerEstimate, 'output'> | undefined {
  if (input.length !== output.length) return undefined;
  const rank = input.length;
  const cin = BigInt(input[rank - 1]);
  const cout = BigInt(output[rank - 1]);
  for (let axis = 0; axis < rank - 1; axis++) {
    const stride = input[axis] / output[axis];
    if (!Number.isInteger(stride) && Math.ceil(input[axis] / Math.ceil(stride)) !== output[axis]) return undefined;
  }
  const positions = product(output.slice(0, -1));
  return {
    trainable: cin * cout + (bias ? cout : 0n) + (batchnorm ? 2n * cout : 0n),
    nonTrainable: batchnorm ? 2n * cout : 0n,
    macs: positions * cin * cout,
  };
}
