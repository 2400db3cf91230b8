// The bundled extension (dist/client.js) in plain Node, with a stand-in for the `vscode`
// module (fakeVscode.ts) and the real bundled language server (dist/server.js) in a child
// process over node IPC, as VS Code runs it. Covers what the test-electron suite cannot
// here (no VS Code download): activation, the commands against the server protocol, the
// results view, the read-only estimate documents and the crash/restart policy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS } from '../../server/src/lsp/protocol';
import { createFakeVscode, Uri, type FakeDocument } from './fakeVscode';
import { activateExtension, manifestDefaults, ROOT, waitFor, type ActiveExtension } from './harness';

const SAMPLES = join(ROOT, 'samples');
const fake = createFakeVscode({ configuration: manifestDefaults() });

interface TreeProvider {
  getChildren(node?: unknown): unknown[];
  getTreeItem(node: unknown): { label: string; description?: string; contextValue?: string; command?: { command: string } };
}

let active: ActiveExtension | undefined;
let work: string;


/** Pids of language servers this test process started (the extension forks them). */
function serverPids(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'dist/server.js'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

function resultsView(): { provider: TreeProvider; view: { message?: string; description?: string } } {
  const v = fake.treeViews.get('modelspec.results');
  assert.ok(v, 'the Results view was not created');
  return v as unknown as { provider: TreeProvider; view: { message?: string; description?: string } };
}

const modelRows = () => {
  const { provider } = resultsView();
  return provider.getChildren().map((n) => provider.getTreeItem(n));
};

/** The text of the latest read-only result document the extension showed. */
async function lastResult(): Promise<{ doc: FakeDocument; text: string }> {
  const doc = fake.shownDocuments.at(-1);
  assert.ok(doc && doc.uri.scheme === 'modelspec-result', 'no result document was shown');
  const text = String(await fake.contentProviders.get('modelspec-result')!.provideTextDocumentContent(doc.uri as never));
  return { doc, text };
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'modelspec-client-'));
  active = await activateExtension(fake);
});

