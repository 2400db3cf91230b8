// The training engine's model is the estimator's model: for every sample small enough to
// build on the cpu backend and for a few hundred generated specs across every layer
// family, the built tfjs model has exactly the estimated parameters (trainable and not)
// and the inferred output shape; custom layers save and load back to the same predictions
// and train.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type * as tfTypes from '@tensorflow/tfjs';
import { analyze } from '../../../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../../../server/src/analysis/model';
import { CATALOG } from '../../../../server/src/catalog/registry';
import { createNodeHost } from '../../../../server/src/data/nodeHost';
import { buildModel, MAX_ENGINE_LAYERS, UnsupportedModelError } from '../../../../server/src/training/neural/build';
import { registerCustomLayers } from '../../../../server/src/training/neural/layers';
import { mulberry32, type Random } from '../../../../server/src/util/random';
import { roundTrip } from './saveLoad';


const SAMPLES = resolve(__dirname, '../../../../samples');
/** Too large for the pure-JS backend in a unit test; ResNet-50 is built below without a forward pass. */
const TOO_LARGE = new Set(['vgg16.model', 'resnet50.model', 'gpt2-small.model']);

before(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

function size(weights: readonly tfTypes.LayerVariable[]): number {
  return weights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);
}

function analyzeText(text: string, file = '/virtual/spec.model') {
  return analyze(text, { file });
}

function errorsOf(a: ReturnType<typeof analyze>): string[] {
  return a.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.range.start.line + 1}: ${d.code} ${d.message}`);
}

/** Random input for one batch: token ids below the vocabulary when the model starts with an embedding. */
function randomInput(model: ModelAnalysis, batch: number, random: Random): tfTypes.Tensor {
  const shape = [batch, ...model.inputShape!];
  const n = shape.reduce((a, b) => a * b, 1);
  const first = model.rows.find((r) => r.kind === 'layer');
  const data = new Float32Array(n);
  if (first?.entry?.name === 'embedding') {
    const vocab = first.args!.vocab as number;
    for (let i = 0; i < n; i++) data[i] = Math.floor(random() * vocab);
  } else {
    for (let i = 0; i < n; i++) data[i] = random() * 2 - 1;
  }
  return tf.tensor(data, shape);
}

interface Checked {
  readonly params: number;
  readonly trainable: number;
}

/** Builds, compares the counts, and (unless told not to) runs a forward pass; disposes the model. */
function check(model: ModelAnalysis, options: { forward?: boolean; random?: Random } = {}): Checked {
  const net = buildModel(tf, model);
  try {
    const params = net.countParams();
    const trainable = size(net.trainableWeights);
    assert.equal(BigInt(params), model.totals.total, `${model.name}: countParams ${params}, estimated ${model.totals.total}`);
    assert.equal(BigInt(trainable), model.totals.trainable, `${model.name}: trainable ${trainable}, estimated ${model.totals.trainable}`);
    if (options.forward !== false) {
      const x = randomInput(model, 2, options.random ?? mulberry32(1));
      const y = net.predict(x) as tfTypes.Tensor;
      assert.deepEqual(y.shape, [2, ...model.outputShape!], `${model.name}: forward pass shape`);
      assert.ok((y.dataSync() as Float32Array).every(Number.isFinite), `${model.name}: forward pass is finite`);
      tf.dispose([x, y]);
    }
    return { params, trainable };
  } finally {
    net.dispose();
  }
}

for (const file of readdirSync(SAMPLES).filter((f) => f.endsWith('.model') && !TOO_LARGE.has(f))) {
  test(`${file}: every neural model builds with the estimated parameters and output shape`, () => {
    const path = join(SAMPLES, file);
    const a = analyze(readFileSync(path, 'utf8'), { file: path, host: createNodeHost() });
    const neural = a.models.filter((m) => m.kind === 'neural');
    for (const m of neural) check(m);
    for (const m of a.models.filter((x) => x.kind === 'classical')) assert.throws(() => buildModel(tf, m), /classical model/);
  });
}

test('ResNet-50 builds with 25,557,032 trainable parameters and 53,120 batchnorm statistics', () => {
  const path = join(SAMPLES, 'resnet50.model');
  const m = analyze(readFileSync(path, 'utf8'), { file: path }).models[0];
  const { params, trainable } = check(m, { forward: false });
  assert.equal(trainable, 25_557_032);
  assert.equal(params - trainable, 53_120);
});

test('a 2-block GPT-2-style model (narrower) builds with the estimated parameters, tied output included', () => {
  const text = `
