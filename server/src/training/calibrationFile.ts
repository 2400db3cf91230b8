import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJson } from './runs';
import type { ModelAnalysis } from '../analysis/model';
import { STEP_MODEL_VERSION } from './builtInStepModel';
import { cpus, loadavg } from 'node:os';
import { builtInTime, loadSlowdown, rateKind, type RateKind } from './trainTime';

/**
 * The trainer's measurements of this machine, kept in the runs folder beside the runs they
 * came from, so the editor's estimate before a run uses the same figures as the estimate a
 * run reports: the last few finished runs, how long each took against what the built-in
 * step model (stepModel.ts) predicted for it. (Files written before the built-in model
 * also hold `calibrations`, which nothing reads any more.)
 */
export const CALIBRATION_FILE = 'calibration.json';

/** One finished (or cancelled) run, as the time estimate learns from it. */
export interface StoredRun {
  readonly model: string;
  readonly kind: RateKind;
  /** The engine's backend: `wasm`, `cpu`, `tensorflow`. */
  readonly backend: string;
  /** Epochs it ran (a cancelled run's, not the requested). */
  readonly epochs: number;
  /** Its fit time: every epoch with its validation pass. */
  readonly measuredMs: number;
  /** What the built-in step model, unscaled, predicts for those epochs. */
  readonly builtInMs: number;
  /** How much the machine's load slowed the run (trainTime.ts loadSlowdown, read at its end). */
  readonly slowdown: number;
  /** The built-in model's version the prediction came from: a prediction of another version is not comparable. */
  readonly stepModel: string;
  readonly at: string;
}

export interface MachineTimings {
  readonly runs: readonly StoredRun[];
}

interface CalibrationFile {
  readonly version: 1;
  readonly runs?: StoredRun[];
}

const KINDS: ReadonlySet<string> = new Set<RateKind>(['dense', 'conv', 'recurrent']);
/** Runs kept per kind: enough for a median, few enough that the machine's present speed counts. */
export const RUNS_KEPT_PER_KIND = 5;

/** Adds a run, keeping the newest RUNS_KEPT_PER_KIND of its kind. */
export function saveRun(runsDir: string, run: Omit<StoredRun, 'at'>, now = new Date()): void {
  const timings = loadTimings(runsDir);
  const record: StoredRun = { ...run, at: now.toISOString() };
  const same = [...timings.runs.filter((r) => r.kind === run.kind), record].sort((a, b) => a.at.localeCompare(b.at)).slice(-RUNS_KEPT_PER_KIND);
  write(runsDir, [...timings.runs.filter((r) => r.kind !== run.kind), ...same]);
}

function write(runsDir: string, runs: readonly StoredRun[]): void {
  const file: CalibrationFile = { version: 1, runs: [...runs] };
  mkdirSync(runsDir, { recursive: true });
  writeJson(join(runsDir, CALIBRATION_FILE), file);
}

/** Every valid entry of the runs folder's file; none when it is missing or unreadable (it is only a cache). */
export function loadTimings(runsDir: string): MachineTimings {
  try {
    return parseTimings(JSON.parse(readFileSync(join(runsDir, CALIBRATION_FILE), 'utf8')));
  } catch {
    return { runs: [] };
  }
}

/** The valid entries of a calibration file's parsed contents. */
export function parseTimings(parsed: unknown): MachineTimings {
  const file = parsed as Partial<CalibrationFile> | null;
  return { runs: Array.isArray(file?.runs) ? file.runs.filter(isRun) : [] };
}

function isRun(r: unknown): r is StoredRun {
  const x = r as Partial<StoredRun> | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.model === 'string' &&
    typeof x.kind === 'string' &&
    KINDS.has(x.kind) &&
    typeof x.backend === 'string' &&
    positive(x.epochs) &&
    positive(x.measuredMs) &&
    positive(x.builtInMs) &&
    positive(x.slowdown) &&
    typeof x.stepModel === 'string' &&
    isTime(x.at)
  );
}

function isTime(s: unknown): s is string {
  return typeof s === 'string' && !Number.isNaN(Date.parse(s));
}

function positive(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0;
}

/** A runs folder with nothing measured yet. */
export const NO_TIMINGS: MachineTimings = { runs: [] };

/**
 * Keeps a finished or cancelled run's fit time beside the built-in prediction for the
 * epochs it ran, the samples it trained on and its validation pass: the pair the editor
 * scales its estimates of models of the same kind by.
 */
export function recordRunTime(runsDir: string, model: ModelAnalysis, backend: string, epochsRun: number, measuredMs: number, now = new Date(), slowdown = loadSlowdown(loadavg()[0], cpus().length, true)): void {
  const predicted = epochsRun > 0 ? builtInTime(model, epochsRun) : undefined;
  if (!predicted || !(measuredMs > 0)) return;
  saveRun(runsDir, { model: model.name, kind: rateKind(model), backend, epochs: epochsRun, measuredMs, builtInMs: predicted.ms, slowdown, stepModel: STEP_MODEL_VERSION }, now);
}
