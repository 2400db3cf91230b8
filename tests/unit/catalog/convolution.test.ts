import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DIM } from '../../../server/src/catalog/common';
import { conv1d, conv2d, convolutionEntries, depthwise_conv2d, separable_conv2d } from '../../../server/src/catalog/convolution';
import { dense } from '../../../server/src/catalog/dense';
import { batchnorm } from '../../../server/src/catalog/normalization';
import { avgpool2d, global_avgpool, maxpool2d } from '../../../server/src/catalog/pooling';
import { flatten } from '../../../server/src/catalog/shape';
import type { LayerEntry, Shape } from '../../../server/src/catalog/types';
import { ok, only } from './harness';

/** Runs a stack of layers, summing what the model summary would show. */
class Stack {
  trainable = 0n;
  nonTrainable = 0n;
  macs = 0n;
  add(entry: LayerEntry, input: Shape, args: Record<string, unknown> = {}): Shape {
    const r = ok(entry, input, args);
    this.trainable += r.trainable;
    this.nonTrainable += r.nonTrainable;
    this.macs += r.macs;
    return r.output;
  }
}

test('conv2d: LeNet-5 first layer, 6@5x5 on [32, 32, 1]', () => {
  const r = ok(conv2d, [32, 32, 1], { filters: 6, kernel: [5, 5] });
  assert.deepEqual(r.output, [28, 28, 6]);
  assert.equal(r.trainable, 156n);
  assert.equal(r.nonTrainable, 0n);
  assert.equal(r.macs, 117_600n);
});

test('conv2d: VGG16 first layer, 64@3x3 same on [224, 224, 3]', () => {
  const r = ok(conv2d, [224, 224, 3], { filters: 64, kernel: [3, 3], padding: 'same' });
  assert.deepEqual(r.output, [224, 224, 64]);
  assert.equal(r.trainable, 1_792n);
  assert.equal(r.macs, 86_704_128n);
});

test('conv2d: ResNet stem, 64@7x7 stride 2 same without bias', () => {
  const r = ok(conv2d, [224, 224, 3], { filters: 64, kernel: [7, 7], stride: [2, 2], padding: 'same', use_bias: false });
  assert.deepEqual(r.output, [112, 112, 64]);
  assert.equal(r.trainable, 9_408n);
  assert.equal(r.macs, 118_013_952n);
});

test('conv2d: rectangular kernel and stride (TensorFlow.js: [5, 5, 5], 230 params)', () => {
  const r = ok(conv2d, [11, 17, 3], { filters: 5, kernel: [3, 5], stride: [2, 3] });
  assert.deepEqual(r.output, [5, 5, 5]);
  assert.equal(r.trainable, 230n); // 3·5·3·5 + 5
  assert.equal(r.macs, 5n * 5n * 5n * 15n * 3n);
});

test('conv2d: a bare number for an int_pair means a square window', () => {
  const r = ok(conv2d, [32, 32, 1], { filters: 6, kernel: 5, stride: 1, dilation: 1 });
  assert.deepEqual(r.output, [28, 28, 6]);
});

test('conv2d: same padding with stride rounds up', () => {
  const r = ok(conv2d, [7, 9, 2], { filters: 4, kernel: [3, 3], stride: [2, 2], padding: 'same' });
  assert.deepEqual(r.output, [4, 5, 4]);
  assert.equal(r.macs, 4n * 5n * 4n * 9n * 2n);
});

test('conv2d: dilation widens the window (TensorFlow.js: [6, 8, 8], 296 params)', () => {
  const r = ok(conv2d, [10, 12, 4], { filters: 8, kernel: [3, 3], dilation: [2, 2] });
  assert.deepEqual(r.output, [6, 8, 8]);
  assert.equal(r.trainable, 296n);
  assert.equal(r.macs, 6n * 8n * 8n * 9n * 4n); // 13,824: dilation adds no MACs
});

