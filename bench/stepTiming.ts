/**
 * Milliseconds per step of Modelspec's own training loop (`fitModel`) for a model on random
 * data: the measurement behind the built-in step model's constants (time-model-fit.ts).
 * The specs are analysed and built like a user's, so their FLOPs follow docs/estimates.md.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelAnalysis } from '../server/src/analysis/model';
import { buildModel } from '../server/src/training/neural/build';
import { fitModel } from '../server/src/training/neural/fit';
import { mulberry32 } from '../server/src/util/random';

type TF = typeof tfTypes;

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

/**
 * Milliseconds per step of the training loop for a reference model on random data. The
 * warm-up trains one step per epoch, so that it can stop after any step, and gives the
 * pace; the timed epochs are then as many steps long as fit the window, so that the
 * per-epoch work of the loop weighs on each step about as little as in a run. A step
 * that alone outlasts the warm-up (convolutions on the pure-JS cpu backend) is the
 * figure: first-call costs are small beside such arithmetic.
 */
export async function msPerStep(tf: TF, model: ModelAnalysis): Promise<number> {
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
