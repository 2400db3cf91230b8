import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetrics } from '../../../server/src/training/metrics';

/** Floating-point results compared to the hand-computed fractions. */
function near(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);
}

test('perfect predictions: accuracy, F1, precision and recall all 1; diagonal confusion', () => {
  const y = Int32Array.from([0, 1, 2, 2, 1, 0]);
  const m = computeMetrics(y, y, ['a', 'b', 'c']);
  assert.equal(m.accuracy, 1);
  assert.equal(m.f1, 1);
  assert.deepEqual(m.confusion, [
    [2, 0, 0],
    [0, 2, 0],
    [0, 0, 2],
  ]);
  assert.deepEqual(
    m.perClass.map((c) => [c.label, c.precision, c.recall, c.f1, c.support]),
    [
      ['a', 1, 1, 1, 2],
      ['b', 1, 1, 1, 2],
      ['c', 1, 1, 1, 2],
    ],
  );
});

test('a class never predicted has precision 0 by convention, and counts in the macro F1 with F1 0', () => {
  // Worked by hand; scikit-learn's f1_score(average="macro") gives the same 0.4.
  const yTrue = [0, 0, 1, 1, 2, 2];
  const yPred = [0, 1, 1, 1, 0, 0];
  const m = computeMetrics(yTrue, yPred, 3);
  assert.deepEqual(m.confusion, [
    [1, 1, 0],
    [0, 2, 0],
    [2, 0, 0],
  ]);
  near(m.accuracy, 3 / 6, 'accuracy');
  const [c0, c1, c2] = m.perClass;
  near(c0.precision, 1 / 3, 'precision 0');
  near(c0.recall, 1 / 2, 'recall 0');
  near(c0.f1, 0.4, 'f1 0');
  near(c1.precision, 2 / 3, 'precision 1');
  near(c1.recall, 1, 'recall 1');
  near(c1.f1, 0.8, 'f1 1');
  assert.deepEqual([c2.precision, c2.recall, c2.f1, c2.support], [0, 0, 0, 2]);
  near(m.f1, (0.4 + 0.8 + 0) / 3, 'macro F1');
  assert.deepEqual(
    m.perClass.map((c) => c.label),
    ['0', '1', '2'],
  );
});

test('a class absent from the true labels has recall 0; one absent from both is left out of the macro F1', () => {
  // Class 2 is predicted once but never true; class 3 appears nowhere.
  const m = computeMetrics([0, 0, 1, 1], [0, 2, 1, 1], ['a', 'b', 'c', 'd']);
  const [a, b, c, d] = m.perClass;
  near(a.f1, 2 / 3, 'f1 a');
  near(b.f1, 1, 'f1 b');
  assert.deepEqual([c.precision, c.recall, c.f1, c.support], [0, 0, 0, 0]);
  assert.deepEqual([d.precision, d.recall, d.f1, d.support], [0, 0, 0, 0]);
  near(m.f1, (2 / 3 + 1 + 0) / 3, 'macro F1 over a, b and c only');
  near(m.accuracy, 0.75, 'accuracy');
  assert.deepEqual(m.confusion[3], [0, 0, 0, 0]);
});

test('confusion rows are the true class, columns the predicted class', () => {
  const m = computeMetrics([1, 1, 1], [0, 0, 1], 2);
  assert.deepEqual(m.confusion, [
    [0, 0],
    [2, 1],
  ]);
  assert.equal(m.perClass[0].precision, 0);
  assert.equal(m.perClass[0].support, 0);
  near(m.perClass[1].recall, 1 / 3, 'recall 1');
  assert.equal(m.perClass[1].precision, 1);
});

test('bad input is refused with a RangeError', () => {
  assert.throws(() => computeMetrics([0, 1], [0], 2), /2 true labels but 1 predictions/);
  assert.throws(() => computeMetrics([], [], 2), /no samples/);
  assert.throws(() => computeMetrics([0, 3], [0, 1], 2), /true label 3 at 1/);
  assert.throws(() => computeMetrics([0, 1], [0, -1], 2), /predicted label -1 at 1/);
  assert.throws(() => computeMetrics([0, 1], [0, 0.5], 2), RangeError);
});
