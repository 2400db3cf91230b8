import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type * as tfTypes from '@tensorflow/tfjs';
import { analyze } from '../../../server/src/analysis/analyze';
import { MAX_DIM } from '../../../server/src/catalog/common';
import { bidirectional, embedding, gru, lstm, positional_embedding, sequenceEntries, simple_rnn } from '../../../server/src/catalog/sequence';
import type { LayerEntry, NestedLayer } from '../../../server/src/catalog/types';
import { range } from '../../../server/src/language/position';
import { buildModel } from '../../../server/src/training/neural/build';
import { roundTrip } from '../training/neural/saveLoad';
import { ok, only, withDefaults } from './harness';

function nested(entry: LayerEntry, args: Record<string, unknown>): NestedLayer {
  return { entry, args: withDefaults(entry, args), range: range(0, 0, 0, 1) };
}

// Parameter counts marked "tfjs" were measured with TensorFlow.js 4.22 (`@tensorflow/tfjs@4.22.0`,
// `tf.model(...).countParams()` on the same layer and input shape, Node 20).

test('embedding: [T] token ids → [T, dim], vocab·dim params, no MACs (tfjs: 64,000 and 38,597,376)', () => {
  assert.deepEqual(ok(embedding, [20], { vocab: 1000, dim: 64 }), { output: [20, 64], trainable: 64_000n, nonTrainable: 0n, macs: 0n });
  // GPT-2 small's token embedding.
  assert.deepEqual(ok(embedding, [1024], { vocab: 50257, dim: 768 }), { output: [1024, 768], trainable: 38_597_376n, nonTrainable: 0n, macs: 0n });
});

test('rank-mismatch: embedding needs one token id per position', () => {
  const seq = only(embedding, [20, 4], { vocab: 10, dim: 4 });
  assert.equal(seq.result, undefined);
  assert.equal(seq.report.code, 'rank-mismatch');
  assert.equal(seq.report.arg, undefined);
  assert.match(seq.report.message, /embedding .* 1-D \[T\] input, but receives \[20, 4\]; .*lstm\/gru or multihead_attention without an embedding/);
  assert.deepEqual(seq.report.data, { expectedRanks: [1], actual: 2 });
  const img = only(embedding, [8, 8, 1], { vocab: 10, dim: 4 });
  assert.equal(img.report.code, 'rank-mismatch');
  assert.match(img.report.message, /single axis \[T\]/);
});

test('positional_embedding: max_len·d params, shape unchanged (GPT-2 small: 786,432)', () => {
  assert.deepEqual(ok(positional_embedding, [1024, 768], { max_len: 1024 }), { output: [1024, 768], trainable: 786_432n, nonTrainable: 0n, macs: 0n });
  // A shorter sequence uses the first positions, but the whole table is learned.
  assert.deepEqual(ok(positional_embedding, [32, 64], { max_len: 128 }), { output: [32, 64], trainable: 8_192n, nonTrainable: 0n, macs: 0n });
});

test('sequence-too-long: more positions than max_len points at max_len and keeps the shape', () => {
  const { result, report } = only(positional_embedding, [40, 8], { max_len: 32 });
  assert.equal(report.code, 'sequence-too-long');
  assert.equal(report.arg, 'max_len');
  assert.equal(report.severity, undefined);
  assert.match(report.message, /40 positions .* max_len: 32; set max_len to at least 40/);
  assert.deepEqual(report.data, { length: 40, maxLen: 32 });
  // Later layers are still checked: the output is known.
  assert.deepEqual(result, { output: [40, 8], trainable: 256n, nonTrainable: 0n, macs: 0n });
});

test('rank-mismatch: positional_embedding on token ids asks for an embedding first', () => {
  const { result, report } = only(positional_embedding, [40], { max_len: 64 });
  assert.equal(result, undefined);
  assert.equal(report.code, 'rank-mismatch');
  assert.match(report.message, /positional_embedding needs a sequence \[positions, features\], got \[40\]; .*embedding\(vocab, dim\)/);
  assert.match(only(positional_embedding, [14, 14, 8], { max_len: 64 }).report.message, /reshape\(\[196, 8\]\)/);
});

test('simple_rnn: F·h + h·h + h params, T·(F·h + h·h) MACs (tfjs: 336; PyTorch, two biases: 352)', () => {
  const last = ok(simple_rnn, [20, 4], { units: 16 });
  assert.deepEqual(last, { output: [16], trainable: 336n, nonTrainable: 0n, macs: 20n * (4n * 16n + 16n * 16n), torchTrainable: 352n });
  const all = ok(simple_rnn, [20, 4], { units: 16, return_sequences: true, activation: 'relu' });
  assert.deepEqual(all.output, [20, 16]);
  assert.equal(all.trainable, 336n);
  assert.equal(simple_rnn.args.find((a) => a.name === 'activation')?.default, 'tanh');
});

