// Training through the language server: queued background runs with work-done progress,
// cancellation, refusal of specs with errors, comparisons, and runs listed from disk.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComparisonResult, ComparisonView, RunsResult, RunView } from '../../server/src/lsp/protocol';
import { fixtureUri, TestClient } from './client';

let client: TestClient;
let runsDir: string;
const spec = fixtureUri('train.model');

before(async () => {
  runsDir = mkdtempSync(join(tmpdir(), 'modelspec-lsp-runs-'));
  // The server's default engine (auto) is PyTorch where a Python has torch, as on CI.
  client = await TestClient.start({ settings: { runsDirectory: runsDir, training: { backend: 'torch' } }, workDoneProgress: true });
  await client.openFixture('train.model');
});
after(async () => {
  await client.stop();
  rmSync(runsDir, { recursive: true, force: true });
});

const execute = <R>(command: string, args: Record<string, unknown>, workDoneToken?: string) => client.executeCommand<R>(spec, command, args, workDoneToken);
const runChanges = (model: string) => client.runChanges(model);

test('a neural model trains in the background with progress on the client’s token, and its run is stored', async () => {
  const view = await execute<RunView>('modelspec.server.train', { model: 'QuickMLP' }, 'quick-1');
  assert.equal(view.status, 'completed');
  assert.equal(view.kind, 'neural');
  assert.equal(view.history.length, 3);
  assert.ok(view.result!.metrics.accuracy > 0.5, `accuracy ${view.result!.metrics.accuracy}`);
  assert.ok(view.runDir!.startsWith(runsDir), 'the runsDirectory setting is honoured');
  assert.ok(existsSync(join(view.runDir!, 'run.json')));
  assert.equal(view.backend, 'torch');
  assert.match(view.backendNote!, /^PyTorch \d+\.\d+\S* on cpu, \d+ threads?; Python /);
  assert.ok(existsSync(join(view.runDir!, 'project', 'model.py')), 'the run folder holds the exported project');
  assert.equal(view.result!.params.total, 67, 'PyTorch counts the same 67 parameters');
  assert.equal(view.estimates!.params.total, 67, '4·8+8 + 8·3+3');

  const progress = client.progress.filter((p) => p.token === 'quick-1').map((p) => p.value);
  assert.equal(progress[0].kind, 'begin');
  assert.equal(progress[0].title, 'Training QuickMLP');
  assert.equal(progress[0].cancellable, true);
  assert.equal(progress.at(-1)!.kind, 'end');
  const epochs = progress.filter((v) => v.message?.startsWith('epoch '));
  assert.deepEqual(epochs.map((v) => v.message!.split(' · ')[0]), ['epoch 1/3', 'epoch 2/3', 'epoch 3/3']);
  assert.equal(epochs.at(-1)!.percentage, 100);
  assert.equal(client.progressCreated.length, 0, 'no server-made progress when the client sent a token');

  // Every state change reached the views: queued → running → epochs → completed.
  const statuses = runChanges('QuickMLP').map((v) => v.status);
  assert.equal(statuses[0], 'queued');
  assert.ok(statuses.includes('running'));
  assert.equal(statuses.at(-1), 'completed');
  assert.ok(runChanges('QuickMLP').every((v) => v.key === view.key), 'one key for the run’s whole life');
});

test('a classical model trains, and the server creates progress when the client sent no token', async () => {
  const before = client.progressCreated.length;
  const view = await execute<RunView>('modelspec.server.train', { model: 'QuickLogReg' });
  assert.equal(view.status, 'completed');
  assert.equal(view.kind, 'classical');
  assert.equal(view.backend, 'classical');
  assert.ok(view.result!.metrics.accuracy > 0.8);
  assert.equal(view.result!.metrics.confusion.length, 3);
  assert.equal(client.progressCreated.length, before + 1);
  const token = client.progressCreated.at(-1)!;
  const values = client.progress.filter((p) => p.token === token).map((p) => p.value.kind);
  assert.equal(values[0], 'begin');
  assert.equal(values.at(-1), 'end');
});

test('runs queue one at a time; Cancel on the progress stops a running run, and a queued one before it starts', async () => {
  const created = client.progressCreated.length;
  const slow = execute<RunView>('modelspec.server.train', { model: 'SlowMLP' });
  await client.waitFor(() => runChanges('SlowMLP').some((v) => v.history.length >= 1), 'an epoch of SlowMLP', 60_000);
  const queued = execute<RunView>('modelspec.server.train', { model: 'QuickMLP', epochs: 1 });
  await client.waitFor(() => client.progressCreated.length >= created + 2, 'progress for the queued run', 10_000);
  const [slowToken, queuedToken] = client.progressCreated.slice(created);
  await client.waitFor(
    () => client.progress.some((p) => p.token === queuedToken && /queued: 1 run ahead/.test(p.value.message ?? '')),
    'the queued message',
    10_000,
  );
  await client.connection.sendNotification('window/workDoneProgress/cancel', { token: queuedToken });
  const q = await queued;
  assert.equal(q.status, 'cancelled');
  assert.match(q.error!, /before it started/);
  assert.equal(q.runDir, null);

  const t0 = Date.now();
  await client.connection.sendNotification('window/workDoneProgress/cancel', { token: slowToken });
  const s = await slow;
  assert.ok(Date.now() - t0 < 5000, `cancel took ${Date.now() - t0} ms`);
  assert.equal(s.status, 'cancelled');
  assert.ok(s.history.length >= 1 && s.history.length < 5000);
  const stored = JSON.parse(readFileSync(join(s.runDir!, 'run.json'), 'utf8'));
  assert.equal(stored.status, 'cancelled', 'what finished is kept on disk');
  assert.ok(client.alive);
});

