/**
 * The non-convolution kernels registered on wasm — MaxPoolGrad, UnsortedSegmentSum,
 * GatherV2, BatchMatMul, _FusedMatMul, Identity, Cast — against the cpu backend, plus
 * registration itself.
 */
import { after, before, test } from 'node:test';
import type * as tfTypes from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { ADDED_KERNELS, REPLACED_KERNELS, registerWasmTrainingKernels, wasmTrainingKernelsRegistered } from '../../../../server/src/training/backend/kernels/index';
import { matMulOrder } from '../../../../server/src/training/backend/kernels/batchMatMul';
import { ErrorLog, TOLERANCE, compareBackends, gradCheck, relError, runOn, setup, size, values, type TF } from './harness';

let tf: TF;
const log = new ErrorLog();
before(async () => {
  tf = await setup();
});
after(() => console.log(`kernels: ${log.summary()}`));

test('registration is complete and idempotent', () => {
  assert.ok(wasmTrainingKernelsRegistered());
  const again = registerWasmTrainingKernels();
  assert.deepEqual(again.registered, []);
  for (const k of [...ADDED_KERNELS, ...REPLACED_KERNELS]) assert.equal(tf.getKernel(k.kernelName, 'wasm')?.kernelFunc, k.kernelFunc, k.kernelName);
});

test('max pooling gradient (MaxPoolGrad): windows, strides, padding, negative values and ties', async () => {
  const cases: { x: [number, number, number, number]; k: number | [number, number]; s: number | [number, number]; pad: 'valid' | 'same' }[] = [
    { x: [2, 8, 8, 3], k: 2, s: 2, pad: 'valid' },
    { x: [2, 9, 9, 3], k: 2, s: 2, pad: 'same' },
    { x: [2, 9, 9, 2], k: 3, s: 2, pad: 'same' },
    { x: [2, 7, 7, 2], k: 3, s: 1, pad: 'valid' },
    { x: [1, 8, 9, 4], k: [2, 3], s: [2, 1], pad: 'same' },
    { x: [2, 1, 12, 3], k: [1, 3], s: [1, 2], pad: 'valid' },
  ];
  const ranges: [string, number, number][] = [
    ['mixed', -1, 1],
    ['all negative', -3, -1],
  ];
  for (const c of cases) {
    for (const [name, lo, hi] of ranges) {
      const label = `maxPool ${name} x${c.x} k${c.k} s${c.s} ${c.pad}`;
      log.add(label, await gradCheck(tf, label, (x) => tf.maxPool(x as tfTypes.Tensor4D, c.k, c.s, c.pad), [{ shape: c.x, lo, hi }]));
    }
    // Ties: values on a coarse grid (many equal maxima, zeros included, as after a ReLU).
    const data = values(size(c.x), 3).map((v) => Math.max(0, Math.round(v * 2)));
    const label = `maxPool ties x${c.x} k${c.k} s${c.s} ${c.pad}`;
    log.add(label, await gradCheck(tf, label, (x) => tf.maxPool(x as tfTypes.Tensor4D, c.k, c.s, c.pad), [{ shape: c.x, data }]));
  }
});

test('max pooling 1d as tf.layers builds it (expandDims + maxPool), and through relu', async () => {
  const label = 'maxPooling1d layer';
  const layer = tf.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' });
  log.add(label, await gradCheck(tf, label, (x) => layer.apply(tf.relu(x)) as tfTypes.Tensor, [{ shape: [2, 11, 3] }]));
});

