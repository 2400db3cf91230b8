// The built CLI on unbounded input: an expression of 100,000 terms (no stack overflow, exit
// 70), and a garbage file (a bounded list of problems with their total, not hundreds of MB).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { mulberry32 } from '../../server/src/util/random';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'dist/cli.js');
const TERMS = 100_000;

function cli(args: string[]) {
  assert.ok(existsSync(BIN), 'npm run build first');
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
}

function write(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'modelspec-limits-')), name);
  writeFileSync(path, text);
  return path;
}

test(`check and estimate: dense(1+1+…+1) with ${TERMS.toLocaleString('en-US')} terms`, () => {
  const terms = Array.from({ length: TERMS }, () => '1');
  const file = write('long.model', `model Long {\n  input: [4]\n  dense(${terms.join('+')})\n  dense(2 * ${terms.join(' * ')}, activation: softmax)\n}\n`);
  const check = cli(['check', file]);
  assert.equal(check.status, 0, check.stderr.slice(0, 2000));
  assert.match(check.stdout, /1 file checked: no problems/);
  const estimate = cli(['estimate', file]);
  assert.equal(estimate.status, 0, estimate.stderr.slice(0, 2000));
  // dense(100,000) on [4], then dense(2): 4·100,000 + 100,000 + 100,000·2 + 2 parameters.
  assert.match(estimate.stdout, /dense +3 +\[100000\] +500,000 /);
  assert.match(estimate.stdout, /Total params: +700,002 /);
});

/** About 1 MB of random characters that lex: each line has several problems. */
function garbage(bytes: number): string {
  const next = mulberry32(13);
  const chars = 'abcdefghij(),:[]{}0123456789 +-=\n\n';
  let s = '';
  while (s.length < bytes) s += chars[Math.floor(next() * chars.length)];
  return s;
}

test('check of a garbage file: at most 1,000 problems, then how many more; the summary counts them all', () => {
  const file = write('garbage.model', garbage(1 << 20));
  const r = cli(['check', file]);
  assert.equal(r.status, 1);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 1_000 + 2, 'the problems shown, the note, the summary');
  const note = lines.at(-2)!;
  const more = /^.*garbage\.model:\d+:\d+ error too-many-problems ([\d,]+) more problems not shown: only 1,000 of ([\d,]+) /.exec(note);
  assert.ok(more, note);
  const total = Number(more[2].replace(/,/g, ''));
  assert.equal(Number(more[1].replace(/,/g, '')), total - 1_000);
  assert.ok(total > 10_000, `${total} problems`);
  const summary = /^1 file checked: ([\d,]+) errors?(?:, ([\d,]+) warnings?)?$/.exec(lines.at(-1)!);
  assert.ok(summary, lines.at(-1));
  assert.equal(Number(summary[1].replace(/,/g, '')) + Number((summary[2] ?? '0').replace(/,/g, '')), total, 'every problem counted, not only the ones shown');
  assert.ok(r.stdout.length < 400_000, `${r.stdout.length} characters of output`);

  const json = cli(['check', file, '--json']);
  assert.equal(json.status, 1);
  assert.ok(json.stdout.length < 1_000_000, `${json.stdout.length} characters of JSON`);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.files[0].diagnostics.length, 1_001);
  assert.equal(doc.files[0].diagnostics[1_000].code, 'too-many-problems');
  assert.equal(doc.files[0].total, total, 'the number of problems found');
});

test('check --json of a file within the limit has no total (the documented shape is unchanged)', () => {
  const file = write('small.model', 'model M {\n  input: [4]\n  dense(3, activaton: relu)\n}\n');
  const doc = JSON.parse(cli(['check', file, '--json']).stdout);
  assert.deepEqual(Object.keys(doc.files[0]), ['file', 'diagnostics']);
});
