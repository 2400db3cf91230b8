// The CLI's human and JSON output, compared with golden files (UPDATE_GOLDEN=1 rewrites
// them), and its exit codes from a real process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main } from '../../server/src/cli/main';

const ROOT = resolve(__dirname, '../..');
const GOLDEN = join(__dirname, 'golden');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const previous = process.cwd();
  process.chdir(ROOT);
  try {
    const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n') + '\n', err: err.join('\n') };
  } finally {
    process.chdir(previous);
  }
}

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `output differs from ${relative(ROOT, path)} (UPDATE_GOLDEN=1 to accept)`);
}

const broken = relative(ROOT, join(__dirname, 'fixtures/broken.model'));

test('estimate: LeNet-5 table', async () => {
  const r = await cli(['estimate', 'samples/lenet5.model']);
  assert.equal(r.code, 0);
  golden('estimate-lenet5.txt', r.out);
});

test('estimate: ResNet-50 table with groups, repeats and projections', async () => {
  const r = await cli(['estimate', 'samples/resnet50.model']);
  assert.equal(r.code, 0);
  golden('estimate-resnet50.txt', r.out);
});

test('estimate --json: exact integers and the documented fields', async () => {
  const r = await cli(['estimate', 'samples/lenet5.model', '--json']);
  assert.equal(r.code, 0);
  const doc = JSON.parse(r.out);
  const m = doc.models[0];
  for (const key of ['name', 'kind', 'inputShape', 'outputShape', 'params', 'macs', 'flops', 'layers']) assert.ok(key in m, key);
  assert.deepEqual(m.params, { trainable: 61706, nonTrainable: 0, total: 61706 });
  assert.equal(m.macs, 416520);
  assert.deepEqual(Object.keys(m.layers[0]).slice(0, 2), ['name', 'kind']);
  assert.deepEqual(m.layers.map((l: { name: string }) => l.name).slice(0, 2), ['conv2d', 'avgpool2d']);
  golden('estimate-lenet5.json', r.out);
});

test('estimate --json: integers above 2^53 become strings', async () => {
  const r = await cli(['estimate', 'samples/vgg16.model', '--json']);
  const m = JSON.parse(r.out).models[0];
  assert.equal(typeof m.memory.trainingBytes, 'number');
  assert.equal(m.flops, 30940528640);
  const hugeFile = join(__dirname, 'fixtures/huge.model');
  writeFileSync(hugeFile, 'model Huge {\n  input: [1_000_000_000]\n  dense(1_000_000_000)\n  repeat 10_000 { dense(1_000_000_000) }\n}\n');
  const h = JSON.parse((await cli(['estimate', relative(ROOT, hugeFile), '--json'])).out).models[0];
  assert.equal(typeof h.params.total, 'string');
  assert.equal(h.params.total, (10_001n * (1_000_000_000n * 1_000_000_000n + 1_000_000_000n)).toString());
});

test('estimate --model picks one model and suggests a name for a typo', async () => {
  const r = await cli(['estimate', 'samples/digits.model', '--model', 'DigitsMLP']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^Model: DigitsMLP \(neural\)/);
  assert.doesNotMatch(r.out, /DigitsCNN/);
  const bad = await cli(['estimate', 'samples/digits.model', '--model', 'DigitsMPL']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /no model named 'DigitsMPL'. Did you mean 'DigitsMLP'\?/);
});

test('check: file:line:col severity code message, exit 1 on errors', async () => {
  const r = await cli(['check', broken]);
  assert.equal(r.code, 1);
  golden('check-broken.txt', r.out);
});

test('check --json: the documented shape with LSP ranges', async () => {
  const r = await cli(['check', broken, 'samples/lenet5.model', '--json']);
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.out);
  assert.equal(doc.files.length, 2);
  assert.deepEqual(doc.files[1], { file: 'samples/lenet5.model', diagnostics: [] });
  const d = doc.files[0].diagnostics.find((x: { code: string }) => x.code === 'unknown-argument');
  assert.deepEqual(Object.keys(d), ['severity', 'code', 'message', 'range']);
  assert.deepEqual(d.range, { start: { line: 8, character: 24 }, end: { line: 8, character: 33 } });
  golden('check-broken.json', r.out);
});

test('check: exit 0 on a clean file, 2 on a missing file or bad usage', async () => {
  assert.equal((await cli(['check', 'samples/lenet5.model'])).code, 0);
  const missing = await cli(['check', 'nope.model']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope.model: no such file/);
  assert.equal((await cli(['check'])).code, 2);
  assert.equal((await cli(['check', '--frobnicate', 'x'])).code, 2);
  assert.equal((await cli(['explode'])).code, 2);
  assert.equal((await cli([])).code, 2);
  assert.equal((await cli(['--help'])).code, 0);
});

test('the built binary runs and returns the same exit codes', async () => {
  const bin = join(ROOT, 'dist/cli.js');
  assert.ok(existsSync(bin), 'npm run build first');
  const ok = spawnSync(process.execPath, [bin, 'check', 'samples/lenet5.model'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /1 file checked: no problems/);
  const bad = spawnSync(process.execPath, [bin, 'check', broken], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(bad.status, 1);
  const usage = spawnSync(process.execPath, [bin, 'estimate'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /estimate needs exactly one FILE/);
});
