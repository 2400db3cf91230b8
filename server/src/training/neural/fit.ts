import type * as tfTypes from '@tensorflow/tfjs';
import type { TrainSettings } from '../../analysis/model';
import { validationSplit } from '../data/prepare';
import type { EpochStats } from '../protocol';

type TF = typeof tfTypes;

export interface Split {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly n: number;
}

export interface FitOptions {
  readonly settings: TrainSettings;
  readonly epochs: number;
  readonly classes: number;
  /** Sample shape without the batch axis. */
  readonly shape: readonly number[];
  onEpoch(stats: EpochStats): void;
  /** Polled after every batch: cancellation takes effect within one batch. */
  cancelled(): boolean;
}

export interface FitResult {
  readonly history: EpochStats[];
  readonly status: 'completed' | 'cancelled' | 'stopped-early';
  readonly trainMs: number;
}

const LOSSES: Record<string, string> = {
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mse: 'meanSquaredError',
  mae: 'meanAbsoluteError',
  hinge: 'hinge',
};

export function makeOptimizer(tf: TF, settings: TrainSettings): tfTypes.Optimizer {
  const a = settings.optimizer.args;
  const lr = typeof a.learning_rate === 'number' ? a.learning_rate : 1e-3;
  switch (settings.optimizer.name) {
    case 'sgd':
      return typeof a.momentum === 'number' && a.momentum > 0 ? tf.train.momentum(lr, a.momentum) : tf.train.sgd(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr, typeof a.rho === 'number' ? a.rho : 0.9);
    case 'adagrad':
      return tf.train.adagrad(lr);
    default:
      return tf.train.adam(lr, a.beta1 as number | undefined, a.beta2 as number | undefined, a.epsilon as number | undefined);
  }
}

/** Labels as the loss wants them: indices, one-hot rows, or a single 0/1 column. */
function labelTensor(tf: TF, y: Int32Array, classes: number, loss: string, outputs: number): tfTypes.Tensor {
  if (loss === 'sparse_categorical_crossentropy') return tf.tensor1d(y, 'float32');
  if (outputs === 1) return tf.tensor2d(Float32Array.from(y), [y.length, 1]);
  return tf.tidy(() => tf.oneHot(tf.tensor1d(y, 'int32'), classes).toFloat());
}

/**
 * Trains with the train section's settings: a seeded shuffle, a validation slice of the
 * training split for the curves, early stopping on validation loss (the best weights are
 * restored), progress after every epoch and cancellation within a batch.
 */
export async function fitModel(tf: TF, model: tfTypes.LayersModel, train: Split, opts: FitOptions): Promise<FitResult> {
  const { settings } = opts;
  const outputs = (model.outputs[0].shape[model.outputs[0].shape.length - 1] as number | null) ?? opts.classes;
  const optimizer = makeOptimizer(tf, settings);
  model.compile({ optimizer, loss: LOSSES[settings.loss] ?? settings.loss, metrics: settings.loss.includes('crossentropy') ? ['accuracy'] : [] });

  const { fit: fitRows, validation: valRows } = validationSplit(train.n, settings.validationSplit, settings.seed);
  const fitCount = fitRows.length;
  const valCount = valRows.length;
  const size = opts.shape.reduce((a, b) => a * b, 1);
  const pick = (indices: Int32Array) => {
    const x = new Float32Array(indices.length * size);
    const y = new Int32Array(indices.length);
    indices.forEach((src, i) => {
      x.set(train.x.subarray(src * size, (src + 1) * size), i * size);
      y[i] = train.y[src];
    });
    return { x, y };
  };
  const fitPart = pick(fitRows);
  const valPart = pick(valRows);
  const xs = tf.tensor(fitPart.x, [fitCount, ...opts.shape]);
  const ys = labelTensor(tf, fitPart.y, opts.classes, settings.loss, outputs);
  const xv = valCount ? tf.tensor(valPart.x, [valCount, ...opts.shape]) : undefined;
  const yv = valCount ? labelTensor(tf, valPart.y, opts.classes, settings.loss, outputs) : undefined;

  const history: EpochStats[] = [];
  let status: FitResult['status'] = 'completed';
  let best = Infinity;
  let sinceBest = 0;
  let bestWeights: tfTypes.Tensor[] | undefined;
  const started = Date.now();
  let epochStart = started;
  try {
    await model.fit(xs, ys, {
      epochs: opts.epochs,
      batchSize: settings.batchSize,
      shuffle: true,
      validationData: xv && yv ? [xv, yv] : undefined,
      verbose: 0,
      callbacks: {
        onEpochBegin: async () => {
          epochStart = Date.now();
        },
        onBatchEnd: async () => {
          if (opts.cancelled()) {
            status = 'cancelled';
            model.stopTraining = true;
          }
        },
        onEpochEnd: async (epoch, logs) => {
          const now = Date.now();
          const stats: EpochStats = {
            epoch: epoch + 1,
            loss: logs?.loss ?? NaN,
            accuracy: logs?.acc ?? logs?.accuracy,
            valLoss: logs?.val_loss,
            valAccuracy: logs?.val_acc ?? logs?.val_accuracy,
            samplesPerSec: fitCount / Math.max(1e-3, (now - epochStart) / 1000),
            elapsedMs: now - started,
          };
          history.push(stats);
          opts.onEpoch(stats);
          if (settings.earlyStopping && stats.valLoss !== undefined) {
            if (stats.valLoss < best - 1e-6) {
              best = stats.valLoss;
              sinceBest = 0;
              bestWeights?.forEach((t) => t.dispose());
              bestWeights = model.getWeights().map((w) => w.clone());
            } else if (++sinceBest >= settings.earlyStopping) {
              status = 'stopped-early';
              model.stopTraining = true;
            }
          }
          if (opts.cancelled()) {
            status = 'cancelled';
            model.stopTraining = true;
          }
        },
      },
    });
    if ((status as FitResult['status']) === 'stopped-early' && bestWeights) model.setWeights(bestWeights);
  } finally {
    bestWeights?.forEach((t) => t.dispose());
    tf.dispose([xs, ys, ...(xv ? [xv] : []), ...(yv ? [yv] : [])]);
    // fit leaves the optimizer's slot variables alive; they are ours to free.
    optimizer.dispose();
  }
  return { history, status, trainMs: Date.now() - started };
}

/** Class predictions in batches, so evaluation memory stays bounded. */
export function predictClasses(tf: TF, model: tfTypes.LayersModel, x: Float32Array, n: number, shape: readonly number[], batch = 256): Int32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Int32Array(n);
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    const labels = tf.tidy(() => {
      const p = model.predict(tf.tensor(x.subarray(start * size, (start + count) * size), [count, ...shape])) as tfTypes.Tensor;
      const last = p.shape[p.shape.length - 1];
      return last === 1 ? p.reshape([count]).greater(0.5).toInt() : p.argMax(-1);
    });
    out.set(labels.dataSync() as Int32Array, start);
    labels.dispose();
  }
  return out;
}
