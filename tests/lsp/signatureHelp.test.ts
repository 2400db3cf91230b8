// Signature help inside calls: the callee's parameters from the catalogue, the active one
// following commas and names.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SignatureHelp } from 'vscode-languageserver-protocol';
import { fixtureUri, TestClient } from './client';

let client: TestClient;
const uri = fixtureUri('signature-scratch.model');

before(async () => {
  client = await TestClient.start();
  await client.open(uri, '');
});
after(() => client.stop());

async function help(source: string): Promise<SignatureHelp | null> {
  const index = source.indexOf('|');
  const text = source.slice(0, index) + source.slice(index + 1);
  await client.change(uri, text);
  const before = text.slice(0, index);
  const position = { line: before.split('\n').length - 1, character: index - before.lastIndexOf('\n') - 1 };
  return client.request<SignatureHelp | null>('textDocument/signatureHelp', { textDocument: { uri }, position });
}

const model = (line: string) => `model M {\n  input: [8, 8, 1]\n${line}\n}\n`;

function activeName(h: SignatureHelp | null): string | undefined {
  if (!h) return undefined;
  const sig = h.signatures[h.activeSignature ?? 0];
  const p = sig.parameters?.[h.activeParameter ?? -1];
  if (!p) return undefined;
  const label = typeof p.label === 'string' ? p.label : sig.label.slice(p.label[0], p.label[1]);
  return label.split(' ')[0];
}

test('a layer call shows its parameters with docs', async () => {
  const h = await help(model('  conv2d(|'));
  assert.ok(h);
  const sig = h.signatures[0];
  assert.match(sig.label, /^conv2d\(filters, kernel, stride = \[1, 1\], padding = valid, /);
  assert.equal(activeName(h), 'filters');
  const doc = sig.parameters![0].documentation;
  assert.match(typeof doc === 'object' ? doc.value : String(doc), /Number of output channels/);
});

test('the active parameter follows commas, then names', async () => {
  assert.equal(activeName(await help(model('  conv2d(16, |'))), 'kernel');
  assert.equal(activeName(await help(model('  conv2d(16, padding: |'))), 'padding');
  assert.equal(activeName(await help(model('  conv2d(16, kernel: 3, |'))), 'stride');
  assert.equal(activeName(await help(model('  conv2d(16, kernel: 3, acti|'))), 'activation');
});

test('nested calls: the innermost call wins, also inside a list argument', async () => {
  assert.equal(activeName(await help(model('  conv2d(16, kernel: [3, |'))), 'kernel');
  const h = await help('model M {\n  input: [8]\n  dense(4)\n  train {\n    optimizer: adam(learning_rate: 0.1, |\n  }\n}\n');
  assert.match(h?.signatures[0].label ?? '', /^adam\(learning_rate = 0.001, beta1 = 0.9/);
  assert.equal(activeName(h), 'beta1');
});

test('blocks, residual and synthetic() have signatures too', async () => {
  const block = await help('block B(f, k = 3) {\n  conv2d(f, kernel: k)\n}\nmodel M {\n  input: [8, 8, 1]\n  B(4, |\n}\n');
  assert.equal(block?.signatures[0].label, 'B(f, k = 3)');
  assert.equal(activeName(block), 'k');
  const residual = await help(model('  residual(|) { relu }'));
  assert.match(residual?.signatures[0].label ?? '', /^residual\(projection = false/);
  const synthetic = await help('dataset D {\n  source: synthetic(kind: spirals, |\n}\n');
  assert.match(synthetic?.signatures[0].label ?? '', /^synthetic\(kind, samples = 1000, classes = 3/);
  assert.equal(activeName(synthetic), 'samples');
});

test('outside any call there is no signature', async () => {
  assert.equal(await help(model('  |')), null);
  assert.equal(await help(model('  dense(4) |')), null);
  assert.equal(await help(model('  dense(4 // note (|')), null);
});
