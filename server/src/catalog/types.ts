import type { Range } from '../language/position';
import type { BuildContext, EngineLayer } from './engine';
import type { SklearnContext, SklearnForm, TorchContext, TorchForm } from './torch';

/**
 * The catalogue describes every layer, estimator and setting once. Validation,
 * shape inference, estimates, hover, completion, signature help, the training engine
 * (and later exporters) all read these entries; nothing else knows a layer.
 */

/** A tensor shape of one sample: no batch axis, channels last. */
export type Shape = readonly number[];

export type ArgType =
  | 'int'        // whole number
  | 'number'     // any finite number
  | 'bool'
  | 'enum'       // one of `values`, written as a bare identifier
  | 'string'
  | 'int_pair'   // `3` or `[3, 5]`: normalised to [h, w]
  | 'padding'    // one of `values`, or sizes: `2`, `[1, 2]`, `[[top, bottom], [left, right]]` (flattened to [top, bottom, left, right])
  | 'shape'      // list of whole numbers, e.g. [8, 8, 1]; reshape accepts one -1
  | 'layer'      // a nested layer call, e.g. bidirectional(lstm(64))
  | 'enum_list'  // list of `values`, e.g. [accuracy, f1]
  | 'reference'; // the name of a declaration, e.g. data: Digits

export type ArgValue = number | boolean | string | readonly number[] | readonly string[] | NestedLayer;

/** A nested layer argument, already validated against its own entry. */
export interface NestedLayer {
  readonly entry: LayerEntry;
  readonly args: Args;
  readonly range: Range;
}

export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
  readonly doc: string;
  /** Absent and not `required`: the argument is optional with no value (e.g. activation: none). */
  readonly default?: ArgValue;
  readonly required?: boolean;
  /** Allowed identifiers for `enum`. */
  readonly values?: readonly string[];
  /** Inclusive bounds unless the matching *Exclusive flag is set. */
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  /** For `layer`: which entries are accepted (e.g. recurrent layers only). */
  readonly layers?: readonly string[];
}

/** Validated arguments with defaults applied, keyed by argument name. */
export type Args = Readonly<Record<string, ArgValue | undefined>>;

export type Family =
  | 'dense'
  | 'convolution'
  | 'pooling'
  | 'shape'
  | 'normalization'
  | 'activation'
  | 'sequence'
  | 'attention'
  | 'classical';

export type Severity = 'error' | 'warning' | 'info';

/** What an entry reports during inference; `arg` points the range at that argument. */
export interface Report {
  readonly code: string;
  readonly message: string;
  readonly severity?: Severity;
  readonly arg?: string;
  readonly data?: Record<string, unknown>;
}

/** Facts about the model being inferred that a layer may need. */
export interface ModelFacts {
  /** The first embedding layer of the model, for weight tying. */
  readonly embedding?: { readonly vocab: number; readonly dim: number };
}

export interface InferContext {
  readonly input: Shape;
  readonly args: Args;
  readonly model: ModelFacts;
  report(r: Report): void;
  /** Inference of a nested layer argument on a given input (bidirectional wraps an RNN). */
  inferNested(layer: NestedLayer, input: Shape): LayerEstimate | undefined;
}

/**
 * One forward pass of one sample. Counts are exact integers, in the convention of Keras
 * and TensorFlow.js: `nonTrainable` holds batch-norm statistics, which PyTorch keeps as
 * buffers rather than parameters.
 */
export interface LayerEstimate {
  readonly output: Shape;
  readonly trainable: bigint;
  readonly nonTrainable: bigint;
  readonly macs: bigint;
  /**
   * PyTorch's parameter count of the module the layer exports to, where it differs from
   * `trainable` (recurrent layers keep two bias vectors per gate there). Absent: equal.
   */
  readonly torchTrainable?: bigint;
}

export interface LayerEntry {
  readonly kind: 'layer';
  readonly name: string;
  readonly family: Family;
  /** One line, shown in completion lists. */
  readonly summary: string;
  /** Markdown, shown on hover: what it does, shape rule, parameter and MAC formulas. */
  readonly doc: string;
  readonly args: readonly ArgSpec[];
  /** Expected input rank(s), for messages and completion filtering; undefined: any. */
  readonly inputRanks?: readonly number[];
  /** Returns undefined when it reported an error that leaves the output unknown. */
  infer(ctx: InferContext): LayerEstimate | undefined;
  /**
   * The training engine's layer for a use that inferred cleanly: its weights must be
   * exactly the ones `infer` counted (trainable and not), its output the inferred shape.
   */
  build(b: BuildContext): EngineLayer;
  /**
   * The PyTorch module(s) for a use that inferred cleanly, as the Python code model.py
   * holds: parameters exactly `torchTrainable ?? trainable`, output the inferred shape.
   */
  torch(t: TorchContext): TorchForm;
}

export interface EstimatorContext {
  readonly args: Args;
  readonly features: number;
  readonly classes: number;
  /** Training rows when the data is known; bounds for kernel SVMs and trees use it. */
  readonly trainSamples?: number;
  report(r: Report): void;
}

export interface EstimatorEstimate {
  /** Learned numbers after fitting (weights, support vectors, tree nodes as stored). */
  readonly params: bigint;
  /** True when `params` is an upper bound before training (kernel SVMs, trees). */
  readonly upperBound: boolean;
  /** Arithmetic behind `params`, shown on hover and in the table. */
  readonly detail: string;
  /** Rough multiply-adds to predict one sample. */
  readonly macs: bigint;
}

export interface EstimatorEntry {
  readonly kind: 'estimator';
  readonly name: string;
  readonly family: 'classical';
  readonly summary: string;
  readonly doc: string;
  readonly args: readonly ArgSpec[];
  estimate(ctx: EstimatorContext): EstimatorEstimate;
  /** The scikit-learn estimator with the same hyperparameters, as the Python code an export holds. */
  sklearn(s: SklearnContext): SklearnForm;
}

export type CatalogEntry = LayerEntry | EstimatorEntry;

/** A setting in a `dataset`, model header or `train` section. */
export interface PropertySpec extends ArgSpec {
  /** For call-valued settings (optimizer, synthetic source): the accepted calls. */
  readonly calls?: readonly CallSpec[];
}

export interface CallSpec {
  readonly name: string;
  readonly doc: string;
  readonly args: readonly ArgSpec[];
}