test('conv2d: grouped convolution divides weights and MACs by groups (ResNeXt 32x4d)', () => {
  const r = ok(conv2d, [56, 56, 128], { filters: 128, kernel: [3, 3], padding: 'same', groups: 32 });
  assert.deepEqual(r.output, [56, 56, 128]);
  assert.equal(r.trainable, 3n * 3n * 4n * 128n + 128n); // 4,736
  assert.equal(r.macs, 14_450_688n); // 56·56·128·9·128/32
});

test('conv2d: counts stay exact beyond 2^53', () => {
  const big = 2 ** 20;
  const r = ok(conv2d, [big, big, big], { filters: big, kernel: [1, 1], use_bias: false });
  assert.deepEqual(r.output, [big, big, big]);
  assert.equal(r.trainable, 2n ** 40n);
  assert.equal(r.macs, 2n ** 80n);
});

test('conv1d: dilated and strided cases (TensorFlow.js: 656 and 528 params)', () => {
  const dilated = ok(conv1d, [50, 8], { filters: 16, kernel: 5, dilation: 2 });
  assert.deepEqual(dilated.output, [42, 16]);
  assert.equal(dilated.trainable, 656n);
  assert.equal(dilated.macs, 42n * 16n * 5n * 8n);

  const strided = ok(conv1d, [50, 8], { filters: 16, kernel: 4, stride: 3, padding: 'same' });
  assert.deepEqual(strided.output, [17, 16]);
  assert.equal(strided.trainable, 528n);
  assert.equal(strided.macs, 17n * 16n * 4n * 8n);
});

test('conv1d: groups and use_bias', () => {
  const r = ok(conv1d, [100, 6], { filters: 9, kernel: 3, groups: 3, use_bias: false });
  assert.deepEqual(r.output, [98, 9]);
  assert.equal(r.trainable, 3n * 2n * 9n);
  assert.equal(r.macs, 98n * 9n * 3n * 2n);
});

test('depthwise_conv2d: depth multiplier (TensorFlow.js: [7, 7, 10], 100 params)', () => {
  const r = ok(depthwise_conv2d, [9, 9, 5], { kernel: [3, 3], depth_multiplier: 2 });
  assert.deepEqual(r.output, [7, 7, 10]);
  assert.equal(r.trainable, 100n);
  assert.equal(r.macs, 7n * 7n * 10n * 9n);
});

test('depthwise_conv2d: MobileNet 3x3 on [112, 112, 32], with and without bias', () => {
  const r = ok(depthwise_conv2d, [112, 112, 32], { kernel: [3, 3], padding: 'same' });
  assert.deepEqual(r.output, [112, 112, 32]);
  assert.equal(r.trainable, 320n);
  assert.equal(r.macs, 3_612_672n);
  const strided = ok(depthwise_conv2d, [9, 9, 32], { kernel: [3, 3], stride: [2, 2], padding: 'same', use_bias: false });
  assert.deepEqual(strided.output, [5, 5, 32]);
  assert.equal(strided.trainable, 288n);
  assert.equal(strided.macs, 5n * 5n * 32n * 9n);
});

test('depthwise_conv2d: dilation follows the conv2d rule', () => {
  const r = ok(depthwise_conv2d, [20, 20, 3], { kernel: [3, 3], dilation: [2, 2] });
  assert.deepEqual(r.output, [16, 16, 3]);
  assert.equal(r.macs, 16n * 16n * 3n * 9n);
});

test('separable_conv2d: depthwise + pointwise (TensorFlow.js: 266 and 2,400 params)', () => {
  const r = ok(separable_conv2d, [9, 9, 5], { filters: 16, kernel: [3, 3], depth_multiplier: 2 });
  assert.deepEqual(r.output, [7, 7, 16]);
  assert.equal(r.trainable, 266n); // 9·10 + 10·16 + 16
  assert.equal(r.macs, 4_410n + 7_840n);

  const xception = ok(separable_conv2d, [32, 32, 32], { filters: 64, kernel: [3, 3], padding: 'same' });
  assert.deepEqual(xception.output, [32, 32, 64]);
  assert.equal(xception.trainable, 2_400n);
  assert.equal(xception.macs, 294_912n + 2_097_152n);

  const noBias = ok(separable_conv2d, [32, 32, 32], { filters: 64, kernel: [3, 3], padding: 'same', use_bias: false });
  assert.equal(noBias.trainable, 2_336n);
});

