// A server that shuts down (a VS Code window closing) stops its trainers: each ends its
// step, keeps what finished and marks its run interrupted, and none outlives the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunView } from '../../server/src/lsp/protocol';
import { delay, fixtureUri, TestClient } from './client';
import { alive } from '../processes';


/** The pids of a process's children (Linux). */
function children(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

test('shutdown stops a running trainer: its run is interrupted with its weights kept, and the trainer is gone', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'modelspec-shutdown-'));
  const client = await TestClient.start({ settings: { runsDirectory: runsDir, training: { backend: 'wasm' } } });
  await client.openFixture('train.model');
  void client
    .request<RunView>('workspace/executeCommand', { command: 'modelspec.server.train', arguments: [{ uri: fixtureUri('train.model'), model: 'SlowMLP' }] })
    .catch(() => undefined);
  // The run is under way once an epoch has been reported.
  const deadline = Date.now() + 30_000;
  while (!client.notifications.some((n) => n.method === 'modelspec/runChanged' && (n.params as RunView).history.length > 0)) {
    assert.ok(Date.now() < deadline, 'no epoch within 30 s');
    await delay(50);
  }
  const trainers = children(client.process.pid!);
  assert.equal(trainers.length, 1, 'one trainer');
  await client.stop();
  const stopped = Date.now() + 15_000;
  while (alive(trainers[0]) && Date.now() < stopped) await delay(50);
  assert.equal(alive(trainers[0]), false, 'the trainer outlived the server');
  const [run] = readdirSync(runsDir).filter((n) => !n.endsWith('.json'));
  const record = JSON.parse(readFileSync(join(runsDir, run, 'run.json'), 'utf8'));
  assert.equal(record.status, 'interrupted');
  assert.ok(existsSync(join(runsDir, run, 'weights.bin')), 'what finished is kept');
});
