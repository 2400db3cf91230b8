/**
 * The Modelspec extensions to LSP, shared by the server and the VS Code client: custom
 * requests and notifications (models, runs) and the workspace/executeCommand ids. Type
 * imports only, so either side (and the webview) can import this file without pulling
 * the other's dependencies in.
 *
 * Integers that may exceed 2^53 (parameters, MACs, FLOPs, bytes) travel as JSON numbers
 * while safe and as decimal strings above, exactly like `modelspec estimate --json`.
 */

import type { EpochStats, EvaluatedRun, Params } from '../training/protocol';

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
  /** The models of the file's `compare` declaration; null when it has none. */
  readonly compare?: readonly string[] | null;
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
  /**
   * As the engine that trains counts them (`engine`); where the engines count alike, or
   * while it is not known which one trains, TensorFlow.js's count.
   */
  readonly params: { readonly trainable: JsonInteger; readonly nonTrainable: JsonInteger; readonly total: JsonInteger };
  /** Whose count `params` is, where PyTorch and TensorFlow.js count differently and the engine is known; else null. */
  readonly engine: 'torch' | 'tfjs' | null;
  /** Both counts (neural models): TensorFlow.js's, and PyTorch's parameters() and batch-norm buffers. Null for classical models. */
  readonly paramsByEngine: {
    readonly tfjs: { readonly trainable: JsonInteger; readonly nonTrainable: JsonInteger; readonly total: JsonInteger };
    readonly torch: { readonly params: JsonInteger; readonly buffers: JsonInteger };
  } | null;
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
  /** Trains one model in a background trainer; answers the finished `RunView` (also when cancelled). */
  train: 'modelspec.server.train',
  /** Trains `models`, else the file's `compare` list, else every model; answers a `ComparisonView`. */
  compare: 'modelspec.server.compare',
} as const;

export interface CommandArgs {
  readonly uri: string;
  readonly model?: string;
  /** compare only: the models to train, in order. */
  readonly models?: readonly string[];
  /** train and compare: overrides the spec's epochs. */
  readonly epochs?: number;
  /** train and compare: train even when the estimated training memory is above what the machine has. */
  readonly skipMemoryCheck?: boolean;
}

/**
 * The `data` of the error (RequestFailed) that train and compare answer when the machine
 * lacks the memory for a model: `message` says by how much and what to change, without the
 * hint on overriding it; sending the command again with `skipMemoryCheck: true` trains anyway.
 */
export const MEMORY_REFUSED = 'too-big';
export interface MemoryRefusalData {
  readonly reason: typeof MEMORY_REFUSED;
  readonly models: readonly string[];
  readonly message: string;
}

/**
 * `modelspec/runs`: the runs stored on disk under the runs folders the server knows (the
 * workspace folders' and those of specs it trained), merged with the runs it is training
 * or has queued, newest first; and the comparisons stored next to them.
 */
export const RUNS_REQUEST = 'modelspec/runs';
export interface RunsResult {
  readonly runs: readonly RunView[];
  readonly comparisons: readonly ComparisonView[];
}

/** `modelspec/runChanged`: a run was queued, started, finished an epoch, or ended. */
export const RUN_CHANGED_NOTIFICATION = 'modelspec/runChanged';

/** `modelspec/comparisonChanged`: a comparison was started, gained a finished run, or ended. */
export const COMPARISON_CHANGED_NOTIFICATION = 'modelspec/comparisonChanged';

export type RunStatus = 'queued' | 'running' | 'completed' | 'stopped-early' | 'cancelled' | 'failed' | 'interrupted';

/** One training run as the views show it; the fields of run.json, history.csv and the live process. */
export interface RunView {
  /** Stable while the run lives: the run folder once the trainer made it, a queue id before. */
  readonly key: string;
  readonly runDir: string | null;
  readonly model: string;
  /** Absolute path of the spec that was trained. */
  readonly spec: string;
  readonly kind: 'neural' | 'classical' | null;
  readonly status: RunStatus;
  /** When the run was asked for (queued); the order of the runs list. */
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly backend: string | null;
  readonly backendNote: string | null;
  readonly epochs: number | null;
  readonly history: readonly RunEpoch[];
  readonly estimates: RunEstimates | null;
  readonly dataset: { readonly name: string; readonly rows: number; readonly train: number; readonly test: number; readonly classes: number; /** Absent over 100 classes (then in the run's confusion.json). */ readonly labels?: readonly string[] } | null;
  readonly result: RunOutcome | null;
  /** Why a run failed, or was not started. */
  readonly error: string | null;
  /** Live progress of a running epoch-based run. */
  readonly etaMs: number | null;
}

/** One epoch's figures, as the trainer reports them and history.csv stores them. */
export type RunEpoch = EpochStats;

export interface RunEstimates {
  readonly params: Params;
  readonly flops: JsonInteger;
  readonly trainingMemoryBytes: JsonInteger;
  readonly trainingFlops: JsonInteger | null;
}

/**
 * What a finished run measured: the trainer's RunResult without what RunView already says.
 * Only runs that had a model to evaluate have one (a fit cancelled half way does not).
 */
export type RunOutcome = Pick<EvaluatedRun, 'status' | 'metrics' | 'trainMs' | 'inferenceMsPerSample' | 'sizeBytes' | 'params' | 'flops' | 'epochsRun' | 'estimatedTrainMs'>;

/** The result of `modelspec.server.compare`: the comparison and its runs, in the order of its models. */
export interface ComparisonResult {
  readonly comparison: ComparisonView;
  readonly runs: readonly RunView[];
}

/** A comparison: the runs one compare command trained, stored as `<runs folder>/../comparisons/<id>.json`. */
export interface ComparisonView {
  readonly id: string;
  readonly spec: string;
  readonly createdAt: string;
  readonly status: 'running' | 'finished' | 'interrupted';
  /** The models asked for, in order. */
  readonly models: readonly string[];
  /** Keys (run folders once started) of the runs, in the order of `models`; null before a model's run starts. */
  readonly runs: readonly (string | null)[];
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
  /**
   * Whether the workspace is trusted (VS Code's Workspace Trust). Untrusted, the server
   * refuses to train or compare, whoever asks, and starts no process. A client that leaves
   * it out is trusted: plain LSP editors (Neovim, Helix, ...) have no workspace trust.
   */
  readonly trusted?: boolean;
}

/**
 * `modelspec/trustChanged` (client → server): the workspace's trust changed. VS Code can
 * only grant trust during a session (taking it back reloads the window), so its client
 * sends `{ trusted: true }`; the server honours `false` too.
 */
export const TRUST_CHANGED_NOTIFICATION = 'modelspec/trustChanged';
export interface TrustChangedParams {
  readonly trusted: boolean;
}