test('LeNet-5 through the catalogue: 61,706 params, 416,520 MACs', () => {
  const s = new Stack();
  let x = s.add(conv2d, [32, 32, 1], { filters: 6, kernel: [5, 5] });
  x = s.add(avgpool2d, x, { pool: [2, 2] });
  x = s.add(conv2d, x, { filters: 16, kernel: [5, 5] });
  x = s.add(avgpool2d, x, { pool: [2, 2] });
  x = s.add(flatten, x);
  assert.deepEqual(x, [400]);
  for (const units of [120, 84, 10]) x = s.add(dense, x, { units });
  assert.equal(s.trainable, 61_706n);
  assert.equal(s.macs, 416_520n);
});

test('VGG16 through the catalogue: 138,357,544 params, 15,470,264,320 MACs', () => {
  const s = new Stack();
  let x: Shape = [224, 224, 3];
  for (const [convs, filters] of [[2, 64], [2, 128], [3, 256], [3, 512], [3, 512]]) {
    for (let i = 0; i < convs; i++) x = s.add(conv2d, x, { filters, kernel: [3, 3], padding: 'same', activation: 'relu' });
    x = s.add(maxpool2d, x, { pool: [2, 2] });
  }
  assert.deepEqual(x, [7, 7, 512]);
  x = s.add(flatten, x);
  x = s.add(dense, x, { units: 4096 });
  x = s.add(dense, x, { units: 4096 });
  x = s.add(dense, x, { units: 1000 });
  assert.equal(s.trainable, 138_357_544n);
  assert.equal(s.macs, 15_470_264_320n);
});

test('ResNet-50 through the catalogue: 25,557,032 + 53,120 params, 4,089,184,256 MACs', () => {
  const s = new Stack();
  const convBn = (x: Shape, filters: number, k: number, stride: number) =>
    s.add(batchnorm, s.add(conv2d, x, { filters, kernel: [k, k], stride: [stride, stride], padding: 'same', use_bias: false }));
  let x = convBn([224, 224, 3], 64, 7, 2);
  x = s.add(maxpool2d, x, { pool: [3, 3], stride: [2, 2], padding: 'same' });
  for (const [blocks, width, firstStride] of [[3, 64, 1], [4, 128, 2], [6, 256, 2], [3, 512, 2]]) {
    for (let b = 0; b < blocks; b++) {
      const stride = b === 0 ? firstStride : 1;
      const branch = convBn(convBn(convBn(x, width, 1, 1), width, 3, stride), 4 * width, 1, 1);
      if (b === 0) assert.deepEqual(convBn(x, 4 * width, 1, stride), branch); // projection shortcut
      x = branch;
    }
  }
  assert.deepEqual(x, [7, 7, 2048]);
  x = s.add(global_avgpool, x);
  s.add(dense, x, { units: 1000 });
  assert.equal(s.trainable, 25_557_032n);
  assert.equal(s.nonTrainable, 53_120n);
  assert.equal(s.macs, 4_089_184_256n);
});

test('rank-mismatch: conv2d on a sequence points to conv1d', () => {
  const { result, report } = only(conv2d, [100, 8], { filters: 4, kernel: [3, 3] });
  assert.equal(result, undefined);
  assert.equal(report.code, 'rank-mismatch');
  assert.match(report.message, /\[H, W, C\]/);
  assert.match(report.message, /\[100, 8\]/);
  assert.match(report.message, /conv1d/);
  assert.deepEqual(report.data, { expectedRanks: [3], actual: 2 });
});

