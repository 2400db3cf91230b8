// Block parameters inside list arguments: a block body is checked once with its parameters
// standing for unknown values, and each use with the values it passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/analysis/analyze';

const spec = (shape: string, call: string) =>
  `block F(n) {\n  reshape(${shape})\n}\n\nmodel M {\n  input: [4, 6]\n  classes: 3\n  ${call}\n  flatten\n  dense(3, activation: softmax)\n}\n`;

test('a parameter in a reshape list is no type error in the block body', () => {
  const a = analyze(spec('[n, -1]', 'F(2)'), { file: '/virtual/b.model' });
  assert.deepEqual(a.diagnostics.map((d) => d.code), []);
  assert.deepEqual(a.models[0].rows.find((r) => r.name === 'reshape')?.output, [2, 12]);
});

test('each use is checked with its own values', () => {
  const a = analyze(spec('[n, 12 / n]', 'F(2)'), { file: '/virtual/b.model' });
  assert.deepEqual(a.diagnostics.map((d) => d.code), ['reshape-size']);
  assert.match(a.diagnostics[0].message, /reshape\(\[2, 6\]\)/);
  // A literal that is wrong in the body is still reported there.
  const wrong = analyze(spec('[n, "six"]', 'F(2)'), { file: '/virtual/b.model' });
  assert.ok(wrong.diagnostics.some((d) => d.code === 'argument-type' && d.range.start.line === 1), JSON.stringify(wrong.diagnostics));
});
