// Parameter counts follow the engine that will train (modelspec.training.backend): PyTorch
// keeps two bias vectors per recurrent gate and batch-norm statistics as buffers,
// TensorFlow.js one bias vector per gate and the statistics as non-trainable parameters.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeLens, Hover, InlayHint } from 'vscode-languageserver-protocol';
import type { ModelsResult } from '../../server/src/lsp/protocol';
import { fixtureText, fixtureUri, positionOf, TestClient } from './client';

// fixtures/recurrent-bn.model: lstm(32) on [20, 8], batchnorm, dense(4).
// LSTM: TensorFlow.js 4 gates × (8·32 + 32·32 + 32) = 5,248; PyTorch 4 × (8·32 + 32·32 + 2·32) = 5,376.
// Batch norm over 32 channels: γ, β = 64 trainable; moving mean and variance = 64 more,
// non-trainable in TensorFlow.js, buffers in PyTorch. Dense: 32·4 + 4 = 132.
// TensorFlow.js: 5,444 trainable + 64 non-trainable = 5,508. PyTorch: 5,572 parameters() + 64 buffers.
const NAME = 'recurrent-bn.model';
const uri = fixtureUri(NAME);
const text = fixtureText(NAME);
const whole = { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } };

async function hoverAt(client: TestClient, needle: string, offset = 1): Promise<string> {
  const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, needle, offset) });
  return h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
}

async function hintLabels(client: TestClient): Promise<string[]> {
  const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: whole });
  const lines = text.split('\n');
  return hints.map((h) => `${lines[h.position.line].trim()} ${typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')}`);
}

async function lensTitle(client: TestClient): Promise<string | undefined> {
  return (await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } }))[0]?.command?.title;
}

async function estimateTable(client: TestClient): Promise<string> {
  return client.request<string>('workspace/executeCommand', { command: 'modelspec.server.estimate', arguments: [{ uri }] });
}

describe('modelspec.training.backend: torch', () => {
  let client: TestClient;
  before(async () => {
    client = await TestClient.start({ settings: { training: { backend: 'torch' } } });
    await client.openFixture(NAME);
  });
  after(() => client.stop());

  test('the model hover gives PyTorch\'s count, labelled, and TensorFlow.js\'s beside it', async () => {
    const hover = await hoverAt(client, 'SeqNet');
    assert.match(hover, /\| Trained by \| PyTorch \(modelspec.training.backend: torch\) \|/);
    assert.match(hover, /\| Parameters \| 5,572 \(PyTorch: parameters\(\); 64 batch-norm statistics are buffers\) \|/);
    assert.match(hover, /\| TensorFlow.js counts \| 5,508 \(TensorFlow.js: 5,444 trainable, 64 non-trainable\) \|/);
    assert.match(hover, /TensorFlow.js counts one bias vector per recurrent gate and batch-norm statistics as non-trainable params/);
    // Weights are PyTorch's parameters and buffers: (5,572 + 64) × 4 bytes.
    assert.match(hover, /\| Weights \| 22.0 KiB fp32/);
    // The time on this machine measures TensorFlow.js, and says so, since PyTorch trains.
    assert.match(hover, /\| This machine \(TensorFlow.js\) \| ≈ /);
    assert.match(hover, /PyTorch trains this model, and its speed on this machine is not measured here/);
  });

  test('layer hovers, inlay hints and the code lens count as PyTorch does', async () => {
    assert.match(await hoverAt(client, 'lstm('), /`\[20, 8\] → \[32\]` · \*\*5,376\*\* params \(PyTorch: parameters\(\)\) · TensorFlow.js counts 5,248 ·/);
    assert.match(await hoverAt(client, 'batchnorm'), /\*\*64\*\* params \(PyTorch: parameters\(\); 64 batch-norm statistics are buffers\) · TensorFlow.js counts 128/);
    assert.match(await hoverAt(client, 'dense('), /· \*\*132\*\* params · /, 'a layer both engines count alike: one number');
    assert.deepEqual(await hintLabels(client), ['lstm(32) → [32] · 5,376 params (PyTorch)', 'batchnorm → [32] · 64 params (PyTorch)', 'dense(4, activation: softmax) → [4] · 132 params']);
    assert.equal(await lensTitle(client), '5,572 params (PyTorch) · 205 KFLOPs');
  });

  test('the models view and the estimate table carry PyTorch\'s count', async () => {
    const { models } = await client.request<ModelsResult>('modelspec/models', { uri });
    assert.equal(models[0].engine, 'torch');
    assert.deepEqual(models[0].params, { trainable: 5572, nonTrainable: 0, total: 5572 });
    assert.deepEqual(models[0].paramsByEngine, { tfjs: { trainable: 5444, nonTrainable: 64, total: 5508 }, torch: { params: 5572, buffers: 64 } });
    const table = await estimateTable(client);
    assert.match(table, /^Trained by: +PyTorch \(modelspec.training.backend: torch\)$/m);
    assert.match(table, /^Params: +5,572 \(5.57 K\) — PyTorch: parameters\(\); batch-norm statistics are buffers$/m);
  });
});

