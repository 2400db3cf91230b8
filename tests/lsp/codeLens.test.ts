// Code lenses above each model: totals, ▶ Train and Estimate, and the commands behind them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { fixtureUri, TestClient } from './client';

let client: TestClient;
const lenet = fixtureUri('lenet5.model');
const iris = fixtureUri('iris.model');

before(async () => {
  client = await TestClient.start();
  await client.openFixture('lenet5.model');
  await client.openFixture('iris.model');
});
after(() => client.stop());

const lenses = (uri: string) => client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });

test('three lenses above each model: totals, Train, Estimate', async () => {
  const list = await lenses(lenet);
  assert.deepEqual(
    list.map((l) => l.command?.title),
    ['61,706 params · 833 KFLOPs', '▶ Train', 'Estimate'],
  );
  assert.equal(list[0].range.start.line, 2, 'on the model line');
  assert.equal(list[0].command?.command, '', 'the totals are a label');
  assert.equal(list[1].command?.command, 'modelspec.server.train');
  assert.deepEqual(list[1].command?.arguments, [{ uri: lenet, model: 'LeNet5' }]);
  assert.equal(list[2].command?.command, 'modelspec.server.estimate');
  assert.equal((await lenses(iris)).length, 6);
});

test('the Estimate command answers with the estimate table', async () => {
  const [, , estimate] = await lenses(lenet);
  const text = await client.request<string>('workspace/executeCommand', { command: estimate.command!.command, arguments: estimate.command!.arguments });
  assert.match(text, /^Model: LeNet5 \(neural\)/);
  assert.match(text, /Total params: +61,706/);
  assert.match(text, /Forward MACs: +416,520/);
});

test('estimate of every model, and of a model that does not exist', async () => {
  const all = await client.request<string>('workspace/executeCommand', { command: 'modelspec.server.estimate', arguments: [{ uri: iris }] });
  assert.match(all, /Model: IrisMLP[\s\S]*Model: IrisDeep/);
  await assert.rejects(client.request('workspace/executeCommand', { command: 'modelspec.server.estimate', arguments: [{ uri: iris, model: 'IrisMPL' }] }), /No model named 'IrisMPL'.*Did you mean 'IrisMLP'\?/);
});

test('the commands are advertised; bad arguments are refused, not crashed on', async () => {
  assert.deepEqual(client.initializeResult.capabilities.executeCommandProvider?.commands.sort(), ['modelspec.server.compare', 'modelspec.server.estimate', 'modelspec.server.train']);
  await assert.rejects(client.request('workspace/executeCommand', { command: 'modelspec.server.estimate', arguments: [] }), /takes one argument/);
  await assert.rejects(client.request('workspace/executeCommand', { command: 'modelspec.nope', arguments: [] }), /Unknown command/);
});

test('a file that is not open is read from disk', async () => {
  const text = await client.request<string>('workspace/executeCommand', { command: 'modelspec.server.estimate', arguments: [{ uri: fixtureUri('lenet5.model') }] });
  assert.match(text, /LeNet5/);
});

test('lenses can be switched off; the client may name its own Estimate command', async () => {
  const other = await TestClient.start({ settings: { codeLens: { enabled: false } } });
  try {
    await other.openFixture('lenet5.model');
    assert.deepEqual(await other.request('textDocument/codeLens', { textDocument: { uri: lenet } }), []);
  } finally {
    await other.stop();
  }
  const custom = await TestClient.start({ initializationOptions: { estimateCommand: 'modelspec.showEstimate', trainCommand: 'modelspec.train' } });
  try {
    await custom.openFixture('lenet5.model');
    const list = await custom.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: lenet } });
    assert.equal(list[1].command?.command, 'modelspec.train');
    assert.equal(list[2].command?.command, 'modelspec.showEstimate');
    assert.deepEqual(list[2].command?.arguments, [lenet, 'LeNet5'], 'client commands take (uri, model)');
  } finally {
    await custom.stop();
  }
});
