// Hover over layers, arguments, settings, keywords and dataset / block / model names,
// answered by the real server from the catalogue and the cached analysis.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hover } from 'vscode-languageserver-protocol';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { createNodeHost } from '../../server/src/data/nodeHost';
import { STEP_MODEL_VERSION } from '../../server/src/training/builtInStepModel';
import { saveRun } from '../../server/src/training/calibrationFile';
import { trainingSteps } from '../../server/src/training/trainTime';
import { FIXTURES, fixtureText, fixtureUri, positionOf, TestClient } from './client';

let client: TestClient;
const lenet = fixtureText('lenet5.model');
const iris = fixtureText('iris.model');

before(async () => {
  client = await TestClient.start({ settings: { accelerators: [{ name: 'Test TPU', peakTflops: 100, utilization: 0.5 }] } });
  await client.openFixture('lenet5.model');
  await client.openFixture('iris.model');
});
after(() => client.stop());

async function hoverAt(name: string, text: string, needle: string, offset = 1, n = 0): Promise<string | undefined> {
  const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: fixtureUri(name) }, position: positionOf(text, needle, offset, n) });
  if (!h) return undefined;
  return typeof h.contents === 'string' ? h.contents : 'value' in h.contents ? h.contents.value : undefined;
}

test('a layer shows its catalogue documentation and this row: shapes, params, MACs', async () => {
  const text = await hoverAt('lenet5.model', lenet, 'conv2d(6');
  assert.ok(text, 'hover expected');
  assert.match(text, /conv2d\(filters, kernel/);
  assert.match(text, /\[32, 32, 1\] → \[28, 28, 6\]/);
  assert.match(text, /\*\*156\*\* params/);
  assert.match(text, /\*\*117,600\*\* MACs/);
  assert.match(text, /\*\*Params\*\*/, 'the catalogue doc with its formulas');
});

test('an argument name shows its type, default or requirement, range and doc', async () => {
  const kernel = await hoverAt('lenet5.model', lenet, 'kernel: 5');
  assert.ok(kernel);
  assert.match(kernel, /\*\*kernel\*\*: `int_pair` · required · in \[1, 2\^40\]/);
  assert.match(kernel, /Window size/);
  const activation = await hoverAt('lenet5.model', lenet, 'activation: tanh');
  assert.match(activation ?? '', /default `linear`/);
  assert.match(activation ?? '', /one of `linear`, `relu`/);
});

test('a positional value shows the parameter it binds to', async () => {
  const text = await hoverAt('lenet5.model', lenet, 'conv2d(16', 'conv2d('.length + 1);
  assert.match(text ?? '', /\*\*filters\*\*/);
});

test('a model name shows the summary table with the stated assumptions', async () => {
  const text = await hoverAt('lenet5.model', lenet, 'LeNet5 {');
  assert.ok(text);
  assert.match(text, /\*\*model LeNet5\*\* · neural · \[32, 32, 1\] → \[10\]/);
  assert.match(text, /\| Parameters \| 61,706 \(61,706 trainable, 0 non-trainable\) \|/);
  assert.match(text, /\| Weights \| 241 KiB fp32 · 121 KiB fp16 \|/);
  assert.match(text, /416,520 MACs = 833,040 FLOPs/);
  assert.match(text, /\| Training memory \| .* = weights .* \+ gradients .* \+ sgd state .* × batch 64 \|/);
  // No dataset: the time is per 1,000 samples per epoch, on this machine and the configured accelerator.
  // 1,000 samples less the 10% validation split: 900 in batches of 64, 100 in 2 validation batches.
  assert.match(text, /\| This machine \| ≈ [\d.]+ m?s: 15 steps × [\d.]+ ms \+ 2 validation batches \+ [\d.]+ m?s of arithmetic \+ 1 epoch × \d+ ms \+ [\d.]+ m?s start-up per 1,000 samples per epoch \|/);
  assert.match(text, /\| Test TPU \| at least .* per 1,000 samples per epoch: the arithmetic alone at 100 TFLOP\/s peak × 50% utilisation, without per-step costs \|/);
  assert.match(text, /Accelerator rows are lower bounds/);
  assert.match(text, /\*This machine\* is the built-in model of a TensorFlow.js \(wasm\) training step .* scaled ×[\d.]+ by this machine's plain-JavaScript speed/);
  assert.match(text, /3 × forward FLOPs/);
});

test('a model with data shows its training compute and time', async () => {
  const text = await hoverAt('iris.model', iris, 'model IrisMLP', 'model '.length + 1);
  assert.ok(text);
  assert.match(text, /\| Training compute \| 8,064,000 FLOPs \(8.06 MFLOPs\) = 3 × forward × 120 samples × 100 epochs \|/);
  assert.match(text, /\| This machine \| ≈ \d/);
  assert.match(text, /\| Test TPU \| at least /);
});

test('a model name in compare shows the same summary', async () => {
  const text = await hoverAt('iris.model', iris, 'IrisDeep', 1, 1);
  assert.match(text ?? '', /\*\*model IrisDeep\*\*/);
});

test('a dataset shows rows, features, classes, label balance and split sizes', async () => {
  for (const [needle, offset] of [['Iris {', 1], ['data: Iris', 'data: '.length + 1]] as const) {
    const text = await hoverAt('iris.model', iris, needle, offset);
    assert.ok(text, `hover on ${needle}`);
    assert.match(text, /\*\*dataset Iris\*\* · CSV `.*data\/iris\.csv`/);
    assert.match(text, /\| Rows \| 150 \|/);
    assert.match(text, /\| Features \| 4, shape \[4\] \|/);
    assert.match(text, /\| Classes \| 3 \(target `label`\) \|/);
    assert.match(text, /\| Split \| 120 train \/ 30 test \(test_split 0.2\) \|/);
    assert.match(text, /\| Label balance \| 0: 50 \(33.3%\), 1: 50 \(33.3%\), 2: 50 \(33.3%\) \|/);
  }
});

test('a block use shows the block signature and this use', async () => {
  const text = await hoverAt('iris.model', iris, 'Hidden(16)');
  assert.ok(text);
  assert.match(text, /block Hidden\(units, rate = 0.1\)/);
  assert.match(text, /`\[4\] → \[16\]` · \*\*80\*\* params/);
});

test('a layer inside a block lists its uses; a layer in a repeat lists its copies', async () => {
  const inBlock = await hoverAt('iris.model', iris, 'dense(units');
  assert.match(inBlock ?? '', /\[4\] → \[16\]/);
  const inRepeat = await hoverAt('iris.model', iris, 'dense(8', 1, 0);
  assert.match(inRepeat ?? '', /stands for 3 layers here \(184 params in all\)/);
  assert.match(inRepeat ?? '', /copy 2: `\[8\] → \[8\]` · \*\*72\*\* params/);
});

test('a classical estimator shows its size as an upper bound before training', async () => {
  const uri = fixtureUri('hover-classical.model');
  const text = 'dataset Iris {\n  source: "data/iris.csv"\n}\nmodel IrisSVM {\n  data: Iris\n  svm(kernel: rbf, C: 1)\n}\n';
  await client.open(uri, text);
  const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'svm(', 1) });
  const value = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
  assert.match(value, /\*\*Params\*\*: ≤ [\d,]+ \(at most 120 support vectors/);
  const model = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'IrisSVM', 1) });
  const summary = model && typeof model.contents === 'object' && 'value' in model.contents ? model.contents.value : '';
  assert.match(summary, /\*\*model IrisSVM\*\* · classical/);
  assert.match(summary, /\| Parameters \(upper bound\) \|/);
  assert.match(summary, /Training time is not estimated for classical estimators/);
});

