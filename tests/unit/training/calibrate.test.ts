// The training-time calibration: it measures usable figures once per backend and kind
// and leaves no tensors behind; models are matched to the rate their arithmetic runs at;
// the estimate is the fixed step cost plus the training FLOPs at that rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../../server/src/analysis/model';
import { createNodeHost } from '../../../server/src/data/nodeHost';
import { initBackend } from '../../../server/src/training/backend/select';
import { calibrate, referenceModels } from '../../../server/src/training/calibrate';
import { estimateTrainMs, rateKind, type Calibration } from '../../../server/src/training/trainTime';

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

test('calibration on wasm measures a positive, finite step cost and rate per kind, once, leaving no tensors', async () => {
  await initBackend('wasm');
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const before = tf.memory().numTensors;
  const dense = calibrate(tf, 'dense');
  assert.equal(calibrate(tf, 'dense'), dense, 'a second call while measuring shares the promise');
  const d = await dense;
  const c = await calibrate(tf, 'conv');
  for (const [kind, figures] of [['dense', d], ['conv', c]] as const) {
    assert.equal(figures.backend, 'wasm');
    assert.equal(figures.kind, kind);
    assert.ok(Number.isFinite(figures.flopsPerSecond) && figures.flopsPerSecond > 0, `${kind} ${figures.flopsPerSecond} FLOP/s`);
    assert.ok(Number.isFinite(figures.stepMs) && figures.stepMs > 0, `stepMs ${figures.stepMs}`);
  }
  assert.equal(c.stepMs, d.stepMs, 'the fixed step cost is measured once per backend');
  assert.equal(tf.memory().numTensors, before, 'every reference model and tensor disposed');
  assert.equal(await calibrate(tf, 'dense'), d, 'later calls get the measured value');
});

test('the reference specs check and are one of each kind', () => {
  const refs = referenceModels();
  for (const kind of ['dense', 'conv', 'recurrent'] as const) assert.equal(rateKind(refs.rates[kind]), kind);
  assert.ok(refs.step.totals.flops < 1000n, 'the step reference has next to no arithmetic');
});

test('models train at the rate of the layers holding most of their MACs', () => {
  assert.equal(rateKind(sampleModel('digits.model', 'DigitsCNN')), 'conv');
  assert.equal(rateKind(sampleModel('digits.model', 'DigitsMLP')), 'dense');
  assert.equal(rateKind(sampleModel('tokens-attention.model', 'TokenTransformer')), 'conv');
  assert.equal(rateKind(sampleModel('tokens-attention.model', 'TokenAttentionOnly')), 'conv');
  assert.equal(rateKind(sampleModel('sequences-rnn.model', 'WavesLSTM')), 'recurrent');
  assert.equal(rateKind(sampleModel('sequences-rnn.model', 'WavesBiGRU')), 'recurrent');
  assert.equal(rateKind(sampleModel('sequences-rnn.model', 'WavesMLP')), 'dense');
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
  const calibration: Calibration = { backend: 'wasm', kind: 'dense', stepMs: 2, flopsPerSecond: 1e9, millis: 0 };
  assert.equal(estimateTrainMs(model, 1, calibration), 23 * 2 + 0.384);
  assertClose(estimateTrainMs(model, 5, calibration), 5 * (23 * 2 + 0.384));
  // Without data the sample count, and so the estimate, is unknown.
  assert.equal(estimateTrainMs(specModel('model N {\n  input: [2]\n  classes: 3\n  dense(3)\n}\n'), 1, calibration), undefined);
  // A calibration of the other kind would give a wrong figure, so it is refused.
  assert.throws(() => estimateTrainMs(sampleModel('digits.model', 'DigitsCNN'), 1, calibration), /conv rate/);
});
