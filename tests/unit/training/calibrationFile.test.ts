// The runs folder's calibration.json: the trainer's measurements of this machine, read by the editor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CALIBRATION_FILE, latestCalibration, loadCalibrations, saveCalibration } from '../../../server/src/training/calibrationFile';

const dir = () => mkdtempSync(join(tmpdir(), 'modelspec-calibration-'));
const base = { backend: 'wasm', kind: 'dense' as const, stepMs: 3, flopsPerSecond: 5e8, millis: 800 };

test('a saved measurement reads back; one per backend and kind, the newer replacing the older', () => {
  const d = join(dir(), 'nested', 'runs');
  saveCalibration(d, base, new Date('2026-11-01T00:00:00Z'));
  saveCalibration(d, { ...base, kind: 'conv', flopsPerSecond: 2e9 }, new Date('2026-11-02T00:00:00Z'));
  saveCalibration(d, { ...base, backend: 'tensorflow' }, new Date('2026-11-03T00:00:00Z'));
  saveCalibration(d, { ...base, stepMs: 4 }, new Date('2026-11-04T00:00:00Z'));
  const all = loadCalibrations(d);
  assert.deepEqual(all.map((c) => `${c.backend}/${c.kind}/${c.stepMs}`).sort(), ['tensorflow/dense/3', 'wasm/conv/3', 'wasm/dense/4']);
  // The newest measurement of the kind asked for, whichever backend made it.
  assert.equal(latestCalibration(all, 'dense')?.measuredAt, '2026-11-04T00:00:00.000Z');
  assert.equal(latestCalibration(all, 'conv')?.flopsPerSecond, 2e9);
  assert.equal(latestCalibration(all, 'recurrent'), undefined);
});

test('a missing, broken or foreign file reads as no measurement, and bad entries are skipped', () => {
  const d = dir();
  assert.deepEqual(loadCalibrations(d), []);
  writeFileSync(join(d, CALIBRATION_FILE), '{ not json');
  assert.deepEqual(loadCalibrations(d), []);
  writeFileSync(join(d, CALIBRATION_FILE), JSON.stringify({ calibrations: 'many' }));
  assert.deepEqual(loadCalibrations(d), []);
  const good = { ...base, measuredAt: '2026-11-05T00:00:00.000Z' };
  const bad = [{ ...good, kind: 'quantum' }, { ...good, stepMs: -1 }, { ...good, flopsPerSecond: 'fast' }, { ...good, measuredAt: 'yesterday' }, null, 7];
  writeFileSync(join(d, CALIBRATION_FILE), JSON.stringify({ version: 1, calibrations: [...bad, good] }));
  assert.deepEqual(loadCalibrations(d), [good]);
  // Saving over a broken file starts a fresh one rather than failing.
  writeFileSync(join(d, CALIBRATION_FILE), '{ not json');
  saveCalibration(d, base, new Date('2026-11-06T00:00:00Z'));
  assert.equal(loadCalibrations(d).length, 1);
});
