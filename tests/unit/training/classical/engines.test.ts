import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Args } from '../../../../server/src/catalog/types';
import { CLASSICAL_KINDS, createClassical, loadClassical, prepareClassical, type ClassicalKind } from '../../../../server/src/training/classical';
import type { PreparedData } from '../../../../server/src/training/data/prepare';
import { accuracy, datasets, saved } from './helpers';

/**
 * scikit-learn 1.2.1 test accuracy with its defaults (LogisticRegression(), SVC(),
 * SVC(kernel="linear"), DecisionTreeClassifier(random_state=0),
 * RandomForestClassifier(random_state=0)) on the same splits, measured by
 * `node --import tsx bench/classical.ts` (bench/results/classical.json, "reference").
 * Each engine, with the catalogue's defaults, must come within TOLERANCE of them.
 */
const SKLEARN: Record<string, { iris: number; digits600: number }> = {
  logistic_regression: { iris: 0.9333, digits600: 0.9833 },
  svm_rbf: { iris: 0.9333, digits600: 0.9833 },
  svm_linear: { iris: 0.9, digits600: 0.9917 },
  decision_tree: { iris: 0.9333, digits600: 0.8083 },
  random_forest: { iris: 0.9333, digits600: 0.9583 },
};

/** "Within a few points": 5 points is 1.5 iris test samples or 6 of digits-600's 120. */
const TOLERANCE = 0.05;

const CASES: Array<{ name: string; kind: ClassicalKind; args: Args }> = [
  { name: 'logistic_regression', kind: 'logistic_regression', args: { learning_rate: 0.1, iterations: 500, l2: 0 } },
  { name: 'svm_rbf', kind: 'svm', args: { kernel: 'rbf', C: 1, degree: 3, coef0: 0 } },
  { name: 'svm_linear', kind: 'svm', args: { kernel: 'linear', C: 1, degree: 3, coef0: 0 } },
  { name: 'decision_tree', kind: 'decision_tree', args: { min_samples_split: 2, criterion: 'gini' } },
  { name: 'random_forest', kind: 'random_forest', args: { trees: 100, min_samples_split: 2, max_features: 'sqrt' } },
];

function fit(kind: ClassicalKind, args: Args, d: PreparedData, seed = 7) {
  const m = createClassical(kind);
  m.fit(d.train.x, d.train.y, d.train.n, d.features, d.classes, args, seed);
  return m;
}

for (const c of CASES) {
  test(`${c.name}: within ${TOLERANCE * 100} points of scikit-learn on iris and digits-600, and a saved copy predicts the same`, async () => {
    await prepareClassical(c.kind);
    for (const [name, d] of Object.entries(datasets()) as Array<['iris' | 'digits600', PreparedData]>) {
      const m = fit(c.kind, c.args, d);
      const predicted = m.predict(d.test.x, d.test.n);
      const acc = accuracy(d.test.y, predicted);
      const ref = SKLEARN[c.name][name];
      assert.ok(acc >= ref - TOLERANCE, `${c.name} on ${name}: accuracy ${acc.toFixed(4)}, scikit-learn ${ref}`);

      const saved = JSON.parse(JSON.stringify(m.toJSON()));
      const loaded = loadClassical(saved);
      assert.equal(loaded.kind, c.kind);
      assert.deepEqual(loaded.predict(d.test.x, d.test.n), predicted, `${c.name} on ${name}: test predictions after a round trip`);
      assert.deepEqual(loaded.predict(d.train.x, d.train.n), m.predict(d.train.x, d.train.n), `${c.name} on ${name}: training predictions after a round trip`);
      assert.deepEqual(loaded.size(), m.size());
      assert.deepEqual(loaded.toJSON(), saved);
    }
  });
}

test('every engine is deterministic for a seed; the forest changes with it', async () => {
  await prepareClassical('svm');
  const { iris } = datasets();
  for (const c of CASES) {
    const args = c.kind === 'random_forest' ? { ...c.args, trees: 10 } : c.args;
    assert.deepEqual(fit(c.kind, args, iris).toJSON(), fit(c.kind, args, iris).toJSON(), c.name);
  }
  assert.notDeepEqual(fit('random_forest', { trees: 10 }, iris, 1).toJSON(), fit('random_forest', { trees: 10 }, iris, 2).toJSON());
});

