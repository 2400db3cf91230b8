// Errors that know their fix offer it: each fix applied to the text, then the text checked again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, SMALL_CSV } from '../analysis/memoryHost';
import { quickFix } from './quickFix';

const noLoss = '  train {\n    loss: mse\n  }\n';

test('rank-mismatch inserts the reshape its message suggests, on its own line before the layer', () => {
  const text = `model M {\n  input: [30]\n  lstm(8)\n${noLoss}}\n`;
  const { diagnostic, titles, fixed } = quickFix(text, 'rank-mismatch');
  assert.match(diagnostic.message, /`reshape\(\[30, 1\]\)`/);
  assert.deepEqual(titles, ['Insert reshape([30, 1]) before lstm']);
  assert.equal(fixed, `model M {\n  input: [30]\n  reshape([30, 1])\n  lstm(8)\n${noLoss}}\n`);
  assert.deepEqual(run(fixed).diagnostics, []);
});

test('rank-mismatch: a layer that checks its rank (conv1d) and one reading pixels (attention) get their reshapes', () => {
  const conv = quickFix(`model M {\n  input: [30]\n  conv1d(4, kernel: 3)\n${noLoss}}\n`, 'rank-mismatch');
  assert.match(conv.fixed, /  reshape\(\[30, 1\]\)\n  conv1d\(4, kernel: 3\)/);
  assert.deepEqual(run(conv.fixed).diagnostics, []);
  const rows = quickFix(`model M {\n  input: [8, 8, 3]\n  gru(4)\n${noLoss}}\n`, 'rank-mismatch');
  assert.match(rows.fixed, /  reshape\(\[8, 24\]\)\n  gru\(4\)/);
  assert.deepEqual(run(rows.fixed).diagnostics, []);
  const pixels = quickFix(`model M {\n  input: [4, 4, 8]\n  multihead_attention(heads: 2)\n${noLoss}}\n`, 'rank-mismatch');
  assert.match(pixels.fixed, /  reshape\(\[16, 8\]\)\n  multihead_attention/);
  assert.deepEqual(run(pixels.fixed).diagnostics, []);
});

test('rank-mismatch without a reshape to suggest offers none', () => {
  const a = run(`model M {\n  input: [30]\n  multihead_attention(heads: 2)\n${noLoss}}\n`);
  const d = a.diagnostics.find((x) => x.code === 'rank-mismatch');
  assert.ok(d);
  assert.equal(d.data?.reshape, undefined);
});

const DATA = 'dataset D {\n  source: "d.csv"\n}\n';
const files = { 'd.csv': SMALL_CSV };
const classical = (estimator: string) => `${DATA}model M {\n  data: D\n  ${estimator}\n}\n`;

