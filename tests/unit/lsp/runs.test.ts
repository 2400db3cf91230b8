import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunQueue } from '../../../server/src/lsp/runQueue';
import { runsFolders, specFolders } from '../../../server/src/lsp/runFolders';
import { comparisonsOnDisk, parseHistory, runsOnDisk } from '../../../server/src/lsp/runStore';
import { historyCsv } from '../../../server/src/training/runs';

test('the queue runs at most limit() at once, in order, and a waiting ticket can withdraw', async () => {
  let limit = 1;
  const q = new RunQueue(() => limit);
  const a = q.enter();
  const b = q.enter();
  const c = q.enter();
  const releaseA = await a.ready;
  assert.equal(q.active, 1);
  assert.equal(b.ahead(), 1, 'one running before it');
  assert.equal(c.ahead(), 2);
  assert.equal(c.withdraw(), true);
  assert.equal(c.withdraw(), false);
  limit = 2;
  releaseA();
  releaseA(); // a second release is ignored
  const releaseB = await b.ready;
  assert.equal(q.active, 1);
  const d = q.enter();
  const releaseD = await d.ready; // the raised limit lets it start beside B
  assert.equal(q.active, 2);
  releaseB();
  releaseD();
  assert.equal(q.active, 0);
  assert.equal(q.queued, 0);
});

test('history.csv reads back what runs.ts writes, empty cells as absent values', () => {
  const rows = [
    { epoch: 1, loss: 0.5, accuracy: 0.8, samplesPerSec: 100, elapsedMs: 10 },
    { epoch: 2, loss: 0.25, accuracy: 0.9, valLoss: 0.3, valAccuracy: 0.85, samplesPerSec: 120, elapsedMs: 20 },
  ];
  assert.deepEqual(parseHistory(historyCsv(rows)), rows);
  assert.deepEqual(parseHistory('epoch,loss\n'), []);
  assert.deepEqual(parseHistory('epoch,loss\nx,\n3,0.1\n'), [{ epoch: 3, loss: 0.1, samplesPerSec: 0, elapsedMs: 0 }]);
});

test('runs on disk: statuses, unreadable folders skipped, comparisons read back', () => {
  const root = mkdtempSync(join(tmpdir(), 'modelspec-runs-'));
  try {
    const runs = join(root, 'specs', '.modelspec', 'runs');
    const mk = (id: string, run: unknown) => {
      mkdirSync(join(runs, id), { recursive: true });
      writeFileSync(join(runs, id, 'run.json'), typeof run === 'string' ? run : JSON.stringify(run));
    };
    mk('2026-01-01-A', { model: 'A', kind: 'neural', status: 'completed', startedAt: '2026-01-01T00:00:00Z' });
    mk('2026-01-02-B', { model: 'B', kind: 'classical', status: 'running', startedAt: '2026-01-02T00:00:00Z' });
    mk('2026-01-03-C', '{ not json');
    writeFileSync(join(runs, '2026-01-01-A', 'history.csv'), 'epoch,loss\n1,0.5\n');
    writeFileSync(join(runs, 'comparison-x.json'), JSON.stringify({ id: 'x', spec: 's', createdAt: '2026-01-02T00:00:00Z', status: 'running', models: ['A', 'B'], runs: [join(runs, '2026-01-01-A'), null] }));
    writeFileSync(join(root, 'specs', 'a.model'), '');
    mkdirSync(join(root, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'x', 'b.model'), '');

    const folders = specFolders([root]);
    assert.deepEqual(folders, [join(root, 'specs')], 'node_modules is not searched');
    const dirs = runsFolders(folders, [join(root, 'specs', 'a.model')], '.modelspec/runs');
    assert.deepEqual(dirs, [runs]);
    const listed = runsOnDisk(dirs);
    assert.deepEqual(listed.map((r) => `${r.model}:${r.status}`), ['B:interrupted', 'A:completed'], 'a run.json still running belongs to a trainer that is gone');
    assert.equal(listed[1].history.length, 1);
    const [c] = comparisonsOnDisk(dirs);
    assert.equal(c.status, 'interrupted');
    assert.equal(c.runs[0], listed[1].key);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
