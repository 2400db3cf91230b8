// The same server over node IPC (how VS Code starts it) as over stdio (how other editors do).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import type { Hover, InitializeResult } from 'vscode-languageserver-protocol';
import { fixtureText, fixtureUri, SERVER } from './client';

test('node IPC: initialize, open, hover, shutdown', async () => {
  const child = fork(SERVER, ['--node-ipc'], { silent: true, execArgv: [] });
  const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  connection.listen();
  try {
    const init = await connection.sendRequest<InitializeResult>('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    assert.equal(init.serverInfo?.name, 'modelspec-language-server');
    await connection.sendNotification('initialized', {});
    const uri = fixtureUri('lenet5.model');
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'modelspec', version: 1, text: fixtureText('lenet5.model') } });
    const hover = await connection.sendRequest<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 8 } });
    assert.match(typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '', /61,706/);
    await connection.sendRequest('shutdown');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await connection.sendNotification('exit');
    assert.equal(await exited, 0);
  } finally {
    connection.dispose();
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('a client without workspace/configuration gets the defaults', async () => {
  const child = fork(SERVER, ['--node-ipc'], { silent: true, execArgv: [] });
  const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  connection.listen();
  try {
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await connection.sendNotification('initialized', {});
    const uri = fixtureUri('lenet5.model');
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'modelspec', version: 1, text: fixtureText('lenet5.model') } });
    const hints = await connection.sendRequest<unknown[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } } });
    assert.equal(hints.length, 8, 'inlay hints on by default');
    const hover = await connection.sendRequest<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 8 } });
    assert.match(typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '', /NVIDIA T4 \(fp32\)/, 'default accelerators');
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
  } finally {
    connection.dispose();
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
