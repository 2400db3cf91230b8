// Shape inference and estimates through the whole pipeline: blocks, repeats, residuals,
// memory and compute, on small specs whose numbers are easy to check by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, SMALL_CSV } from './memoryHost';

const only = (text: string, files?: Record<string, string>) => {
  const a = run(text, files);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  return a.models[0];
};

test('dense stack: params, MACs, FLOPs = 2 × MACs, activations', () => {
  const m = only('model M {\n  input: [4]\n  dense(8, activation: relu)\n  dense(3, activation: softmax)\n}');
  assert.equal(m.totals.trainable, 4n * 8n + 8n + 8n * 3n + 3n);
  assert.equal(m.totals.macs, 4n * 8n + 8n * 3n);
  assert.equal(m.totals.flops, 2n * m.totals.macs);
  assert.equal(m.totals.activations, 8n + 3n);
  assert.deepEqual(m.outputShape, [3]);
});

test('training memory: weights + gradients + Adam state + activations × batch, in bytes', () => {
  const m = only('model M {\n  input: [4]\n  dense(3, activation: softmax)\n  train {\n    batch_size: 10\n  }\n}');
  const params = 15n;
  assert.equal(m.memory.weightsFp32, params * 4n);
  assert.equal(m.memory.weightsFp16, params * 2n);
  assert.equal(m.memory.optimizerState, params * 4n * 2n);
  assert.equal(m.memory.training, params * 4n + params * 4n + params * 8n + 3n * 4n * 10n);
  const sgd = only('model M {\n  input: [4]\n  dense(3, activation: softmax)\n  train {\n    optimizer: sgd\n  }\n}');
  assert.equal(sgd.memory.optimizerState, 0n);
});

test('training compute = 3 × forward FLOPs × training samples × epochs', () => {
  const m = only('dataset D {\n  source: "d.csv"\n}\nmodel M {\n  data: D\n  dense(3, activation: softmax)\n  train {\n    epochs: 7\n  }\n}', { 'd.csv': SMALL_CSV });
  assert.equal(m.dataset?.trainSamples, 24);
  assert.equal(m.compute.flops, 3n * m.totals.flops * 24n * 7n);
});

test('blocks with defaults and arithmetic expand like their bodies', () => {
  const m = only('block Pair(f, g = f * 2) {\n  dense(f)\n  dense(g)\n}\nmodel M {\n  input: [2]\n  Pair(3)\n  Pair(f: 1, g: 5)\n}');
  const layers = m.rows.filter((r) => r.kind === 'layer').map((r) => r.output?.[0]);
  assert.deepEqual(layers, [3, 6, 1, 5]);
  assert.deepEqual(m.rows.filter((r) => r.kind === 'group').map((r) => r.name), ['Pair(3)', 'Pair(f: 1, g: 5)']);
  const group = m.rows[0];
  assert.equal(group.trainable, 2n * 3n + 3n + 3n * 6n + 6n, 'a group row sums its children');
});

test('repeat: small counts are expanded; huge shape-preserving counts are multiplied, not walked', () => {
  const small = only('model M {\n  input: [4]\n  repeat 3 { dense(4) }\n}');
  assert.equal(small.rows.filter((r) => r.kind === 'layer').length, 3);
  const started = Date.now();
  const big = run('model M {\n  input: [4]\n  repeat 1_000_000_000 { dense(4) }\n}').models[0];
  assert.ok(Date.now() - started < 1000);
  assert.equal(big.totals.trainable, 1_000_000_000n * 20n);
  const row = big.rows.find((r) => r.kind === 'layer');
  assert.equal(row?.count, 1_000_000_000);
});

test('a repeat whose copies keep the shape gives the rows and totals of writing the copies out', () => {
  const body = '    residual {\n      dense(6, activation: relu)\n      dense(6)\n    }\n    layernorm\n';
  const repeated = only(`model M {\n  input: [6]\n  repeat 4 {\n${body}  }\n}`);
  const written = only(`model M {\n  input: [6]\n  repeat 1 {\n${body.repeat(4)}  }\n}`);
  const shape = (rows: typeof repeated.rows) => rows.slice(1).map((r) => [r.kind, r.name, r.depth, String(r.output), r.trainable, r.macs, r.activations, r.count]);
  assert.deepEqual(shape(repeated.rows), shape(written.rows));
  assert.equal(repeated.totals.trainable, written.totals.trainable);
  assert.equal(repeated.totals.macs, written.totals.macs);
  assert.equal(repeated.rows[0].trainable, 4n * (2n * (6n * 6n + 6n) + 12n), 'the repeat row sums all four copies');
});