test("scikit-learn's argument names are named in ours, with a fix that renames", () => {
  const cases: [string, string, RegExp, string][] = [
    ['random_forest(n_estimators: 10, max_depth: 3)', "Rename scikit-learn's n_estimators to 'trees'", /random_forest has no argument 'n_estimators': scikit-learn's n_estimators is called 'trees' here\. Rename it to 'trees'\./, 'random_forest(trees: 10, max_depth: 3)'],
    ['logistic_regression(max_iter: 50)', "Rename scikit-learn's max_iter to 'iterations'", /scikit-learn's max_iter is called 'iterations' here/, 'logistic_regression(iterations: 50)'],
  ];
  for (const [estimator, title, message, after] of cases) {
    const { diagnostic, fixed } = quickFix(classical(estimator), 'unknown-argument', title, files);
    assert.match(diagnostic.message, message);
    assert.equal(fixed, classical(after));
    assert.deepEqual(run(fixed, files).diagnostics.filter((d) => d.severity === 'error'), [], estimator);
  }
  // Our svm spells it C: a lower-case c is the same name.
  const svm = quickFix(classical('svm(c: 2)'), 'unknown-argument', "Change to 'C'", files);
  assert.equal(svm.fixed, classical('svm(C: 2)'));
});

test('scikit-learn names without a twin say where the setting lives, and offer no rename', () => {
  for (const [estimator, note] of [
    ['logistic_regression(C: 0.5)', /scikit-learn's C \(inverse regularisation strength\) corresponds to l2 = 1 \/ \(C · training samples\) here\. It takes: learning_rate, iterations, l2\./],
    ['logistic_regression(c: 0.5)', /has no argument 'c': scikit-learn's C \(inverse regularisation strength\)/],
    ['decision_tree(random_state: 0)', /scikit-learn's random_state is the train setting `seed` here/],
  ] as const) {
    const a = run(classical(estimator), files);
    const d = a.diagnostics.find((x) => x.code === 'unknown-argument');
    assert.ok(d, estimator);
    assert.match(d.message, note);
    assert.deepEqual(d.data?.suggestions, []);
  }
  // A twin already written: renaming would duplicate it.
  const both = run(classical('random_forest(trees: 5, n_estimators: 10)'), files).diagnostics.find((x) => x.code === 'unknown-argument');
  assert.ok(both);
  assert.doesNotMatch(both.message, /Rename/);
});

test('several settings on one line: one per line, both kept, with a fix that splits them', () => {
  const text = `model M {\n  input: [4]\n  dense(3, activation: softmax)\n  train { epochs: 30, batch_size: 8, loss: sparse_categorical_crossentropy }\n}\n`;
  const a = run(text);
  assert.deepEqual(a.diagnostics.map((d) => d.code), ['one-setting-per-line', 'one-setting-per-line']);
  assert.equal(a.models[0].train.epochs, 30, 'the settings after the comma are read, not lost');
  assert.equal(a.models[0].train.batchSize, 8);
  const { fixed } = quickFix(text.replace(', loss: sparse_categorical_crossentropy', ''), 'one-setting-per-line');
  assert.equal(fixed, `model M {\n  input: [4]\n  dense(3, activation: softmax)\n  train {\n    epochs: 30\n    batch_size: 8\n  }\n}\n`);
  assert.deepEqual(run(fixed).diagnostics, []);
});

test('settings split inside an open section and in a model header keep their indentation', () => {
  const inside = quickFix(`model M {\n  input: [4]\n  dense(3, activation: softmax)\n  train {\n    epochs: 3, batch_size: 8 // quick\n  }\n}\n`, 'one-setting-per-line');
  assert.match(inside.fixed, /  train \{\n    epochs: 3\n    batch_size: 8 \/\/ quick\n  \}/);
  const header = quickFix(`${DATA}model M {\n  data: D, input: [4]\n  dense(3, activation: softmax)\n}\n`, 'one-setting-per-line', undefined, files);
  assert.match(header.fixed, /model M \{\n  data: D\n  input: \[4\]\n  dense/);
  const dataset = quickFix(`dataset D { source: "d.csv", test_split: 0.2 }\nmodel M {\n  data: D\n  svm\n}\n`, 'one-setting-per-line', undefined, files);
  assert.match(dataset.fixed, /^dataset D \{\n  source: "d.csv"\n  test_split: 0.2\n\}\n/);
  assert.deepEqual(run(dataset.fixed, files).diagnostics, []);
});

test('an unknown target in a long header lists the nearest columns and always the last one, each a fix', () => {
  const header = [...Array.from({ length: 30 }, (_, i) => `feature_${i}`), 'label'];
  const csv = [header.join(','), ...Array.from({ length: 20 }, (_, r) => [...header.slice(0, 30).map((_, c) => (r * c) % 7), r % 2].join(','))].join('\n');
  const text = (target: string) => `dataset D {\n  source: "wide.csv"\n  target: "${target}"\n}\nmodel M {\n  data: D\n  svm\n}\n`;
  const near = run(text('feature_3O'), { 'wide.csv': csv }).diagnostics.find((d) => d.code === 'dataset-target');
  assert.ok(near);
  assert.match(near.message, /has no column 'feature_3O'\. Did you mean 'feature_3'\? The columns nearest to it: feature_3, feature_0, feature_1, feature_2, feature_4; the last column: label \(31 columns in all\)\./);
  assert.ok(near.data?.suggestions?.includes('label'));
  const { titles, fixed } = quickFix(text('lable'), 'dataset-target', "Change to 'label'", { 'wide.csv': csv });
  assert.ok(titles.includes("Change to 'label'"), JSON.stringify(titles));
  assert.match(fixed, /target: "label"/);
  // Nothing near: the first columns as before, and the last named too.
  const far = run(text('zzz'), { 'wide.csv': csv }).diagnostics.find((d) => d.code === 'dataset-target');
  assert.match(far!.message, /Its columns are: feature_0, .*feature_9 and 21 more, the last being label\./);
  assert.deepEqual(far!.data?.suggestions, ['label']);
});