test('lstm: 4·(F·h + h·h + h) params, 4·T·(F·h + h·h) MACs (tfjs: 4,736 and 20,736; PyTorch: 4,864 and 20,992)', () => {
  assert.deepEqual(ok(lstm, [20, 4], { units: 32 }), { output: [32], trainable: 4_736n, nonTrainable: 0n, macs: 4n * 20n * (4n * 32n + 32n * 32n), torchTrainable: 4_864n });
  const r = ok(lstm, [32, 16], { units: 64, return_sequences: true });
  assert.deepEqual(r.output, [32, 64]);
  assert.equal(r.trainable, 20_736n);
  assert.equal(r.torchTrainable, 20_992n);
  assert.equal(r.macs, 4n * 32n * (16n * 64n + 64n * 64n)); // 655,360
});

test('gru reset_after: true (default): 3·(F·h + h·h + 2h) in both engines (PyTorch nn.GRU: 1,056 and 24,960)', () => {
  // Keras's reset_after: true and PyTorch's nn.GRU keep an input and a recurrent bias per gate;
  // TensorFlow.js trains it through a custom cell with the same [2, 3h] bias.
  assert.equal(gru.args.find((a) => a.name === 'reset_after')?.default, true);
  assert.deepEqual(ok(gru, [20, 4], { units: 16 }), { output: [16], trainable: 1_056n, nonTrainable: 0n, macs: 3n * 20n * (4n * 16n + 16n * 16n) });
  const r = ok(gru, [10, 64], { units: 64 });
  assert.equal(r.trainable, 24_960n);
  assert.equal(r.torchTrainable, undefined);
  assert.equal(r.macs, 3n * 10n * (64n * 64n + 64n * 64n));
  assert.deepEqual(ok(gru, [10, 64], { units: 8, return_sequences: true }).output, [10, 8]);
});

test('gru reset_after: false: 3·(F·h + h·h + h) in both engines (tfjs GRU: 1,008 and 24,768)', () => {
  // TensorFlow.js's own GRU, and the helper ResetBeforeGRU in PyTorch: one bias per gate.
  assert.deepEqual(ok(gru, [20, 4], { units: 16, reset_after: false }), { output: [16], trainable: 1_008n, nonTrainable: 0n, macs: 3n * 20n * (4n * 16n + 16n * 16n) });
  const r = ok(gru, [10, 64], { units: 64, reset_after: false });
  assert.equal(r.trainable, 24_768n);
  assert.equal(r.torchTrainable, undefined);
  // The reset gate's place does not change the products: r ⊙ h is h·h multiply-adds either way.
  assert.equal(r.macs, 3n * 10n * (64n * 64n + 64n * 64n));
});

test('rank-mismatch: recurrent layers need [timesteps, features]', () => {
  for (const entry of [simple_rnn, lstm, gru]) {
    const flat = only(entry, [64], { units: 8 });
    assert.equal(flat.result, undefined);
    assert.equal(flat.report.code, 'rank-mismatch');
    assert.equal(flat.report.arg, undefined);
    assert.match(flat.report.message, new RegExp(`^${entry.name} needs a sequence \\[timesteps, features\\], got \\[64\\]; `));
    assert.match(flat.report.message, /reshape\(\[64, 1\]\).*embedding\(vocab, dim\)/);
    // The reshape the message suggests, for the quick fix.
    assert.deepEqual(flat.report.data, { expectedRanks: [2], actual: 1, reshape: [64, 1] });
    const img = only(entry, [28, 28, 3], { units: 8 });
    assert.equal(img.report.code, 'rank-mismatch');
    assert.match(img.report.message, /got \[28, 28, 3\]; to read the image row by row use `reshape\(\[28, 84\]\)`/);
    assert.match(only(entry, [2, 3, 4, 5], { units: 8 }).report.message, /reshape the data to \[timesteps, features\]/);
  }
});

