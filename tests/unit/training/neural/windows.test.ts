// The engine's padding and adaptive pooling layers count as estimated, save to model.json and
// load back to the same predictions, and pass gradients to the weights before them. (What they
// compute is checked against PyTorch in tests/export/windows.test.ts.)
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type * as tfTypes from '@tensorflow/tfjs';
import { analyze } from '../../../../server/src/analysis/analyze';
import { buildModel } from '../../../../server/src/training/neural/build';
import { adaptiveWindow } from '../../../../server/src/training/neural/layers/windows';
import { roundTrip } from './saveLoad';

before(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

const SPEC = `
model Windows {
  input: [11, 10, 3]
  conv2d(4, kernel: 3, padding: 1, activation: relu)
  maxpool2d(3, stride: 2, padding: 1)
  conv2d(4, kernel: 3, padding: [1, 2], dilation: 2, groups: 2)
  zero_padding2d([[1, 0], [0, 2]])
  adaptive_avgpool2d([4, 3])
  reshape([12, 4])
  zero_padding1d([1, 2])
  conv1d(5, kernel: 3, padding: 1)
  maxpool1d(2, padding: 1)
  adaptive_maxpool1d(3)
  flatten
  dense(3, activation: softmax)
}`;

test('padding and adaptive pools: estimated counts and shapes, a save/load round trip, finite gradients', async () => {
  const a = analyze(SPEC, { file: '/virtual/windows.model' });
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const m = a.models[0];
  assert.deepEqual(m.outputShape, [3]);
  const net = buildModel(tf, m);
  assert.equal(BigInt(net.countParams()), m.totals.total);
  const classes = net.layers.map((l) => l.getClassName());
  for (const cls of ['ModelspecPad', 'ModelspecAdaptivePool', 'ZeroPadding2D']) assert.ok(classes.includes(cls), cls);

  const x = tf.randomNormal([2, 11, 10, 3], 0, 1, 'float32', 3);
  const before = net.predict(x) as tfTypes.Tensor;
  const loaded = await roundTrip(net);
  const after = loaded.predict(x) as tfTypes.Tensor;
  assert.deepEqual(Array.from(after.dataSync()), Array.from(before.dataSync()));
  assert.deepEqual(loaded.layers.map((l) => l.getClassName()), classes);

  const target = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
  const variables = net.trainableWeights.map((w) => w.read() as tfTypes.Variable);
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(target, net.apply(x, { training: true }) as tfTypes.Tensor) as tfTypes.Scalar, variables);
  assert.ok(Number.isFinite(value.dataSync()[0]));
  for (const v of variables) {
    const g = grads[v.name].dataSync() as Float32Array;
    assert.ok(g.every(Number.isFinite), `finite gradient for ${v.name}`);
    assert.ok(g.some((d) => d !== 0), `non-zero gradient for ${v.name}`);
  }
  tf.dispose([x, before, after, target, value, ...Object.values(grads)]);
  net.dispose();
  loaded.dispose();
});

test("adaptive windows are PyTorch's: [floor(i·in/out), ceil((i+1)·in/out))", () => {
  // torch.nn.AdaptiveAvgPool1d(6) on 13 steps averages steps 0–2, 2–4, 4–6, 6–8, 8–10, 10–12.
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => adaptiveWindow(i, 13, 6)), [[0, 3], [2, 5], [4, 7], [6, 9], [8, 11], [10, 13]]);
  // Out > in repeats positions: 3 steps to 5 outputs.
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => adaptiveWindow(i, 3, 5)), [[0, 1], [0, 2], [1, 2], [1, 3], [2, 3]]);
});