test('average pooling 1d/2d and global pooling gradients (stock kernels, checked)', async () => {
  const cases: [string, (x: tfTypes.Tensor) => tfTypes.Tensor, number[]][] = [
    ['avgPool 2x2 valid', (x) => tf.avgPool(x as tfTypes.Tensor4D, 2, 2, 'valid'), [2, 8, 8, 3]],
    ['avgPool 3x3 s2 same', (x) => tf.avgPool(x as tfTypes.Tensor4D, 3, 2, 'same'), [2, 9, 9, 3]],
    ['avgPooling1d layer', (x) => tf.layers.averagePooling1d({ poolSize: 2 }).apply(x) as tfTypes.Tensor, [2, 10, 3]],
    ['globalAveragePooling2d', (x) => tf.layers.globalAveragePooling2d({}).apply(x) as tfTypes.Tensor, [2, 5, 5, 3]],
    ['globalMaxPooling2d', (x) => tf.layers.globalMaxPooling2d({}).apply(x) as tfTypes.Tensor, [2, 5, 5, 3]],
    ['globalAveragePooling1d', (x) => tf.layers.globalAveragePooling1d({}).apply(x) as tfTypes.Tensor, [2, 7, 4]],
    ['globalMaxPooling1d', (x) => tf.layers.globalMaxPooling1d({}).apply(x) as tfTypes.Tensor, [2, 7, 4]],
  ];
  for (const [label, f, shape] of cases) log.add(label, await gradCheck(tf, label, f, [{ shape }]));
});

test('unsortedSegmentSum forward (out-of-range ids dropped, float and int32) and as the gather gradient', async () => {
  // One-dimensional ids only: the cpu reference mishandles ids of higher rank, and
  // tfjs-core's gather gradient always flattens them.
  for (const [xShape, ids, n] of [
    [[6, 4], [0, 2, 2, 5, 1, 0], 6],
    [[6, 3, 5], [3, 1, 1, 0, 3, 2], 4],
    [[5], [4, 0, 4, 7, -1], 5],
  ] as [number[], number[], number][]) {
    const errors = await compareBackends(tf, () => [tf.unsortedSegmentSum(tf.tensor(values(size(xShape), 4), xShape), tf.tensor1d(ids, 'int32'), n)]);
    assert.ok(errors[0] <= TOLERANCE, `unsortedSegmentSum ${xShape}: ${errors}`);
    log.add(`unsortedSegmentSum ${xShape}`, errors[0]);
  }
  const errors = await compareBackends(tf, () => [tf.unsortedSegmentSum(tf.tensor([1, 2, 3, 4], [4], 'int32'), tf.tensor([1, 1, 0, 1], [4], 'int32'), 2)]);
  assert.equal(errors[0], 0, 'int32 segment sum');
  for (const [label, f, shape] of [
    ['gather axis 0', (p: tfTypes.Tensor) => tf.gather(p, tf.tensor1d([1, 3, 3, 9, 0], 'int32')), [10, 4]],
    ['gather 2d indices', (p: tfTypes.Tensor) => tf.gather(p, tf.tensor2d([1, 3, 3, 9, 0, 2], [2, 3], 'int32')), [10, 4]],
    ['gather axis 1', (p: tfTypes.Tensor) => tf.gather(p, tf.tensor1d([2, 0, 2], 'int32'), 1), [3, 4, 2]],
    ['embedding layer', (p: tfTypes.Tensor) => embeddingLookup(p), [20, 6]],
  ] as [string, (p: tfTypes.Tensor) => tfTypes.Tensor, number[]][]) {
    log.add(label, await gradCheck(tf, label, f, [{ shape }]));
  }
});

function embeddingLookup(table: tfTypes.Tensor): tfTypes.Tensor {
  const ids = tf.tensor2d([3, 3, 0, 19, 7, 3, 12, 0], [2, 4], 'int32');
  return tf.reshape(tf.gather(table, tf.reshape(ids, [-1])), [2, 4, table.shape[1] as number]);
}

test('gatherV2 forward: axes, batchDims, dtypes; out-of-range index throws', async () => {
  const cases: [string, () => tfTypes.Tensor][] = [
    ['float axis 0', () => tf.gather(tf.tensor(values(40, 1), [10, 4]), tf.tensor1d([9, 0, 4, 4], 'int32'))],
    ['float axis 2', () => tf.gather(tf.tensor(values(60, 2), [3, 4, 5]), tf.tensor2d([4, 0, 1, 1], [2, 2], 'int32'), 2)],
    ['int32 axis 1', () => tf.gather(tf.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), tf.tensor1d([2, 2, 0], 'int32'), 1)],
    ['bool', () => tf.gather(tf.tensor([1, 0, 1, 1], [4], 'bool'), tf.tensor1d([3, 1], 'int32'))],
    ['batchDims 1', () => tf.gather(tf.tensor(values(24, 3), [2, 3, 4]), tf.tensor2d([2, 0, 1, 1], [2, 2], 'int32'), 1, 1)],
    ['long slices', () => tf.gather(tf.tensor(values(64 * 100, 5), [64, 100]), tf.tensor1d([63, 1, 1, 20], 'int32'))],
  ];
  for (const [label, f] of cases) {
    const errors = await compareBackends(tf, () => [f()]);
    assert.equal(errors[0], 0, label);
    log.add(`gather ${label}`, errors[0]);
  }
  await tf.setBackend('wasm');
  assert.throws(() => tf.gather(tf.tensor1d([1, 2, 3]), tf.tensor1d([3], 'int32')), /not in \[0, 2\]/);
});

