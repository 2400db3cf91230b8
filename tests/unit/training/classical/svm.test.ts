import { test } from 'node:test';
import assert from 'node:assert/strict';
import { libsvmBuild, loadLibsvm, scaleGamma, SvmModel, type Kernel, type Libsvm } from '../../../../server/src/training/classical/svm';
import type { PreparedData } from '../../../../server/src/training/data/prepare';
import { datasets, saved } from './helpers';

const KERNELS: Kernel[] = ['rbf', 'linear', 'poly', 'sigmoid'];
const KERNEL_CODE: Record<Kernel, string> = { linear: '0', poly: '1', rbf: '2', sigmoid: '3' };

/** libsvm's own predictions, from a machine trained directly through libsvm-js on the same (class-grouped) samples. */
function libsvmPredictions(lib: Libsvm, d: PreparedData, kernel: Kernel, gamma: number, x: Float32Array, n: number): number[] {
  const f = d.features;
  const order = Array.from({ length: d.train.n }, (_, i) => i).sort((a, b) => d.train.y[a] - d.train.y[b] || a - b);
  const machine = new lib.SVM({ type: '0', kernel: KERNEL_CODE[kernel], cost: 1, gamma, degree: 3, coef0: 0, tolerance: 0.001, quiet: true });
  try {
    machine.train(
      order.map((i) => Array.from(d.train.x.subarray(i * f, (i + 1) * f))),
      order.map((i) => d.train.y[i]),
    );
    return Array.from({ length: n }, (_, i) => machine.predictOne(Array.from(x.subarray(i * f, (i + 1) * f))));
  } finally {
    machine.free();
  }
}

test('loadLibsvm loads the WebAssembly build from the sources, without touching the process', async () => {
  const listeners = process.listeners('unhandledRejection').length;
  const fetchBefore = globalThis.fetch;
  const lib = await loadLibsvm();
  assert.equal(lib.build, 'wasm');
  assert.equal(await loadLibsvm(), lib, 'loaded once');
  libsvmBuild('asm');
  assert.equal(process.listeners('unhandledRejection').length, listeners, 'libsvm-js exit-on-rejection handler removed');
  assert.equal(globalThis.fetch, fetchBefore, 'fetch restored');
});

test('predictions made from the model read out of libsvm equal libsvm\'s own, for every kernel and both builds', async () => {
  const wasm = await loadLibsvm();
  const asm = libsvmBuild('asm');
  const { iris } = datasets();
  // The kernels are computed here, in JavaScript, whichever build trained: one kernel is enough for asm.js.
  for (const [lib, kernels] of [
    [wasm, KERNELS],
    [asm, ['rbf']],
  ] as const) {
    for (const kernel of kernels) {
      const m = new SvmModel(lib);
      m.fit(iris.train.x, iris.train.y, iris.train.n, iris.features, iris.classes, { kernel, C: 1, degree: 3, coef0: 0 });
      const gamma = saved<{ gamma: number }>(m).gamma;
      for (const [x, n] of [
        [iris.test.x, iris.test.n],
        [iris.train.x, iris.train.n],
      ] as const) {
        assert.deepEqual(Array.from(m.predict(x, n)), libsvmPredictions(lib, iris, kernel, gamma, x, n), `${lib.build} ${kernel}`);
      }
    }
  }
});

test('the asm.js and WebAssembly builds train the same model', async () => {
  const wasm = await loadLibsvm();
  const { iris: d } = datasets();
  const a = new SvmModel(wasm);
  const b = new SvmModel(libsvmBuild('asm'));
  for (const m of [a, b]) m.fit(d.train.x, d.train.y, d.train.n, d.features, d.classes, { kernel: 'rbf', C: 1 });
  assert.deepEqual(a.toJSON(), b.toJSON());
});

test('gamma "scale" is 1 / (features × variance of all training values), as scikit-learn; 1 for constant data', () => {
  const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const mean = 3.5;
  const variance = [1, 2, 3, 4, 5, 6].reduce((s, v) => s + (v - mean) ** 2, 0) / 6;
  assert.equal(scaleGamma(x, 3, 2), 1 / (2 * variance));
  assert.equal(scaleGamma(Float32Array.from([2, 2, 2, 2]), 2, 2), 1);
  const m = new SvmModel();
  m.fit(x, Int32Array.from([0, 1, 0]), 3, 2, 2, {});
  assert.equal(saved<{ gamma: number }>(m).gamma, 1 / (2 * variance));
  m.fit(x, Int32Array.from([0, 1, 0]), 3, 2, 2, { gamma: 0.25 });
  assert.equal(saved<{ gamma: number }>(m).gamma, 0.25);
});

test('two classes: one machine; an RBF model stores vectors × (features + 1) + 1 numbers', () => {
  const { iris } = datasets();
  // Versicolor (1) against virginica (2) on petal features, relabelled 0/1.
  const rows = Array.from({ length: iris.train.n }, (_, i) => i).filter((i) => iris.train.y[i] > 0);
  const x = Float32Array.from(rows.flatMap((i) => Array.from(iris.train.x.subarray(i * 4, i * 4 + 4))));
  const y = Int32Array.from(rows, (i) => iris.train.y[i] - 1);
  const m = new SvmModel();
  m.fit(x, y, rows.length, 4, 2, { kernel: 'rbf' });
  const vectors = m.supportVectors();
  assert.ok(vectors > 0 && vectors < rows.length);
  assert.equal(m.size().params, BigInt(vectors * 5 + 1));
  assert.match(m.size().detail, new RegExp(`^${vectors} support vectors × \\(4 features \\+ 1 dual coefficient\\) \\+ 1 intercept, rbf kernel`));
  const linear = new SvmModel();
  linear.fit(x, y, rows.length, 4, 2, { kernel: 'linear' });
  assert.equal(linear.size().params, 5n);
  assert.equal(linear.size().detail, '1 one-vs-one machine × (4 weights + 1 bias), linear kernel');
  let correct = 0;
  linear.predict(x, rows.length).forEach((p, i) => (correct += p === y[i] ? 1 : 0));
  assert.ok(correct / rows.length > 0.9);
});

test('training data of a single class gives a model that predicts it', () => {
  const m = new SvmModel();
  m.fit(Float32Array.from([0, 1, 2, 3]), Int32Array.from([1, 1]), 2, 2, 3, {});
  assert.deepEqual(Array.from(m.predict(Float32Array.from([5, 5, -1, 0]), 2)), [1, 1]);
  assert.equal(m.size().params, 0n);
});
