// Which rate a model trains at (trainTime.ts rateKind): runs of models of the same kind
// scale each other's time estimates, so the kind must follow where the MACs are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../../server/src/analysis/model';
import { createNodeHost } from '../../../server/src/data/nodeHost';
import { rateKind } from '../../../server/src/training/trainTime';

const SAMPLES = resolve(__dirname, '../../../samples');

function sampleModel(file: string, name: string): ModelAnalysis {
  const path = join(SAMPLES, file);
  const model = analyze(readFileSync(path, 'utf8'), { file: path, host: createNodeHost() }).models.find((m) => m.name === name);
  assert.ok(model, `${name} in ${file}`);
  return model;
}

function specModel(text: string): ModelAnalysis {
  const analysis = analyze(text, { file: '/virtual/spec.model' });
  assert.deepEqual(
    analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  return analysis.models[0];
}

test('models train at the rate of the layers holding most of their MACs', () => {
  assert.equal(rateKind(sampleModel('digits.model', 'DigitsCNN')), 'conv');
  assert.equal(rateKind(sampleModel('digits.model', 'DigitsMLP')), 'dense');
  assert.equal(rateKind(sampleModel('tokens-attention.model', 'TokenTransformer')), 'conv');
  assert.equal(rateKind(sampleModel('tokens-attention.model', 'TokenAttentionOnly')), 'conv');
  assert.equal(rateKind(sampleModel('sequences-rnn.model', 'WavesLSTM')), 'recurrent');
  assert.equal(rateKind(sampleModel('sequences-rnn.model', 'WavesBiGRU')), 'recurrent');
  assert.equal(rateKind(sampleModel('sequences-rnn.model', 'WavesMLP')), 'dense');
  assert.equal(rateKind(sampleModel('iris.model', 'IrisMLP')), 'dense');
  // A convolution does not make a model conv-bound when a wide dense layer holds most MACs.
  const mostlyDense = specModel('model M {\n  input: [8, 8, 1]\n  classes: 10\n  conv2d(4, kernel: 1)\n  flatten\n  dense(512)\n  dense(10, activation: softmax)\n}\n');
  assert.equal(rateKind(mostlyDense), 'dense');
  // A dense layer on a sequence multiplies all its positions at once.
  const positionWise = specModel('model P {\n  input: [32, 16]\n  classes: 4\n  dense(64)\n  flatten\n  dense(4, activation: softmax)\n}\n');
  assert.equal(rateKind(positionWise), 'conv');
});
