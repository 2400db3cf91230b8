// Memory admission in the language server (issue 13): train and compare refuse a model
// estimated above this machine's memory before queueing it, with data a client can offer
// "Train anyway" from; skipMemoryCheck trains anyway. Uses dist/ (npm run build).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemoryRefusalData, RunView } from '../../server/src/lsp/protocol';
import { fixtureUri, TestClient } from './client';

let client: TestClient;
let runsDir: string;
const spec = fixtureUri('huge.model');

before(async () => {
  runsDir = mkdtempSync(join(tmpdir(), 'modelspec-lsp-admission-'));
  client = await TestClient.start({ settings: { runsDirectory: runsDir, training: { backend: 'wasm' } }, workDoneProgress: true });
  await client.openFixture('huge.model');
});
after(async () => {
  await client.stop();
  rmSync(runsDir, { recursive: true, force: true });
});

const execute = <R>(command: string, args: Record<string, unknown>, workDoneToken?: string) => client.executeCommand<R>(spec, command, args, workDoneToken);
const runChanges = (model: string) => client.runChanges(model);

const HEADLINE = /^WideMLP needs about 2\.9\d TiB of memory to train with TensorFlow\.js, but this machine has [\d.]+ [KMGT]iB available \([\d.]+ [KMGT]iB in all\)\. Estimate 2\.91 TiB: activations 3\.81 MiB × batch 800,000 /;

test('train and compare refuse a model above the machine’s memory before queueing it, with the numbers and data for “Train anyway”', async () => {
  for (const [command, args] of [
    ['modelspec.server.train', { model: 'WideMLP' }],
    ['modelspec.server.compare', {}],
  ] as const) {
    await assert.rejects(execute(command, args), (err: Error & { code?: number; data?: MemoryRefusalData }) => {
      assert.equal(err.code, -32803, 'RequestFailed');
      assert.match(err.message, HEADLINE);
      assert.match(err.message, /To fit, lower batch_size to at most [\d,]+ \(batch_size: \d+ needs about/);
      assert.match(err.message, /To train anyway, send the command again with skipMemoryCheck: true \(VS Code: Train anyway\)\.$/);
      assert.equal(err.data?.reason, 'too-big');
      assert.deepEqual(err.data?.models, ['WideMLP']);
      assert.match(err.data!.message, HEADLINE);
      assert.doesNotMatch(err.data!.message, /skipMemoryCheck/, 'the client says how to override it its own way');
      return true;
    });
  }
  assert.deepEqual(runChanges('WideMLP'), [], 'no run was queued');
  assert.deepEqual(runChanges('SpiralsTree'), [], 'compare trained nothing');
  assert.deepEqual(readdirSync(runsDir), []);
  await assert.rejects(execute('modelspec.server.train', { model: 'WideMLP', skipMemoryCheck: 'yes' }), /skipMemoryCheck\?: boolean/);
  assert.ok(client.alive);
});

test('skipMemoryCheck: true trains it anyway (cancelled once it has started)', async () => {
  const created = client.progressCreated.length;
  const run = execute<RunView>('modelspec.server.train', { model: 'WideMLP', skipMemoryCheck: true });
  await client.waitFor(() => runChanges('WideMLP').some((v) => v.runDir !== null), 'the run to start', 60_000);
  await client.waitFor(() => client.progressCreated.length > created, 'its progress', 10_000);
  await client.connection.sendNotification('window/workDoneProgress/cancel', { token: client.progressCreated[created] });
  // Cancelled within its first step, or that step of 2.9 TiB failed: either way the trainer took it.
  const view = await run.catch((err: Error & { data?: { run?: RunView } }) => err.data?.run);
  assert.ok(view?.runDir, 'it has a run folder');
  assert.doesNotMatch(view.error ?? '', /needs about/);
  assert.ok(client.alive);
});
