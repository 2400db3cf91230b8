import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchnorm, layernorm, normalizationEntries } from '../../../server/src/catalog/normalization';
import { runLayer } from './harness';

test('batchnorm(64): 128 trainable γ/β + 128 non-trainable moving statistics', () => {
  const { result, reports } = runLayer(batchnorm, [56, 56, 64]);
  assert.deepEqual(reports, []);
  assert.deepEqual(result, { output: [56, 56, 64], trainable: 128n, nonTrainable: 128n, macs: 0n });
});

test('batchnorm acts on the last axis of any rank', () => {
  assert.deepEqual(runLayer(batchnorm, [10]).result, { output: [10], trainable: 20n, nonTrainable: 20n, macs: 0n });
  assert.deepEqual(runLayer(batchnorm, [50, 8], { momentum: 0.9, epsilon: 1e-5 }).result, {
    output: [50, 8],
    trainable: 16n,
    nonTrainable: 16n,
    macs: 0n,
  });
});

test('layernorm: 2·d trainable over the last axis (GPT-2 small: 1,536)', () => {
  const { result, reports } = runLayer(layernorm, [1024, 768]);
  assert.deepEqual(reports, []);
  assert.deepEqual(result, { output: [1024, 768], trainable: 1_536n, nonTrainable: 0n, macs: 0n });
  assert.equal(runLayer(layernorm, [7, 7, 32]).result?.trainable, 64n);
});

test('rank-mismatch: normalisation needs a last axis', () => {
  for (const entry of [batchnorm, layernorm]) {
    const { result, reports } = runLayer(entry, []);
    assert.equal(result, undefined);
    assert.equal(reports.length, 1);
    assert.equal(reports[0].code, 'rank-mismatch');
    assert.equal(reports[0].data?.actual, 0);
  }
});

test('normalization entries: arguments, defaults and ranges', () => {
  assert.deepEqual(normalizationEntries.map((e) => e.name), ['batchnorm', 'layernorm']);
  for (const entry of normalizationEntries) {
    assert.equal(entry.family, 'normalization');
    assert.match(entry.doc, /\*\*Params\*\*/);
    assert.match(entry.doc, /\*\*MACs\*\*: 0/);
    for (const arg of entry.args) assert.ok(arg.doc);
  }
  assert.deepEqual(
    batchnorm.args.map((a) => [a.name, a.default, a.min, a.max]),
    [['momentum', 0.99, 0, 1], ['epsilon', 0.001, 0, undefined]],
  );
  assert.equal(batchnorm.args[1].minExclusive, true);
  assert.deepEqual(layernorm.args.map((a) => [a.name, a.default, a.min, a.minExclusive]), [['epsilon', 1e-5, 0, true]]);
});
