// The editor features on concat, if/else and in_channels, answered by the real server:
// keyword hovers, layers inside paths and branches found for hover, semantic tokens,
// folding, outline, and completion inside a concat path and an if branch.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletionItem, CompletionList, DocumentSymbol, FoldingRange, Hover } from 'vscode-languageserver-protocol';
import { fixtureUri, positionOf, TestClient } from './client';

let client: TestClient;
const uri = fixtureUri('structure-scratch.model');
const TEXT = `block Fire(squeeze, e1, e3) {
  conv2d(squeeze, kernel: 1, activation: relu)
  concat {
    { conv2d(e1, kernel: 1) }
    { conv2d(e3, kernel: 3, padding: same) }
  }
}
block Expand(t) {
  if t != 1 and not false {
    conv2d(in_channels * t, kernel: 1)
  } else {
    relu
  }
}
model M {
  input: [8, 8, 3]
  Fire(2, 4, 4)
  Expand(6)
  flatten
  dense(3, activation: softmax)
}
`;

before(async () => {
  client = await TestClient.start();
  await client.open(uri, TEXT);
});
after(() => client.stop());

async function hover(needle: string, offset = 1): Promise<string> {
  const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(TEXT, needle, offset) });
  assert.ok(h, `hover at ${needle}`);
  return typeof h.contents === 'string' ? h.contents : 'value' in h.contents ? h.contents.value : '';
}

test('keywords hover with their documentation; layers inside paths and branches hover as layers', async () => {
  assert.match(await hover('concat {'), /\*\*concat\*\*[\s\S]*joins their outputs on the last \(channel\) axis/);
  assert.match(await hover('if t'), /\*\*if\*\*[\s\S]*in_channels/);
  assert.match(await hover('else {'), /\*\*else\*\*/);
  assert.match(await hover('conv2d(e3'), /conv2d\(filters, kernel/);
  assert.match(await hover('conv2d(in_channels'), /conv2d\(filters, kernel/);
});

test('semantic tokens: concat, if, else and not are keywords; in_channels is a parameter', async () => {
  const decoded = await client.semanticTokens(uri, TEXT);
  for (const t of ['concat:keyword', 'if:keyword', 'else:keyword', 'not:keyword', 'in_channels:parameter', 't:parameter', 'e3:parameter']) assert.ok(decoded.includes(t), `${t} in ${decoded.join(' ')}`);
});

test('folding and the outline include concat and if', async () => {
  const ranges = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
  assert.ok(ranges.some((r) => r.startLine === 2 && r.endLine >= 4), 'the concat folds');
  assert.ok(ranges.some((r) => r.startLine === 8 && r.endLine >= 9), 'the if folds');
  const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  const fire = symbols.find((s) => s.name === 'Fire')!;
  const concat = fire.children!.find((s) => s.name === 'concat');
  assert.deepEqual(concat?.children?.map((s) => s.name), ['conv2d', 'conv2d']);
  const expand = symbols.find((s) => s.name === 'Expand')!;
  assert.deepEqual(expand.children!.find((s) => s.name === 'if')?.children?.map((s) => s.name), ['conv2d', 'relu']);
});

test('completion inside a concat path and an if branch offers layers, and concat and if are offered in bodies', async () => {
  const complete = async (text: string) => {
    const index = text.indexOf('|');
    const clean = text.slice(0, index) + text.slice(index + 1);
    await client.change(uri, clean);
    const before = clean.slice(0, index);
    const position = { line: before.split('\n').length - 1, character: index - before.lastIndexOf('\n') - 1 };
    const r = await client.request<CompletionItem[] | CompletionList | null>('textDocument/completion', { textDocument: { uri }, position });
    return (!r ? [] : Array.isArray(r) ? r : r.items).map((i) => i.label);
  };
  const inPath = await complete('model M {\n  input: [4]\n  concat {\n    { den| }\n  }\n}\n');
  assert.ok(inPath.includes('dense'));
  assert.ok(!inPath.includes('input'), 'no settings inside a path');
  const inBranch = await complete('block B(t) {\n  if t > 1 {\n    |\n  }\n}\n');
  assert.ok(inBranch.includes('conv2d'));
  const body = await complete('model M {\n  input: [4]\n  |\n}\n');
  assert.ok(body.includes('concat') && body.includes('if'));
});
