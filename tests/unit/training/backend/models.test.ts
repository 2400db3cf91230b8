/**
 * Whole-model gradients on wasm vs cpu (a small CNN with batch norm, an LSTM stack, an
 * embedding + attention model written from matMul/softmax with a broadcasting layer
 * norm), the layer families of the catalogue one by one, and the absence of tensor or
 * heap leaks across training steps.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as tfTypes from '@tensorflow/tfjs';
import { ErrorLog, TOLERANCE, gradCheck, relError, setup, size, values, type TF } from './harness';

let tf: TF;
const log = new ErrorLog();
before(async () => {
  tf = await setup();
  registerAttention(tf);
});
after(() => console.log(`models: ${log.summary()}`));

type Model = tfTypes.LayersModel;

/** Multi-head causal self-attention + residual + layer norm (broadcasting ops) + GELU MLP. */
let AttentionBlock: new (config: { dim: number; heads: number }) => tfTypes.layers.Layer;

function registerAttention(t: TF): void {
  class Block extends t.layers.Layer {
    static className = 'ModelspecTestAttention';
    private readonly dim: number;
    private readonly heads: number;
    private w: Record<string, tfTypes.LayerVariable> = {};
    constructor(config: { dim: number; heads: number }) {
      super({});
      this.dim = config.dim;
      this.heads = config.heads;
    }
    override build(): void {
      const d = this.dim;
      let seed = 10;
      const init = () => t.initializers.glorotUniform({ seed: seed++ });
      for (const name of ['wq', 'wk', 'wv', 'wo']) this.w[name] = this.addWeight(name, [d, d], 'float32', init());
      this.w.w1 = this.addWeight('w1', [d, 2 * d], 'float32', init());
      this.w.w2 = this.addWeight('w2', [2 * d, d], 'float32', init());
      this.w.gamma = this.addWeight('gamma', [d], 'float32', t.initializers.ones());
      this.w.beta = this.addWeight('beta', [d], 'float32', t.initializers.zeros());
      this.built = true;
    }
    override computeOutputShape(shape: tfTypes.Shape | tfTypes.Shape[]): tfTypes.Shape | tfTypes.Shape[] {
      return shape;
    }
    override call(inputs: tfTypes.Tensor | tfTypes.Tensor[]): tfTypes.Tensor {
      return t.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tfTypes.Tensor3D;
        const [b, n, d] = x.shape;
        const h = this.heads;
        const hd = d / h;
        const proj = (name: string) => t.transpose(t.reshape(t.matMul(t.reshape(x, [b * n, d]), this.w[name].read()), [b, n, h, hd]), [0, 2, 1, 3]);
        const scores = t.div(t.matMul(proj('wq'), proj('wk'), false, true), Math.sqrt(hd));
        const mask = t.mul(t.sub(t.linalg.bandPart(t.ones([n, n]), -1, 0), 1), 1e9);
        const attn = t.matMul(t.softmax(t.add(scores, mask)), proj('wv'));
        const merged = t.reshape(t.transpose(attn, [0, 2, 1, 3]), [b * n, d]);
        const y = t.add(t.reshape(x, [b * n, d]), t.matMul(merged, this.w.wo.read()));
        const { mean, variance } = t.moments(y, -1, true);
        const normed = t.add(t.mul(t.div(t.sub(y, mean), t.sqrt(t.add(variance, 1e-5))), this.w.gamma.read()), this.w.beta.read());
        const hidden = t.matMul(normed, this.w.w1.read());
        const gelu = t.mul(t.mul(hidden, 0.5), t.add(1, t.erf(t.div(hidden, Math.SQRT2))));
        return t.reshape(t.add(normed, t.matMul(gelu, this.w.w2.read())), [b, n, d]);
      });
    }
  }
  t.serialization.registerClass(Block);
  AttentionBlock = Block;
}

/**
 * Builds the model on each backend with the same weights and compares the loss and the
 * gradient of every trainable weight (batch statistics in training mode).
 */
