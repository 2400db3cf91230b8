import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activation, activationEntries, gelu, relu, sigmoid, softmax, tanh } from '../../../server/src/catalog/activation';
import { ACTIVATIONS } from '../../../server/src/catalog/common';
import { runLayer } from './harness';

test('activation layers keep the shape and add no params or MACs', () => {
  for (const entry of [relu, gelu, tanh, sigmoid, softmax]) {
    for (const input of [[10], [128, 64], [28, 28, 3]]) {
      const { result, reports } = runLayer(entry, input);
      assert.deepEqual(reports, []);
      assert.deepEqual(result, { output: input, trainable: 0n, nonTrainable: 0n, macs: 0n });
    }
  }
});

test('activation(name) accepts every shared activation', () => {
  for (const name of ACTIVATIONS) {
    const { result, reports } = runLayer(activation, [4, 4, 2], { name });
    assert.deepEqual(reports, []);
    assert.deepEqual(result, { output: [4, 4, 2], trainable: 0n, nonTrainable: 0n, macs: 0n });
  }
});

test('activation entries: names, family and arguments', () => {
  assert.deepEqual(activationEntries.map((e) => e.name), ['relu', 'gelu', 'tanh', 'sigmoid', 'softmax', 'activation']);
  for (const entry of activationEntries) {
    assert.equal(entry.family, 'activation');
    assert.ok(entry.summary && !entry.summary.includes('\n'));
    assert.match(entry.doc, /\*\*Params\*\*: 0/);
    assert.match(entry.doc, /\*\*MACs\*\*: 0/);
  }
  for (const entry of [relu, gelu, tanh, sigmoid, softmax]) assert.deepEqual(entry.args, []);
  const name = activation.args[0];
  assert.deepEqual([name.name, name.type, name.required, name.default], ['name', 'enum', true, undefined]);
  assert.deepEqual(name.values, ACTIVATIONS);
  assert.ok(name.doc);
});
