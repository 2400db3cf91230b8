import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillNormal, mulberry32, normal, randomInt, shuffle } from '../../../server/src/util/random';

test('the same seed gives the same stream, another seed a different one', () => {
  const a = mulberry32(7);
  const b = mulberry32(7);
  const c = mulberry32(8);
  const sa = Array.from({ length: 5 }, a);
  assert.deepEqual(Array.from({ length: 5 }, b), sa);
  assert.notDeepEqual(Array.from({ length: 5 }, c), sa);
  for (const v of sa) assert.ok(v >= 0 && v < 1);
});

test('uniform values and normal values have the expected moments', () => {
  const r = mulberry32(1);
  let sum = 0;
  for (let i = 0; i < 20000; i++) sum += r();
  assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01);
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < 20000; i++) {
    const v = normal(r, 2, 3);
    s += v;
    s2 += v * v;
  }
  const mean = s / 20000;
  assert.ok(Math.abs(mean - 2) < 0.1, `mean ${mean}`);
  assert.ok(Math.abs(Math.sqrt(s2 / 20000 - mean * mean) - 3) < 0.1);
});

test('randomInt stays in range and reaches both ends', () => {
  const r = mulberry32(3);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(randomInt(r, 5));
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4]);
});

test('shuffle permutes in place, deterministically, for arrays and typed arrays', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const out = shuffle(items, mulberry32(11));
  assert.equal(out, items);
  assert.notDeepEqual(items, Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual([...items].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  const typed = shuffle(Int32Array.from({ length: 50 }, (_, i) => i), mulberry32(11));
  assert.deepEqual(Array.from(typed), items);
});

test('fillNormal fills every slot, odd lengths included, with the given moments', () => {
  const out = new Float64Array(20001);
  fillNormal(out, mulberry32(5), -1, 0.5);
  let s = 0;
  let s2 = 0;
  for (const v of out) {
    s += v;
    s2 += v * v;
  }
  const mean = s / out.length;
  assert.ok(Math.abs(mean + 1) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(Math.sqrt(s2 / out.length - mean * mean) - 0.5) < 0.02);
  assert.notEqual(out[20000], 0);
  const again = new Float64Array(20001);
  fillNormal(again, mulberry32(5), -1, 0.5);
  assert.deepEqual(again, out);
});
