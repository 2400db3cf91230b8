/**
 * This machine's training speed on the active TensorFlow.js backend, measured once per
 * process, and the training-time estimate built on it.
 *
 * A training step costs a fixed amount (JavaScript dispatch of every op, batch slicing,
 * callbacks: milliseconds even for a model of a few hundred FLOPs) plus its arithmetic
 * at a rate that depends on the shape of the matrix products: a convolution, attention or
 * a dense layer applied at every position multiplies batch × positions rows at once and
 * runs several times faster per FLOP than a dense layer on one vector per sample. So three
 * reference models are trained through the same loop a run uses (`fitModel`): one with
 * next to no arithmetic for the fixed cost, an MLP and a small CNN for the two rates.
 * The specs are analysed and built like a user's, so their FLOPs follow docs/estimates.md.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { analyze } from '../analysis/analyze';
import type { LayerRow, ModelAnalysis } from '../analysis/model';
import { mulberry32 } from '../util/random';
import { buildModel } from './neural/build';
import { fitModel } from './neural/fit';

type TF = typeof tfTypes;

/** Which measured rate a model's arithmetic runs at: `conv` for products over many positions per sample. */
export type RateKind = 'dense' | 'conv';

export interface Calibration {
  /** The tfjs backend measured. */
  readonly backend: string;
  /** Milliseconds of one step of the training loop beyond its arithmetic. */
  readonly stepMs: number;
  /** Training FLOPs per second beyond the fixed step cost, per kind of model. */
  readonly flopsPerSecond: Readonly<Record<RateKind, number>>;
  /** How long the calibration took. */
  readonly millis: number;
}

// No validation split: a run's validation pass costs a forward pass once per epoch, a
// few per cent of its steps, and would only blur the per-step figures here.
const REFERENCE_SPECS = `
model Step {
  input: [4]
  classes: 3
  dense(8, activation: relu)
  dense(3, activation: softmax)
  train {
    batch_size: 16
    validation_split: 0
  }
}

model Dense {
  input: [256]
  classes: 10
  dense(256, activation: relu)
  dense(256, activation: relu)
  dense(10, activation: softmax)
  train {
    batch_size: 32
    validation_split: 0
  }
}

model Conv {
  input: [12, 12, 1]
  classes: 10
  conv2d(16, kernel: 3, padding: same, activation: relu)
  maxpool2d(2)
  conv2d(32, kernel: 3, padding: same, activation: relu)
  maxpool2d(2)
  flatten
  dense(10, activation: softmax)
  train {
    batch_size: 32
    validation_split: 0
  }
}
`;

/** Wall-clock time each reference is timed for, after its warm-up steps. */
const BUDGET_MS = 250;
const WARM_UP_STEPS = 2;
const MAX_STEPS = 24;

export function referenceModels(): Record<'Step' | 'Dense' | 'Conv', ModelAnalysis> {
  const analysis = analyze(REFERENCE_SPECS, { file: '/modelspec/calibration.model' });
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`calibration specs do not check: ${errors.map((d) => d.message).join('; ')}`);
  const get = (name: string) => analysis.models.find((m) => m.name === name)!;
  return { Step: get('Step'), Dense: get('Dense'), Conv: get('Conv') };
}

/** Training FLOPs of one step of `model` (3 × forward FLOPs × batch). */
function stepFlops(model: ModelAnalysis): number {
  return Number(model.compute.flopsPerSample) * model.train.batchSize;
}

/**
 * Milliseconds per step of the training loop for a reference model on random data:
 * a short warm-up run (first-call costs, JIT), then a run of as many steps as fit the
 * budget at the warm-up's pace.
 */
