import { join, resolve } from 'node:path';
import type { AnalysisHost } from '../analysis/host';
import { constants as osConstants } from 'node:os';
import { launchTrainer, type TrainerHandle } from '../training/launch';
import { evaluated, type BackendPreference, type EpochMessage, type FromTrainer, type Metrics, type MetricsDetail, type RunResult } from '../training/protocol';
import { blockingErrorsMessage } from '../training/report';
import { formatBytes, formatDuration, withSeparators } from '../util/format';
import { analyzeFile, EXIT, UsageError, type Output } from './io';
import { closestName } from '../util/suggest';
import { memoryRefusal } from './memoryCheck';
import { terminalSafe } from '../util/terminal';

/** What `train` and `compare` pass on to the trainer. */
export interface TrainFlags {
  readonly epochs?: number;
  readonly backend?: BackendPreference;
  readonly python?: string;
  readonly nproc?: number;
  /** Train even when the estimated training memory exceeds what this machine has. */
  readonly skipMemoryCheck?: boolean;
  /** Runs folder (relative to the spec's folder, or absolute); default .modelspec/runs. */
  readonly runsDir?: string;
}

export interface TrainOptions extends TrainFlags {
  readonly file: string;
  readonly model: string;
  readonly json: boolean;
  /** Redraw one progress line (terminal) instead of printing a line per epoch. */
  readonly tty: boolean;
}

/** Fails early, in this process, on a missing model or a file with errors: no trainer is started for them. */
export function checkTrainable(file: string, models: readonly string[], host: AnalysisHost): void {
  const analysis = analyzeFile(file, host);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const names = analysis.models.map((m) => m.name);
  for (const model of models) {
    if (!names.includes(model)) {
      const suggestion = closestName(model, names);
      throw new UsageError(`${file}: no model named '${model}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}${names.length ? ` Models: ${names.join(', ')}.` : ''}`);
    }
  }
  if (errors.length) throw new TrainBlocked(blockingErrorsMessage(file, errors));
}

export class TrainBlocked extends Error {}

/** Trains one model in a child process, showing progress; resolves to its result or throws with the trainer's reason. */
export async function trainOne(opts: TrainOptions, io: Output, label = ''): Promise<RunResult> {
  const progress = new Progress(io, opts.tty, label);
  const handle = launchTrainer(
    { file: resolve(opts.file), model: opts.model, epochs: opts.epochs, backend: opts.backend, python: opts.python, nproc: opts.nproc, skipMemoryCheck: opts.skipMemoryCheck, runsDir: opts.runsDir },
    (m) => progress.on(m),
  );
  // Ctrl-C cancels (a second one stops at once); being told to terminate or hang up stops
  // the run too, as interrupted: a trainer never outlives the command that started it.
  const stopping = new StopSignals(handle);
  try {
    const end = await handle.done;
    progress.finish();
    if (end.type === 'error') {
      if (end.reason === 'cancelled' || end.reason === 'interrupted') throw new TrainStopped(`${opts.model}: ${end.message}`, end.reason, stopping.signal);
      throw new TrainFailed(`${opts.model}: ${end.message}`, end.reason);
    }
    if (end.result.status === 'interrupted' && stopping.signal) throw new TrainStopped(`${opts.model}: interrupted by ${stopping.signal}; the run is kept as it was at that step.`, 'interrupted', stopping.signal);
    return end.result;
  } finally {
    stopping.dispose();
  }
}

/** The exit code of a run that ended as `status`: 0 done, 130 cancelled by the user, 128 + the signal that interrupted it. */
export function exitCodeOf(status: RunResult['status'], signal?: NodeJS.Signals): number {
  if (status === 'completed' || status === 'stopped-early') return EXIT.ok;
  if (status === 'interrupted' && signal) return 128 + (osConstants.signals[signal] ?? 15);
  return EXIT.cancelled;
}

