/**
 * The Modelspec extensions to LSP, shared by the server and the VS Code client: one
 * custom request, one custom notification and the workspace/executeCommand ids. Types
 * only (no runtime imports), so either side can import this file without pulling the
 * other's dependencies in.
 *
 * Integers that may exceed 2^53 (parameters, MACs, FLOPs, bytes) travel as JSON numbers
 * while safe and as decimal strings above, exactly like `modelspec estimate --json`.
 */

export type JsonInteger = number | string;

/** `modelspec/models`: the models of one document, as of its latest analysis. */
export const MODELS_REQUEST = 'modelspec/models';
export interface ModelsParams {
  readonly uri: string;
}
export interface ModelsResult {
  readonly uri: string;
  /** Document version the summaries belong to; null for a file read from disk. */
  readonly version: number | null;
  readonly models: readonly ModelSummary[];
}

/** `modelspec/modelsChanged`: sent after each published analysis, and with no models when the document closes. */
export const MODELS_CHANGED_NOTIFICATION = 'modelspec/modelsChanged';
export type ModelsChangedParams = ModelsResult;

export interface ModelSummary {
  readonly name: string;
  readonly kind: 'neural' | 'classical' | 'unknown';
  /** Range of the model's name (0-based LSP positions). */
  readonly range: LspRange;
  readonly dataset: string | null;
  readonly inputShape: readonly number[] | null;
  readonly outputShape: readonly number[] | null;
  readonly params: { readonly trainable: JsonInteger; readonly nonTrainable: JsonInteger; readonly total: JsonInteger };
  /** Kernel SVMs and trees: `params.total` is an upper bound before training. */
  readonly paramsUpperBound: boolean;
  readonly macs: JsonInteger;
  readonly flops: JsonInteger;
  readonly trainingMemoryBytes: JsonInteger;
  /** 3 × forward FLOPs × samples × epochs; null when the sample count is unknown. */
  readonly trainingFlops: JsonInteger | null;
  /** False when errors left shapes or counts unknown. */
  readonly complete: boolean;
  /** Error diagnostics inside the model's declaration. */
  readonly errors: number;
}

export interface LspRange {
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
}

/** workspace/executeCommand ids the server handles; every one takes a single `CommandArgs`. */
export const COMMANDS = {
  /** Returns the estimate table (plain text) of one model, or of every model in the file. */
  estimate: 'modelspec.estimate',
  /** Trains one model. Not in this server version: answers with an error that says so. */
  train: 'modelspec.train',
  /** Trains the file's `compare` list. Not in this server version: answers with an error that says so. */
  compare: 'modelspec.compare',
} as const;

export interface CommandArgs {
  readonly uri: string;
  readonly model?: string;
}
