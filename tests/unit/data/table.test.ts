import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTable, MAX_LISTED, summarizeTable, type TableData, type TableFailure, type TableSummary } from '../../../server/src/data/table';

const samples = join(__dirname, '..', '..', '..', 'samples', 'data');
const iris = readFileSync(join(samples, 'iris.csv'), 'utf8');
const digits = readFileSync(join(samples, 'digits.csv'), 'utf8');

function ok<T extends TableSummary>(r: T | TableFailure): T {
  if ('error' in r) assert.fail(r.error.message);
  return r;
}

function failed(r: TableSummary | TableFailure): TableFailure['error'] {
  assert.ok('error' in r, 'expected a failure');
  return r.error;
}

test('iris: 150 rows, 4 features, 3 labels of 50, target defaults to the last column', () => {
  const t = ok(summarizeTable(iris, { file: 'data/iris.csv' }));
  assert.equal(t.rows, 150);
  assert.equal(t.features, 4);
  assert.deepEqual(t.featureNames, ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm']);
  assert.equal(t.targetColumn, 'label');
  assert.equal(t.targetIndex, 4);
  assert.deepEqual(t.labels, ['0', '1', '2']);
  assert.deepEqual(t.labelCounts, [50, 50, 50]);
  assert.equal(t.missingCount, 0);
  assert.equal(t.nonNumericCount, 0);
});

test('digits: 1797 rows, 64 features, 10 labels in numeric order', () => {
  const t = ok(summarizeTable(digits, { file: 'digits.csv', target: 'label' }));
  assert.equal(t.rows, 1797);
  assert.equal(t.features, 64);
  assert.deepEqual(t.labels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(t.labelCounts.reduce((a, b) => a + b, 0), 1797);
  assert.ok(t.labelCounts.every((c) => c >= 170 && c <= 185), `${t.labelCounts}`);
});

test('loadTable gives row-major features and label indices', () => {
  const t = ok(loadTable(iris, { file: 'iris.csv' }));
  assert.equal(t.x.length, 150 * 4);
  assert.deepEqual(Array.from(t.x.subarray(0, 4)), [5.1, 3.5, 1.4, 0.2]);
  assert.equal(t.y.length, 150);
  const counts = [0, 0, 0];
  for (const k of t.y) counts[k]++;
  assert.deepEqual(counts, [50, 50, 50]);
  const d: TableData = ok(loadTable(digits, { file: 'digits.csv' }));
  assert.equal(d.x.length, 1797 * 64);
  assert.deepEqual(Array.from(d.x.subarray(0, 4)), [0, 0, 5, 13]);
  assert.equal(d.labels[d.y[0]], '0');
});

test('a named target in the middle; the other columns become features in order', () => {
  const t = ok(loadTable('a,species,b\n1,cat,2\n3,dog,4\n5,cat,6\n', { file: 'f.csv', target: 'species' }));
  assert.equal(t.targetIndex, 1);
  assert.deepEqual(t.featureNames, ['a', 'b']);
  assert.deepEqual(t.labels, ['cat', 'dog']);
  assert.deepEqual(t.labelCounts, [2, 1]);
  assert.deepEqual(Array.from(t.x), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(t.y), [0, 1, 0]);
});

test('labels sort numerically when all are numbers, merging equal values', () => {
  const t = ok(summarizeTable('x,y\n1,10\n2,9\n3,2\n4,2.0\n5,-1\n', { file: 'f.csv' }));
  assert.deepEqual(t.labels, ['-1', '2', '9', '10']);
  assert.deepEqual(t.labelCounts, [1, 2, 1, 1]);
});

test('labels sort lexicographically when any is not a number', () => {
  const t = ok(summarizeTable('x,y\n1,b\n2,10\n3,a\n4,9\n4,b\n', { file: 'f.csv' }));
  assert.deepEqual(t.labels, ['10', '9', 'a', 'b']);
  assert.deepEqual(t.labelCounts, [1, 1, 1, 2]);
});

test('header names are trimmed', () => {
  const t = ok(summarizeTable('a , b,  label\n1,2,x\n', { file: 'f.csv', target: 'label' }));
  assert.deepEqual(t.columns, ['a', 'b', 'label']);
});

test('a missing target column fails with a did-you-mean and the list of columns', () => {
  const e = failed(summarizeTable(iris, { file: 'data/iris.csv', target: 'lable' }));
  assert.equal(e.code, 'dataset-target');
  assert.match(e.message, /data\/iris\.csv has no column 'lable'\. Did you mean 'label'\?/);
  assert.match(e.message, /sepal_length_cm, sepal_width_cm, petal_length_cm, petal_width_cm, label/);
});

test('a target with no close match lists the columns, abbreviating long headers', () => {
  const e = failed(summarizeTable(digits, { file: 'digits.csv', target: 'class' }));
  assert.equal(e.code, 'dataset-target');
  assert.doesNotMatch(e.message, /Did you mean/);
  assert.match(e.message, /p0, p1, .*p9 and 55 more/);
});

test('a target name that appears twice is ambiguous', () => {
  const e = failed(summarizeTable('y,a,y\n1,2,3\n', { file: 'f.csv', target: 'y' }));
  assert.equal(e.code, 'dataset-target');
  assert.equal(e.column, 3);
  assert.match(e.message, /2 columns named 'y' \(columns 1, 3\)/);
});

test('missing and non-numeric feature cells are located by file row and column', () => {
  const text = 'a,b,label\n1,,x\n\n2,NA,y\n?,abc,x\n3,4,y\n';
  const t = ok(summarizeTable(text, { file: 'f.csv' }));
  assert.equal(t.missingCount, 3);
  assert.deepEqual(t.missing, [
    { row: 2, column: 2, columnName: 'b', value: '' },
    { row: 4, column: 2, columnName: 'b', value: 'NA' },
    { row: 5, column: 1, columnName: 'a', value: '?' },
  ]);
  assert.equal(t.nonNumericCount, 1);
  assert.deepEqual(t.nonNumeric, [{ row: 5, column: 2, columnName: 'b', value: 'abc' }]);
  assert.equal(t.rows, 4);
});

test('problem lists are capped but counts are exact', () => {
  const lines = ['a,label'];
  for (let i = 0; i < 100; i++) lines.push(`oops${i},${i % 2}`);
  const t = ok(summarizeTable(lines.join('\n'), { file: 'f.csv' }));
  assert.equal(t.nonNumericCount, 100);
  assert.equal(t.nonNumeric.length, MAX_LISTED);
  assert.equal(t.nonNumeric[0].row, 2);
});

test('loadTable refuses the first bad cell, naming file, row and column', () => {
  const e = failed(loadTable('a,b,label\n1,2,x\n3,abc,y\n,5,x\n', { file: 'data/f.csv' }));
  assert.equal(e.code, 'dataset-values');
  assert.equal(e.row, 3);
  assert.equal(e.column, 2);
  assert.match(e.message, /^data\/f\.csv:3:2: row 3, column 2 \(b\) holds "abc", which is not a number/);
  assert.match(e.message, /the 1 other such cell/);

  const m = failed(loadTable('a,b,label\n1,NaN,x\n', { file: 'f.csv' }));
  assert.match(m.message, /f\.csv:2:2: row 2, column 2 \(b\) holds "NaN", a missing-value marker/);
});

test('a row without a label fails naming the row', () => {
  const e = failed(summarizeTable('a,label\n1,x\n2,\n', { file: 'f.csv' }));
  assert.equal(e.code, 'dataset-read');
  assert.equal(e.row, 3);
  assert.equal(e.column, 2);
  assert.match(e.message, /f\.csv, row 3: the target column 'label' \(column 2\) is empty/);
});

test('CSV structure errors become dataset-read failures with the file name and location', () => {
  const e = failed(summarizeTable('a,b,label\n1,2,x\n3,4\n5,6,7,8\n', { file: 'data/f.csv' }));
  assert.equal(e.code, 'dataset-read');
  assert.equal(e.row, 3);
  assert.equal(e.column, 3);
  assert.match(e.message, /^data\/f\.csv: Row 3 has 2 values but the header has 3 columns/);
  assert.match(e.message, /1 more problem after this one/);
});

test('empty files, header-only files and target-only files are dataset-empty', () => {
  assert.equal(failed(summarizeTable('', { file: 'f.csv' })).code, 'dataset-empty');
  const header = failed(summarizeTable('a,b,label\n', { file: 'f.csv' }));
  assert.equal(header.code, 'dataset-empty');
  assert.match(header.message, /f\.csv has a header \(a, b, label\) but no data rows/);
  const only = failed(summarizeTable('label\n1\n2\n', { file: 'f.csv' }));
  assert.equal(only.code, 'dataset-empty');
  assert.match(only.message, /no features/);
});

test('10^5 rows summarize completely', () => {
  const lines = ['a,b,c,label'];
  for (let i = 0; i < 100_000; i++) lines.push(`${i},${i / 3},${-i},${i % 4}`);
  const t = ok(loadTable(lines.join('\n'), { file: 'big.csv' }));
  assert.equal(t.rows, 100_000);
  assert.deepEqual(t.labelCounts, [25_000, 25_000, 25_000, 25_000]);
});
