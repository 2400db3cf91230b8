import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import type { AnalysisHost } from '../analysis/host';
import type { Analysis } from '../analysis/model';
import { launchTrainer, type TrainerHandle } from '../training/launch';
import { evaluated, type FromTrainer, type RunResult } from '../training/protocol';
import { blockingErrorsMessage, percent, progressLine } from '../training/report';
import { runsDirFor } from '../training/runs';
import { closestName } from '../util/suggest';
import { analysisOf } from './commands';
import type { Settings } from './config';
import { filePathOf, type DocumentStore } from './documents';
import type { Log } from './log';
import {
  COMPARISON_CHANGED_NOTIFICATION,
  RUN_CHANGED_NOTIFICATION,
  type CommandArgs,
  type ComparisonResult,
  type ComparisonView,
  type RunsResult,
  type RunView,
} from './protocol';
import { refuseTooBig } from './memoryAdmission';
import { RunQueue } from './runQueue';
import { runsFolders, specFolders } from './runFolders';
import { comparisonsOnDisk, newestFirst, runsOnDisk, writeComparison } from './runStore';

export interface TrainingDeps {
  readonly connection: Connection;
  readonly store: DocumentStore;
  readonly host: AnalysisHost;
  readonly log: Log;
  readonly settings: () => Settings;
  /** Resolves once the client's settings are in (the runs folder is one of them). */
  readonly settingsReady: () => Promise<void>;
  /** Workspace folders (paths), searched for past runs. */
  readonly roots: () => readonly string[];
  /** The Python with PyTorch the server already found (auto), so a run need not search again. */
  readonly foundPython?: () => string | undefined;
  /** Called when a run ends, however it ended (what is derived from stored runs may have changed). */
  readonly runEnded?: () => void;
}

type Report = (fraction: number, message: string) => void;

/** How long a shutting-down server gives its trainers to end their step and save. */
const SHUTDOWN_GRACE_MS = 10_000;

interface Target {
  readonly uri: string;
  readonly file: string;
  /** The open editor's text, unsaved edits included; undefined trains the file on disk. */
  readonly text: string | undefined;
  readonly analysis: Analysis;
  /** Train even when the estimated memory is above what the machine has. */
  readonly skipMemoryCheck?: boolean;
}

/**
 * Training for the language server: runs queue (settings decide how many at once), each
 * one a trainer child process that streams progress into LSP work-done progress and
 * `modelspec/runChanged` notifications. A run that fails or crashes fails alone; the
 * server stays up. Cancelling a request (or its progress) stops its run within a second
 * and keeps what finished.
 */
export class TrainingService {
  private readonly queue: RunQueue;
  private readonly live = new Map<string, RunView>();
  private readonly comparisons = new Map<string, ComparisonView>();
  private readonly handles = new Set<TrainerHandle>();
  private readonly trainedSpecs = new Set<string>();
  private counter = 0;

  constructor(private readonly deps: TrainingDeps) {
    this.queue = new RunQueue(() => deps.settings().training.maxConcurrentRuns);
  }

  async train(args: CommandArgs, token: CancellationToken, progress: WorkDoneProgressReporter): Promise<RunView> {
    if (!args.model) throw new ResponseError(ErrorCodes.InvalidParams, 'modelspec.server.train needs { uri, model }.');
    await this.deps.settingsReady();
    const target = { ...this.target(args.uri, [args.model]), skipMemoryCheck: args.skipMemoryCheck };
    await refuseTooBig(target.analysis, [args.model], args, this.deps.settings().training, this.deps.foundPython?.());
    progress.begin(`Training ${args.model}`, 0, 'starting…', true);
    try {
      const view = await this.runOne(target, args.model, args.epochs, token, (fraction, message) => progress.report(Math.round(fraction * 100), message));
      if (view.status === 'failed') throw new ResponseError(LSPErrorCodes.RequestFailed, `Training ${args.model} failed: ${view.error}`, { run: view });
      return view;
    } finally {
      progress.done();
    }
  }