model GPT2Narrow {
  input: [1024]
  classes: 50257
  embedding(50257, 64)
  positional_embedding(1024)
  dropout(0.1)
  repeat 2 {
    transformer_block(heads: 4, ff: 256, dropout: 0.1, norm: pre, activation: gelu, causal: true)
  }
  layernorm
  dense(50257, use_bias: false, tied: true, activation: softmax)
}`;
  const a = analyzeText(text);
  assert.deepEqual(errorsOf(a), []);
  const m = a.models[0];
  // 50257·64 + 1024·64 + 2·(attention 4·64·64 + 3·64 + 64, norms 4·64, MLP 64·256 + 256 + 256·64 + 64) + 2·64.
  assert.equal(m.totals.total, 3_382_080n);
  check(m, { forward: false });
});

test('incomplete, classical and oversized models are refused with a clear error', () => {
  const broken = analyzeText('model Broken {\n  input: [4]\n  dense(0)\n}').models[0];
  assert.throws(() => buildModel(tf, broken), /Broken is incomplete/);
  const classical = analyzeText('model Tree {\n  input: [4]\n  classes: 3\n  decision_tree(max_depth: 3)\n}').models[0];
  assert.throws(() => buildModel(tf, classical), /Tree is a classical model \(decision_tree\)/);
  const deep = analyzeText(`model Deep {\n  input: [4]\n  repeat ${MAX_ENGINE_LAYERS + 1} { dense(4) }\n}`).models[0];
  assert.ok(deep.complete);
  assert.throws(() => buildModel(tf, deep), /expands to 2,001 layers, more than the 2,000/);
  // Errors after which inference goes on: the model is complete, but the engine refuses by name.
  const long = analyzeText('model Long {\n  input: [8, 4]\n  positional_embedding(6)\n}').models[0];
  assert.ok(long.complete);
  assert.throws(() => buildModel(tf, long), (e: Error) => e instanceof UnsupportedModelError && /positional_embedding on line 3 cannot be trained: the sequence has 8 positions but max_len is 6/.test(e.message));
  const untied = analyzeText('model Untied {\n  input: [8]\n  embedding(20, 4)\n  dense(21, tied: true)\n}').models[0];
  assert.ok(untied.complete);
  assert.throws(() => buildModel(tf, untied), (e: Error) => e instanceof UnsupportedModelError && /maps 4 to 21/.test(e.message));
});

test('a collapsed repeat is expanded into its copies, each with its own weights', () => {
  const m = analyzeText('model Long {\n  input: [3]\n  dense(4)\n  repeat 80 { dense(4, activation: relu) }\n  dense(2)\n}').models[0];
  assert.ok(m.rows.some((r) => r.count === 80), 'the estimator collapsed the repeat');
  const net = buildModel(tf, m);
  assert.equal(net.layers.filter((l) => l.getClassName() === 'Dense').length, 82);
  assert.equal(BigInt(net.countParams()), m.totals.total);
  net.dispose();
});

test('one tensor feeding a layer twice does not get freed early (nested residuals of a no-op, a tied output in a residual)', () => {
  // Found by the generator (seed 1539): flatten of a flat input used to return its input.
  check(modelOf('model Nested {\n  input: [5]\n  residual {\n    residual {\n      flatten\n    }\n  }\n  dense(2)\n}'));
  check(modelOf('model Doubled {\n  input: [4]\n  dense(3)\n  residual { }\n  dense(2)\n}'));
  check(modelOf('model TiedSkip {\n  input: [6]\n  embedding(8, 8)\n  residual {\n    dense(8, tied: true)\n  }\n  dense(8, tied: true, activation: softmax)\n}'));
});

// ---------------------------------------------------------------------------------------
// Custom layers: numerics, training, and a save/load round trip.

/** Every custom layer and path: shared and tied embedding with bias, positions, causal attention, both block norms, grouped and dilated convolutions, leaky_relu, layer norm. */
const CUSTOM_SEQUENCE = `
model CustomSequence {
  input: [8]
  embedding(40, 16)
  positional_embedding(12)
  multihead_attention(heads: 4, causal: true)
  transformer_block(heads: 2, ff: 24, norm: pre, activation: gelu, causal: true, dropout: 0.1)
  transformer_block(heads: 4, key_dim: 3, ff: 20, norm: post, activation: relu, dropout: 0.2)
  conv1d(16, kernel: 3, padding: same, dilation: 2, groups: 4, activation: leaky_relu)
  conv1d(16, kernel: 2, groups: 16, padding: same)
  simple_rnn(16, return_sequences: true, activation: leaky_relu)
  layernorm(epsilon: 1e-6)
  dense(40, tied: true, use_bias: true, activation: softmax)
}`;

const CUSTOM_IMAGE = `
model CustomImage {
  input: [9, 9, 4]
  conv2d(8, kernel: 3, padding: same, groups: 2, activation: swish)
  conv2d(8, kernel: [3, 2], dilation: [2, 1], padding: valid, groups: 4)
  depthwise_conv2d(kernel: 3, dilation: 2, padding: same, depth_multiplier: 2, activation: leaky_relu)
  separable_conv2d(6, kernel: 2, dilation: [1, 2], padding: same, depth_multiplier: 2)
  residual(projection: true, projection_bias: false, projection_batchnorm: true) {
    conv2d(10, kernel: 3, stride: 2, padding: same)
    batchnorm(momentum: 0.9, epsilon: 1e-5)
  }
  global_avgpool
  dense(5, activation: leaky_relu)
  dense(3, activation: softmax)
}`;

function modelOf(text: string): ModelAnalysis {
  const a = analyzeText(text);
  assert.deepEqual(errorsOf(a), []);
  return a.models[0];
}

for (const text of [CUSTOM_SEQUENCE, CUSTOM_IMAGE]) {
  const name = /model (\w+)/.exec(text)![1];
  test(`${name}: custom layers count as estimated, save and load back to identical predictions, and train`, async () => {
    const m = modelOf(text);
    check(m);
    const net = buildModel(tf, m);
    const x = randomInput(m, 3, mulberry32(5));
    const before = net.predict(x) as tfTypes.Tensor;
    const loaded = await roundTrip(net);
    const after = loaded.predict(x) as tfTypes.Tensor;
    assert.deepEqual(after.shape, before.shape);
    assert.deepEqual(Array.from(after.dataSync()), Array.from(before.dataSync()));
    assert.equal(loaded.countParams(), net.countParams());
    assert.deepEqual(
      loaded.layers.map((l) => l.getClassName()),
      net.layers.map((l) => l.getClassName()),
    );

    // One training step: every weight gets a finite gradient (a dilated stock convolution
    // would throw here) and the loss is finite.
    const classes = m.outputShape![m.outputShape!.length - 1];
    const labels = tf.randomUniform([3, ...m.outputShape!.slice(0, -1)], 0, classes, 'int32');
    const target = tf.oneHot(labels.flatten(), classes).reshape([3, ...m.outputShape!]);
    const variables = net.trainableWeights.map((w) => w.read() as tfTypes.Variable);
    const loss = () => tf.losses.softmaxCrossEntropy(target, net.apply(x, { training: true }) as tfTypes.Tensor) as tfTypes.Scalar;
    const { value, grads } = tf.variableGrads(loss, variables);
    assert.ok(Number.isFinite(value.dataSync()[0]));
    for (const v of variables) {
      const g = grads[v.name];
      assert.ok(g, `gradient for ${v.name}`);
      assert.ok((g.dataSync() as Float32Array).every(Number.isFinite), `finite gradient for ${v.name}`);
      assert.ok((g.dataSync() as Float32Array).some((d) => d !== 0), `non-zero gradient for ${v.name}`);
    }
    tf.dispose([x, before, after, labels, target, value, ...Object.values(grads)]);
    net.dispose();
    loaded.dispose();
  });
}

/** Runs one custom convolution layer on x with given weights. */
function runConv(spec: Parameters<ReturnType<typeof registerCustomLayers>['conv']>[0], x: tfTypes.Tensor, weights: tfTypes.Tensor[]): tfTypes.Tensor {
  const layer = registerCustomLayers(tf).conv(spec);
  layer.apply(tf.input({ shape: x.shape.slice(1) }));
  layer.setWeights(weights);
  const y = layer.apply(x) as tfTypes.Tensor;
  layer.dispose();
  return y;
}

function assertClose(actual: tfTypes.Tensor, expected: tfTypes.Tensor, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]));
  assert.ok(worst < 1e-4, `${what}: max difference ${worst}`);
}

const convBase = { name: 'c', rank: 2 as const, strides: [1, 1] as const, groups: 1, depthMultiplier: 1, useBias: false, activation: 'linear' };

test('the custom convolution matches tfjs forward ops: dilated conv, depthwise and separable, grouped as block-diagonal', () => {
  const random = mulberry32(9);
  const rand = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1), shape);
  const x = rand([2, 9, 8, 4]);
  for (const padding of ['valid', 'same'] as const) {
    const k = rand([3, 2, 4, 5]);
    const y = runConv({ ...convBase, mode: 'conv', filters: 5, kernel: [3, 2], dilation: [2, 3], padding }, x, [k]);
    assertClose(y, tf.conv2d(x as tfTypes.Tensor4D, k as tfTypes.Tensor4D, 1, padding, 'NHWC', [2, 3]), `dilated conv2d ${padding}`);

    const dk = rand([3, 3, 4, 2]);
    const dy = runConv({ ...convBase, mode: 'depthwise', filters: 0, kernel: [3, 3], dilation: [2, 2], padding, depthMultiplier: 2 }, x, [dk]);
    assertClose(dy, tf.depthwiseConv2d(x as tfTypes.Tensor4D, dk as tfTypes.Tensor4D, 1, padding, 'NHWC', [2, 2]), `dilated depthwise ${padding}`);

    const pk = rand([1, 1, 8, 3]);
    const sy = runConv({ ...convBase, mode: 'separable', filters: 3, kernel: [3, 3], dilation: [1, 2], padding, depthMultiplier: 2 }, x, [dk, pk]);
    assertClose(sy, tf.separableConv2d(x as tfTypes.Tensor4D, dk as tfTypes.Tensor4D, pk as tfTypes.Tensor4D, 1, padding, [1, 2]), `dilated separable ${padding}`);
  }
  // Groups: the same as one convolution whose kernel is zero between groups.
  for (const [groups, filters] of [[2, 6], [4, 8]] as const) {
    const per = 4 / groups;
    const k = rand([3, 3, per, filters]);
    const full = tf.buffer([3, 3, 4, filters]);
    const kv = k.arraySync() as number[][][][];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        for (let c = 0; c < per; c++)
          for (let f = 0; f < filters; f++) {
            const g = Math.floor(f / (filters / groups));
            full.set(kv[i][j][c][f], i, j, g * per + c, f);
          }
    const y = runConv({ ...convBase, mode: 'conv', filters, kernel: [3, 3], dilation: [1, 1], padding: 'same', groups, strides: [2, 1] }, x, [k]);
    assertClose(y, tf.conv2d(x as tfTypes.Tensor4D, full.toTensor() as tfTypes.Tensor4D, [2, 1], 'same'), `groups ${groups}`);
  }
});

// ---------------------------------------------------------------------------------------
// Generated specs.

class Gen {
  constructor(readonly random: Random) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)];
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
}

const ACTS = ['linear', 'relu', 'relu6', 'gelu', 'tanh', 'sigmoid', 'softmax', 'elu', 'selu', 'swish', 'leaky_relu', 'softplus'];

function divisors(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
}

function opt(g: Gen, p: number, text: string): string {
  return g.chance(p) ? `, ${text}` : '';
}

function pair(g: Gen, lo: number, hi: number): string {
  return g.chance(0.3) ? `[${g.int(lo, hi)}, ${g.int(lo, hi)}]` : String(g.int(lo, hi));
}

/** A window op's padding: none written, TensorFlow's `same`, or PyTorch-style sizes (a number, or a pair in 2-D). */
function padding(g: Gen, rank: 1 | 2): string {
  const r = g.random();
  if (r < 0.35) return '';
  if (r < 0.65) return ', padding: same';
  return `, padding: ${rank === 2 && g.chance(0.4) ? `[${g.int(0, 2)}, ${g.int(0, 2)}]` : g.int(0, 2)}`;
}

/** One layer call that suits a [..] input; validity is still decided by the checker. */
function proposeLayer(g: Gen, shape: readonly number[]): string {
  const rank = shape.length;
  const last = shape[rank - 1];
  const act = () => opt(g, 0.6, `activation: ${g.pick(ACTS)}`);
  const common = [
    () => `dense(${g.int(1, 12)}${act()}${opt(g, 0.2, 'use_bias: false')})`,
    () => `dropout(${g.pick([0, 0.1, 0.25, 0.5])})`,
    () => `batchnorm${g.chance(0.5) ? `(momentum: ${g.pick([0.9, 0.99])}, epsilon: ${g.pick([1e-3, 1e-5])})` : ''}`,
    () => `layernorm${g.chance(0.3) ? '(epsilon: 1e-6)' : ''}`,
    () => g.pick(['relu', 'gelu', 'tanh', 'sigmoid', 'softmax']),
    () => `activation(${g.pick(ACTS)})`,
  ];
  const byRank: Record<number, (() => string)[]> = {
    1: [
      () => {
        const d = g.pick(divisors(last).filter((x) => x > 1 && x < last));
        return d ? `reshape([${last / d}, ${d}])` : 'flatten';
      },
      () => {
        const d = g.pick(divisors(last));
        const e = g.pick(divisors(last / d));
        return `reshape([${d}, -1, ${e}])`;
      },
    ],
    2: [
      () => {
        const groups = g.pick(divisors(last).filter((d) => d <= 4));
        const filters = groups * g.int(1, 3);
        const dilated = g.chance(0.3);
        return `conv1d(${filters}, kernel: ${g.int(1, 3)}${dilated ? `, dilation: ${g.int(2, 3)}` : opt(g, 0.4, `stride: ${g.int(1, 2)}`)}${padding(g, 1)}${opt(g, 0.4, `groups: ${groups}`)}${act()}${opt(g, 0.2, 'use_bias: false')})`;
      },
      () => `${g.pick(['maxpool1d', 'avgpool1d'])}(${g.int(1, 3)}${opt(g, 0.4, `stride: ${g.int(1, 2)}`)}${padding(g, 1)})`,
      () => `${g.pick(['adaptive_avgpool1d', 'adaptive_maxpool1d'])}(${g.int(1, 6)})`,
      () => `zero_padding1d(${g.chance(0.5) ? g.int(0, 2) : `[${g.int(0, 2)}, ${g.int(0, 2)}]`})`,
      () => g.pick(['global_avgpool', 'global_maxpool', 'flatten']),
      () => {
        const kind = g.pick(['simple_rnn', 'lstm', 'gru']);
        const activation = kind === 'simple_rnn' ? opt(g, 0.4, `activation: ${g.pick(['relu', 'tanh', 'leaky_relu'])}`) : '';
        const resetBefore = kind === 'gru' ? opt(g, 0.4, 'reset_after: false') : '';
        return `${kind}(${g.int(1, 6)}${opt(g, 0.5, 'return_sequences: true')}${activation}${resetBefore})`;
      },
      () => `bidirectional(${g.pick(['simple_rnn', 'lstm', 'gru'])}(${g.int(1, 5)}${opt(g, 0.5, 'return_sequences: true')})${opt(g, 0.6, `merge_mode: ${g.pick(['concat', 'sum', 'mul', 'ave'])}`)})`,
      () => {
        const heads = g.pick(divisors(last).filter((d) => d <= 4));
        const keyDim = g.chance(0.3) ? `, key_dim: ${g.int(1, 4)}` : '';
        return `multihead_attention(heads: ${keyDim ? g.int(1, 3) : heads}${keyDim}${opt(g, 0.5, 'causal: true')}${opt(g, 0.2, 'use_bias: false')})`;
      },
      () => {
        const heads = g.pick(divisors(last).filter((d) => d <= 4));
        const keyDim = g.chance(0.3) ? `, key_dim: ${g.int(1, 4)}` : '';
        return `transformer_block(heads: ${keyDim ? g.int(1, 3) : heads}, ff: ${g.int(2, 12)}${keyDim}${opt(g, 0.5, `norm: ${g.pick(['pre', 'post'])}`)}${opt(g, 0.5, `activation: ${g.pick(['relu', 'gelu'])}`)}${opt(g, 0.4, 'causal: true')}${opt(g, 0.4, `dropout: ${g.pick([0, 0.2])}`)})`;
      },
      () => `positional_embedding(${shape[0] + g.int(0, 4)})`,
      () => 'class_token',
      () => `take_token(${g.int(-shape[0], shape[0] - 1)})`,
      () => `token_type_embedding(types: ${g.int(1, 3)})`,
      () => `reshape([${shape[0]}, ${last}, 1])`,
    ],
    3: [
      () => {
        const groups = g.pick(divisors(last).filter((d) => d <= 4));
        const filters = groups * g.int(1, 3);
        const dilated = g.chance(0.3);
        return `conv2d(${filters}, kernel: ${pair(g, 1, 3)}${dilated ? `, dilation: ${pair(g, 1, 2)}` : opt(g, 0.4, `stride: ${pair(g, 1, 2)}`)}${padding(g, 2)}${opt(g, 0.4, `groups: ${groups}`)}${act()}${opt(g, 0.2, 'use_bias: false')})`;
      },
      () => {
        const dilated = g.chance(0.35);
        return `depthwise_conv2d(kernel: ${pair(g, 1, 3)}${dilated ? `, dilation: ${pair(g, 1, 2)}` : opt(g, 0.4, `stride: ${pair(g, 1, 2)}`)}${padding(g, 2)}${opt(g, 0.4, `depth_multiplier: ${g.int(1, 2)}`)}${act()}${opt(g, 0.2, 'use_bias: false')})`;
      },
      () => {
        const dilated = g.chance(0.35);
        return `separable_conv2d(${g.int(1, 6)}, kernel: ${pair(g, 1, 3)}${dilated ? `, dilation: ${pair(g, 1, 2)}` : opt(g, 0.4, `stride: ${pair(g, 1, 2)}`)}${opt(g, 0.5, 'padding: same')}${opt(g, 0.4, `depth_multiplier: ${g.int(1, 2)}`)}${act()}${opt(g, 0.2, 'use_bias: false')})`;
      },
      () => `${g.pick(['maxpool2d', 'avgpool2d'])}(${pair(g, 1, 3)}${opt(g, 0.4, `stride: ${pair(g, 1, 2)}`)}${padding(g, 2)})`,
      () => `${g.pick(['adaptive_avgpool2d', 'adaptive_maxpool2d'])}(${pair(g, 1, 5)})`,
      () => `zero_padding2d(${g.pick([String(g.int(0, 2)), `[${g.int(0, 2)}, ${g.int(0, 2)}]`, `[[${g.int(0, 2)}, ${g.int(0, 2)}], [${g.int(0, 2)}, ${g.int(0, 2)}]]`])})`,
      () => g.pick(['global_avgpool', 'global_maxpool', 'flatten']),
      () => `reshape([${shape[0] * shape[1]}, ${last}])`,
    ],
  };
  const pool = [...common, ...(byRank[rank] ?? []), ...(byRank[rank] ?? [])];
  return g.pick(pool)();
}

interface Spec {
  readonly input: readonly number[];
  readonly blocks: string[];
  readonly items: string[];
}

function render(spec: Spec, items: readonly string[] = spec.items): string {
  return [...spec.blocks, 'model Generated {', `  input: [${spec.input.join(', ')}]`, ...items.map((i) => `  ${i.replace(/\n/g, '\n  ')}`), '}'].join('\n');
}

/** The output shape after `items`, or undefined when the checker finds an error. */
function shapeAfter(spec: Spec, items: readonly string[]): readonly number[] | undefined {
  if (items.length === 0) return spec.input;
  const a = analyzeText(render(spec, items));
  const m = a.models[0];
  if (!m || !m.complete || errorsOf(a).length) return undefined;
  return m.outputShape;
}

const MAX_ELEMENTS = 4096;

/** Appends up to `count` items to `items`, each kept only when the model still checks clean. */
function grow(g: Gen, spec: Spec, items: string[], count: number, depth: number): readonly number[] {
  let shape = shapeAfter(spec, items)!;
  for (let added = 0, tries = 0; added < count && tries < count * 4; tries++) {
    const item = depth < 2 && g.chance(0.22) ? proposeStructure(g, spec, items, shape, depth) : proposeLayer(g, shape);
    if (!item) continue;
    const next = shapeAfter(spec, [...items, item]);
    if (!next || next.reduce((a, b) => a * b, 1) > MAX_ELEMENTS || next.some((d) => d > 256)) continue;
    items.push(item);
    shape = next;
    added++;
  }
  return shape;
}

/** A residual (projected when the branch changes the shape, sometimes when it does not), a repeat, or a block use. */
function proposeStructure(g: Gen, spec: Spec, prefix: readonly string[], before: readonly number[], depth: number): string | undefined {
  const scratch = [...prefix];
  const after = grow(g, spec, scratch, g.int(1, 3), depth + 1);
  const body = scratch.slice(prefix.length);
  if (body.length === 0) return undefined;
  const inner = body.map((b) => `  ${b.replace(/\n/g, '\n  ')}`).join('\n');
  const same = before.join() === after.join();
  const kind = g.pick(['residual', 'residual', 'repeat', 'block']);
  if (kind === 'residual') {
    const projected = !same || g.chance(0.2);
    const args = projected ? `(projection: true${opt(g, 0.4, 'projection_bias: false')}${opt(g, 0.4, 'projection_batchnorm: true')})` : '';
    return `residual${args} {\n${inner}\n}`;
  }
  if (kind === 'repeat') {
    // Over 64 copies of a shape-keeping body the estimator collapses the rest into one row.
    const copies = same && body.length === 1 && /^(dense|relu|tanh|dropout|layernorm)/.test(body[0]) && g.chance(0.5) ? g.int(65, 70) : g.int(1, 3);
    return `repeat ${copies} {\n${inner}\n}`;
  }
  const name = `Block${spec.blocks.length}`;
  const first = /^(\w+)\((\d+)(?=[,)])/.exec(body[0]);
  const params = first ? '(n, unused = 2)' : '(n = 1)';
  const parameterised = first ? [body[0].replace(/^(\w+)\((\d+)(?=[,)])/, '$1(n'), ...body.slice(1)] : body;
  spec.blocks.push(`block ${name}${params} {\n${parameterised.map((b) => `  ${b.replace(/\n/g, '\n  ')}`).join('\n')}\n}`);
  return first ? `${name}(${g.chance(0.5) ? `n: ${first[2]}` : first[2]})` : name;
}

function generate(seed: number): Spec {
  const g = new Gen(mulberry32(seed));
  const kind = g.pick(['image', 'image', 'sequence', 'sequence', 'tokens', 'vector']);
  const items: string[] = [];
  let input: number[];
  let vocab = 0;
  let dim = 0;
  if (kind === 'image') input = [g.int(3, 9), g.int(3, 9), g.int(1, 4)];
  else if (kind === 'sequence') input = [g.int(2, 8), g.int(1, 8)];
  else if (kind === 'vector') input = [g.int(2, 24)];
  else {
    input = [g.int(2, 8)];
    vocab = g.int(5, 40);
    dim = g.pick([4, 6, 8, 12]);
    items.push(`embedding(${vocab}, ${dim})`);
    if (g.chance(0.6)) items.push(`positional_embedding(${input[0] + g.int(0, 3)})`);
  }
  const spec: Spec = { input, blocks: [], items };
  const shape = grow(g, spec, items, g.int(2, 6), 0);
  // A tied output when the width still matches the embedding.
  if (vocab && shape[shape.length - 1] === dim && g.chance(0.7)) {
    items.push(`dense(${vocab}, tied: true${opt(g, 0.5, 'use_bias: false')}${opt(g, 0.5, 'activation: softmax')})`);
  }
  return spec;
}

/** What a built model exercised, to prove the generated set covers every layer family and structure. */
function features(m: ModelAnalysis): string[] {
  const out: string[] = [];
  for (const r of m.rows) {
    if (r.kind === 'group') {
      out.push(r.name === 'residual' ? 'residual' : r.name.startsWith('repeat ') ? 'repeat' : 'block');
      continue;
    }
    if (!r.entry) {
      out.push('projection');
      if (r.args?.projection_batchnorm) out.push('projection+batchnorm');
      continue;
    }
    const a = r.args!;
    out.push(r.entry.name);
    if (r.count > 1) out.push('collapsed repeat');
    if (typeof a.groups === 'number' && a.groups > 1) out.push(`${r.entry.name}+groups`);
    const dilation = a.dilation;
    if ((typeof dilation === 'number' && dilation > 1) || (Array.isArray(dilation) && dilation.some((d) => (d as number) > 1))) out.push(`${r.entry.name}+dilation`);
    if (r.entry.name === 'dense' && a.tied) out.push('dense+tied');
    if (!r.entry.name.startsWith('zero_padding') && (typeof a.padding === 'number' || Array.isArray(a.padding))) out.push(`${r.entry.name}+padding`);
    if (a.causal) out.push(`${r.entry.name}+causal`);
    if (r.entry.name === 'transformer_block') out.push(`transformer_block+${a.norm}`);
    if (r.entry.name === 'gru' && a.reset_after === false) out.push('gru+reset_before');
    if (a.activation === 'leaky_relu' || a.name === 'leaky_relu') out.push('leaky_relu');
  }
  return out;
}

/** More for a longer hunt: MODELSPEC_GENERATED_MODELS=5000 node tests/run.mjs tests/unit/training/neural/build.test.ts */
const GENERATED = Number(process.env.MODELSPEC_GENERATED_MODELS ?? 210);

test('generated specs: every one that checks clean builds with the estimated parameters and output shape', () => {
  const started = Date.now();
  const seen = new Map<string, number>();
  const mismatches: string[] = [];
  let built = 0;
  let seed = 0;
  for (; seed < GENERATED * 2 && built < GENERATED; seed++) {
    const spec = generate(1000 + seed);
    const text = render(spec);
    const a = analyzeText(text);
    const m = a.models[0];
    if (errorsOf(a).length || !m.complete) continue;
    try {
      check(m, { random: mulberry32(seed) });
      built++;
      for (const f of new Set(features(m))) seen.set(f, (seen.get(f) ?? 0) + 1);
    } catch (err) {
      const kind = err instanceof UnsupportedModelError ? 'unsupported' : 'mismatch';
      mismatches.push(`seed ${1000 + seed} (${kind}): ${(err as Error).message}\n${text}`);
    }
  }
  assert.deepEqual(mismatches, []);
  assert.ok(built >= GENERATED, `only ${built} generated models checked clean`);
  const layers = [...CATALOG.values()].filter((e) => e.kind === 'layer').map((e) => e.name);
  const wanted = [
    ...layers,
    'residual',
    'projection',
    'projection+batchnorm',
    'repeat',
    'collapsed repeat',
    'block',
    'conv1d+groups',
    'conv2d+groups',
    'conv1d+dilation',
    'conv2d+dilation',
    'depthwise_conv2d+dilation',
    'separable_conv2d+dilation',
    'dense+tied',
    'conv1d+padding',
    'conv2d+padding',
    'maxpool1d+padding',
    'maxpool2d+padding',
    'avgpool2d+padding',
    'multihead_attention+causal',
    'transformer_block+pre',
    'transformer_block+post',
    'leaky_relu',
    'gru+reset_before',
  ];
  assert.deepEqual(wanted.filter((f) => !seen.has(f)), [], 'features the generated models never used');
  console.log(`# ${built} generated models built from ${seed} seeds in ${Date.now() - started} ms`);
});
