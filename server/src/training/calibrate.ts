/**
 * This machine's training speed on the active TensorFlow.js backend, measured once per
 * process, and the training-time estimate built on it.
 *
 * A training step costs a fixed amount (JavaScript dispatch of every op, batch slicing,
 * callbacks: milliseconds even for a model of a few hundred FLOPs) plus its arithmetic
 * at a rate that depends on the shape of the matrix products: a convolution, attention or
 * a dense layer applied at every position multiplies batch × positions rows at once and
 * gets more FLOPs per second out of the backend than a dense layer on one vector per
 * sample, and recurrent cells, stepped through time in many small products, get fewer.
 * So reference models are trained through the same loop a run uses (`fitModel`): one
 * with next to no arithmetic for the fixed cost, and an MLP, a small CNN or an LSTM for
 * the rate of the kind of model being trained. The specs are analysed and built like a
 * user's, so their FLOPs follow docs/estimates.md.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { analyze } from '../analysis/analyze';
import type { ModelAnalysis } from '../analysis/model';
import { mulberry32 } from '../util/random';
import { buildModel } from './neural/build';
import { fitModel } from './neural/fit';
import type { Calibration, RateKind } from './trainTime';

type TF = typeof tfTypes;

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

model Recurrent {
  input: [12, 8]
  classes: 4
  lstm(32)
  dense(4, activation: softmax)
  train {
    batch_size: 32
    validation_split: 0
  }
}
`;

/**
 * Steps each reference trains before it is timed: in a fresh process the first steps run
 * several times slower until V8 has compiled the hot paths, which takes a number of
 * calls rather than a time; but the warm-up stops after `WARM_UP_MAX_MS`, so that slow
 * backends and references stay cheap to calibrate.
 */
const WARM_UP_STEPS = 8;
const WARM_UP_MAX_MS = 400;
/** How long each reference is timed for. */
const TIMED_MS = 180;
/**
 * Timed epochs, of which the fastest counts: other work on the machine only ever slows a
 * step down, so the fastest is the closest to what this machine does when it is free.
 */
const TIMED_EPOCHS = 3;

export interface ReferenceModels {
  /** Next to no arithmetic: its step time is the fixed cost. */
  readonly step: ModelAnalysis;
  readonly rates: Readonly<Record<RateKind, ModelAnalysis>>;
}

export function referenceModels(): ReferenceModels {
  const analysis = analyze(REFERENCE_SPECS, { file: '/modelspec/calibration.model' });
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`calibration specs do not check: ${errors.map((d) => d.message).join('; ')}`);
  const get = (name: string) => analysis.models.find((m) => m.name === name)!;
  return { step: get('Step'), rates: { dense: get('Dense'), conv: get('Conv'), recurrent: get('Recurrent') } };
}

/** Training FLOPs of one step of `model` (3 × forward FLOPs × batch). */
function stepFlops(model: ModelAnalysis): number {
  return Number(model.compute.flopsPerSample) * model.train.batchSize;
}

/**
 * Milliseconds per step of the training loop for a reference model on random data. The
 * warm-up trains one step per epoch, so that it can stop after any step, and gives the
 * pace; the timed epochs are then as many steps long as fit the window, so that the
 * per-epoch work of the loop weighs on each step about as little as in a run. A step
 * that alone outlasts the warm-up (convolutions on the pure-JS cpu backend) is the
 * figure: first-call costs are small beside such arithmetic.
 */
async function msPerStep(tf: TF, model: ModelAnalysis): Promise<number> {
  const shape = model.inputShape!;
  const classes = model.classes!;
  const size = shape.reduce((a, b) => a * b, 1);
  const random = mulberry32(1);
  const net = buildModel(tf, model);
  /** Trains up to `epochs` epochs of `steps` steps, stopping at the first epoch end after `stopAfterMs`; ms per step of each epoch. */
  const train = async (steps: number, epochs: number, stopAfterMs: number) => {
    const n = steps * model.train.batchSize;
    const x = Float32Array.from({ length: n * size }, () => random() * 2 - 1);
    const y = Int32Array.from({ length: n }, (_, i) => i % classes);
    const start = performance.now();
    const ends = [start];
    let stop = false;
    await fitModel(tf, net, { x, y, n }, {
      settings: model.train,
      epochs,
      classes,
      shape,
      onEpoch: () => {
        ends.push(performance.now());
        stop = ends[ends.length - 1] - start > stopAfterMs;
      },
      cancelled: () => stop,
    });
    return ends.slice(1).map((end, i) => (end - ends[i]) / steps);
  };
  try {
    const warm = await train(1, WARM_UP_STEPS, WARM_UP_MAX_MS);
    if (warm.length === 1) return warm[0];
    const last = warm.slice(-3);
    const pace = last.reduce((a, b) => a + b, 0) / last.length;
    // The timed run's first epoch pays for a new optimizer and data, so it is not counted.
    const timed = await train(Math.max(1, Math.round(TIMED_MS / TIMED_EPOCHS / pace)), 1 + TIMED_EPOCHS, Infinity);
    return Math.min(...timed.slice(1));
  } finally {
    net.dispose();
  }
}

async function measure(tf: TF, backend: string, kind: RateKind): Promise<Calibration> {
  const started = performance.now();
  const refs = referenceModels();
  const reference = refs.rates[kind];
  // The arithmetic reference runs first, so that the fixed cost, pure JavaScript, is
  // measured with the code already compiled, as it is through most of a run.
  const ms = await msPerStep(tf, reference);
  const stepMs = await once(stepCosts, backend, () => msPerStep(tf, refs.step));
  // On a busy machine the reference may come out barely above the fixed cost: the rate
  // is never put above twice what its whole step time gives.
  const flopsPerSecond = stepFlops(reference) / (Math.max(ms - stepMs, ms / 2) / 1000);
  return { backend, kind, stepMs, flopsPerSecond, millis: performance.now() - started };
}

/** Measured figures by backend (and kind): a process measures each once. */
const stepCosts = new Map<string, Promise<number>>();
const calibrations = new Map<string, Promise<Calibration>>();

function once<T>(cache: Map<string, Promise<T>>, key: string, measureIt: () => Promise<T>): Promise<T> {
  let pending = cache.get(key);
  if (!pending) {
    pending = measureIt();
    cache.set(key, pending);
    // A failed measurement is not kept: the next run tries again.
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

/**
 * This machine's figures for training a model of `kind` on the active backend, measured
 * on the first call. Only the kind asked for is measured: on the pure-JS cpu backend the
 * conv reference alone takes seconds.
 */
export function calibrate(tf: TF, kind: RateKind): Promise<Calibration> {
  const backend = tf.getBackend();
  return once(calibrations, `${backend}/${kind}`, () => measure(tf, backend, kind));
}
