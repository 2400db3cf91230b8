// The torch engine end to end: a real trainer process that exports the model and runs its
// train.py in the Python that has PyTorch (scripts/install-test-deps.sh installs Debian's
// python3-torch). Digits, the exported project on its own, DDP on two processes, cancel,
// a trainer that dies, and the messages for a missing or failing Python.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { createNodeHost } from '../../server/src/data/nodeHost';
import { readNpy } from '../../server/src/export/npy';
import { prepareFor } from '../../server/src/training/data/prepare';
import { launchTrainer } from '../../server/src/training/launch';
import { evaluated, type DoneMessage, type ErrorMessage, type EvaluatedRun, type FromTrainer, type TrainRequest } from '../../server/src/training/protocol';
import { findTorchPython } from '../../server/src/training/torch/python';

const ROOT = resolve(__dirname, '../..');
const DIGITS = join(ROOT, 'samples/digits.model');
const SMALL = join(__dirname, 'fixtures/small.model');
const temp = (name: string) => mkdtempSync(join(tmpdir(), `modelspec-torch-${name}-`));
// Keep this suite's answers about Pythons out of the user's cache.
process.env.MODELSPEC_CACHE_DIR = temp('cache');

async function train(request: Omit<TrainRequest, 'v' | 'type'>, onMessage: (m: FromTrainer, cancel: () => void) => void = () => undefined): Promise<DoneMessage | ErrorMessage> {
  const handle = launchTrainer({ runsDir: temp('runs'), ...request }, (m) => onMessage(m, () => handle.cancel()));
  return handle.done;
}

function completed(end: DoneMessage | ErrorMessage): EvaluatedRun {
  assert.equal(end.type, 'done', end.type === 'error' ? end.message : '');
  const { result } = end as DoneMessage;
  assert.ok(evaluated(result), `${result.status} without a model to evaluate`);
  return result;
}

async function torchPython(): Promise<string> {
  const search = await findTorchPython();
  assert.ok(search.found, `no Python with torch: ${JSON.stringify(search.tried)}`);
  return search.found.python;
}

test('digits: the CNN trains with PyTorch to ≥ 95%, the run records the engine, and its project reruns standalone to the same split and result', async () => {
  const starts: FromTrainer[] = [];
  const epochs: number[] = [];
  const result = completed(await train({ file: DIGITS, model: 'DigitsCNN', backend: 'torch' }, (m) => (m.type === 'start' ? starts.push(m) : m.type === 'epoch' && epochs.push(m.epoch))));
  assert.equal(result.backend, 'torch');
  assert.ok(result.metrics.accuracy >= 0.95, `accuracy ${result.metrics.accuracy}`);
  assert.equal(result.worldSize, 1);
  assert.match(result.device!, /^cpu, \d+ threads?$/);
  assert.match(result.torch!, /^\d+\.\d+/);
  assert.equal(result.params.total, 13_706, "PyTorch's own count, equal to the estimate");
  assert.deepEqual(epochs, Array.from({ length: result.epochsRun }, (_, i) => i + 1));
  const start = starts[0];
  assert.ok(start.type === 'start' && start.backend === 'torch' && start.device === result.device);

  const run = JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8'));
  assert.equal(run.status, result.status);
  assert.equal(run.backend, 'torch');
  assert.equal(run.device, result.device);
  assert.equal(run.torch, result.torch);
  assert.equal(run.worldSize, 1);
  for (const f of ['spec.model', 'history.csv', 'train.log', 'metrics.json', 'model.pt', 'predictions.npy', 'checkpoint.pt', 'project/model.py', 'project/data.py', 'project/train.py', 'project/README.md']) {
    assert.ok(existsSync(join(result.runDir, f)), f);
  }
  assert.equal(readFileSync(join(result.runDir, 'history.csv'), 'utf8').trim().split('\n').length, result.epochsRun + 1);

  // The project's data is Modelspec's own split: same test rows, same labels.
  const prepared = prepareFor(analyze(readFileSync(DIGITS, 'utf8'), { file: DIGITS, host: createNodeHost() }).models[0].dataset!);
  assert.deepEqual(readNpy(readFileSync(join(result.runDir, 'project/data/test_rows.npy'))).values, [...prepared.testIndex]);
  assert.deepEqual(readNpy(readFileSync(join(result.runDir, 'project/data/y_test.npy'))).values, [...prepared.test.y]);

  // Run outside Modelspec, as a user would: the same result within a point.
  const out = temp('standalone');
  const standalone = spawnSync(await torchPython(), ['train.py', '--out', out], { cwd: join(result.runDir, 'project'), encoding: 'utf8' });
  assert.equal(standalone.status, 0, standalone.stderr);
  assert.match(standalone.stdout, /^epoch 1\/30 +loss /m);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.ok(Math.abs(metrics.accuracy - result.metrics.accuracy) <= 0.01, `standalone ${metrics.accuracy} vs ${result.metrics.accuracy}`);
  assert.deepEqual(Object.keys(metrics).slice(0, 11), ['status', 'accuracy', 'f1', 'params', 'buffers', 'trainMs', 'epochs', 'device', 'worldSize', 'torch', 'precision']);
  assert.ok(Math.abs(metrics.f1 - result.metrics.f1) <= 0.01, 'macro F1 computed alike in Python and Modelspec');

  // A checkpoint after every epoch; --resume carries on from it.
  const python = await torchPython();
  const project = join(result.runDir, 'project');
  const resumed = temp('resume');
  const run2 = (args: string[]) => spawnSync(python, ['train.py', '--out', resumed, ...args], { cwd: project, encoding: 'utf8' });
  assert.equal(run2(['--epochs', '2']).status, 0);
  const second = run2(['--epochs', '3', '--resume']);
  assert.equal(second.status, 0, second.stderr);
  assert.doesNotMatch(second.stdout, /^epoch [12]\/3 /m, 'resumed after epoch 2');
  assert.match(second.stdout, /^epoch 3\/3 /m);
  assert.deepEqual(JSON.parse(readFileSync(join(resumed, 'metrics.json'), 'utf8')).history.map((h: { epoch: number }) => h.epoch), [1, 2, 3]);
  // Mixed precision: bf16 runs on a CPU; fp16 needs CUDA and says so.
  const bf16 = spawnSync(python, ['train.py', '--out', temp('bf16'), '--epochs', '1', '--precision', 'bf16'], { cwd: project, encoding: 'utf8' });
  assert.equal(bf16.status, 0, bf16.stderr);
  const fp16 = spawnSync(python, ['train.py', '--out', temp('fp16'), '--epochs', '1', '--precision', 'fp16', '--device', 'cpu'], { cwd: project, encoding: 'utf8' });
  assert.notEqual(fp16.status, 0);
  assert.match(fp16.stderr, /--precision fp16 needs a CUDA device; on a CPU use bf16/);
});

