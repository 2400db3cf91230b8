// The training engine end to end: in-process runs, the trainer process with its protocol,
// cancellation, runs on disk, saved models loading back, and the CLI's train and compare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runTraining } from '../../server/src/training/train';
import { launchTrainer } from '../../server/src/training/launch';
import { evaluated, PROTOCOL_VERSION, type FromTrainer } from '../../server/src/training/protocol';
import { loadClassical } from '../../server/src/training/classical';
import { loadTimings } from '../../server/src/training/calibrationFile';
import { builtInTime } from '../../server/src/training/trainTime';
import { analyze } from '../../server/src/analysis/analyze';
import { createNodeHost } from '../../server/src/data/nodeHost';

const ROOT = resolve(__dirname, '../..');
const SPEC = join(__dirname, 'fixtures/small.model');
const runsDir = () => mkdtempSync(join(tmpdir(), 'modelspec-runs-'));

function request(model: string, extra: Record<string, unknown> = {}) {
  return { v: PROTOCOL_VERSION as typeof PROTOCOL_VERSION, type: 'train' as const, file: SPEC, model, runsDir: runsDir(), ...extra };
}

test('a classical model trains, is evaluated on the held-out split and stored as a run', async () => {
  const messages: FromTrainer[] = [];
  const r = await runTraining(request('LogReg'), { emit: (m) => messages.push(m), signal: new AbortController().signal });
  assert.ok(evaluated(r));
  assert.equal(r.status, 'completed');
  assert.ok(r.metrics.accuracy > 0.85, `accuracy ${r.metrics.accuracy}`);
  assert.equal(r.metrics.confusion.length, 3);
  assert.equal(r.metrics.perClass.reduce((s, c) => s + c.support, 0), 30);
  assert.equal(messages[0].type, 'start');
  for (const f of ['spec.model', 'run.json', 'model.json', 'history.csv']) assert.ok(existsSync(join(r.runDir, f)), f);
  const run = JSON.parse(readFileSync(join(r.runDir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'completed');
  assert.equal(run.result.metrics.accuracy, r.metrics.accuracy);
  assert.equal(run.estimates.params.total, 15);
  // The saved model predicts what the trained one did.
  const saved = JSON.parse(readFileSync(join(r.runDir, 'model.json'), 'utf8'));
  const engine = loadClassical(saved.model);
  assert.equal(engine.size().params, BigInt(r.params.total));
});

test('a neural model trains with progress per epoch, and its saved model gives the same predictions', async () => {
  const epochs: number[] = [];
  let startEstimate: number | undefined;
  const r = await runTraining(request('Mlp', { backend: 'wasm' }), {
    emit: (m) => {
      if (m.type === 'epoch') epochs.push(m.epoch);
      if (m.type === 'start') startEstimate = m.estimatedTrainMs;
    },
    signal: new AbortController().signal,
  });
  assert.deepEqual(epochs, Array.from({ length: 15 }, (_, i) => i + 1));
  assert.ok(evaluated(r));
  assert.ok(r.metrics.accuracy > 0.8, `accuracy ${r.metrics.accuracy}`);
  assert.equal(r.backend, 'wasm');
  // The editor's time estimate, announced at the start and kept in the result.
  assert.ok(r.estimatedTrainMs !== undefined && Number.isFinite(r.estimatedTrainMs) && r.estimatedTrainMs > 0, `estimatedTrainMs ${r.estimatedTrainMs}`);
  assert.equal(startEstimate, r.estimatedTrainMs);
  const model = analyze(readFileSync(SPEC, 'utf8'), { file: SPEC, host: createNodeHost() }).models.find((m) => m.name === 'Mlp')!;
  // The run's fit time is kept too, beside the built-in prediction for the epochs it ran: the editor's estimates scale by it.
  const [timed] = loadTimings(dirname(r.runDir)).runs;
  assert.equal(timed?.model, 'Mlp');
  assert.equal(timed.epochs, r.epochsRun);
  assert.equal(timed.measuredMs, r.trainMs);
  assert.equal(timed.builtInMs, builtInTime(model, r.epochsRun)!.ms);
  const history = readFileSync(join(r.runDir, 'history.csv'), 'utf8').trim().split('\n');
  assert.equal(history.length, 16);
  assert.match(history[0], /^epoch,loss,accuracy,val_loss,val_accuracy/);

  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const manifest = JSON.parse(readFileSync(join(r.runDir, 'model.json'), 'utf8'));
  const weights = readFileSync(join(r.runDir, 'weights.bin'));
  const loaded = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs: manifest.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
  );
  assert.equal(loaded.countParams(), Number(r.params.total));
  const x = tf.tensor2d([[0.1, -0.2, 0.3, 0.4]]);
  const a = (loaded.predict(x) as import('@tensorflow/tfjs').Tensor).dataSync();
  assert.equal(a.length, 3);
  assert.ok(Math.abs(a[0] + a[1] + a[2] - 1) < 1e-5, 'softmax output');
  assert.deepEqual(manifest.userDefinedMetadata.labels, ['0', '1', '2']);
});

test('the same seed gives the same run; early stopping ends a run before its epochs', async () => {
  const losses = async () => {
    const seen: number[] = [];
    await runTraining(request('Mlp', { backend: 'wasm', epochs: 3 }), { emit: (m) => m.type === 'epoch' && seen.push(m.loss), signal: new AbortController().signal });
    return seen;
  };
  assert.deepEqual(await losses(), await losses());
  const r = await runTraining(request('Patient', { backend: 'wasm' }), { emit: () => undefined, signal: new AbortController().signal });
  assert.equal(r.status, 'stopped-early');
  assert.ok(r.epochsRun < 300);
});

test('the trainer process streams versioned messages and ends with done', async () => {
  const seen: string[] = [];
  const handle = launchTrainer({ file: SPEC, model: 'Tree', runsDir: runsDir() }, (m) => seen.push(m.type));
  const end = await handle.done;
  assert.equal(end.type, 'done');
  assert.deepEqual(seen, ['start', 'done']);
});

test('cancel stops a long run within a second and keeps what finished', async () => {
  let started = 0;
  let startEstimate: number | undefined;
  let cancelledAt = 0;
  const handle = launchTrainer({ file: SPEC, model: 'Slow', runsDir: runsDir(), backend: 'wasm' }, (m) => {
    if (m.type === 'epoch' && !cancelledAt) {
      cancelledAt = Date.now();
      handle.cancel();
    }
    if (m.type === 'start') {
      started = Date.now();
      startEstimate = m.estimatedTrainMs;
    }
  });
  const end = await handle.done;
  assert.ok(started > 0);
  assert.equal(end.type, 'done');
  if (end.type !== 'done') return;
  assert.equal(end.result.status, 'cancelled');
  assert.ok(end.result.epochsRun >= 1 && end.result.epochsRun < 1000);
  // The result compares with the start's estimate cut to the epochs that ran, not the whole run's.
  const slow = analyze(readFileSync(SPEC, 'utf8'), { file: SPEC, host: createNodeHost() }).models.find((m) => m.name === 'Slow')!;
  const expected = (startEstimate! * builtInTime(slow, end.result.epochsRun)!.ms) / builtInTime(slow, slow.train.epochs)!.ms;
  assert.ok(end.result.estimatedTrainMs !== undefined && Math.abs(end.result.estimatedTrainMs - expected) <= 1e-9 * expected, `${end.result.estimatedTrainMs} vs ${expected}`);
  assert.ok(end.result.estimatedTrainMs < startEstimate!);
  assert.ok(Date.now() - cancelledAt < 5000, 'the process ended soon after cancel');
  const run = JSON.parse(readFileSync(join(end.result.runDir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'cancelled');
  assert.ok(existsSync(join(end.result.runDir, 'weights.bin')), 'the partly trained model is kept');
});

test('bad data is reported with the file, row and column, and the run fails cleanly', async () => {
  const handle = launchTrainer({ file: join(__dirname, 'fixtures/bad.model'), model: 'BadLogReg', runsDir: runsDir() }, () => undefined);
  const end = await handle.done;
  assert.equal(end.type, 'error');
  if (end.type !== 'error') return;
  assert.equal(end.reason, 'bad-data');
  assert.match(end.message, /bad\.csv/);
  assert.match(end.message, /row 3/i);
  assert.match(end.message, /column 2/i);
});

test('a spec with errors does not train and says which errors block it', async () => {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'train', join(ROOT, 'tests/cli/fixtures/broken.model'), '--model', 'Net'], { encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /error.*before training|block training|fix them before training/);
  assert.match(result.stderr, /unknown-argument/);
  // The trainer refuses it too (an editor may send an unsaved buffer), in the same words.
  const text = readFileSync(join(ROOT, 'tests/cli/fixtures/broken.model'), 'utf8');
  await assert.rejects(runTraining({ ...request('Net'), file: join(ROOT, 'tests/cli/fixtures/broken.model'), text }, { emit: () => undefined, signal: new AbortController().signal }), (err: Error & { reason?: string }) => {
    assert.equal(err.reason, 'bad-spec');
    assert.match(err.message, /^Errors block training: .*broken\.model has \d+ errors?; fix (it|them) first:\n  .*broken\.model:\d+:\d+ unknown-argument /);
    return true;
  });
});

test('modelspec train --json and compare --json print the documented fields', () => {
  assert.ok(existsSync(join(ROOT, 'dist/trainer.js')), 'npm run build first');
  const train = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'train', SPEC, '--model', 'Tree', '--json'], { encoding: 'utf8' });
  assert.equal(train.status, 0, train.stderr);
  const t = JSON.parse(train.stdout);
  for (const key of ['model', 'backend', 'metrics', 'trainMs', 'inferenceMsPerSample', 'params', 'runDir']) assert.ok(key in t, key);
  for (const key of ['accuracy', 'f1']) assert.ok(key in t.metrics, key);
  assert.deepEqual(Object.keys(t.params), ['trainable', 'nonTrainable', 'total']);

  const compare = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'compare', SPEC, '--epochs', '3', '--json'], { encoding: 'utf8' });
  assert.equal(compare.status, 0, compare.stderr);
  const c = JSON.parse(compare.stdout);
  assert.deepEqual(c.models.map((m: { name: string }) => m.name).sort(), ['LogReg', 'Mlp', 'Tree']);
  const accuracies = c.models.map((m: { metrics: { accuracy: number } }) => m.metrics.accuracy);
  assert.deepEqual(accuracies, [...accuracies].sort((a: number, b: number) => b - a), 'sorted by accuracy');
  for (const m of c.models) assert.ok(['neural', 'classical'].includes(m.kind));
});