test('rank-mismatch: conv2d on a flat vector suggests a square reshape', () => {
  const { report } = only(conv2d, [784], { filters: 4, kernel: [3, 3] });
  assert.equal(report.code, 'rank-mismatch');
  assert.match(report.message, /reshape\(\[28, 28, 1\]\)/);
  assert.deepEqual(report.data, { expectedRanks: [3], actual: 1, reshape: [28, 28, 1] });
  assert.match(only(conv2d, [10], { filters: 4, kernel: [3, 3] }).report.message, /reshape\(\[10, 1, 1\]\)/);
});

test('rank-mismatch: conv1d on an image points to conv2d; depthwise and separable need images', () => {
  const c1 = only(conv1d, [28, 28, 1], { filters: 4, kernel: 3 });
  assert.equal(c1.report.code, 'rank-mismatch');
  assert.match(c1.report.message, /\[T, C\]/);
  assert.match(c1.report.message, /conv2d/);
  assert.deepEqual(c1.report.data, { expectedRanks: [2], actual: 3 });
  assert.match(only(conv1d, [64], { filters: 4, kernel: 3 }).report.message, /reshape\(\[64, 1\]\)/);
  for (const entry of [depthwise_conv2d, separable_conv2d]) {
    const r = only(entry, [100, 8], { filters: 4, kernel: [3, 3] });
    assert.equal(r.result, undefined);
    assert.equal(r.report.code, 'rank-mismatch');
    assert.deepEqual(r.report.data, { expectedRanks: [3], actual: 2 });
  }
  assert.equal(only(conv2d, [2, 8, 8, 3], { filters: 4, kernel: [3, 3] }).report.code, 'rank-mismatch');
});

test('kernel-too-large: a valid-padded kernel larger than its input', () => {
  const { result, report } = only(conv2d, [3, 3, 3], { filters: 4, kernel: [5, 5] });
  assert.equal(result, undefined);
  assert.equal(report.code, 'kernel-too-large');
  assert.equal(report.arg, 'kernel');
  assert.match(report.message, /5×5/);
  assert.match(report.message, /3×3/);
  assert.match(report.message, /padding: same/);
  assert.deepEqual(report.data?.maxWindow, [3, 3]);
  assert.deepEqual(ok(conv2d, [3, 3, 3], { filters: 4, kernel: [5, 5], padding: 'same' }).output, [3, 3, 4]);
});

test('kernel-too-large: one axis too small, dilation, conv1d, depthwise and separable', () => {
  const axis = only(conv2d, [10, 4, 1], { filters: 2, kernel: [3, 5] });
  assert.equal(axis.report.code, 'kernel-too-large');
  assert.deepEqual(axis.report.data?.maxWindow, [3, 4]);

  const dilated = only(conv2d, [5, 5, 1], { filters: 2, kernel: [3, 3], dilation: [4, 4] });
  assert.equal(dilated.report.code, 'kernel-too-large');
  assert.match(dilated.report.message, /spans 9×9/);
  assert.deepEqual(dilated.report.data?.maxWindow, [2, 2]);

  const seq = only(conv1d, [5, 2], { filters: 2, kernel: 7 });
  assert.equal(seq.report.code, 'kernel-too-large');
  assert.equal(seq.report.arg, 'kernel');
  assert.match(seq.report.message, /\(7\)/);

  for (const entry of [depthwise_conv2d, separable_conv2d]) {
    const r = only(entry, [2, 2, 8], { filters: 4, kernel: [3, 3] });
    assert.equal(r.result, undefined);
    assert.equal(r.report.code, 'kernel-too-large');
    assert.equal(r.report.arg, 'kernel');
  }
});