test('DDP: --nproc 2 trains the digits MLP on two gloo processes; loss falls and the result is within a point of one process', async () => {
  const single = completed(await train({ file: DIGITS, model: 'DigitsMLP', backend: 'torch', epochs: 20 }));
  const losses: number[] = [];
  const double = completed(await train({ file: DIGITS, model: 'DigitsMLP', backend: 'torch', epochs: 20, nproc: 2 }, (m) => m.type === 'epoch' && losses.push(m.loss)));
  assert.equal(double.worldSize, 2);
  assert.match(double.backendNote!, /× 2 processes \(DistributedDataParallel\)/);
  assert.equal(losses.length, double.epochsRun);
  assert.ok(losses.at(-1)! < losses[0] / 2, `loss ${losses[0]} → ${losses.at(-1)}`);
  assert.ok(Math.abs(double.metrics.accuracy - single.metrics.accuracy) <= 0.01, `2 processes ${double.metrics.accuracy} vs 1: ${single.metrics.accuracy}`);
  const metrics = JSON.parse(readFileSync(join(double.runDir, 'metrics.json'), 'utf8'));
  assert.equal(metrics.worldSize, 2);
});

test('cancel stops a torch run within a second of the next batch and keeps what finished', async () => {
  let cancelledAt = 0;
  const end = await train({ file: SMALL, model: 'Slow', backend: 'torch' }, (m, cancel) => {
    if (m.type === 'epoch' && !cancelledAt) {
      cancelledAt = Date.now();
      cancel();
    }
  });
  const result = completed(end);
  assert.equal(result.status, 'cancelled');
  assert.ok(Date.now() - cancelledAt < 3000, `ended ${Date.now() - cancelledAt} ms after cancel`);
  assert.ok(result.epochsRun >= 1 && result.epochsRun < 1000);
  assert.ok(existsSync(join(result.runDir, 'model.pt')), 'the partly trained model is kept');
  assert.equal(JSON.parse(readFileSync(join(result.runDir, 'metrics.json'), 'utf8')).status, 'cancelled');
});

