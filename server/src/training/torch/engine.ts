import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Analysis, ModelAnalysis } from '../../analysis/model';
import { readNpy } from '../../export/npy';
import { exportProject } from '../../export/project';
import type { PreparedData } from '../data/prepare';
import { freePort } from '../../util/freePort';
import { computeMetrics } from '../metrics';
import { boundMetrics } from '../metricsDetail';
import { PROTOCOL_VERSION, type EpochStats, type Params, type RunResult, type StartMessage } from '../protocol';
import type { TorchPython } from './python';

/**
 * The torch engine: the run's model is exported as a PyTorch project into the run folder
 * (`project/`), and its train.py runs in the user's Python, one process, or N with
 * DistributedDataParallel. train.py reports on a pipe of its own (fd 3, JSON lines), so
 * whatever a library prints cannot corrupt the messages; everything it prints goes to the
 * run's train.log. Cancelling writes a cancel message to each process's stdin; a process
 * whose stdin closes (this trainer died) stops too. Either way it stops within a batch,
 * evaluates what it has and writes its results.
 */
export interface TorchRun {
  readonly analysis: Analysis;
  readonly text: string;
  readonly model: ModelAnalysis;
  readonly data: PreparedData;
  readonly dir: string;
  readonly epochs: number;
  readonly nproc: number;
  readonly python: TorchPython;
  readonly version: string;
  /** What every start message of this run carries (run id, folder, model, sample counts). */
  readonly base: Omit<StartMessage, 'v' | 'type' | 'backend' | 'kind' | 'params'>;
  emit(m: StartMessage | ({ v: typeof PROTOCOL_VERSION; type: 'epoch'; epochs: number; etaMs: number } & EpochStats)): void;
  /** Aborted to stop; its reason (cancelled or interrupted) is passed on to train.py. */
  readonly signal: AbortSignal;
}

/** Why a torch run failed, with train.py's last lines and where its full log is. */
export class TorchRunError extends Error {}

interface PythonMetrics {
  readonly status: string;
  readonly params: Params;
  readonly trainMs: number;
  readonly epochs: number;
  readonly device: string;
  readonly worldSize: number;
  readonly torch: string;
  readonly inferenceMsPerSample: number;
  readonly sizeBytes: number;
}

const LOG = 'train.log';
const STATUSES: readonly RunResult['status'][] = ['completed', 'stopped-early', 'cancelled', 'interrupted'];
/** After a cancel, train.py stops at the end of its step, evaluates and saves; more than this, and it is stuck. */
const STUCK_AFTER_CANCEL_MS = 30_000;
/** How long the other processes of a run get to notice that one of them failed. */
const PARTNER_GRACE_MS = 2000;

