// The server on unbounded input: an expression of 100,000 terms gets real answers (not an
// internal error from a stack overflow), and a garbage file gets a bounded publishDiagnostics.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hover, PublishDiagnosticsParams, SemanticTokens } from 'vscode-languageserver-protocol';
import { fixtureUri, TestClient } from './client';
import { mulberry32 } from '../../server/src/util/random';

let client: TestClient;
before(async () => {
  client = await TestClient.start();
});
after(() => client.stop());

const TERMS = 100_000;
const failures = () => client.logs.filter((l) => / failed|did not finish/.test(l));

test(`an expression of ${TERMS.toLocaleString('en-US')} terms: diagnostics, hover, semantic tokens and the rest answer`, async () => {
  const uri = fixtureUri('long-expression.model');
  const sum = Array.from({ length: TERMS }, () => '1').join(' + ');
  const text = `model Long {\n  input: [4]\n  dense(${sum})\n  dense(2, activation: softmax)\n}\n`;
  const since = client.published.length;
  await client.open(uri, text);
  const published = await client.diagnosticsFor(uri, since, () => true, 20_000);
  assert.deepEqual(published.diagnostics.map((d) => `${d.code}: ${d.message}`), []);
  const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 3 } });
  const value = typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
  assert.match(value, /500,000/, 'dense(100,000) on [4] has 500,000 parameters');
  const middle = { line: 2, character: 8 + 2 * TERMS };
  await client.request('textDocument/hover', { textDocument: { uri }, position: middle });
  const tokens = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
  assert.ok(tokens.data.length / 5 > TERMS, `${tokens.data.length / 5} tokens`);
  for (const method of ['textDocument/completion', 'textDocument/signatureHelp', 'textDocument/definition', 'textDocument/prepareRename']) {
    await client.request(method, { textDocument: { uri }, position: middle });
  }
  for (const method of ['textDocument/foldingRange', 'textDocument/documentSymbol', 'textDocument/codeLens']) {
    await client.request(method, { textDocument: { uri } });
  }
  await client.request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } } });
  await client.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  await client.request('textDocument/references', { textDocument: { uri }, position: middle, context: { includeDeclaration: true } });
  await client.request('textDocument/codeAction', { textDocument: { uri }, range: { start: middle, end: middle }, context: { diagnostics: [] } });
  // An edit inside the chain (an incremental parse and check): 1 + 1 + … + 2 + …
  const edited = client.published.length;
  await client.edit(uri, { start: middle, end: { line: 2, character: middle.character + 1 } }, '2');
  const again = await client.diagnosticsFor(uri, edited, () => true, 20_000);
  assert.deepEqual(again.diagnostics, []);
  const hoverAgain = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 3 } });
  assert.match(typeof hoverAgain.contents === 'object' && 'value' in hoverAgain.contents ? hoverAgain.contents.value : '', /500,005/, 'dense(100,001) on [4]');
  assert.ok(client.alive);
  assert.deepEqual(failures(), []);
  await client.close(uri);
});

test('a garbage file: at most 1,000 diagnostics and a note saying how many more, in a message of bounded size', async () => {
  const next = mulberry32(11);
  const chars = 'abcdefghij(),:[]{}0123456789 +-=\n\n';
  let text = '';
  while (text.length < 1 << 20) text += chars[Math.floor(next() * chars.length)];
  const uri = fixtureUri('garbage.model');
  const since = client.published.length;
  await client.open(uri, text);
  const published: PublishDiagnosticsParams = await client.diagnosticsFor(uri, since, () => true, 30_000);
  assert.equal(published.diagnostics.length, 1_001);
  const note = published.diagnostics[1_000];
  assert.equal(note.code, 'too-many-problems');
  assert.match(note.message, /^[\d,]+ more problems not shown: only 1,000 of [\d,]+ /);
  assert.ok(JSON.stringify(published).length < 1_000_000, `${JSON.stringify(published).length} characters`);
  assert.ok(client.alive);
  assert.deepEqual(failures(), []);
  await client.close(uri);
});

test('a name of a million characters is quoted short in its message', async () => {
  const uri = fixtureUri('long-name.model');
  const since = client.published.length;
  await client.open(uri, `model M {\n  input: [4]\n  ${'x'.repeat(1_000_000)}(3)\n}\n`);
  const published = await client.diagnosticsFor(uri, since, () => true, 20_000);
  const unknown = published.diagnostics.find((d) => d.code === 'unknown-layer');
  assert.ok(unknown, published.diagnostics.map((d) => d.code).join(', '));
  assert.ok(unknown.message.length < 200, `${unknown.message.length} characters`);
  assert.match(unknown.message, /^Unknown layer 'x+…'\.$/);
  await client.close(uri);
});

test('a 2 MB line of surplus arguments: one diagnostic over them all, and every request answers', async () => {
  const uri = fixtureUri('surplus-arguments.model');
  const n = Math.ceil(2_000_000 / 3);
  const text = `model M {\n  input: [4]\n  dense(${Array(n).fill('1').join(', ')})\n  train {\n    loss: mse\n  }\n}\n`;
  const since = client.published.length;
  const opened = performance.now();
  await client.open(uri, text);
  const published = await client.diagnosticsFor(uri, since, () => true, 30_000);
  // Timings depend on the machine and its load: printed, not asserted.
  console.log(`# 2 MB of arguments: diagnostics published after ${Math.round(performance.now() - opened)} ms`);
  const surplus = published.diagnostics.filter((d) => d.code === 'too-many-arguments');
  assert.equal(surplus.length, 1);
  assert.match(surplus[0].message, /; [\d,]+ surplus arguments: remove them or name the ones meant\.$/);
  assert.equal(surplus[0].range.end.character, 8 + 3 * n - 2, 'the range runs to the last argument');
  assert.ok(published.diagnostics.length <= 10, `${published.diagnostics.length} diagnostics`);
  const middle = { line: 2, character: 8 + 3 * Math.floor(n / 2) };
  const times: string[] = [];
  const timed = async (method: string, params: object) => {
    const start = performance.now();
    await client.request(method, { textDocument: { uri }, ...params });
    times.push(`${method.replace('textDocument/', '')} ${Math.round(performance.now() - start)} ms`);
  };
  await timed('textDocument/hover', { position: middle });
  await timed('textDocument/codeAction', { range: surplus[0].range, context: { diagnostics: [surplus[0]] } });
  for (const method of ['textDocument/semanticTokens/full', 'textDocument/foldingRange', 'textDocument/documentSymbol', 'textDocument/codeLens']) await timed(method, {});
  await timed('textDocument/inlayHint', { range: { start: { line: 0, character: 0 }, end: { line: 7, character: 0 } } });
  console.log(`# 2 MB of arguments: ${times.join(', ')}`);
  assert.ok(client.alive);
  assert.deepEqual(failures(), []);
  await client.close(uri);
});