test('a copy that sees different model facts is walked, not repeated', () => {
  // The first tied dense comes before any embedding; the second shares the embedding of copy one.
  const m = run('model M {\n  input: [8]\n  repeat 2 {\n    dense(5, tied: true)\n    embedding(5, 8)\n    flatten\n    dense(8)\n  }\n}').models[0];
  const tied = m.rows.filter((r) => r.name === 'dense' && r.output?.[0] === 5);
  assert.deepEqual(tied.map((r) => r.trainable), [8n * 5n + 5n, 5n]);
});

test('repeat that changes the shape walks each copy until the shape settles', () => {
  const m = only('model M {\n  input: [16, 16, 3]\n  repeat 100 { conv2d(8, kernel: 1, stride: 2, padding: same) }\n}');
  assert.deepEqual(m.outputShape, [1, 1, 8]);
  const convs = m.rows.filter((r) => r.kind === 'layer');
  // 16 → 8 → 4 → 2 → 1 take four copies; the fifth reaches the fixed point and stands for itself and the other 95.
  assert.equal(convs.length, 5);
  assert.equal(convs[4].count, 96);
  assert.equal(convs.reduce((s, r) => s + r.count, 0), 100);
});

test('residual: identity skip keeps the shape; a projection adds a 1×1 conv with the right stride', () => {
  const id = only('model M {\n  input: [8, 8, 4]\n  residual { conv2d(4, kernel: 3, padding: same) }\n}');
  assert.deepEqual(id.outputShape, [8, 8, 4]);
  assert.equal(id.totals.trainable, 3n * 3n * 4n * 4n + 4n);
  const proj = only('model M {\n  input: [8, 8, 4]\n  residual(projection: true, projection_bias: false, projection_batchnorm: true) { conv2d(6, kernel: 3, stride: 2, padding: same) }\n}');
  assert.deepEqual(proj.outputShape, [4, 4, 6]);
  const p = proj.rows.find((r) => r.name === 'projection');
  assert.equal(p?.trainable, 4n * 6n + 2n * 6n);
  assert.equal(p?.nonTrainable, 2n * 6n);
  assert.equal(p?.macs, 4n * 4n * 4n * 6n);
});

test('classical models: sizes from the estimator, input flattened explicitly', () => {
  const files = { 'd.csv': SMALL_CSV };
  const m = only('dataset D {\n  source: "d.csv"\n}\nmodel L {\n  data: D\n  logistic_regression\n}', files);
  assert.equal(m.kind, 'classical');
  assert.equal(m.totals.total, (4n + 1n) * 3n);
  const img = run('dataset D {\n  source: "d.csv"\n  shape: [2, 2]\n}\nmodel S {\n  data: D\n  flatten\n  svm\n}', files);
  assert.deepEqual(img.diagnostics.filter((d) => d.severity !== 'info'), []);
});

test('errors leave the model incomplete but keep what was inferred before them', () => {
  const a = run('model M {\n  input: [4]\n  dense(8)\n  nonsense(3)\n  dense(2)\n}');
  const m = a.models[0];
  assert.equal(m.complete, false);
  assert.equal(m.rows[0].output?.[0], 8);
  assert.equal(m.totals.trainable, 40n);
});

test('a broken line elsewhere does not hide other models\' estimates', () => {
  const a = run('model A {\n  input: [4]\n  dense(3\n}\nmodel B {\n  input: [4]\n  dense(2)\n}\n');
  const b = a.models.find((m) => m.name === 'B');
  assert.equal(b?.totals.trainable, 10n);
  assert.ok(a.diagnostics.some((d) => d.code === 'unclosed-bracket'));
});

test('references record every use of datasets, blocks and models', () => {
  const a = run('dataset D {\n  source: "d.csv"\n}\nblock B { relu }\nmodel M {\n  data: D\n  dense(3, activation: softmax)\n  B\n}\ncompare M\n', { 'd.csv': SMALL_CSV });
  assert.deepEqual(a.references.map((r) => `${r.kind}:${r.name}@${r.range.start.line}`).sort(), ['block:B@7', 'dataset:D@5', 'model:M@9']);
});

test('a mistyped train setting is reported and its default used, never a crash', () => {
  const a = run('model M {\n  input: [4]\n  dense(3, activation: softmax)\n  train {\n    loss: 5\n    batch_size: x\n  }\n}');
  assert.deepEqual(a.diagnostics.map((d) => d.code), ['argument-type', 'argument-type']);
  assert.equal(a.models[0].train.batchSize, 32);
  assert.equal(a.models[0].train.loss, 'sparse_categorical_crossentropy');
});
