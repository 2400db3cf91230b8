// Runs are never lost or misreported: large results arrive, a trainer whose parent dies
// stops and marks its run interrupted, no trainer outlives the CLI, Ctrl-C and signals give
// one set of statuses and exit codes, a crashed trainer's run is recorded as failed by
// whoever started it, and a run folder that cannot be made says why. Real trainer processes
// and real signals throughout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { launchTrainer } from '../../server/src/training/launch';
import { evaluated, type DoneMessage, type ErrorMessage, type FromTrainer, type TrainRequest } from '../../server/src/training/protocol';
import { mulberry32 } from '../../server/src/util/random';
import { alive } from '../processes';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const SMALL = join(__dirname, 'fixtures/small.model');
const temp = (name: string) => mkdtempSync(join(tmpdir(), `modelspec-lifecycle-${name}-`));

/** A spec beside a generated CSV: `rows` samples of `features` random values, labels from `label(i)`. */
function generated(name: string, rows: number, features: number, label: (i: number) => string, models: string): string {
  const dir = temp(name);
  const random = mulberry32(7);
  const lines = [[...Array.from({ length: features }, (_, f) => `f${f}`), 'label'].join(',')];
  for (let i = 0; i < rows; i++) lines.push([...Array.from({ length: features }, () => random().toFixed(4)), label(i)].join(','));
  writeFileSync(join(dir, 'data.csv'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'spec.model'), `dataset Data {\n  source: "data.csv"\n  test_split: 0.5\n}\n${models}\n`);
  return join(dir, 'spec.model');
}

/** Ten random classes over 4,000 rows of 30 features: a 300-tree forest grows full-depth trees for tens of seconds. */
const slowForest = () => generated('forest', 4000, 30, (i) => `c${i % 10}`, 'model SlowForest {\n  data: Data\n  random_forest(trees: 300, max_features: all)\n}');


async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function runJson(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
}

/** The one run folder a runs folder holds. */
function onlyRun(runsDir: string): string {
  const runs = readdirSync(runsDir).filter((n) => !n.endsWith('.json'));
  assert.equal(runs.length, 1, runs.join(', '));
  return join(runsDir, runs[0]);
}

/** Starts the stand-in parent (fixtures/parent.ts) and hands each message it prints to `on`. */
function parent(request: Omit<TrainRequest, 'v' | 'type'>, on: (m: FromTrainer | { type: 'pid'; pid: number }, child: ChildProcess) => void): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures/parent.ts'), JSON.stringify(request)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: child.stdout! }).on('line', (line) => on(JSON.parse(line), child));
  return child;
}

test('a result of any size arrives (600 classes), and run.json stays small: the full table and matrix get a file of their own', async () => {
  const spec = generated('classes', 1200, 2, (i) => `class-${i % 600}-${'x'.repeat(40)}`, 'model Tree {\n  data: Data\n  decision_tree(max_depth: 4)\n}');
  const handle = launchTrainer({ file: spec, model: 'Tree', runsDir: temp('runs') }, () => undefined);
  const end = await handle.done;
  assert.equal(end.type, 'done', end.type === 'error' ? end.message : '');
  const result = (end as DoneMessage).result;
  assert.ok(evaluated(result));
  assert.equal(result.status, 'completed');
  assert.equal(result.metrics.detail?.classes, 600);
  assert.deepEqual([result.metrics.perClass.length, result.metrics.confusion.length], [0, 0]);
  assert.equal(result.metrics.detail!.hardest.length, 10);
  assert.ok(result.metrics.detail!.confusions.every((c, i, all) => c.actual !== c.predicted && (i === 0 || all[i - 1].count >= c.count)));
  const full = JSON.parse(readFileSync(join(result.runDir, 'confusion.json'), 'utf8'));
  assert.deepEqual([full.classes, full.labels.length, full.perClass.length], [600, 600, 600]);
  // The matrix as its non-zero cells [actual, predicted, count]: every test sample once, and its diagonal agrees with each class's recall.
  const cells = full.confusion as [number, number, number][];
  assert.ok(cells.every(([t, p, n]) => Number.isInteger(t) && Number.isInteger(p) && t >= 0 && t < 600 && p >= 0 && p < 600 && n > 0));
  assert.equal(cells.reduce((sum, [, , n]) => sum + n, 0), 600, 'every test sample in the matrix');
  for (const [t, p, n] of cells) if (t === p) assert.equal(n, Math.round(full.perClass[t].recall * full.perClass[t].support));
  assert.ok(statSync(join(result.runDir, 'run.json')).size < 20_000, `run.json is ${statSync(join(result.runDir, 'run.json')).size} bytes`);
  const run = runJson(result.runDir) as { status: string; dataset: { classes: number; labels?: unknown } };
  assert.equal(run.status, 'completed');
  assert.deepEqual([run.dataset.classes, run.dataset.labels], [600, undefined], 'the labels are in confusion.json, not run.json');
});

test('the parent dies mid-epoch: the neural trainer stops, saves its weights and marks the run interrupted', async () => {
  const runsDir = temp('orphan-neural');
  let trainer = 0;
  await new Promise<void>((done) => {
    parent({ file: SMALL, model: 'Slow', backend: 'wasm', runsDir }, (m, child) => {
      if (m.type === 'pid') trainer = m.pid;
      if (m.type === 'epoch') {
        child.kill('SIGKILL');
        done();
      }
    });
  });
  await until('the orphaned trainer exits', 20_000, () => !alive(trainer));
  const run = onlyRun(runsDir);
  assert.equal(runJson(run).status, 'interrupted');
  assert.ok(existsSync(join(run, 'weights.bin')), 'what finished is kept');
});

