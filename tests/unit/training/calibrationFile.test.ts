// The runs folder's calibration.json: the trainer's measurements of this machine, read by the editor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import { STEP_MODEL_VERSION } from '../../../server/src/training/builtInStepModel';
import { CALIBRATION_FILE, loadTimings, recordRunTime, RUNS_KEPT_PER_KIND, saveRun } from '../../../server/src/training/calibrationFile';
import { builtInTime } from '../../../server/src/training/trainTime';

const dir = () => mkdtempSync(join(tmpdir(), 'modelspec-calibration-'));
const run = { model: 'M', kind: 'dense' as const, backend: 'wasm', epochs: 2, measuredMs: 900, builtInMs: 300, slowdown: 1.5, stepModel: STEP_MODEL_VERSION };

test('a missing, broken or foreign file reads as no runs, and saving over a broken one starts afresh', () => {
  const d = join(dir(), 'nested', 'runs');
  assert.deepEqual(loadTimings(d).runs, []);
  saveRun(d, run, new Date('2026-11-01T00:00:00Z'));
  writeFileSync(join(d, CALIBRATION_FILE), '{ not json');
  assert.deepEqual(loadTimings(d).runs, []);
  writeFileSync(join(d, CALIBRATION_FILE), JSON.stringify({ runs: 'many' }));
  assert.deepEqual(loadTimings(d).runs, []);
  writeFileSync(join(d, CALIBRATION_FILE), '{ not json');
  saveRun(d, run, new Date('2026-11-06T00:00:00Z'));
  assert.equal(loadTimings(d).runs.length, 1);
});

test('a file written before the built-in step model keeps its runs; its calibrations are dropped on the next save', () => {
  const d = dir();
  const good = { ...run, at: '2026-11-05T00:00:00.000Z' };
  writeFileSync(join(d, CALIBRATION_FILE), JSON.stringify({ version: 1, calibrations: [{ backend: 'wasm', kind: 'dense', stepMs: 3, flopsPerSecond: 5e8, millis: 800, measuredAt: good.at }], runs: [good] }));
  assert.deepEqual(loadTimings(d).runs, [good]);
  saveRun(d, run, new Date('2026-11-06T00:00:00Z'));
  const file = JSON.parse(readFileSync(join(d, CALIBRATION_FILE), 'utf8'));
  assert.equal(file.calibrations, undefined);
  assert.equal(file.runs.length, 2);
});

test('finished runs are kept, the newest few per kind', () => {
  const d = dir();
  saveRun(d, { ...run, kind: 'conv' }, new Date('2026-11-01T00:00:00Z'));
  for (let i = 0; i < RUNS_KEPT_PER_KIND + 2; i++) saveRun(d, { ...run, measuredMs: 100 + i }, new Date(Date.UTC(2026, 10, 2 + i)));
  const t = loadTimings(d);
  assert.deepEqual(t.runs.filter((r) => r.kind === 'dense').map((r) => r.measuredMs), [102, 103, 104, 105, 106]);
  assert.equal(t.runs.filter((r) => r.kind === 'conv').length, 1, 'other kinds untouched');
  assert.equal(loadTimings(d).runs.length, RUNS_KEPT_PER_KIND + 1);
  // Invalid run entries are skipped, valid ones kept.
  const good = { ...run, at: '2026-11-05T00:00:00.000Z' };
  writeFileSync(join(d, CALIBRATION_FILE), JSON.stringify({ version: 1, runs: [{ ...good, measuredMs: 0 }, { ...good, slowdown: 'busy' }, { ...good, kind: 'x' }, { ...good, at: 'soon' }, good] }));
  assert.deepEqual(loadTimings(d).runs, [good]);
});

test('a run is recorded with the built-in prediction for the epochs it ran', () => {
  const d = dir();
  const model = analyze('dataset S {\n  source: synthetic(kind: spirals, samples: 500, classes: 3)\n}\nmodel M {\n  data: S\n  dense(8, activation: relu)\n  dense(3, activation: softmax)\n}\n', { file: '/virtual/m.model' }).models[0];
  recordRunTime(d, model, 'wasm', 3, 1234, new Date('2026-11-07T00:00:00Z'), 2);
  const [r] = loadTimings(d).runs;
  assert.equal(r.epochs, 3);
  assert.equal(r.measuredMs, 1234);
  assert.equal(r.slowdown, 2);
  assert.equal(r.kind, 'dense');
  assert.equal(r.builtInMs, builtInTime(model, 3)!.ms);
  // A run cancelled before its first epoch ended teaches nothing.
  recordRunTime(d, model, 'wasm', 0, 50);
  assert.equal(loadTimings(d).runs.length, 1);
});
