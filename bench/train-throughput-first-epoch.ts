/**
 * Time from process start to the end of the first training epoch, as a user sees it from
 * `modelspec train`. bench/train-throughput.ts bundles this file with esbuild (like
 * dist/) and runs it in a fresh process; it prints one JSON line whose times are
 * milliseconds since the process started (Node's performance clock starts there).
 */
import { describeBackend, initBackend } from '../server/src/training/backend/select';
import { BATCH, WORKLOADS, compile, syntheticData } from './train-throughput-models';

const SAMPLES = 1024;

async function main(): Promise<void> {
  const loadedMs = performance.now();
  const info = await initBackend();
  const readyMs = performance.now();
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const cnn = WORKLOADS.find((w) => w.name === 'CNN');
  if (!cnn) throw new Error('CNN workload missing');
  const model = cnn.build(tf);
  compile(tf, model);
  const { x, y } = syntheticData(tf, cnn, SAMPLES);
  const builtMs = performance.now();
  await model.fit(x, y, { batchSize: BATCH, epochs: 1, verbose: 0 });
  const epochEndMs = performance.now();
  console.log(JSON.stringify({ backend: describeBackend(info), loadedMs, readyMs, builtMs, epochEndMs, samples: SAMPLES }));
}

main().then(
  // The wasm runtime can keep the event loop alive; the measurement is done.
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
