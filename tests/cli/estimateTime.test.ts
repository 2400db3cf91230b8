// `estimate --json` carries the hover's training-time estimate for this machine: the same
// function, the basis it rests on, and the runs folder `train` writes beside the spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { main } from '../../server/src/cli/main';
import { STEP_MODEL_VERSION } from '../../server/src/training/builtInStepModel';
import { saveRun } from '../../server/src/training/calibrationFile';
import { runsDirFor } from '../../server/src/training/runs';
import { builtInTime, loadSlowdown } from '../../server/src/training/trainTime';

const SPEC = `dataset S {
  source: synthetic(kind: spirals, samples: 1000, classes: 3)
}

model Mlp {
  data: S
  dense(32, activation: relu)
  dense(3, activation: softmax)
}

model Tree {
  data: S
  decision_tree(max_depth: 4)
}
`;

async function estimateJson(file: string) {
  const out: string[] = [];
  const code = await main(['estimate', file, '--json'], { out: (t) => out.push(t), err: () => undefined });
  assert.equal(code, 0);
  return JSON.parse(out.join('\n')).models as { name: string; training: Record<string, unknown> }[];
}

test('estimate --json: estimatedMs and its basis, first-use before any run, from runs after one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelspec-estimate-time-'));
  try {
    const file = join(dir, 'spec.model');
    writeFileSync(file, SPEC);
    const model = analyze(SPEC, { file }).models[0];
    const base = builtInTime(model, model.train.epochs)!;
    const [mlp, tree] = await estimateJson(file);
    assert.equal(mlp.training.estimateBasis, 'first-use');
    assert.equal(mlp.training.estimateEngine, 'tfjs');
    assert.ok(typeof mlp.training.estimatedMs === 'number' && mlp.training.estimatedMs > 0);
    assert.equal(tree.training.estimatedMs ?? null, null, 'no neural time estimate for a classical model');

    // A dense run that took twice its prediction on an idle machine: now twice the built-in, times today's load.
    const runs = runsDirFor(file);
    mkdirSync(runs, { recursive: true });
    saveRun(runs, { model: 'Other', kind: 'dense', backend: 'wasm', epochs: 2, measuredMs: 400, builtInMs: 200, slowdown: 1, stepModel: STEP_MODEL_VERSION });
    const [after] = await estimateJson(file);
    const slowdown = loadSlowdown(loadavg()[0], cpus().length, false);
    assert.equal(after.training.estimateBasis, 'runs');
    const ratio = (after.training.estimatedMs as number) / (2 * base.ms * slowdown);
    assert.ok(Math.abs(ratio - 1) < 0.05, `estimatedMs ${after.training.estimatedMs} vs 2 × ${base.ms} × load ${slowdown}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
