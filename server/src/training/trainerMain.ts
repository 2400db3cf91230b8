import { PROTOCOL_VERSION, type FromTrainer, type ToTrainer } from './protocol';
import { runTraining, TrainError } from './train';

/**
 * The trainer process: receives one TrainRequest over IPC, streams progress back, and
 * exits. A cancel message stops training at the next batch; what finished is kept.
 */
let cancelled = false;
// After the parent is gone there is nobody to tell; the run still ends and is stored.
const emit = (m: FromTrainer) => {
  if (process.connected) process.send?.(m);
};

// The parent (a language server, the CLI) exited or crashed: stop at the next batch,
// keep what finished, and do not train on as an orphan.
process.on('disconnect', () => {
  cancelled = true;
});

process.on('message', (m: ToTrainer) => {
  if (m?.v !== PROTOCOL_VERSION) return;
  if (m.type === 'cancel') {
    cancelled = true;
    emit({ v: PROTOCOL_VERSION, type: 'cancelling' });
  }
  else if (m.type === 'train') void run(m);
});

async function run(request: Extract<ToTrainer, { type: 'train' }>): Promise<void> {
  try {
    const result = await runTraining(request, { emit, cancelled: () => cancelled });
    emit({ v: PROTOCOL_VERSION, type: 'done', result });
  } catch (err) {
    const e = err as Error;
    const oom = /out of memory|Array buffer allocation failed|Invalid typed array length/i.test(e.message);
    emit({
      v: PROTOCOL_VERSION,
      type: 'error',
      reason: err instanceof TrainError ? err.reason : oom ? 'out-of-memory' : 'crash',
      message: err instanceof TrainError ? e.message : `${e.message}${e.stack ? `\n${e.stack.split('\n').slice(1, 4).join('\n')}` : ''}`,
    });
  } finally {
    // The wasm backend's worker threads would keep the process alive.
    if (process.connected) process.disconnect?.();
    setTimeout(() => process.exit(0), 100).unref();
  }
}
