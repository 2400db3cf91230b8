/** Backend selection: what is chosen, what is reported, and where the wasm binaries come from. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASM_BINARIES, describeBackend, findWasmDirectory, initBackend, wasmDirectories } from '../../../../server/src/training/backend/select';
import { wasmTrainingKernelsRegistered } from '../../../../server/src/training/backend/kernels/index';

test('default choice: tfjs-node is absent here, so wasm with SIMD and the reason for falling back', async () => {
  const info = await initBackend();
  assert.equal(info.name, 'wasm');
  assert.equal(info.simd, true);
  assert.ok(info.threads >= 1);
  assert.match(info.fallbackReason ?? '', /@tensorflow\/tfjs-node is not installed/);
  assert.ok(wasmTrainingKernelsRegistered(), 'training kernels registered');
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(tf.env().getBool('PROD'), true, 'prod mode on');
  assert.match(describeBackend(info), /^wasm \(SIMD, \d+ threads?\) — /);
});

test('explicit preferences switch the active backend and are idempotent', async () => {
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const cpu = await initBackend('cpu');
  assert.deepEqual(cpu, { name: 'cpu', threads: 1, simd: false });
  assert.equal(tf.getBackend(), 'cpu');
  const wasm = await initBackend('wasm');
  assert.equal(wasm.name, 'wasm');
  assert.equal(wasm.fallbackReason, undefined);
  assert.equal(tf.getBackend(), 'wasm');
  assert.deepEqual(await initBackend('wasm'), wasm);
});

test('wasm binaries: a folder next to the bundle first, the installed package as fallback, env override first of all', () => {
  const dirs = wasmDirectories();
  assert.ok(dirs.some((d) => d.endsWith(join('tfjs-backend-wasm', 'dist'))), dirs.join(', '));
  const found = findWasmDirectory();
  assert.ok(found && WASM_BINARIES.every((name) => existsSync(join(found, name))));
  const custom = mkdtempSync(join(tmpdir(), 'modelspec-wasm-'));
  const saved = process.env.MODELSPEC_WASM_DIR;
  try {
    process.env.MODELSPEC_WASM_DIR = custom;
    assert.equal(wasmDirectories()[0], custom);
    assert.notEqual(findWasmDirectory(), custom, 'an empty folder is skipped');
    for (const name of WASM_BINARIES) copyFileSync(join(found, name), join(custom, name));
    assert.equal(findWasmDirectory(), custom);
  } finally {
    if (saved === undefined) delete process.env.MODELSPEC_WASM_DIR;
    else process.env.MODELSPEC_WASM_DIR = saved;
    rmSync(custom, { recursive: true, force: true });
  }
});
