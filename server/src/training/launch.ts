import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isFromTrainer, PROTOCOL_VERSION, type DoneMessage, type ErrorMessage, type FromTrainer, type StopReason, type TrainRequest } from './protocol';
import { recordEnd } from './runs';

/**
 * Starts a trainer in its own process, so a crash or an out-of-memory there is reported
 * and never takes the CLI or the language server down.
 */
export interface TrainerHandle {
  readonly done: Promise<DoneMessage | ErrorMessage>;
  /** Asks the trainer to stop at the end of its step: a user's cancel, or `interrupted` when the caller is going away. */
  cancel(reason?: StopReason): void;
  /** Stops the trainer and whatever it started at once (a second Ctrl-C; a caller that cannot wait). */
  kill(): void;
  readonly pid: number | undefined;
}

/** Process groups exist on POSIX systems; on Windows a detached child would get a console of its own. */
const GROUPS = process.platform !== 'win32';
const NO_ANSWER_MS = 3000;
const CANCELLING_GRACE_MS = 60_000;

/** The bundled trainer next to this bundle, or the TypeScript source run through tsx. */
function trainerEntry(): { path: string; execArgv: string[] } {
  const bundled = join(__dirname, 'trainer.js');
  if (existsSync(bundled)) return { path: bundled, execArgv: [] };
  return { path: join(__dirname, 'trainerMain.ts'), execArgv: ['--import', 'tsx'] };
}

export function launchTrainer(request: Omit<TrainRequest, 'v' | 'type'>, onMessage: (m: FromTrainer) => void, stderr?: (text: string) => void): TrainerHandle {
  const entry = trainerEntry();
  const child: ChildProcess = fork(entry.path, [], {
    execArgv: entry.execArgv,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
    // A process group of its own, which the processes it starts (PyTorch's) join, so that
    // stopping a stuck trainer stops them too.
    detached: GROUPS,
  });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-4000);
    stderr?.(text);
  });
  let finished: DoneMessage | ErrorMessage | undefined;
  let runDir: string | undefined;
  let stopAsked: StopReason | undefined;
  const done = new Promise<DoneMessage | ErrorMessage>((resolve) => {
    child.on('message', (m: unknown) => {
      if (!isFromTrainer(m)) return;
      if (m.type === 'start') runDir = m.runDir;
      if (m.type === 'cancelling') {
        // Alive, and stopping after its current step: wait for it (a large step, and then
        // evaluating and saving what finished, may take a while), but not for ever.
        clearTimeout(killTimer);
        killTimer = setTimeout(stopGroup, CANCELLING_GRACE_MS);
        killTimer.unref();
        return;
      }
      if (m.type === 'done' || m.type === 'error') finished = m;
      onMessage(m);
    });
    child.on('error', (err) => {
      finished ??= { v: PROTOCOL_VERSION, type: 'error', reason: 'crash', message: `Could not start the trainer: ${err.message}` };
    });
    child.on('exit', (code, signal) => {
      if (!finished) {
        finished = { v: PROTOCOL_VERSION, type: 'error', ...unexpectedEnd(code, signal, tail, stopAsked) };
        // The trainer could not record how its run ended; whoever started it does, CLI and server alike.
        if (runDir) recordEnd(runDir, finished.reason === 'cancelled' || finished.reason === 'interrupted' ? finished.reason : 'failed', finished.message);
        onMessage(finished);
      }
      resolve(finished);
    });
  });
  child.send({ v: PROTOCOL_VERSION, type: 'train', ...request } satisfies TrainRequest);
  let killTimer: NodeJS.Timeout | undefined;
  function stopGroup(): void {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      if (GROUPS && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
  return {
    done,
    pid: child.pid,
    kill() {
      stopAsked ??= 'cancelled';
      stopGroup();
    },
    cancel(reason: StopReason = 'cancelled') {
      if (child.exitCode !== null || child.signalCode !== null || killTimer) return;
      stopAsked = reason;
      // A channel closing under a send (the trainer exiting) reports to this callback,
      // not as the child's 'error', which would read as a failure to start.
      if (child.connected) child.send({ v: PROTOCOL_VERSION, type: 'cancel', reason }, () => undefined);
      // A trainer that does not answer within 3 s is stuck in one long kernel: stop it, and
      // whatever it started, anyway.
      killTimer = setTimeout(stopGroup, NO_ANSWER_MS);
      killTimer.unref();
    },
  };
}

/** Why a trainer ended without saying so itself: stopped by force after a stop was asked, out of memory, or a crash. */
function unexpectedEnd(code: number | null, signal: NodeJS.Signals | null, tail: string, stopAsked: StopReason | undefined): Pick<ErrorMessage, 'reason' | 'message'> {
  if (stopAsked) {
    return {
      reason: stopAsked,
      message: `The trainer did not stop at the end of its step when asked, and was stopped by force; what it had not saved is lost.`,
    };
  }
  if (/heap out of memory|Allocation failed|RangeError: Array buffer allocation failed|Out of memory/i.test(tail)) {
    return { reason: 'out-of-memory', message: 'The trainer ran out of memory; reduce the batch size or the model, or train on a machine with more memory.' };
  }
  const last = tail.trim().split('\n').slice(-3).join(' | ');
  return { reason: 'crash', message: `The trainer stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}).${last ? ` Last output: ${last}` : ''}` };
}
