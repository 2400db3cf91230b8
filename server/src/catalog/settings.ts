import { MAX_DIM } from './common';
import type { ArgSpec, CallSpec, PropertySpec } from './types';

/**
 * Settings of datasets, model headers and train sections, described once like layers
 * so that validation, hover and completion read the same text.
 */

const learningRate: ArgSpec = { name: 'learning_rate', type: 'number', default: 0.001, min: 0, minExclusive: true, max: 10, doc: 'Step size.' };

export const OPTIMIZERS: readonly CallSpec[] = [
  {
    name: 'adam',
    doc: 'Adam (Kingma & Ba, 2015). Keeps two moments per parameter: optimizer state = 2 × trainable params.',
    args: [
      learningRate,
      { name: 'beta1', type: 'number', default: 0.9, min: 0, max: 1, maxExclusive: true, doc: 'Decay of the first moment.' },
      { name: 'beta2', type: 'number', default: 0.999, min: 0, max: 1, maxExclusive: true, doc: 'Decay of the second moment.' },
      { name: 'epsilon', type: 'number', default: 1e-7, min: 0, minExclusive: true, doc: 'Numerical stability term.' },
    ],
  },
  {
    name: 'sgd',
    doc: 'Stochastic gradient descent, optionally with momentum (state = 1 × params when momentum > 0).',
    args: [{ ...learningRate, default: 0.01 }, { name: 'momentum', type: 'number', default: 0, min: 0, max: 1, maxExclusive: true, doc: 'Momentum factor.' }],
  },
  {
    name: 'rmsprop',
    doc: 'RMSprop. Keeps one running average per parameter: state = 1 × trainable params.',
    args: [learningRate, { name: 'rho', type: 'number', default: 0.9, min: 0, max: 1, maxExclusive: true, doc: 'Decay of the running average.' }],
  },
  { name: 'adagrad', doc: 'Adagrad. One accumulator per parameter.', args: [{ ...learningRate, default: 0.01 }] },
];

/** Optimizer state per trainable parameter, for the training-memory estimate. */
export function optimizerSlots(name: string, momentum: number): number {
  if (name === 'adam') return 2;
  if (name === 'sgd') return momentum > 0 ? 1 : 0;
  return 1;
}

export const LOSSES = [
  'sparse_categorical_crossentropy',
  'categorical_crossentropy',
  'binary_crossentropy',
  'mse',
  'mae',
  'hinge',
] as const;

export const METRICS = ['accuracy', 'f1', 'precision', 'recall', 'mse', 'mae'] as const;

export const TRAIN_SETTINGS: readonly PropertySpec[] = [
  { name: 'optimizer', type: 'enum', values: OPTIMIZERS.map((o) => o.name), calls: OPTIMIZERS, default: 'adam', doc: 'Optimizer, by name or as a call with its settings, e.g. `adam(learning_rate: 1e-3)`.' },
  { name: 'loss', type: 'enum', values: LOSSES, default: 'sparse_categorical_crossentropy', doc: 'Loss to minimise. Class-index labels take `sparse_categorical_crossentropy`.' },
  { name: 'batch_size', type: 'int', default: 32, min: 1, max: 2 ** 31, doc: 'Samples per gradient step.' },
  { name: 'epochs', type: 'int', default: 10, min: 1, max: 1_000_000, doc: 'Passes over the training split.' },
  { name: 'metrics', type: 'enum_list', values: METRICS, default: ['accuracy'], doc: 'Metrics to report, e.g. `[accuracy, f1]`.' },
  { name: 'early_stopping', type: 'int', min: 1, max: 1_000_000, doc: 'Stop after this many epochs without validation improvement (patience).' },
  { name: 'validation_split', type: 'number', default: 0.1, min: 0, max: 1, maxExclusive: true, doc: 'Fraction of the training split held out for validation curves.' },
  { name: 'seed', type: 'int', default: 42, min: 0, max: 2 ** 31, doc: 'Seed for weight initialisation and shuffling.' },
];

export const SYNTHETIC_CALL = 'synthetic';

export const DATASET_SETTINGS: readonly PropertySpec[] = [
  { name: 'source', type: 'string', required: true, doc: 'A CSV file with a header row (path relative to this file), or `synthetic(kind: spirals | sequences | tokens, ...)`.' },
  { name: 'target', type: 'string', doc: 'Label column (default: the last column).' },
  { name: 'shape', type: 'shape', doc: "Reshape each row's features, e.g. `[8, 8, 1]` (default: `[n_features]`)." },
  { name: 'test_split', type: 'number', default: 0.2, min: 0, max: 1, minExclusive: true, maxExclusive: true, doc: 'Held-out fraction for evaluation (stratified).' },
  { name: 'normalize', type: 'enum', values: ['none', 'minmax', 'standard'], default: 'none', doc: 'Feature scaling fitted on the training split only.' },
  { name: 'seed', type: 'int', default: 42, min: 0, max: 2 ** 31, doc: 'Seed of the split and of synthetic data.' },
];

export const MODEL_SETTINGS: readonly PropertySpec[] = [
  { name: 'data', type: 'reference', doc: 'The dataset this model trains on; its shape and class count fill in `input` and the output check.' },
  { name: 'input', type: 'shape', doc: 'Input shape of one sample, channels last, without the batch axis, e.g. `[28, 28, 1]`.' },
  { name: 'classes', type: 'int', min: 1, max: MAX_DIM, doc: 'Number of classes, when there is no dataset to read it from.' },
];

export const RESIDUAL_ARGS: readonly ArgSpec[] = [
  { name: 'projection', type: 'bool', default: false, doc: 'Add a learned projection on the skip path when the branch changes the shape: a 1×1 convolution (stride from the spatial ratio) on images, a dense layer otherwise.' },
  { name: 'projection_bias', type: 'bool', default: true, doc: 'Whether the projection has a bias.' },
  { name: 'projection_batchnorm', type: 'bool', default: false, doc: 'Batch-normalise the projection (as in ResNet).' },
];

export const STRUCTURE_DOCS: Readonly<Record<string, string>> = {
  repeat: '`repeat N { ... }` stacks its body N times, each copy with its own weights.',
  residual: '`residual { ... }` computes out = x + f(x). With `projection: true` the skip path is projected when f changes the shape.',
  concat: '`concat { { ... } { ... } }` runs each path on the same input and joins their outputs on the last (channel) axis; `{ }` is the input itself. The paths must agree on every other axis.',
  if: '`if condition { ... } else { ... }` keeps one branch, chosen while checking from block arguments and `in_channels`/`in_shape` (the shape of the block\'s input); conditions use `==` `!=` `<` `<=` `>` `>=`, `and`, `or`, `not`.',
  else: '`else { ... }` is the branch an `if` keeps when its condition is false.',
  train: 'Training settings: optimizer, loss, batch_size, epochs, metrics, early_stopping, validation_split, seed.',
  block: '`block Name(param, param = default) { layers }` defines a reusable group of layers, used like a layer: `Name(64)`.',
  compare: '`compare A, B, C` trains the listed models on the same data and shows them side by side.',
  dataset: '`dataset Name { source: ..., target: ..., shape: ... }` describes where data comes from and how it is shaped.',
  model: '`model Name { data: ..., layers or one estimator, train { ... } }` describes a neural or classical model.',
};