/** A run stopped by a signal to this process before it produced a result. */
export class TrainStopped extends Error {
  constructor(message: string, readonly status: 'cancelled' | 'interrupted', readonly signal?: NodeJS.Signals) {
    super(message);
  }
}

/** The signals the CLI answers while a trainer runs, and which one came (for the exit code). */
class StopSignals {
  signal?: NodeJS.Signals;
  private readonly handlers: [NodeJS.Signals, () => void][];

  constructor(handle: TrainerHandle) {
    const on = (sig: NodeJS.Signals) => () => {
      if (this.signal === 'SIGINT' && sig === 'SIGINT') return handle.kill();
      this.signal ??= sig;
      handle.cancel(sig === 'SIGINT' ? 'cancelled' : 'interrupted');
    };
    this.handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => [sig, on(sig)]);
    for (const [sig, handler] of this.handlers) process.on(sig, handler);
  }

  dispose(): void {
    for (const [sig, handler] of this.handlers) process.removeListener(sig, handler);
  }
}

export class TrainFailed extends Error {
  constructor(message: string, readonly reason: string) {
    super(message);
  }
}

class Progress {
  private lineOpen = false;
  constructor(private readonly io: Output, private readonly tty: boolean, private readonly label: string) {}

  on(m: FromTrainer): void {
    if (m.type === 'start') {
      this.io.err(`${this.label}${m.model}: training on ${m.backend}${m.threads && m.threads > 1 ? ` (${m.threads} threads)` : ''}${m.backendNote ? ` — ${m.backendNote}` : ''}; ${withSeparators(m.trainSamples)} training / ${withSeparators(m.testSamples)} test samples; run ${m.runDir}`);
    } else if (m.type === 'epoch') {
      const text = `${this.label}${epochLine(m)}`;
      if (this.tty) {
        process.stderr.write(`\r\x1b[2K${terminalSafe(text)}`);
        this.lineOpen = true;
      } else this.io.err(text);
    } else if (m.type === 'log') {
      this.finish();
      this.io.err(`${this.label}${m.message}`);
    }
  }

  finish(): void {
    if (this.lineOpen) process.stderr.write('\n');
    this.lineOpen = false;
  }
}

