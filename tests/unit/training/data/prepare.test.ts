import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTable, type TableData } from '../../../../server/src/data/table';
import {
  applyNormalization,
  DataError,
  prepareDataset,
  stratifiedSplit,
  type CsvDatasetSpec,
  type PreparedData,
} from '../../../../server/src/training/data/prepare';

const samples = join(__dirname, '..', '..', '..', '..', 'samples', 'data');
const irisPath = join(samples, 'iris.csv');
const digitsPath = join(samples, 'digits.csv');
const iris = readFileSync(irisPath, 'utf8');

function csv(over: Partial<CsvDatasetSpec> = {}): CsvDatasetSpec {
  return { kind: 'csv', path: irisPath, file: 'data/iris.csv', target: 'label', testSplit: 0.2, normalize: 'standard', seed: 7, ...over };
}

function raw(): TableData {
  const t = loadTable(iris, { file: 'iris.csv', target: 'label' });
  if ('error' in t) assert.fail(t.error.message);
  return t;
}

function counts(y: Int32Array, classes: number): number[] {
  const c = new Array<number>(classes).fill(0);
  for (const v of y) c[v]++;
  return c;
}

function thrown(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a DataError');
}

test('iris: 120/30 split, 10 test rows per class, every row in exactly one split', () => {
  const d = prepareDataset(csv());
  assert.equal(d.train.n, 120);
  assert.equal(d.test.n, 30);
  assert.deepEqual(counts(d.test.y, 3), [10, 10, 10]);
  assert.deepEqual(counts(d.train.y, 3), [40, 40, 40]);
  assert.deepEqual(d.labels, ['0', '1', '2']);
  assert.equal(d.classes, 3);
  assert.equal(d.features, 4);
  assert.deepEqual(d.shape, [4]);
  assert.deepEqual(d.featureNames, ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm']);
  const all = [...d.trainIndex, ...d.testIndex].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 150 }, (_, i) => i));
  // Labels travel with their rows.
  const t = raw();
  d.testIndex.forEach((row, i) => assert.equal(d.test.y[i], t.y[row]));
  d.trainIndex.forEach((row, i) => assert.equal(d.train.y[i], t.y[row]));
});

test('the split depends only on labels, fraction and seed: repeatable, the same for every normalisation, different for another seed', () => {
  const a = prepareDataset(csv());
  const b = prepareDataset(csv({ normalize: 'minmax' }));
  const c = prepareDataset(csv({ normalize: 'none' }));
  assert.deepEqual(a.trainIndex, prepareDataset(csv()).trainIndex);
  assert.deepEqual(a.testIndex, b.testIndex);
  assert.deepEqual(a.testIndex, c.testIndex);
  assert.deepEqual(a.train.x, prepareDataset(csv()).train.x);
  const other = prepareDataset(csv({ seed: 8 }));
  assert.notDeepEqual(Array.from(other.testIndex), Array.from(a.testIndex));
  assert.deepEqual(counts(other.test.y, 3), [10, 10, 10]);
});

test('both splits come out shuffled, not grouped by class', () => {
  const d = prepareDataset(csv());
  let changes = 0;
  for (let i = 1; i < d.train.n; i++) if (d.train.y[i] !== d.train.y[i - 1]) changes++;
  assert.ok(changes > 30, `only ${changes} label changes along the training split`);
});

test('stratification by largest remainder: total is round(rows × fraction), each class its share, every class kept in training', () => {
  // 7, 2 and 1 rows of three classes, 30% held out: 3 test rows, shares 2.1, 0.6, 0.3.
  const y = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 2]);
  const { trainIndex, testIndex } = stratifiedSplit(y, 3, 0.3, 1);
  assert.equal(testIndex.length, 3);
  assert.deepEqual(counts(Int32Array.from(testIndex, (i) => y[i]), 3), [2, 1, 0]);
  assert.deepEqual(counts(Int32Array.from(trainIndex, (i) => y[i]), 3), [5, 1, 1]);
  // Half held out of two rows of one class: one each way, never both in test.
  const two = stratifiedSplit(Int32Array.from([0, 0]), 1, 0.5, 3);
  assert.equal(two.testIndex.length, 1);
  assert.equal(two.trainIndex.length, 1);
  // Digits: 1797 rows, 20% → 359 test rows; each class within one row of 20%.
  const t = loadTable(readFileSync(digitsPath, 'utf8'), { file: 'digits.csv', target: 'label' });
  if ('error' in t) assert.fail(t.error.message);
  const s = stratifiedSplit(t.y, 10, 0.2, 7);
  assert.equal(s.testIndex.length, Math.round(1797 * 0.2));
  const testCounts = counts(Int32Array.from(s.testIndex, (i) => t.y[i]), 10);
  t.labelCounts.forEach((c, k) => assert.ok(Math.abs(testCounts[k] - c * 0.2) < 1, `class ${k}: ${testCounts[k]} of ${c}`));
});

