// A second LSP client: Debian's Neovim (built-in LSP client, headless) opens a spec with a
// broken line, gets the server's diagnostics and a hover. Neovim comes from
// scripts/install-test-deps.sh, which the README's test command runs first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SERVER = join(ROOT, 'dist/server.js');

test('Neovim gets diagnostics and a hover from the server over stdio', () => {
  const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  assert.equal(nvim.status, 0, 'nvim is installed (scripts/install-test-deps.sh)');
  assert.ok(existsSync(SERVER), 'npm run build first');
  const dir = mkdtempSync(join(tmpdir(), 'modelspec-nvim-'));
  const file = join(dir, 'net.model');
  writeFileSync(file, 'model Net {\n  input: [28, 28, 1]\n  conv2d(8, kernel: 3, activaton: relu)\n  flatten\n  dense(10, activation: softmax)\n}\n');
  const out = join(dir, 'result.json');
  const script = join(__dirname, 'neovim-lsp.lua');
  const r = spawnSync(
    'nvim',
    ['--headless', '--clean', '-c', `lua _G.arg_server=${JSON.stringify(SERVER)} _G.arg_file=${JSON.stringify(file)} _G.arg_out=${JSON.stringify(out)}`, '-c', `luafile ${script}`],
    { encoding: 'utf8', timeout: 60_000, env: { ...process.env, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir } },
  );
  assert.ok(existsSync(out), `nvim wrote no result: ${r.stderr} ${r.stdout}`);
  const result = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(result.error ?? null, null);
  const d = result.diagnostics.find((x: { code?: string }) => x.code === 'unknown-argument');
  assert.ok(d, JSON.stringify(result.diagnostics));
  assert.equal(d.lnum, 2);
  assert.equal(d.col, 23);
  assert.match(d.message, /Did you mean 'activation'\?/);
  const hover = typeof result.hover === 'string' ? result.hover : result.hover?.value ?? JSON.stringify(result.hover);
  assert.match(hover, /conv2d/);
  assert.match(hover, /\[26, 26, 8\]/);
});
