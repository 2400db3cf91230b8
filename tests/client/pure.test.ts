// The extension's rules that need no editor: which document and model a command is
// about, how totals are worded, and the crash budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import { modelSummaries } from '../../server/src/lsp/models';
import type { ModelSummary } from '../../server/src/lsp/protocol';
import { modelDescription, modelDetails } from '../../client/src/presentation';
import { RestartBudget } from '../../client/src/restartBudget';
import { commandArgsFrom, enclosingModel } from '../../client/src/target';

test('commandArgsFrom reads lens arguments, objects and tree rows, and nothing else', () => {
  const uri = 'file:///w/a.model';
  assert.deepEqual(commandArgsFrom(uri, 'Net'), { uri, model: 'Net' });
  assert.deepEqual(commandArgsFrom(uri), { uri });
  assert.deepEqual(commandArgsFrom({ uri, model: 'Net' }), { uri, model: 'Net' });
  assert.deepEqual(commandArgsFrom({ uri, model: '' }), { uri });
  class Row {
    readonly model = 'Net';
    constructor(readonly uri: string) {}
  }
  assert.deepEqual(commandArgsFrom(new Row(uri)), { uri, model: 'Net' });
  for (const bad of [undefined, null, 42, 'Net', '', { model: 'Net' }, { uri: 7 }]) assert.equal(commandArgsFrom(bad), undefined, JSON.stringify(bad));
});

test('enclosingModel finds the model declaration around a line, and only a model', () => {
  const r = (a: number, b: number) => ({ start: { line: a }, end: { line: b } });
  const outline = [
    { name: 'Digits', range: r(0, 5) },
    { name: 'CNN', range: r(7, 20), children: [{ name: 'Digits', range: r(8, 8) }] },
    { name: 'MLP', range: r(22, 30) },
  ];
  const models = ['CNN', 'MLP'];
  assert.equal(enclosingModel(models, outline, 7), 'CNN');
  assert.equal(enclosingModel(models, outline, 20), 'CNN');
  assert.equal(enclosingModel(models, outline, 25), 'MLP');
  assert.equal(enclosingModel(models, outline, 3), undefined, 'inside a dataset');
  assert.equal(enclosingModel(models, outline, 21), undefined, 'between declarations');
  assert.equal(enclosingModel([], outline, 10), undefined);
});

function summaries(text: string): ModelSummary[] {
  return modelSummaries(analyze(text, { file: '/virtual/x.model' }), { engine: 'tfjs', why: 'test' });
}

test('the Results view words totals like the hover and the code lens', () => {
  const [lenet] = summaries(`model LeNet5 {
  input: [32, 32, 1]
  classes: 10
  conv2d(6, kernel: 5, activation: tanh)
  avgpool2d(2)
  conv2d(16, kernel: 5, activation: tanh)
  avgpool2d(2)
  flatten
  dense(120, activation: tanh)
  dense(84, activation: tanh)
  dense(10, activation: softmax)
}`);
  assert.equal(modelDescription(lenet), '61,706 params · 833 KFLOPs');
  const rows = Object.fromEntries(modelDetails(lenet));
  assert.equal(rows.Kind, 'neural');
  assert.equal(rows.Shape, '[32, 32, 1] → [10]');
  assert.equal(rows.Parameters, '61,706 (61.7 K)');
  assert.equal(rows['Forward pass'], '416,520 MACs · 833 KFLOPs per sample');
  assert.equal(rows['Training compute'], 'unknown (the sample count is not known)');
  assert.equal(rows.Problems, undefined);
});

test('non-trainable parameters, upper bounds, errors and classical models are said so', () => {
  const [bn, broken, svm] = summaries(`dataset D {
  source: synthetic(kind: spirals, samples: 300, classes: 3)
}
model BN {
  input: [8]
  dense(4)
  batchnorm
  dense(3, activation: softmax)
}
model Broken {
  input: [8]
  dense(4, activaton: relu)
  dense(3, activation: softmax)
}
model SVM {
  data: D
  svm(kernel: rbf, C: 1)
}`);
  assert.match(Object.fromEntries(modelDetails(bn)).Parameters, /^67 \(67\), 59 trainable$/);
  assert.match(modelDescription(broken), /· 1 error$/);
  assert.match(Object.fromEntries(modelDetails(broken)).Problems, /^1 error/);
  assert.equal(svm.kind, 'classical');
  assert.match(modelDescription(svm), /^≤ [\d,]+ params$/);
  assert.equal(Object.fromEntries(modelDetails(svm))['Forward pass'], undefined);
});

test('RestartBudget allows maxRestarts crashes within the window, then none until reset', () => {
  const budget = new RestartBudget(3, 60_000);
  assert.equal(budget.crashed(0), true);
  assert.equal(budget.crashed(1_000), true);
  assert.equal(budget.crashed(2_000), true);
  assert.equal(budget.crashed(3_000), false);
  assert.equal(budget.recent, 4);
  // Crashes older than the window no longer count.
  assert.equal(budget.crashed(62_500), true);
  assert.equal(budget.recent, 2);
  budget.reset();
  assert.equal(budget.recent, 0);
  assert.equal(budget.crashed(63_000), true);
});
