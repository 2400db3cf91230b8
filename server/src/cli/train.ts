import { resolve } from 'node:path';
import type { AnalysisHost } from '../analysis/host';
import { launchTrainer } from '../training/launch';
import type { BackendPreference, EpochMessage, FromTrainer, RunResult } from '../training/protocol';
import { blockingErrorsMessage } from '../training/report';
import { formatBytes, formatDuration, withSeparators } from '../util/format';
import { analyzeFile, EXIT, UsageError, type Output } from './io';
import { closestName } from '../util/suggest';

/** What `train` and `compare` pass on to the trainer. */
export interface TrainFlags {
  readonly epochs?: number;
  readonly backend?: BackendPreference;
  readonly python?: string;
  readonly nproc?: number;
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
    { file: resolve(opts.file), model: opts.model, epochs: opts.epochs, backend: opts.backend, python: opts.python, nproc: opts.nproc },
    (m) => progress.on(m),
  );
  const onSignal = () => handle.cancel();
  process.once('SIGINT', onSignal);
  try {
    const end = await handle.done;
    progress.finish();
    if (end.type === 'error') throw new TrainFailed(`${opts.model}: ${end.message}`, end.reason);
    return end.result;
  } finally {
    process.removeListener('SIGINT', onSignal);
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
        process.stderr.write(`\r\x1b[2K${text}`);
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
    metrics: { accuracy: r.metrics.accuracy, f1: r.metrics.f1, perClass: r.metrics.perClass, confusion: r.metrics.confusion },
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
  const lines = [
    `Model: ${r.model} (${r.kind}), ${r.status} on ${r.backend}${r.device ? ` (${r.device}${r.worldSize && r.worldSize > 1 ? ` × ${r.worldSize} processes` : ''})` : ''}`,
    `Accuracy:   ${(r.metrics.accuracy * 100).toFixed(2)}%   macro F1: ${r.metrics.f1.toFixed(4)}`,
    `Train time: ${formatDuration(r.trainMs / 1000)}${r.estimatedTrainMs !== undefined ? ` (estimated ${formatDuration(r.estimatedTrainMs / 1000)})` : ''}   epochs: ${r.epochsRun}`,
    `Inference:  ${r.inferenceMsPerSample.toPrecision(3)} ms per sample   size on disk: ${formatBytes(BigInt(r.sizeBytes))}   params: ${withSeparators(BigInt(r.params.total))}`,
    '',
    'class       precision  recall  f1      support',
    ...r.metrics.perClass.map((c) => `${c.label.padEnd(10).slice(0, 10)}  ${c.precision.toFixed(3).padStart(9)}  ${c.recall.toFixed(3).padStart(6)}  ${c.f1.toFixed(3).padStart(6)}  ${String(c.support).padStart(7)}`),
    '',
    'confusion (rows: true, columns: predicted)',
    ...r.metrics.confusion.map((row) => row.map((v) => String(v).padStart(4)).join('')),
    '',
    `Run: ${r.runDir}`,
  ];
  return lines.join('\n');
}

export async function runTrain(opts: TrainOptions, host: AnalysisHost, io: Output): Promise<number> {
  checkTrainable(opts.file, [opts.model], host);
  const result = await trainOne(opts, io);
  io.out(opts.json ? JSON.stringify(resultJson(result), null, 2) : renderResult(result));
  return EXIT.ok;
}
