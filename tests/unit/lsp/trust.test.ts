// The server's view of workspace trust (server/src/lsp/trust.ts): what the client's
// initializationOptions and modelspec/trustChanged mean, and who hears of a change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { initialTrust, Trust, trustOf } from '../../../server/src/lsp/trust';

test('a client that says nothing is trusted; one that says anything but true is not', () => {
  assert.equal(initialTrust(undefined), true);
  assert.equal(initialTrust({}), true);
  assert.equal(initialTrust({ trainCommand: 'x' }), true);
  assert.equal(initialTrust({ trusted: true }), true);
  assert.equal(initialTrust({ trusted: false }), false);
  assert.equal(initialTrust({ trusted: 'yes' }), false);
  assert.equal(initialTrust({ trusted: null }), false);
});

test('modelspec/trustChanged carries a boolean; anything else is no answer', () => {
  assert.equal(trustOf({ trusted: true }), true);
  assert.equal(trustOf({ trusted: false }), false);
  for (const bad of [null, undefined, 1, {}, { trusted: 'true' }]) assert.equal(trustOf(bad), undefined, JSON.stringify(bad));
});

test('listeners hear each change once, a failing one does not stop the others, and require refuses while untrusted', () => {
  const errors: string[] = [];
  const trust = new Trust({ info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) });
  assert.equal(trust.trusted, true);
  const heard: boolean[] = [];
  trust.onChange(() => {
    throw new Error('boom');
  });
  const listening = trust.onChange((t) => heard.push(t));
  trust.require('Training');
  trust.set(true);
  trust.set(false);
  trust.set(false);
  assert.deepEqual(heard, [false]);
  assert.equal(errors.length, 1);
  assert.throws(
    () => trust.require('Comparing models'),
    (err) => err instanceof ResponseError && err.code === LSPErrorCodes.RequestFailed && /^Comparing models reads data files and starts processes, so it needs a trusted workspace/.test(err.message),
  );
  listening.dispose();
  trust.set(true);
  assert.deepEqual(heard, [false]);
  trust.require('Training');
});