export async function trainTorch(run: TorchRun): Promise<Omit<RunResult, 'runId' | 'runDir' | 'model' | 'kind' | 'flops' | 'estimatedTrainMs'>> {
  const project = join(run.dir, 'project');
  exportProject({ analysis: run.analysis, text: run.text, model: run.model.name, target: 'pytorch', outDir: project, data: run.data, version: run.version });
  const ranks = await launchRanks(run, project);
  // train.py's own account of an exception; its traceback is in the log.
  let failure: string | undefined;
  let backendNote = '';
  const events = createInterface({ input: ranks[0].stdio[3] as NodeJS.ReadableStream });
  const drained = new Promise<void>((resolve) => events.once('close', resolve));
  events.on('line', (line) => {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (m.type === 'start') {
      const world = Number(m.worldSize);
      backendNote = `PyTorch ${String(m.torch)} on ${String(m.device)}${world > 1 ? ` × ${world} processes (DistributedDataParallel)` : ''}; Python ${run.python.pythonVersion} (${run.python.python})`;
      run.emit({
        v: PROTOCOL_VERSION,
        type: 'start',
        ...run.base,
        kind: 'neural',
        backend: 'torch',
        backendNote,
        threads: Number(m.threads),
        device: String(m.device),
        worldSize: world,
        torch: String(m.torch),
        params: m.params as Params,
      });
    } else if (m.type === 'epoch') {
      const s = m as unknown as EpochStats & { epochs: number };
      const perEpoch = s.elapsedMs / s.epoch;
      run.emit({ v: PROTOCOL_VERSION, type: 'epoch', ...stats(s), epochs: s.epochs, etaMs: perEpoch * (s.epochs - s.epoch) });
    } else if (m.type === 'error') {
      failure = String(m.message);
    }
  });
  // A stdin whose process has gone refuses writes; that is not the run's failure.
  for (const r of ranks) r.stdin?.on('error', () => {});
  let stuck: NodeJS.Timeout | undefined;
  let killed = false;
  const stop = () => {
    const reason = run.signal.reason === 'interrupted' ? 'interrupted' : 'cancelled';
    for (const r of ranks) r.stdin?.write(JSON.stringify({ type: 'cancel', reason }) + '\n');
    // A process that cannot see the message (stuck inside a native call) is killed.
    stuck = setTimeout(() => {
      killed = true;
      ranks.forEach((r) => r.kill('SIGKILL'));
    }, STUCK_AFTER_CANCEL_MS);
  };
  if (run.signal.aborted) stop();
  else run.signal.addEventListener('abort', stop, { once: true });
  // One process of several failing leaves the others waiting in a collective that will never
  // complete (gloo's timeout is 30 minutes): they go too.
  const partners = ranks.map((r) =>
    exited(r).then((code) => {
      if (code !== 0) setTimeout(() => ranks.forEach((other) => other.exitCode === null && other.signalCode === null && other.kill('SIGKILL')), PARTNER_GRACE_MS).unref();
      return code;
    }),
  );
  let codes: (number | null)[];
  try {
    codes = await Promise.all(partners);
    await drained;
  } finally {
    run.signal.removeEventListener('abort', stop);
    clearTimeout(stuck);
  }
  // The process that failed first exited with a code; those stopped because of it, by a signal.
  const rank = [codes.findIndex((c) => c !== 0 && c !== null), codes.findIndex((c) => c !== 0)].find((i) => i >= 0);
  const failed = rank === undefined ? undefined : codes[rank];
  const who = ranks.length > 1 && rank !== undefined ? `process ${rank} of ${ranks.length} ` : '';
  if (killed) throw new TorchRunError(withLog(run.dir, `train.py did not stop within ${STUCK_AFTER_CANCEL_MS / 1000} s of the cancel and was killed; its last checkpoint (checkpoint.pt), if any, is kept.`));
  if (failure) throw new TorchRunError(withLog(run.dir, `train.py failed: ${failure}`));
  if (failed !== undefined) throw new TorchRunError(withLog(run.dir, `train.py ${who}stopped unexpectedly (${failed === null ? 'killed by a signal' : `exit code ${failed}`}).`));
  const metrics = JSON.parse(readFileSync(join(run.dir, 'metrics.json'), 'utf8')) as PythonMetrics;
  const predictions = readNpy(readFileSync(join(run.dir, 'predictions.npy'))).values;
  return {
    status: STATUSES.includes(metrics.status as RunResult['status']) ? (metrics.status as RunResult['status']) : 'cancelled',
    backend: 'torch',
    backendNote,
    metrics: boundMetrics(computeMetrics(run.data.test.y, predictions, run.data.labels), run.data.labels, run.dir),
    trainMs: metrics.trainMs,
    inferenceMsPerSample: metrics.inferenceMsPerSample,
    sizeBytes: metrics.sizeBytes,
    params: metrics.params,
    epochsRun: metrics.epochs,
    device: metrics.device,
    worldSize: metrics.worldSize,
    torch: metrics.torch,
  };
}

function stats(s: EpochStats): EpochStats {
  const optional = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return { epoch: s.epoch, loss: s.loss, accuracy: optional(s.accuracy), valLoss: optional(s.valLoss), valAccuracy: optional(s.valAccuracy), samplesPerSec: s.samplesPerSec, elapsedMs: s.elapsedMs };
}

/**
 * One process, or N on this machine with what torchrun would set (RANK, WORLD_SIZE,
 * LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT): started directly, since
 * torchrun itself fails on some installations (Debian's 1.13 on Python 3.11).
 */
async function launchRanks(run: TorchRun, project: string): Promise<ChildProcess[]> {
  const world = Math.max(1, run.nproc);
  const port = world > 1 ? await freePort() : 0;
  const log = openSync(join(run.dir, LOG), 'a');
  try {
    return Array.from({ length: world }, (_, rank) => {
      const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
      if (world > 1) Object.assign(env, { RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: String(world), LOCAL_WORLD_SIZE: String(world), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) });
      const args = ['train.py', '--out', run.dir, '--epochs', String(run.epochs), '--events', '3'];
      return spawn(run.python.python, args, { cwd: project, env, stdio: ['pipe', log, log, 'pipe'] });
    });
  } finally {
    closeSync(log);
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('error', () => resolve(-1));
    child.once('exit', (code) => resolve(code));
  });
}

/** A failure's message, then the last lines train.py printed and where the whole log is. */
function withLog(dir: string, what: string): string {
  const logPath = join(dir, LOG);
  let tail = '';
  try {
    tail = readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-8).join('\n');
  } catch {
    // no log: the interpreter did not start
  }
  return `${what}${tail ? `\nLast lines of the log:\n${tail}` : ''}\nFull log: ${logPath}`;
}