test('groups-mismatch: channels or filters not divisible by groups', () => {
  const channels = only(conv2d, [8, 8, 64], { filters: 48, kernel: [3, 3], groups: 3 });
  assert.equal(channels.result, undefined);
  assert.equal(channels.report.code, 'groups-mismatch');
  assert.equal(channels.report.arg, 'groups');
  assert.match(channels.report.message, /64 \(input channels\)/);
  assert.doesNotMatch(channels.report.message, /\(filters\)/);
  assert.match(channels.report.message, /e\.g\. 1, 2, 4, 8, 16\./);
  assert.deepEqual(channels.report.data?.suggestions, ['2', '4', '1']);

  const filters = only(conv2d, [8, 8, 64], { filters: 30, kernel: [3, 3], groups: 4 });
  assert.equal(filters.report.code, 'groups-mismatch');
  assert.match(filters.report.message, /30 \(filters\)/);

  const seq = only(conv1d, [20, 6], { filters: 8, kernel: 3, groups: 4 });
  assert.equal(seq.report.code, 'groups-mismatch');
  assert.equal(seq.report.arg, 'groups');
});

test('stride and dilation above 1 together are reported, the shape still inferred', () => {
  for (const [entry, input, args] of [
    [conv2d, [20, 20, 3], { filters: 4, kernel: [3, 3], stride: [2, 2], dilation: [2, 2] }],
    [conv1d, [20, 3], { filters: 4, kernel: 3, stride: 2, dilation: 2 }],
    [depthwise_conv2d, [20, 20, 3], { kernel: [3, 3], stride: [2, 2], dilation: [2, 2] }],
    [separable_conv2d, [20, 20, 3], { filters: 4, kernel: [3, 3], stride: [2, 2], dilation: [2, 2] }],
  ] as const) {
    const r = only(entry, input, args);
    assert.equal(r.report.code, 'value-out-of-range');
    assert.equal(r.report.arg, 'dilation');
    assert.ok(r.result);
    assert.equal(r.result.output[0], 8);
  }
});

test('size-overflow: a depth multiplier that makes too many channels', () => {
  const r = only(depthwise_conv2d, [4, 4, 2 ** 30], { kernel: [1, 1], depth_multiplier: 2 ** 20 });
  assert.equal(r.result, undefined);
  assert.equal(r.report.code, 'size-overflow');
  assert.equal(r.report.arg, 'depth_multiplier');
});

test('convolution entries: documented arguments with ranges', () => {
  assert.deepEqual(
    convolutionEntries.map((e) => e.name),
    ['conv1d', 'conv2d', 'depthwise_conv2d', 'separable_conv2d'],
  );
  for (const entry of convolutionEntries) {
    assert.equal(entry.family, 'convolution');
    assert.ok(entry.summary && !entry.summary.includes('\n'));
    assert.match(entry.doc, /\*\*Params\*\*/);
    assert.match(entry.doc, /\*\*MACs\*\*/);
    for (const arg of entry.args) {
      assert.ok(arg.doc, `${entry.name}.${arg.name} has a doc`);
      if (arg.type === 'int' || arg.type === 'int_pair') {
        assert.equal(arg.min, 1, `${entry.name}.${arg.name}`);
        assert.equal(arg.max, MAX_DIM, `${entry.name}.${arg.name}`);
      }
    }
  }
  const spec = (name: string) => conv2d.args.find((a) => a.name === name);
  assert.deepEqual(
    conv2d.args.map((a) => a.name),
    ['filters', 'kernel', 'stride', 'padding', 'dilation', 'groups', 'activation', 'use_bias'],
  );
  assert.equal(spec('kernel')?.type, 'int_pair');
  assert.equal(spec('kernel')?.required, true);
  assert.deepEqual(spec('stride')?.default, [1, 1]);
  assert.deepEqual(
    conv1d.args.map((a) => [a.name, a.default]),
    [['filters', undefined], ['kernel', undefined], ['stride', 1], ['padding', 'valid'], ['dilation', 1], ['groups', 1], ['activation', 'linear'], ['use_bias', true]],
  );
  assert.deepEqual(
    depthwise_conv2d.args.map((a) => a.name),
    ['kernel', 'stride', 'padding', 'depth_multiplier', 'dilation', 'activation', 'use_bias'],
  );
  assert.deepEqual(
    separable_conv2d.args.map((a) => a.name),
    ['filters', 'kernel', 'stride', 'padding', 'depth_multiplier', 'dilation', 'activation', 'use_bias'],
  );
});

