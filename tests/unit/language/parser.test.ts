import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../server/src/language/parser';
import type { LayerCall, ModelDecl } from '../../../server/src/language/ast';

const model = (text: string) => parse(text).declarations.find((d) => d.kind === 'model') as ModelDecl;
const layers = (m: ModelDecl) => m.body.filter((i): i is LayerCall => i.kind === 'layer').map((l) => l.name.name);

test('parses every declaration kind with ranges', () => {
  const r = parse(`dataset D {\n  source: "x.csv"\n}\nblock B(f, k = 3) { conv2d(f, kernel: k) relu }\nmodel M {\n  data: D\n  B(8)\n}\ncompare M, N\n`);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.declarations.map((d) => d.kind), ['dataset', 'block', 'model', 'compare']);
  const block = r.declarations[1];
  assert.equal(block.kind, 'block');
  if (block.kind === 'block') {
    assert.deepEqual(block.params.map((p) => p.name.name), ['f', 'k']);
    assert.equal(block.body.length, 2, 'two layers on one line');
  }
  assert.deepEqual(r.declarations[0].range, { start: { line: 0, character: 0 }, end: { line: 2, character: 1 } });
});

test('a newline inside brackets does not end the statement', () => {
  const m = model('model M {\n  conv2d(16,\n    kernel: 3,\n  )\n  dense(\n    10)\n}');
  assert.deepEqual(layers(m), ['conv2d', 'dense']);
  assert.equal(parse('model M {\n  conv2d(16,\n    kernel: 3,\n  )\n}').errors.length, 0);
});

test('an unclosed parenthesis costs one line: the next layer is still read', () => {
  const r = parse('model M {\n  conv2d(16, kernel: 3\n  maxpool2d(2)\n  dense(10)\n}');
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].code, 'unclosed-bracket');
  assert.equal(r.errors[0].range.start.line, 1);
  assert.deepEqual(layers(model('model M {\n  conv2d(16, kernel: 3\n  maxpool2d(2)\n  dense(10)\n}')), ['conv2d', 'maxpool2d', 'dense']);
});

test('a missing closing brace does not swallow the next declaration', () => {
  const r = parse('model A {\n  dense(3)\n\nmodel B {\n  dense(4)\n}\n');
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].code, 'unclosed-brace');
  assert.deepEqual(r.declarations.map((d) => (d.kind === 'model' ? d.name.name : '')), ['A', 'B']);
});

test('a broken line is skipped and the rest of the body is kept', () => {
  const r = parse('model M {\n  dense(3) ) )\n  relu\n  42\n  softmax\n}');
  assert.equal(r.errors.length, 2);
  assert.deepEqual(r.errors.map((e) => e.range.start.line), [1, 3]);
  assert.deepEqual(layers(model('model M {\n  dense(3) ) )\n  relu\n  42\n  softmax\n}')), ['dense', 'relu', 'softmax']);
});

test('missing comma between arguments is reported and both arguments kept', () => {
  const m = model('model M {\n  dense(10 activation: softmax)\n}');
  const call = m.body[0] as LayerCall;
  assert.equal(call.args?.length, 2);
  assert.equal(parse('model M {\n  dense(10 activation: softmax)\n}').errors[0].message, "Expected ',' or ')' in arguments, found 'activation'.");
});

test('expressions: arithmetic with precedence, unary minus, lists, calls', () => {
  const m = model('model M {\n  input: [2 + 3 * 4, -1]\n  train {\n    optimizer: adam(learning_rate: 1e-3)\n  }\n}');
  const input = m.body[0];
  assert.equal(input.kind, 'property');
  if (input.kind === 'property' && input.value.kind === 'list') {
    const first = input.value.items[0];
    assert.equal(first.kind, 'binary');
    if (first.kind === 'binary') assert.equal(first.op, '+');
    assert.equal(input.value.items[1].kind, 'unary');
  }
  const train = m.body[1];
  assert.equal(train.kind, 'train');
});

test('repeat and residual take bodies; residual takes arguments', () => {
  const m = model('model M {\n  repeat 2 { dense(3) }\n  residual(projection: true) {\n    dense(4)\n  }\n}');
  assert.equal(m.body[0].kind, 'repeat');
  assert.equal(m.body[1].kind, 'residual');
  if (m.body[1].kind === 'residual') assert.equal(m.body[1].args[0].name?.name, 'projection');
});

test('settings and train sections are not allowed inside repeat bodies', () => {
  const r = parse('model M {\n  repeat 2 {\n    epochs: 3\n  }\n}');
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0].message, /holds layers only/);
});

test('deep nesting is an error, not a stack overflow', () => {
  const deep = 'model M {\n  input: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n}';
  const r = parse(deep);
  assert.ok(r.errors.some((e) => e.code === 'nesting-too-deep'));
  const bodies = 'model M {\n' + 'repeat 2 {\n'.repeat(3000) + '}\n'.repeat(3000) + '}';
  assert.ok(parse(bodies).errors.some((e) => e.code === 'nesting-too-deep'));
});

test('garbage at top level is one error per line and parsing resumes', () => {
  const r = parse('hello world\n123\nmodel M {\n  dense(1)\n}');
  assert.equal(r.errors.length, 2);
  assert.equal(r.declarations.length, 1);
  assert.match(r.errors[0].message, /Expected a declaration \(dataset, block, model or compare\), found 'hello'/);
});

test('stray closing braces at top level are errors, not an endless loop', () => {
  const r = parse('}\n}}\nmodel M {\n  dense(1)\n}\n}');
  assert.equal(r.declarations.length, 1);
  assert.ok(r.errors.length >= 2);
});
