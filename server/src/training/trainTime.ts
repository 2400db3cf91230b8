/**
 * Training time from a calibration: what the trainer reports as its estimate and what the
 * editor shows before a run. No TensorFlow.js here, so the language server can use it;
 * the measuring is in calibrate.ts.
 */
import type { LayerRow, ModelAnalysis } from '../analysis/model';
import { BUILT_IN_STEP_MODEL, STEP_MODEL_VERSION } from './builtInStepModel';
import type { MachineTimings, StoredRun } from './calibrationFile';
import { rowCost, type StepModel } from './stepModel';

/**
 * Which measured rate a model's arithmetic runs at: `conv` for products over many
 * positions per sample, `recurrent` for cells stepped through time.
 */
export type RateKind = 'dense' | 'conv' | 'recurrent';

/** Positions a layer's weights are applied at per sample: 1 for a vector, T for a sequence, H·W for an image. */
function positions(row: LayerRow): number {
  return row.input ? row.input.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
}

/**
 * The rate a model trains at, from where most of its MACs are: convolutions, attention
 * and dense layers applied at many positions multiply large matrices, like the conv
 * reference; recurrent cells run one small product per time step, each with its own
 * dispatch cost, like the LSTM reference; dense layers on vectors like the MLP.
 */
export function rateKind(model: ModelAnalysis): RateKind {
  const macs: Record<RateKind, bigint> = { dense: 0n, conv: 0n, recurrent: 0n };
  for (const row of model.rows) {
    if (row.kind !== 'layer' || !row.entry) continue;
    const family = row.entry.family;
    const kind: RateKind = family === 'sequence' ? 'recurrent' : family === 'convolution' || family === 'attention' || positions(row) > 1 ? 'conv' : 'dense';
    macs[kind] += row.macs * BigInt(row.count);
  }
  return (['dense', 'conv', 'recurrent'] as const).reduce((best, kind) => (macs[kind] > macs[best] ? kind : best));
}

/** Optimizer steps over `epochs` of `samples` training samples, less the validation split, in batches. */
export function trainingSteps(model: ModelAnalysis, samples: number, epochs: number): number {
  return Math.ceil((samples - validationCount(samples, model.train.validationSplit)) / model.train.batchSize) * epochs;
}



// ---- the editor's estimate: the built-in step model, scaled to this machine or to its runs

/** Where an estimate's speed comes from: this machine's finished runs, a quick first-use measurement, or the built-in figures alone. */
export type EstimateBasis = 'runs' | 'first-use' | 'built-in';

/**
 * Samples held out for validation out of `n`: the count data/prepare.ts's validationSplit
 * holds out (round(n × fraction), at least one, at least one left to train on).
 */
export function validationCount(n: number, fraction: number): number {
  return fraction > 0 ? Math.min(n - 1, Math.max(1, Math.round(n * fraction))) : 0;
}

/** The built-in model's prediction for one run, before any scaling. */
export interface BuiltInTime {
  readonly ms: number;
  readonly epochs: number;
  /** Samples trained on per epoch, after the validation split. */
  readonly fitSamples: number;
  readonly validationSamples: number;
  /** Optimizer steps over all epochs. */
  readonly steps: number;
  /** Forward-only batches of the validation passes over all epochs. */
  readonly validationBatches: number;
  /** Fixed ms per step: the loop, each layer's ops, each recurrent time step. */
  readonly dispatchMs: number;
  /** ms of arithmetic over all epochs, at each layer's rate. */
  readonly arithmeticMs: number;
  /** Each epoch's own cost, and the run's warm-up, in ms. */
  readonly epochMs: number;
  readonly runMs: number;
}

/**
 * What the built-in step model predicts for `epochs` of `samples` training samples (the
 * model's dataset's when not given): a run costs its warm-up, each epoch its own fixed
 * cost, and each optimizer step the fixed dispatch of its
 * layers plus 3 × forward FLOPs per sample at each layer's rate; each epoch's validation
 * pass a third of that (forward only, the FLOP convention of docs/estimates.md) for the
 * held-out samples, in batches of the same size.
 */
export function builtInTime(model: ModelAnalysis, epochs: number, samples: number | undefined = model.compute.samples, stepModel: StepModel = BUILT_IN_STEP_MODEL): BuiltInTime | undefined {
  if (samples === undefined || samples <= 0) return undefined;
  const validationSamples = validationCount(samples, model.train.validationSplit);
  const fitSamples = samples - validationSamples;
  const batch = Math.max(1, model.train.batchSize);
  let dispatchMs = stepModel.baseMs;
  let trainSecondsPerSample = 0;
  for (const row of model.rows) {
    if (row.kind !== 'layer') continue;
    const cost = rowCost(row, stepModel);
    dispatchMs += cost.dispatchMs * row.count;
    trainSecondsPerSample += (6 * Number(row.macs) * row.count) / stepModel.flopsPerSecond[cost.rate];
  }
  const steps = Math.ceil(fitSamples / batch) * epochs;
  const validationBatches = Math.ceil(validationSamples / batch) * epochs;
  const arithmeticMs = (fitSamples + validationSamples / 3) * epochs * trainSecondsPerSample * 1000;
  const ms = stepModel.runMs + epochs * stepModel.epochMs + steps * dispatchMs + (validationBatches * dispatchMs) / 3 + arithmeticMs;
  return { ms, epochs, fitSamples, validationSamples, steps, validationBatches, dispatchMs, arithmeticMs, epochMs: stepModel.epochMs, runMs: stepModel.runMs };
}

