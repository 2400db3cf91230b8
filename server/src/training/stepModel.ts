/**
 * The built-in model of a TensorFlow.js training step, without TensorFlow.js, so the editor
 * can time a model before anything has trained on this machine.
 *
 * On the wasm backend a small model's step is almost all dispatch: every op of the forward
 * pass, its gradient and the optimizer's update of each weight is a JavaScript call with a
 * fixed cost, so a step costs a fixed amount for the loop, a fixed amount per layer (by
 * kind: a transformer block is a dozen ops, a dropout two) and, for recurrent cells, a
 * fixed amount per time step. The arithmetic is added at a rate per kind of product
 * (matrix products, convolutions, recurrent cells, attention). The figures were measured
 * with bench/time-model-fit.ts on the machine class in BUILT_IN (see docs/estimates.md).
 */
import type { LayerRow } from '../analysis/model';
import type { NestedLayer } from '../catalog/types';

export type RowRate = 'matmul' | 'conv' | 'recurrent' | 'attention';
export type RecurrentCell = 'lstm' | 'gru' | 'simple_rnn';

export interface StepModel {
  readonly backend: string;
  /** ms per step for the loop itself: batch slicing, the loss, callbacks. */
  readonly baseMs: number;
  /** ms per epoch beyond its steps: shuffling, the validation pass's set-up, epoch callbacks, the history file. */
  readonly epochMs: number;
  /** ms once per run: a fresh trainer process compiles each kernel and optimizer path on first use (its first two epochs are slower). */
  readonly runMs: number;
  /** ms per step per layer, by catalogue name. */
  readonly layerMs: Readonly<Record<string, number>>;
  /** For layer kinds not measured: the cost of a dense layer. */
  readonly defaultLayerMs: number;
  /** ms per step per time step of a recurrent cell (each direction of a bidirectional one). */
  readonly recurrentStepMs: Readonly<Record<RecurrentCell, number>>;
  /** Training FLOP/s of each kind of product, beyond the dispatch. */
  readonly flopsPerSecond: Readonly<Record<RowRate, number>>;
  /** The plain-JavaScript matrix-product rate (timeArithmetic.ts) of the machine measured: the scale to other machines. */
  readonly plainJsFlopsPerSecond: number;
}

const CELLS: ReadonlySet<string> = new Set<RecurrentCell>(['lstm', 'gru', 'simple_rnn']);

/** What one copy of a layer costs per training step beyond its arithmetic, and the rate its arithmetic runs at. */
export function rowCost(row: LayerRow, model: StepModel): { dispatchMs: number; rate: RowRate } {
  const entry = row.entry;
  if (row.kind !== 'layer' || !entry) return { dispatchMs: 0, rate: 'matmul' };
  const nested = entry.name === 'bidirectional' ? (row.args?.layer as NestedLayer | undefined) : undefined;
  const cell = nested ? nested.entry.name : entry.name;
  if (CELLS.has(cell)) {
    const directions = nested ? 2 : 1;
    const steps = row.input && row.input.length >= 2 ? row.input[0] : 1;
    const perDirection = (model.layerMs[cell] ?? model.defaultLayerMs) + steps * model.recurrentStepMs[cell as RecurrentCell];
    return { dispatchMs: directions * perDirection, rate: 'recurrent' };
  }
  const rate: RowRate = entry.family === 'convolution' ? 'conv' : entry.family === 'attention' ? 'attention' : entry.family === 'sequence' ? 'recurrent' : 'matmul';
  return { dispatchMs: model.layerMs[entry.name] ?? model.defaultLayerMs, rate };
}
