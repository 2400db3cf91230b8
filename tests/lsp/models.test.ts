// The custom protocol: the modelspec/models request and the modelspec/modelsChanged notification.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelsChangedParams, ModelsResult } from '../../server/src/lsp/protocol';
import { fixtureText, fixtureUri, TestClient } from './client';

let client: TestClient;

before(async () => {
  client = await TestClient.start();
});
after(() => client.stop());

const changed = () => client.notifications.filter((n) => n.method === 'modelspec/modelsChanged').map((n) => n.params as ModelsChangedParams);

test('modelsChanged follows each published analysis, and empties on close', async () => {
  const uri = fixtureUri('lenet5.model');
  await client.openFixture('lenet5.model');
  await client.waitFor(() => changed().some((p) => p.uri === uri), 'modelsChanged');
  const first = changed().find((p) => p.uri === uri)!;
  assert.equal(first.version, 1);
  assert.equal(first.models.length, 1);
  const m = first.models[0];
  assert.equal(m.name, 'LeNet5');
  assert.equal(m.kind, 'neural');
  assert.deepEqual(m.params, { trainable: 61706, nonTrainable: 0, total: 61706 });
  assert.equal(m.macs, 416520);
  assert.equal(m.flops, 833040);
  assert.deepEqual(m.inputShape, [32, 32, 1]);
  assert.equal(m.complete, true);
  assert.equal(m.errors, 0);
  assert.deepEqual(m.range, { start: { line: 2, character: 6 }, end: { line: 2, character: 12 } });

  const count = changed().length;
  await client.change(uri, fixtureText('lenet5.model').replace('dense(84', 'dense(42'));
  await client.waitFor(() => changed().length > count, 'a second modelsChanged');
  assert.equal(changed().at(-1)!.version, 2);
  assert.notEqual(changed().at(-1)!.models[0].params.total, 61706);

  await client.close(uri);
  await client.waitFor(() => changed().at(-1)!.models.length === 0, 'an empty modelsChanged');
  assert.equal(changed().at(-1)!.version, null);
});

test('the models request answers for open documents and for files on disk', async () => {
  const uri = fixtureUri('iris.model');
  const closed = await client.request<ModelsResult>('modelspec/models', { uri });
  assert.equal(closed.version, null);
  assert.deepEqual(closed.models.map((m) => m.name), ['IrisMLP', 'IrisDeep']);
  assert.equal(closed.models[0].dataset, 'Iris');
  assert.equal(closed.models[0].trainingFlops, 8064000);
  await client.openFixture('iris.model');
  const open = await client.request<ModelsResult>('modelspec/models', { uri });
  assert.equal(open.version, 1);
  await assert.rejects(client.request('modelspec/models', { uri: 'file:///does/not/exist.model' }), /Cannot read \/does\/not\/exist.model/);
});