async function msPerStep(tf: TF, model: ModelAnalysis): Promise<number> {
  const shape = model.inputShape!;
  const classes = model.classes!;
  const size = shape.reduce((a, b) => a * b, 1);
  const random = mulberry32(1);
  const net = buildModel(tf, model);
  const run = async (steps: number) => {
    const n = steps * model.train.batchSize;
    const x = Float32Array.from({ length: n * size }, () => random() * 2 - 1);
    const y = Int32Array.from({ length: n }, (_, i) => i % classes);
    const start = performance.now();
    await fitModel(tf, net, { x, y, n }, { settings: model.train, epochs: 1, classes, shape, onEpoch: () => undefined, cancelled: () => false });
    return (performance.now() - start) / steps;
  };
  try {
    const warm = await run(WARM_UP_STEPS);
    const steps = Math.max(2, Math.min(MAX_STEPS, Math.floor(BUDGET_MS / warm)));
    return await run(steps);
  } finally {
    net.dispose();
  }
}

async function measure(tf: TF): Promise<Calibration> {
  const started = performance.now();
  const refs = referenceModels();
  // The arithmetic references run first, so that the fixed cost, pure JavaScript, is
  // measured with the code already compiled, as it is through most of a run.
  const dense = await msPerStep(tf, refs.Dense);
  const conv = await msPerStep(tf, refs.Conv);
  const stepMs = await msPerStep(tf, refs.Step);
  // On a busy machine a reference may come out barely above the fixed cost; its whole
  // step time still bounds the rate from below.
  const rate = (model: ModelAnalysis, ms: number) => stepFlops(model) / (Math.max(ms - stepMs, ms / 2) / 1000);
  return {
    backend: tf.getBackend(),
    stepMs,
    flopsPerSecond: { dense: rate(refs.Dense, dense), conv: rate(refs.Conv, conv) },
    millis: performance.now() - started,
  };
}

/** Calibrations by backend: a process measures each backend it trains on once. */
const calibrations = new Map<string, Promise<Calibration>>();

/** This machine's calibration for the active backend, measured on the first call. */
export function calibrate(tf: TF): Promise<Calibration> {
  const backend = tf.getBackend();
  let pending = calibrations.get(backend);
  if (!pending) {
    pending = measure(tf);
    calibrations.set(backend, pending);
    // A failed measurement is not kept: the next run tries again.
    pending.catch(() => calibrations.delete(backend));
  }
  return pending;
}

/** Positions a layer's weights are applied at per sample: 1 for a vector, T for a sequence, H·W for an image. */
function positions(row: LayerRow): number {
  return row.input ? row.input.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
}

/**
 * The rate a model trains at, from where most of its MACs are: convolutions, attention
 * and dense layers applied at many positions multiply large matrices, like the conv
 * reference; dense layers on vectors and recurrent cells (one small product per time
 * step) run like the MLP reference.
 */
export function rateKind(model: ModelAnalysis): RateKind {
  let conv = 0n;
  let dense = 0n;
  for (const row of model.rows) {
    if (row.kind !== 'layer' || !row.entry) continue;
    const macs = row.macs * BigInt(row.count);
    const family = row.entry.family;
    if (family === 'convolution' || family === 'attention' || (family === 'dense' && positions(row) > 1)) conv += macs;
    else dense += macs;
  }
  return conv > dense ? 'conv' : 'dense';
}

/**
 * Estimated wall-clock milliseconds to train `model` for `epochs`: the fixed cost of
 * every step plus the training FLOPs (3 × forward × samples × epochs) at the model's rate.
 * Undefined without a known sample count.
 */
export function estimateTrainMs(model: ModelAnalysis, epochs: number, calibration: Calibration): number | undefined {
  const samples = model.compute.samples;
  if (samples === undefined) return undefined;
  const stepsPerEpoch = Math.ceil((samples * (1 - model.train.validationSplit)) / model.train.batchSize);
  const flops = Number(model.compute.flopsPerSample) * samples * epochs;
  return stepsPerEpoch * epochs * calibration.stepMs + (flops / calibration.flopsPerSecond[rateKind(model)]) * 1000;
}
