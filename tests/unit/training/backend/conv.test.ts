/**
 * Convolution kernels registered on wasm (Conv2DBackpropFilter, Conv2DBackpropInput,
 * DepthwiseConv2dNativeBackpropFilter/Input) and the dilated-convolution gradients,
 * checked against the cpu backend: forward and backward, several shapes, strides,
 * dilations and paddings.
 */
import { after, before, test } from 'node:test';
import type * as tfTypes from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { dilateFilter } from '../../../../server/src/training/backend/gradients';
import { limits } from '../../../../server/src/training/backend/kernels/util';
import { ErrorLog, TOLERANCE, compareBackends, gradCheck, relError, setup, size, values, type TF, type Tensor } from './harness';

let tf: TF;
const log = new ErrorLog();
before(async () => {
  tf = await setup();
});
after(() => console.log(`conv: ${log.summary()}`));

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase {
  x: [number, number, number, number];
  w: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dilations?: [number, number];
}

const conv2dCases: ConvCase[] = [
  { x: [2, 7, 7, 3], w: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { x: [2, 7, 7, 3], w: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 9, 8, 2], w: [3, 3, 2, 5], strides: 2, pad: 'valid' },
  { x: [2, 9, 8, 2], w: [3, 3, 2, 5], strides: 2, pad: 'same' },
  { x: [1, 10, 9, 3], w: [2, 4, 3, 2], strides: [2, 3], pad: 'same' },
  { x: [3, 6, 6, 1], w: [1, 1, 1, 6], strides: 1, pad: 'valid' },
  { x: [2, 8, 8, 4], w: [5, 5, 4, 3], strides: [1, 2], pad: 'same' },
  { x: [2, 8, 7, 3], w: [3, 2, 3, 2], strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  // Stride larger than the kernel: some inputs get no gradient at all.
  { x: [2, 9, 9, 2], w: [2, 2, 2, 3], strides: 3, pad: 'valid' },
];

test('conv2d forward and gradients (Conv2DBackpropFilter, Conv2DBackpropInput)', async () => {
  for (const c of conv2dCases) {
    const label = `conv2d x${c.x} w${c.w} s${c.strides} ${JSON.stringify(c.pad)}`;
    const err = await gradCheck(tf, label, (x, w) => tf.conv2d(x as tfTypes.Tensor4D, w as tfTypes.Tensor4D, c.strides, c.pad), [{ shape: c.x }, { shape: c.w }]);
    log.add(label, err);
  }
});

test('conv2d with dilations: gradients match the zero-inserted filter computed on cpu', async () => {
  const cases: ConvCase[] = [
    { x: [2, 11, 10, 3], w: [3, 3, 3, 4], strides: 1, pad: 'same', dilations: [2, 2] },
    { x: [2, 11, 10, 3], w: [3, 3, 3, 4], strides: 1, pad: 'valid', dilations: [2, 3] },
    { x: [1, 9, 12, 2], w: [2, 3, 2, 3], strides: 1, pad: 'same', dilations: [3, 1] },
  ];
  for (const c of cases) {
    const [dh, dw] = c.dilations as [number, number];
    const xs = values(size(c.x), 5);
    const ws = values(size(c.w), 6);
    const dys = (shape: number[]) => values(size(shape), 7);
    const run = async (backend: 'cpu' | 'wasm', reference: boolean) => {
      await tf.setBackend(backend);
      const out = tf.tidy(() => {
        const x = tf.tensor4d(xs, c.x);
        const w = tf.tensor4d(ws, c.w);
        const f = (a: Tensor, b: Tensor) =>
          reference ? tf.conv2d(a as tfTypes.Tensor4D, dilateFilter(b as tfTypes.Tensor4D, dh, dw), c.strides, c.pad as 'same') : tf.conv2d(a as tfTypes.Tensor4D, b as tfTypes.Tensor4D, c.strides, c.pad as 'same', 'NHWC', c.dilations);
        const y = f(x, w);
        return [y, ...tf.grads(f)([x, w], tf.tensor(dys(y.shape), y.shape))];
      });
      const data = out.map((t) => t.dataSync() as Float32Array);
      tf.dispose(out);
      return data;
    };
    const reference = await run('cpu', true);
    for (const backend of ['wasm', 'cpu'] as const) {
      const got = await run(backend, false);
      const errors = got.map((g, i) => relError(g, reference[i]));
      const label = `dilated conv2d ${backend} x${c.x} w${c.w} d${c.dilations} ${c.pad}`;
      assert.ok(Math.max(...errors) <= TOLERANCE, `${label}: ${errors}`);
      log.add(label, Math.max(...errors));
    }
  }
});

test('conv1d (strides, dilation, same/valid) through conv2d', async () => {
  const cases: { x: [number, number, number]; w: [number, number, number]; stride: number; pad: 'same' | 'valid'; dilation: number }[] = [
    { x: [2, 12, 3], w: [3, 3, 4], stride: 1, pad: 'same', dilation: 1 },
    { x: [2, 12, 3], w: [5, 3, 2], stride: 2, pad: 'valid', dilation: 1 },
    { x: [2, 15, 2], w: [3, 2, 3], stride: 1, pad: 'same', dilation: 2 },
    { x: [3, 16, 4], w: [2, 4, 4], stride: 1, pad: 'valid', dilation: 3 },
  ];
  for (const c of cases) {
    const label = `conv1d x${c.x} w${c.w} s${c.stride} d${c.dilation} ${c.pad}`;
    // The cpu reference cannot run dilated gradients natively either; for dilation > 1 the
    // override's zero-insertion path (used on cpu) is itself checked against wasm's native one.
    log.add(label, await gradCheck(tf, label, (x, w) => tf.conv1d(x as tfTypes.Tensor3D, w as tfTypes.Tensor3D, c.stride, c.pad, 'NWC', c.dilation), [{ shape: c.x }, { shape: c.w }]));
  }
});

test('conv2dTranspose (Conv2DBackpropInput as the forward op) and its gradients', async () => {
  const cases: { x: [number, number, number, number]; w: [number, number, number, number]; out: [number, number, number, number]; s: number; pad: 'same' | 'valid' }[] = [
    { x: [2, 4, 4, 3], w: [3, 3, 2, 3], out: [2, 8, 8, 2], s: 2, pad: 'same' },
    { x: [2, 3, 3, 4], w: [3, 3, 5, 4], out: [2, 7, 7, 5], s: 2, pad: 'valid' },
    { x: [1, 5, 5, 2], w: [2, 2, 3, 2], out: [1, 6, 6, 3], s: 1, pad: 'valid' },
  ];
  for (const c of cases) {
    const label = `conv2dTranspose x${c.x} w${c.w} s${c.s} ${c.pad}`;
    log.add(label, await gradCheck(tf, label, (x, w) => tf.conv2dTranspose(x as tfTypes.Tensor4D, w as tfTypes.Tensor4D, c.out, c.s, c.pad), [{ shape: c.x }, { shape: c.w }]));
  }
});

test('fused conv2d with bias and activation (the path tf.layers Conv2D takes)', async () => {
  for (const activation of ['linear', 'relu', 'elu'] as const) {
    const label = `fused conv2d ${activation}`;
    log.add(
      label,
      await gradCheck(tf, label, (x, w, b) => tf.fused.conv2d({ x: x as tfTypes.Tensor4D, filter: w as tfTypes.Tensor4D, strides: 1, pad: 'same', bias: b, activation }), [
        { shape: [2, 6, 6, 3] },
        { shape: [3, 3, 3, 4] },
        { shape: [4] },
      ]),
    );
  }
});

test('chunked im2col (batch split to bound scratch memory) gives the same gradients', async () => {
  const saved = limits.scratchElements;
  try {
    // Small enough that each chunk holds one or two images.
    limits.scratchElements = 3 * 3 * 3 * 7 * 7 + 10;
    for (const c of [conv2dCases[0], conv2dCases[3], conv2dCases[6]]) {
      const label = `chunked conv2d x${c.x} w${c.w} s${c.strides} ${JSON.stringify(c.pad)}`;
      log.add(label, await gradCheck(tf, label, (x, w) => tf.conv2d(x as tfTypes.Tensor4D, w as tfTypes.Tensor4D, c.strides, c.pad), [{ shape: [5, ...c.x.slice(1)] as number[] }, { shape: c.w }]));
    }
  } finally {
    limits.scratchElements = saved;
  }
});

test('NCHW data format in the backprop kernels (called directly: wasm has no NCHW forward conv)', async () => {
  const x = [2, 3, 7, 6];
  const w = [3, 3, 3, 4];
  const dyShape = [2, 4, 4, 3];
  const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', dimRoundingMode: undefined };
  const errors = await compareBackends(tf, () => {
    const xt = tf.tensor(values(size(x), 1), x);
    const wt = tf.tensor(values(size(w), 2), w);
    const dy = tf.tensor(values(size(dyShape), 3), dyShape);
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy }, { ...attrs, filterShape: w } as never) as Tensor;
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: wt }, { ...attrs, inputShape: x } as never) as Tensor;
    return [dw, dx];
  });
  assert.ok(Math.max(...errors) <= TOLERANCE, `NCHW: ${errors}`);
  log.add('NCHW backprop kernels', Math.max(...errors));
});

