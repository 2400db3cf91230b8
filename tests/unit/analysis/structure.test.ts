// concat, if/else, in_channels/in_shape and repeat 0 through the checker and estimator, on
// small specs whose numbers are easy to check by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './memoryHost';

const errors = (text: string) => run(text).diagnostics.filter((d) => d.severity === 'error');
const only = (text: string) => {
  const a = run(text);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  return a.models[0];
};

test('concat joins its paths on the last axis; { } is the input itself (DenseNet, U-Net skips)', () => {
  const m = only('model M {\n  input: [8, 8, 3]\n  concat {\n    { conv2d(4, kernel: 1) }\n    { conv2d(6, kernel: 3, padding: same) relu }\n    { }\n  }\n}');
  assert.deepEqual(m.outputShape, [8, 8, 13]);
  assert.equal(m.totals.trainable, 3n * 4n + 4n + 27n * 6n + 6n);
  assert.equal(m.totals.macs, 64n * 3n * 4n + 64n * 27n * 6n);
  const concat = m.rows.find((r) => r.name === 'concat')!;
  assert.equal(concat.kind, 'group');
  assert.equal(concat.trainable, m.totals.trainable, 'the concat row sums its paths');
  assert.deepEqual(m.rows.filter((r) => r.name.startsWith('path')).map((r) => [r.name, r.depth, r.output]), [
    ['path 1', 1, [8, 8, 4]],
    ['path 2', 1, [8, 8, 6]],
    ['path 3', 1, [8, 8, 3]],
  ]);
  const vector = only('model V {\n  input: [5]\n  concat { { dense(2) } { dense(3) } }\n}');
  assert.deepEqual(vector.outputShape, [5]);
});

test('concat paths that disagree off the last axis, or in rank, are an error naming both shapes', () => {
  const off = errors('model M {\n  input: [8, 8, 3]\n  concat {\n    { }\n    { maxpool2d(2) }\n  }\n  dense(2)\n}');
  assert.equal(off.length, 1);
  assert.equal(off[0].code, 'concat-shape');
  assert.match(off[0].message, /Path 2 of this concat gives \[4, 4, 3\] but path 1 gives \[8, 8, 3\]/);
  assert.equal(off[0].range.start.line, 4);
  const rank = errors('model M {\n  input: [4, 3]\n  concat {\n    { }\n    { flatten }\n  }\n}');
  assert.match(rank[0].message, /Path 2 of this concat gives \[12\] but path 1 gives \[4, 3\]/);
  const empty = errors('model M {\n  input: [4]\n  concat { }\n}');
  assert.match(empty[0].message, /concat needs at least one path/);
});

test('in_channels and in_shape read the shape of each use of a block, defaults included', () => {
  const m = only('block Expand(t, wide = in_channels * t) {\n  conv2d(wide, kernel: 1)\n  conv2d(in_channels * 2, kernel: 1)\n}\nmodel M {\n  input: [4, 4, 3]\n  Expand(2)\n}');
  const convs = m.rows.filter((r) => r.name === 'conv2d').map((r) => r.output![2]);
  assert.deepEqual(convs, [6, 6], "in_channels is the block's input, not the previous layer's output");
  const shape = only('block Same {\n  reshape(in_shape)\n}\nmodel M {\n  input: [2, 3]\n  Same\n}');
  assert.deepEqual(shape.outputShape, [2, 3]);
  // A parameter of the same name hides the input's.
  const hidden = only('block B(in_channels) {\n  dense(in_channels)\n}\nmodel M {\n  input: [5]\n  B(2)\n}');
  assert.deepEqual(hidden.outputShape, [2]);
});