test('bidirectional: 2× the wrapped layer; concat doubles the last axis (tfjs: 2,016, 9,472, 192; PyTorch: 2,016 with ResetBeforeGRU, 9,728, 208)', () => {
  const biGru = ok(bidirectional, [20, 4], { layer: nested(gru, { units: 16, return_sequences: true, reset_after: false }) });
  assert.deepEqual(biGru, { output: [20, 32], trainable: 2_016n, nonTrainable: 0n, macs: 2n * 3n * 20n * (4n * 16n + 16n * 16n), torchTrainable: 2_016n });
  assert.equal(ok(bidirectional, [20, 4], { layer: nested(gru, { units: 16 }) }).trainable, 2_112n);
  const biLstm = ok(bidirectional, [20, 4], { layer: nested(lstm, { units: 32 }) });
  assert.deepEqual(biLstm.output, [64]);
  assert.equal(biLstm.trainable, 9_472n);
  assert.equal(biLstm.torchTrainable, 9_728n);
  assert.equal(biLstm.macs, 2n * 4n * 20n * (4n * 32n + 32n * 32n));
  const biRnn = ok(bidirectional, [5, 3], { layer: nested(simple_rnn, { units: 8, return_sequences: true }) });
  assert.deepEqual(biRnn.output, [5, 16]);
  assert.equal(biRnn.trainable, 192n);
  assert.equal(biRnn.torchTrainable, 208n);
});

test('bidirectional: sum, mul and ave keep the last axis (tfjs: 9,472 each)', () => {
  for (const merge_mode of ['sum', 'mul', 'ave']) {
    const r = ok(bidirectional, [20, 4], { layer: nested(lstm, { units: 32 }), merge_mode });
    assert.deepEqual(r.output, [32]);
    assert.equal(r.trainable, 9_472n);
  }
  const seq = ok(bidirectional, [20, 4], { layer: nested(lstm, { units: 32, return_sequences: true }), merge_mode: 'ave' });
  assert.deepEqual(seq.output, [20, 32]);
});

test('bidirectional: the wrapped layer reports its own rank problem', () => {
  const { result, report } = only(bidirectional, [64], { layer: nested(lstm, { units: 8 }) });
  assert.equal(result, undefined);
  assert.equal(report.code, 'rank-mismatch');
  assert.match(report.message, /^lstm needs a sequence \[timesteps, features\], got \[64\]/);
});

test('bidirectional: the argument accepts recurrent layers only; concat beyond 2^40 is reported', () => {
  const spec = bidirectional.args[0];
  assert.deepEqual([spec.name, spec.type, spec.required], ['layer', 'layer', true]);
  assert.deepEqual(spec.layers, ['simple_rnn', 'lstm', 'gru']);
  assert.deepEqual(bidirectional.args[1].values, ['concat', 'sum', 'mul', 'ave']);
  assert.equal(bidirectional.args[1].default, 'concat');

  const { result, report } = only(bidirectional, [3, 2], { layer: nested(gru, { units: MAX_DIM }) });
  assert.equal(result, undefined);
  assert.equal(report.code, 'size-overflow');
  assert.equal(report.arg, 'layer');
  assert.match(report.message, /2199023255552 features/);
  assert.equal(ok(bidirectional, [3, 2], { layer: nested(gru, { units: MAX_DIM }), merge_mode: 'sum' }).output[0], MAX_DIM);
});

test('huge sizes stay exact and never throw (units 2^40)', () => {
  const h = 2n ** 40n;
  for (const [entry, gates, biases] of [[simple_rnn, 1n, 1n], [lstm, 4n, 1n], [gru, 3n, 2n]] as const) {
    const r = ok(entry, [MAX_DIM, MAX_DIM], { units: MAX_DIM, return_sequences: true });
    assert.deepEqual(r.output, [MAX_DIM, MAX_DIM]);
    assert.equal(r.trainable, gates * (h * h + h * h + biases * h));
    assert.equal(r.macs, gates * h * (h * h + h * h));
  }
  assert.equal(ok(embedding, [MAX_DIM], { vocab: MAX_DIM, dim: MAX_DIM }).trainable, h * h);
  assert.equal(ok(positional_embedding, [MAX_DIM, MAX_DIM], { max_len: MAX_DIM }).trainable, h * h);
  assert.equal(ok(bidirectional, [MAX_DIM, MAX_DIM], { layer: nested(lstm, { units: MAX_DIM }), merge_mode: 'mul' }).macs, 2n * 4n * h * (h * h + h * h));
});

test('sequence entries: names, family, docs and argument specs', () => {
  assert.deepEqual(sequenceEntries.map((e) => e.name), ['embedding', 'positional_embedding', 'simple_rnn', 'lstm', 'gru', 'bidirectional']);
  for (const entry of sequenceEntries) {
    assert.equal(entry.kind, 'layer');
    assert.equal(entry.family, 'sequence');
    assert.ok(entry.summary && !entry.summary.includes('\n'));
    assert.match(entry.doc, /\*\*Params\*\*/);
    assert.match(entry.doc, /\*\*MACs\*\*/);
    for (const arg of entry.args) assert.ok(arg.doc, `${entry.name}.${arg.name}`);
  }
  for (const entry of [simple_rnn, lstm, gru]) {
    assert.deepEqual(entry.args.slice(0, 2).map((a) => [a.name, a.type, a.required, a.default, a.min, a.max]), [
      ['units', 'int', true, undefined, 1, MAX_DIM],
      ['return_sequences', 'bool', undefined, false, undefined, undefined],
    ]);
    assert.deepEqual(entry.inputRanks, [2]);
  }
  assert.deepEqual(embedding.args.map((a) => [a.name, a.required]), [['vocab', true], ['dim', true]]);
  assert.match(gru.doc, /reset_after: true.*nn\.GRU.*reset_after: false.*one bias per gate/s);
  assert.match(gru.doc, /ResetBeforeGRU/);
  assert.match(lstm.doc, /4·\(F·h \+ h·h \+ h\)/);
});

