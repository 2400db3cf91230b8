// A data source that is a folder, a named pipe, a device or a loop of symbolic links is
// reported as what it is, by the checker and by training, never as "not found" with the
// same name offered as "did you mean"; a pipe or device is never opened.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import { createNodeHost } from '../../../server/src/data/nodeHost';
import { DataError, prepareDataset } from '../../../server/src/training/data/prepare';

const dir = mkdtempSync(join(tmpdir(), 'modelspec-nonfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'folder.csv'));
writeFileSync(join(dir, 'folder.csv', 'train.csv'), 'a,label\n1,0\n');
execFileSync('mkfifo', [join(dir, 'pipe.csv')]);
symlinkSync(join(dir, 'loop.csv'), join(dir, 'loop.csv'));

test('the checker names what a non-file source is, and never offers the same name as "did you mean"', () => {
  const host = createNodeHost();
  for (const [name, what] of [
    ['folder.csv', /is a folder, not a file/],
    ['pipe.csv', /is a named pipe/],
    ['loop.csv', /symbolic link that leads back to itself/],
  ] as const) {
    const a = analyze(`dataset D {\n  source: "${name}"\n}\n`, { file: join(dir, 'spec.model'), host });
    const data = a.diagnostics.filter((d) => d.code.startsWith('dataset-'));
    assert.deepEqual(data.map((d) => d.code), ['dataset-not-file'], `${name}: ${data.map((d) => d.message).join(' | ')}`);
    assert.match(data[0].message, what);
    assert.doesNotMatch(data[0].message, /not found|Did you mean/);
  }
  const dev = analyze('dataset D {\n  source: "/dev/zero"\n}\n', { file: join(dir, 'spec.model'), host });
  assert.deepEqual(dev.diagnostics.filter((d) => d.code.startsWith('dataset-')).map((d) => d.code), ['dataset-not-file']);
  // A real typo still gets its suggestion, never the name typed.
  writeFileSync(join(dir, 'iris.csv'), 'a,label\n1,0\n2,1\n');
  const typo = analyze('dataset D {\n  source: "irsi.csv"\n}\n', { file: join(dir, 'spec.model'), host });
  assert.match(typo.diagnostics.find((d) => d.code === 'dataset-missing-file')!.message, /Did you mean 'iris\.csv'\?/);
});


test('training refuses a folder, a device and a link loop the same way (a pipe is never opened)', () => {
  for (const [path, what] of [
    [join(dir, 'folder.csv'), /is a folder, not a file/],
    ['/dev/zero', /is a device, not a file/],
    [join(dir, 'loop.csv'), /symbolic link that leads back to itself/],
    [join(dir, 'pipe.csv'), /is a named pipe/],
  ] as const) {
    assert.throws(
      () => prepareDataset({ kind: 'csv', path, testSplit: 0.2, normalize: 'none', seed: 1 }),
      (err: unknown) => err instanceof DataError && what.test(err.message) && / \[dataset-not-file\]$/.test(err.message),
      path,
    );
  }
});
