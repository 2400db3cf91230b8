// Bundles every Node entry point with esbuild. Entry points that a later layer adds
// (language server, trainer process, VS Code client) are listed here as they appear.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const entries = [
  { in: 'server/src/cli/main.ts', out: 'dist/cli.js', bin: true },
  { in: 'server/src/lsp/main.ts', out: 'dist/server.js', bin: true },
  { in: 'client/src/extension.ts', out: 'dist/client.js', external: ['vscode'] },
  // tfjs-node is optional: looked up at run time, never bundled.
  { in: 'server/src/training/trainerMain.ts', out: 'dist/trainer.js', external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] },
];

const watch = process.argv.includes('--watch');
for (const entry of entries.filter((e) => existsSync(e.in))) {
  await build({
    entryPoints: [entry.in],
    outfile: entry.out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    define: { __VERSION__: JSON.stringify(version) },
    banner: entry.bin ? { js: '#!/usr/bin/env node' } : undefined,
    external: entry.external,
    logLevel: watch ? 'info' : 'warning',
  });
  if (entry.bin) chmodSync(entry.out, 0o755);
}

// The runs panel's webview: a browser bundle (ECharts included, nothing from a CDN) and its stylesheet.
await build({
  entryPoints: { webview: 'client/src/webview/main.ts', 'webview-style': 'client/src/webview/style.css' },
  outdir: 'dist',
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  format: 'iife',
  minify: !watch,
  sourcemap: watch,
  logLevel: watch ? 'info' : 'warning',
});

// The wasm backend loads its binaries at run time: ship them next to the bundles.
const require = createRequire(import.meta.url);
const wasmDist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
mkdirSync('dist/wasm', { recursive: true });
// Node never loads the threaded build (tfjs disables it there), so it is not shipped.
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
  copyFileSync(join(wasmDist, file), join('dist/wasm', file));
}

// libsvm-js's wasm glue, inlined into the trainer bundle, looks for libsvm.wasm next to it.
copyFileSync(join(dirname(require.resolve('libsvm-js/package.json')), 'out/wasm/libsvm.wasm'), 'dist/libsvm.wasm');

// Exports are made of real Python files (server/src/export/python), read at run time from
// a python/ folder next to the bundle.
mkdirSync('dist/python', { recursive: true });
for (const file of readdirSync('server/src/export/python').filter((f) => f.endsWith('.py'))) {
  copyFileSync(join('server/src/export/python', file), join('dist/python', file));
}
