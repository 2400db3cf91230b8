// Data the checker accepts must train, or be refused by the checker: a single class,
// infinite or float32-overflowing values, missing and non-numeric cells are errors in the
// checker, and training refuses the same data with the same code and message, located at
// file:row:column of the CSV, never with an engine's internals.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import { createNodeHost } from '../../../server/src/data/nodeHost';
import { DataError, prepareFor } from '../../../server/src/training/data/prepare';

const dir = mkdtempSync(join(tmpdir(), 'modelspec-agree-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const rows = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i));

const CASES = [
  {
    what: 'a single class',
    csv: ['a,b,label', ...rows(40, (i) => `${i / 40},${(i * 7) % 5},1`)],
    code: 'dataset-classes',
    message: /^d\.csv: every row has the label "1" in the target column 'label' \(column 3\), so there is nothing to tell apart: a classifier needs at least two classes\./,
  },
  {
    what: '1e300 (beyond float32, where every engine trains)',
    csv: ['a,b,label', ...rows(40, (i) => (i === 5 ? `0.5,1e300,${i % 2}` : `${i / 40},${(i * 7) % 5},${i % 2}`))],
    code: 'dataset-range',
    message: /^d\.csv:7:2: row 7, column 2 \(b\) holds "1e300", beyond the ±3\.4e38 a 32-bit float holds/,
  },
  {
    what: 'Infinity',
    csv: ['a,b,label', ...rows(40, (i) => (i === 9 ? `-Infinity,2,${i % 2}` : `${i / 40},${(i * 7) % 5},${i % 2}`))],
    code: 'dataset-range',
    message: /^d\.csv:11:1: row 11, column 1 \(a\) holds "-Infinity", which is not a finite number/,
  },
  {
    what: 'a text cell',
    csv: ['a,b,label', ...rows(40, (i) => (i === 2 ? `1,x,${i % 2}` : `${i / 40},${(i * 7) % 5},${i % 2}`))],
    code: 'dataset-values',
    message: /^d\.csv:4:2: row 4, column 2 \(b\) holds "x", which is not a number\. Training needs a number in every feature cell/,
  },
  {
    what: 'an empty cell',
    csv: ['a,b,label', ...rows(40, (i) => (i === 30 ? `,1,${i % 2}` : `${i / 40},${(i * 7) % 5},${i % 2}`))],
    code: 'dataset-values',
    message: /^d\.csv:32:1: row 32, column 1 \(a\) is empty\./,
  },
] as const;

for (const c of CASES) {
  for (const model of ['logistic_regression', 'dense(8, activation: relu)\n  dense(2, activation: softmax)']) {
    test(`${c.what}, for ${model.split('(')[0]}: an error in the checker, and training refuses it with the same code and message`, () => {
      const sub = mkdtempSync(join(dir, 'case-'));
      writeFileSync(join(sub, 'd.csv'), c.csv.join('\n') + '\n');
      const file = join(sub, 'spec.model');
      const a = analyze(`dataset D {\n  source: "d.csv"\n}\nmodel M {\n  data: D\n  ${model}\n}\n`, { file, host: createNodeHost() });
      const found = a.diagnostics.filter((d) => d.code === c.code);
      assert.equal(found.length, 1, `expected ${c.code}; got ${a.diagnostics.map((d) => `${d.code}: ${d.message}`).join(' | ') || 'nothing'}`);
      const [diag] = found;
      assert.equal(diag.severity, 'error', 'refused by the checker, so training is never started on it');
      assert.match(diag.message, c.message);
      assert.deepEqual(diag.range.start, { line: 1, character: 10 }, 'on the source');

      // Training takes the same dataset, whatever the checker said, and refuses it the same way.
      assert.throws(
        () => prepareFor(a.datasets.get('D')!),
        (err: unknown) => {
          assert.ok(err instanceof DataError, `a DataError, not ${String(err)}`);
          assert.equal(err.code, c.code);
          assert.equal(err.message, `${diag.message} [${c.code}]`);
          assert.doesNotMatch(err.message, /oneHot|depth|tfjs|Infinity; every value must be finite/);
          return true;
        },
      );
    });
  }
}

test('clean data: no data diagnostics, and training takes it', () => {
  const sub = mkdtempSync(join(dir, 'clean-'));
  writeFileSync(join(sub, 'd.csv'), ['a,b,label', ...rows(40, (i) => `${i / 40},${(i * 7) % 5},${i % 2}`), '3.4e38,-3.4e38,1'].join('\n'));
  const a = analyze('dataset D {\n  source: "d.csv"\n  normalize: standard\n}\n', { file: join(sub, 'spec.model'), host: createNodeHost() });
  assert.deepEqual(a.diagnostics.filter((d) => d.code.startsWith('dataset-')), []);
  const data = prepareFor(a.datasets.get('D')!);
  assert.equal(data.train.n + data.test.n, 41);
  assert.ok(data.train.x.every(Number.isFinite) && data.test.x.every(Number.isFinite), 'values at the float32 limit scale to finite numbers');
});
