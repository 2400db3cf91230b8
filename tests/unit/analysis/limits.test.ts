// Bounded output for unbounded input: at most MAX_DIAGNOSTICS problems per file, then one
// that says how many more there are; names and values echoed in messages are cut with "…".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, SMALL_CSV } from './memoryHost';
import { MAX_DIAGNOSTICS, MAX_MESSAGE } from '../../../server/src/analysis/diagnostics';
import { closestName } from '../../../server/src/util/suggest';
import { blockingErrorsMessage } from '../../../server/src/training/report';
import { analyzeSafely } from '../../../server/src/lsp/documents';
import type { Log } from '../../../server/src/lsp/log';
import type { AnalysisHost } from '../../../server/src/analysis/host';

const neural = (body: string, header = 'input: [4]') => `model M {\n  ${header}\n  ${body}\n}\n`;
const LONG = 'x'.repeat(100_000);

test(`more than ${MAX_DIAGNOSTICS} problems: the first ${MAX_DIAGNOSTICS} in order, then one saying how many more`, () => {
  const n = 5_000;
  // A valid model, then a line per unreadable character: one problem each.
  const a = run(neural('dense(3, activation: softmax)') + '§\n'.repeat(n));
  assert.equal(a.diagnostics.length, MAX_DIAGNOSTICS + 1);
  const shown = a.diagnostics.slice(0, MAX_DIAGNOSTICS);
  assert.ok(shown.every((d, i) => d.code === 'unexpected-character' && d.range.start.line === 4 + i));
  const last = a.diagnostics[MAX_DIAGNOSTICS];
  assert.equal(last.code, 'too-many-problems');
  assert.equal(last.severity, 'error');
  assert.match(last.message, /^4,000 more problems not shown: only 1,000 of 5,000 \(5,000 errors\) are listed, the most severe first\./);
  assert.deepEqual(last.data, { shown: MAX_DIAGNOSTICS, total: n, errors: n, warnings: 0, infos: 0 });
  // Where the first problem left out is, so the user can see where they continue.
  const at = { line: 4 + MAX_DIAGNOSTICS, character: 0 };
  assert.deepEqual(last.range, { start: at, end: at });
});

test('the note takes the severity of the worst problem it hides; exactly the limit needs no note', () => {
  const blocks = (k: number) => Array.from({ length: k }, (_, i) => `block B${i} {\n  dense(1)\n}\n`).join('') + neural('dense(3, activation: softmax)');
  const infos = run(blocks(MAX_DIAGNOSTICS + 500));
  const last = infos.diagnostics.at(-1)!;
  assert.equal(last.code, 'too-many-problems');
  assert.equal(last.severity, 'info', 'only unused blocks are left out');
  assert.match(last.message, /^500 more problems not shown\b/);
  // An error after them all is listed, not hidden behind a thousand notes.
  const withError = run(blocks(MAX_DIAGNOSTICS + 500) + 'model N {\n  input: [4]\n  densee(3)\n}\n');
  assert.equal(withError.diagnostics.length, MAX_DIAGNOSTICS + 1);
  assert.deepEqual(withError.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), ['unknown-layer']);
  assert.equal(withError.diagnostics.at(-2)!.code, 'unknown-layer', 'in position order, after the notes shown');
  assert.equal(withError.diagnostics.at(-1)!.severity, 'info');
  assert.match(withError.diagnostics.at(-1)!.message, /^501 more problems not shown/);
  const exact = run(blocks(MAX_DIAGNOSTICS));
  assert.equal(exact.diagnostics.length, MAX_DIAGNOSTICS);
  assert.ok(exact.diagnostics.every((d) => d.code === 'unused-declaration'));
});

function messageOf(text: string, code: string, files?: Record<string, string>): string {
  const d = run(text, files).diagnostics.find((x) => x.code === code);
  assert.ok(d, `no ${code} in ${run(text, files).diagnostics.map((x) => x.code).join(', ')}`);
  return d.message;
}

function assertCut(message: string, what: string, cut = /x…/): void {
  assert.ok(message.length < 400, `${what}: ${message.length} characters: ${message.slice(0, 200)}…`);
  assert.match(message, cut, `${what}: the long text is cut with "…"`);
}

