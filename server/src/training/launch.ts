import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isFromTrainer, PROTOCOL_VERSION, type DoneMessage, type ErrorMessage, type FromTrainer, type TrainRequest } from './protocol';

/**
 * Starts a trainer in its own process, so a crash or an out-of-memory there is reported
 * and never takes the CLI or the language server down.
 */
export interface TrainerHandle {
  readonly done: Promise<DoneMessage | ErrorMessage>;
  cancel(): void;
  readonly pid: number | undefined;
}

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
  });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-4000);
    stderr?.(text);
  });
  let finished: DoneMessage | ErrorMessage | undefined;
  const done = new Promise<DoneMessage | ErrorMessage>((resolve) => {
    child.on('message', (m: unknown) => {
      if (!isFromTrainer(m)) return;
      if (m.type === 'done' || m.type === 'error') finished = m;
      onMessage(m);
    });
    child.on('error', (err) => {
      finished ??= { v: PROTOCOL_VERSION, type: 'error', reason: 'crash', message: `Could not start the trainer: ${err.message}` };
    });
    child.on('exit', (code, signal) => {
      if (!finished) {
        const oom = /heap out of memory|Allocation failed|RangeError: Array buffer allocation failed|Out of memory/i.test(tail);
        finished = {
          v: PROTOCOL_VERSION,
          type: 'error',
          reason: oom ? 'out-of-memory' : 'crash',
          message: oom
            ? 'The trainer ran out of memory; reduce the batch size or the model, or train on a machine with more memory.'
            : `The trainer stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}).${tail ? ` Last output: ${tail.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
        };
        onMessage(finished);
      }
      resolve(finished);
    });
  });
  child.send({ v: PROTOCOL_VERSION, type: 'train', ...request } satisfies TrainRequest);
  let killTimer: NodeJS.Timeout | undefined;
  return {
    done,
    pid: child.pid,
    cancel() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ v: PROTOCOL_VERSION, type: 'cancel' });
      // The trainer stops at the next batch; if it is stuck in one long kernel, stop it anyway.
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), 3000);
      killTimer.unref();
    },
  };
}
