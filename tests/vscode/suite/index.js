// Runs inside a real VS Code extension host (launched by @vscode/test-electron): opens
// the samples, waits for the Modelspec server's diagnostics and asks for a hover.
const assert = require('node:assert/strict');
const path = require('node:path');
const vscode = require('vscode');

async function waitFor(what, check, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

exports.run = async function run() {
  const samples = path.resolve(__dirname, '../../../samples');
  const lenet = await vscode.workspace.openTextDocument(path.join(samples, 'lenet5.model'));
  await vscode.window.showTextDocument(lenet);
  assert.equal(lenet.languageId, 'modelspec');

  const line = lenet.getText().split('\n').findIndex((l) => l.includes('conv2d'));
  const hovers = await waitFor('a hover', async () => {
    const h = await vscode.commands.executeCommand('vscode.executeHoverProvider', lenet.uri, new vscode.Position(line, 4));
    return h && h.length ? h : undefined;
  });
  const text = hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')).join('\n');
  assert.match(text, /\[28, 28, 6\]/);
  assert.match(text, /156/);

  const broken = await vscode.workspace.openTextDocument({ language: 'modelspec', content: 'model M {\n  input: [4]\n  dense(3, activaton: relu)\n}\n' });
  await vscode.window.showTextDocument(broken);
  const diags = await waitFor('diagnostics', () => {
    const d = vscode.languages.getDiagnostics(broken.uri);
    return d.length ? d : undefined;
  });
  assert.ok(diags.some((d) => /Did you mean 'activation'/.test(d.message)));
};
