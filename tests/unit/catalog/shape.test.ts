import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropout, flatten, reshape, shapeEntries } from '../../../server/src/catalog/shape';
import { okFree as ok, onlyRefused as only } from './harness';

test('flatten: every element on one axis', () => {
  assert.deepEqual(ok(flatten, [5, 5, 16]), [400]);
  assert.deepEqual(ok(flatten, [7, 7, 512]), [25_088]);
  assert.deepEqual(ok(flatten, [128, 64]), [8_192]);
  assert.deepEqual(ok(flatten, [10]), [10]);
});

test('flatten: an axis beyond 2^40 elements is size-overflow', () => {
  const r = only(flatten, [2 ** 30, 2 ** 30, 2]);
  assert.equal(r.code, 'size-overflow');
  assert.match(r.message, /2305843009213693952/);
});

test('reshape: explicit shape and one inferred -1', () => {
  assert.deepEqual(ok(reshape, [784], { shape: [28, 28, 1] }), [28, 28, 1]);
  assert.deepEqual(ok(reshape, [784], { shape: [-1, 28, 1] }), [28, 28, 1]);
  assert.deepEqual(ok(reshape, [8, 8, 3], { shape: [-1] }), [192]);
  assert.deepEqual(ok(reshape, [10, 6], { shape: [3, -1, 5] }), [3, 4, 5]);
});

test('reshape-size: element counts differ, naming both', () => {
  const r = only(reshape, [784], { shape: [28, 27, 1] });
  assert.equal(r.code, 'reshape-size');
  assert.equal(r.arg, 'shape');
  assert.match(r.message, /756/);
  assert.match(r.message, /784/);
  assert.match(r.message, /-1/);
  assert.deepEqual(r.data, { inputElements: '784', targetElements: '756' });
});

test('reshape-size: a -1 that cannot make the counts equal', () => {
  const r = only(reshape, [100], { shape: [-1, 7] });
  assert.equal(r.code, 'reshape-size');
  assert.equal(r.arg, 'shape');
  assert.match(r.message, /100/);
  assert.match(r.message, /\b7\b/);
});

test('reshape: more than one -1 is reported on the shape', () => {
  const r = only(reshape, [100], { shape: [-1, -1] });
  assert.equal(r.code, 'value-out-of-range');
  assert.equal(r.arg, 'shape');
});

test('reshape: an inferred axis beyond 2^40 is size-overflow', () => {
  const r = only(reshape, [2 ** 30, 2 ** 30, 2], { shape: [2, -1] });
  assert.equal(r.code, 'size-overflow');
  assert.equal(r.arg, 'shape');
});

test('dropout: shape unchanged', () => {
  assert.deepEqual(ok(dropout, [128], { rate: 0.5 }), [128]);
  assert.deepEqual(ok(dropout, [10, 10, 3], { rate: 0 }), [10, 10, 3]);
});

test('shape entries: documented arguments with ranges', () => {
  assert.deepEqual(shapeEntries.map((e) => e.name), ['flatten', 'reshape', 'dropout']);
  for (const entry of shapeEntries) {
    assert.equal(entry.family, 'shape');
    assert.match(entry.doc, /\*\*Params\*\*: 0/);
    for (const arg of entry.args) assert.ok(arg.doc);
  }
  assert.deepEqual(flatten.args, []);
  const shape = reshape.args[0];
  assert.deepEqual([shape.name, shape.type, shape.required, shape.min], ['shape', 'shape', true, -1]);
  const rate = dropout.args[0];
  assert.deepEqual(
    [rate.name, rate.type, rate.required, rate.min, rate.max, rate.maxExclusive, rate.minExclusive],
    ['rate', 'number', true, 0, 1, true, undefined],
  );
});