describe('modelspec.training.backend: wasm', () => {
  let client: TestClient;
  before(async () => {
    client = await TestClient.start({ settings: { training: { backend: 'wasm' } } });
    await client.openFixture(NAME);
  });
  after(() => client.stop());

  test('hovers, hints, lens, models view and table count as TensorFlow.js does, with PyTorch\'s count beside', async () => {
    const hover = await hoverAt(client, 'SeqNet');
    assert.match(hover, /\| Trained by \| TensorFlow.js \(modelspec.training.backend: wasm\) \|/);
    assert.match(hover, /\| Parameters \| 5,508 \(TensorFlow.js: 5,444 trainable, 64 non-trainable\) \|/);
    assert.match(hover, /\| PyTorch counts \| 5,572 \(PyTorch: parameters\(\); 64 batch-norm statistics are buffers\) \|/);
    assert.match(hover, /PyTorch counts two bias vectors per recurrent gate and batch-norm statistics as buffers/);
    assert.match(hover, /\| This machine \| ≈ /);
    assert.doesNotMatch(hover, /speed on this machine is not measured/);
    assert.match(await hoverAt(client, 'lstm('), /\*\*5,248\*\* params \(TensorFlow.js\) · PyTorch counts 5,376 ·/);
    assert.match(await hoverAt(client, 'batchnorm'), /\*\*128\*\* params \(TensorFlow.js: 64 trainable, 64 non-trainable\) · PyTorch counts 64/);
    assert.deepEqual(await hintLabels(client), ['lstm(32) → [32] · 5,248 params (TF.js)', 'batchnorm → [32] · 128 params (TF.js)', 'dense(4, activation: softmax) → [4] · 132 params']);
    assert.equal(await lensTitle(client), '5,508 params (TF.js) · 205 KFLOPs');
    const { models } = await client.request<ModelsResult>('modelspec/models', { uri });
    assert.equal(models[0].engine, 'tfjs');
    assert.deepEqual(models[0].params, { trainable: 5444, nonTrainable: 64, total: 5508 });
    assert.match(await estimateTable(client), /^Total params: +5,508 \(5.51 K\) — TensorFlow.js: batch-norm statistics are non-trainable params$/m);
  });

  test('changing the backend setting refreshes the hints, which then follow the new engine', async () => {
    const before = client.refreshes.length;
    client.settings = { training: { backend: 'torch' } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await client.waitFor(() => client.refreshes.slice(before).includes('workspace/inlayHint/refresh'), 'an inlay hint refresh');
    assert.equal((await hintLabels(client))[0], 'lstm(32) → [32] · 5,376 params (PyTorch)');
    assert.equal(await lensTitle(client), '5,572 params (PyTorch) · 205 KFLOPs');
  });
});
