// Training memory counts activations × the batch a step can actually hold: a batch_size
// above the training samples trains on all of them in one step, never on more (issue 13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../../server/src/analysis/model';
import { memoryIn } from '../../../server/src/analysis/paramCounts';
import { createNodeHost } from '../../../server/src/data/nodeHost';
import { renderEstimate } from '../../../server/src/cli/estimateTable';
import { modelToJson } from '../../../server/src/cli/estimateJson';
import { modelSummary } from '../../../server/src/lsp/hover';
import { DEFAULT_SETTINGS } from '../../../server/src/lsp/config';

const SAMPLES = resolve(__dirname, '../../../samples');
const IRIS = readFileSync(join(SAMPLES, 'iris.model'), 'utf8');

/** samples/iris.model's MLP with another batch_size (120 training samples: 150 rows, test_split 0.2). */
function irisMlp(batch: string): ModelAnalysis {
  const text = IRIS.replace('batch_size: 16', `batch_size: ${batch}`);
  const a = analyze(text, { file: join(SAMPLES, 'iris.model'), host: createNodeHost() });
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
  return a.models.find((m) => m.name === 'IrisMLP')!;
}

test('iris with batch_size 1e9 is estimated as a batch of its 120 training samples, not 70.8 GiB', () => {
  const huge = irisMlp('1e9');
  const whole = irisMlp('120');
  assert.equal(huge.dataset?.trainSamples, 120);
  assert.equal(huge.memory.training, whole.memory.training);
  assert.equal(huge.memory.batchSize, 120, 'the batch the activations are multiplied by');
  assert.equal(huge.memory.batchSetting, 1e9, 'the spec’s batch_size, kept to say what was capped');
  // (16 + 3) activations × 4 B × 120 samples, plus weights, gradients and Adam's two slots of 131 params.
  assert.equal(huge.memory.training, 131n * 4n * 4n + 19n * 4n * 120n);
  assert.equal(memoryIn(huge, 'torch').training, memoryIn(whole, 'torch').training, 'PyTorch’s convention caps the same way');
  assert.equal(memoryIn(huge, 'torch').batchSize, 120);
});

test('a batch_size within the training samples is taken as written; without a dataset nothing caps it', () => {
  const small = irisMlp('16');
  assert.equal(small.memory.batchSize, 16);
  assert.equal(small.memory.training, 131n * 4n * 4n + 19n * 4n * 16n);
  const a = analyze('model M {\n  input: [4]\n  dense(3, activation: softmax)\n  train {\n    batch_size: 1_000_000\n  }\n}', { file: '/virtual/m.model' });
  const m = a.models[0];
  assert.equal(m.memory.batchSize, 1_000_000);
  assert.equal(m.memory.batchSetting, 1_000_000);
});

test('the estimate table, its JSON and the hover say the batch was capped at the training samples', () => {
  const m = irisMlp('1e9');
  const choice = { why: 'both engines count these models the same' };
  const table = renderEstimate(m, choice);
  assert.match(table, /Training memory: +\S+ \S+ = weights .* \+ activations × batch 120 \(batch_size 1,000,000,000, capped at the 120 training samples\)$/m);
  const json = modelToJson(m, choice);
  // A neural model's blocks (a classical model's have fit figures instead).
  assert.equal((json.memory as { batchSize?: number }).batchSize, 120);
  assert.equal((json.training as { batchSize?: number }).batchSize, 1e9);
  const hover = modelSummary(m, DEFAULT_SETTINGS, choice);
  assert.match(hover, /\| Training memory \| .* \+ activations 76 B × batch 120 \(batch_size 1,000,000,000, capped at the 120 training samples\) \|/);
  // An uncapped batch reads as before.
  assert.match(renderEstimate(irisMlp('16'), choice), /activations × batch 16$/m);
});