test('matMul / batchMatMul: transposes, batches, broadcasting, both evaluation orders', async () => {
  const shapes: [string, number[], number[], boolean, boolean][] = [];
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const m = 5;
    const k = 7;
    const n = 3;
    const a2 = ta ? [k, m] : [m, k];
    const b2 = tb ? [n, k] : [k, n];
    shapes.push([`2d ${ta}${tb}`, a2, b2, ta, tb]);
    shapes.push([`batched small ${ta}${tb}`, [4, ...a2], [4, ...b2], ta, tb]);
    shapes.push([`batched large ${ta}${tb}`, [3, ...(ta ? [40, 30] : [30, 40])], [3, ...(tb ? [20, 40] : [40, 20])], ta, tb]);
    shapes.push([`left batch only ${ta}${tb}`, [2, 3, ...a2], b2, ta, tb]);
    shapes.push([`broadcast ${ta}${tb}`, [2, 1, ...a2], [1, 3, ...b2], ta, tb]);
    shapes.push([`right batch only ${ta}${tb}`, a2, [3, ...b2], ta, tb]);
  }
  shapes.push(['dense-like 64x300·300x50', [64, 300], [300, 50], false, false]);
  shapes.push(['backward-like 64x50·(300x50)T', [64, 50], [300, 50], false, true]);
  for (const order of ['direct', 'swapped', undefined] as const) {
    matMulOrder.forced = order;
    try {
      for (const [label, as, bs, ta, tb] of shapes) {
        const full = `matMul ${label} order=${order ?? 'auto'}`;
        // Forward on any shapes; gradients where tfjs-core's BatchMatMul gradient handles the broadcast.
        const broadcast = as.length !== bs.length || as.slice(0, -2).some((d, i) => d !== bs[i]);
        if (broadcast) {
          // The cpu backend's own broadcasting is wrong (it computes max(batchA, batchB)
          // slices): the reference multiplies explicitly broadcast operands.
          const a = values(size(as), 1);
          const b = values(size(bs), 2);
          const outer = tf.broadcast_util.assertAndGetBroadcastShape(as.slice(0, -2), bs.slice(0, -2));
          const ref = await runOn(tf, 'cpu', () => [
            tf.matMul(tf.broadcastTo(tf.tensor(a, as), [...outer, ...as.slice(-2)]), tf.broadcastTo(tf.tensor(b, bs), [...outer, ...bs.slice(-2)]), ta, tb),
          ]);
          const got = await runOn(tf, 'wasm', () => [tf.matMul(tf.tensor(a, as), tf.tensor(b, bs), ta, tb)]);
          assert.deepEqual(got.shapes, ref.shapes);
          const error = relError(got.data[0], ref.data[0]);
          assert.ok(error <= TOLERANCE, `${full}: ${error}`);
          log.add(full, error);
        } else {
          log.add(full, await gradCheck(tf, full, (a, b) => tf.matMul(a, b, ta, tb), [{ shape: as }, { shape: bs }]));
        }
      }
    } finally {
      matMulOrder.forced = undefined;
    }
  }
  // Degenerate sizes.
  const errors = await compareBackends(tf, () => [tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 4])), tf.matMul(tf.zeros([0, 3]), tf.ones([3, 2]))]);
  assert.deepEqual(errors, [0, 0]);
});

