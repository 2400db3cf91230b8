// Every bundled sample checks clean, and the classic architectures reproduce the
// published numbers of estimates.md: parameters exactly, MACs within 1%.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../../server/src/analysis/model';
import { createNodeHost } from '../../../server/src/data/nodeHost';

const SAMPLES = resolve(__dirname, '../../../samples');
const host = createNodeHost();

function load(name: string) {
  const file = join(SAMPLES, name);
  return analyze(readFileSync(file, 'utf8'), { file, host });
}

function model(file: string, name: string): ModelAnalysis {
  const m = load(file).models.find((x) => x.name === name);
  assert.ok(m, `${name} in ${file}`);
  return m;
}

function withinOnePercent(actual: bigint, expected: bigint): void {
  const diff = actual > expected ? actual - expected : expected - actual;
  assert.ok(diff * 100n <= expected, `${actual} is not within 1% of ${expected}`);
}

for (const file of readdirSync(SAMPLES).filter((f) => f.endsWith('.model'))) {
  test(`${file} checks clean and every model is complete`, () => {
    const a = load(file);
    const problems = a.diagnostics.filter((d) => d.severity !== 'info');
    assert.deepEqual(problems.map((d) => `${d.range.start.line + 1}: ${d.code} ${d.message}`), []);
    assert.ok(a.models.length > 0);
    for (const m of a.models) assert.ok(m.complete, `${m.name} is complete`);
  });
}

test('LeNet-5: 61,706 params and 416,520 MACs', () => {
  const m = model('lenet5.model', 'LeNet5');
  assert.equal(m.totals.total, 61_706n);
  assert.equal(m.totals.macs, 416_520n);
  assert.deepEqual(m.outputShape, [10]);
});

test('VGG16: 138,357,544 params and 15,470,264,320 MACs', () => {
  const m = model('vgg16.model', 'VGG16');
  assert.equal(m.totals.total, 138_357_544n);
  withinOnePercent(m.totals.macs, 15_470_264_320n);
  assert.equal(m.totals.flops, 2n * m.totals.macs);
});

test('ResNet-50: 25,557,032 trainable + 53,120 batchnorm statistics, 4.09 G MACs', () => {
  const m = model('resnet50.model', 'ResNet50');
  assert.equal(m.totals.trainable, 25_557_032n);
  assert.equal(m.totals.nonTrainable, 53_120n);
  withinOnePercent(m.totals.macs, 4_089_184_256n);
  assert.deepEqual(m.outputShape, [1000]);
});

test('GPT-2 small: 124,439,808 params; FLOPs per token match Kaplan et al. plus the output projection', () => {
  const m = model('gpt2-small.model', 'GPT2Small');
  assert.equal(m.totals.total, 124_439_808n);
  const nLayer = 12n;
  const nCtx = 1024n;
  const d = 768n;
  const ff = 3072n;
  const vocab = 50257n;
  // Kaplan et al. 2020, Table 1: N = 2·d·n_layer·(2·d_attn + d_ff) non-embedding parameters,
  // C_forward = 2N + 2·n_layer·n_ctx·d_attn, and the de-embedding row 2·d·n_vocab.
  const n = 2n * d * nLayer * (2n * d + ff);
  const kaplanPerToken = 2n * n + 2n * nLayer * nCtx * d + 2n * d * vocab;
  withinOnePercent(m.totals.flops / nCtx, kaplanPerToken);
  assert.deepEqual(m.outputShape, [1024, 50257]);
});

test('the digits sample reads the real data: 1,797 rows, 64 features, 10 balanced-ish classes', () => {
  const a = load('digits.model');
  const d = a.datasets.get('Digits');
  assert.ok(d);
  assert.equal(d.rows, 1797);
  assert.equal(d.features, 64);
  assert.equal(d.classes, 10);
  assert.deepEqual(d.shape, [8, 8, 1]);
  assert.equal((d.trainSamples ?? 0) + (d.testSamples ?? 0), 1797);
  assert.deepEqual(a.compare?.models, ['DigitsCNN', 'DigitsMLP', 'DigitsLogReg', 'DigitsSVM', 'DigitsTree', 'DigitsForest']);
  assert.equal(model('digits.model', 'DigitsSVM').kind, 'classical');
  assert.equal(model('digits.model', 'DigitsCNN').kind, 'neural');
});

test('iris logistic regression: (4 features + 1) × 3 classes = 15 parameters', () => {
  const m = model('iris.model', 'IrisLogReg');
  assert.equal(m.totals.total, 15n);
  assert.equal(m.estimator?.estimate.upperBound, false);
});
