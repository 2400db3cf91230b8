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

/**
 * workspace/executeCommand ids the server handles; every one takes a single `CommandArgs`.
 * They differ from the extension's palette commands (`modelspec.train`, …) on purpose:
 * vscode-languageclient registers a VS Code command for each id the server advertises,
 * and registering an id twice fails, so the two families must not share ids.
 */
export const COMMANDS = {
  /** Returns the estimate table (plain text) of one model, or of every model in the file. */
  estimate: 'modelspec.server.estimate',
  /** Trains one model. Not in this server version: answers with an error that says so. */
  train: 'modelspec.server.train',
  /** Trains the file's `compare` list. Not in this server version: answers with an error that says so. */
  compare: 'modelspec.server.compare',
} as const;

export interface CommandArgs {
  readonly uri: string;
  readonly model?: string;
}

/**
 * `initializationOptions` the server understands. By default the code lenses run the
 * server commands above (with one `CommandArgs`), which works in any LSP client; an
 * editor with commands of its own (a view for the estimate, progress for training) names
 * them here, and its lenses then call them with two arguments: `(uri, model)`.
 */
export interface InitializationOptions {
  readonly trainCommand?: string;
  readonly estimateCommand?: string;
  /** Milliseconds one analysis may take before it is taken for stuck (tests lower it). */
  readonly analysisTimeLimit?: number;
}
