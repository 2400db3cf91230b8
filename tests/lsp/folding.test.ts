// Folding: declaration bodies, train sections, repeat and residual bodies, multi-line calls, comments.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FoldingRange } from 'vscode-languageserver-protocol';
import { fixtureUri, TestClient } from './client';

let client: TestClient;
const uri = fixtureUri('folding-scratch.model');
const TEXT = `/*
 * A block comment
 * over three lines.
 */
// Two line comments
// in a row.
model M {
  input: [8]
  repeat 2 {
    dense(8)
  }
  residual {
    dense(8)
  }
  dense(
    4,
    activation: softmax
  )
  train {
    epochs: 3
  }
}
`;

before(async () => {
  client = await TestClient.start();
  await client.open(uri, TEXT);
});
after(() => client.stop());

test('bodies fold up to the line before their closing brace; comments fold whole', async () => {
  const ranges = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
  const lines = TEXT.split('\n');
  const shown = ranges
    .map((r) => `${r.startLine}-${r.endLine}${r.kind ? ` ${r.kind}` : ''}: ${lines[r.startLine].trim()}`)
    .sort((a, b) => parseInt(a) - parseInt(b) || a.localeCompare(b));
  assert.deepEqual(shown, [
    '0-3 comment: /*',
    '4-5 comment: // Two line comments',
    '6-20: model M {',
    '8-9: repeat 2 {',
    '11-12: residual {',
    '14-16: dense(',
    '18-19: train {',
  ]);
});
