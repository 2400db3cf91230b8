// The CLI's human and JSON output, compared with golden files (UPDATE_GOLDEN=1 rewrites
// them), and its exit codes from a real process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main } from '../../server/src/cli/main';
import { runEstimate } from '../../server/src/cli/estimate';
import { createNodeHost } from '../../server/src/data/nodeHost';
import type { PythonSearch } from '../../server/src/training/torch/python';

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
const recurrentBn = relative(ROOT, join(__dirname, 'fixtures/recurrent-bn.model'));

test('estimate: LeNet-5 table', async () => {
  const r = await cli(['estimate', 'samples/lenet5.model']);
  assert.equal(r.code, 0);
  golden('estimate-lenet5.txt', r.out);
});

test('estimate: ResNet-50 table with groups, repeats and projections', async () => {
  // Batch norms count differently in the two engines, so the output depends on the backend.
  const r = await cli(['estimate', 'samples/resnet50.model', '--backend', 'torch']);
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
  assert.equal(m.engine, null, 'both engines count LeNet-5 the same');
  assert.equal(m.paramsConvention, 'the same in PyTorch and TensorFlow.js');
  assert.deepEqual(m.paramsByEngine, { tfjs: { trainable: 61706, nonTrainable: 0, total: 61706 }, torch: { params: 61706, buffers: 0 } });
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

// tests/cli/fixtures/recurrent-bn.model: lstm(32) on [20, 8], batchnorm, dense(4).
// TensorFlow.js: the LSTM has 4 gates × (8·32 + 32·32 + 32) = 5,248; the batch norm 2·32 = 64
// trainable (γ, β) + 64 non-trainable (moving mean, variance); the dense 32·4 + 4 = 132.
// PyTorch: the LSTM keeps two bias vectors per gate, 4 × (8·32 + 32·32 + 2·32) = 5,376, and
// the batch norm's statistics are buffers, not parameters.
const TFJS = { trainable: 5248 + 64 + 132, nonTrainable: 64, total: 5248 + 128 + 132 };
const TORCH = { params: 5376 + 64 + 132, buffers: 64 };

test('estimate --backend torch: PyTorch\'s counts, labelled, with TensorFlow.js\'s beside', async () => {
  const r = await cli(['estimate', recurrentBn, '--backend', 'torch']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^lstm +4 +\[32\] +5,376 /m);
  assert.match(r.out, /^batchnorm +5 +\[32\] +64 /m);
  assert.match(r.out, /^Trained by: +PyTorch \(--backend torch\)$/m);
  assert.match(r.out, /^Params: +5,572 \(5.57 K\) — PyTorch: parameters\(\); batch-norm statistics are buffers$/m);
  assert.match(r.out, /^Buffers: +64$/m);
  assert.match(r.out, /^TensorFlow.js counts: 5,508 params \(5,444 trainable, 64 non-trainable\): one bias vector per recurrent gate/m);
  golden('estimate-recurrent-bn-torch.txt', r.out);
});

test('estimate --backend wasm: TensorFlow.js\'s counts, labelled, with PyTorch\'s beside', async () => {
  const r = await cli(['estimate', recurrentBn, '--backend', 'wasm']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^lstm +4 +\[32\] +5,248 /m);
  assert.match(r.out, /^batchnorm +5 +\[32\] +128 /m);
  assert.match(r.out, /^Trained by: +TensorFlow.js \(--backend wasm\)$/m);
  assert.match(r.out, /^Total params: +5,508 \(5.51 K\) — TensorFlow.js: batch-norm statistics are non-trainable params$/m);
  assert.match(r.out, /^Trainable params: +5,444$/m);
  assert.match(r.out, /^Non-trainable params: 64$/m);
  assert.match(r.out, /^PyTorch counts: +5,572 parameters\(\) \+ 64 buffers: two bias vectors per recurrent gate, batch-norm statistics as buffers$/m);
  golden('estimate-recurrent-bn-wasm.txt', r.out);
});

test('estimate --json: params follow the engine; both engines\' counts, exact', async () => {
  const torch = JSON.parse((await cli(['estimate', recurrentBn, '--json', '--backend', 'torch'])).out).models[0];
  assert.equal(torch.engine, 'torch');
  assert.equal(torch.paramsConvention, 'PyTorch: parameters(); batch-norm statistics are buffers');
  assert.deepEqual(torch.params, { trainable: TORCH.params, nonTrainable: 0, total: TORCH.params });
  assert.deepEqual(torch.paramsByEngine, { tfjs: TFJS, torch: TORCH });
  assert.deepEqual(
    torch.layers.map((l: { params: number }) => l.params),
    [5376, 64, 132],
  );
  assert.deepEqual(torch.layers[1].paramsByEngine, { tfjs: { trainable: 64, nonTrainable: 64, total: 128 }, torch: { params: 64, buffers: 64 } });
  // PyTorch's weights are its parameters and buffers, fp32.
  assert.equal(torch.memory.weightsFp32Bytes, (TORCH.params + TORCH.buffers) * 4);
  const tfjs = JSON.parse((await cli(['estimate', recurrentBn, '--json', '--backend', 'cpu'])).out).models[0];
  assert.equal(tfjs.engine, 'tfjs');
  assert.equal(tfjs.paramsConvention, 'TensorFlow.js: batch-norm statistics are non-trainable params');
  assert.deepEqual(tfjs.params, TFJS);
  assert.deepEqual(tfjs.paramsByEngine, torch.paramsByEngine);
  assert.deepEqual(
    tfjs.layers.map((l: { params: number }) => l.params),
    [5248, 128, 132],
  );
  assert.equal(tfjs.memory.weightsFp32Bytes, TFJS.total * 4);
});

test('estimate under auto asks for PyTorch only where the engines count differently', async () => {
  const host = createNodeHost();
  const run = async (file: string, found: boolean) => {
    const asked: (string | undefined)[] = [];
    const search = async (python?: string): Promise<PythonSearch> => {
      asked.push(python);
      return found ? { found: { python: '/opt/py/bin/python3', pythonVersion: '3.11.2', torch: '2.3.0', cuda: [] }, tried: [], how: 'configured' } : { tried: [], how: 'search' };
    };
    const out: string[] = [];
    const code = await runEstimate({ file: join(ROOT, file), json: false, python: '/opt/py/bin/python3' }, host, { out: (t) => out.push(t), err: () => undefined }, search);
    return { code, out: out.join('\n'), asked };
  };
  const withTorch = await run(recurrentBn, true);
  assert.equal(withTorch.code, 0);
  assert.deepEqual(withTorch.asked, ['/opt/py/bin/python3'], 'the --python interpreter');
  assert.match(withTorch.out, /^Trained by: +PyTorch \(auto: PyTorch 2.3.0 in \/opt\/py\/bin\/python3\)$/m);
  assert.match(withTorch.out, /^Params: +5,572 /m);
  const without = await run(recurrentBn, false);
  assert.match(without.out, /^Trained by: +TensorFlow.js \(auto: no Python with PyTorch found\)$/m);
  assert.match(without.out, /^Total params: +5,508 /m);
  const lenet = await run('samples/lenet5.model', true);
  assert.deepEqual(lenet.asked, [], 'LeNet-5 counts the same in both: no search');
  assert.match(lenet.out, /^Total params: +61,706 \(61.7 K\) — the same in PyTorch and TensorFlow.js$/m);
});

test('estimate --backend takes the training backends only', async () => {
  const r = await cli(['estimate', recurrentBn, '--backend', 'gpu']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--backend must be auto, torch, node, wasm, cpu, not 'gpu'/);
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

test('estimate --json on iris: classical models get fit figures of their own, not adam, epochs and gradients (issue 14)', async () => {
  const r = await cli(['estimate', 'samples/iris.model', '--json']);
  const models = JSON.parse(r.out).models as { name: string; kind: string; memory: Record<string, unknown>; training: Record<string, unknown> }[];
  const classical = models.filter((m) => m.kind === 'classical');
  assert.deepEqual(classical.map((m) => m.name), ['IrisLogReg', 'IrisSVM', 'IrisTree', 'IrisForest']);
  for (const m of classical) {
    for (const key of ['estimator', 'samples', 'work', 'workUnit', 'workDetail', 'workUpperBound']) assert.ok(key in m.training, `${m.name}: training.${key}`);
    assert.ok(!('optimizer' in m.training) && !('epochs' in m.training) && !('gradientsBytes' in m.memory), m.name);
    assert.equal(m.training.samples, 120);
    assert.ok(typeof m.memory.fitBytes === 'number' && (m.memory.fitBytes as number) > 0, m.name);
  }
  // The SVM: 3 one-vs-one problems of 80 samples, each kernel matrix 80² values × 4 features.
  assert.equal(classical[1].training.work, 3 * 80 * 80 * 4);
  assert.equal(models[0].training.optimizer, 'adam', 'the MLP keeps its optimizer');
  const table = (await cli(['estimate', 'samples/iris.model', '--model', 'IrisSVM'])).out;
  assert.match(table, /^Fit memory: +≤ 12\.1 MiB = training data \(120 × 4 float32 \+ int32 labels\) 2\.34 KiB \+ /m);
});