async function modelGradCheck(label: string, build: () => Model, inputShape: number[], classes: number, tokens?: number): Promise<number> {
  await tf.setBackend('cpu');
  const template = build();
  const weights = template.getWeights().map((w) => ({ data: Float32Array.from(w.dataSync()), shape: w.shape }));
  template.dispose();
  const x = tokens ? values(size(inputShape), 3, 0, tokens).map(Math.floor) : values(size(inputShape), 3);
  const y = Array.from(values(inputShape[0], 4, 0, classes), Math.floor);
  const run = async (backend: 'cpu' | 'wasm') => {
    await tf.setBackend(backend);
    const model = build();
    model.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
    const vars = model.trainableWeights.map((w) => w.read() as tfTypes.Variable);
    const { value, grads } = tf.tidy(() =>
      tf.variableGrads(() => {
        const logits = model.apply(tf.tensor(x, inputShape), { training: true }) as tfTypes.Tensor;
        return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(y, 'int32'), classes), logits) as tfTypes.Scalar;
      }, vars),
    );
    const out = [value.dataSync(), ...vars.map((v) => grads[v.name].dataSync())].map((a) => Float32Array.from(a));
    tf.dispose([value, ...Object.values(grads)]);
    model.dispose();
    return out;
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  const errors = cpu.map((c, i) => relError(wasm[i], c));
  const worst = Math.max(...errors);
  assert.ok(worst <= TOLERANCE, `${label}: loss/gradient errors ${errors.map((e) => e.toExponential(1)).join(' ')}`);
  log.add(label, worst);
  return worst;
}

test('whole-model gradients: small CNN with batch norm, strides, same/valid padding', async () => {
  await modelGradCheck(
    'CNN',
    () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tf.layers.batchNormalization(),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, activation: 'relu' }),
          tf.layers.separableConv2d({ filters: 6, kernelSize: 2, padding: 'same', activation: 'relu' }),
          tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: 'relu' }),
          tf.layers.dense({ units: 4 }),
        ],
      }),
    [4, 12, 12, 2],
    4,
  );
});

test('whole-model gradients: LSTM stack (LSTM → GRU) and a bidirectional SimpleRNN', async () => {
  await modelGradCheck(
    'LSTM',
    () =>
      tf.sequential({
        layers: [tf.layers.lstm({ inputShape: [6, 4], units: 10, returnSequences: true }), tf.layers.gru({ units: 8 }), tf.layers.dense({ units: 5 })],
      }),
    [3, 6, 4],
    5,
  );
  await modelGradCheck(
    'bidirectional SimpleRNN',
    () =>
      tf.sequential({
        layers: [tf.layers.bidirectional({ inputShape: [5, 3], layer: tf.layers.simpleRNN({ units: 6 }) as tfTypes.layers.RNN, mergeMode: 'concat' }), tf.layers.dense({ units: 3 })],
      }),
    [4, 5, 3],
    3,
  );
});

test('whole-model gradients: embedding + causal multi-head attention (matMul + softmax) + layer norm + GELU', async () => {
  await modelGradCheck(
    'embedding+attention',
    () =>
      tf.sequential({
        layers: [
          tf.layers.embedding({ inputShape: [7], inputDim: 30, outputDim: 8 }),
          new AttentionBlock({ dim: 8, heads: 2 }),
          tf.layers.globalAveragePooling1d({}),
          tf.layers.dense({ units: 4 }),
        ],
      }),
    [3, 7],
    4,
    30,
  );
});

