import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classicalEntries, decision_tree, logistic_regression, random_forest, svm } from '../../../server/src/catalog/classical';
import { runEstimator } from './harness';

const DIGITS = { features: 64, classes: 10, train: 1437 };

test('logistic_regression: (features + 1)·classes, one vector for two classes', () => {
  const multi = runEstimator(logistic_regression, DIGITS.features, DIGITS.classes);
  assert.deepEqual(multi.reports, []);
  assert.deepEqual(multi.result, { params: 650n, upperBound: false, detail: '(64 features + 1 bias) × 10 classes', macs: 640n });
  const binary = runEstimator(logistic_regression, 30, 2, { learning_rate: 0.01, iterations: 1000, l2: 0.1 });
  assert.equal(binary.result.params, 31n);
  assert.equal(binary.result.macs, 30n);
  assert.match(binary.result.detail, /one weight vector for two classes/);
});

test('svm linear: one-vs-one machines of features + 1, exact', () => {
  const multi = runEstimator(svm, DIGITS.features, DIGITS.classes, { kernel: 'linear' }, DIGITS.train);
  assert.deepEqual(multi.reports, []);
  assert.equal(multi.result.params, 45n * 65n);
  assert.equal(multi.result.upperBound, false);
  assert.equal(multi.result.macs, 45n * 64n);
  assert.match(multi.result.detail, /45 one-vs-one machines \(10·9\/2\) × \(64 features \+ 1 bias\)/);
  const iris = runEstimator(svm, 4, 3, { kernel: 'linear' });
  assert.equal(iris.result.params, 3n * 5n);
  const binary = runEstimator(svm, 4, 2, { kernel: 'linear' });
  assert.equal(binary.result.params, 5n);
  assert.match(binary.result.detail, /^1 machine/);
});

test('svm with a kernel: upper bound of every training sample a support vector', () => {
  for (const kernel of ['rbf', 'poly', 'sigmoid']) {
    const r = runEstimator(svm, DIGITS.features, DIGITS.classes, { kernel }, DIGITS.train);
    assert.deepEqual(r.reports, []);
    // Each vector: 64 coordinates + 9 dual coefficients (one per other class); 45 intercepts.
    assert.equal(r.result.params, 1437n * 73n + 45n);
    assert.equal(r.result.upperBound, true);
    assert.equal(r.result.macs, 1437n * 73n);
    assert.match(r.result.detail, /at most 1,437 support vectors/);
  }
  // The default kernel is rbf.
  assert.equal(runEstimator(svm, 4, 3, {}, 120).result.params, 120n * 6n + 3n);
  assert.equal(runEstimator(svm, 4, 2, {}, 100).result.params, 100n * 5n + 1n, 'two classes: one coefficient, one intercept');
});

test('svm with a kernel and unknown training samples: a per-support-vector bound, said in detail', () => {
  const r = runEstimator(svm, DIGITS.features, DIGITS.classes, { kernel: 'rbf', gamma: 0.001 });
  assert.deepEqual(r.reports, []);
  assert.equal(r.result.params, 73n + 45n);
  assert.equal(r.result.upperBound, true);
  assert.match(r.result.detail, /training samples unknown: 73 numbers \(64 features \+ 9 dual coefficients\) per support vector and 45 intercepts/);
});

test('estimator-argument: kernel arguments the chosen kernel ignores', () => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ kernel: 'linear', gamma: 0.1 }, 'gamma', /svm with kernel: linear ignores gamma; remove it, or use kernel: rbf, poly or sigmoid/],
    [{ kernel: 'linear', degree: 2 }, 'degree', /svm with kernel: linear ignores degree; remove it, or use kernel: poly/],
    [{ kernel: 'linear', coef0: 1 }, 'coef0', /svm with kernel: linear ignores coef0; remove it, or use kernel: poly or sigmoid/],
    [{ kernel: 'rbf', degree: 5 }, 'degree', /kernel: rbf ignores degree/],
    [{ kernel: 'sigmoid', degree: 2 }, 'degree', /kernel: sigmoid ignores degree/],
    [{ kernel: 'rbf', coef0: 0.5 }, 'coef0', /kernel: rbf ignores coef0/],
  ];
  for (const [args, arg, message] of cases) {
    const { reports, result } = runEstimator(svm, 4, 3, args, 120);
    assert.equal(reports.length, 1, JSON.stringify(reports));
    assert.equal(reports[0].code, 'estimator-argument');
    assert.equal(reports[0].severity, 'warning');
    assert.equal(reports[0].arg, arg);
    assert.match(reports[0].message, message);
    assert.ok(result.params > 0n);
  }
  const all = runEstimator(svm, 4, 3, { kernel: 'linear', gamma: 1, degree: 4, coef0: 2 });
  assert.deepEqual(all.reports.map((r) => r.arg), ['gamma', 'degree', 'coef0']);
  // poly uses every kernel argument; sigmoid uses gamma and coef0; defaults are never flagged.
  assert.deepEqual(runEstimator(svm, 4, 3, { kernel: 'poly', gamma: 0.5, degree: 2, coef0: 1 }).reports, []);
  assert.deepEqual(runEstimator(svm, 4, 3, { kernel: 'sigmoid', gamma: 0.5, coef0: 1 }).reports, []);
  assert.deepEqual(runEstimator(svm, 4, 3, { kernel: 'linear' }).reports, []);
});