after(async () => {
  await active?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('activation starts the server; the extension and the server register their commands side by side', () => {
  for (const id of ['modelspec.train', 'modelspec.compare', 'modelspec.showEstimate', 'modelspec.restartServer']) assert.ok(fake.commands.has(id), `${id} is not registered`);
  // vscode-languageclient registers the server's own command ids next to them.
  for (const id of Object.values(COMMANDS)) assert.ok(fake.commands.has(id), `${id} is not registered: ${[...fake.commands.keys()].join(', ')}`);
  assert.equal(serverPids().length, 1);
  assert.deepEqual(
    fake.messages.filter((m) => m.kind === 'error'),
    [],
  );
});

test('the Results view lists the active document’s models with their totals', async () => {
  await fake.openEditor(join(SAMPLES, 'lenet5.model'), 0);
  const rows = await waitFor('the LeNet5 row', () => {
    const r = modelRows();
    return r.length > 0 && r;
  });
  assert.deepEqual(
    rows.map((r) => [r.label, r.description, r.contextValue]),
    [['LeNet5', '61,706 params · 833 KFLOPs', 'model']],
  );
  assert.equal(rows[0].command?.command, 'vscode.open');
  assert.equal(resultsView().view.description, 'lenet5.model');
  const { provider } = resultsView();
  const details = provider.getChildren(provider.getChildren()[0]).map((n) => {
    const item = provider.getTreeItem(n);
    return `${item.label}: ${item.description}`;
  });
  assert.ok(details.includes('Parameters: 61,706 (61.7 K)'), details.join('\n'));
  assert.ok(details.includes('Shape: [32, 32, 1] → [10]'), details.join('\n'));
});

test('edits reach the Results view through modelspec/modelsChanged', async () => {
  const lenet = await fake.openEditor(join(SAMPLES, 'lenet5.model'), 0);
  const edited = lenet.getText().replace('dense(84, activation: tanh)', 'dense(100, activation: tanh)');
  assert.notEqual(edited, lenet.getText());
  fake.editDocument(lenet, edited);
  // 120·100 + 100 + 100·10 + 10 replaces 120·84 + 84 + 84·10 + 10: 61,706 + 1,936 + 160.
  await waitFor('the new totals', () => modelRows()[0]?.description?.startsWith('63,802 params'));
});

test('Show Estimate opens the estimate of the model under the cursor, and keeps it current', async () => {
  const lenet = await fake.openEditor(join(SAMPLES, 'lenet5.model'), 8);
  const before = fake.shownDocuments.length;
  await fake.module.commands.executeCommand('modelspec.showEstimate');
  assert.equal(fake.shownDocuments.length, before + 1, JSON.stringify(fake.messages));
  const { doc, text } = await lastResult();
  assert.match(doc.uri.path, /Estimate LeNet5 \(lenet5\.model\)/);
  assert.match(text, /LeNet5/);
  assert.match(text, /63,802/);

  fake.editDocument(lenet, lenet.getText().replace('dense(100, activation: tanh)', 'dense(84, activation: tanh)'));
  await waitFor('the refreshed estimate', async () => (await lastResult()).text.includes('61,706'));
});

test('Show Estimate outside any model asks, and "All models" shows every model of the file', async () => {
  await fake.openEditor(join(SAMPLES, 'iris.model'), 2); // inside the dataset
  let offered: string[] = [];
  fake.answerQuickPick((items) => {
    offered = items.map((i) => i.label);
    return items.find((i) => i.label === 'All models');
  });
  await fake.module.commands.executeCommand('modelspec.showEstimate');
  assert.deepEqual(offered, ['All models', 'IrisMLP', 'IrisLogReg', 'IrisSVM', 'IrisTree', 'IrisForest']);
  const { text } = await lastResult();
  for (const name of ['IrisMLP', 'IrisLogReg', 'IrisSVM', 'IrisTree', 'IrisForest']) assert.match(text, new RegExp(name));
});

test('the code lenses run the extension’s commands for their model', async () => {
  const digits = await fake.openEditor(join(SAMPLES, 'digits.model'), 0);
  const lenses = await waitFor('code lenses', async () => {
    const l = await fake.codeLenses(digits);
    return l.length > 0 && l;
  });
  const estimate = lenses.find((l) => l.command?.title === 'Estimate' && l.command.arguments?.includes('DigitsSVM'));
  assert.ok(estimate?.command, JSON.stringify(lenses.map((l) => l.command)));
  assert.equal(estimate.command.command, 'modelspec.showEstimate');
  await fake.module.commands.executeCommand(estimate.command.command, ...(estimate.command.arguments ?? []));
  const { doc, text } = await lastResult();
  assert.match(doc.uri.path, /Estimate DigitsSVM \(digits\.model\)/);
  assert.match(text, /DigitsSVM/);
  assert.doesNotMatch(text, /DigitsCNN/);
  const train = lenses.find((l) => l.command?.title === '▶ Train');
  assert.equal(train?.command?.command, 'modelspec.train');
});

test('an object argument { uri, model } works as well (scripts, keybindings)', async () => {
  const uri = Uri.file(join(SAMPLES, 'iris.model')).toString();
  await fake.module.commands.executeCommand('modelspec.showEstimate', { uri, model: 'IrisTree' });
  const { text } = await lastResult();
  assert.match(text, /IrisTree/);
  assert.doesNotMatch(text, /IrisMLP/);
});

test('a Results view row is a command argument (its context menu)', async () => {
  await fake.openEditor(join(SAMPLES, 'digits.model'), 0);
  const { provider } = resultsView();
  const rows = await waitFor('the digits models', () => {
    const r = provider.getChildren();
    return r.length === 6 && r;
  });
  await fake.module.commands.executeCommand('modelspec.showEstimate', rows[3]);
  assert.match((await lastResult()).doc.uri.path, /Estimate DigitsSVM \(digits\.model\)/);
});

test('closing the shown document empties the Results view', async () => {
  const doc = fake.module.workspace.textDocuments.find((d: FakeDocument) => d.uri.path.endsWith('/digits.model'));
  assert.ok(doc);
  fake.closeDocument(doc);
  await waitFor('an empty view', () => modelRows().length === 0);
  assert.match(resultsView().view.message ?? '', /Open a \.model file/);
});

test('Train in an untrusted workspace explains and sends nothing', async () => {
  fake.trusted = false;
  try {
    const progress = fake.progress.length;
    await fake.module.commands.executeCommand('modelspec.train', { uri: Uri.file(join(SAMPLES, 'lenet5.model')).toString(), model: 'LeNet5' });
    assert.match(fake.messages.at(-1)!.text, /needs a trusted workspace/);
    assert.deepEqual(fake.messages.at(-1)!.items, ['Manage Workspace Trust']);
    assert.equal(fake.progress.length, progress, 'a request was sent');
  } finally {
    fake.trusted = true;
  }
});

test('the server’s own train and compare commands, which any extension can run, refuse until the workspace is trusted', async () => {
  const file = join(work, 'untrusted.model');
  writeFileSync(file, 'model NoData {\n  input: [4]\n  dense(3, activation: softmax)\n}\n');
  const uri = Uri.file(file).toString();
  // Another extension calls the ids vscode-languageclient registered for the server, bypassing the extension's own check.
  const serverCommand = (id: string, args: unknown) => fake.commands.get(id)!(args) as Promise<unknown>;
  const refusal = /needs a trusted workspace/;
  fake.trusted = false;
  try {
    // The server learns the workspace's trust when it starts (initializationOptions).
    await fake.module.commands.executeCommand('modelspec.restartServer');
    await assert.rejects(serverCommand(COMMANDS.train, { uri, model: 'NoData' }), refusal);
    await assert.rejects(serverCommand(COMMANDS.compare, { uri }), refusal);
    // Granting trust during the session reaches the running server (modelspec/trustChanged).
    const logged = fake.output.length;
    fake.grantTrust();
    await waitFor('the server to hear of it', () => fake.output.slice(logged).some((line) => /workspace is trusted/.test(line)));
    const answer = await serverCommand(COMMANDS.train, { uri, model: 'NoData' }).then(
      () => 'trained',
      (err: Error) => err.message,
    );
    assert.doesNotMatch(answer, refusal);
  } finally {
    fake.trusted = true;
  }
});

test('Train and Compare go to the server through workspace/executeCommand and show its answer', async () => {
  // A model without data: whatever the server's training supports, it answers at once.
  const file = join(work, 'nodata.model');
  writeFileSync(file, 'model NoData {\n  input: [4]\n  dense(3, activation: softmax)\n}\n');
  const uri = Uri.file(file).toString();
  const shown = fake.messages.length;
  await fake.module.commands.executeCommand('modelspec.train', { uri, model: 'NoData' });
  assert.equal(fake.progress.at(-1), 'Training NoData');
  const answer = await waitFor('the answer to train', () => fake.messages.slice(shown).at(-1) ?? (fake.shownDocuments.at(-1)?.uri.path.includes('Training NoData') && { text: 'document' }));
  // The server understood the command and its arguments, whatever it decided.
  assert.doesNotMatch(answer.text, /Unknown command|takes one argument|not running/);

  const shownBefore = fake.messages.length;
  await fake.module.commands.executeCommand('modelspec.compare', { uri });
  assert.equal(fake.progress.at(-1), 'Comparing nodata.model');
  const compared = await waitFor('the answer to compare', () => fake.messages.slice(shownBefore).at(-1) ?? (fake.shownDocuments.at(-1)?.uri.path.includes('Comparison') && { text: 'document' }));
  assert.doesNotMatch(compared.text, /Unknown command|takes one argument|not running/);
});

test('a crashed server is restarted, with a message', async () => {
  const [pid] = serverPids();
  assert.ok(pid);
  process.kill(pid, 'SIGKILL');
  await waitFor('the restart message', () => fake.messages.some((m) => /stopped unexpectedly and was restarted/.test(m.text)));
  await waitFor('a new server process', () => serverPids().some((p) => p !== pid));
  await fake.module.commands.executeCommand('modelspec.showEstimate', { uri: Uri.file(join(SAMPLES, 'lenet5.model')).toString(), model: 'LeNet5' });
  assert.match((await lastResult()).text, /LeNet5/);
});

test('a server that keeps crashing stays down until the user restarts it', async () => {
  fake.answer(/will not be restarted automatically/, 'Restart');
  // One crash so far; the budget allows four within three minutes, the fifth stops it.
  for (let crash = 2; crash <= 5; crash++) {
    const [pid] = await waitFor('a running server', () => {
      const pids = serverPids();
      return pids.length === 1 && pids;
    });
    // The server must have initialised before it is killed again, or the client is still starting it.
    await fake.module.commands.executeCommand('modelspec.showEstimate', { uri: Uri.file(join(SAMPLES, 'lenet5.model')).toString(), model: 'LeNet5' });
    process.kill(pid, 'SIGKILL');
    await waitFor(`crash ${crash} handled`, () => !serverPids().includes(pid));
  }
  const stopped = await waitFor('the give-up message', () => fake.messages.find((m) => /will not be restarted automatically/.test(m.text)));
  assert.deepEqual(stopped.items, ['Restart', 'Show Log']);
  assert.match(stopped.text, /stopped 5 times in 3 minutes/);
  // Answering "Restart" ran the restart command, which starts a fresh server.
  await waitFor('the restarted server', () => serverPids().length === 1).catch((err) => {
    throw new Error(`${err.message}\n${JSON.stringify(fake.messages, null, 1)}\n${fake.output.join('\n')}`);
  });
  await fake.module.commands.executeCommand('modelspec.showEstimate', { uri: Uri.file(join(SAMPLES, 'lenet5.model')).toString(), model: 'LeNet5' });
  assert.match((await lastResult()).text, /LeNet5/);
});

test('Restart Language Server replaces the running server', async () => {
  const before = serverPids();
  assert.equal(before.length, 1);
  await fake.module.commands.executeCommand('modelspec.restartServer');
  await waitFor('a different server', () => {
    const now = serverPids();
    return now.length === 1 && now[0] !== before[0];
  });
});

test('deactivate shuts the server down', async () => {
  assert.equal(serverPids().length, 1);
  await active!.extension.deactivate();
  await waitFor('the server to exit', () => serverPids().length === 0);
});