test('layer families one by one: dense on sequences, conv1d, pooling 1d, batch norm, dropout, activations', async () => {
  const layers: [string, () => tfTypes.layers.Layer, number[]][] = [
    ['dense on [b, t, d]', () => tf.layers.dense({ units: 5, activation: 'tanh' }), [2, 4, 6]],
    ['conv1d same dilation 2', () => tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'relu' }), [2, 12, 3]],
    ['conv1d valid stride 2', () => tf.layers.conv1d({ filters: 4, kernelSize: 3, strides: 2 }), [2, 12, 3]],
    ['conv2d relu dilation 2', () => tf.layers.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, activation: 'relu', padding: 'same' }), [2, 9, 9, 2]],
    ['maxPooling1d', () => tf.layers.maxPooling1d({ poolSize: 2 }), [2, 10, 3]],
    ['averagePooling2d same', () => tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }), [2, 7, 7, 2]],
    ['batchNormalization', () => tf.layers.batchNormalization(), [6, 5]],
    ['layerNormalization (built-in, tiles its input)', () => tf.layers.layerNormalization(), [2, 3, 6]],
    ['simpleRNN with sequences', () => tf.layers.simpleRNN({ units: 4, returnSequences: true }), [2, 5, 3]],
    ['softmax / elu / selu activations', () => tf.layers.activation({ activation: 'softmax' }), [3, 6]],
    ['leakyReLU', () => tf.layers.leakyReLU({ alpha: 0.2 }), [3, 6]],
  ];
  for (const [label, make, shape] of layers) {
    await tf.setBackend('cpu');
    const layer = make();
    layer.apply(tf.zeros(shape));
    const weights = layer.getWeights().map((w) => ({ data: Float32Array.from(w.dataSync()), shape: w.shape }));
    const fresh = new Map<string, tfTypes.layers.Layer>();
    // One layer instance per backend, holding the same weights; inputs are the only gradient targets here.
    const apply = (x: tfTypes.Tensor) => {
      const backend = tf.getBackend();
      let instance = fresh.get(backend);
      if (!instance) {
        instance = make();
        instance.apply(tf.zeros(shape));
        instance.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
        fresh.set(backend, instance);
      }
      return instance.apply(x, { training: true }) as tfTypes.Tensor;
    };
    log.add(label, await gradCheck(tf, label, apply, [{ shape }]));
    layer.dispose();
  }
  const dropout = 'dropout with a fixed seed (same mask on both backends)';
  log.add(dropout, await gradCheck(tf, dropout, (x) => tf.dropout(x, 0.3, undefined, 7), [{ shape: [4, 6] }]));
  const gelu = 'GELU (tanh form) and softplus';
  log.add(
    gelu,
    await gradCheck(tf, gelu, (x) => tf.add(tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))), tf.softplus(x)), [{ shape: [3, 5] }]),
  );
});

test('conv2d layer with dilation and linear activation: the fused-conv gradient limitation is real', async () => {
  // tfjs-core's fused conv2d keeps its gradient in a closure that asserts dilation 1;
  // gradients.ts documents that such a layer must be built from tf.conv2d instead.
  await tf.setBackend('wasm');
  const layer = tf.layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2 });
  const x = tf.ones([1, 7, 7, 1]);
  layer.apply(x);
  assert.throws(() => tf.variableGrads(() => tf.sum(layer.apply(x) as tfTypes.Tensor) as tfTypes.Scalar), /dilation/);
  layer.dispose();
  x.dispose();
});

test('no leaks across training steps: engine tensors and wasm heap blocks stay constant', async () => {
  await tf.setBackend('wasm');
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [10, 10, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 8, activation: 'relu' }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  const optimizer = tf.train.adam(1e-3);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  const x = tf.tensor(values(32 * 100, 1), [32, 10, 10, 1]);
  const y = tf.tensor1d(Array.from(values(32, 2, 0, 3), Math.floor));
  await model.fit(x, y, { batchSize: 8, epochs: 1, verbose: 0 });
  const tensors = tf.memory().numTensors;
  const blocks = backend.numDataIds();
  for (let epoch = 0; epoch < 3; epoch++) await model.fit(x, y, { batchSize: 8, epochs: 1, verbose: 0 });
  assert.equal(tf.memory().numTensors, tensors, 'tensors leaked by fit');
  assert.equal(backend.numDataIds(), blocks, 'heap blocks leaked (kernel intermediates or views)');

  // A manual loop through every replaced kernel family: embedding gather, recurrent matmuls, pooling.
  const seq = tf.sequential({
    layers: [tf.layers.embedding({ inputShape: [6], inputDim: 20, outputDim: 4 }), tf.layers.lstm({ units: 5 }), tf.layers.dense({ units: 2 })],
  });
  const tokens = tf.tensor2d(Array.from(values(24, 3, 0, 20), Math.floor), [4, 6]);
  const sgd = tf.train.sgd(0.1);
  const step = () => sgd.minimize(() => tf.mean(tf.square(seq.apply(tokens) as tfTypes.Tensor)) as tfTypes.Scalar, false);
  step();
  const before = [tf.memory().numTensors, backend.numDataIds()];
  for (let i = 0; i < 5; i++) step();
  assert.deepEqual([tf.memory().numTensors, backend.numDataIds()], before, 'manual loop leaked');
  tf.dispose([x, y, tokens]);
  model.dispose();
  optimizer.dispose();
  seq.dispose();
  sgd.dispose();
});
