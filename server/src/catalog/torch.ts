import type { ACTIVATIONS } from './common';
import type { Args, Shape } from './types';

/**
 * How a catalogue entry becomes PyTorch code. An entry's `torch` form returns the Python
 * expressions of its module(s), which the exporter writes into model.py, one per line,
 * with the spec's line in a comment. Nothing here imports torch: the forms are text.
 *
 * Layout: a `.model` shape is channels last ([H, W, C], [T, C]); PyTorch's convolutions,
 * pools and batch norms want channels first. Each form says which layout it needs and the
 * exporter inserts the conversions between layers, so that every module sees what it expects
 * and the model still takes and returns tensors in the spec's layout.
 */
export type Layout = 'channels_first' | 'channels_last';

/** Classes of model.py's helper library (export/python/torch_helpers.py) that a form may use. */
export type TorchHelper =
  | 'ChannelsFirst'
  | 'ChannelsLast'
  | 'Reshape'
  | 'TokenEmbedding'
  | 'PositionalEmbedding'
  | 'ClassToken'
  | 'TakeToken'
  | 'TokenTypeEmbedding'
  | 'Recurrent'
  | 'ElmanRNN'
  | 'ResetBeforeGRU'
  | 'SelfAttention'
  | 'TransformerBlock'
  | 'TiedLinear'
  | 'Residual'
  | 'Concat'
  | 'GlobalPool'
  | 'PaddedAvgPool';

export interface TorchContext {
  /** The validated arguments (defaults applied), as inference saw them. */
  readonly args: Args;
  /** Shapes the estimator inferred: one sample, no batch axis, channels last. */
  readonly input: Shape;
  readonly output: Shape;
  /** The layout the tensor arrives in; a form that needs another one says so and gets it. */
  readonly layout: Layout;
  /** Python expression for the weight of the model's first embedding, which a tied output shares. */
  readonly embeddingWeight?: string;
  /** Marks a helper class as used (model.py then defines it) and returns its name. */
  helper(name: TorchHelper): string;
  /** Refuses: this layer with these arguments has no PyTorch form. Says why. */
  unsupported(reason: string): never;
}

export interface TorchForm {
  /** The layout the modules need their input in; `any` when they work in either (they then read `layout`). */
  readonly layout: Layout | 'any';
  /** Python expressions, one module each, applied in order. */
  readonly modules: readonly string[];
}

/** Python code that goes into a call as it is (a module, a variable), not as a literal. */
export class PyCode {
  constructor(readonly text: string) {}
}

export function code(text: string): PyCode {
  return new PyCode(text);
}

/** Python's literal for a value: True/False, ints, floats as repr would write them, strings, tuples. */
export function py(value: unknown): string {
  if (value instanceof PyCode) return value.text;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
    if (!Number.isFinite(value)) return value > 0 ? 'float("inf")' : value < 0 ? 'float("-inf")' : 'float("nan")';
    // repr's choice: an exponent below 1e-4 or from 1e16, with at least two digits (1e-05).
    const magnitude = Math.abs(value);
    if (magnitude >= 1e-4 && magnitude < 1e16) return String(value);
    return value.toExponential().replace(/e([+-])(\d)$/, (_, sign: string, digit: string) => `e${sign}0${digit}`);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null) return 'None';
  if (Array.isArray(value)) return value.length === 1 ? `(${py(value[0])},)` : `(${value.map(py).join(', ')})`;
  throw new Error(`No Python literal for ${String(value)}.`);
}

/**
 * A call with positional arguments, then the named ones whose value is not undefined:
 * `nn.Conv2d(1, 16, 3, padding=1)`.
 */
export function pyCall(callee: string, positional: readonly unknown[], named: Readonly<Record<string, unknown>> = {}): string {
  const parts = positional.map(py);
  for (const [k, v] of Object.entries(named)) if (v !== undefined) parts.push(`${k}=${py(v)}`);
  return `${callee}(${parts.join(', ')})`;
}