/**
 * How much slower a single-threaded run goes than on an idle machine, from the 1-minute
 * load average: the scheduler shares `cores` among the runnable tasks, so with more of
 * them than cores each gets about cores / tasks of one. `includesRun` says whether the
 * run itself is among them (read at a run's end) or is still to come (read before it).
 */
export function loadSlowdown(loadAverage: number, cores: number, includesRun: boolean): number {
  if (!(cores > 0) || !Number.isFinite(loadAverage) || loadAverage < 0) return 1;
  return Math.max(1, (loadAverage + (includesRun ? 0 : 1)) / cores);
}

/** This machine now: its plain-JavaScript speed (timeArithmetic.ts) and how busy it is. */
export interface MachineNow {
  readonly flopsPerSecond: number;
  readonly loadAverage: number;
  readonly cores: number;
}

export interface TimeEstimate extends BuiltInTime {
  readonly basis: EstimateBasis;
  /** The factor the built-in prediction was multiplied by: speed against the machine measured (or runs against their predictions) × the load now. */
  readonly scale: number;
  /** The share of `scale` that is the machine's present load (1 on an idle machine). */
  readonly slowdown: number;
  /** The runs the scale comes from, newest last (basis `runs`). */
  readonly runs: readonly StoredRun[];
}

/** Runs whose measured/predicted ratio sets the scale: the newest few, so the machine's present speed counts, and their median, so one disturbed run does not. */
const RUNS_USED = 3;

/**
 * This machine's estimate for training `model` for `epochs` on TensorFlow.js: the one
 * function behind the hover and `estimate --json`. The built-in prediction is scaled by
 * how finished runs of a model of the same kind in `timings` compared with their own
 * predictions, each taken back to an idle machine by the load it ran under (`runs`);
 * without such runs, by this machine's plain-JavaScript speed against the machine the
 * built-in figures were measured on (`first-use`, when `machine` is given), or not at all
 * (`built-in`). Either way, then by the load now.
 */
export function estimateTraining(model: ModelAnalysis, epochs: number, timings: MachineTimings, machine?: MachineNow, samples: number | undefined = model.compute.samples): TimeEstimate | undefined {
  const base = builtInTime(model, epochs, samples);
  if (!base) return undefined;
  const kind = rateKind(model);
  const runs = timings.runs
    .filter((r) => r.kind === kind && r.stepModel === STEP_MODEL_VERSION)
    .slice()
    .sort((a, b) => a.at.localeCompare(b.at))
    .slice(-RUNS_USED);
  const slowdown = machine ? loadSlowdown(machine.loadAverage, machine.cores, false) : 1;
  let basis: EstimateBasis = 'built-in';
  let speed = 1;
  if (runs.length) {
    basis = 'runs';
    speed = median(runs.map((r) => r.measuredMs / (r.builtInMs * r.slowdown)));
  } else if (machine && machine.flopsPerSecond > 0 && Number.isFinite(machine.flopsPerSecond)) {
    basis = 'first-use';
    speed = BUILT_IN_STEP_MODEL.plainJsFlopsPerSecond / machine.flopsPerSecond;
  }
  const scale = speed * slowdown;
  return {
    ...base,
    ms: base.ms * scale,
    dispatchMs: base.dispatchMs * scale,
    arithmeticMs: base.arithmeticMs * scale,
    epochMs: base.epochMs * scale,
    runMs: base.runMs * scale,
    basis,
    scale,
    slowdown,
    runs,
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Epochs whose pace sets the ETA: the last few, so that a busy spell passes rather than weighing on the rest of the run. */
const ETA_WINDOW = 3;

/**
 * Milliseconds left after the epochs ending at `elapsed` (cumulative ms at each epoch's
 * end) of a run of `epochs`. The first epoch pays for compiling and warming up (often
 * several times a later one), so from the second epoch on it is left out: the pace is the
 * mean of the last few later epochs, and the ETA converges once they settle.
 */
export function etaMs(elapsed: readonly number[], epochs: number): number {
  const done = elapsed.length;
  const remaining = Math.max(0, epochs - done);
  if (done === 0 || remaining === 0) return 0;
  if (done === 1) return elapsed[0] * remaining;
  const window = Math.min(done - 1, ETA_WINDOW);
  return ((elapsed[done - 1] - elapsed[done - 1 - window]) / window) * remaining;
}

/**
 * The estimate of `e`'s run cut to the `epochs` it really ran (a cancelled or early-stopped
 * run): the same scale on the built-in prediction for those epochs, so that the run's
 * time is compared with what was expected of the part it did.
 */
export function estimateForEpochs(e: TimeEstimate, model: ModelAnalysis, epochs: number): number | undefined {
  if (epochs === e.epochs) return e.ms;
  const base = builtInTime(model, epochs, e.fitSamples + e.validationSamples);
  return base && base.ms * e.scale;
}