test('standard normalisation is fitted on the training rows only and applied to both splits', () => {
  const d = prepareDataset(csv());
  const t = raw();
  assert.equal(d.normalization.kind, 'standard');
  if (d.normalization.kind !== 'standard') return;
  for (let f = 0; f < 4; f++) {
    const trainValues = Array.from(d.trainIndex, (row) => t.x[row * 4 + f]);
    const mean = trainValues.reduce((a, b) => a + b, 0) / trainValues.length;
    const std = Math.sqrt(trainValues.reduce((a, v) => a + (v - mean) ** 2, 0) / trainValues.length);
    assert.ok(Math.abs(d.normalization.mean[f] - mean) < 1e-12, `mean of feature ${f}`);
    assert.ok(Math.abs(d.normalization.std[f] - std) < 1e-12, `std of feature ${f}`);
    // Scaled training data: mean 0, std 1 (to float32 precision).
    const scaled = Array.from({ length: d.train.n }, (_, i) => d.train.x[i * 4 + f]);
    const m = scaled.reduce((a, b) => a + b, 0) / scaled.length;
    const s = Math.sqrt(scaled.reduce((a, v) => a + (v - m) ** 2, 0) / scaled.length);
    assert.ok(Math.abs(m) < 1e-6 && Math.abs(s - 1) < 1e-6, `feature ${f}: mean ${m}, std ${s}`);
    // The test split uses the training statistics, not its own.
    d.testIndex.forEach((row, i) => assert.equal(d.test.x[i * 4 + f], Math.fround((t.x[row * 4 + f] - mean) / std)));
  }
  // Statistics over all 150 rows differ from the training ones: fitting on everything would be caught.
  const allMean = Array.from({ length: 150 }, (_, r) => t.x[r * 4]).reduce((a, b) => a + b, 0) / 150;
  assert.notEqual(d.normalization.mean[0], allMean);
});

test('min-max normalisation maps the training range to [0, 1]; test values may fall outside, unclipped', () => {
  const d = prepareDataset(csv({ normalize: 'minmax' }));
  assert.equal(d.normalization.kind, 'minmax');
  for (let f = 0; f < 4; f++) {
    const values = Array.from({ length: d.train.n }, (_, i) => d.train.x[i * 4 + f]);
    assert.equal(Math.min(...values), 0);
    assert.ok(Math.abs(Math.max(...values) - 1) < 1e-7);
  }
  const text = 'a,b,label\n1,5,x\n2,5,y\n3,5,x\n4,5,y\n10,5,x\n-10,5,y\n';
  const small = prepareDataset({ kind: 'csv', path: 'mem.csv', text, testSplit: 0.34, normalize: 'minmax', seed: 1 });
  // The constant column b becomes 0 (scale 1), not NaN.
  for (const v of [...small.train.x, ...small.test.x]) assert.ok(Number.isFinite(v));
  for (let i = 0; i < small.train.n; i++) assert.equal(small.train.x[i * 2 + 1], 0);
  assert.deepEqual(small.labels, ['x', 'y']);
});

test('applyNormalization re-applies a saved normalisation to new rows exactly as training did', () => {
  const d = prepareDataset(csv());
  const t = raw();
  const saved = JSON.parse(JSON.stringify(d.normalization));
  const rows = new Float64Array(d.test.n * 4);
  d.testIndex.forEach((row, i) => rows.set(t.x.subarray(row * 4, row * 4 + 4), i * 4));
  assert.deepEqual(applyNormalization(saved, rows, 4), d.test.x);
  assert.throws(() => applyNormalization(saved, new Float32Array(6), 3), DataError);
  assert.throws(() => applyNormalization(saved, new Float32Array(5), 4), DataError);
  assert.deepEqual(applyNormalization({ kind: 'none' }, [1, 2.5], 2), Float32Array.from([1, 2.5]));
});

