/**
 * The four throughput workloads of shared/notes/training-engines.md, built with tf.layers
 * exactly as bench/reference/torch_throughput.py builds them in PyTorch (same layers,
 * shapes and parameter counts, except that tfjs's GRU keeps Keras's reset_after=false
 * layout: 12,480 recurrent parameters vs PyTorch's 24,960).
 */
import type * as tfTypes from '@tensorflow/tfjs';

type TF = typeof tfTypes;

export const BATCH = 64;
export const CLASSES = 10;

export interface Workload {
  readonly name: 'CNN' | 'LSTM' | 'emb+GRU' | 'MLP';
  /** One sample's shape. */
  readonly shape: number[];
  /** Token inputs are ids in [0, vocab); the others standard-normal floats. */
  readonly vocab?: number;
  build(tf: TF): tfTypes.LayersModel;
}

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'CNN',
    shape: [28, 28, 1],
    build: (tf) =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 64, activation: 'relu' }),
          tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
        ],
      }),
  },
  {
    name: 'LSTM',
    shape: [32, 16],
    build: (tf) =>
      tf.sequential({
        layers: [tf.layers.lstm({ inputShape: [32, 16], units: 64 }), tf.layers.dense({ units: CLASSES, activation: 'softmax' })],
      }),
  },
  {
    name: 'emb+GRU',
    shape: [32],
    vocab: 1000,
    build: (tf) =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputShape: [32], inputDim: 1000, outputDim: 64 }),
          tf.layers.gru({ units: 64 }),
          tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
        ],
      }),
  },
  {
    name: 'MLP',
    shape: [784],
    build: (tf) =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
          tf.layers.dense({ units: 256, activation: 'relu' }),
          tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
        ],
      }),
  },
];

/** Deterministic synthetic data: the benchmark measures speed, not learning. */
export function syntheticData(tf: TF, w: Workload, n: number, seed = 1): { x: tfTypes.Tensor; y: tfTypes.Tensor } {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const size = w.shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * size);
  if (w.vocab) for (let i = 0; i < x.length; i++) x[i] = Math.floor(next() * w.vocab);
  else for (let i = 0; i < x.length; i += 2) {
    // Box-Muller: pairs of standard normals.
    const r = Math.sqrt(-2 * Math.log(1 - next()));
    const t = 2 * Math.PI * next();
    x[i] = r * Math.cos(t);
    if (i + 1 < x.length) x[i + 1] = r * Math.sin(t);
  }
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = Math.floor(next() * CLASSES);
  return { x: tf.tensor(x, [n, ...w.shape]), y: tf.tensor1d(y) };
}

export function compile(tf: TF, model: tfTypes.LayersModel): tfTypes.Optimizer {
  const optimizer = tf.train.adam(1e-3);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  return optimizer;
}