// ---------------------------------------------------------------------------------------
// The TensorFlow.js GRUs of both variants: weights as estimated, the reset-after cell's
// arithmetic, bidirectional, save and load, and a training step.

/** Keras's reset-after GRU step by step in plain numbers (gates z, r, h; bias rows input, recurrent). */
function referenceResetAfter(x: number[][], kernel: number[][], recurrent: number[][], bias: number[][]): number[] {
  const h = recurrent.length;
  let state = new Array<number>(h).fill(0);
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  for (const step of x) {
    const xi = kernel[0].map((_, j) => step.reduce((s, v, f) => s + v * kernel[f][j], 0) + bias[0][j]);
    const hi = recurrent[0].map((_, j) => state.reduce((s, v, k) => s + v * recurrent[k][j], 0) + bias[1][j]);
    state = state.map((prev, j) => {
      const z = sigmoid(xi[j] + hi[j]);
      const r = sigmoid(xi[h + j] + hi[h + j]);
      const n = Math.tanh(xi[2 * h + j] + r * hi[2 * h + j]);
      return z * prev + (1 - z) * n;
    });
  }
  return state;
}

test('TensorFlow.js: gru of both variants builds with the estimated weights; reset_after: true computes Keras\'s reset-after GRU', async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
  const text = `
model Grus {
  input: [5, 3]
  classes: 2
  gru(4, return_sequences: true)
  gru(4, return_sequences: true, reset_after: false)
  bidirectional(gru(3, return_sequences: true))
  bidirectional(gru(2, reset_after: false), merge_mode: sum)
  dense(2, activation: softmax)
}`;
  const a = analyze(text, { file: '/virtual/grus.model' });
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
  const m = a.models[0];
  // 3·(3·4 + 16 + 8) + 3·(4·4 + 16 + 4) + 2·3·(4·3 + 9 + 6) + 2·3·(6·2 + 4 + 2) + 2·2 + 2.
  assert.equal(m.totals.trainable, 108n + 108n + 162n + 108n + 6n);
  assert.equal(m.totals.torch.params, m.totals.trainable);
  const net = buildModel(tf, m);
  assert.equal(BigInt(net.countParams()), m.totals.trainable);
  assert.deepEqual(net.layers[1].getWeights().map((w) => w.shape), [[3, 12], [4, 12], [2, 12]]);
  assert.deepEqual(net.layers[2].getWeights().map((w) => w.shape), [[4, 12], [4, 12], [12]]);

  // The first layer on its own, with random weights, against the reference above.
  const x = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 11);
  const layer = net.layers[1];
  layer.setWeights(layer.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 20 + i)));
  const [kernel, recurrent, bias] = layer.getWeights().map((w) => w.arraySync() as number[][]);
  const out = (layer.apply(x) as tfTypes.Tensor).arraySync() as number[][][];
  const xs = x.arraySync() as number[][][];
  for (const b of [0, 1]) {
    const expected = referenceResetAfter(xs[b], kernel, recurrent, bias);
    out[b][4].forEach((v, j) => assert.ok(Math.abs(v - expected[j]) < 1e-5, `sample ${b} unit ${j}: ${v} vs ${expected[j]}`));
  }

  const before = net.predict(x) as tfTypes.Tensor;
  const loaded = await roundTrip(net);
  assert.deepEqual(Array.from((loaded.predict(x) as tfTypes.Tensor).dataSync()), Array.from(before.dataSync()));
  assert.equal(loaded.countParams(), net.countParams());

  const target = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 2);
  const variables = net.trainableWeights.map((w) => w.read() as tfTypes.Variable);
  const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(target, net.apply(x, { training: true }) as tfTypes.Tensor) as tfTypes.Scalar, variables);
  for (const v of variables) assert.ok(Array.from(grads[v.name].dataSync()).some((g) => g !== 0 && Number.isFinite(g)), `gradient for ${v.name}`);
  net.dispose();
  loaded.dispose();
});
