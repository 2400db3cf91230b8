// loss-activation reads the model's real last op: a transformer_block's MLP activation and
// a recurrent layer's state are not the output activation, and the fix writes only what
// the layer accepts (or adds an output layer after it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, SMALL_CSV } from '../analysis/memoryHost';
import { fixesFor, quickFix } from './quickFix';

const files = { 'd.csv': SMALL_CSV };
const DATA = 'dataset D {\n  source: "d.csv"\n}\n';
const train = (loss: string) => `  train {\n    loss: ${loss}\n  }\n`;

test('a transformer stack is not said to end in its MLP activation, and no fix writes activation into the block', () => {
  const text = `model M {\n  input: [32]\n  classes: 500\n  embedding(500, 64)\n  positional_embedding(32)\n  repeat 2 {\n    transformer_block(heads: 4, ff: 128)\n  }\n${train('sparse_categorical_crossentropy')}}\n`;
  const { diagnostic, titles, fixed } = quickFix(text, 'loss-activation');
  assert.doesNotMatch(diagnostic.message, /last activation is gelu|set activation/);
  assert.match(diagnostic.message, /ends in transformer_block, whose output is a residual sum \(its gelu is inside its MLP\); add `dense\(500, activation: softmax\)` after it/);
  assert.deepEqual(titles, ['Add dense(500, activation: softmax) after transformer_block']);
  assert.match(fixed, /  repeat 2 \{\n    transformer_block\(heads: 4, ff: 128\)\n  \}\n  dense\(500, activation: softmax\)\n  train \{/);
  assert.deepEqual(run(fixed).diagnostics, [], 'the fixed text is clean');
});

test('a transformer block with post-norm ends in a layer norm', () => {
  const text = `model M {\n  input: [8, 16]\n  classes: 4\n  transformer_block(heads: 2, ff: 32, norm: post, activation: relu)\n${train('sparse_categorical_crossentropy')}}\n`;
  const { diagnostic } = quickFix(text, 'loss-activation');
  assert.match(diagnostic.message, /whose output is a layer norm \(its relu is inside its MLP\)/);
});

test('lstm and gru end in their tanh-bounded hidden state, not linear; the fix adds the output layer', () => {
  for (const layer of ['lstm(8)', 'gru(8)', 'bidirectional(lstm(8))']) {
    const text = `model M {\n  input: [20, 4]\n  classes: 3\n  ${layer} // encoder\n${train('sparse_categorical_crossentropy')}}\n`;
    const { diagnostic, fixed } = quickFix(text, 'loss-activation');
    assert.doesNotMatch(diagnostic.message, /linear/, layer);
    assert.match(diagnostic.message, /whose output is its hidden state \(tanh-bounded, between −1 and 1\); add `dense\(3, activation: softmax\)` after it/, layer);
    assert.ok(fixed.includes(`  ${layer} // encoder\n  dense(3, activation: softmax)\n`), fixed);
    assert.deepEqual(run(fixed).diagnostics, [], layer);
  }
});

test('binary cross-entropy after an lstm adds one sigmoid unit', () => {
  const text = `model M {\n  input: [20, 4]\n  gru(8)\n${train('binary_crossentropy')}}\n`;
  const { diagnostic, fixed } = quickFix(text, 'loss-activation');
  assert.match(diagnostic.message, /binary_crossentropy expects probabilities from a sigmoid, but the model ends in gru, whose output is its hidden state/);
  assert.match(fixed, /  gru\(8\)\n  dense\(1, activation: sigmoid\)\n/);
  assert.deepEqual(run(fixed).diagnostics, []);
});

test('a simple_rnn names its state activation, and its activation argument is not offered as the fix', () => {
  const text = `model M {\n  input: [20, 4]\n  classes: 3\n  simple_rnn(8, activation: relu)\n${train('sparse_categorical_crossentropy')}}\n`;
  const { diagnostic, titles } = quickFix(text, 'loss-activation');
  assert.match(diagnostic.message, /ends in simple_rnn, whose output is its hidden state \(relu\)/);
  assert.deepEqual(titles, ['Add dense(3, activation: softmax) after simple_rnn']);
});

test('a sequence output on labelled data is pooled before the output layer', () => {
  const text = `${DATA}model M {\n  data: D\n  input: [4, 1]\n  lstm(8, return_sequences: true)\n${train('sparse_categorical_crossentropy')}}\n`;
  const { diagnostic, fixed } = quickFix(text, 'loss-activation', undefined, files);
  assert.match(diagnostic.message, /add `global_avgpool` and `dense\(3, activation: softmax\)` after it/);
  assert.match(fixed, /  lstm\(8, return_sequences: true\)\n  global_avgpool\n  dense\(3, activation: softmax\)\n/);
  assert.deepEqual(run(fixed, files).diagnostics, []);
});

test('without a class count the advice names the fix but offers no edit that would guess the units', () => {
  const text = `model M {\n  input: [20, 4]\n  lstm(8)\n${train('sparse_categorical_crossentropy')}}\n`;
  const a = run(text);
  const [d] = a.diagnostics;
  assert.equal(d.code, 'loss-activation');
  assert.match(d.message, /add `dense\(classes, activation: softmax\)` after it/);
  assert.deepEqual(fixesFor(text, a, d), []);
});

test('a dense output still gets its activation argument set, and an activation layer renamed', () => {
  const dense = quickFix(`model M {\n  input: [4]\n  dense(3, activation: relu)\n${train('sparse_categorical_crossentropy')}}\n`, 'loss-activation');
  assert.match(dense.diagnostic.message, /the model ends in relu; set activation: softmax/);
  assert.match(dense.fixed, /dense\(3, activation: softmax\)/);
  const layer = quickFix(`model M {\n  input: [4]\n  dense(3)\n  dropout(0.1)\n${train('sparse_categorical_crossentropy')}}\n`, 'loss-activation');
  assert.match(layer.diagnostic.message, /the model ends in linear; set activation: softmax/);
  assert.match(layer.fixed, /dense\(3, activation: softmax\)\n  dropout/);
});

test('a pooling or normalisation ending is named as it is, and the fix adds the output layer', () => {
  const text = `model M {\n  input: [8, 8, 3]\n  classes: 10\n  conv2d(4, kernel: 3, activation: relu)\n  global_avgpool\n${train('sparse_categorical_crossentropy')}}\n`;
  const { diagnostic, fixed } = quickFix(text, 'loss-activation');
  assert.match(diagnostic.message, /ends in global_avgpool \(no activation\); add `dense\(10, activation: softmax\)` after it/);
  assert.match(fixed, /  global_avgpool\n  dense\(10, activation: softmax\)\n/);
});

test('an lstm ending is not told to resize its units to the classes: the output layer it lacks fixes both', () => {
  const text = `${DATA.replace('}', '  shape: [4, 1]\n}')}model M {\n  data: D\n  lstm(8)\n}\n`;
  const a = run(text, files);
  assert.deepEqual(a.diagnostics.map((d) => d.code), ['loss-activation']);
  const { fixed } = quickFix(text, 'loss-activation', undefined, files);
  assert.match(fixed, /  lstm\(8\)\n  dense\(3, activation: softmax\)\n/);
  assert.deepEqual(run(fixed, files).diagnostics, []);
  // A dense ending of the wrong width is still told its units.
  const dense = run(`${DATA}model M {\n  data: D\n  dense(5, activation: softmax)\n}\n`, files);
  assert.deepEqual(dense.diagnostics.map((d) => d.code), ['output-classes']);
});
