/**
 * The typed, versioned message protocol between a trainer process and whoever launched
 * it (the CLI or the language server). Messages travel over Node's IPC channel as plain
 * JSON; a receiver ignores messages of another version rather than misreading them.
 */
export const PROTOCOL_VERSION = 1;

export type BackendName = 'tensorflow' | 'wasm' | 'cpu' | 'classical' | 'torch';

/**
 * Which engine trains neural models: `torch` (PyTorch in the user's Python), TensorFlow.js
 * on `node` (tfjs-node), `wasm` or `cpu`; `auto` is PyTorch when a Python with torch is
 * found, else the fastest TensorFlow.js backend that loads.
 */
export type BackendPreference = 'auto' | 'torch' | 'node' | 'wasm' | 'cpu';

export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'torch', 'node', 'wasm', 'cpu'];

/** Sent once by the parent, right after the trainer starts. */
export interface TrainRequest {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'train';
  /** Absolute path of the .model file. */
  readonly file: string;
  readonly model: string;
  readonly epochs?: number;
  /** Default `auto`. */
  readonly backend?: BackendPreference;
  /** The Python interpreter for the torch engine (else MODELSPEC_PYTHON, else a search). */
  readonly python?: string;
  /** Processes for the torch engine: DistributedDataParallel on this machine when above 1. */
  readonly nproc?: number;
  /** Runs folder; default `.modelspec/runs` next to the spec. */
  readonly runsDir?: string;
  /** Spec text to train (an unsaved editor buffer); read from `file` when absent. */
  readonly text?: string;
  /** Train even when the estimated training memory exceeds what this machine has (see admission.ts). */
  readonly skipMemoryCheck?: boolean;
}

/**
 * Stop at the end of the current step and keep what finished. `interrupted`: the one who
 * asked is going away (a CLI told to terminate, a server shutting down), not a user's
 * cancel; the run records which.
 */
export interface CancelRequest {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'cancel';
  readonly reason?: StopReason;
}

export type StopReason = 'cancelled' | 'interrupted';

export type ToTrainer = TrainRequest | CancelRequest;

export interface Params {
  readonly trainable: number | string;
  readonly nonTrainable: number | string;
  readonly total: number | string;
}

export interface StartMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'start';
  readonly runId: string;
  readonly runDir: string;
  readonly model: string;
  readonly kind: 'neural' | 'classical';
  readonly backend: BackendName;
  /** Why this backend (e.g. "tfjs-node not installed"). */
  readonly backendNote?: string;
  readonly threads?: number;
  /** The torch engine's device ("cuda:0 NVIDIA A100", "cpu, 2 threads"), processes and PyTorch version. */
  readonly device?: string;
  readonly worldSize?: number;
  readonly torch?: string;
  readonly params: Params;
  readonly trainSamples: number;
  readonly testSamples: number;
  readonly epochs: number;
  readonly estimatedTrainingFlops?: number | string;
  /** Wall-clock estimate for the requested epochs: the editor's (trainTime.ts estimateTraining, docs/estimates.md). */
  readonly estimatedTrainMs?: number;
}

/** One epoch's figures: streamed as progress and stored as a row of history.csv. */
export interface EpochStats {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy?: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  readonly samplesPerSec: number;
  readonly elapsedMs: number;
}

export interface EpochMessage extends EpochStats {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'epoch';
  readonly epochs: number;
  readonly etaMs: number;
}

export interface ClassMetrics {
  readonly label: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface Metrics {
  readonly accuracy: number;
  readonly f1: number;
  /** Empty when there are too many classes to carry inline: see `detail`. */
  readonly perClass: readonly ClassMetrics[];
  /** Rows: true class, columns: predicted class. Empty when `detail` holds it instead. */
  readonly confusion: readonly (readonly number[])[];
  readonly detail?: MetricsDetail;
}

/**
 * For runs with many classes (a 5,000-class confusion matrix is 25 million numbers), the
 * per-class table and the matrix are written to a file of the run folder and messages and
 * run.json carry this summary instead, so that neither grows with the square of the classes.
 */
export interface MetricsDetail {
  /** In the run folder: `{ classes, labels, perClass, confusion }`, `confusion` as the matrix's non-zero cells `[actual, predicted, count]` (indices into `labels`). */
  readonly file: string;
  readonly classes: number;
  /** The classes with the lowest F1 that occur in the test split, worst first. */
  readonly hardest: readonly ClassMetrics[];
  /** The most frequent mistakes: the largest cells off the diagonal. */
  readonly confusions: readonly { readonly actual: string; readonly predicted: string; readonly count: number }[];
}

/**
 * How a run ended, the same for every engine, the CLI and the server: `completed` (or
 * `stopped-early`, a completed run that early stopping ended), `cancelled` by the user,
 * `interrupted` because the process that started it went away, `failed` (an error; the
 * trainer's message says why). The CLI exits 0, 0, 130, 130 and 1.
 */
export type RunStatus = 'completed' | 'stopped-early' | 'cancelled' | 'interrupted' | 'failed';

export interface RunResult {
  readonly runId: string;
  readonly runDir: string;
  readonly model: string;
  readonly kind: 'neural' | 'classical';
  readonly status: Exclude<RunStatus, 'failed'>;
  readonly backend: BackendName;
  readonly backendNote?: string;
  /** Absent when the run stopped before it had a model to evaluate (a classical fit cut short). */
  readonly metrics?: Metrics;
  readonly trainMs: number;
  readonly inferenceMsPerSample: number;
  readonly sizeBytes: number;
  readonly params: Params;
  readonly flops: number | string;
  readonly epochsRun: number;
  /** The start's estimate, for the epochs run: a cancelled or early-stopped run compares with the part it did. */
  readonly estimatedTrainMs?: number;
  readonly device?: string;
  readonly worldSize?: number;
  readonly torch?: string;
}

/** A run that has a model, evaluated on the held-out split. */
export type EvaluatedRun = RunResult & { readonly metrics: Metrics };

export function evaluated<R extends RunResult>(r: R): r is R & { readonly metrics: Metrics } {
  return r.metrics !== undefined;
}

export interface DoneMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'done';
  readonly result: RunResult;
}

export interface ErrorMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'error';
  /**
   * A stable reason; `no-engine`: the engine asked for (PyTorch) is not installed; `io`: the
   * run folder could not be made or written;
   * `too-big`: refused before the run existed, its estimated memory being above what the
   * machine has (`skipMemoryCheck` overrides);
   * `cancelled` / `interrupted`: the trainer did not stop when asked and was stopped by force
   * (the launcher says so; the run ends with that status, not as failed).
   */
  readonly reason: 'bad-data' | 'bad-spec' | 'no-engine' | 'too-big' | 'io' | 'out-of-memory' | 'crash' | StopReason;
  readonly message: string;
}

export interface LogMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'log';
  readonly message: string;
}

/**
 * The trainer's answer to a cancel: it is alive and stops at the end of the current step.
 * The launcher then waits for it instead of killing it (see launch.ts).
 */
export interface CancellingMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'cancelling';
}

export type FromTrainer = StartMessage | EpochMessage | DoneMessage | ErrorMessage | LogMessage | CancellingMessage;

export function isFromTrainer(m: unknown): m is FromTrainer {
  return typeof m === 'object' && m !== null && (m as { v?: unknown }).v === PROTOCOL_VERSION && typeof (m as { type?: unknown }).type === 'string';
}
