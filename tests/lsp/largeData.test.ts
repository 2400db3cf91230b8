// A 200 MB CSV behind a dataset: the server summarises it in the background, so an edit
// gets its diagnostics at once ("summary pending" meanwhile, not "this is a bug in
// Modelspec"), hovers and commands answer, and when the summary is ready the diagnostics
// come again with the whole file counted and the sample said.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hover, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { TestClient } from './client';
import { bigSpec, writeBigCsv } from './bigCsv';

let dir: string;
let client: TestClient;
let rows = 0;


before(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelspec-large-'));
  rows = writeBigCsv(join(dir, 'big.csv'), 200);
});

after(async () => {
  await client?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const SPEC = bigSpec('big.csv');
const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => d.code);
const hoverText = async (uri: string, line: number, character: number) =>
  ((await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } }))?.contents as { value?: string } | undefined)?.value ?? '';

test('with a 200 MB CSV, edit → diagnostics takes under 200 ms while the summary is pending; then the summary arrives', { timeout: 30_000 }, async () => {
  client = await TestClient.start();
  const uri = pathToFileURL(join(dir, 'spec.model')).href;
  const t0 = performance.now();
  await client.open(uri, SPEC);
  const opened = await client.diagnosticsFor(uri, 0);
  const openMs = performance.now() - t0;
  assert.deepEqual(codes(opened), ['dataset-pending'], JSON.stringify(opened.diagnostics));
  assert.match(opened.diagnostics[0].message, /^big\.csv: summary pending\. The file \(200(\.\d+)? MiB\) is being read in the background/);

  // An edit while the summary is pending: its diagnostics come at once.
  const since = client.published.length;
  const t1 = performance.now();
  const version = await client.edit(uri, { start: { line: 6, character: 8 }, end: { line: 6, character: 10 } }, '32');
  const edited = await client.diagnosticsFor(uri, since, (p) => p.version === version);
  const editMs = performance.now() - t1;
  assert.deepEqual(codes(edited), ['dataset-pending'], 'still pending: the edit did not wait for the file');
  assert.ok(editMs < 200, `edit → diagnostics took ${editMs.toFixed(0)} ms`);

  // Features answer meanwhile: the hover says the summary is pending, the model is there with its shapes (the header gives the features).
  assert.match(await hoverText(uri, 0, 9), /summary pending \(reading 200(\.\d+)? MiB in the background\)/);
  assert.match(await hoverText(uri, 0, 9), /\| Features \| 8, shape \[8\] \|/);
  const estimate = await client.request<string>('workspace/executeCommand', { command: 'modelspec.server.estimate', arguments: [{ uri, model: 'M' }] });
  assert.match(estimate, /M/);

  // The summary: published again for the same version, every row counted, the sample said.
  const ready = await client.diagnosticsFor(uri, since, (p) => p.version === version && !codes(p).includes('dataset-pending'), 20_000);
  assert.deepEqual(codes(ready).filter((c) => c !== 'overparameterized'), []);
  const hover = await hoverText(uri, 0, 9);
  const sampled = /\| Rows \| ([\d,]+) \(summary sampled ([\d,]+) of ([\d,]+) rows\)/.exec(hover);
  assert.ok(sampled, hover);
  assert.equal(Number(sampled[1].replace(/,/g, '')), rows);
  assert.ok(Number(sampled[2].replace(/,/g, '')) < rows);
  assert.match(hover, /\| Classes \| 3 \(target `label`\) \|/);
  // A file's summary is cached: the next edit reads nothing and is as quick.
  const since2 = client.published.length;
  const t2 = performance.now();
  const v2 = await client.edit(uri, { start: { line: 6, character: 8 }, end: { line: 6, character: 10 } }, '64');
  const again = await client.diagnosticsFor(uri, since2, (p) => p.version === v2);
  const againMs = performance.now() - t2;
  assert.ok(!codes(again).includes('dataset-pending') && !codes(again).includes('internal-error'));
  assert.ok(againMs < 200, `edit → diagnostics with the summary cached took ${againMs.toFixed(0)} ms`);
  console.log(`200 MB CSV: open → diagnostics ${openMs.toFixed(0)} ms, edit → diagnostics (pending) ${editMs.toFixed(0)} ms, with the summary cached ${againMs.toFixed(0)} ms`);
  assert.ok(client.alive);
});