test('setting keys and keywords show their documentation', async () => {
  assert.match((await hoverAt('iris.model', iris, 'epochs')) ?? '', /\*\*epochs\*\* \(train setting\): `int` · default `10`.*\n\nPasses over the training split/);
  assert.match((await hoverAt('iris.model', iris, 'normalize')) ?? '', /one of `none`, `minmax`, `standard`/);
  assert.match((await hoverAt('iris.model', iris, 'residual')) ?? '', /out = x \+ f\(x\)/);
  assert.match((await hoverAt('iris.model', iris, 'learning_rate')) ?? '', /\*\*learning_rate\*\*: `number`/);
});

test('nothing to say: whitespace and comments answer null', async () => {
  assert.equal(await hoverAt('iris.model', iris, '\n\nblock', 1), undefined);
  assert.equal(await hoverAt('iris.model', iris, 'flowers'), undefined);
});

test('an unknown document answers null', async () => {
  const h = await client.request('textDocument/hover', { textDocument: { uri: 'file:///nowhere.model' }, position: { line: 0, character: 0 } });
  assert.equal(h, null);
});

test('after a run of a model of the same kind, a model hover scales its estimate by how that run went', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'modelspec-calibration-'));
  // A dense run that took twice its built-in prediction on an idle machine.
  saveRun(runsDir, { model: 'Other', kind: 'dense', backend: 'wasm', epochs: 3, measuredMs: 2000, builtInMs: 1000, slowdown: 1, stepModel: STEP_MODEL_VERSION }, new Date('2026-11-20T10:00:00Z'));
  const measured = await TestClient.start({ settings: { runsDirectory: runsDir } });
  try {
    await measured.openFixture('iris.model');
    const h = await measured.request<Hover | null>('textDocument/hover', { textDocument: { uri: fixtureUri('iris.model') }, position: positionOf(iris, 'model IrisMLP', 'model '.length + 1) });
    const text = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
    const file = join(FIXTURES, 'iris.model');
    const model = analyze(iris, { file, host: createNodeHost() }).models.find((m) => m.name === 'IrisMLP')!;
    const steps = trainingSteps(model, model.compute.samples!, model.train.epochs);
    assert.match(text, new RegExp(`\\| This machine \\| ≈ [\\d.]+ m?s: ${steps.toLocaleString('en-US')} steps × [\\d.]+ ms`));
    assert.match(text, /scaled ×2\.00 by how a run of dense models here compared with it \(newest: Other on wasm, 2026-11-20\)/);
    assert.doesNotMatch(text, /plain-JavaScript speed/);
  } finally {
    await measured.stop();
    rmSync(runsDir, { recursive: true, force: true });
  }
});
