import { isMainThread } from 'node:worker_threads';
import { PROTOCOL_VERSION, type FromTrainer, type StopReason, type ToTrainer } from './protocol';
import { runTraining, TrainError } from './train';

/**
 * The trainer process: receives one TrainRequest over IPC, streams progress back, and
 * exits. A cancel stops training at the end of the current step and keeps what finished;
 * so does the parent going away (the CLI or the server exited or died), and the run is
 * then marked `interrupted`. (A classical fit's worker thread loads this bundle too: only
 * the main thread is the trainer.)
 */
if (isMainThread) startTrainer();

function startTrainer(): void {
  const stop = new AbortController();
  const halt = (reason: StopReason) => {
    if (!stop.signal.aborted) stop.abort(reason);
  };
  // Once the parent is gone its pipes are closed: a warning written to stderr then must not
  // crash the run while it saves what it has.
  process.stderr.on('error', () => undefined);
  process.stdout.on('error', () => undefined);

  /** Resolves once the message is handed to the channel (at once when there is nobody to tell). */
  const send = (m: FromTrainer): Promise<void> =>
    new Promise((resolve) => {
      if (!process.connected || !process.send) return resolve();
      process.send(m, undefined, {}, () => resolve());
    });
  const emit = (m: FromTrainer) => void send(m);

  process.on('disconnect', () => halt('interrupted'));
  process.on('message', (m: ToTrainer) => {
    if (m?.v !== PROTOCOL_VERSION) return;
    if (m.type === 'cancel') {
      halt(m.reason ?? 'cancelled');
      emit({ v: PROTOCOL_VERSION, type: 'cancelling' });
    } else if (m.type === 'train') void run(m);
  });

  async function run(request: Extract<ToTrainer, { type: 'train' }>): Promise<void> {
    let last: FromTrainer;
    try {
      last = { v: PROTOCOL_VERSION, type: 'done', result: await runTraining(request, { emit, signal: stop.signal }) };
    } catch (err) {
      const e = err as Error;
      const oom = /out of memory|Array buffer allocation failed|Invalid typed array length/i.test(e.message);
      last = {
        v: PROTOCOL_VERSION,
        type: 'error',
        reason: err instanceof TrainError ? err.reason : oom ? 'out-of-memory' : 'crash',
        message: err instanceof TrainError ? e.message : `${e.message}${e.stack ? `\n${e.stack.split('\n').slice(1, 4).join('\n')}` : ''}`,
      };
    }
    // The last message, however large, is written to the channel before it closes: closing
    // right after sending lost results of a few hundred kilobytes.
    await send(last);
    if (process.connected) process.disconnect();
    // The wasm backend's worker threads would keep the process alive.
    setTimeout(() => process.exit(0), 100).unref();
  }
}
