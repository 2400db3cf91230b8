import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DIM } from '../../../server/src/catalog/common';
import {
  avgpool1d,
  avgpool2d,
  global_avgpool,
  global_maxpool,
  maxpool1d,
  maxpool2d,
  poolingEntries,
} from '../../../server/src/catalog/pooling';
import type { LayerEntry, Shape } from '../../../server/src/catalog/types';
import { runLayer } from './harness';

function ok(entry: LayerEntry, input: Shape, args: Record<string, unknown> = {}) {
  const { result, reports } = runLayer(entry, input, args);
  assert.deepEqual(reports, []);
  assert.ok(result);
  assert.equal(result.trainable, 0n);
  assert.equal(result.nonTrainable, 0n);
  assert.equal(result.macs, 0n);
  return result.output;
}

function only(entry: LayerEntry, input: Shape, args: Record<string, unknown> = {}) {
  const run = runLayer(entry, input, args);
  assert.equal(run.reports.length, 1, JSON.stringify(run.reports));
  assert.equal(run.result, undefined);
  return run.reports[0];
}

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
    ['maxpool1d', 'avgpool1d', 'maxpool2d', 'avgpool2d', 'global_avgpool', 'global_maxpool'],
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
