// What `npm run package` puts in the .vsix: the bundles, the grammar files and the
// manifest, nothing else (no sources, no node_modules: the bundles need none), and the
// client bundle needs nothing at run time beyond VS Code and Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

test('the client bundle requires only vscode and Node built-ins', () => {
  const bundle = join(ROOT, 'dist/client.js');
  assert.ok(existsSync(bundle), 'build first: npm run build');
  const required = new Set([...readFileSync(bundle, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]));
  const foreign = [...required].filter((r) => r !== 'vscode' && !builtinModules.includes(r.replace(/^node:/, '')));
  assert.deepEqual(foreign, []);
  assert.ok(required.has('vscode'));
});

test('vsce packages the bundles, grammar, icon and manifest, and nothing else', () => {
  const pkgFile = require.resolve('@vscode/vsce/package.json');
  const vsce = join(pkgFile, '..', (JSON.parse(readFileSync(pkgFile, 'utf8')) as { bin: Record<string, string> }).bin.vsce);
  const r = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = r.stdout.split('\n').filter(Boolean).sort();
  for (const needed of [
    'package.json',
    'README.md',
    'LICENSE',
    'dist/client.js',
    'dist/server.js',
    'dist/trainer.js',
    'dist/libsvm.wasm',
    'dist/python/torch_train.py',
    'dist/webview.js',
    'dist/webview-style.css',
    'syntaxes/modelspec.tmLanguage.json',
    'syntaxes/language-configuration.json',
    'syntaxes/snippets.json',
    'images/icon.png',
    'images/activitybar.svg',
  ]) {
    assert.ok(files.includes(needed), `${needed} is not packaged:\n${files.join('\n')}`);
  }
  const allowed = /^(package\.json|README\.md|LICENSE|dist\/[^/]+\.js|dist\/webview-style\.css|dist\/libsvm\.wasm|dist\/wasm\/[^/]+\.wasm|dist\/python\/[^/]+\.py|syntaxes\/[^/]+\.json|images\/[^/]+\.(png|svg))$/;
  assert.deepEqual(
    files.filter((f) => !allowed.test(f)),
    [],
  );
});
