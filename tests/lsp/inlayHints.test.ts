// Inlay hints after each layer: output shape and params, configurable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InlayHint } from 'vscode-languageserver-protocol';
import { fixtureText, fixtureUri, TestClient } from './client';

let client: TestClient;
const lenet = fixtureUri('lenet5.model');
const iris = fixtureUri('iris.model');
const whole = { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } };

before(async () => {
  client = await TestClient.start();
  await client.openFixture('lenet5.model');
  await client.openFixture('iris.model');
});
after(() => client.stop());

const hints = (uri: string, range = whole) => client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range });
const label = (h: InlayHint) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));

test('after each layer: output shape and params, at the end of the call', async () => {
  const list = await hints(lenet);
  const lines = fixtureText('lenet5.model').split('\n');
  assert.deepEqual(
    list.map((h) => `${lines[h.position.line].trim()} ${label(h)}`),
    [
      'conv2d(6, kernel: 5, activation: tanh) → [28, 28, 6] · 156 params',
      'avgpool2d(2) → [14, 14, 6]',
      'conv2d(16, kernel: 5, activation: tanh) → [10, 10, 16] · 2,416 params',
      'avgpool2d(2) → [5, 5, 16]',
      'flatten → [400]',
      'dense(120, activation: tanh) → [120] · 48,120 params',
      'dense(84, activation: tanh) → [84] · 10,164 params',
      'dense(10, activation: softmax) → [10] · 850 params',
    ],
  );
  const conv = list.find((h) => label(h).startsWith('→ [28, 28, 6]'))!;
  assert.equal(conv.position.character, lines[conv.position.line].length, 'after the closing parenthesis');
  assert.equal(conv.paddingLeft, true);
});

test('block uses show the group; repeats and residuals after their brace; copies are summed', async () => {
  const list = await hints(iris);
  const lines = fixtureText('iris.model').split('\n');
  const at = (needle: string) => list.filter((h) => lines[h.position.line].includes(needle)).map(label);
  assert.deepEqual(at('Hidden(16)'), ['→ [16] · 80 params']);
  assert.deepEqual(at('dense(units'), [], 'no hints inside a block body');
  assert.deepEqual(at('dense(8, activation: relu)'), ['→ [8] · 184 params in 3 copies', '→ [8] · 72 params']);
  const closing = list.filter((h) => lines[h.position.line].trim() === '}').map(label);
  assert.deepEqual(closing, ['→ [8] · 184 params', '→ [8] · 72 params'], 'a group row stands for all its copies');
});

test('only hints inside the requested range', async () => {
  const text = fixtureText('lenet5.model').split('\n');
  const line = text.findIndex((l) => l.includes('flatten'));
  const list = await hints(lenet, { start: { line, character: 0 }, end: { line, character: 100 } });
  assert.deepEqual(list.map(label), ['→ [400]']);
});

test('settings: params off, then hints off; the server asks the client to refresh', async () => {
  const reconfigure = async (settings: Record<string, unknown>) => {
    const before = client.refreshes.length;
    client.settings = settings;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await client.waitFor(() => client.refreshes.slice(before).includes('workspace/inlayHint/refresh'), 'an inlay hint refresh');
  };
  await reconfigure({ inlayHints: { enabled: true, params: false } });
  const shapesOnly = await hints(lenet);
  assert.ok(shapesOnly.length > 0 && shapesOnly.every((h) => !label(h).includes('params')));
  await reconfigure({ inlayHints: { enabled: false } });
  assert.deepEqual(await hints(lenet), []);
});
