// Terminal control characters from files (CSV labels and header names, strings in a .model
// file, paths) never reach the terminal raw: every command's output, human and JSON, the
// in-process entry point and the built binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main } from '../../server/src/cli/main';
import { renderResult } from '../../server/src/cli/train';
import { renderComparison } from '../../server/src/cli/compare';
import { fakeResult } from './fakeResult';

const ROOT = resolve(__dirname, '../..');
/** What a terminal acts on: C0 but line feed and tab, DEL, C1 (U+009B, CSI, among them). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function assertSafe(text: string, what: string): void {
  const m = CONTROL.exec(text);
  assert.equal(m, null, `${what} holds U+${m?.[0].charCodeAt(0).toString(16).padStart(4, '0')} raw at ${m?.index}: ${JSON.stringify(text.slice(Math.max(0, (m?.index ?? 0) - 40), (m?.index ?? 0) + 40))}`);
}

// Class labels that clear the screen, set the colour with a C1 CSI, retitle the window, and a
// NEL (U+0085); a header name with ESC and U+009B.
const LABELS = ['\x1b[2Jsetosa', '\u009b31mversicolor', 'vir\x1b]0;pwned\x07\u0085ginica'];
const HEADER = `sepal_length,se\x1b[1;1Hpal_width,pe\u009b2Jtal_length,petal_width,la\x1b[8mbel`;

/** A folder whose own name holds ESC and BEL (so run folders and export paths do too), with the data and a spec. */
function fixture(): { dir: string; spec: string } {
  const dir = mkdtempSync(join(tmpdir(), 'modelspec-esc-\x1b]0;t\x07-'));
  const rows = readFileSync(join(ROOT, 'tests/training/fixtures/iris.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
  const csv = [HEADER, ...rows.map((r) => r.replace(/,(\d)$/, (_, k: string) => `,"${LABELS[Number(k)]}"`))].join('\n') + '\n';
  writeFileSync(join(dir, 'data.csv'), csv);
  const spec = join(dir, 'spec.model');
  writeFileSync(
    spec,
    [
      'dataset Flowers {',
      '  source: "data.csv"',
      '  seed: 3',
      '}',
      'model Tree {',
      '  data: Flowers',
      '  decision_tree(max_depth: 3)',
      '}',
      'model LogReg {',
      '  data: Flowers',
      '  logistic_regression',
      '}',
      'compare Tree, LogReg',
      '',
    ].join('\n'),
  );
  return { dir, spec };
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('check: C1, U+009B and ESC in .model text and in CSV header names are escaped in messages', async () => {
  const { dir } = fixture();
  const bad = join(dir, 'bad.model');
  // An unexpected U+009B and ESC in a layer line; a data path with ESC; a CSV whose header names hold controls and a non-numeric cell.
  writeFileSync(join(dir, 'cells.csv'), `a\x1b[2J,b\u009b2J,label\n1,x\x1b[5m,0\n2,3,1\n`);
  writeFileSync(
    bad,
    'dataset Cells {\n  source: "cells.csv"\n}\ndataset Gone {\n  source: "gone\x1b]0;pwned\x07.csv"\n}\nmodel M {\n  data: Cells\n  dense(2) \u009b\x1b[2J\u0085\n}\nmodel N {\n  data: Gone\n  dense(2)\n}\n',
  );
  const r = await cli(['check', bad]);
  assert.equal(r.code, 1);
  assertSafe(r.out, 'check output');
  assert.match(r.out, /\\u009b/, 'U+009B shown as an escape');
  assert.match(r.out, /\\u001b\]0;pwned\\u0007/, 'the path with ESC and BEL shown escaped');
  const json = await cli(['check', bad, '--json']);
  assertSafe(json.out, 'check --json output');
  const messages: string[] = JSON.parse(json.out).files[0].diagnostics.map((d: { message: string }) => d.message);
  assert.ok(messages.some((m) => m.includes('\u009b')), 'JSON keeps the exact text, as a \\u escape');
});

test('estimate: errors quoting CSV header names reach stderr escaped', async () => {
  const { dir } = fixture();
  writeFileSync(join(dir, 'cells.csv'), `a\x1b[2J,b\u009b2J,label\n1,2,0\n2,3,1\n`);
  const spec = join(dir, 'target.model');
  writeFileSync(spec, 'dataset Cells {\n  source: "cells.csv"\n  target: "la\u009bbel"\n}\nmodel M {\n  data: Cells\n  dense(2)\n}\n');
  const r = await cli(['estimate', spec]);
  assert.equal(r.code, 1);
  assertSafe(r.err, 'estimate stderr');
  assertSafe(r.out, 'estimate stdout');
  assert.match(r.err, /a\\u001b\[2J/, 'the header name shown escaped');
});

test('export: the messages naming the folder are escaped', async () => {
  const { dir, spec } = fixture();
  const r = await cli(['export', spec, '--model', 'Tree', '--out', join(dir, 'out\x1b[2J\u009b')]);
  assert.equal(r.code, 0, r.err);
  assertSafe(r.out, 'export output');
  assert.match(r.out, /out\\u001b\[2J\\u009b/);
  assert.ok(existsSync(join(dir, 'out\x1b[2J\u009b')), 'the folder itself keeps its name');
});

test('train and compare (built binary): progress lines, result tables and run folders are escaped; JSON keeps the labels exactly', () => {
  const bin = join(ROOT, 'dist/cli.js');
  assert.ok(existsSync(bin), 'npm run build first');
  const { spec } = fixture();
  const train = spawnSync(process.execPath, [bin, 'train', spec, '--model', 'Tree'], { encoding: 'utf8' });
  assert.equal(train.status, 0, train.stderr);
  assertSafe(train.stdout, 'train stdout');
  assertSafe(train.stderr, 'train stderr');
  assert.match(train.stdout, /\n\\u001b\[2Js +1\.000/, 'a label shown escaped, cut to the column');
  assert.match(train.stderr, /\\u001b\]0;t\\u0007/, 'the run folder in the start line shown escaped');

  const json = spawnSync(process.execPath, [bin, 'train', spec, '--model', 'Tree', '--json'], { encoding: 'utf8' });
  assert.equal(json.status, 0, json.stderr);
  assertSafe(json.stdout, 'train --json stdout');
  const labels = JSON.parse(json.stdout).metrics.perClass.map((c: { label: string }) => c.label);
  assert.deepEqual([...labels].sort(), [...LABELS].sort());

  const compare = spawnSync(process.execPath, [bin, 'compare', spec], { encoding: 'utf8' });
  assert.equal(compare.status, 0, compare.stderr);
  assertSafe(compare.stdout, 'compare stdout');
  assertSafe(compare.stderr, 'compare stderr');
});

const result = (labels: readonly string[], confusion: number[][], model = 'Net') => fakeResult(labels, confusion, model, 0.5);

test('renderResult and renderComparison escape labels and names before aligning their columns', () => {
  const text = renderResult(result(['\x1b[2Ja', '\u009bb'], [[1, 2], [3, 4]]));
  const perClass = text.split('\n').filter((l) => /^\S.*\d\.\d{3} +\d\.\d{3}/.test(l));
  assert.deepEqual(perClass.map((l) => l.slice(0, 10)), ['\\u001b[2Ja', '\\u009bb   ']);
  assert.equal(new Set(perClass.map((l) => l.length)).size, 1, 'per-class rows line up');
  assertSafe(text.slice(text.indexOf('class ')), 'the per-class table and the confusion matrix');
  const table = renderComparison([result(['a'], [[1]], 'A\x1b[2J\u009b'), result(['a'], [[1]], 'Bee')] as unknown as Parameters<typeof renderComparison>[0]);
  assertSafe(table, 'renderComparison');
  const rows = table.split('\n').filter((l) => /^(A|Bee)/.test(l));
  assert.equal(rows.length, 2);
  assert.equal(rows[0].indexOf('neural'), rows[1].indexOf('neural'), 'the kind column lines up after an escaped name');
});
