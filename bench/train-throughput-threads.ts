/**
 * Experiment: tfjs-backend-wasm's threaded SIMD build under Node (engine `wasm-mt2` of
 * bench/train-throughput.ts). Not used by the product: on this 2-core machine it made
 * training slower for every workload (CNN 0.69x, MLP 0.21x, LSTM 0.22x of the
 * single-threaded backend), raised the latency of a small kernel from ≈19 to 30-48 µs,
 * gained nothing on a 1024³ matmul once other processes were running, and costs ≈2.5 s
 * of start-up for the 8 pthread workers Emscripten pre-starts.
 *
 * tfjs 4.22 never selects the threaded build under Node (WASM_HAS_MULTITHREAD_SUPPORT is
 * forced false, tfjs issue #3830), and its loader hands Emscripten Blob URLs that Node's
 * worker_threads cannot start. This builds the module itself instead:
 *  - the pthread worker script (shipped only as a JS string, `wasmWorkerContents`) is
 *    written to a real file, and the Emscripten glue is given file paths, not Blobs;
 *  - the C++ side caps its pool at (logical cores / 2) — one thread on a 2-core machine —
 *    so `os.cpus()` is doubled while the module initialises;
 *  - Emscripten pre-starts 8 workers and waits for all of them, with nothing keeping
 *    Node's event loop alive meanwhile, so a timer holds it open during initialisation;
 *  - the workers keep the process alive afterwards: callers must exit explicitly.
 * The result replaces the registered 'wasm' backend factory and gets Modelspec's kernels.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { registerDilatedConvGradients } from '../server/src/training/backend/gradients';
import { registerWasmTrainingKernels } from '../server/src/training/backend/kernels/index';

interface ThreadedModule {
  cwrap(name: string, ret: string | null, args: string[]): unknown;
  tfjs?: Record<string, unknown>;
}

export async function initThreadedWasm(threads: number): Promise<string> {
  const tf = require('@tensorflow/tfjs') as typeof tfTypes;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  tf.enableProdMode();
  const pkg = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const glue = join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const factory = require(glue) as (config: object) => Promise<ThreadedModule>;
  const { wasmWorkerContents } = require(join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const workerFile = join(tmpdir(), `modelspec-pthread-worker-${process.pid}.js`);
  // tfjs escapes newlines the same way before making its Blob: they sit inside string literals.
  writeFileSync(workerFile, wasmWorkerContents.replace(/\n/g, '\\n'));
  process.once('exit', () => rmSync(workerFile, { force: true }));
  const config = {
    locateFile: (path: string) => (path.endsWith('.worker.js') ? workerFile : path.endsWith('.wasm') ? join(pkg, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm') : join(pkg, 'wasm-out', path)),
    mainScriptUrlOrBlob: glue,
  };
  const keepAlive = setInterval(() => undefined, 1000);
  // The glue calls require("os").cpus(): patch that module object (an import namespace is frozen).
  const mutableOs = require('node:os') as { cpus: () => import('node:os').CpuInfo[] };
  const cpus = mutableOs.cpus;
  mutableOs.cpus = () => {
    const list = cpus();
    return Array.from({ length: Math.max(list.length, threads) * 2 }, (_, i) => list[i % list.length]);
  };
  let module: ThreadedModule;
  try {
    module = await factory(config);
  } finally {
    clearInterval(keepAlive);
    mutableOs.cpus = cpus;
  }
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  wasm.setThreadsCount(threads);
  if (tf.findBackendFactory('wasm') != null) tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => new wasm.BackendWasm(module as never), 2);
  registerWasmTrainingKernels();
  registerDilatedConvGradients();
  if (!(await tf.setBackend('wasm')) || tf.getBackend() !== 'wasm') throw new Error('threaded wasm backend failed to initialise');
  return `wasm threaded SIMD (${wasm.getThreadsCount()} threads)`;
}