  async compare(args: CommandArgs, token: CancellationToken, progress: WorkDoneProgressReporter): Promise<ComparisonResult> {
    await this.deps.settingsReady();
    const analysis = this.analysis(args.uri);
    const names = args.models?.length ? [...args.models] : analysis.compare?.models.length ? [...analysis.compare.models] : analysis.models.map((m) => m.name);
    if (names.length === 0) throw new ResponseError(ErrorCodes.InvalidParams, `${basename(filePathOf(args.uri))} declares no models to compare.`);
    const target = { ...this.target(args.uri, names), skipMemoryCheck: args.skipMemoryCheck };
    await refuseTooBig(target.analysis, names, args, this.deps.settings().training, this.deps.foundPython?.());
    this.trainedSpecs.add(target.file);
    const runsDir = runsDirFor(target.file, this.deps.settings().runsDirectory);
    const createdAt = new Date().toISOString();
    let comparison: ComparisonView = { id: createdAt.replace(/[:.]/g, '-'), spec: target.file, createdAt, status: 'running', models: names, runs: names.map(() => null) };
    const runs: RunView[] = [];
    const save = (next: ComparisonView) => {
      comparison = next;
      this.comparisons.set(next.id, next);
      this.persistComparison(runsDir, next);
      this.notify(COMPARISON_CHANGED_NOTIFICATION, next);
    };
    save(comparison);
    progress.begin(`Comparing ${basename(target.file)}`, 0, `${names.length} models`, true);
    try {
      for (const [i, name] of names.entries()) {
        if (token.isCancellationRequested) break;
        const label = `[${i + 1}/${names.length}] ${name}`;
        const view = await this.runOne(target, name, args.epochs, token, (fraction, message) => progress.report(Math.round(((i + fraction) / names.length) * 100), `${label}: ${message}`));
        runs.push(view);
        save({ ...comparison, runs: comparison.runs.map((r, j) => (j === i ? view.key : r)) });
      }
    } finally {
      save({ ...comparison, status: 'finished' });
      progress.done();
    }
    return { comparison, runs };
  }

  /** Past runs from disk merged with this session's, newest first; comparisons likewise. */
  async list(): Promise<RunsResult> {
    await this.deps.settingsReady();
    const settings = this.deps.settings();
    const open = this.deps.store.documents.all().flatMap((d) => (d.uri.startsWith('file:') ? [filePathOf(d.uri)] : []));
    const specs = [...this.trainedSpecs, ...open];
    const dirs = runsFolders(specFolders(this.deps.roots()), specs, settings.runsDirectory);
    const liveByDir = new Map<string, string>();
    for (const v of this.live.values()) if (v.runDir) liveByDir.set(v.runDir, v.key);
    const disk = runsOnDisk(dirs).filter((r) => !liveByDir.has(r.key));
    const runs = newestFirst([...this.live.values(), ...disk]);
    const comparisons = [
      ...this.comparisons.values(),
      ...comparisonsOnDisk(dirs)
        .filter((c) => !this.comparisons.has(c.id))
        .map((c) => ({ ...c, runs: c.runs.map((r) => (r === null ? null : (liveByDir.get(r) ?? r))) })),
    ].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { runs, comparisons };
  }

  /**
   * Stops every trainer (the server is shutting down): each ends its step, keeps what
   * finished and marks its run interrupted; one that has not ended within the grace period
   * is stopped by force, so no trainer outlives the server.
   */
  async dispose(): Promise<void> {
    const running = [...this.handles];
    for (const h of running) h.cancel('interrupted');
    const grace = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
    await Promise.race([Promise.all(running.map((h) => h.done)), grace]);
    for (const h of running) h.kill();
  }

  private analysis(uri: string): Analysis {
    return analysisOf(this.deps.store, this.deps.host, this.deps.log, uri);
  }

  /** The spec to train, refused with the reasons when it names unknown models or has errors. */
  private target(uri: string, models: readonly string[]): Target {
    if (!uri.startsWith('file:')) throw new ResponseError(ErrorCodes.InvalidParams, `${uri} is not a file on disk; only saved .model files can be trained.`);
    const open = this.deps.store.get(uri);
    const analysis = open?.analysis ?? this.analysis(uri);
    const file = open?.file ?? filePathOf(uri);
    const names = analysis.models.map((m) => m.name);
    for (const model of models) {
      if (names.includes(model)) continue;
      const suggestion = closestName(model, names);
      throw new ResponseError(ErrorCodes.InvalidParams, `${basename(file)} has no model named '${model}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}${names.length ? ` Models: ${names.join(', ')}.` : ''}`);
    }
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
    // The editor shows the file, so its name is enough and keeps the message short.
    if (errors.length) throw new ResponseError(LSPErrorCodes.RequestFailed, blockingErrorsMessage(basename(file), errors));
    return { uri, file, text: open?.document.getText(), analysis };
  }

