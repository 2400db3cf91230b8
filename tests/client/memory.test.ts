// "Train anyway" (issue 13): the bundled extension (dist/client.js, with fakeVscode.ts) and the
// real language server. A model estimated above this machine's memory is refused by the
// server; the extension shows the refusal in a modal with "Train anyway", which sends the
// command again with skipMemoryCheck; dismissing it sends nothing more.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeVscode, Uri } from './fakeVscode';
import { activateExtension, manifestDefaults, ROOT, waitFor, type ActiveExtension } from './harness';

// TensorFlow.js on wasm, whatever Python this machine has: the refusal names its engine.
const fake = createFakeVscode({ configuration: { ...manifestDefaults(), 'modelspec.training.backend': 'wasm' } });

let active: ActiveExtension | undefined;
let work: string;
let uri: string;

before(async () => {
  // A copy, so that the run "Train anyway" starts is stored in a folder the test removes.
  work = mkdtempSync(join(tmpdir(), 'modelspec-client-memory-'));
  copyFileSync(join(ROOT, 'tests/training/fixtures/huge.model'), join(work, 'huge.model'));
  uri = Uri.file(join(work, 'huge.model')).toString();
  active = await activateExtension(fake);
});

after(async () => {
  await active?.dispose();
  rmSync(work, { recursive: true, force: true });
});

const REFUSAL = /^WideMLP needs more memory than this machine has available\.$/;

test('a refused model gets a modal with the numbers and “Train anyway”; dismissing it trains nothing', async () => {
  const shown = fake.messages.length;
  const progress = fake.progress.length;
  fake.answer(REFUSAL, undefined);
  await fake.module.commands.executeCommand('modelspec.train', { uri, model: 'WideMLP' });
  const modal = fake.messages.slice(shown).find((m) => REFUSAL.test(m.text));
  assert.ok(modal, JSON.stringify(fake.messages.slice(shown)));
  assert.equal(modal.kind, 'warning');
  assert.equal(modal.modal, true);
  assert.deepEqual(modal.items, ['Train anyway']);
  assert.match(modal.detail ?? '', /^WideMLP needs about 2\.9\d TiB of memory to train with TensorFlow\.js, but this machine has [\d.]+ [KMGT]iB available/);
  assert.match(modal.detail ?? '', /To fit, lower batch_size to at most [\d,]+/);
  assert.doesNotMatch(modal.detail ?? '', /skipMemoryCheck/);
  assert.deepEqual(fake.progress.slice(progress), ['Training WideMLP'], 'no second request');
  assert.equal(fake.messages.slice(shown).filter((m) => m.kind === 'error').length, 0, 'a dismissed refusal is not also an error');

  // Compare: the same dialog, for the comparison.
  fake.answer(REFUSAL, undefined);
  await fake.module.commands.executeCommand('modelspec.compare', { uri });
  assert.ok(fake.messages.slice(shown).filter((m) => REFUSAL.test(m.text) && m.modal).length === 2);
});

test('“Train anyway” sends the command again with skipMemoryCheck, and the run starts', async () => {
  const progress = fake.progress.length;
  const logged = fake.output.length;
  fake.answer(REFUSAL, 'Train anyway');
  const done = fake.module.commands.executeCommand('modelspec.train', { uri, model: 'WideMLP' });
  await waitFor('the second request', () => fake.progress.length >= progress + 2);
  // The server logs the trainer's start: the refusal was skipped.
  await waitFor('the run to start', () => fake.output.slice(logged).some((line) => /Training WideMLP on wasm/.test(line)), 60_000);
  fake.cancelProgress();
  await done;
  assert.ok(existsSync(join(work, '.modelspec/runs')), 'its run folder');
});
