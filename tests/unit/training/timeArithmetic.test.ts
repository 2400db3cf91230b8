// Training-time arithmetic behind the model hover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceleratorFlopsPerSecond, calibrateMatmul, machineCalibration, secondsFor } from '../../../server/src/training/timeArithmetic';
import { normalizeSettings, DEFAULT_SETTINGS } from '../../../server/src/lsp/config';

test('seconds = training FLOPs / (peak × utilisation)', () => {
  const a100 = { name: 'A100', peakTflops: 19.5, utilization: 0.4 };
  assert.equal(acceleratorFlopsPerSecond(a100), 7.8e12);
  assert.equal(secondsFor(7_800_000_000_000n, acceleratorFlopsPerSecond(a100)), 1);
  assert.equal(secondsFor(10n ** 15n, 1e12), 1000);
  assert.equal(secondsFor(1n, 0), Infinity, 'no throughput, no estimate');
});

test('the calibration measures a plausible throughput once and keeps it', () => {
  const c = calibrateMatmul(64, 1);
  assert.equal(c.size, 64);
  assert.ok(c.flopsPerSecond > 1e6 && c.flopsPerSecond < 1e12, `${c.flopsPerSecond} FLOP/s`);
  assert.equal(machineCalibration(), machineCalibration());
});

test('settings: malformed fields keep their defaults; accelerators are validated one by one', () => {
  assert.deepEqual(normalizeSettings(undefined), DEFAULT_SETTINGS);
  const s = normalizeSettings({
    inlayHints: { enabled: 'yes', params: false },
    accelerators: [{ name: 'X', peakTflops: 10 }, { name: '', peakTflops: 1 }, { name: 'Y', peakTflops: -1 }, { name: 'Z', peakTflops: 5, utilization: 0.9 }],
    diagnostics: { delay: 1e9 },
  });
  assert.deepEqual(s.inlayHints, { enabled: true, params: false });
  assert.deepEqual(s.accelerators, [
    { name: 'X', peakTflops: 10, utilization: 0.4 },
    { name: 'Z', peakTflops: 5, utilization: 0.9 },
  ]);
  assert.equal(s.diagnostics.delay, 10_000);
});
