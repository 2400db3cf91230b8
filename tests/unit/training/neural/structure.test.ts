// The training engine builds concat, if, in_channels and repeat 0 as the estimator counted
// them: the same parameters (trainable and not), the inferred output shape, a finite
// forward pass, and a concatenation that really joins the paths on the last axis.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type * as tfTypes from '@tensorflow/tfjs';
import { analyze } from '../../../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../../../server/src/analysis/model';
import { buildModel } from '../../../../server/src/training/neural/build';
import { INVERTED_RESIDUAL_BLOCKS } from '../../../export/invertedResidual';

before(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

function modelOf(text: string): ModelAnalysis {
  const a = analyze(text, { file: '/virtual/structure.model' });
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  return a.models[0];
}

function check(model: ModelAnalysis): tfTypes.LayersModel {
  const net = buildModel(tf, model);
  assert.equal(BigInt(net.countParams()), model.totals.total, `${model.name}: countParams`);
  const trainable = net.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);
  assert.equal(BigInt(trainable), model.totals.trainable, `${model.name}: trainable`);
  const x = tf.randomNormal([2, ...model.inputShape!]);
  const y = net.predict(x) as tfTypes.Tensor;
  assert.deepEqual(y.shape, [2, ...model.outputShape!]);
  assert.ok((y.dataSync() as Float32Array).every(Number.isFinite));
  tf.dispose([x, y]);
  return net;
}

test('concat: convolution paths and an empty path join on the channel axis', () => {
  const m = modelOf('model Inception {\n  input: [6, 6, 3]\n  concat {\n    { conv2d(4, kernel: 1) relu }\n    { conv2d(2, kernel: 3, padding: same) }\n    { }\n  }\n  conv2d(5, kernel: 1)\n}');
  const net = check(m);
  assert.equal(net.layers.filter((l) => l.getClassName() === 'Concatenate').length, 1);
  net.dispose();
});

test('concat of { } and a path: the input passes through unchanged into the first channels', () => {
  const m = modelOf('model Dense {\n  input: [3]\n  concat {\n    { }\n    { dense(2) }\n  }\n}');
  const net = check(m);
  const x = tf.tensor([[1, 2, 3]]);
  const y = net.predict(x) as tfTypes.Tensor;
  assert.deepEqual(Array.from(y.dataSync()).slice(0, 3), [1, 2, 3]);
  tf.dispose([x, y]);
  net.dispose();
});

test('a repeated concat (DenseNet-style), a single path, and a block with if, in_channels and repeat 0', () => {
  check(modelOf('model Grow {\n  input: [5, 5, 4]\n  repeat 3 {\n    concat {\n      { }\n      { batchnorm relu conv2d(2, kernel: 3, padding: same, use_bias: false) }\n    }\n  }\n  global_avgpool\n}')).dispose();
  const collapsed = modelOf('model Long {\n  input: [4, 4, 4]\n  repeat 70 {\n    concat {\n      { conv2d(2, kernel: 1) }\n      { conv2d(2, kernel: 3, padding: same) }\n    }\n  }\n}');
  assert.ok(collapsed.rows.some((r) => r.count === 70), 'the estimator collapsed the repeat');
  const long = check(collapsed);
  assert.equal(long.layers.filter((l) => l.getClassName() === 'Concatenate').length, 70);
  long.dispose();
  check(modelOf('model One {\n  input: [4]\n  concat { { dense(2) } }\n}')).dispose();
  const text = [
    INVERTED_RESIDUAL_BLOCKS,
    'model Mobile {',
    '  input: [8, 8, 3]',
    '  conv2d(4, kernel: 3, padding: same)',
    '  Stage(1, 4, 1, 1)',
    '  Stage(2, 6, 2, 2)',
    '  global_avgpool',
    '}',
  ].join('\n');
  const m = modelOf(text);
  assert.ok(m.rows.some((r) => r.name === 'repeat 0'));
  assert.equal(m.rows.filter((r) => r.name === 'residual').length, 2);
  check(m).dispose();
});

test('the torchvision architectures written with concat, if and in_channels build with their published parameter counts', async () => {
  const { readFileSync } = await import('node:fs');
  const { join, resolve } = await import('node:path');
  const dir = resolve(__dirname, '../../../export/architectures');
  const published: Record<string, number> = { 'squeezenet1_0.model': 1_248_424, 'mobilenet_v2.model': 3_504_872, 'densenet121.model': 7_978_856, 'googlenet.model': 6_624_904 };
  for (const [file, params] of Object.entries(published)) {
    const m = analyze(readFileSync(join(dir, file), 'utf8'), { file: join(dir, file) }).models[0];
    // Built without a forward pass: the pure-JS backend would take seconds per image.
    const net = buildModel(tf, m);
    try {
      const trainable = net.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);
      assert.equal(trainable, params, file);
      assert.equal(BigInt(net.countParams()), m.totals.total, file);
      assert.deepEqual(net.outputs[0].shape, [null, 1000], file);
    } finally {
      net.dispose();
    }
  }
});
