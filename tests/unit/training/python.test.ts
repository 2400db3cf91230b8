// Finding the Python that has PyTorch: the order of the search, what a refusal says, and the
// cache that spares the next search the 1–3 s of importing torch, with what invalidates it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTorchPython, notFoundMessage } from '../../../server/src/training/torch/python';

const temp = (name: string) => mkdtempSync(join(tmpdir(), `modelspec-python-${name}-`));

function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

test('the first python3 on PATH that imports torch is taken; those before it are listed with why not', async () => {
  const cache = temp('cache');
  const plain = temp('plain');
  const withTorch = temp('torch');
  // A python3 that answers as a Python without torch, then the system's.
  script(plain, 'python3', 'echo \'{"python": "3.9.1", "error": "ModuleNotFoundError: No module named \'"\'"\'torch\'"\'"\'"}\'');
  const system = await findTorchPython(undefined, { ...process.env, MODELSPEC_CACHE_DIR: cache, MODELSPEC_PYTHON: '' });
  assert.ok(system.found, 'this machine has a Python with torch (scripts/install-test-deps.sh)');
  script(withTorch, 'python3', `exec ${system.found.python} "$@"`);
  const env = { PATH: `${plain}:${withTorch}:/usr/bin:/bin`, MODELSPEC_CACHE_DIR: cache, HOME: process.env.HOME };
  const search = await findTorchPython(undefined, env);
  assert.equal(search.how, 'search');
  assert.equal(search.found?.python, join(withTorch, 'python3'));
  assert.match(search.found!.torch, /^\d+\.\d+/);
  assert.deepEqual(search.tried, [{ python: join(plain, 'python3'), why: "Python 3.9.1 cannot import torch: ModuleNotFoundError: No module named 'torch'" }]);
});

test('a configured interpreter (or MODELSPEC_PYTHON) is the only one asked, and a refusal says how to name another', async () => {
  const dir = temp('configured');
  const missing = join(dir, 'no-such-python');
  const configured = await findTorchPython(missing, { PATH: '/usr/bin:/bin', MODELSPEC_CACHE_DIR: dir });
  assert.equal(configured.found, undefined);
  assert.equal(configured.how, 'configured');
  assert.deepEqual(configured.tried, [{ python: missing, why: 'not found' }]);
  assert.match(notFoundMessage(configured), /^The configured interpreter cannot train with PyTorch: .*no-such-python \(not found\)\. Install PyTorch for that Python .*modelspec\.training\.python, --python PATH, or the environment variable MODELSPEC_PYTHON\.$/);
  const broken = script(dir, 'python', 'echo "Segmentation fault" >&2; exit 139');
  const fromEnv = await findTorchPython(undefined, { PATH: '/usr/bin:/bin', MODELSPEC_PYTHON: broken, MODELSPEC_CACHE_DIR: dir });
  assert.equal(fromEnv.how, 'environment');
  assert.match(fromEnv.tried[0].why, /Command failed/);
  assert.match(notFoundMessage(fromEnv), /^MODELSPEC_PYTHON cannot train with PyTorch/);
});

test("answers are cached by the interpreter's place; a virtual environment is not its base Python; installing into it invalidates the no", async () => {
  const cache = temp('cache');
  const env = { ...process.env, MODELSPEC_CACHE_DIR: cache, MODELSPEC_PYTHON: '' };
  const system = (await findTorchPython(undefined, env)).found!;
  const venv = join(temp('venv'), 'env');
  const made = spawnSync(system.python, ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const python = join(venv, 'bin', 'python3');
  const first = await findTorchPython(python, env);
  assert.equal(first.found, undefined, 'the venv has no torch, though its binary is the system one');
  const entries = () => JSON.parse(readFileSync(join(cache, 'torch-python.json'), 'utf8')) as { real: string; answer: { why?: string; torch?: string } }[];
  const entry = entries().find((e) => e.real === python);
  assert.ok(entry && entry.answer.why, 'the no is cached under the venv’s own path');
  assert.ok(entries().some((e) => e.answer.torch), 'the system Python’s yes is cached beside it');

  // A cached answer comes back without asking Python (it takes milliseconds, not a second).
  let started = performance.now();
  assert.equal((await findTorchPython(python, env)).tried[0].why, entry.answer.why);
  assert.ok(performance.now() - started < 500, `cached answer took ${performance.now() - started} ms`);
  started = performance.now();
  assert.equal((await findTorchPython(system.python, env)).found?.torch, system.torch);
  assert.ok(performance.now() - started < 500);

  // Installing a package changes the site folder: the no is asked again.
  const site = spawnSync(python, ['-c', 'import site; print(site.getsitepackages()[0])'], { encoding: 'utf8' }).stdout.trim();
  mkdirSync(join(site, 'torch'));
  writeFileSync(join(site, 'torch', '__init__.py'), '__version__ = "9.9.9-fake"\n__file__ = __file__\nimport sys\nclass cuda:\n    is_available = staticmethod(lambda: False)\n');
  const again = await findTorchPython(python, env);
  assert.equal(again.found?.torch, '9.9.9-fake', 'the new package was seen');
});

test('a script interpreter (a pyenv shim) is asked every time, never cached', async () => {
  const cache = temp('cache');
  const dir = temp('shim');
  const shim = script(dir, 'python3', 'echo \'{"python": "3.12.0", "error": "ModuleNotFoundError"}\'');
  await findTorchPython(shim, { PATH: '/usr/bin:/bin', MODELSPEC_CACHE_DIR: cache });
  let cached: unknown[] = [];
  try {
    cached = JSON.parse(readFileSync(join(cache, 'torch-python.json'), 'utf8')) as unknown[];
  } catch {
    // no cache file at all: nothing was cached
  }
  assert.deepEqual(cached, []);
});