test('a trainer that dies takes its Python with it: train.py stops, keeps its results and marks the run interrupted', async () => {
  const runsDir = temp('orphan');
  let runDir = '';
  let pid: number | undefined;
  const handle = launchTrainer({ file: SMALL, model: 'Slow', backend: 'torch', runsDir }, (m) => {
    if (m.type === 'start') runDir = m.runDir;
    if (m.type === 'epoch' && pid === undefined) {
      pid = handle.pid;
      process.kill(pid!, 'SIGKILL');
    }
  });
  await handle.done;
  assert.ok(runDir);
  const metricsFile = join(runDir, 'metrics.json');
  const deadline = Date.now() + 15_000;
  while (!existsSync(metricsFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const metrics = JSON.parse(readFileSync(metricsFile, 'utf8'));
  assert.equal(metrics.status, 'interrupted');
  assert.ok(existsSync(join(runDir, 'model.pt')));
  // Having written its results, the process exits (interpreter teardown takes a moment).
  const running = () => spawnSync('pgrep', ['-f', `train.py --out ${runDir}`], { encoding: 'utf8' }).stdout.trim();
  while (running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(running(), '', 'train.py is still running');
});

test('no Python with torch: --backend torch says what was tried and how to set it; auto falls back to TensorFlow.js and says why', async () => {
  const dir = temp('nopython');
  const python = join(dir, 'python3');
  writeFileSync(python, '#!/bin/sh\necho "Python 3.0 without torch" >&2\nexit 3\n');
  chmodSync(python, 0o755);
  const end = await train({ file: SMALL, model: 'Mlp', backend: 'torch', python });
  assert.equal(end.type, 'error');
  assert.equal((end as ErrorMessage).reason, 'no-engine');
  assert.match((end as ErrorMessage).message, new RegExp(`^The configured interpreter cannot train with PyTorch: ${python} \\(`));
  assert.match((end as ErrorMessage).message, /modelspec\.training\.python, --python PATH, or the environment variable MODELSPEC_PYTHON/);

  const fallback = completed(await train({ file: SMALL, model: 'Mlp', backend: 'auto', python, epochs: 2 }));
  assert.ok(['wasm', 'tensorflow', 'cpu'].includes(fallback.backend), fallback.backend);
  assert.match(fallback.backendNote!, /PyTorch not found \(.*python3: .*\), so TensorFlow\.js trains/);
});

test('a Python error in a run shows its last lines and the path of the full log', async () => {
  const dir = temp('failing');
  const python = join(dir, 'python');
  const real = await torchPython();
  // Answers Modelspec's question as the real Python, then fails as a broken run would.
  writeFileSync(python, `#!/bin/sh\nif [ "$1" = "-c" ]; then exec ${real} "$@"; fi\necho "loading data" >&2\necho "RuntimeError: simulated failure in the data loader" >&2\nexit 1\n`);
  chmodSync(python, 0o755);
  const end = await train({ file: SMALL, model: 'Mlp', backend: 'torch', python });
  assert.equal(end.type, 'error');
  const message = (end as ErrorMessage).message;
  assert.match(message, /train\.py stopped unexpectedly \(exit code 1\)/);
  assert.match(message, /Last lines of the log:\nloading data\nRuntimeError: simulated failure in the data loader/);
  const log = /Full log: (.*train\.log)$/.exec(message)?.[1];
  assert.ok(log && existsSync(log), message);

  // One of two DDP processes failing takes the other down at once (it would wait in the collective for 30 minutes).
  const half = join(dir, 'half-python');
  writeFileSync(half, `#!/bin/sh\nif [ "$1" = "-c" ]; then exec ${real} "$@"; fi\nif [ "$RANK" = "1" ]; then echo "rank 1 ran out of memory (simulated)" >&2; exit 3; fi\nexec ${real} "$@"\n`);
  chmodSync(half, 0o755);
  const started = Date.now();
  const split = await train({ file: SMALL, model: 'Mlp', backend: 'torch', python: half, nproc: 2 });
  assert.equal(split.type, 'error');
  assert.match((split as ErrorMessage).message, /^train\.py process 1 of 2 stopped unexpectedly \(exit code 3\)\./);
  assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);

  // An exception inside train.py arrives as its message, with the traceback from the log.
  const raising = join(dir, 'raising-python');
  const code = "import runpy, sys; sys.argv = sys.argv[1:]; import data; data.load_splits = lambda: 1 / 0; runpy.run_path('train.py', run_name='__main__')";
  writeFileSync(raising, `#!/bin/sh\nif [ "$1" = "-c" ]; then exec ${real} "$@"; fi\nexec ${real} -c "${code}" "$@"\n`);
  chmodSync(raising, 0o755);
  const raised = await train({ file: SMALL, model: 'Mlp', backend: 'torch', python: raising });
  assert.equal(raised.type, 'error');
  assert.match((raised as ErrorMessage).message, /^train\.py failed: ZeroDivisionError: division by zero\nLast lines of the log:\n(.*\n)*ZeroDivisionError: division by zero\nFull log: /);
});