export function epochLine(m: EpochMessage): string {
  const width = 20;
  const filled = Math.round((m.epoch / m.epochs) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const parts = [`epoch ${m.epoch}/${m.epochs}`, bar, `loss ${m.loss.toFixed(4)}`];
  if (m.accuracy !== undefined) parts.push(`acc ${(m.accuracy * 100).toFixed(1)}%`);
  if (m.valLoss !== undefined) parts.push(`val_loss ${m.valLoss.toFixed(4)}`);
  if (m.valAccuracy !== undefined) parts.push(`val_acc ${(m.valAccuracy * 100).toFixed(1)}%`);
  parts.push(`${withSeparators(Math.round(m.samplesPerSec))} samples/s`, `ETA ${formatDuration(m.etaMs / 1000)}`);
  return parts.join('  ');
}

export function resultJson(r: RunResult) {
  return {
    model: r.model,
    kind: r.kind,
    status: r.status,
    backend: r.backend,
    device: r.device ?? null,
    worldSize: r.worldSize ?? null,
    torch: r.torch ?? null,
    metrics: r.metrics ?? null,
    trainMs: r.trainMs,
    inferenceMsPerSample: r.inferenceMsPerSample,
    sizeBytes: r.sizeBytes,
    params: r.params,
    flops: r.flops,
    epochs: r.epochsRun,
    estimatedTrainMs: r.estimatedTrainMs ?? null,
    runDir: r.runDir,
  };
}

export function renderResult(r: RunResult): string {
  if (!evaluated(r)) return [`Model: ${r.model} (${r.kind}), ${r.status} before it had a model to evaluate.`, '', `Run: ${r.runDir}`].join('\n');
  const { metrics } = r;
  return [
    `Model: ${r.model} (${r.kind}), ${r.status} on ${r.backend}${r.device ? ` (${r.device}${r.worldSize && r.worldSize > 1 ? ` × ${r.worldSize} processes` : ''})` : ''}`,
    `Accuracy:   ${(metrics.accuracy * 100).toFixed(2)}%   macro F1: ${metrics.f1.toFixed(4)}`,
    `Train time: ${formatDuration(r.trainMs / 1000)}${r.estimatedTrainMs !== undefined ? ` (estimated ${formatDuration(r.estimatedTrainMs / 1000)})` : ''}   epochs: ${r.epochsRun}`,
    `Inference:  ${r.inferenceMsPerSample.toPrecision(3)} ms per sample   size on disk: ${formatBytes(BigInt(r.sizeBytes))}   params: ${withSeparators(BigInt(r.params.total))}`,
    '',
    ...(metrics.detail ? detailLines(metrics.detail, r.runDir) : classLines(metrics)),
    `Run: ${r.runDir}`,
  ].join('\n');
}

/** The per-class table and the confusion matrix, for runs with few enough classes to carry them. */
function classLines(metrics: Metrics): string[] {
  return [
    'class       precision  recall  f1      support',
    ...metrics.perClass.map((c) => `${terminalSafe(c.label).padEnd(10).slice(0, 10)}  ${c.precision.toFixed(3).padStart(9)}  ${c.recall.toFixed(3).padStart(6)}  ${c.f1.toFixed(3).padStart(6)}  ${String(c.support).padStart(7)}`),
    '',
    'confusion (rows: true, columns: predicted)',
    ...confusionLines(metrics.perClass.map((c) => c.label), metrics.confusion),
    '',
  ];
}

/** Many classes: the hardest ones and the most frequent mistakes; the whole table and matrix are in a file. */
function detailLines(detail: MetricsDetail, runDir: string): string[] {
  return [
    `${withSeparators(detail.classes)} classes: the per-class table and the confusion matrix are in ${join(runDir, detail.file)}.`,
    '',
    'hardest classes  precision  recall  f1      support',
    ...detail.hardest.map((c) => `${terminalSafe(c.label).padEnd(15).slice(0, 15)}  ${c.precision.toFixed(3).padStart(9)}  ${c.recall.toFixed(3).padStart(6)}  ${c.f1.toFixed(3).padStart(6)}  ${String(c.support).padStart(7)}`),
    '',
    'most frequent mistakes (true → predicted: count)',
    ...detail.confusions.map((c) => `${terminalSafe(c.actual)} → ${terminalSafe(c.predicted)}: ${withSeparators(c.count)}`),
    '',
  ];
}

/**
 * The confusion matrix under its class labels (cut at 10 characters, as in the per-class
 * table; made safe to print first, so escapes count in the widths): every column as wide as
 * the largest count or the widest label, two spaces apart, so counts never run together.
 */
export function confusionLines(labels: readonly string[], confusion: readonly (readonly number[])[]): string[] {
  if (confusion.length === 0) return [];
  const names = confusion.map((_, i) => terminalSafe(labels[i] ?? String(i)).slice(0, 10));
  let nameWidth = 0;
  let width = 1;
  for (const name of names) nameWidth = Math.max(nameWidth, name.length);
  for (const row of confusion) for (const v of row) width = Math.max(width, String(v).length);
  width = Math.max(width, nameWidth);
  const line = (name: string, cells: readonly string[]) => `${name.padEnd(nameWidth)}  ${cells.map((c) => c.padStart(width)).join('  ')}`;
  return [line('', names), ...confusion.map((row, i) => line(names[i], row.map(String)))];
}

export async function runTrain(opts: TrainOptions, host: AnalysisHost, io: Output): Promise<number> {
  checkTrainable(opts.file, [opts.model], host);
  const tooBig = await memoryRefusal(opts.file, [opts.model], opts, host);
  if (tooBig) throw new TrainBlocked(tooBig);
  const result = await trainOne(opts, io);
  io.out(opts.json ? JSON.stringify(resultJson(result), null, 2) : renderResult(result));
  return exitCodeOf(result.status);
}
