/**
 * The built-in step model's figures (stepModel.ts), as bench/time-model-fit.ts measured them
 * on the machine class below: TensorFlow.js 4.22's wasm backend (SIMD, single-threaded),
 * each spec's fastest of 10 interleaved rounds at load average 1.2, so that other work on
 * the machine weighs as little as it can. The measurements are in
 * bench/results/time-model-fit.json (`used`); docs/estimates.md explains them. The run and epoch
 * costs come from bench/time-run-overhead.ts (bench/results/time-run-overhead.json: the
 * fastest of 4 fresh runs at load average 1.3).
 * Changing any figure changes STEP_MODEL_VERSION, so runs scaled against the old
 * figures are not mixed with the new.
 */
import type { StepModel } from './stepModel';

export const STEP_MODEL_VERSION = 'wasm-2026-12-03c';

export const BUILT_IN_MACHINE = '2 cores of an AMD EPYC (Node 20, wasm SIMD)';

export const BUILT_IN_STEP_MODEL: StepModel = {
  backend: 'wasm',
  baseMs: 0.501,
  epochMs: 16,
  runMs: 132,
  layerMs: {
    dense: 0.237,
    conv2d: 0.644,
    conv1d: 0.327,
    maxpool2d: 0.0349,
    maxpool1d: 0.0473,
    layernorm: 0.385,
    batchnorm: 0.498,
    dropout: 0.0643,
    flatten: 0,
    global_avgpool: 0.0271,
    multihead_attention: 1.65,
    transformer_block: 3.75,
    lstm: 0.548,
    gru: 0.0421,
    simple_rnn: 0.364,
  },
  defaultLayerMs: 0.237,
  recurrentStepMs: { lstm: 0.539, gru: 0.565, simple_rnn: 0.206 },
  flopsPerSecond: { matmul: 1.376e10, conv: 1.095e10, recurrent: 1.053e10, attention: 1.002e10 },
  plainJsFlopsPerSecond: 1.049e9,
};
