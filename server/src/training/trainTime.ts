/**
 * Training time from a calibration: what the trainer reports as its estimate and what the
 * editor shows before a run. No TensorFlow.js here, so the language server can use it;
 * the measuring is in calibrate.ts.
 */
import type { LayerRow, ModelAnalysis } from '../analysis/model';

/**
 * Which measured rate a model's arithmetic runs at: `conv` for products over many
 * positions per sample, `recurrent` for cells stepped through time.
 */
export type RateKind = 'dense' | 'conv' | 'recurrent';

export interface Calibration {
  /** The tfjs backend measured. */
  readonly backend: string;
  readonly kind: RateKind;
  /** Milliseconds of one step of the training loop beyond its arithmetic. */
  readonly stepMs: number;
  /** Training FLOPs per second beyond the fixed step cost. */
  readonly flopsPerSecond: number;
  /** Milliseconds spent measuring (the step cost is measured by a backend's first calibration only). */
  readonly millis: number;
}

/** Positions a layer's weights are applied at per sample: 1 for a vector, T for a sequence, H·W for an image. */
function positions(row: LayerRow): number {
  return row.input ? row.input.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
}

/**
 * The rate a model trains at, from where most of its MACs are: convolutions, attention
 * and dense layers applied at many positions multiply large matrices, like the conv
 * reference; recurrent cells run one small product per time step, each with its own
 * dispatch cost, like the LSTM reference; dense layers on vectors like the MLP.
 */
export function rateKind(model: ModelAnalysis): RateKind {
  const macs: Record<RateKind, bigint> = { dense: 0n, conv: 0n, recurrent: 0n };
  for (const row of model.rows) {
    if (row.kind !== 'layer' || !row.entry) continue;
    const family = row.entry.family;
    const kind: RateKind = family === 'sequence' ? 'recurrent' : family === 'convolution' || family === 'attention' || positions(row) > 1 ? 'conv' : 'dense';
    macs[kind] += row.macs * BigInt(row.count);
  }
  return (['dense', 'conv', 'recurrent'] as const).reduce((best, kind) => (macs[kind] > macs[best] ? kind : best));
}

/**
 * Estimated wall-clock milliseconds to train `model` for `epochs`: the fixed cost of
 * every step plus the training FLOPs (3 × forward × samples × epochs) at the model's rate.
 * Undefined without a known sample count.
 */
export function estimateTrainMs(model: ModelAnalysis, epochs: number, calibration: Calibration): number | undefined {
  if (calibration.kind !== rateKind(model)) throw new Error(`${model.name} trains at the ${rateKind(model)} rate, not the ${calibration.kind} one`);
  const samples = model.compute.samples;
  if (samples === undefined) return undefined;
  return trainMs(trainingSteps(model, samples, epochs), Number(model.compute.flopsPerSample) * samples * epochs, calibration);
}

/** Optimizer steps over `epochs` of `samples` training samples, less the validation split, in batches. */
export function trainingSteps(model: ModelAnalysis, samples: number, epochs: number): number {
  return Math.ceil((samples * (1 - model.train.validationSplit)) / model.train.batchSize) * epochs;
}

/** Milliseconds for `steps` steps doing `flops` training FLOPs in all. */
export function trainMs(steps: number, flops: number, calibration: Calibration): number {
  return steps * calibration.stepMs + (flops / calibration.flopsPerSecond) * 1000;
}
