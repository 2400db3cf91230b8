// The training-time calibration: it measures usable figures once per backend and leaves
// no tensors behind; models are matched to the rate their arithmetic runs at; the
// estimate is the fixed step cost plus the training FLOPs at that rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../../server/src/analysis/model';
import { createNodeHost } from '../../../server/src/data/nodeHost';
import { initBackend } from '../../../server/src/training/backend/select';
import { calibrate, estimateTrainMs, rateKind, referenceModels, type Calibration } from '../../../server/src/training/calibrate';

const SAMPLES = resolve(__dirname, '../../../samples');

function sampleModel(file: string, name: string): ModelAnalysis {
  const path = join(SAMPLES, file);
  const model = analyze(readFileSync(path, 'utf8'), { file: path, host: createNodeHost() }).models.find((m) => m.name === name);
  assert.ok(model, `${name} in ${file}`);
  return model;
}

function assertClose(actual: number | undefined, expected: number): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= 1e-9 * expected, `${actual} ≉ ${expected}`);
}

function specModel(text: string): ModelAnalysis {
  const analysis = analyze(text, { file: '/virtual/spec.model' });
  assert.deepEqual(
    analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  return analysis.models[0];
}

test('calibration on wasm measures a positive, finite step cost and rates, once, leaving no tensors', async () => {
  await initBackend('wasm');
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const before = tf.memory().numTensors;
  const first = calibrate(tf);
  assert.equal(calibrate(tf), first, 'a second call while measuring shares the promise');
  const c = await first;
  assert.equal(c.backend, 'wasm');
  assert.ok(Number.isFinite(c.stepMs) && c.stepMs > 0, `stepMs ${c.stepMs}`);
  for (const kind of ['dense', 'conv'] as const) {
    const rate = c.flopsPerSecond[kind];
    assert.ok(Number.isFinite(rate) && rate > 0, `${kind} ${rate} FLOP/s`);
  }
  assert.equal(tf.memory().numTensors, before, 'every reference model and tensor disposed');
  assert.equal(await calibrate(tf), c, 'later calls get the measured value');
});

test('the reference specs check and are one of each kind', () => {
  const refs = referenceModels();
  assert.equal(rateKind(refs.Dense), 'dense');
  assert.equal(rateKind(refs.Conv), 'conv');
  assert.ok(refs.Step.totals.flops < 1000n, 'the step reference has next to no arithmetic');
});

test('models train at the conv rate when most MACs are convolutions, attention or position-wise dense layers', () => {
  assert.equal(rateKind(sampleModel('digits.model', 'DigitsCNN')), 'conv');
  assert.equal(rateKind(sampleModel('digits.model', 'DigitsMLP')), 'dense');
  assert.equal(rateKind(sampleModel('tokens-attention.model', 'TokenTransformer')), 'conv');
  assert.equal(rateKind(sampleModel('tokens-attention.model', 'TokenAttentionOnly')), 'conv');
  assert.equal(rateKind(sampleModel('sequences-rnn.model', 'WavesLSTM')), 'dense');
  assert.equal(rateKind(sampleModel('iris.model', 'IrisMLP')), 'dense');
  // A convolution does not make a model conv-bound when a wide dense layer holds most MACs.
  const mostlyDense = specModel('model M {\n  input: [8, 8, 1]\n  classes: 10\n  conv2d(4, kernel: 1)\n  flatten\n  dense(512)\n  dense(10, activation: softmax)\n}\n');
  assert.equal(rateKind(mostlyDense), 'dense');
  // A dense layer on a sequence multiplies all its positions at once.
  const positionWise = specModel('model P {\n  input: [32, 16]\n  classes: 4\n  dense(64)\n  flatten\n  dense(4, activation: softmax)\n}\n');
  assert.equal(rateKind(positionWise), 'conv');
});

test('the estimate is the step cost of every batch plus the training FLOPs at the model\'s rate', () => {
  // 1,000 spirals, 20% held out: 800 training rows, 720 after the 10% validation slice,
  // 23 batches of 32 per epoch. Forward: 2·16 + 16·3 = 80 MACs = 160 FLOPs; training
  // 3 × 160 × 800 = 384,000 FLOPs per epoch.
  const model = specModel(
    'dataset S {\n  source: synthetic(kind: spirals, samples: 1000, classes: 3)\n  test_split: 0.2\n}\nmodel M {\n  data: S\n  dense(16, activation: relu)\n  dense(3, activation: softmax)\n}\n',
  );
  const calibration: Calibration = { backend: 'wasm', stepMs: 2, flopsPerSecond: { dense: 1e9, conv: 4e9 }, millis: 0 };
  assert.equal(estimateTrainMs(model, 1, calibration), 23 * 2 + 0.384);
  assertClose(estimateTrainMs(model, 5, calibration), 5 * (23 * 2 + 0.384));
  // Without data the sample count, and so the estimate, is unknown.
  assert.equal(estimateTrainMs(specModel('model N {\n  input: [2]\n  classes: 3\n  dense(3)\n}\n'), 1, calibration), undefined);
});

test('a conv-bound model is estimated at the conv rate and a dense one at the dense rate', () => {
  const cnn = sampleModel('digits.model', 'DigitsCNN');
  const mlp = sampleModel('digits.model', 'DigitsMLP');
  const base: Calibration = { backend: 'wasm', stepMs: 0, flopsPerSecond: { dense: 1e9, conv: 1e9 }, millis: 0 };
  const fasterConv: Calibration = { ...base, flopsPerSecond: { dense: 1e9, conv: 2e9 } };
  assertClose(estimateTrainMs(cnn, 1, fasterConv)! * 2, estimateTrainMs(cnn, 1, base)!);
  assert.equal(estimateTrainMs(mlp, 1, fasterConv), estimateTrainMs(mlp, 1, base));
});
