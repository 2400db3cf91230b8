import type { Args, EstimatorEntry, EstimatorEstimate, LayerEntry, Shape } from '../catalog/types';
import type * as A from '../language/ast';
import type { Range } from '../language/position';
import type { SourceFile } from '../language/ast';
import type { Diagnostic } from './diagnostics';
import type { BoundCall } from './settings';

/** What a dataset declaration resolves to; unknown facts stay undefined. */
export interface DatasetInfo {
  readonly name: string;
  readonly decl: A.DatasetDecl;
  readonly kind: 'csv' | 'synthetic' | 'unknown';
  /** Absolute path of a CSV source. */
  readonly path?: string;
  /** A CSV source's path as the spec writes it, for messages. */
  readonly file?: string;
  /** Present while a large CSV file is summarised in the background: rows, classes and labels are then unknown. */
  readonly pending?: { readonly bytes: number };
  /** Present when the file was too large to summarise whole: the data rows read (`rows` counts them all; labels and counts are of those read). */
  readonly sampledRows?: number;
  readonly synthetic?: { readonly kind: string; readonly args: Readonly<Record<string, number>> };
  readonly target?: string;
  readonly shape?: Shape;
  readonly features?: number;
  readonly classes?: number;
  readonly rows?: number;
  readonly trainSamples?: number;
  readonly testSamples?: number;
  readonly labels?: readonly string[];
  readonly labelCounts?: readonly number[];
  readonly vocab?: number;
  readonly testSplit: number;
  readonly normalize: string;
  readonly seed: number;
}

/** One line of a model summary: a layer, or a group (block use, residual, repeat) of them. */
export interface LayerRow {
  readonly kind: 'layer' | 'group';
  /** Catalogue name for layers; display label for groups ("residual", "Bottleneck(64)", "repeat 12"). */
  readonly name: string;
  readonly entry?: LayerEntry;
  readonly args?: Args;
  /** Where each written argument is, for quick fixes that edit one. */
  readonly argRanges?: ReadonlyMap<string, Range>;
  /** Where this layer or group is written (possibly inside a block). */
  readonly range: Range;
  /** Where, in the model body, the line that produced this row is. */
  readonly site: Range;
  readonly depth: number;
  readonly input?: Shape;
  readonly output?: Shape;
  readonly trainable: bigint;
  readonly nonTrainable: bigint;
  readonly macs: bigint;
  /** PyTorch's parameter count of a layer where it differs from `trainable` (recurrent layers); see LayerEstimate. */
  readonly torchTrainable?: bigint;
  /** Output elements per sample, summed over the copies this row stands for. */
  readonly activations: bigint;
  /** How many identical copies this row stands for (a collapsed repeat). */
  readonly count: number;
}

export interface TrainSettings {
  readonly optimizer: BoundCall;
  readonly loss: string;
  readonly batchSize: number;
  readonly epochs: number;
  readonly metrics: readonly string[];
  readonly earlyStopping?: number;
  readonly validationSplit: number;
  readonly seed: number;
  readonly section?: A.TrainSection;
}

/**
 * Counts in the convention of Keras and TensorFlow.js: batch-norm statistics are
 * non-trainable parameters. `torch` is PyTorch's count of the same model as the exporter
 * writes it: `parameters()` (recurrent layers keep two bias vectors per gate there) and the
 * batch-norm statistics as buffers, which PyTorch does not count as parameters.
 */
export interface Totals {
  readonly trainable: bigint;
  readonly nonTrainable: bigint;
  readonly total: bigint;
  readonly torch: { readonly params: bigint; readonly buffers: bigint };
  readonly macs: bigint;
  readonly flops: bigint;
  /** Output elements kept per sample for the backward pass. */
  readonly activations: bigint;
}

/** Bytes, all exact. */
export interface Memory {
  readonly weightsFp32: bigint;
  readonly weightsFp16: bigint;
  readonly gradients: bigint;
  readonly optimizerState: bigint;
  readonly activationsPerSample: bigint;
  /** The batch the activations are multiplied by: batch_size, or the training samples when there are fewer. */
  readonly batchSize: number;
  /** The spec's batch_size; above `batchSize` when the training samples capped it. */
  readonly batchSetting: number;
  readonly training: bigint;
}

export interface TrainingCompute {
  /** Training samples per epoch, when the data is known. */
  readonly samples?: number;
  readonly epochs: number;
  /** 3 × forward FLOPs × samples × epochs; undefined without known samples. */
  readonly flops?: bigint;
  readonly flopsPerSample: bigint;
}

/** One term of a classical fit's memory: what holds it and its bytes. */
export interface FitMemoryPart {
  readonly label: string;
  readonly bytes: bigint;
}

/**
 * What a classical estimator's fit does, in its own terms: the memory the fit holds at
 * its peak (the training data as the engine copies it, solver state, the model being
 * built) and its work, counted in the operation that dominates that estimator. Neural
 * models have `memory` and `compute` instead.
 */
export interface ClassicalFit {
  /**
   * An upper bound of the fit's peak: SVM caches and tree nodes at their bounds, plus the
   * JavaScript engine's own working space as measured (bench/classical-memory.ts).
   */
  readonly memory: {
    readonly bytes: bigint;
    readonly parts: readonly FitMemoryPart[];
  };
  readonly work: {
    /** The count, in `unit`s. */
    readonly ops: bigint;
    readonly unit: string;
    /** How `ops` is made up, e.g. "≤ 500 iterations × 2 × 120 samples × 5 × 3 vectors". */
    readonly detail: string;
    /** True when `ops` is a bound (iterations that stop early, trees that stop before their depth). */
    readonly upperBound: boolean;
  };
}

export interface ModelAnalysis {
  readonly name: string;
  readonly decl: A.ModelDecl;
  readonly kind: 'neural' | 'classical' | 'unknown';
  readonly dataset?: DatasetInfo;
  readonly inputShape?: Shape;
  readonly outputShape?: Shape;
  readonly classes?: number;
  readonly rows: readonly LayerRow[];
  readonly totals: Totals;
  readonly memory: Memory;
  readonly compute: TrainingCompute;
  readonly train: TrainSettings;
  readonly estimator?: { readonly entry: EstimatorEntry; readonly args: Args; readonly estimate: EstimatorEstimate; readonly range: Range };
  /** False when an error left shapes or counts unknown: totals then cover only what was inferred. */
  readonly complete: boolean;
}

/** A name used somewhere, resolved to its declaration: the basis of go-to-definition, references and rename. */
export interface Reference {
  readonly name: string;
  readonly kind: 'dataset' | 'block' | 'model';
  readonly range: Range;
  readonly target?: A.Declaration;
}

export interface Analysis {
  readonly file: string;
  readonly source: SourceFile;
  readonly datasets: ReadonlyMap<string, DatasetInfo>;
  readonly blocks: ReadonlyMap<string, A.BlockDecl>;
  readonly models: readonly ModelAnalysis[];
  readonly compare?: { readonly decl: A.CompareDecl; readonly models: readonly string[] };
  readonly references: readonly Reference[];
  readonly diagnostics: readonly Diagnostic[];
  /** Absolute paths of data files this analysis read: a change to one invalidates it. */
  readonly dependencies: readonly string[];
}
