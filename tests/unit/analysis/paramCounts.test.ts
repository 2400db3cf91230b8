// PyTorch's and TensorFlow.js's parameter counts of rows and models, worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../../server/src/analysis/model';
import { countsDiffer, differences, enginesDisagree, memoryIn, modelCounts, paramsIn, rowCounter, sumCounts } from '../../../server/src/analysis/paramCounts';

function model(text: string): ModelAnalysis {
  const a = analyze(text, { file: '/virtual/counts.model' });
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
  return a.models[0];
}

// lstm(32) on [20, 8]: 4 gates × (F·h + h·h + h) in TF.js, + one more h per gate in PyTorch.
const LSTM_TFJS = 4 * (8 * 32 + 32 * 32 + 32); // 5,248
const LSTM_TORCH = 4 * (8 * 32 + 32 * 32 + 2 * 32); // 5,376
const BN = 2 * 32; // γ, β; and as many statistics
const DENSE = 32 * 4 + 4; // 132

test('an LSTM and a batch norm: each engine counts its own way', () => {
  const m = model('model M {\n  input: [20, 8]\n  lstm(32)\n  batchnorm\n  dense(4)\n}\n');
  const c = modelCounts(m.totals);
  assert.deepEqual(c.tfjs, { trainable: BigInt(LSTM_TFJS + BN + DENSE), nonTrainable: BigInt(BN), total: BigInt(LSTM_TFJS + 2 * BN + DENSE) });
  assert.deepEqual(c.torch, { params: BigInt(LSTM_TORCH + BN + DENSE), buffers: BigInt(BN) });
  assert.equal(countsDiffer(c), true);
  assert.deepEqual(paramsIn(c, 'torch'), { trainable: 5572n, nonTrainable: 0n, total: 5572n }, 'as torch_train.py reports parameters()');
  assert.deepEqual(paramsIn(c, 'tfjs'), { trainable: 5444n, nonTrainable: 64n, total: 5508n });
  assert.deepEqual(differences(c, 'torch'), ['two bias vectors per recurrent gate', 'batch-norm statistics as buffers']);
  assert.deepEqual(differences(c, 'tfjs'), ['one bias vector per recurrent gate', 'batch-norm statistics as non-trainable params']);
  const count = rowCounter(m.rows);
  assert.deepEqual(m.rows.map((r) => count(r).torch.params), [BigInt(LSTM_TORCH), BigInt(BN), BigInt(DENSE)]);
  assert.deepEqual(m.rows.map((r) => count(r).tfjs.total), [BigInt(LSTM_TFJS), BigInt(2 * BN), BigInt(DENSE)]);
  // PyTorch holds parameters and buffers as weights; gradients and Adam's two slots cover the parameters only.
  const torch = memoryIn(m, 'torch');
  assert.equal(torch.weightsFp32, BigInt((5572 + 64) * 4));
  assert.equal(torch.gradients, 5572n * 4n);
  assert.equal(torch.optimizerState, 5572n * 4n * 2n);
  assert.equal(memoryIn(m, 'tfjs'), m.memory);
});

test('a model without recurrent layers or batch norms counts the same in both', () => {
  const m = model('model M {\n  input: [8]\n  dense(4)\n  layernorm\n}\n');
  assert.equal(countsDiffer(modelCounts(m.totals)), false);
  assert.equal(enginesDisagree([m]), false);
});

test('groups sum the extra biases of the rows they own, repeats and collapsed copies included', () => {
  const m = model(`block Rec(units) {
  lstm(units, return_sequences: true)
  batchnorm
}
model M {
  input: [10, 6]
  Rec(5)
  repeat 100 {
    residual { bidirectional(lstm(5, return_sequences: true), merge_mode: sum) }
  }
  lstm(4)
}
`);
  const count = rowCounter(m.rows);
  // Each top-level row's copies, added up, make the model's totals in both conventions.
  const top = sumCounts(m.rows.filter((r) => r.depth === 0).map((r) => ({ counts: count(r), copies: r.count })));
  assert.deepEqual(top, modelCounts(m.totals));
  // lstm(5) on 6 features: 4 gates × (6·5 + 5·5 + 5), PyTorch one more 5 per gate (a gru has
  // two biases per gate in both engines by default, so it would show no difference).
  const block = m.rows[0];
  assert.equal(block.kind, 'group');
  assert.equal(count(block).tfjs.trainable, BigInt(4 * (6 * 5 + 5 * 5 + 5) + 10));
  assert.equal(count(block).torch.params, BigInt(4 * (6 * 5 + 5 * 5 + 2 * 5) + 10));
  // bidirectional lstm(5) on 5 features, 100 copies (most collapsed into one row).
  const repeat = m.rows.find((r) => r.name === 'repeat 100')!;
  assert.ok(m.rows.some((r) => r.count > 1), 'the repeat collapsed copies');
  assert.equal(count(repeat).torch.params, 100n * 2n * BigInt(4 * (5 * 5 + 5 * 5 + 2 * 5)));
  assert.equal(count(repeat).torch.params - count(repeat).tfjs.trainable, 100n * 2n * 4n * 5n);
  const residual = m.rows.find((r) => r.name === 'residual' && r.count > 1)!;
  assert.equal(count(residual).torch.params, 2n * BigInt(4 * (5 * 5 + 5 * 5 + 2 * 5)), 'one copy of a collapsed group');
});