test('long names and values echoed in messages are cut with "…"', () => {
  assertCut(messageOf(neural(`${LONG}(3)`), 'unknown-layer'), 'unknown layer');
  assertCut(messageOf(neural(`dense(3, ${LONG}: 2)`), 'unknown-argument'), 'unknown argument');
  assertCut(messageOf(neural(`dense(3, activation: ${LONG})`), 'unknown-value'), 'unknown value');
  assertCut(messageOf(neural('dense(3)', `input: [4]\n  ${LONG}: 3`), 'unknown-property'), 'unknown property');
  assertCut(messageOf(neural('dense(3)', `data: ${LONG}`), 'unknown-reference'), 'unknown dataset');
  assertCut(messageOf(`model ${LONG} {\n  dense(3)\n}\nmodel ${LONG} {\n  dense(3)\n}\n`, 'duplicate-declaration'), 'duplicate name');
  assertCut(messageOf(`${neural('dense(3)')}compare ${LONG}\n`, 'unknown-reference'), 'unknown model');
  assertCut(messageOf(neural(`dense(${LONG}x)`), 'argument-type'), 'a name where a number belongs');
  assertCut(messageOf(neural(`dense(1${LONG})`), 'invalid-number'), 'a malformed number');
  assertCut(messageOf(neural(`dense(3) 1${'1'.repeat(100_000)}x`), 'invalid-number'), 'a malformed number after a layer', /1…/);
  assertCut(messageOf(neural(`dense(3) 1${'1'.repeat(100_000)}x`), 'syntax-error'), 'a number where a layer belongs', /found the number 1+…/);
  assertCut(messageOf(`block ${LONG} {\n  dense(1)\n}\n${neural('dense(3)')}`, 'unused-declaration'), 'unused block');
  assertCut(messageOf(`dataset D {\n  source: "${LONG}.csv"\n}\n${neural('dense(3)', 'data: D')}`, 'dataset-missing-file'), 'a missing file');
});

test('CSV header names, labels and cells echoed in messages are cut with "…"', () => {
  const header = `${LONG}a,${LONG}b,label`;
  const spec = (target?: string) => `dataset D {\n  source: "d.csv"${target ? `\n  target: "${target}"` : ''}\n}\n${neural('dense(3)', 'data: D')}`;
  assertCut(messageOf(spec(`${LONG}c`), 'dataset-target', { 'd.csv': `${header}\n1,2,0\n` }), 'a missing target column');
  assertCut(messageOf(spec(), 'dataset-values', { 'd.csv': `${header}\n1,${LONG},0\n2,3,1\n` }), 'a non-numeric cell');
  assertCut(messageOf(spec(), 'dataset-empty', { 'd.csv': `${header}\n` }), 'a header without rows');
});

test(`no message is longer than ${MAX_MESSAGE} characters`, () => {
  const dims = Array.from({ length: 5_000 }, () => '1').join(', ');
  const files = { 'd.csv': SMALL_CSV };
  const text = `dataset D {\n  source: "d.csv"\n}\n${neural('dense(3, activation: softmax)', `data: D\n  input: [${dims}, 3]`)}`;
  const a = run(text, files);
  const mismatch = a.diagnostics.find((d) => d.code === 'input-shape-mismatch');
  assert.ok(mismatch, a.diagnostics.map((d) => d.code).join(', '));
  assert.ok(mismatch.message.length <= MAX_MESSAGE, `${mismatch.message.length} characters`);
  assert.ok(mismatch.message.endsWith('…'));
  for (const d of a.diagnostics) assert.ok(d.message.length <= MAX_MESSAGE);
});

test('no "did you mean" for a name of 100,000 characters (the edit distance would take minutes)', () => {
  assert.equal(closestName(`${LONG}c`, [`${LONG}a`, `${LONG}b`, 'label']), undefined);
  assert.equal(closestName(LONG.toUpperCase(), ['a', LONG]), LONG, 'a case-insensitive exact match still wins');
  assert.equal(closestName('lable', ['label']), 'label');
});

test('the message that blocks training counts every error, not only those listed', () => {
  const a = run(neural('dense(3, activation: softmax)') + '§\n'.repeat(5_000));
  const errors = a.diagnostics.filter((d) => d.severity === 'error');
  const lines = blockingErrorsMessage('f.model', errors).split('\n');
  assert.equal(lines[0], 'Errors block training: f.model has 5,000 errors; fix them first:');
  assert.equal(lines[1], '  f.model:5:1 unexpected-character Unexpected character "§": names use letters, digits and \'_\', strings use double quotes.');
  assert.equal(lines.at(-1), '  … and 4,995 more');
});

test('when the checker fails, the syntax errors the server still shows are capped the same way', () => {
  const failing = {
    dataTable: () => {
      throw new Error('host broke');
    },
    listDir: () => [],
  } as unknown as AnalysisHost;
  const logged: string[] = [];
  const log = { info: () => {}, warn: () => {}, error: (m: string) => logged.push(m) } as unknown as Log;
  const text = 'dataset D {\n  source: "d.csv"\n}\n' + '§\n'.repeat(5_000);
  const a = analyzeSafely(text, '/work/project/spec.model', failing, log);
  assert.ok(logged.some((m) => m.startsWith('The checker failed')), logged.join('\n'));
  assert.equal(a.diagnostics.length, MAX_DIAGNOSTICS + 1);
  assert.deepEqual(a.diagnostics.slice(-2).map((d) => d.code), ['too-many-problems', 'internal-error']);
  assert.match(a.diagnostics.at(-2)!.message, /^4,001 more problems not shown/);
});