test('a spec with errors is refused with the errors that block it; an unknown model gets a suggestion', async () => {
  await client.openFixture('problems.model');
  await assert.rejects(execute('modelspec.server.train', { uri: fixtureUri('problems.model'), model: 'Classes' }), (err: Error & { code?: number }) => {
    assert.match(err.message, /^Errors block training: problems\.model has \d+ errors?; fix (it|them) first:/);
    assert.match(err.message, /problems\.model:\d+:\d+ [a-z-]+ /);
    assert.equal(err.code, -32803, 'RequestFailed');
    return true;
  });
  await assert.rejects(execute('modelspec.server.train', { model: 'QuickMPL' }), /no model named 'QuickMPL'\. Did you mean 'QuickMLP'\?/);
  await assert.rejects(execute('modelspec.server.train', { model: 'QuickMLP', epochs: -1 }), /positive integer/);
  assert.ok(client.alive);
});

test('bad data is refused before any run starts, with the file:row:column of the cell and its code; the server stays up', async () => {
  // The checker and training refuse the same data (a text cell where a number belongs), so no run starts and fails on it.
  const uri = await client.openFixture('baddata.model');
  const runsBefore = runChanges('BadLogReg').length;
  await assert.rejects(
    client.request('workspace/executeCommand', { command: 'modelspec.server.train', arguments: [{ uri, model: 'BadLogReg' }] }),
    (err: Error & { code?: number }) => {
      assert.match(err.message, /^Errors block training: baddata\.model has 1 error; fix it first:/);
      assert.match(err.message, /baddata\.model:3:11 dataset-values data\/bad\.csv:3:2: row 3, column 2 \(b\) holds "x", which is not a number/);
      assert.equal(err.code, -32803);
      return true;
    },
  );
  assert.equal(runChanges('BadLogReg').length, runsBefore, 'no run was started');
  assert.ok(client.alive);
});

test('compare trains the compare list in one progress and stores the comparison', async () => {
  const result = await execute<ComparisonResult>('modelspec.server.compare', {}, 'cmp-1');
  assert.deepEqual(result.comparison.models, ['QuickMLP', 'QuickLogReg']);
  assert.equal(result.comparison.status, 'finished');
  assert.deepEqual(result.runs.map((r) => r.status), ['completed', 'completed']);
  assert.deepEqual(result.comparison.runs, result.runs.map((r) => r.key));
  const messages = client.progress.filter((p) => p.token === 'cmp-1').map((p) => p.value.message ?? '');
  assert.ok(messages.some((m) => m.startsWith('[1/2] QuickMLP: epoch')));
  assert.ok(messages.some((m) => m.startsWith('[2/2] QuickLogReg')));
  const file = readdirSync(runsDir).find((n) => n.startsWith('comparison-'));
  assert.ok(file, 'comparison stored');
  const stored = JSON.parse(readFileSync(join(runsDir, file!), 'utf8')) as ComparisonView;
  assert.deepEqual(stored.runs, result.runs.map((r) => r.runDir), 'on disk a run is its folder');
});

test('modelspec/runs lists this session’s runs newest first, and a new server finds them on disk', async () => {
  const listed = await client.request<RunsResult>('modelspec/runs', null);
  const models = listed.runs.map((r) => r.model);
  assert.ok(models.length >= 6, models.join(','));
  assert.equal(listed.runs[0].model, 'QuickLogReg', 'the comparison’s last run is the newest');
  assert.ok(listed.comparisons.length >= 1);

  const fresh = await TestClient.start({ settings: { runsDirectory: runsDir } });
  try {
    await fresh.openFixture('train.model');
    const again = await fresh.request<RunsResult>('modelspec/runs', null);
    const stored = listed.runs.filter((r) => r.runDir !== null);
    assert.deepEqual(new Set(again.runs.map((r) => r.runDir)), new Set(stored.map((r) => r.runDir)));
    const cancelled = again.runs.find((r) => r.model === 'SlowMLP')!;
    assert.equal(cancelled.status, 'cancelled');
    assert.ok(cancelled.history.length >= 1, 'history.csv is read back');
    const completed = again.runs.find((r) => r.model === 'QuickLogReg' && r.status === 'completed')!;
    assert.ok(completed.result!.metrics.accuracy > 0.8);
    assert.equal(again.comparisons[0].runs.length, 2);
    assert.ok(again.comparisons[0].runs.every((k) => again.runs.some((r) => r.key === k)), 'comparison runs resolve to listed runs');
  } finally {
    await fresh.stop();
  }
});
