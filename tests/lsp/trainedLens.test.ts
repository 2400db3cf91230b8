// After a classical run, the lens and the hover show the size the model trained to, for as
// long as the spec gives that model the same estimator settings and data.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeLens, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import type { RunView } from '../../server/src/lsp/protocol';
import { fixtureText, fixtureUri, TestClient } from './client';

let client: TestClient;
let runsDir: string;
const uri = fixtureUri('trained.model');
const text = fixtureText('trained.model');

before(async () => {
  runsDir = mkdtempSync(join(tmpdir(), 'modelspec-lsp-trained-'));
  client = await TestClient.start({ settings: { runsDirectory: runsDir } });
  await client.openFixture('trained.model');
});
after(async () => {
  await client.stop();
  rmSync(runsDir, { recursive: true, force: true });
});

const sizeLenses = async () => (await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } })).filter((l) => l.command?.command === '').map((l) => l.command!.title);
const hoverOn = async (line: number) => ((await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line, character: 8 } })).contents as MarkupContent).value;
const forestLine = text.split('\n').findIndex((l) => l.startsWith('model SmallForest'));

test('before any run, the lenses show the bounds', async () => {
  // 5 trees × min(2^5 − 1, 2·120 − 1) = 31 nodes × 4; one tree of 2^4 − 1 = 15 nodes × 4.
  assert.deepEqual(await sizeLenses(), ['≤ 620 params · random_forest', '≤ 60 params · decision_tree']);
});

test('a real run replaces the forest’s bound with its trained size, and the lenses are refreshed', async () => {
  const refreshes = client.refreshes.length;
  const view = await client.executeCommand<RunView>(uri, 'modelspec.server.train', { model: 'SmallForest' });
  assert.equal(view.status, 'completed');
  const trained = Number(view.result!.params.total);
  assert.ok(trained > 0 && trained <= 620 && trained % 4 === 0, `trained size ${trained}`);
  await client.waitFor(() => client.refreshes.slice(refreshes).includes('workspace/codeLens/refresh'), 'a code lens refresh');
  const day = view.finishedAt!.slice(0, 10);
  assert.deepEqual(await sizeLenses(), [`trained: ${trained.toLocaleString('en-US')} params (run of ${day}) · random_forest`, '≤ 60 params · decision_tree']);
  const hover = await hoverOn(forestLine);
  assert.match(hover, new RegExp(`\\| Parameters \\(trained\\) \\| ${trained.toLocaleString('en-US')} \\(run of ${day}\\); before training ≤ 620 `));
  assert.match(hover, /\| Fit memory \| ≤ /);
});

test('other settings or other data bring the bound back; the same settings bring the trained size back', async () => {
  await client.change(uri, text.replace('trees: 5,', 'trees: 6,'));
  assert.equal((await sizeLenses())[0], '≤ 744 params · random_forest');
  await client.change(uri, text.replace('seed: 7', 'seed: 8'));
  assert.equal((await sizeLenses())[0], '≤ 620 params · random_forest', 'another seed draws other bootstrap samples');
  await client.change(uri, text.replace('test_split: 0.2', 'test_split: 0.3'));
  assert.match((await sizeLenses())[0], /^≤ \S+ params · random_forest$/);
  // Comments and layout do not change what trains.
  await client.change(uri, text.replace('random_forest(trees: 5, max_depth: 4)', 'random_forest(max_depth: 4, trees: 5)  // reordered'));
  assert.match((await sizeLenses())[0], /^trained: /);
});

test('the newest matching run wins, a run stored by another program included; a failed one does not count', async () => {
  await client.change(uri, text);
  const [first] = (await client.request<{ runs: RunView[] }>('modelspec/runs', {})).runs.filter((r) => r.model === 'SmallForest' && r.status === 'completed');
  const copy = (name: string, patch: (run: Record<string, unknown>) => void) => {
    const dir = join(runsDir, name);
    cpSync(first.runDir!, dir, { recursive: true });
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
    patch(run);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
  };
  // As the CLI would leave them: a later completed run of 100 params, and a still later failed one.
  copy('2099-01-01_00-00-00-000-SmallForest', (run) => {
    run.finishedAt = '2099-01-01T00:00:00.000Z';
    (run.result as { params: { total: number } }).params.total = 100;
  });
  copy('2099-01-02_00-00-00-000-SmallForest', (run) => {
    run.finishedAt = '2099-01-02T00:00:00.000Z';
    run.status = 'failed';
  });
  assert.equal((await sizeLenses())[0], 'trained: 100 params (run of 2099-01-01) · random_forest');
});
