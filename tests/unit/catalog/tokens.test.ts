import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type * as tfTypes from '@tensorflow/tfjs';
import { analyze } from '../../../server/src/analysis/analyze';
import { MAX_DIM } from '../../../server/src/catalog/common';
import { catalogEntry } from '../../../server/src/catalog/registry';
import { class_token, take_token, token_type_embedding, tokenEntries } from '../../../server/src/catalog/tokens';
import { buildModel } from '../../../server/src/training/neural/build';
import { BERT_BASE, VIT_B_16 } from '../../export/publishedTransformers';
import { roundTrip } from '../training/neural/saveLoad';
import { ok, only } from './harness';

test('class_token: [T, d] → [T+1, d], d params, no MACs (ViT-B/16: 196 patches → 197, 768 params)', () => {
  assert.deepEqual(ok(class_token, [196, 768]), { output: [197, 768], trainable: 768n, nonTrainable: 0n, macs: 0n });
  assert.deepEqual(ok(class_token, [1, 3]), { output: [2, 3], trainable: 3n, nonTrainable: 0n, macs: 0n });
});

test('class_token: rank-mismatch on an image says how to make it a sequence; an axis past 2^40 is reported', () => {
  const img = only(class_token, [14, 14, 768]);
  assert.equal(img.result, undefined);
  assert.equal(img.report.code, 'rank-mismatch');
  assert.match(img.report.message, /^class_token needs a sequence \[positions, features\], got \[14, 14, 768\]; .*reshape\(\[196, 768\]\)/);
  const full = only(class_token, [MAX_DIM, 4]);
  assert.equal(full.result, undefined);
  assert.equal(full.report.code, 'size-overflow');
  assert.match(full.report.message, /1099511627777 positions/);
});

test('take_token: [T, d] → [d] at any index in [−T, T), no params, no MACs', () => {
  for (const index of [0, 3, 9, -1, -10]) assert.deepEqual(ok(take_token, [10, 6], { index }), { output: [6], trainable: 0n, nonTrainable: 0n, macs: 0n });
  // The class token by default.
  assert.equal(take_token.args[0].default, 0);
  assert.deepEqual(ok(take_token, [197, 768]).output, [768]);
});

test('index-out-of-range: take_token past either end points at index and gives the valid range', () => {
  for (const [index, text] of [[10, /take_token\(10\) on a sequence of 10 positions: the index must lie in \[-10, 9\]/], [-11, /take_token\(-11\)/]] as const) {
    const { result, report } = only(take_token, [10, 6], { index });
    assert.equal(result, undefined);
    assert.equal(report.code, 'index-out-of-range');
    assert.equal(report.arg, 'index');
    assert.match(report.message, text);
    assert.deepEqual(report.data, { index, length: 10 });
  }
  assert.equal(only(take_token, [10]).report.code, 'rank-mismatch');
});

test('token_type_embedding: types·d params, shape unchanged (bert-base-uncased: 2·768 = 1,536)', () => {
  assert.deepEqual(ok(token_type_embedding, [512, 768]), { output: [512, 768], trainable: 1_536n, nonTrainable: 0n, macs: 0n });
  assert.deepEqual(ok(token_type_embedding, [5, 4], { types: 3 }), { output: [5, 4], trainable: 12n, nonTrainable: 0n, macs: 0n });
  assert.equal(only(token_type_embedding, [5]).report.code, 'rank-mismatch');
  assert.match(token_type_embedding.doc, /type 0.*token_type_ids/s);
});

test('token entries: registered, documented, with every form', () => {
  assert.deepEqual(tokenEntries.map((e) => e.name), ['class_token', 'take_token', 'token_type_embedding']);
  for (const entry of tokenEntries) {
    assert.equal(catalogEntry(entry.name), entry);
    assert.equal(entry.family, 'sequence');
    assert.deepEqual(entry.inputRanks, [2]);
    assert.ok(entry.summary && !entry.summary.includes('\n'));
    for (const part of ['Params', 'MACs', 'PyTorch']) assert.match(entry.doc, new RegExp(`\\*\\*${part}\\*\\*: \\S`), `${entry.name} ${part}`);
    for (const arg of entry.args) assert.ok(arg.doc, `${entry.name}.${arg.name}`);
  }
});

function published(text: string) {
  const a = analyze(text, { file: '/virtual/published.model' });
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
  return a.models[0];
}

test('ViT-B/16 as torchvision builds it: 86,567,656 params and 17,563,828,224 MACs, the same in both engines', () => {
  const m = published(VIT_B_16);
  assert.equal(m.totals.trainable, 86_567_656n);
  assert.equal(m.totals.torch.params, 86_567_656n);
  // Patchify 196·768·768; per block 197·768·4·768 projections, 2·197²·768 attention, 2·197·768·3072 MLP; head 768·1000.
  assert.equal(m.totals.macs, 115_605_504n + 12n * (464_781_312n + 59_610_624n + 929_562_624n) + 768_000n);
  assert.equal(m.totals.macs, 17_563_828_224n);
  assert.deepEqual(m.outputShape, [1000]);
});