test('exact sizes after training match what the saved model holds', async () => {
  await prepareClassical('svm');
  const { digits600: d } = datasets();
  const f = d.features;
  const k = d.classes;

  const lr = fit('logistic_regression', { iterations: 5 }, d);
  assert.equal(saved<{ weights: number[] }>(lr).weights.length, (f + 1) * k);
  assert.equal(lr.size().params, BigInt((f + 1) * k));
  assert.equal(lr.size().detail, '(64 features + 1 bias) × 10 classes');

  const rbf = fit('svm', { kernel: 'rbf' }, d);
  const rbfJson = saved<{ sv: number[]; coef: number[]; rho: number[] }>(rbf);
  const vectors = rbfJson.sv.length / f;
  assert.equal(rbfJson.coef.length, vectors * (k - 1));
  assert.equal(rbfJson.rho.length, (k * (k - 1)) / 2);
  assert.equal(rbf.size().params, BigInt(rbfJson.sv.length + rbfJson.coef.length + rbfJson.rho.length));
  assert.match(rbf.size().detail, new RegExp(`^${vectors} support vectors × \\(64 features \\+ 9 dual coefficients\\) \\+ 45 intercepts, rbf kernel`));

  const linear = fit('svm', { kernel: 'linear' }, d);
  assert.equal(linear.size().params, 45n * BigInt(f + 1));
  assert.equal(linear.size().detail, '45 one-vs-one machines × (64 weights + 1 bias), linear kernel');

  const tree = fit('decision_tree', {}, d);
  const nodes = saved<{ tree: { feature: number[] } }>(tree).tree.feature.length;
  assert.equal(tree.size().params, BigInt(4 * nodes));
  assert.match(tree.size().detail, new RegExp(`^${nodes} nodes \\(${(nodes + 1) / 2} leaves, depth \\d+\\) × 4 numbers`));

  const forest = fit('random_forest', { trees: 7 }, d);
  const all = saved<{ trees: Array<{ feature: number[] }> }>(forest).trees.reduce((s, t) => s + t.feature.length, 0);
  assert.equal(forest.size().params, BigInt(4 * all));
  assert.match(forest.size().detail, /^7 trees, /);
});

test('engines refuse bad input and unfitted use with clear errors', () => {
  const x = Float32Array.from([0, 1, 2, 3]);
  for (const kind of CLASSICAL_KINDS) {
    const m = createClassical(kind);
    assert.throws(() => m.predict(x, 2), /not trained yet/, kind);
    assert.throws(() => m.size(), /not trained yet/, kind);
    assert.throws(() => m.fit(x, Int32Array.from([0, 2]), 2, 2, 2, {}, 1), /label 2 of sample 1 is not a class index below 2/, kind);
    assert.throws(() => m.fit(Float32Array.from([0, NaN, 2, 3]), Int32Array.from([0, 1]), 2, 2, 2, {}, 1), /feature 1 of sample 0 is NaN/, kind);
    assert.throws(() => m.fit(x, Int32Array.from([0, 1]), 3, 2, 2, {}, 1), /3 samples of 2 features need 6 values/, kind);
  }
  assert.throws(() => createClassical('svm').fit(x, Int32Array.from([0, 1]), 2, 2, 2, { kernel: 'cubic' }, 1), /kernel must be one of linear, rbf, poly, sigmoid/);
  assert.throws(() => createClassical('logistic_regression').fit(x, Int32Array.from([0, 1]), 2, 2, 2, { learning_rate: -1 }, 1), /learning_rate must be positive/);
});

test('loadClassical refuses files that are not saved models, with the reason', () => {
  assert.throws(() => loadClassical(null), /Not a saved Modelspec classical model/);
  assert.throws(() => loadClassical({ kind: 'svm' }), /Not a saved Modelspec classical model/);
  assert.throws(() => loadClassical({ format: 'modelspec-classical', version: 1, kind: 'knn', features: 2, classes: 2 }), /unknown kind "knn"/);
  assert.throws(() => loadClassical({ format: 'modelspec-classical', version: 2, kind: 'svm', features: 2, classes: 2 }), /version 2; this Modelspec reads version 1/);
  assert.throws(() => loadClassical({ format: 'modelspec-classical', version: 1, kind: 'logistic_regression', features: 2, classes: 3, weights: [1, 2] }), /must have 9 finite weights/);
  const tree = { feature: [0, -1, -1], threshold: [0.5, 0, 0], left: [1, 0, 1], right: [2, -1, -1] };
  assert.doesNotThrow(() => loadClassical({ format: 'modelspec-classical', version: 1, kind: 'decision_tree', features: 1, classes: 2, tree }));
  assert.throws(() => loadClassical({ format: 'modelspec-classical', version: 1, kind: 'decision_tree', features: 1, classes: 2, tree: { ...tree, left: [0, 0, 1] } }), /malformed at node 0/);
  assert.throws(() => loadClassical({ format: 'modelspec-classical', version: 1, kind: 'decision_tree', features: 1, classes: 2, tree: { ...tree, left: [1, 5, 1] } }), /malformed at node 1/);
  assert.throws(() => loadClassical({ format: 'modelspec-classical', version: 1, kind: 'random_forest', features: 1, classes: 2, trees: [] }), /has no trees/);
  assert.throws(() => loadClassical({ format: 'modelspec-classical', version: 1, kind: 'svm', features: 2, classes: 2, kernel: 'rbf', labels: [0, 1], rho: [0], nSV: [1, 1], sv: [1, 2, 3], coef: [1, -1] }), /svm is malformed/);
});