  private async runOne(target: Target, model: string, epochs: number | undefined, token: CancellationToken, report: Report): Promise<RunView> {
    this.trainedSpecs.add(target.file);
    const key = `run-${++this.counter}`;
    let view: RunView = {
      key,
      runDir: null,
      model,
      spec: target.file,
      kind: null,
      status: 'queued',
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      backend: null,
      backendNote: null,
      epochs: epochs ?? null,
      history: [],
      estimates: null,
      dataset: null,
      result: null,
      error: null,
      etaMs: null,
    };
    const set = (patch: Partial<RunView>) => {
      view = { ...view, ...patch };
      this.live.set(key, view);
      this.notify(RUN_CHANGED_NOTIFICATION, view);
      if (patch.finishedAt) this.deps.runEnded?.();
    };
    set({});

    const ticket = this.queue.enter();
    const ahead = ticket.ahead();
    if (ahead > 0) report(0, `queued: ${ahead} run${ahead === 1 ? '' : 's'} ahead`);
    const release = await Promise.race([ticket.ready, cancelled(token)]);
    if (!release) {
      ticket.withdraw();
      set({ status: 'cancelled', error: 'Cancelled before it started.', finishedAt: new Date().toISOString() });
      return view;
    }
    try {
      set({ status: 'running', startedAt: new Date().toISOString() });
      report(0, 'starting…');
      const end = await this.launch(target, model, epochs, token, (m) => this.onTrainerMessage(m, view, set, report));
      if (end.type === 'done') set(finished(end.result));
      else {
        // A trainer stopped by force after a cancel ends as cancelled (or interrupted), not failed.
        const stopped = end.reason === 'cancelled' || end.reason === 'interrupted';
        if (!stopped) this.deps.log.error(`Training ${model} failed (${end.reason}): ${end.message}`);
        set({ status: stopped ? end.reason : 'failed', error: end.message, finishedAt: new Date().toISOString(), etaMs: null });
      }
      return view;
    } finally {
      release();
    }
  }

  private launch(target: Target, model: string, epochs: number | undefined, token: CancellationToken, onMessage: (m: FromTrainer) => void) {
    const { runsDirectory, training } = this.deps.settings();
    const handle = launchTrainer(
      { file: target.file, model, epochs, text: target.text, runsDir: runsDirectory, backend: training.backend, python: training.python || this.deps.foundPython?.(), skipMemoryCheck: target.skipMemoryCheck },
      onMessage,
      (text) => {
        for (const line of text.split('\n')) if (line.trim()) this.deps.log.info(`[trainer ${model}] ${line}`);
      },
    );
    this.handles.add(handle);
    const cancel = token.onCancellationRequested(() => handle.cancel());
    if (token.isCancellationRequested) handle.cancel();
    return handle.done.finally(() => {
      cancel.dispose();
      this.handles.delete(handle);
    });
  }

  private onTrainerMessage(m: FromTrainer, view: RunView, set: (patch: Partial<RunView>) => void, report: Report): void {
    switch (m.type) {
      case 'start': {
        const stored = readRunJson(m.runDir);
        set({ runDir: m.runDir, kind: m.kind, backend: m.backend, backendNote: m.backendNote ?? null, epochs: m.kind === 'neural' ? m.epochs : null, estimates: stored.estimates ?? null, dataset: stored.dataset ?? null });
        this.deps.log.info(`Training ${m.model} on ${m.backend}${m.backendNote ? ` (${m.backendNote})` : ''}; run ${m.runDir}`);
        report(0, m.kind === 'classical' ? `fitting on ${m.trainSamples} samples…` : `training on ${m.backend}…`);
        break;
      }
      case 'epoch': {
        set({ history: [...view.history, m], etaMs: m.etaMs });
        report(m.epoch / m.epochs, progressLine(m));
        break;
      }
      case 'log':
        this.deps.log.info(`[trainer ${view.model}] ${m.message}`);
        break;
      case 'done':
        report(1, evaluated(m.result) ? `done: accuracy ${percent(m.result.metrics.accuracy)}` : m.result.status);
        break;
      case 'error':
        break;
    }
  }

  private persistComparison(runsDir: string, c: ComparisonView): void {
    // On disk a run is known by its folder; this session's keys mean nothing after a restart.
    const byKey = new Map([...this.live.values()].map((v) => [v.key, v.runDir]));
    try {
      writeComparison(runsDir, { ...c, runs: c.runs.map((k) => (k === null ? null : (byKey.get(k) ?? null))) });
    } catch (err) {
      this.deps.log.warn(`Could not store the comparison in ${runsDir}: ${(err as Error).message}`);
    }
  }

  private notify(method: string, params: unknown): void {
    this.deps.connection.sendNotification(method, params).catch((err) => this.deps.log.error(`Sending ${method} failed`, err));
  }
}

function cancelled(token: CancellationToken): Promise<undefined> {
  return new Promise((resolve) => {
    if (token.isCancellationRequested) resolve(undefined);
    else token.onCancellationRequested(() => resolve(undefined));
  });
}

function finished(result: RunResult): Partial<RunView> {
  return {
    status: result.status,
    result: evaluated(result) ? result : null,
    backend: result.backend,
    backendNote: result.backendNote ?? null,
    finishedAt: new Date().toISOString(),
    etaMs: null,
  };
}

function readRunJson(dir: string): Partial<Pick<RunView, 'estimates' | 'dataset'>> {
  try {
    return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Partial<Pick<RunView, 'estimates' | 'dataset'>>;
  } catch {
    return {};
  }
}