test('decision_tree: min(2^(max_depth+1) − 1, 2·samples − 1) nodes × 4 numbers', () => {
  const deep = runEstimator(decision_tree, DIGITS.features, DIGITS.classes, { max_depth: 10 }, DIGITS.train);
  assert.deepEqual(deep.reports, []);
  assert.equal(deep.result.params, 2047n * 4n);
  assert.equal(deep.result.upperBound, true);
  assert.equal(deep.result.macs, 10n);
  assert.match(deep.result.detail, /≤ min\(2\^11 − 1, 2·1,437 training samples − 1\) = 2,047 nodes × 4 numbers \(feature, threshold, left, right\)/);

  assert.equal(runEstimator(decision_tree, 4, 3, { max_depth: 3, criterion: 'entropy' }, 120).result.params, 15n * 4n);
  const unlimited = runEstimator(decision_tree, 4, 3, {}, 100);
  assert.equal(unlimited.result.params, 199n * 4n);
  assert.equal(unlimited.result.macs, 7n); // ⌈log2 100⌉ levels of a balanced tree
  assert.match(unlimited.result.detail, /max_depth unlimited/);
});

test('decision_tree without training samples: bounded by 2^40 rows and said so', () => {
  const r = runEstimator(decision_tree, 4, 3, {});
  assert.equal(r.result.params, (2n ** 41n - 1n) * 4n);
  assert.equal(r.result.macs, 40n);
  assert.match(r.result.detail, /training samples unknown/);
  assert.equal(runEstimator(decision_tree, 4, 3, { max_depth: 5 }).result.params, 63n * 4n);
});

test('huge max_depth neither overflows nor hangs', () => {
  const started = Date.now();
  const known = runEstimator(decision_tree, 64, 10, { max_depth: 1_000_000 }, 1437);
  assert.equal(known.result.params, 2873n * 4n);
  assert.match(known.result.detail, /2\^\(1,000,000\+1\) − 1/);
  const unknown = runEstimator(random_forest, 64, 10, { max_depth: 1_000_000, trees: 2 ** 40 });
  assert.equal(unknown.result.params, 2n ** 40n * (2n ** 41n - 1n) * 4n);
  assert.equal(runEstimator(decision_tree, 64, 10, { max_depth: 2 ** 40 }, 2 ** 40).result.params, (2n ** 41n - 1n) * 4n);
  assert.ok(Date.now() - started < 1000);
});

test('random_forest: trees × the tree bound', () => {
  const r = runEstimator(random_forest, DIGITS.features, DIGITS.classes, {}, DIGITS.train);
  assert.deepEqual(r.reports, []);
  assert.equal(r.result.params, 100n * 2873n * 4n);
  assert.equal(r.result.upperBound, true);
  assert.equal(r.result.macs, 100n * 11n);
  assert.match(r.result.detail, /^100 trees × ≤ 2·1,437 training samples − 1 = 2,873 nodes/);
  const shallow = runEstimator(random_forest, 4, 3, { trees: 10, max_depth: 4, max_features: 'all', min_samples_split: 5 }, 120);
  assert.equal(shallow.result.params, 10n * 31n * 4n);
  assert.equal(shallow.result.macs, 10n * 4n);
});

test('classical entries: names, docs and argument specs', () => {
  assert.deepEqual(classicalEntries.map((e) => e.name), ['logistic_regression', 'svm', 'decision_tree', 'random_forest']);
  for (const entry of classicalEntries) {
    assert.equal(entry.kind, 'estimator');
    assert.equal(entry.family, 'classical');
    assert.ok(entry.summary && !entry.summary.includes('\n'));
    assert.match(entry.doc, /\*\*Params\*\*/);
    assert.match(entry.doc, /\*\*MACs\*\*/);
    for (const arg of entry.args) assert.ok(arg.doc, `${entry.name}.${arg.name}`);
  }
  const spec = (e: (typeof classicalEntries)[number]) => e.args.map((a) => [a.name, a.type, a.default]);
  assert.deepEqual(spec(logistic_regression), [['learning_rate', 'number', 0.1], ['iterations', 'int', 500], ['l2', 'number', 0]]);
  assert.deepEqual(spec(svm), [['kernel', 'enum', 'rbf'], ['C', 'number', 1], ['gamma', 'number', undefined], ['degree', 'int', 3], ['coef0', 'number', 0]]);
  assert.deepEqual(svm.args[0].values, ['linear', 'rbf', 'poly', 'sigmoid']);
  assert.deepEqual([svm.args[2].min, svm.args[2].minExclusive], [0, true]);
  assert.match(svm.args[2].doc, /scale/);
  assert.deepEqual(spec(decision_tree), [['max_depth', 'int', undefined], ['min_samples_split', 'int', 2], ['criterion', 'enum', 'gini']]);
  assert.deepEqual(decision_tree.args[2].values, ['gini', 'entropy']);
  assert.deepEqual(spec(random_forest), [['trees', 'int', 100], ['max_depth', 'int', undefined], ['min_samples_split', 'int', 2], ['max_features', 'enum', 'sqrt']]);
  assert.deepEqual(random_forest.args[3].values, ['sqrt', 'log2', 'all']);
  for (const entry of [decision_tree, random_forest]) assert.match(entry.doc, /4 numbers: feature, threshold, left and right child/);
});