test('bad data: a DataError naming the file, row and column of the bad cell', () => {
  const text = 'a,b,label\n1,2,0\n3,oops,1\n5,6,0\n';
  const e = thrown(() => prepareDataset(csv({ path: '/nowhere/bad.csv', file: 'data/bad.csv', text })));
  assert.match(e.message, /^data\/bad\.csv:3:2: row 3, column 2 \(b\) holds "oops", which is not a number.* \[dataset-values\]$/);
  assert.equal(e.code, 'dataset-values');
  assert.equal(e.file, 'data/bad.csv');
  assert.equal(e.row, 3);
  assert.equal(e.column, 2);
  assert.equal(e.name, 'DataError');

  const empty = thrown(() => prepareDataset(csv({ file: 'data/gap.csv', text: 'a,b,label\n1,,0\n3,4,1\n' })));
  assert.match(empty.message, /^data\/gap\.csv:2:2: row 2, column 2 \(b\) is empty/);

  const missing = thrown(() => prepareDataset(csv({ path: join(samples, 'no-such.csv'), file: 'data/no-such.csv' })));
  assert.match(missing.message, /Cannot read the data file data\/no-such\.csv .*does not exist/);

  const target = thrown(() => prepareDataset(csv({ target: 'species' })));
  assert.match(target.message, /has no column 'species'/);

  const shape = thrown(() => prepareDataset(csv({ shape: [2, 3] })));
  assert.match(shape.message, /shape \[2, 3\] holds 6 values but each sample has 4/);

  const one = thrown(() => prepareDataset(csv({ text: 'a,label\n1,0\n' })));
  assert.match(one.message, /has 1 row; a training and a test split need at least 2/);
});

test('a declared shape is kept when its size matches', () => {
  const d = prepareDataset(csv({ shape: [2, 2] }));
  assert.deepEqual(d.shape, [2, 2]);
  assert.equal(d.features, 4);
});

test('synthetic data: generated with the dataset seed, labels "0"…"k−1", normalised like CSV data', () => {
  const spec = { kind: 'synthetic', synthetic: { kind: 'spirals', args: { samples: 200, classes: 4 } }, testSplit: 0.25, normalize: 'standard', seed: 3 } as const;
  const d: PreparedData = prepareDataset(spec);
  assert.equal(d.train.n + d.test.n, 200);
  assert.equal(d.test.n, 50);
  assert.deepEqual(d.labels, ['0', '1', '2', '3']);
  assert.deepEqual(d.shape, [2]);
  assert.equal(d.featureNames, undefined);
  assert.equal(d.normalization.kind, 'standard');
  assert.deepEqual(prepareDataset(spec).train.x, d.train.x);
  assert.notDeepEqual(prepareDataset({ ...spec, seed: 4 }).train.x, d.train.x);
  // 50 rows per class, 12.5 test rows each: the two rows left over go to the lowest class indices.
  assert.deepEqual(counts(d.test.y, 4), [13, 13, 12, 12]);

  const seq = prepareDataset({ kind: 'synthetic', synthetic: { kind: 'sequences', args: { samples: 40, length: 5, features: 3 } }, testSplit: 0.2, normalize: 'minmax', seed: 1 });
  assert.deepEqual(seq.shape, [5, 3]);
  assert.equal(seq.train.x.length, seq.train.n * 15);
});

test('token datasets are never normalised: ids must stay ids', () => {
  const d = prepareDataset({ kind: 'synthetic', synthetic: { kind: 'tokens', args: { samples: 60, length: 8, vocab: 50 } }, testSplit: 0.2, normalize: 'standard', seed: 5 });
  assert.equal(d.normalization.kind, 'none');
  for (const v of [...d.train.x, ...d.test.x]) assert.ok(Number.isInteger(v) && v >= 0 && v < 50, `token ${v}`);
});

test('bad synthetic arguments become a DataError naming the generator', () => {
  const e = thrown(() => prepareDataset({ kind: 'synthetic', synthetic: { kind: 'spirals', args: { samples: 2, classes: 5 } }, testSplit: 0.2, normalize: 'none', seed: 1 }));
  assert.match(e.message, /^synthetic\(kind: spirals\): /);
  const kind = thrown(() => prepareDataset({ kind: 'synthetic', synthetic: { kind: 'moons', args: {} }, testSplit: 0.2, normalize: 'none', seed: 1 }));
  assert.match(kind.message, /unknown kind; the generators are spirals, sequences, tokens/);
});
