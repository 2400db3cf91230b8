// Quick fixes built from diagnostic data: each one applied to the text, then checked
// against a fresh analysis by the server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { applyEdits, fixtureText, fixtureUri, TestClient } from './client';

let client: TestClient;
const uri = fixtureUri('problems.model');
const TEXT = fixtureText('problems.model');
let diagnostics: Diagnostic[] = [];

before(async () => {
  client = await TestClient.start();
  await client.open(uri, TEXT);
  diagnostics = (await client.diagnosticsFor(uri)).diagnostics;
});
after(() => client.stop());

const lines = TEXT.split('\n');

function diagnostic(code: string, lineContains: string | RegExp): Diagnostic {
  const matches = (line: string) => (typeof lineContains === 'string' ? line.includes(lineContains) : lineContains.test(line));
  const d = diagnostics.find((x) => x.code === code && matches(lines[x.range.start.line]));
  assert.ok(d, `a ${code} diagnostic on a line with "${lineContains}"`);
  return d;
}

async function actionsFor(d: Diagnostic): Promise<CodeAction[]> {
  return client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d], only: ['quickfix'] } });
}

/** Applies the action titled `title` and returns the changed lines (those that differ from the original). */
async function apply(code: string, lineContains: string | RegExp, title: string | RegExp): Promise<string> {
  const d = diagnostic(code, lineContains);
  const actions = await actionsFor(d);
  const action = actions.find((a) => (typeof title === 'string' ? a.title === title : title.test(a.title)));
  assert.ok(action, `"${title}" among ${JSON.stringify(actions.map((a) => a.title))}`);
  assert.equal(action.kind, 'quickfix');
  assert.deepEqual(action.diagnostics?.map((x) => x.code), [code]);
  const after = applyEdits(TEXT, action.edit!.changes![uri]);
  return changedLines(TEXT, after);
}

function changedLines(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return b.slice(start, endB).join('\n');
}

test('did you mean: layers, arguments, references, settings, values, files and columns', async () => {
  assert.equal(await apply('unknown-layer', 'denze', "Change to 'dense'"), '  dense(3, activation: softmax)');
  assert.equal(await apply('unknown-argument', 'activaton', "Change to 'activation'"), '  dense(16, activation: relu)');
  assert.equal(await apply('unknown-reference', 'Floweres', "Change to 'Flowers'"), '  data: Flowers');
  assert.equal(await apply('unknown-property', 'optimzer', "Change to 'optimizer'"), '  train { optimizer: adam }');
  assert.equal(await apply('unknown-value', 'softmx', "Change to 'softmax'"), '  dense(3, activation: softmax)');
  assert.equal(await apply('dataset-missing-file', 'iris.cvs', "Change to 'data/iris.csv'"), '  source: "data/iris.csv"');
  assert.equal(await apply('dataset-target', 'lable', "Change to 'label'"), '  target: "label"');
});

test('insert flatten before a dense layer on an image tensor', async () => {
  assert.equal(await apply('dense-on-spatial', 'dense(10', 'Insert flatten before dense'), '  flatten', 'a line of its own, before the dense line');
});

test('insert flatten before a classical estimator on image-shaped input', async () => {
  assert.equal(await apply('classical-image-input', 'svm(', 'Insert flatten before svm'), '  flatten');
});

test('set the output units to the class count', async () => {
  assert.equal(await apply('output-classes', 'dense(5', 'Set units to 3 (the number of classes)'), '  dense(3, activation: softmax)');
});

test('fix the last activation: edit the argument, add it, or swap an activation layer', async () => {
  assert.equal(await apply('loss-activation', 'dense(3, activation: relu)', 'Use activation: softmax'), '  dense(3, activation: softmax)');
  assert.equal(await apply('loss-activation', /^\s*relu$/, 'Replace relu with softmax'), '  softmax');
  const noActivation = diagnostics.filter((d) => d.code === 'loss-activation' && lines[d.range.start.line].trim() === 'dense(3)');
  const d = noActivation.find((x) => lines[x.range.start.line - 2]?.includes('NoActivation'))!;
  const actions = await actionsFor(d);
  assert.deepEqual(changedLines(TEXT, applyEdits(TEXT, actions[0].edit!.changes![uri])), '  dense(3, activation: softmax)');
});

test('binary loss on a softmax: change the activation or the loss', async () => {
  assert.equal(await apply('softmax-binary-loss', 'dense(2', 'Use activation: sigmoid'), '  dense(2, activation: sigmoid)');
  assert.equal(await apply('softmax-binary-loss', 'dense(2', 'Use loss: sparse_categorical_crossentropy'), '  train { loss: sparse_categorical_crossentropy }');
  assert.equal(await apply('loss-labels', 'binary_crossentropy', 'Use loss: sparse_categorical_crossentropy'), '  train { loss: sparse_categorical_crossentropy }');
});

test('add a projection to a residual whose branch changes the shape', async () => {
  assert.equal(await apply('residual-shape', 'residual', 'Add a projection on the skip path (projection: true)'), '  residual(projection: true) {');
});

test('insert a missing argument', async () => {
  assert.equal(await apply('missing-argument', 'dense(activation', "Add the missing argument 'units'"), '  dense(activation: softmax, units: )');
});

test('the fixed text no longer has the problem', async () => {
  const fixed = applyEdits(TEXT, (await actionsFor(diagnostic('unknown-layer', 'denze')))[0].edit!.changes![uri]);
  const check = fixtureUri('problems-fixed.model');
  await client.open(check, fixed);
  const after = await client.diagnosticsFor(check);
  assert.ok(!after.diagnostics.some((x) => x.code === 'unknown-layer'));
});

test('no actions outside diagnostics, or when only other kinds are asked for', async () => {
  const clean = { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } };
  assert.deepEqual(await client.request('textDocument/codeAction', { textDocument: { uri }, range: clean, context: { diagnostics: [] } }), []);
  const d = diagnostic('unknown-layer', 'denze');
  assert.deepEqual(await client.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d], only: ['refactor'] } }), []);
});