test('BERT-base as bert-base-uncased (with the pooler): 109,482,240 params', () => {
  const m = published(BERT_BASE);
  assert.equal(m.totals.trainable, 109_482_240n);
  assert.equal(m.totals.torch.params, 109_482_240n);
  assert.equal(23_837_184n + 12n * 7_087_872n + 590_592n, 109_482_240n);
  assert.deepEqual(m.outputShape, [768]);
});

// ---------------------------------------------------------------------------------------
// The TensorFlow.js layers: counts, numerics, training, save and load.

before(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

const SMALL = `
model TokensSmall {
  input: [6, 8]
  classes: 3
  token_type_embedding(types: 3)
  class_token
  positional_embedding(7)
  transformer_block(heads: 2, ff: 16, dropout: 0)
  take_token(-1)
  dense(3, activation: softmax)
}
`;

function weightOf(net: tfTypes.LayersModel, layerClass: string): tfTypes.Tensor {
  const layer = net.layers.find((l) => l.getClassName() === layerClass)!;
  return layer.getWeights()[0];
}

test('TensorFlow.js: the layers build with the estimated weights, compute what they say, save, load and train', async () => {
  const m = published(SMALL);
  // types·d 24 + class token 8 + positions 7·8 + block + dense 8·3 + 3.
  assert.equal(m.totals.trainable, 24n + 8n + 56n + 600n + 27n);
  const net = buildModel(tf, m);
  assert.equal(BigInt(net.countParams()), m.totals.trainable);
  assert.deepEqual(weightOf(net, 'ModelspecTokenTypeEmbedding').shape, [3, 8]);
  assert.deepEqual(weightOf(net, 'ModelspecClassToken').shape, [8]);

  const x = tf.randomNormal([2, 6, 8], 0, 1, 'float32', 3);
  // Row 0 of the type table is added to every position; the class token comes first.
  const types = net.layers.find((l) => l.getClassName() === 'ModelspecTokenTypeEmbedding')!;
  const typed = types.apply(x) as tfTypes.Tensor;
  const row0 = tf.slice(weightOf(net, 'ModelspecTokenTypeEmbedding'), [0, 0], [1, 8]);
  assert.ok(tf.max(tf.abs(tf.sub(typed, tf.add(x, row0)))).dataSync()[0] < 1e-6);
  const cls = net.layers.find((l) => l.getClassName() === 'ModelspecClassToken')!;
  const prepended = cls.apply(x) as tfTypes.Tensor;
  assert.deepEqual(prepended.shape, [2, 7, 8]);
  const token = Array.from(weightOf(net, 'ModelspecClassToken').dataSync());
  for (const b of [0, 1]) {
    assert.deepEqual(Array.from(tf.slice(prepended, [b, 0, 0], [1, 1, 8]).dataSync()), token);
    assert.deepEqual(Array.from(tf.slice(prepended, [b, 1, 0], [1, 6, 8]).dataSync()), Array.from(tf.slice(x, [b, 0, 0], [1, 6, 8]).dataSync()));
  }
  const take = net.layers.find((l) => l.getClassName() === 'ModelspecTakeToken')!;
  const last = take.apply(x) as tfTypes.Tensor;
  assert.deepEqual(last.shape, [2, 8]);
  assert.deepEqual(Array.from(last.dataSync()), Array.from(tf.slice(x, [0, 5, 0], [2, 1, 8]).dataSync()));

  const before = net.predict(x) as tfTypes.Tensor;
  assert.deepEqual(before.shape, [2, 3]);
  const loaded = await roundTrip(net);
  assert.deepEqual(Array.from((loaded.predict(x) as tfTypes.Tensor).dataSync()), Array.from(before.dataSync()));

  // One training step reaches the class token, the used row of the type table, and nothing of the unused rows.
  const target = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
  const variables = net.trainableWeights.map((w) => w.read() as tfTypes.Variable);
  const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(target, net.apply(x, { training: true }) as tfTypes.Tensor) as tfTypes.Scalar, variables);
  const gradOf = (layerClass: string) => grads[(net.layers.find((l) => l.getClassName() === layerClass)!.trainableWeights[0].read() as tfTypes.Variable).name];
  assert.ok(Array.from(gradOf('ModelspecClassToken').dataSync()).some((g) => g !== 0));
  const typeGrad = gradOf('ModelspecTokenTypeEmbedding').arraySync() as number[][];
  assert.ok(typeGrad[0].some((g) => g !== 0));
  assert.ok(typeGrad.slice(1).flat().every((g) => g === 0));
  net.dispose();
  loaded.dispose();
});
