// Data files on disk: a source that is not a file says what it is; files read piece by
// piece (and in the background) give the same summary as the whole text; large files are
// summarised from samples that say so; training reads them piece by piece too.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import { loadTableFile, statSource, summarizeFileAsync, summarizeFileSync } from '../../../server/src/data/files';
import { createNodeHost } from '../../../server/src/data/nodeHost';
import { loadTable, summarizeTable, type TableFailure } from '../../../server/src/data/table';
import { mulberry32, type Random } from '../../../server/src/util/random';

const dir = mkdtempSync(join(tmpdir(), 'modelspec-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function failure(r: unknown): TableFailure['error'] {
  assert.ok(r && typeof r === 'object' && 'error' in r, `expected a failure, got ${JSON.stringify(r)?.slice(0, 200)}`);
  return (r as TableFailure).error;
}

test('a folder, a named pipe, a device and a symbolic link loop are each reported as what they are', () => {
  const folder = join(dir, 'folder.csv');
  mkdirSync(folder);
  writeFileSync(join(folder, 'train.csv'), 'a,label\n1,0\n');
  const folderError = failure(statSource(folder));
  assert.equal(folderError.code, 'dataset-not-file');
  assert.match(folderError.message, /folder\.csv is a folder, not a file\. Set source to a CSV file, such as "folder\.csv\/train\.csv" in it/);

  const pipe = join(dir, 'pipe.csv');
  execFileSync('mkfifo', [pipe]);
  const pipeError = failure(statSource(pipe));
  assert.equal(pipeError.code, 'dataset-not-file');
  assert.match(pipeError.message, /pipe\.csv is a named pipe \(FIFO\), not a file/);

  const device = failure(statSource('/dev/null'));
  assert.equal(device.code, 'dataset-not-file');
  assert.match(device.message, /^\/dev\/null is a device, not a file/);

  const loop = join(dir, 'loop.csv');
  symlinkSync(loop, loop);
  const loopError = failure(statSource(loop));
  assert.equal(loopError.code, 'dataset-not-file');
  assert.match(loopError.message, /loop\.csv is a symbolic link that leads back to itself/);

  assert.equal(statSource(join(dir, 'nothing.csv')), undefined, 'missing is not a failure: the checker says "not found"');
  // Training refuses them the same way and never opens the pipe (opening it would wait forever for a writer).
  assert.equal(failure(loadTableFile(pipe, { file: 'pipe.csv' })).code, 'dataset-not-file');
});

const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Rarely true: an unclosed quote swallows the rest of the file. */
const rarely = (r: Random) => r() < 0.05;

/** A CSV with the irregularities the reader handles: quotes (with line breaks), CRLF, blank lines, bad cells, ragged rows. */
function messyCsv(r: Random): string {
  const width = 2 + Math.floor(r() * 4);
  const rows = [Array.from({ length: width - 1 }, (_, c) => `f${c}`).concat('label').join(',')];
  const n = Math.floor(r() * 300);
  const odd = r() < 0.4 ? 0 : 0.08;
  for (let i = 0; i < n; i++) {
    if (r() < odd) rows.push(pick(r, ['', '   ', ' \t', '1,2', '1,2,3,4,5,6,7', '"a\nb",1', '"a\r\n\nb","c""\nd"', '"x""y",2,3', 'NA,1', '1e400,2', '1,', '5\'6",1', '1,"2"x', '"3"",\n""",1', rarely(r) ? '"never closed,1' : '2,3']));
    else rows.push([...Array.from({ length: width - 1 }, () => pick(r, [String(Math.floor(r() * 100)), (r() * 10).toFixed(3), '-1.5e3'])), pick(r, ['0', '1', '2', 'cat'])].join(','));
  }
  const eol = pick(r, ['\n', '\n', '\r\n', '\r']);
  return (r() < 0.1 ? '\uFEFF' : '') + rows.join(eol) + (r() < 0.7 ? eol : '');
}

test('read in chunks of any size, in the background, a file gives exactly the summary of its whole text', async () => {
  const r = mulberry32(1313);
  for (let k = 0; k < 150; k++) {
    const text = messyCsv(r);
    const path = join(dir, `messy-${k}.csv`);
    writeFileSync(path, text);
    const size = Buffer.byteLength(text);
    const opts = { file: 'messy.csv', target: r() < 0.2 ? 'f0' : undefined };
    const whole = summarizeTable(text, opts);
    for (const chunkBytes of [7, 64, 1000]) {
      assert.deepEqual(await summarizeFileAsync(path, opts, size, { chunkBytes }), whole, `text ${k}, chunks of ${chunkBytes}: ${JSON.stringify(text.slice(0, 200))}`);
    }
    assert.deepEqual(summarizeFileSync(path, opts, size), whole);
  }
});

test('training reads a large file piece by piece with exactly the numbers and refusals of the whole text', () => {
  const r = mulberry32(77);
  for (let k = 0; k < 60; k++) {
    const text = messyCsv(r);
    const path = join(dir, `load-${k}.csv`);
    writeFileSync(path, text);
    const opts = { file: 'load.csv' };
    const pieces = loadTableFile(path, opts, { sampleLimit: 0, chunkBytes: 50 });
    const whole = loadTable(text, opts);
    if ('error' in whole) assert.deepEqual(pieces, whole, JSON.stringify(text.slice(0, 200)));
    else {
      assert.ok(pieces && !('error' in pieces), JSON.stringify(pieces));
      assert.deepEqual({ ...pieces, x: Array.from(pieces.x), y: Array.from(pieces.y) }, { ...whole, x: Array.from(whole.x), y: Array.from(whole.y) });
    }
  }
});

test('a file over the sample limit is summarised from samples: every row counted, the rows read said, bad cells located by line', async () => {
  const lines = ['a,b,label'];
  for (let i = 0; i < 20_000; i++) lines.push(`${i % 100},${(i * 7) % 13},${i % 3}`);
  lines[5] = '4,x,1';
  lines[19_990] = '5,1e300,2';
  const path = join(dir, 'sampled.csv');
  const text = lines.join('\n') + '\n';
  writeFileSync(path, text);
  const tuning = { sampleLimit: 10_000, chunkBytes: 1000, sampleHead: 4000, sampleBudget: 20_000 };
  for (const s of [summarizeFileSync(path, { file: 'sampled.csv' }, Buffer.byteLength(text), tuning), await summarizeFileAsync(path, { file: 'sampled.csv' }, Buffer.byteLength(text), tuning)]) {
    assert.ok(!('error' in s), JSON.stringify(s));
    assert.equal(s.rows, 20_000, 'every record is counted');
    assert.ok(s.sampledRows! > 1000 && s.sampledRows! < 5000, `sampled ${s.sampledRows}`);
    assert.equal(s.labelCounts.reduce((a, b) => a + b, 0), s.sampledRows);
    assert.deepEqual(s.labels, ['0', '1', '2']);
    assert.deepEqual(s.nonNumeric.map((c) => [c.row, c.column, c.value]), [[6, 2, 'x']], 'a bad cell in the head, at its file line');
  }
  // Without sampling, the same reader finds both cells at their lines.
  const full = summarizeTable(text, { file: 'sampled.csv' });
  assert.ok(!('error' in full));
  assert.deepEqual(full.outOfRange.map((c) => [c.row, c.column]), [[19_991, 2]]);
});

test('a sampled summary says so in the checker: the rows are all counted, a single class seen in the sample is only a warning', () => {
  const lines = ['a,label'];
  for (let i = 0; i < 30_000; i++) lines.push(`${i},${i < 29_990 ? 1 : 2}`);
  const path = join(dir, 'mostly-one.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  // The real limits (32 MiB), through a host whose summary is sampled: a file this small is read whole.
  const exact = analyze('dataset D {\n  source: "mostly-one.csv"\n}\n', { file: join(dir, 'spec.model'), host: createNodeHost() });
  assert.equal(exact.datasets.get('D')!.sampledRows, undefined);
  assert.equal(exact.datasets.get('D')!.classes, 2);
  const sampled = summarizeFileSync(path, { file: 'mostly-one.csv' }, undefined, { sampleLimit: 1000, chunkBytes: 1000, sampleHead: 2000, sampleBudget: 4000 });
  assert.ok(!('error' in sampled));
  assert.deepEqual(sampled.labels, ['1']);
  const host = { dataTable: () => sampled, listDir: () => [] };
  const a = analyze('dataset D {\n  source: "mostly-one.csv"\n}\n', { file: join(dir, 'spec.model'), host });
  const d = a.datasets.get('D')!;
  assert.equal(d.rows, 30_000);
  assert.equal(d.sampledRows, sampled.sampledRows);
  const one = a.diagnostics.find((x) => x.code === 'dataset-classes')!;
  assert.equal(one.severity, 'warning', 'uncertain from a sample');
  assert.match(one.message, /every sampled row has the label "1"/);
});
