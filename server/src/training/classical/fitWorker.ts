import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Args } from '../../catalog/types';
import { latencyMs } from '../latency';
import { createClassical, prepareClassical } from './index';
import type { ClassicalJSON, ClassicalKind, ModelSize } from './model';

/**
 * A classical fit runs in a worker thread. `fit` is synchronous (libsvm's is a single
 * WebAssembly call), so on the trainer's own thread neither a cancel nor the death of the
 * process that started it could be noticed until it ended: minutes, for a 5,000-class SVM.
 * A worker is terminated at once, and the trainer stays free to answer.
 */
export interface FitJob {
  readonly kind: ClassicalKind;
  readonly args: Args;
  readonly seed: number;
  readonly features: number;
  readonly classes: number;
  readonly train: { readonly x: Float32Array; readonly y: Int32Array; readonly n: number };
  readonly test: { readonly x: Float32Array; readonly n: number };
}

export interface FitOutcome {
  /** Which build trained (libsvm's wasm or asm.js), for the run's engine note. */
  readonly note?: string;
  readonly trainMs: number;
  readonly predicted: Int32Array;
  readonly inferenceMsPerSample: number;
  readonly model: ClassicalJSON;
  readonly size: ModelSize;
}

const FLAG = 'modelspecClassicalFit';

/** Fits in a worker; undefined when `signal` stopped it first. A worker that fails rejects with its error. */
export function fitInWorker(job: FitJob, signal: AbortSignal): Promise<FitOutcome | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  // From the sources (tests, tsx) the worker needs tsx to load TypeScript; a bundle is plain JS.
  const worker = __filename.endsWith('.ts')
    ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { eval: true, workerData: { [FLAG]: job } })
    : new Worker(__filename, { workerData: { [FLAG]: job } });
  return new Promise((resolve, reject) => {
    const stop = () => void worker.terminate().then(() => resolve(undefined));
    signal.addEventListener('abort', stop, { once: true });
    worker.once('message', (outcome: FitOutcome) => {
      signal.removeEventListener('abort', stop);
      void worker.terminate();
      resolve(outcome);
    });
    worker.once('error', (err) => {
      signal.removeEventListener('abort', stop);
      reject(err);
    });
  });
}

async function fit(job: FitJob): Promise<FitOutcome> {
  const note = await prepareClassical(job.kind);
  const engine = createClassical(job.kind);
  const started = performance.now();
  engine.fit(job.train.x, job.train.y, job.train.n, job.features, job.classes, job.args, job.seed);
  const trainMs = performance.now() - started;
  return {
    note,
    trainMs,
    predicted: engine.predict(job.test.x, job.test.n),
    inferenceMsPerSample: latencyMs((x) => engine.predict(x, 1), job.test.x, job.test.n, job.features),
    model: engine.toJSON(),
    size: engine.size(),
  };
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[FLAG]) {
  const job = (workerData as Record<string, FitJob>)[FLAG];
  void fit(job).then((outcome) => parentPort!.postMessage(outcome));
}
