// The editor's training-time estimate: the built-in step model's arithmetic, the sample
// counts a run really uses, and the scale from this machine's speed, load and runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../../server/src/analysis/model';
import { BUILT_IN_STEP_MODEL, STEP_MODEL_VERSION } from '../../../server/src/training/builtInStepModel';
import { NO_TIMINGS, type StoredRun } from '../../../server/src/training/calibrationFile';
import { validationSplit } from '../../../server/src/training/data/prepare';
import { rowCost, type StepModel } from '../../../server/src/training/stepModel';
import { builtInTime, estimateForEpochs, estimateTraining, etaMs, loadSlowdown, validationCount } from '../../../server/src/training/trainTime';

function specModel(text: string, name?: string): ModelAnalysis {
  const analysis = analyze(text, { file: '/virtual/spec.model' });
  assert.deepEqual(
    analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  return name ? analysis.models.find((m) => m.name === name)! : analysis.models[0];
}

function close(actual: number | undefined, expected: number, what = ''): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what} ${actual} ≉ ${expected}`);
}

const SPIRALS = 'dataset S {\n  source: synthetic(kind: spirals, samples: 1000, classes: 3)\n  test_split: 0.2\n}\n';
const MLP = `${SPIRALS}model M {\n  data: S\n  dense(16, activation: relu)\n  dense(3, activation: softmax)\n}\n`;

const FLAT: StepModel = {
  backend: 'wasm',
  baseMs: 1,
  epochMs: 0,
  runMs: 0,
  layerMs: { dense: 0.5, gru: 1 },
  defaultLayerMs: 0.25,
  recurrentStepMs: { lstm: 0.2, gru: 0.1, simple_rnn: 0.05 },
  flopsPerSecond: { matmul: 1e9, conv: 5e8, recurrent: 2e8, attention: 1e9 },
  plainJsFlopsPerSecond: 1e8,
};

test('the validation count is the one the trainer holds out', () => {
  for (const fraction of [0, 0.05, 0.1, 0.2, 0.25, 0.5, 0.9, 0.99]) {
    for (let n = 1; n <= 300; n++) {
      assert.equal(validationCount(n, fraction), validationSplit(n, fraction, 1).validation.length, `n ${n}, fraction ${fraction}`);
    }
  }
});

test('the built-in prediction: dispatch per step and per validation batch, arithmetic on every sample', () => {
  // 800 training rows; the default 10% validation split holds out 80, leaving 720: 23
  // steps of 32 and 3 forward-only validation batches per epoch. Dispatch 1 + 2 × 0.5 = 2 ms
  // a step, a third of that a validation batch. Forward 2·16 + 16·3 = 80 MACs, so training
  // 6 × 80 = 480 FLOPs per sample at 1 GFLOP/s, a third of it per validation sample.
  const m = specModel(MLP);
  const t = builtInTime(m, 1, undefined, FLAT)!;
  assert.equal(t.fitSamples, 720);
  assert.equal(t.validationSamples, 80);
  assert.equal(t.steps, 23);
  assert.equal(t.validationBatches, 3);
  close(t.dispatchMs, 2);
  close(t.arithmeticMs, (720 + 80 / 3) * 480e-9 * 1000);
  close(t.ms, 23 * 2 + (3 * 2) / 3 + (720 + 80 / 3) * 480e-6);
  const five = builtInTime(m, 5, undefined, FLAT)!;
  close(five.ms, 5 * t.ms, 'epochs scale the whole');
  // Another sample count (the hover's "per 1,000 samples" without data) is honoured.
  assert.equal(builtInTime(m, 1, 1000, FLAT)!.fitSamples, 900);
  assert.equal(builtInTime(specModel('model N {\n  input: [2]\n  classes: 3\n  dense(3)\n}\n'), 1), undefined, 'no data, no sample count');
  // A run's warm-up once, and each epoch's own cost per epoch.
  close(builtInTime(m, 5, undefined, { ...FLAT, runMs: 100, epochMs: 10 })!.ms, 100 + 5 * 10 + five.ms);
});

test('recurrent cells cost per time step, twice when bidirectional; each layer at its own rate', () => {
  const m = specModel(
    'model R {\n  input: [20, 4]\n  classes: 4\n  bidirectional(gru(16, return_sequences: true))\n  simple_rnn(8, return_sequences: true)\n  conv1d(4, kernel: 3)\n  flatten\n  dense(4, activation: softmax)\n}\n',
  );
  const rows = m.rows.filter((r) => r.kind === 'layer');
  const cost = (name: string) => rowCost(rows.find((r) => r.name === name)!, FLAT);
  assert.deepEqual(cost('bidirectional'), { dispatchMs: 2 * (1 + 20 * 0.1), rate: 'recurrent' });
  // simple_rnn has no per-layer figure in FLAT: the default, plus 20 steps.
  assert.deepEqual(cost('simple_rnn'), { dispatchMs: 0.25 + 20 * 0.05, rate: 'recurrent' });
  assert.equal(cost('conv1d').rate, 'conv');
  assert.equal(cost('dense').rate, 'matmul');
  // Every figure of the built-in model is a measured, finite, non-negative number.
  for (const v of [BUILT_IN_STEP_MODEL.baseMs, ...Object.values(BUILT_IN_STEP_MODEL.layerMs), ...Object.values(BUILT_IN_STEP_MODEL.recurrentStepMs)]) assert.ok(Number.isFinite(v) && v >= 0);
  for (const v of Object.values(BUILT_IN_STEP_MODEL.flopsPerSecond)) assert.ok(Number.isFinite(v) && v > 0);
});

test('the load slows a single-threaded run by the share of a core it gets', () => {
  assert.equal(loadSlowdown(0.2, 4, false), 1, 'idle: a whole core');
  assert.equal(loadSlowdown(3, 2, false), 2, 'three busy tasks and the run on two cores');
  assert.equal(loadSlowdown(3, 2, true), 1.5, 'the run itself already counted');
  assert.equal(loadSlowdown(Number.NaN, 2, false), 1);
  assert.equal(loadSlowdown(5, 0, false), 1);
});

function run(over: Partial<StoredRun>): StoredRun {
  return { model: 'X', kind: 'dense', backend: 'wasm', epochs: 1, measuredMs: 100, builtInMs: 50, slowdown: 1, stepModel: STEP_MODEL_VERSION, at: '2026-11-20T10:00:00.000Z', ...over };
}

test('the basis: runs of the same kind, else this machine\'s speed, else the built-in figures; always times the load', () => {
  const m = specModel(MLP);
  const base = builtInTime(m, 10)!;
  const plain = BUILT_IN_STEP_MODEL.plainJsFlopsPerSecond;
  const builtIn = estimateTraining(m, 10, NO_TIMINGS)!;
  assert.equal(builtIn.basis, 'built-in');
  close(builtIn.ms, base.ms);
  // A machine half as fast in plain JavaScript, idle.
  const firstUse = estimateTraining(m, 10, NO_TIMINGS, { flopsPerSecond: plain / 2, loadAverage: 0, cores: 4 })!;
  assert.equal(firstUse.basis, 'first-use');
  close(firstUse.ms, 2 * base.ms);
  // The same machine with three other busy tasks on two cores.
  const busy = estimateTraining(m, 10, NO_TIMINGS, { flopsPerSecond: plain / 2, loadAverage: 3, cores: 2 })!;
  close(busy.ms, 4 * base.ms);
  assert.equal(busy.slowdown, 2);
  // A run 3× its prediction while the load slowed it 1.5×: this machine is 2× the built-in.
  const timings = { runs: [run({ measuredMs: 300, builtInMs: 100, slowdown: 1.5 })] };
  const fromRuns = estimateTraining(m, 10, timings, { flopsPerSecond: plain * 10, loadAverage: 0, cores: 4 })!;
  assert.equal(fromRuns.basis, 'runs');
  close(fromRuns.ms, 2 * base.ms, 'the plain-JS speed no longer counts');
  // Runs of another kind, or predicted by another version of the figures, do not count.
  const others = { runs: [run({ kind: 'conv' }), run({ stepModel: 'older' })] };
  assert.equal(estimateTraining(m, 10, others)!.basis, 'built-in');
  // The median of the newest three: an old outlier and one disturbed run do not move it.
  const many = {
    runs: [
      run({ measuredMs: 5000, at: '2026-11-01T00:00:00.000Z' }),
      run({ measuredMs: 150, at: '2026-11-02T00:00:00.000Z' }),
      run({ measuredMs: 900, at: '2026-11-03T00:00:00.000Z' }),
      run({ measuredMs: 160, at: '2026-11-04T00:00:00.000Z' }),
    ],
  };
  const median = estimateTraining(m, 10, many)!;
  close(median.ms, 3.2 * base.ms);
  assert.deepEqual(median.runs.map((r) => r.measuredMs), [150, 900, 160]);
});

test('the built-in figures are the measurements kept in bench/results', () => {
  const median = (JSON.parse(readFileSync(join(__dirname, '../../../bench/results/time-model-fit.json'), 'utf8')) as { used: { model: StepModel } }).used.model;
  const near = (held: number, measured: number, what: string) => assert.ok(Math.abs(held - measured) <= 0.005 * Math.abs(measured) + 1e-3, `${what}: ${held} vs measured ${measured}`);
  near(BUILT_IN_STEP_MODEL.baseMs, median.baseMs, 'baseMs');
  near(BUILT_IN_STEP_MODEL.defaultLayerMs, median.defaultLayerMs, 'defaultLayerMs');
  near(BUILT_IN_STEP_MODEL.plainJsFlopsPerSecond, median.plainJsFlopsPerSecond, 'plainJsFlopsPerSecond');
  assert.deepEqual(Object.keys(BUILT_IN_STEP_MODEL.layerMs).sort(), Object.keys(median.layerMs).sort());
  for (const [k, v] of Object.entries(median.layerMs)) near(BUILT_IN_STEP_MODEL.layerMs[k], v, `layerMs.${k}`);
  for (const [k, v] of Object.entries(median.recurrentStepMs)) near(BUILT_IN_STEP_MODEL.recurrentStepMs[k as keyof StepModel['recurrentStepMs']], v, `recurrentStepMs.${k}`);
  const overhead = JSON.parse(readFileSync(join(__dirname, '../../../bench/results/time-run-overhead.json'), 'utf8')) as { runMs: number; epochMs: number };
  near(BUILT_IN_STEP_MODEL.runMs, overhead.runMs, 'runMs');
  near(BUILT_IN_STEP_MODEL.epochMs, overhead.epochMs, 'epochMs');
  for (const [k, v] of Object.entries(median.flopsPerSecond)) near(BUILT_IN_STEP_MODEL.flopsPerSecond[k as keyof StepModel['flopsPerSecond']], v, `flopsPerSecond.${k}`);
});

test('the ETA leaves out the slow first epoch and follows the last few', () => {
  // A first epoch of 1 s (warm-up), then 100 ms each: 7 epochs left at 100 ms.
  assert.equal(etaMs([1000, 1100, 1200], 10), 700);
  // After one epoch there is nothing else to go by.
  assert.equal(etaMs([1000], 10), 9000);
  // A busy spell (epochs 2–3 at 500 ms) stops counting once three calmer epochs follow.
  assert.equal(etaMs([1000, 1500, 2000, 2100, 2200, 2300], 10), 400);
  assert.equal(etaMs([1000, 1100], 2), 0, 'finished');
  assert.equal(etaMs([], 5), 0);
});

test('a run cut short compares with the estimate for the epochs it ran, on the same scale', () => {
  const m = specModel(MLP);
  const e = estimateTraining(m, 20, NO_TIMINGS, { flopsPerSecond: BUILT_IN_STEP_MODEL.plainJsFlopsPerSecond / 3, loadAverage: 0, cores: 4 })!;
  close(estimateForEpochs(e, m, 20), e.ms, 'all epochs: the estimate itself');
  close(estimateForEpochs(e, m, 4), 3 * builtInTime(m, 4)!.ms);
  assert.ok(estimateForEpochs(e, m, 4)! > e.ms / 5, 'four epochs of twenty cost more than a fifth: the run\'s warm-up is in them');
});
