// Workspace trust as the server knows it: `initializationOptions.trusted` and the
// `modelspec/trustChanged` notification. Untrusted, the server refuses to train or compare
// whoever asks (not only the extension's own commands), and starts no process at all (not
// even the background search for a Python with PyTorch); editing, checking and estimating
// keep working. A client that says nothing about trust (Neovim, Helix, ...) is trusted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import type { RunView } from '../../server/src/lsp/protocol';
import { delay, fixtureText, fixtureUri, positionOf, TestClient } from './client';

const spec = fixtureUri('train.model');
let work: string;
let runsDir: string;
let probed: string;
let python: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'modelspec-lsp-trust-'));
  runsDir = join(work, 'runs');
  probed = join(work, 'probed');
  // A "Python" that only leaves a mark: the server asking it whether it has torch is a
  // process started, which an untrusted workspace must not cause.
  python = join(work, 'python3');
  writeFileSync(python, `#!/bin/sh\ntouch '${probed}'\necho '{"python": "3.0.0", "error": "ModuleNotFoundError: no torch here"}'\n`);
  chmodSync(python, 0o755);
});
after(() => rmSync(work, { recursive: true, force: true }));

async function start(initializationOptions?: Record<string, unknown>): Promise<TestClient> {
  const client = await TestClient.start({ settings: { runsDirectory: runsDir, training: { backend: 'auto', python } }, initializationOptions });
  await client.openFixture('train.model');
  await client.openFixture('recurrent-bn.model');
  return client;
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; !check() && Date.now() < end; ) await delay(50);
  return check();
}

const execute = <R>(client: TestClient, command: string, args: Record<string, unknown> = {}) => client.executeCommand<R>(spec, command, args);

const runs = () => (existsSync(runsDir) ? readdirSync(runsDir) : []);

/** The hover of a model whose parameters PyTorch and TensorFlow.js count differently: it says which engine trains. */
async function modelHover(client: TestClient): Promise<string> {
  const h = await client.request<{ contents: { value: string } } | null>('textDocument/hover', {
    textDocument: { uri: fixtureUri('recurrent-bn.model') },
    position: positionOf(fixtureText('recurrent-bn.model'), 'model SeqNet', 7),
  });
  return h?.contents.value ?? '';
}

function assertRefused(err: unknown, what: RegExp): true {
  assert.ok(err instanceof ResponseError, String(err));
  assert.equal(err.code, LSPErrorCodes.RequestFailed);
  assert.match(err.message, what);
  assert.match(err.message, /needs a trusted workspace/);
  return true;
}

let untrusted: TestClient;
before(async () => {
  untrusted = await start({ trusted: false });
});
after(() => untrusted.stop());

test('untrusted: train and compare are refused with the reason, and nothing is trained', async () => {
  await assert.rejects(execute(untrusted, 'modelspec.server.train', { model: 'QuickLogReg' }), (err) => assertRefused(err, /^Training reads data files and starts processes/));
  await assert.rejects(execute(untrusted, 'modelspec.server.compare'), (err) => assertRefused(err, /^Comparing models reads data files and starts processes/));
  await delay(500);
  assert.deepEqual(runs(), [], 'no run folder');
  const listed = await untrusted.request<{ runs: RunView[] }>('modelspec/runs', {});
  assert.deepEqual(listed.runs, [], 'no run queued or started');
  assert.ok(untrusted.alive);
});

test('untrusted: checking and estimating still work, and no Python is asked about PyTorch', async () => {
  const estimate = await execute<string>(untrusted, 'modelspec.server.estimate', { model: 'QuickMLP' });
  assert.match(estimate, /QuickMLP/);
  const hover = await modelHover(untrusted);
  assert.match(hover, /Trained by \| not known yet \(auto: PyTorch is not looked for in an untrusted workspace\)/);
  assert.match(hover, /5,572 \(PyTorch: parameters\(\); 64 batch-norm statistics are buffers\) or 5,508 \(TensorFlow.js/, 'both counts');
  // Settings are in (the hover waited for them), so a search would have started by now.
  await delay(500);
  assert.equal(existsSync(probed), false, 'the interpreter was started');
});

test('modelspec/trustChanged { trusted: true } lifts the refusal, and the search for PyTorch starts', async () => {
  await untrusted.connection.sendNotification('modelspec/trustChanged', { trusted: true });
  assert.ok(await until(() => existsSync(probed), 10_000), 'PyTorch is looked for once trusted');
  const view = await execute<RunView>(untrusted, 'modelspec.server.train', { model: 'QuickLogReg' });
  assert.equal(view.status, 'completed');
  assert.ok(runs().length > 0);
});

test('a malformed modelspec/trustChanged is ignored; { trusted: false } refuses again', async () => {
  await untrusted.connection.sendNotification('modelspec/trustChanged', { trusted: 'no' });
  await untrusted.connection.sendNotification('modelspec/trustChanged', null);
  await untrusted.request('modelspec/runs', {}); // the notifications before it are handled
  assert.ok(untrusted.alive);
  await untrusted.connection.sendNotification('modelspec/trustChanged', { trusted: false });
  await assert.rejects(execute(untrusted, 'modelspec.server.train', { model: 'QuickLogReg' }), (err) => assertRefused(err, /^Training/));
});

test('a client that says nothing about trust (a plain LSP editor) may train', async () => {
  const client = await start();
  try {
    const view = await execute<RunView>(client, 'modelspec.server.train', { model: 'QuickLogReg' });
    assert.equal(view.status, 'completed');
  } finally {
    await client.stop();
  }
});