test('depthwise conv2d forward and gradients (DepthwiseConv2dNativeBackpropFilter/Input)', async () => {
  const cases: { x: [number, number, number, number]; w: [number, number, number, number]; s: number | [number, number]; pad: 'same' | 'valid'; d?: [number, number] }[] = [
    { x: [2, 7, 7, 3], w: [3, 3, 3, 1], s: 1, pad: 'same' },
    { x: [2, 7, 7, 3], w: [3, 3, 3, 2], s: 1, pad: 'valid' },
    { x: [2, 9, 8, 4], w: [3, 3, 4, 1], s: 2, pad: 'same' },
    { x: [2, 9, 8, 2], w: [2, 3, 2, 3], s: [2, 1], pad: 'valid' },
    { x: [1, 10, 10, 3], w: [3, 3, 3, 2], s: 1, pad: 'same', d: [2, 2] },
    { x: [2, 11, 9, 2], w: [3, 2, 2, 1], s: 1, pad: 'valid', d: [2, 3] },
  ];
  for (const c of cases) {
    const label = `depthwise x${c.x} w${c.w} s${c.s} d${c.d ?? 1} ${c.pad}`;
    log.add(label, await gradCheck(tf, label, (x, w) => tf.depthwiseConv2d(x as tfTypes.Tensor4D, w as tfTypes.Tensor4D, c.s, c.pad, 'NHWC', c.d ?? 1), [{ shape: c.x }, { shape: c.w }]));
  }
});

test('separable conv2d (depthwise then pointwise), with and without dilation', async () => {
  for (const [pad, d] of [
    ['same', 1],
    ['valid', 2],
  ] as const) {
    const label = `separable ${pad} d${d}`;
    log.add(
      label,
      await gradCheck(tf, label, (x, dw, pw) => tf.separableConv2d(x as tfTypes.Tensor4D, dw as tfTypes.Tensor4D, pw as tfTypes.Tensor4D, 1, pad, d), [
        { shape: [2, 9, 9, 3] },
        { shape: [3, 3, 3, 2] },
        { shape: [1, 1, 6, 4] },
      ]),
    );
  }
});
