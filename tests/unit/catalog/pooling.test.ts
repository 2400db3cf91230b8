import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DIM } from '../../../server/src/catalog/common';
import {
  adaptive_avgpool1d,
  adaptive_avgpool2d,
  adaptive_maxpool1d,
  adaptive_maxpool2d,
  avgpool1d,
  avgpool2d,
  global_avgpool,
  global_maxpool,
  maxpool1d,
  maxpool2d,
  poolingEntries,
} from '../../../server/src/catalog/pooling';
import { okFree as ok, onlyRefused as only } from './harness';

test('maxpool2d: ResNet stem pool 3 stride 2 same on [112, 112, 64]', () => {
  assert.deepEqual(ok(maxpool2d, [112, 112, 64], { pool: [3, 3], stride: [2, 2], padding: 'same' }), [56, 56, 64]);
});

test('maxpool2d and avgpool2d: stride defaults to the pool size', () => {
  for (const entry of [maxpool2d, avgpool2d]) {
    assert.deepEqual(ok(entry, [28, 28, 6]), [14, 14, 6]);
    assert.deepEqual(ok(entry, [7, 7, 3], { pool: [2, 2] }), [3, 3, 3]);
    assert.deepEqual(ok(entry, [9, 8, 1], { pool: [3, 2] }), [3, 4, 1]);
    assert.deepEqual(ok(entry, [9, 8, 1], { pool: 3 }), [3, 2, 1]);
    assert.deepEqual(ok(entry, [7, 7, 3], { pool: [2, 2], padding: 'same' }), [4, 4, 3]);
    assert.deepEqual(ok(entry, [10, 10, 3], { pool: [3, 3], stride: [1, 1] }), [8, 8, 3]);
  }
});

test('maxpool1d and avgpool1d on [T, C]', () => {
  for (const entry of [maxpool1d, avgpool1d]) {
    assert.deepEqual(ok(entry, [10, 4]), [5, 4]);
    assert.deepEqual(ok(entry, [10, 4], { pool: 3 }), [3, 4]);
    assert.deepEqual(ok(entry, [10, 4], { pool: 3, stride: 1, padding: 'same' }), [10, 4]);
    assert.deepEqual(ok(entry, [10, 4], { pool: 3, stride: 2 }), [4, 4]);
  }
});

test('global pooling: [H, W, C] and [T, C] to [C]', () => {
  for (const entry of [global_avgpool, global_maxpool]) {
    assert.deepEqual(ok(entry, [7, 7, 512]), [512]);
    assert.deepEqual(ok(entry, [128, 64]), [64]);
  }
});

test('rank-mismatch: 2-D pooling on a sequence points to the 1-D layer, and back', () => {
  const seq = only(maxpool2d, [10, 4]);
  assert.equal(seq.code, 'rank-mismatch');
  assert.match(seq.message, /maxpool1d/);
  assert.deepEqual(seq.data, { expectedRanks: [3], actual: 2 });
  assert.match(only(avgpool2d, [10, 4]).message, /avgpool1d/);
  assert.match(only(maxpool2d, [784]).message, /reshape\(\[28, 28, 1\]\)/);

  const img = only(maxpool1d, [8, 8, 3]);
  assert.equal(img.code, 'rank-mismatch');
  assert.match(img.message, /maxpool2d/);
  assert.deepEqual(img.data, { expectedRanks: [2], actual: 3 });
  assert.match(only(avgpool1d, [8, 8, 3]).message, /avgpool2d/);
  assert.match(only(avgpool1d, [8]).message, /reshape\(\[8, 1\]\)/);
});

test('rank-mismatch: global pooling on a flat vector says to remove it', () => {
  for (const entry of [global_avgpool, global_maxpool]) {
    const r = only(entry, [10]);
    assert.equal(r.code, 'rank-mismatch');
    assert.match(r.message, new RegExp(`remove ${entry.name}`));
    assert.deepEqual(r.data, { expectedRanks: [2, 3], actual: 1 });
  }
  assert.equal(only(global_avgpool, [2, 4, 4, 3]).code, 'rank-mismatch');
});

test('kernel-too-large: a pooling window larger than its valid-padded input', () => {
  const r = only(maxpool2d, [2, 2, 8], { pool: [3, 3] });
  assert.equal(r.code, 'kernel-too-large');
  assert.equal(r.arg, 'pool');
  assert.match(r.message, /3×3/);
  assert.match(r.message, /2×2/);
  assert.match(r.message, /padding: same/);
  assert.deepEqual(r.data?.maxWindow, [2, 2]);
  assert.deepEqual(ok(maxpool2d, [2, 2, 8], { pool: [3, 3], padding: 'same' }), [1, 1, 8]);

  const seq = only(avgpool1d, [1, 4]);
  assert.equal(seq.code, 'kernel-too-large');
  assert.equal(seq.arg, 'pool');
});

