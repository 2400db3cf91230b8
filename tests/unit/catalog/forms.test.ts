// Every catalogue entry keeps all its forms side by side: the shape rule, the TensorFlow.js
// builder, the PyTorch (or scikit-learn) form and the documentation of each, so adding a
// layer without one of them fails here. (tests/export proves each PyTorch form exact.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOG } from '../../../server/src/catalog/registry';
import { OPTIMIZERS } from '../../../server/src/catalog/settings';
import { torchOptimizerNames } from '../../../server/src/export/pytorchProject';

test('every layer has a shape rule, a TensorFlow.js builder and a PyTorch form, and its docs say what it exports to', () => {
  for (const entry of CATALOG.values()) {
    if (entry.kind !== 'layer') continue;
    for (const form of ['infer', 'build', 'torch'] as const) assert.equal(typeof entry[form], 'function', `${entry.name} has no ${form}`);
    assert.match(entry.doc, /\*\*PyTorch\*\*: \S/, `${entry.name}'s doc says nothing of PyTorch`);
  }
});

test('every estimator has its estimate and a scikit-learn form, documented', () => {
  for (const entry of CATALOG.values()) {
    if (entry.kind !== 'estimator') continue;
    assert.equal(typeof entry.estimate, 'function', entry.name);
    assert.equal(typeof entry.sklearn, 'function', entry.name);
    assert.match(entry.doc, /\*\*scikit-learn\*\* \(export\): `\w+\(/, `${entry.name}'s doc says nothing of scikit-learn`);
  }
});

test('every optimizer has a PyTorch counterpart', () => {
  assert.deepEqual(torchOptimizerNames().sort(), OPTIMIZERS.map((o) => o.name).sort());
});
