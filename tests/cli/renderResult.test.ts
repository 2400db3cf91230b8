// The confusion matrix in `modelspec train`'s result: labelled, and its columns stay apart
// however large the counts grow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderResult } from '../../server/src/cli/train';
import { fakeResult } from './fakeResult';

const result = (labels: readonly string[], confusion: number[][]) => fakeResult(labels, confusion);

/** The matrix's lines: the head after the title, then one row per class. */
function matrix(text: string, classes: number): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('confusion (rows: true, columns: predicted)'));
  assert.ok(at >= 0, text);
  return lines.slice(at + 1, at + 2 + classes);
}

test('counts of 10,000 and more stay separate columns, right-aligned under their class labels', () => {
  const labels = ['0', '1', '2'];
  const confusion = [
    [12345, 10000, 7],
    [99999, 123456, 0],
    [1, 2, 3],
  ];
  const [head, ...rows] = matrix(renderResult(result(labels, confusion)), 3);
  for (const [i, row] of rows.entries()) {
    const cells = row.trim().split(/\s+/);
    assert.deepEqual(cells, [labels[i], ...confusion[i].map(String)], `row ${i}: ${JSON.stringify(row)}`);
  }
  // Every column ends where its head label ends.
  const ends = (line: string) => [...line.matchAll(/\S+/g)].map((m) => m.index! + m[0].length);
  const headEnds = ends(head);
  assert.equal(headEnds.length, 3, `head ${JSON.stringify(head)}`);
  for (const row of rows) assert.deepEqual(ends(row).slice(1), headEnds, `${JSON.stringify(row)} under ${JSON.stringify(head)}`);
});

test('the matrix names its classes, as wide as the widest label, with the per-class table unchanged', () => {
  const labels = ['setosa', 'versicolor', 'virginica'];
  const text = renderResult(result(labels, [
    [10, 0, 0],
    [0, 9, 1],
    [0, 1, 9],
  ]));
  const [head, ...rows] = matrix(text, 3);
  assert.deepEqual(head.trim().split(/\s+/), labels);
  assert.deepEqual(rows.map((r) => r.trim().split(/\s+/)[0]), labels);
  assert.deepEqual(rows[1].trim().split(/\s+/).slice(1), ['0', '9', '1']);
  assert.ok(text.includes('class       precision  recall  f1      support\nsetosa          0.900   0.900   0.900       10\n'), text);
});