test('pooling entries: documented arguments with ranges', () => {
  assert.deepEqual(
    poolingEntries.map((e) => e.name),
    ['maxpool1d', 'avgpool1d', 'maxpool2d', 'avgpool2d', 'global_avgpool', 'global_maxpool', 'adaptive_avgpool1d', 'adaptive_maxpool1d', 'adaptive_avgpool2d', 'adaptive_maxpool2d'],
  );
  for (const entry of poolingEntries) {
    assert.equal(entry.family, 'pooling');
    assert.match(entry.doc, /\*\*Params\*\*: 0/);
    assert.match(entry.doc, /\*\*MACs\*\*: 0/);
    for (const arg of entry.args) {
      assert.ok(arg.doc);
      if (arg.type === 'int' || arg.type === 'int_pair') assert.deepEqual([arg.min, arg.max], [1, MAX_DIM]);
    }
  }
  const spec = (name: string) => maxpool2d.args.find((a) => a.name === name);
  assert.deepEqual(maxpool2d.args.map((a) => a.name), ['pool', 'stride', 'padding']);
  assert.deepEqual(spec('pool')?.default, [2, 2]);
  assert.equal(spec('stride')?.type, 'int_pair');
  assert.equal(spec('stride')?.default, undefined);
  assert.equal(maxpool1d.args[0].default, 2);
  assert.equal(maxpool1d.args[1].default, undefined);
  assert.deepEqual(global_avgpool.args, []);
});

// Explicit padding follows PyTorch: out = floor((in + 2p − pool) / stride) + 1, as torchvision writes its pools.
test('explicit padding: torchvision pools (ResNet stem, Inception branch pool) and per-axis pairs', () => {
  assert.deepEqual(ok(maxpool2d, [112, 112, 64], { pool: [3, 3], stride: [2, 2], padding: 1 }), [56, 56, 64]);
  assert.deepEqual(ok(avgpool2d, [35, 35, 192], { pool: [3, 3], stride: [1, 1], padding: 1 }), [35, 35, 192]);
  assert.deepEqual(ok(maxpool2d, [9, 8, 2], { pool: [3, 2], stride: [2, 2], padding: [1, 0] }), [5, 4, 2]);
  assert.deepEqual(ok(avgpool2d, [7, 7, 2], { pool: [2, 2], padding: 0 }), [3, 3, 2]);
  for (const entry of [maxpool1d, avgpool1d]) assert.deepEqual(ok(entry, [10, 4], { pool: 3, stride: 2, padding: 1 }), [5, 4]);
});

test('explicit padding: more than half the window, a pair on one axis, per-side sizes are reported on padding', () => {
  const half = only(maxpool2d, [8, 8, 1], { pool: [3, 3], padding: 2 });
  assert.equal(half.code, 'value-out-of-range');
  assert.equal(half.arg, 'padding');
  assert.match(half.message, /at most 1×1/);
  assert.deepEqual(half.data, { padding: [2, 2], pool: [3, 3], max: [1, 1] });
  assert.equal(only(avgpool1d, [8, 1], { pool: 2, padding: 2 }).code, 'value-out-of-range');

  const pair = only(maxpool1d, [8, 1], { pool: 3, padding: [1, 1] });
  assert.equal(pair.code, 'argument-type');
  assert.equal(pair.arg, 'padding');
  assert.match(pair.message, /zero_padding1d\(\[left, right\]\)/);
  const sides = only(maxpool2d, [8, 8, 1], { pool: 3, padding: [1, 0, 1, 0] });
  assert.equal(sides.code, 'argument-type');
  assert.match(sides.message, /padding \[\[1, 0\], \[1, 0\]\]/);
  assert.match(sides.message, /zero_padding2d/);

  const small = only(maxpool2d, [2, 2, 1], { pool: [5, 5], padding: 1 });
  assert.equal(small.code, 'kernel-too-large');
  assert.match(small.message, /padded input \(4×4\)/);
  assert.deepEqual(small.data?.maxWindow, [4, 4]);
});

test('adaptive pooling: a fixed output size whatever the input, smaller or larger', () => {
  for (const entry of [adaptive_avgpool2d, adaptive_maxpool2d]) {
    assert.deepEqual(ok(entry, [13, 13, 256], { size: [6, 6] }), [6, 6, 256]);
    assert.deepEqual(ok(entry, [7, 7, 512], { size: [7, 7] }), [7, 7, 512]);
    assert.deepEqual(ok(entry, [5, 9, 3], { size: [6, 2] }), [6, 2, 3]);
    assert.deepEqual(ok(entry, [4, 4, 3], { size: 1 }), [1, 1, 3]);
  }
  for (const entry of [adaptive_avgpool1d, adaptive_maxpool1d]) {
    assert.deepEqual(ok(entry, [10, 3], { size: 4 }), [4, 3]);
    assert.deepEqual(ok(entry, [3, 2], { size: 5 }), [5, 2]);
  }
  assert.deepEqual(adaptive_avgpool2d.args.map((a) => [a.name, a.type, a.required]), [['size', 'int_pair', true]]);
  assert.deepEqual(adaptive_maxpool1d.args.map((a) => [a.name, a.type, a.required]), [['size', 'int', true]]);
});

test('adaptive pooling: rank-mismatch points to the other rank or a reshape', () => {
  const seq = only(adaptive_avgpool2d, [10, 4], { size: 2 });
  assert.equal(seq.code, 'rank-mismatch');
  assert.match(seq.message, /adaptive_avgpool1d/);
  assert.match(only(adaptive_maxpool1d, [4, 4, 3], { size: 2 }).message, /adaptive_maxpool2d/);
  assert.match(only(adaptive_maxpool2d, [784], { size: 2 }).message, /reshape\(\[28, 28, 1\]\)/);
  assert.match(only(adaptive_avgpool1d, [8], { size: 2 }).message, /reshape\(\[8, 1\]\)/);
});
