import type { LayerRow, Memory, ModelAnalysis, Totals } from './model';
import { memoryOf } from './totals';

/**
 * The two engines that train neural models count parameters differently: PyTorch keeps two
 * bias vectors per recurrent gate where TensorFlow.js keeps one, and keeps batch-norm
 * statistics as buffers where TensorFlow.js counts them as non-trainable parameters. What
 * a user is shown must be the count of the engine that trains, so every view asks here.
 */
export type EngineKind = 'torch' | 'tfjs';

export const ENGINE_NAMES: Readonly<Record<EngineKind, string>> = { torch: 'PyTorch', tfjs: 'TensorFlow.js' };

/** Each engine's rule, stated wherever its count is shown. */
export const CONVENTIONS: Readonly<Record<EngineKind, string>> = {
  torch: 'PyTorch: parameters(); batch-norm statistics are buffers',
  tfjs: 'TensorFlow.js: batch-norm statistics are non-trainable params',
};

/** Said of a count both engines agree on. */
export const SAME_IN_BOTH = 'the same in PyTorch and TensorFlow.js';

/** One count (a model's, or one copy of a row's) in both conventions. */
export interface Counts {
  readonly tfjs: { readonly trainable: bigint; readonly nonTrainable: bigint; readonly total: bigint };
  readonly torch: { readonly params: bigint; readonly buffers: bigint };
}

/** The count `engine` reports, in the shape runs report it: PyTorch's parameters() are all trainable. */
export interface EngineParams {
  readonly trainable: bigint;
  readonly nonTrainable: bigint;
  readonly total: bigint;
}

export function modelCounts(t: Totals): Counts {
  return { tfjs: { trainable: t.trainable, nonTrainable: t.nonTrainable, total: t.total }, torch: t.torch };
}

/** Whether the engines' counts differ, in total or in how they split it. */
export function countsDiffer(c: Counts): boolean {
  return c.torch.params !== c.tfjs.trainable || c.tfjs.nonTrainable !== 0n;
}

/** Whether some neural model of these counts differently in the two engines, so its numbers depend on which one trains. */
export function enginesDisagree(models: readonly ModelAnalysis[]): boolean {
  return models.some((m) => m.kind !== 'classical' && countsDiffer(modelCounts(m.totals)));
}

export function paramsIn(c: Counts, engine: EngineKind): EngineParams {
  return engine === 'torch' ? { trainable: c.torch.params, nonTrainable: 0n, total: c.torch.params } : c.tfjs;
}

/**
 * Training memory as `engine` holds the model. PyTorch's weights are its parameters and
 * buffers, its gradients and optimizer state its parameters' (the extra recurrent biases
 * included); TensorFlow.js's are the analysis's own figures. Both multiply the activations by
 * min(batch_size, training samples).
 */
export function memoryIn(m: ModelAnalysis, engine: EngineKind): Memory {
  if (engine === 'tfjs') return m.memory;
  const { torch } = m.totals;
  return memoryOf({ ...m.totals, trainable: torch.params, nonTrainable: torch.buffers, total: torch.params + torch.buffers }, m.train, m.dataset?.trainSamples);
}

/** What `engine` counts differently from the other engine, as phrases ("two bias vectors per recurrent gate"). */
export function differences(c: Counts, engine: EngineKind): string[] {
  const out: string[] = [];
  if (c.torch.params !== c.tfjs.trainable) out.push(engine === 'torch' ? 'two bias vectors per recurrent gate' : 'one bias vector per recurrent gate');
  if (c.tfjs.nonTrainable !== 0n) out.push(engine === 'torch' ? 'batch-norm statistics as buffers' : 'batch-norm statistics as non-trainable params');
  return out;
}

/** The counts of all the copies some rows stand for (each row's count, times its copies). */
export function sumCounts(parts: Iterable<{ readonly counts: Counts; readonly copies: number }>): Counts {
  let trainable = 0n;
  let nonTrainable = 0n;
  let params = 0n;
  for (const { counts, copies } of parts) {
    const n = BigInt(copies);
    trainable += counts.tfjs.trainable * n;
    nonTrainable += counts.tfjs.nonTrainable * n;
    params += counts.torch.params * n;
  }
  return { tfjs: { trainable, nonTrainable, total: trainable + nonTrainable }, torch: { params, buffers: nonTrainable } };
}

const rowCounters = new WeakMap<readonly LayerRow[], (row: LayerRow) => Counts>();

/**
 * The counts of one copy of a row of `rows` (a model's rows). A group row carries only the
 * TensorFlow.js totals of its children, so PyTorch's extra biases inside it are summed from
 * the rows it owns (the deeper rows after it), once per rows array.
 */
export function rowCounter(rows: readonly LayerRow[]): (row: LayerRow) => Counts {
  let counter = rowCounters.get(rows);
  if (!counter) {
    const extras = groupExtras(rows);
    counter = (row) => {
      const extra = row.kind === 'group' ? (extras.get(row) ?? 0n) : row.torchTrainable === undefined ? 0n : row.torchTrainable - row.trainable;
      return {
        tfjs: { trainable: row.trainable, nonTrainable: row.nonTrainable, total: row.trainable + row.nonTrainable },
        torch: { params: row.trainable + extra, buffers: row.nonTrainable },
      };
    };
    rowCounters.set(rows, counter);
  }
  return counter;
}

/**
 * PyTorch's parameters beyond `trainable` in one copy of each group that has any. Rows of a
 * collapsed repeat stand for `count` copies, the group row's own count included, so a
 * group's children sum to `count` copies of it.
 */
function groupExtras(rows: readonly LayerRow[]): Map<LayerRow, bigint> {
  const extras = new Map<LayerRow, bigint>();
  const open: { row: LayerRow; extra: bigint }[] = [];
  const close = () => {
    const group = open.pop()!;
    if (group.extra === 0n) return;
    extras.set(group.row, group.extra / BigInt(group.row.count));
    if (open.length) open[open.length - 1].extra += group.extra;
  };
  for (const row of rows) {
    while (open.length && open[open.length - 1].row.depth >= row.depth) close();
    if (row.kind === 'group') open.push({ row, extra: 0n });
    else if (row.torchTrainable !== undefined && open.length) open[open.length - 1].extra += (row.torchTrainable - row.trainable) * BigInt(row.count);
  }
  while (open.length) close();
  return extras;
}