/** `3` for a square window, `(3, 5)` otherwise, as PyTorch users write kernel sizes. */
export function pyPair(pair: readonly number[]): number | readonly number[] {
  return pair.every((v) => v === pair[0]) ? pair[0] : pair;
}

type Activation = (typeof ACTIVATIONS)[number];

/**
 * The catalogue's activations as PyTorch modules. Typed over every activation, so a new one
 * does not compile until it has a PyTorch counterpart. `linear` adds no module. Softmax runs
 * over the channel axis, wherever the layout puts it.
 */
const TORCH_ACTIVATIONS: Readonly<Record<Activation, (channelsDim: number) => string | undefined>> = {
  linear: () => undefined,
  relu: () => 'nn.ReLU()',
  relu6: () => 'nn.ReLU6()',
  gelu: () => 'nn.GELU()',
  tanh: () => 'nn.Tanh()',
  sigmoid: () => 'nn.Sigmoid()',
  softmax: (dim) => `nn.Softmax(dim=${dim})`,
  elu: () => 'nn.ELU()',
  selu: () => 'nn.SELU()',
  swish: () => 'nn.SiLU()',
  // Keras and TensorFlow.js use slope 0.2; PyTorch's default is 0.01.
  leaky_relu: () => 'nn.LeakyReLU(0.2)',
  softplus: () => 'nn.Softplus()',
};

/** The channel axis of a batched tensor of `rank` sample axes in `layout`. */
export function channelsDim(layout: Layout, rank: number): number {
  return layout === 'channels_first' && rank >= 2 ? 1 : -1;
}

export function torchActivation(name: unknown, layout: Layout, rank: number): string[] {
  const make = TORCH_ACTIVATIONS[name as Activation];
  if (make === undefined) throw new Error(`No PyTorch activation for '${String(name)}'.`);
  const module = make(channelsDim(layout, rank));
  return module === undefined ? [] : [module];
}

/**
 * TensorFlow's `same` padding of one axis: the total that makes the output ceil(in / stride),
 * split with the odd element after (bottom/right), as TensorFlow does. PyTorch's own
 * `padding='same'` is symmetric and refuses strides, so the exporter writes these numbers.
 */
export function samePads(input: number, window: number, stride: number, dilation = 1): [number, number] {
  const out = Math.ceil(input / stride);
  const total = Math.max((out - 1) * stride + (window - 1) * dilation + 1 - input, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Per-axis [before, after] pads of a window op: zeros for `valid`, TensorFlow's split for `same`. */
export function windowPads(padding: unknown, input: readonly number[], window: readonly number[], stride: readonly number[], dilation?: readonly number[]): [number, number][] {
  return input.map((size, i) => (padding === 'same' ? samePads(size, window[i], stride[i], dilation?.[i] ?? 1) : [0, 0]));
}

export function symmetric(pads: readonly (readonly [number, number])[]): boolean {
  return pads.every(([a, b]) => a === b);
}

/** nn.ZeroPad2d / nn.ConstantPad1d order: the last axis first, (left, right, top, bottom). */
export function padOrder(pads: readonly (readonly [number, number])[]): number[] {
  return [...pads].reverse().flat();
}

/** The scikit-learn side of an estimator entry. */
export interface SklearnContext {
  readonly args: Args;
  /** The seed of the model's train section, for estimators that draw random numbers. */
  readonly seed: number;
  /** Training rows, for hyperparameters scikit-learn scales differently (a penalty per sample). */
  readonly trainSamples: number;
}

export interface SklearnForm {
  /** `from sklearn.svm import SVC`-style imports the expression needs. */
  readonly imports: readonly string[];
  /** The estimator, e.g. `SVC(kernel="rbf", C=10.0, gamma="scale")`. */
  readonly expression: string;
  /** Where scikit-learn's estimator differs from Modelspec's engine, one line each, for comments. */
  readonly notes: readonly string[];
}