test('a recurring right operand: cached transpose and packing stay correct and die with the tensor', async () => {
  await tf.setBackend('wasm');
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const baseline = backend.numDataIds();
  const wData = values(24 * 40, 1);
  const w = tf.tensor(wData, [24, 40]);
  for (let step = 0; step < 4; step++) {
    const dyData = values(64 * 40, 10 + step);
    const xData = values(64 * 24, 20 + step);
    // dy·Wᵀ and x·W with the same W at every step, as in a recurrent layer's backward and forward passes.
    for (const [data, shape, tb] of [
      [dyData, [64, 40], true],
      [xData, [64, 24], false],
    ] as const) {
      const product = tf.tidy(() => tf.matMul(tf.tensor(data, [...shape]), w, false, tb));
      const got = Float32Array.from(product.dataSync());
      product.dispose();
      const expected = (await runOn(tf, 'cpu', () => [tf.matMul(tf.tensor(data, [...shape]), tf.tensor(wData, [24, 40]), false, tb)])).data[0];
      await tf.setBackend('wasm');
      const error = relError(got, expected);
      assert.ok(error <= TOLERANCE, `step ${step} transposeB=${tb}: ${error}`);
      log.add('recurring operand', error);
    }
  }
  assert.ok(backend.numDataIds() > baseline + 1, 'the transposed copy is cached while W lives');
  w.dispose();
  assert.equal(backend.numDataIds(), baseline, 'disposing W frees its cached transpose');
});

test('fused matMul with bias and activations (batched, transposed, broadcast bias)', async () => {
  const activations = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'] as const;
  for (const activation of activations) {
    for (const [label, as, bs, bias, ta, tb] of [
      ['2d', [6, 5], [5, 4], [4], false, false],
      ['batched', [3, 6, 5], [3, 5, 4], [4], false, false],
      ['batched transposed', [3, 5, 6], [3, 4, 5], [4], true, true],
      ['bias per row and column', [2, 6, 5], [2, 5, 4], [6, 4], false, false],
    ] as [string, number[], number[], number[], boolean, boolean][]) {
      const full = `fused ${label} ${activation}`;
      log.add(full, await gradCheck(tf, full, (a, b, c) => tf.fused.matMul({ a, b, bias: c, transposeA: ta, transposeB: tb, activation, leakyreluAlpha: 0.1 }), [{ shape: as }, { shape: bs }, { shape: bias }]));
    }
  }
  // The kernel itself (outside a gradient tape, where tfjs really fuses), prelu included.
  const errors = await compareBackends(tf, () => {
    const a = tf.tensor(values(60, 1), [2, 6, 5]);
    const b = tf.tensor(values(40, 2), [2, 5, 4]);
    const bias = tf.tensor(values(4, 3), [4]);
    const alpha = tf.tensor(values(4, 4, 0, 0.5), [4]);
    return [tf.fused.matMul({ a, b, bias, activation: 'prelu', preluActivationWeights: alpha }), tf.fused.matMul({ a, b, bias, activation: 'relu', transposeB: false })];
  });
  assert.ok(Math.max(...errors) <= TOLERANCE, `fused kernel: ${errors}`);
  log.add('fused kernel prelu/relu', Math.max(...errors));
});

test('identity shares data without breaking immutability; cast semantics match cpu', async () => {
  const errors = await compareBackends(tf, () => {
    const x = tf.tensor([-2.7, -0.5, 0, 0.5, 1, 256, 3.9], [7]);
    return [tf.cast(x, 'int32'), tf.cast(x, 'bool'), tf.cast(tf.cast(x, 'int32'), 'float32'), tf.cast(tf.cast(x, 'bool'), 'int32'), tf.cast(x, 'float32')];
  });
  assert.deepEqual(errors, [0, 0, 0, 0, 0]);
  await tf.setBackend('wasm');
  const v = tf.variable(tf.tensor1d([1, 2, 3]));
  const snapshot = v.clone();
  v.assign(tf.tensor1d([7, 8, 9]));
  assert.deepEqual(Array.from(snapshot.dataSync()), [1, 2, 3]);
  assert.deepEqual(Array.from(v.dataSync()), [7, 8, 9]);
  tf.dispose([v, snapshot]);
});
