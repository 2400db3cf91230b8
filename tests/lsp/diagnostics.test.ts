// Diagnostics pushed by the server: after open and change, never for a stale version,
// cleared on close, and re-published when a data file the document reads changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { delay, fixtureUri, TestClient } from './client';

let client: TestClient;
const GOOD = 'model M {\n  input: [4]\n  classes: 3\n  dense(3, activation: softmax)\n}\n';
const BAD = 'model M {\n  input: [4]\n  classes: 3\n  denze(3, activation: softmax)\n}\n';

before(async () => {
  client = await TestClient.start();
});
after(() => client.stop());

test('published after open, with version, code, source and fix data', async () => {
  const uri = fixtureUri('diag-open.model');
  await client.open(uri, BAD);
  const p = await client.diagnosticsFor(uri);
  assert.equal(p.version, 1);
  assert.equal(p.diagnostics.length, 1);
  const [d] = p.diagnostics;
  assert.equal(d.code, 'unknown-layer');
  assert.equal(d.source, 'modelspec');
  assert.equal(d.severity, 1);
  assert.deepEqual(d.range, { start: { line: 3, character: 2 }, end: { line: 3, character: 7 } });
  assert.deepEqual(d.data, { suggestions: ['dense'] });
});

test('published again after a change, for the new version', async () => {
  const uri = fixtureUri('diag-change.model');
  await client.open(uri, GOOD);
  assert.deepEqual((await client.diagnosticsFor(uri)).diagnostics, []);
  const since = client.published.length;
  const version = await client.edit(uri, { start: { line: 3, character: 4 }, end: { line: 3, character: 5 } }, 'z');
  const p = await client.diagnosticsFor(uri, since);
  assert.equal(p.version, version);
  assert.deepEqual(p.diagnostics.map((d) => d.code), ['unknown-layer']);
});

test('rapid edits: only the final version is published, even when features analysed the ones between', async () => {
  const slow = await TestClient.start({ settings: { diagnostics: { delay: 300 } } });
  try {
    const uri = fixtureUri('diag-rapid.model');
    await slow.open(uri, GOOD);
    await slow.diagnosticsFor(uri);
    const since = slow.published.length;
    let version = 1;
    for (let i = 0; i < 20; i++) {
      version = await slow.change(uri, i % 2 ? GOOD : BAD);
      // A hover makes the server analyse this intermediate version; it must still not be published.
      await slow.request('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 3 } });
    }
    const last = await slow.change(uri, BAD);
    const p = await slow.diagnosticsFor(uri, since);
    await delay(400);
    const published = slow.published.slice(since).filter((x) => x.uri === uri);
    assert.deepEqual(published.map((x) => x.version), [last], 'one publication, for the last version');
    assert.deepEqual(p.diagnostics.map((d) => d.code), ['unknown-layer']);
    assert.ok(version < last);
  } finally {
    await slow.stop();
  }
});

test('cleared when the document closes, and not published again', async () => {
  const uri = fixtureUri('diag-close.model');
  await client.open(uri, BAD);
  await client.diagnosticsFor(uri, 0, (p) => p.diagnostics.length > 0);
  const since = client.published.length;
  await client.change(uri, GOOD + ' ');
  await client.close(uri);
  const cleared = await client.diagnosticsFor(uri, since);
  assert.deepEqual(cleared.diagnostics, []);
  await delay(150);
  assert.deepEqual(client.published.slice(since).filter((p) => p.uri === uri).map((p) => p.diagnostics.length), [0], 'the pending edit is not published after close');
});

test('re-published when a watched data file changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelspec-lsp-'));
  try {
    const csv = join(dir, 'data.csv');
    writeFileSync(csv, 'a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n');
    const uri = pathToFileURL(join(dir, 'watched.model')).href;
    await client.open(uri, 'dataset D {\n  source: "data.csv"\n}\nmodel M {\n  data: D\n  dense(3, activation: softmax)\n}\n');
    const first = await client.diagnosticsFor(uri);
    assert.deepEqual(first.diagnostics.map((d) => d.code), ['output-classes'], 'two classes in the file, three outputs');
    assert.ok(
      client.registrations.some((r) => JSON.stringify(r).includes('workspace/didChangeWatchedFiles')),
      'the server asked to watch data files',
    );
    const since = client.published.length;
    writeFileSync(csv, 'a,b,label\n1,2,0\n3,4,1\n5,6,2\n7,8,1\n9,10,2\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(csv).href, type: 2 }] });
    const second = await client.diagnosticsFor(uri, since);
    assert.deepEqual(second.diagnostics, [], 'three classes now');
    assert.equal(second.version, first.version, 'same document version, new data');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a change to an unrelated file publishes nothing', async () => {
  const uri = fixtureUri('diag-unrelated.model');
  await client.open(uri, GOOD);
  await client.diagnosticsFor(uri);
  const since = client.published.length;
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: 'file:///elsewhere/other.csv', type: 2 }] });
  await delay(150);
  assert.equal(client.published.slice(since).filter((p) => p.uri === uri).length, 0);
});
