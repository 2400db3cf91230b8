// Go to definition, find references and rename for datasets, blocks and models.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Location, Range, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { applyEdits, fixtureUri, positionOf, TestClient } from './client';

let client: TestClient;
const uri = fixtureUri('navigation-scratch.model');
const TEXT = `dataset Iris {
  source: "data/iris.csv"
}

block Hidden(units) {
  dense(units, activation: relu)
}

block Twice(units) {
  Hidden(units)
  Hidden(units)
}

block Unused(units) {
  Hidden(units)
}

model A {
  data: Iris
  Twice(8)
  dense(3, activation: softmax)
}

model B {
  data: Iris
  Hidden(4)
  dense(3, activation: softmax)
}

compare A, B
`;

before(async () => {
  client = await TestClient.start();
  await client.open(uri, TEXT);
});
after(() => client.stop());

const at = (needle: string, n = 0, offset = 1) => ({ textDocument: { uri }, position: positionOf(TEXT, needle, offset, n) });
const text = (r: Range) => TEXT.split('\n')[r.start.line].slice(r.start.character, r.end.character);
const where = (locations: Location[]) => locations.map((l) => `${l.range.start.line + 1}:${l.range.start.character + 1} ${text(l.range)}`);

test('definition: from a use to the declaration name, for each kind', async () => {
  const toIris = await client.request<Location>('textDocument/definition', at('data: Iris', 0, 'data: '.length + 1));
  assert.deepEqual(toIris, { uri, range: { start: { line: 0, character: 8 }, end: { line: 0, character: 12 } } });
  const toHidden = await client.request<Location>('textDocument/definition', at('Hidden(4)'));
  assert.equal(toHidden.range.start.line, 4);
  const toModel = await client.request<Location>('textDocument/definition', at('compare A', 0, 'compare '.length));
  assert.equal(toModel.range.start.line, 17);
  assert.equal(await client.request('textDocument/definition', at('dense(3')), null, 'a catalogue layer has no declaration here');
});

test('references: every use, with or without the declaration, including inside unused blocks', async () => {
  const refs = await client.request<Location[]>('textDocument/references', { ...at('block Hidden', 0, 'block '.length + 1), context: { includeDeclaration: true } });
  assert.deepEqual(where(refs), ['5:7 Hidden', '10:3 Hidden', '11:3 Hidden', '15:3 Hidden', '26:3 Hidden']);
  const uses = await client.request<Location[]>('textDocument/references', { ...at('data: Iris', 1, 'data: '.length + 1), context: { includeDeclaration: false } });
  assert.deepEqual(where(uses), ['19:9 Iris', '25:9 Iris']);
  const models = await client.request<Location[]>('textDocument/references', { ...at('model B', 0, 'model '.length + 1), context: { includeDeclaration: true } });
  assert.deepEqual(where(models), ['24:7 B', '30:12 B']);
});

test('prepareRename: the name and its range, or null where nothing can be renamed', async () => {
  assert.deepEqual(await client.request('textDocument/prepareRename', at('Twice(8)')), { range: { start: { line: 19, character: 2 }, end: { line: 19, character: 7 } }, placeholder: 'Twice' });
  assert.equal(await client.request('textDocument/prepareRename', at('dense(3')), null);
  assert.equal(await client.request('textDocument/prepareRename', at('source')), null);
});

test('rename: every occurrence changes together', async () => {
  const edit = await client.request<WorkspaceEdit>('textDocument/rename', { ...at('Hidden(4)'), newName: 'Layer' });
  const edits = edit.changes![uri];
  assert.equal(edits.length, 5);
  const renamed = applyEdits(TEXT, edits);
  assert.ok(!renamed.includes('Hidden'));
  assert.equal(renamed.match(/\bLayer\b/g)?.length, 5);
  const ds = await client.request<WorkspaceEdit>('textDocument/rename', { ...at('Iris {'), newName: 'Flowers' });
  assert.equal(applyEdits(TEXT, ds.changes![uri]).match(/\bFlowers\b/g)?.length, 3);
});

test('rename refuses names that are not identifiers, keywords, or clash', async () => {
  const target = at('model A', 0, 'model '.length);
  await assert.rejects(client.request('textDocument/rename', { ...target, newName: '2fast' }), /not a name/);
  await assert.rejects(client.request('textDocument/rename', { ...target, newName: 'model' }), /keyword/);
  await assert.rejects(client.request('textDocument/rename', { ...target, newName: 'B' }), /already the name of a model/);
  await assert.rejects(client.request('textDocument/rename', { ...at('block Hidden', 0, 'block '.length), newName: 'dense' }), /built-in layer/);
  assert.ok(client.alive);
});