test('the parent dies mid-fit: a classical trainer stops at once (the fit runs in a worker) and marks the run interrupted', async () => {
  const runsDir = temp('orphan-classical');
  let trainer = 0;
  await new Promise<void>((done) => {
    parent({ file: slowForest(), model: 'SlowForest', runsDir }, (m, child) => {
      if (m.type === 'pid') trainer = m.pid;
      if (m.type === 'start') setTimeout(() => (child.kill('SIGKILL'), done()), 500);
    });
  });
  const killed = Date.now();
  await until('the orphaned trainer exits', 5_000, () => !alive(trainer));
  assert.ok(Date.now() - killed < 5_000);
  assert.equal(runJson(onlyRun(runsDir)).status, 'interrupted');
});

test('cancelling a classical fit ends it as cancelled, not as a crash, and keeps no half-fitted model', async () => {
  let cancelledAt = 0;
  const handle = launchTrainer({ file: slowForest(), model: 'SlowForest', runsDir: temp('cancel-classical') }, (m) => {
    if (m.type === 'start') setTimeout(() => ((cancelledAt = Date.now()), handle.cancel()), 500);
  });
  const end = await handle.done;
  assert.equal(end.type, 'done', end.type === 'error' ? end.message : '');
  const result = (end as DoneMessage).result;
  assert.equal(result.status, 'cancelled');
  assert.equal(result.metrics, undefined);
  assert.ok(Date.now() - cancelledAt < 3_000, `ended ${Date.now() - cancelledAt} ms after cancel`);
  assert.equal(runJson(result.runDir).status, 'cancelled');
  assert.equal(existsSync(join(result.runDir, 'model.json')), false);
});

/** The CLI's trainer: its only child process. */
function childOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]);
}

/** Runs the CLI, sends `signal` once its stderr matches `after`, and returns how it ended and which trainer it had. */
async function cliStopped(args: string[], signal: NodeJS.Signals, after: RegExp): Promise<{ code: number | null; stderr: string; runDir: string; trainer: number }> {
  const runsDir = temp('cli');
  const child = spawn(process.execPath, [CLI, ...args, '--runs-dir', runsDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let trainer = 0;
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!trainer && after.test(stderr)) {
      trainer = childOf(child.pid!);
      child.kill(signal);
    }
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, stderr, runDir: onlyRun(runsDir), trainer };
}

test('Ctrl-C of modelspec train exits 130 and the run is cancelled, its weights kept', async () => {
  const r = await cliStopped(['train', SMALL, '--model', 'Slow', '--backend', 'wasm'], 'SIGINT', /^epoch 1\/1000/m);
  assert.equal(r.code, 130, r.stderr);
  assert.equal(runJson(r.runDir).status, 'cancelled');
  assert.ok(existsSync(join(r.runDir, 'weights.bin')));
  await until('the trainer exits', 5_000, () => !alive(r.trainer));
});

test('SIGTERM and SIGHUP of the CLI stop its trainer too (a classical fit included): 143 and 129, runs interrupted, no process left', async () => {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    const spec = slowForest();
    const r = await cliStopped(['train', spec, '--model', 'SlowForest'], signal, /training on classical/);
    assert.equal(r.code, code, `${signal}: ${r.stderr}`);
    assert.equal(runJson(r.runDir).status, 'interrupted', signal);
    assert.ok(r.trainer > 0);
    await until(`the trainer of a CLI stopped by ${signal} exits`, 5_000, () => !alive(r.trainer));
  }
});

test('a trainer that crashes is recorded as failed in run.json by the CLI, as by the server', async () => {
  const runsDir = temp('crash');
  const child = spawn(process.execPath, [CLI, 'train', SMALL, '--model', 'Slow', '--backend', 'wasm', '--runs-dir', runsDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let killed = false;
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!killed && /^epoch 1\/1000/m.test(stderr)) {
      killed = true;
      process.kill(childOf(child.pid!), 'SIGKILL');
    }
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.equal(code, 1, stderr);
  assert.match(stderr, /The trainer stopped unexpectedly \(signal SIGKILL\)/);
  const run = runJson(onlyRun(runsDir));
  assert.equal(run.status, 'failed');
  assert.match(String(run.error), /stopped unexpectedly/);
});

test('a runs folder that is a file, and a 300-character model name: a clear message, and a short folder name', async () => {
  const dir = temp('folders');
  const blocked = join(dir, 'runs');
  writeFileSync(blocked, 'not a folder');
  const end = await launchTrainer({ file: SMALL, model: 'Tree', runsDir: blocked }, () => undefined).done;
  assert.equal(end.type, 'error');
  assert.equal((end as ErrorMessage).reason, 'io');
  assert.match((end as ErrorMessage).message, /^Cannot create a run folder in .*runs: it is a file, not a folder; move the file or set modelspec\.runsDirectory \(or --runs-dir\) to a folder you can write to\.$/);

  const long = `M${'x'.repeat(299)}`;
  const spec = join(dir, 'long.model');
  writeFileSync(spec, readFileSync(SMALL, 'utf8').replace('model Tree {', `model ${long} {`).replace('compare Mlp, LogReg, Tree', ''));
  writeFileSync(join(dir, 'iris.csv'), readFileSync(join(__dirname, 'fixtures/iris.csv')));
  const runsDir = join(dir, 'ok');
  const done = await launchTrainer({ file: spec, model: long, runsDir }, () => undefined).done;
  assert.equal(done.type, 'done', done.type === 'error' ? done.message : '');
  const name = readdirSync(runsDir)[0];
  assert.ok(name.length < 120, name);
  assert.match(name, /-Mxxxx+-[0-9a-f]{8}$/);
});
