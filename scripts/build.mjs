// Bundles every Node entry point with esbuild. Entry points that a later layer adds
// (language server, trainer process, VS Code client) are listed here as they appear.
import { build } from 'esbuild';
import { chmodSync, existsSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const entries = [
  { in: 'server/src/cli/main.ts', out: 'dist/cli.js', bin: true },
  { in: 'server/src/lsp/main.ts', out: 'dist/server.js', bin: true },
  { in: 'client/src/extension.ts', out: 'dist/client.js', external: ['vscode'] },
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
