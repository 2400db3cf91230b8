// The outline: datasets, blocks, models with their layers, train sections, compare.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DocumentSymbol } from 'vscode-languageserver-protocol';
import { fixtureUri, TestClient } from './client';

let client: TestClient;

before(async () => {
  client = await TestClient.start();
  await client.openFixture('iris.model');
});
after(() => client.stop());

function outline(symbols: DocumentSymbol[], depth = 0): string[] {
  return symbols.flatMap((s) => [`${'  '.repeat(depth)}${s.name}${s.detail ? ` (${s.detail})` : ''}`, ...outline(s.children ?? [], depth + 1)]);
}

test('datasets, blocks and models with their layers, in file order', async () => {
  const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: fixtureUri('iris.model') } });
  assert.deepEqual(outline(symbols), [
    'Iris (dataset)',
    '  source',
    '  target',
    '  test_split',
    '  normalize',
    'Hidden (block(units, rate))',
    '  dense',
    '  dropout',
    'IrisMLP (neural · 131 params)',
    '  data',
    '  Hidden ([16] · 80 params)',
    '  dense ([3] · 51 params)',
    '  train (4 settings)',
    '    optimizer',
    '    loss',
    '    batch_size',
    '    epochs',
    'IrisDeep (neural · 283 params)',
    '  data',
    '  repeat ([8] · 184 params)',
    '    dense ([8] · 184 params)',
    '  residual ([8] · 72 params)',
    '    dense ([8] · 72 params)',
    '  dense ([3] · 27 params)',
    'compare (IrisMLP, IrisDeep)',
  ]);
});

test('every selection range lies inside its range, even in broken text', async () => {
  const uri = fixtureUri('broken-outline.model');
  await client.open(uri, 'model {\n  dense(\n}\nmodel X {\n  repeat {\n    relu\ndataset\n');
  const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  const check = (s: DocumentSymbol) => {
    assert.ok(s.name.length > 0, 'names are never empty');
    const inside = (p: { line: number; character: number }) =>
      (p.line > s.range.start.line || (p.line === s.range.start.line && p.character >= s.range.start.character)) &&
      (p.line < s.range.end.line || (p.line === s.range.end.line && p.character <= s.range.end.character));
    assert.ok(inside(s.selectionRange.start) && inside(s.selectionRange.end), `selection of ${s.name}`);
    (s.children ?? []).forEach(check);
  };
  symbols.forEach(check);
  assert.ok(symbols.length >= 2);
});
