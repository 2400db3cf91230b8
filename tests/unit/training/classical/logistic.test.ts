import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogisticRegressionModel, logisticObjective } from '../../../../server/src/training/classical/logistic';
import { mulberry32, normal } from '../../../../server/src/util/random';
import { accuracy, datasets, saved } from './helpers';

/** n samples of `features` values in float32 (as training data arrive), labels in [0, classes). */
function randomData(n: number, features: number, classes: number, seed: number): { x: Float32Array; y: Int32Array } {
  const random = mulberry32(seed);
  const x = Float32Array.from({ length: n * features }, () => normal(random));
  const y = Int32Array.from({ length: n }, (_, i) => i % classes);
  return { x, y };
}

test('loss and gradient agree with finite differences: softmax (odd and even class counts), sigmoid, with and without L2', () => {
  // 7 samples: not a multiple of the 4-row blocks; 3 and 5 classes leave an odd weight vector over.
  for (const [classes, l2] of [
    [2, 0],
    [2, 0.3],
    [3, 0],
    [4, 0.1],
    [5, 0.5],
  ]) {
    const features = 3;
    const n = 7;
    const { x, y } = randomData(n, features, classes, classes * 10 + l2 * 100);
    const vectors = classes <= 2 ? 1 : classes;
    const random = mulberry32(99);
    const w = Float64Array.from({ length: vectors * (features + 1) }, () => normal(random, 0, 0.7));
    const { loss, grad } = logisticObjective(w, x, y, n, features, classes, l2);
    const h = 1e-6;
    for (let i = 0; i < w.length; i++) {
      const plus = Float64Array.from(w);
      const minus = Float64Array.from(w);
      plus[i] += h;
      minus[i] -= h;
      const numeric = (logisticObjective(plus, x, y, n, features, classes, l2).loss - logisticObjective(minus, x, y, n, features, classes, l2).loss) / (2 * h);
      assert.ok(Math.abs(numeric - grad[i]) < 1e-7, `classes ${classes}, l2 ${l2}, weight ${i}: analytic ${grad[i]}, numeric ${numeric}`);
    }
    // At zero weights every class is equally likely: the loss is log(classes) (log 2 for the sigmoid).
    const zero = logisticObjective(new Float64Array(w.length), x, y, n, features, classes, l2).loss;
    assert.ok(Math.abs(zero - Math.log(Math.max(classes, 2))) < 1e-12, `loss at zero: ${zero}`);
    assert.ok(loss > 0);
  }
});

test('the loss stays finite for huge logits', () => {
  const x = Float32Array.from([1000, -1000]);
  const y = Int32Array.from([0, 1]);
  for (const classes of [2, 3]) {
    const vectors = classes <= 2 ? 1 : classes;
    const w = new Float64Array(vectors * 2).fill(0);
    w[0] = 50;
    const { loss, grad } = logisticObjective(w, x, y, 2, 1, classes, 0);
    assert.ok(Number.isFinite(loss) && grad.every(Number.isFinite), `classes ${classes}: loss ${loss}`);
  }
});

test('two classes use one weight vector and a bias; predictions follow the sign of the logit', () => {
  // Class 1 when x0 + x1 > 1: separable, with an offset only a bias can fit.
  const random = mulberry32(5);
  const n = 200;
  const x = Float32Array.from({ length: 2 * n }, () => random() * 2 - 0.5);
  const y = Int32Array.from({ length: n }, (_, i) => (x[2 * i] + x[2 * i + 1] > 1 ? 1 : 0));
  const m = new LogisticRegressionModel();
  m.fit(x, y, n, 2, 2, { learning_rate: 1, iterations: 2000, l2: 0 });
  assert.equal(m.size().params, 3n);
  assert.equal(m.size().detail, '(2 features + 1 bias): one weight vector for two classes');
  assert.ok(accuracy(y, m.predict(x, n)) > 0.97);
  const [w0, w1, b] = saved<{ weights: number[] }>(m).weights;
  assert.ok(b < 0 && w0 > 0 && w1 > 0, `weights ${w0}, ${w1}, bias ${b}`);
  assert.ok(Math.abs(-b / w0 - 1) < 0.15, `decision boundary crosses x0 at ${-b / w0}`);
});

test('training stops early once converged, and says so', () => {
  // Overlapping classes with L2: a unique optimum that accelerated descent reaches quickly.
  const { x, y } = randomData(300, 4, 3, 17);
  const m = new LogisticRegressionModel();
  m.fit(x, y, 300, 4, 3, { learning_rate: 0.5, iterations: 5000, l2: 0.1 });
  const info = m.trainingInfo();
  assert.equal(info.converged, true);
  assert.ok(info.iterations < 5000, `${info.iterations} iterations`);
  const { grad } = logisticObjective(Float64Array.from(saved<{ weights: number[] }>(m).weights), x, y, 300, 4, 3, 0.1);
  assert.ok(Math.max(...grad.map(Math.abs)) < 1e-3, 'at the optimum the gradient vanishes');
});

test('a learning rate far too large slows training instead of diverging to NaN', () => {
  const { iris } = datasets();
  const m = new LogisticRegressionModel();
  m.fit(iris.train.x, iris.train.y, iris.train.n, iris.features, iris.classes, { learning_rate: 1000, iterations: 300, l2: 0 });
  const weights = saved<{ weights: number[] }>(m).weights;
  assert.ok(weights.every(Number.isFinite));
  assert.ok(m.trainingInfo().learningRate < 1000, 'the step was halved');
  assert.ok(accuracy(iris.test.y, m.predict(iris.test.x, iris.test.n)) > 0.8);
});

test('L2 shrinks the weights but not the biases', () => {
  const { iris } = datasets();
  const norm = (l2: number) => {
    const m = new LogisticRegressionModel();
    m.fit(iris.train.x, iris.train.y, iris.train.n, 4, 3, { learning_rate: 0.1, iterations: 300, l2 });
    const w = saved<{ weights: number[] }>(m).weights;
    return w.filter((_, i) => i % 5 !== 4).reduce((s, v) => s + v * v, 0);
  };
  assert.ok(norm(1) < norm(0) / 4, `${norm(1)} vs ${norm(0)}`);
});

test('a model loaded from a file keeps its training facts; one trained on a single class predicts it', () => {
  const { iris } = datasets();
  const m = new LogisticRegressionModel();
  m.fit(iris.train.x, iris.train.y, iris.train.n, 4, 3, { iterations: 20 });
  const loaded = LogisticRegressionModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
  assert.deepEqual(loaded.trainingInfo(), m.trainingInfo());
  assert.equal(m.trainingInfo().iterations, 20);
  assert.equal(m.trainingInfo().maxIterations, 20);
  const single = new LogisticRegressionModel();
  single.fit(Float32Array.from([1, 2, 3]), Int32Array.from([0, 0, 0]), 3, 1, 1, {});
  assert.deepEqual(Array.from(single.predict(Float32Array.from([5, -5]), 2)), [0, 0]);
});
