import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/analysis/analyze';
import { paddingEntries, zero_padding1d, zero_padding2d } from '../../../server/src/catalog/padding';
import { okFree as ok, onlyRefused as only } from './harness';

// Keras ZeroPadding2D: an int pads every side, (a, b) rows a and columns b on both sides, ((t, b), (l, r)) each side.
test('zero_padding2d: every form Keras ZeroPadding2D takes, default 1', () => {
  assert.deepEqual(ok(zero_padding2d, [28, 28, 1]), [30, 30, 1]);
  assert.deepEqual(ok(zero_padding2d, [28, 28, 1], { padding: 2 }), [32, 32, 1]);
  assert.deepEqual(ok(zero_padding2d, [28, 20, 3], { padding: [1, 3] }), [30, 26, 3]);
  assert.deepEqual(ok(zero_padding2d, [28, 20, 3], { padding: [0, 1, 2, 3] }), [29, 25, 3]);
  assert.deepEqual(ok(zero_padding2d, [5, 5, 2], { padding: 0 }), [5, 5, 2]);
});

test('zero_padding1d: p at both ends or [left, right]', () => {
  assert.deepEqual(ok(zero_padding1d, [10, 4]), [12, 4]);
  assert.deepEqual(ok(zero_padding1d, [10, 4], { padding: 3 }), [16, 4]);
  assert.deepEqual(ok(zero_padding1d, [10, 4], { padding: [0, 2] }), [12, 4]);
});

test('zero padding: wrong rank points to the other layer; per-side sizes on one axis are refused', () => {
  const seq = only(zero_padding2d, [10, 4]);
  assert.equal(seq.code, 'rank-mismatch');
  assert.match(seq.message, /zero_padding1d/);
  assert.match(only(zero_padding1d, [4, 4, 3]).message, /zero_padding2d/);
  const sides = only(zero_padding1d, [10, 4], { padding: [1, 2, 3, 4] });
  assert.equal(sides.code, 'argument-type');
  assert.equal(sides.arg, 'padding');
  assert.match(sides.message, /\[left, right\]/);
  assert.equal(only(zero_padding2d, [4, 4, 1], { padding: 2 ** 40 }).code, 'size-overflow');
});

test('padding entries: documented, in the shape family, one padding argument', () => {
  assert.deepEqual(paddingEntries.map((e) => e.name), ['zero_padding1d', 'zero_padding2d']);
  for (const entry of paddingEntries) {
    assert.equal(entry.family, 'shape');
    assert.match(entry.doc, /\*\*Params\*\*: 0/);
    assert.match(entry.doc, /\*\*PyTorch\*\*/);
    assert.deepEqual(entry.args.map((a) => [a.name, a.type, a.default, a.min]), [['padding', 'padding', 1, 0]]);
  }
});

// The checker reads what is written: sizes, pairs and per-side pairs reach the layers, with errors where they are wrong.
function check(body: string, input = '[8, 8, 3]') {
  const a = analyze(`model M {\n  input: ${input}\n  ${body}\n}\n`, { file: '/virtual/m.model' });
  return { model: a.models[0], errors: a.diagnostics.filter((d) => d.severity === 'error') };
}

test('the padding argument as written: modes, a number, a pair, per-side pairs, block parameters', () => {
  assert.deepEqual(check('conv2d(4, kernel: 3, padding: 1)').model.outputShape, [8, 8, 4]);
  assert.deepEqual(check('conv2d(4, kernel: 3, padding: [1, 0])').model.outputShape, [8, 6, 4]);
  assert.deepEqual(check('conv2d(4, kernel: 3, padding: [2])').model.outputShape, [10, 10, 4]);
  assert.deepEqual(check('conv2d(4, kernel: 3, padding: same)').model.outputShape, [8, 8, 4]);
  assert.deepEqual(check('zero_padding2d([[1, 0], [2, 3]])').model.outputShape, [9, 13, 3]);
  assert.deepEqual(check('zero_padding1d([2, 0])', '[5, 2]').model.outputShape, [7, 2]);
  const block = analyze('block C(p) {\n  conv2d(2, kernel: 5, padding: p)\n}\nmodel M {\n  input: [8, 8, 1]\n  C(2)\n  C(same)\n}\n', { file: '/virtual/b.model' });
  assert.deepEqual(block.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(block.models[0].outputShape, [8, 8, 2]);
});

test('the padding argument: wrong values are reported where they are written, with a code', () => {
  const cases: [string, string, RegExp][] = [
    ['conv2d(4, kernel: 3, padding: -1)', 'value-out-of-range', /in \[0, 2\^40\]; found -1/],
    ['conv2d(4, kernel: 3, padding: 1.5)', 'argument-type', /valid, same, a whole number, a pair \[h, w\]/],
    ['conv2d(4, kernel: 3, padding: [1, 2, 3])', 'argument-type', /\[\[top, bottom\], \[left, right\]\]/],
    ['conv2d(4, kernel: 3, padding: [[1, 2]])', 'argument-type', /padding/],
    ['conv2d(4, kernel: 3, padding: [[1, 2], [3]])', 'argument-type', /padding/],
    ['conv2d(4, kernel: 3, padding: vaild)', 'unknown-value', /Did you mean 'valid'/],
    ['conv2d(4, kernel: 3, padding: true)', 'argument-type', /padding/],
    ['zero_padding2d(same)', 'argument-type', /a whole number/],
  ];
  for (const [body, code, message] of cases) {
    const { errors } = check(body);
    assert.equal(errors.length, 1, `${body}: ${JSON.stringify(errors.map((e) => e.message))}`);
    assert.equal(errors[0].code, code, body);
    assert.match(errors[0].message, message, body);
    assert.equal(errors[0].range.start.line, 2, body);
  }
});