test('in_channels outside a block body is an error that says where it works', () => {
  const e = errors('model M {\n  input: [5]\n  dense(in_channels * 2)\n}');
  assert.equal(e.length, 1);
  assert.equal(e[0].code, 'invalid-expression');
  assert.match(e[0].message, /`in_channels` reads the shape of a block's input, so it is known only inside a block body/);
  // Inside a block with an unknown input, the unknown shape was reported where it arose; no second error.
  const unknown = errors('block B {\n  dense(in_channels)\n}\nmodel M {\n  input: [5]\n  dense(0)\n  B\n}');
  assert.deepEqual(unknown.map((d) => d.code), ['value-out-of-range']);
});

test('if chooses a branch per use from arguments and the input shape (MobileNetV2: expand only when t != 1)', () => {
  const text = [
    'block Inverted(t, out, stride = 1) {',
    '  if stride == 1 and in_channels == out {',
    '    residual { Body(t, out, stride) }',
    '  } else {',
    '    Body(t, out, stride)',
    '  }',
    '}',
    'block Body(t, out, stride) {',
    '  if t != 1 { conv2d(in_channels * t, kernel: 1) }',
    '  conv2d(out, kernel: 3, stride: stride, padding: same)',
    '}',
    'model M {',
    '  input: [8, 8, 4]',
    '  Inverted(1, 4)',
    '  Inverted(6, 4)',
    '  Inverted(6, 8, stride: 2)',
    '}',
  ].join('\n');
  const m = only(text);
  assert.deepEqual(m.rows.filter((r) => r.name === 'residual').length, 2);
  assert.deepEqual(m.rows.filter((r) => r.name === 'conv2d').map((r) => r.output![2]), [4, 24, 4, 24, 8]);
  assert.deepEqual(m.outputShape, [4, 4, 8]);
  const not = only('block B(deep) {\n  if not deep or false { dense(1) } else { dense(2) }\n}\nmodel M {\n  input: [3]\n  B(true)\n  B(false)\n}');
  assert.deepEqual(not.rows.filter((r) => r.kind === 'layer').map((r) => r.output![0]), [2, 1]);
});

test('a condition that is not true or false, and comparisons of different kinds, are errors', () => {
  const e = errors('model M {\n  input: [3]\n  if 1 + 1 { relu }\n}');
  assert.equal(e[0].code, 'argument-type');
  assert.match(e[0].message, /if needs a condition that is true or false .* not the number 2/);
  const mixed = errors('model M {\n  input: [3]\n  if 1 == relu { relu }\n}');
  assert.match(mixed[0].message, /'==' compares values of one kind, not the number 1 and `relu` \(`relu` is a plain name here, not a block parameter\)/);
  const and = errors('model M {\n  input: [3]\n  if 1 and true { relu }\n}');
  assert.match(and[0].message, /'and' needs true or false on both sides, not the number 1/);
  const notNumber = errors('model M {\n  input: [3]\n  if not 2 { relu }\n}');
  assert.match(notNumber[0].message, /'not' needs true or false, not the number 2/);
  // Names compare by spelling: an activation parameter can choose a branch.
  const named = only('block B(act) {\n  if act == relu { dense(1) } else { dense(2) }\n}\nmodel M {\n  input: [3]\n  B(relu)\n}');
  assert.deepEqual(named.outputShape, [1]);
  // Both branches are checked in a block's body, even the one no use takes.
  const untaken = errors('block B(t) {\n  if t > 1 { dense(2) } else { densse(2) }\n}\nmodel M {\n  input: [3]\n  B(2)\n}');
  assert.deepEqual(untaken.map((d) => d.code), ['unknown-layer']);
});

test('repeat 0 is allowed: Stage(n) written as one copy plus repeat n - 1 works for n = 1', () => {
  const text = 'block Stage(n) {\n  dense(4)\n  repeat n - 1 { dense(4) }\n}\nmodel M {\n  input: [2]\n  Stage(1)\n  Stage(3)\n  dense(1)\n}';
  const m = only(text);
  assert.equal(m.totals.trainable, (2n * 4n + 4n) + 3n * (4n * 4n + 4n) + (4n + 1n));
  assert.ok(m.complete);
  assert.deepEqual(m.rows.filter((r) => r.name.startsWith('repeat')).map((r) => r.name), ['repeat 0', 'repeat 2']);
});

test('an invalid repeat count does not stop the walk: a shape-keeping body lets later layers be inferred', () => {
  const a = run('model M {\n  input: [4]\n  repeat 2.5 {\n    dense(4)\n    densse\n  }\n  dense(3)\n}');
  const codes = a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
  // Before, the body was skipped (its typo unreported) and every later layer had no shape.
  assert.deepEqual(codes, ['argument-type', 'unknown-layer']);
  assert.match(a.diagnostics[0].message, /repeat needs a whole number of copies, 0 or more .* not the number 2.5/);
  const negative = run('model M {\n  input: [4]\n  repeat -1 { dense(4) }\n  dense(3)\n}').models[0];
  assert.equal(negative.complete, false, 'the totals are not exact');
  const last = negative.rows[negative.rows.length - 1];
  assert.deepEqual([last.name, last.input, last.output, last.trainable], ['dense', [4], [3], 15n]);
  assert.deepEqual(negative.outputShape, [3]);
});

test('in_shape[i] reads one axis of the input, negative indices from the end; a bad index says what is allowed', () => {
  const m = only('block Wide {\n  dense(in_shape[0] * in_shape[1] + in_shape[-1])\n}\nmodel M {\n  input: [2, 3, 4]\n  Wide\n}');
  assert.deepEqual(m.outputShape, [2, 3, 2 * 3 + 4]);
  const bad = errors('block B {\n  dense(in_shape[3])\n}\nmodel M {\n  input: [2, 3, 4]\n  B\n}');
  assert.equal(bad[0].code, 'invalid-expression');
  assert.match(bad[0].message, /`in_shape` has 3 items: an index is a whole number from 0 to 2 \(or -1 for the last\), not 3/);
  const notList = errors('block B(n) {\n  dense(n[0])\n}\nmodel M {\n  input: [4]\n  B(2)\n}');
  assert.match(notList[0].message, /Only a list can be indexed, not the number 2/);
});
