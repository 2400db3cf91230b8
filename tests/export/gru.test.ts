// A GRU is the same network in both engines, in both variants: TensorFlow.js's layers
// (the reset-after custom cell, tfjs's own GRU for reset_after: false) and the exported
// model.py's modules (nn.GRU, the helper ResetBeforeGRU), given the same weights, compute
// the same outputs, bidirectional ones included. Only the storage differs: Keras orders the
// gates z, r, h in [F, 3h] kernels, PyTorch r, z, n in [3h, F] matrices.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type * as tfTypes from '@tensorflow/tfjs';
import { analyze } from '../../server/src/analysis/analyze';
import { projectFiles } from '../../server/src/export/project';
import { buildModel } from '../../server/src/training/neural/build';
import { runPython, torchPython } from './python';

const dir = mkdtempSync(join(tmpdir(), 'modelspec-gru-'));
after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

const SPEC = `
model Grus {
  input: [6, 3]
  gru(4, return_sequences: true)
  gru(3, return_sequences: true, reset_after: false)
  bidirectional(gru(2, return_sequences: true, reset_after: false))
  bidirectional(gru(2), merge_mode: sum)
}
`;

const SCRIPT = String.raw`
import importlib.util, json, sys, torch
from torch import nn

data = json.load(open(sys.argv[2]))
spec = importlib.util.spec_from_file_location("model", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = module.build_model().eval()
rnns = [m.rnn for m in model.modules() if type(m).__name__ == "Recurrent"]
assert len(rnns) == len(data["layers"]), (len(rnns), len(data["layers"]))

def keras_to_torch(m, h):  # gates z, r, h on the last axis -> r, z, n
    return torch.cat([m[..., h:2 * h], m[..., :h], m[..., 2 * h:]], dim=-1)

kinds = []
with torch.no_grad():
    for rnn, weights in zip(rnns, data["layers"]):
        h = rnn.hidden_size
        kinds.append(type(rnn).__name__)
        for d in range(2 if rnn.bidirectional else 1):
            kernel, recurrent, bias = (torch.tensor(w) for w in weights[3 * d: 3 * d + 3])
            if isinstance(rnn, nn.GRU):
                suffix = "_l0_reverse" if d else "_l0"
                getattr(rnn, "weight_ih" + suffix).copy_(keras_to_torch(kernel, h).T)
                getattr(rnn, "weight_hh" + suffix).copy_(keras_to_torch(recurrent, h).T)
                getattr(rnn, "bias_ih" + suffix).copy_(keras_to_torch(bias[0], h))
                getattr(rnn, "bias_hh" + suffix).copy_(keras_to_torch(bias[1], h))
            else:
                rnn.input_to_gates[d].weight.copy_(kernel.T)
                rnn.input_to_gates[d].bias.copy_(bias)
                rnn.hidden_to_gates[d].weight.copy_(recurrent[:, :2 * h].T)
                rnn.hidden_to_candidate[d].weight.copy_(recurrent[:, 2 * h:].T)
    out = model(torch.tensor(data["x"]))
print(json.dumps({"kinds": kinds, "out": out.tolist()}))
`;

test('gru: TensorFlow.js and PyTorch compute the same function from the same weights, reset_after true and false', async () => {
  const file = join(dir, 'grus.model');
  writeFileSync(file, SPEC);
  const analysis = analyze(SPEC, { file });
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const model = analysis.models[0];
  assert.equal(model.totals.torch.params, model.totals.trainable);
  const source = projectFiles({ analysis, text: SPEC, model: model.name, outDir: dir, version: 'test' }).find((f) => f.path === 'model.py')!.data as string;
  writeFileSync(join(dir, 'model.py'), source);

  const net = buildModel(tf, model);
  const recurrent = net.layers.filter((l) => l.getWeights().length > 0);
  // Random weights, not the initial ones, so that the zero biases hide nothing.
  recurrent.forEach((l, i) => l.setWeights(l.getWeights().map((w, j) => tf.randomNormal(w.shape, 0, 0.6, 'float32', 100 * i + j))));
  const x = tf.randomNormal([2, 6, 3], 0, 1, 'float32', 7);
  const expected = (net.predict(x) as tfTypes.Tensor).arraySync() as number[][];
  const data = { x: x.arraySync(), layers: recurrent.map((l) => l.getWeights().map((w) => w.arraySync())) };
  writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
  net.dispose();

  const run = await runPython(await torchPython(), ['-c', SCRIPT, join(dir, 'model.py'), join(dir, 'data.json')], { timeoutMs: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  const r = JSON.parse(run.stdout) as { kinds: string[]; out: number[][] };
  assert.deepEqual(r.kinds, ['GRU', 'ResetBeforeGRU', 'ResetBeforeGRU', 'GRU']);
  assert.deepEqual([r.out.length, r.out[0].length], [2, 2]);
  let worst = 0;
  r.out.forEach((row, b) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - expected[b][j])))));
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
  // The comparison is not of constants: the outputs vary across the batch.
  assert.ok(Math.abs(expected[0][0] - expected[1][0]) > 1e-3);
});
