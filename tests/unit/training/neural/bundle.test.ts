// The catalogue knows how to build engine layers, but imports tfjs for its types only: the
// language server and the CLI bundles must not carry (or load) TensorFlow.js; only the
// trainer's does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(__dirname, '../../../..');

async function bundledInputs(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [resolve(ROOT, entry)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  });
  return Object.keys(result.metafile.inputs);
}

for (const entry of ['server/src/lsp/main.ts', 'server/src/cli/main.ts']) {
  test(`${entry} bundles the catalogue without TensorFlow.js`, async () => {
    const inputs = await bundledInputs(entry);
    assert.ok(inputs.some((p) => p.endsWith('server/src/catalog/engine.ts')), 'the catalogue (with its engine builders) is in the bundle');
    assert.deepEqual(inputs.filter((p) => p.includes('@tensorflow') || p.includes('training/neural/')), []);
  });
}

test('the trainer bundle does carry TensorFlow.js and the custom layers', async () => {
  const inputs = await bundledInputs('server/src/training/trainerMain.ts');
  assert.ok(inputs.some((p) => p.includes('@tensorflow/tfjs-layers')));
  assert.ok(inputs.some((p) => p.endsWith('training/neural/layers/index.ts')));
});
