// Document formatting: canonical whitespace, comments and blank lines kept, idempotent,
// and nothing at all when the text has syntax errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TextEdit } from 'vscode-languageserver-protocol';
import { applyEdits, fixtureText, fixtureUri, TestClient } from './client';

let client: TestClient;
const uri = fixtureUri('format-scratch.model');
const options = { tabSize: 4, insertSpaces: true };

before(async () => {
  client = await TestClient.start();
  await client.open(uri, '');
});
after(() => client.stop());

async function format(text: string): Promise<string> {
  await client.change(uri, text);
  const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options });
  return applyEdits(text, edits);
}

const EXPECTED = `// A model written in a hurry.
dataset Iris {
  source: "data/iris.csv"     // aligned comments
  target: "label"     // stay aligned
}

block Hidden(units, rate = 0.1) {
  dense(units, activation: relu) /* inline */ dropout(rate)
}
model IrisMLP {
  data: Iris
  input: [4]
  Hidden(16)
  dense(3, activation: softmax)
  residual(projection: true) { dense(3) }
  dense(
    3,
    activation: softmax
  )
  /* a block
     comment keeps its inside */
  train {
    optimizer: adam(learning_rate: 1e-3)
    epochs: 10 * 2 - -1
  }

}
compare IrisMLP
`;

test('canonical layout: indentation by depth, spaces after : and , and none before (', async () => {
  assert.equal(await format(fixtureText('messy.model')), EXPECTED);
});

test('idempotent: formatting the result changes nothing (no edits at all)', async () => {
  await client.change(uri, EXPECTED);
  const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options });
  assert.deepEqual(edits, []);
  for (const name of ['iris.model', 'lenet5.model']) {
    const once = await format(fixtureText(name));
    assert.equal(await format(once), once, `${name} twice`);
  }
});

test('keeps every comment and the meaning: only whitespace changes', async () => {
  const source = fixtureText('messy.model');
  const formatted = await format(source);
  const strip = (s: string) => s.replace(/\s+/g, '');
  assert.equal(strip(formatted), strip(source));
  for (const comment of ['// A model written in a hurry.', '// aligned comments', '/* inline */', 'comment keeps its inside */']) assert.ok(formatted.includes(comment), comment);
});

test('refuses (no edits) when the document has syntax errors', async () => {
  const broken = 'model   M {\n  dense(4,\n  conv2d((\n}\n';
  assert.equal(await format(broken), broken);
  const unterminated = 'model  M {\n  dense(4)\n} /* never closed';
  assert.equal(await format(unterminated), unterminated);
});

test('edits only what changed, and keeps CRLF line ends', async () => {
  const text = 'model M {\r\n  input: [4]\r\n  dense(3,activation: softmax)\r\n}\r\n';
  await client.change(uri, text);
  const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options });
  assert.equal(edits.length, 1);
  assert.equal(edits[0].range.start.line, 2);
  assert.equal(edits[0].range.end.line, 2);
  assert.equal(applyEdits(text, edits), 'model M {\r\n  input: [4]\r\n  dense(3, activation: softmax)\r\n}\r\n');
});
