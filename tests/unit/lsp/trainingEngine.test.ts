// Under modelspec.training.backend auto, which engine trains is found out in the
// background: requests never wait for the search, and show both counts until it answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/analysis/analyze';
import type { Range } from '../../../server/src/language/position';
import { DEFAULT_SETTINGS, type Settings } from '../../../server/src/lsp/config';
import { hover } from '../../../server/src/lsp/hover';
import { EngineTracker } from '../../../server/src/lsp/trainingEngine';
import type { PythonSearch } from '../../../server/src/training/torch/python';

const TEXT = 'model SeqNet {\n  input: [20, 8]\n  lstm(32)\n  batchnorm\n  dense(4)\n}\n';
const FOUND: PythonSearch = { found: { python: '/usr/bin/python3', pythonVersion: '3.11.2', torch: '2.3.0', cuda: [] }, tried: [], how: 'search' };
const NOT_FOUND: PythonSearch = { tried: [{ python: 'python3', why: 'cannot import torch' }], how: 'search' };
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A search that answers when the test says so, and records what it was asked. */
function controlledSearch() {
  const asked: (string | undefined)[] = [];
  const answers: ((s: PythonSearch) => void)[] = [];
  const search = (python: string | undefined) => {
    asked.push(python);
    return new Promise<PythonSearch>((resolve) => answers.push(resolve));
  };
  return { search, asked, answer: (i: number, s: PythonSearch) => answers[i](s) };
}

const training = (backend: Settings['training']['backend'], python = ''): Settings['training'] => ({ ...DEFAULT_SETTINGS.training, backend, python });

function modelHover(engine: ReturnType<EngineTracker['current']>): string {
  const analysis = analyze(TEXT, { file: '/virtual/seq.model' });
  const lines = TEXT.split('\n');
  const getText = (r: Range) => lines[r.start.line].slice(r.start.character, r.end.line === r.start.line ? r.end.character : undefined);
  const h = hover({ analysis, settings: DEFAULT_SETTINGS, engine, getText }, { line: 0, character: 8 });
  assert.ok(h && typeof h.contents === 'object' && 'value' in h.contents);
  return h.contents.value;
}

test('the hover answers while the search for PyTorch is still running, with both counts', async () => {
  const s = controlledSearch();
  let changes = 0;
  const tracker = new EngineTracker(s.search, () => changes++, silent);
  const pending = tracker.current(training('auto'));
  assert.equal(pending.engine, undefined);
  assert.deepEqual(s.asked, [undefined], 'one search, for the default interpreter');
  const before = modelHover(pending);
  assert.match(before, /\| Trained by \| not known yet \(auto: still looking for a Python with PyTorch\): PyTorch if found, else TensorFlow.js \|/);
  assert.match(before, /\| Parameters \| 5,572 \(PyTorch: parameters\(\); 64 batch-norm statistics are buffers\) or 5,508 \(TensorFlow.js: 5,444 trainable, 64 non-trainable\) \|/);

  s.answer(0, FOUND);
  await tracker.settled(training('auto'));
  assert.equal(changes, 1, 'the views are told once the answer changes the engine');
  const after = tracker.current(training('auto'));
  assert.deepEqual(after, { engine: 'torch', why: 'auto: PyTorch 2.3.0 in /usr/bin/python3', python: '/usr/bin/python3' }, 'the interpreter found is kept for runs');
  assert.match(modelHover(after), /\| Parameters \| 5,572 \(PyTorch: parameters\(\); 64 batch-norm statistics are buffers\) \|/);
  tracker.current(training('auto'));
  assert.equal(s.asked.length, 1, 'the same settings never search again');
});

test('a named backend needs no search; a changed python or backend searches again, and only the latest answer counts', async () => {
  const s = controlledSearch();
  const tracker = new EngineTracker(s.search, () => undefined, silent);
  assert.deepEqual(tracker.current(training('cpu')), { engine: 'tfjs', why: 'modelspec.training.backend: cpu' });
  assert.deepEqual(tracker.current(training('torch')), { engine: 'torch', why: 'modelspec.training.backend: torch' });
  assert.deepEqual(s.asked, []);

  tracker.update(training('auto', '/old/python3'));
  tracker.update(training('auto', '/new/python3'));
  assert.deepEqual(s.asked, ['/old/python3', '/new/python3']);
  s.answer(1, NOT_FOUND);
  s.answer(0, FOUND);
  const choice = await tracker.settled(training('auto', '/new/python3'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(choice, { engine: 'tfjs', why: 'auto: no Python with PyTorch found' });
  assert.deepEqual(tracker.current(training('auto', '/new/python3')), choice, 'the stale answer for /old/python3 is ignored');
});

test('while searching is not allowed (an untrusted workspace) auto stays unknown and no interpreter is asked; allowing it searches', async () => {
  const s = controlledSearch();
  let allowed = false;
  let changes = 0;
  const tracker = new EngineTracker(s.search, () => changes++, silent, () => allowed);
  assert.deepEqual(tracker.current(training('auto')), { why: 'auto: PyTorch is not looked for in an untrusted workspace' });
  assert.deepEqual(await tracker.settled(training('auto')), { why: 'auto: PyTorch is not looked for in an untrusted workspace' }, 'the estimate does not wait');
  assert.deepEqual(s.asked, []);
  assert.deepEqual(tracker.current(training('torch')), { engine: 'torch', why: 'modelspec.training.backend: torch' }, 'a named backend needs no search');

  allowed = true;
  tracker.update(training('auto'));
  assert.deepEqual(s.asked, [undefined]);
  s.answer(0, FOUND);
  assert.equal((await tracker.settled(training('auto'))).engine, 'torch');

  // Taken back: the answer found is forgotten, and the views are told.
  allowed = false;
  const before = changes;
  tracker.update(training('auto'));
  assert.equal(tracker.current(training('auto')).engine, undefined);
  assert.equal(changes, before + 1);
  assert.equal(s.asked.length, 1);
});