// Explicit padding follows PyTorch: out = floor((in + 2p − ((k−1)·d+1)) / stride) + 1, with the MACs of the output it gives.
test('conv2d padding: p: AlexNet first layer 64@11x11 stride 4 padding 2 on [224, 224, 3] (torchvision: [64, 55, 55], 23,296 params)', () => {
  const r = ok(conv2d, [224, 224, 3], { filters: 64, kernel: [11, 11], stride: [4, 4], padding: 2 });
  assert.deepEqual(r.output, [55, 55, 64]);
  assert.equal(r.trainable, 23_296n);
  assert.equal(r.macs, 55n * 55n * 64n * 11n * 11n * 3n);
  // TensorFlow's `same` would give 56×56 here: the padding that torchvision writes matters.
  assert.deepEqual(ok(conv2d, [224, 224, 3], { filters: 64, kernel: [11, 11], stride: [4, 4], padding: 'same' }).output, [56, 56, 64]);
});

test('conv2d padding: a pair pads each axis, dilation widens the window, stride rounds down', () => {
  assert.deepEqual(ok(conv2d, [7, 10, 2], { filters: 3, kernel: [3, 5], padding: [1, 2] }).output, [7, 10, 3]);
  assert.deepEqual(ok(conv2d, [9, 9, 2], { filters: 4, kernel: [3, 3], dilation: [2, 2], padding: 2 }).output, [9, 9, 4]);
  assert.deepEqual(ok(conv2d, [8, 8, 3], { filters: 4, kernel: [3, 3], stride: [2, 2], padding: 1 }).output, [4, 4, 4]);
  assert.deepEqual(ok(conv2d, [5, 5, 1], { filters: 1, kernel: [1, 1], padding: 3 }).output, [11, 11, 1]);
  const dw = ok(depthwise_conv2d, [112, 112, 32], { kernel: [3, 3], stride: [2, 2], padding: 1, use_bias: false });
  assert.deepEqual(dw.output, [56, 56, 32]);
  assert.equal(dw.macs, 56n * 56n * 32n * 9n);
  assert.deepEqual(ok(separable_conv2d, [8, 8, 3], { filters: 5, kernel: [3, 3], padding: [1, 0] }).output, [8, 6, 5]);
});

test('conv1d padding: p on both ends; a pair or per-side sizes are refused with the layer that does it', () => {
  const r = ok(conv1d, [10, 4], { filters: 6, kernel: 5, stride: 2, padding: 2 });
  assert.deepEqual(r.output, [5, 6]);
  assert.equal(r.macs, 5n * 6n * 5n * 4n);
  const pair = only(conv1d, [10, 4], { filters: 6, kernel: 3, padding: [1, 2] });
  assert.equal(pair.report.code, 'argument-type');
  assert.equal(pair.report.arg, 'padding');
  assert.match(pair.report.message, /zero_padding1d\(\[left, right\]\)/);
  assert.equal(pair.result, undefined);
  const sides = only(conv2d, [8, 8, 1], { filters: 2, kernel: 3, padding: [0, 1, 0, 1] });
  assert.equal(sides.report.code, 'argument-type');
  assert.match(sides.report.message, /zero_padding2d\(\[\[top, bottom\], \[left, right\]\]\)/);
});

test('kernel-too-large with explicit padding speaks of the padded input', () => {
  const r = only(conv2d, [3, 3, 1], { filters: 2, kernel: [7, 7], padding: 1 });
  assert.equal(r.report.code, 'kernel-too-large');
  assert.match(r.report.message, /padded input \(5×5\)/);
  assert.deepEqual(r.report.data?.maxWindow, [5, 5]);
  assert.deepEqual(ok(conv2d, [3, 3, 1], { filters: 2, kernel: [7, 7], padding: 2 }).output, [1, 1, 2]);
});
