import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDuration, formatSI, jsonInteger, withSeparators } from '../../../server/src/util/format';

test('thousands separators on exact integers of any size', () => {
  assert.equal(withSeparators(0n), '0');
  assert.equal(withSeparators(999), '999');
  assert.equal(withSeparators(61706n), '61,706');
  assert.equal(withSeparators(-1234567), '-1,234,567');
  assert.equal(withSeparators(10n ** 24n), '1,000,000,000,000,000,000,000,000');
});

test('bytes in 1024 steps with three significant figures', () => {
  assert.equal(formatBytes(0n), '0 B');
  assert.equal(formatBytes(1023n), '1023 B');
  assert.equal(formatBytes(1024n), '1.00 KiB');
  assert.equal(formatBytes(1536n), '1.50 KiB');
  assert.equal(formatBytes(553_430_176n), '528 MiB');
  assert.equal(formatBytes(2n ** 90n), `${(2n ** 90n / 2n ** 80n).toString()} YiB`);
});

test('SI counts glue the prefix to the unit', () => {
  assert.equal(formatSI(520n, 'FLOPs'), '520 FLOPs');
  assert.equal(formatSI(416_520n, 'MACs'), '417 KMACs');
  assert.equal(formatSI(15_470_264_320n, 'MACs'), '15.5 GMACs');
  assert.equal(formatSI(999_999n), '1.00 M');
});

test('JSON integers: numbers while safe, strings above 2^53', () => {
  assert.equal(jsonInteger(2n ** 53n - 1n), Number.MAX_SAFE_INTEGER);
  assert.equal(jsonInteger(2n ** 53n + 1n), '9007199254740993');
});

test('durations pick a readable unit', () => {
  assert.equal(formatDuration(0.25), '250 ms');
  assert.equal(formatDuration(12.34), '12.3 s');
  assert.equal(formatDuration(245), '4 min 05 s');
  assert.equal(formatDuration(3 * 3600 + 600), '3 h 10 min');
  assert.equal(formatDuration(Infinity), 'unknown');
});
