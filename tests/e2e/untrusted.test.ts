// A second session with Workspace Trust on and the workspace not trusted (restricted mode):
// editing and checking still work, training is refused with the reason, by the extension's
// command and by the language server's own command, which any extension (here a
// keybinding) can run.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { delay } from './processes';
import { step, useSession } from './steps';

/** Runs the server's train command directly, as another extension could. */
const SERVER_TRAIN_KEY = 'ctrl+alt+shift+y';
const session = useSession({
  name: 'untrusted',
  trusted: false,
  keybindings: (workspace) => [{ key: SERVER_TRAIN_KEY, command: 'modelspec.server.train', args: { uri: pathToFileURL(join(workspace, 'iris.model')).href, model: 'IrisLogReg' } }],
});

step(session, 'the workspace opens in restricted mode and hover still works', async ({ page, workbench }) => {
  await page.locator('[id="status.workspaceTrust"]').filter({ hasText: 'Restricted Mode' }).waitFor();
  await workbench.openFile('lenet5.model');
  const hover = await workbench.hover('conv2d(6, kernel: 5', 'conv2d', /params/);
  assert.match(hover, /156 params/);
});

step(session, 'Train Model is refused in an untrusted workspace', async (s) => {
  const { workbench } = s;
  await workbench.openFile('iris.model');
  await workbench.goToLine(s.lineOf('iris.model', 'model IrisLogReg') + 1);
  await workbench.runCommand('Modelspec: Train Model');
  const refusal = await workbench.waitForNotification(/needs a trusted workspace/, 30_000, 'warning');
  assert.match(refusal.text, /Training/);
  // Give a wrongly started run the time to show itself.
  await delay(3000);
  const started = (await workbench.notifications()).filter((n) => /Training IrisLogReg|trained/.test(n.text));
  assert.deepEqual(started, []);
  assert.equal(existsSync(join(s.workspace, '.modelspec')), false, 'no run folder was created');
});

step(session, 'the language server’s own train command refuses too, whoever runs it', async (s) => {
  const { workbench, page } = s;
  await workbench.openFile('iris.model');
  await workbench.focusEditor();
  await page.keyboard.press('Control+Alt+Shift+KeyY'); // SERVER_TRAIN_KEY
  // vscode-languageclient reports the failed request, and writes the server's reason to the output.
  await workbench.waitForNotification(/Request workspace\/executeCommand failed/, 30_000, 'error');
  await workbench.toast(/Request workspace\/executeCommand failed/).getByRole('button', { name: 'Go to output' }).click();
  // \W+: the editor draws spaces as no-break spaces.
  const reason = /Message:\W+Training\W+reads\W+data\W+files\W+and\W+starts\W+processes,\W+so\W+it\W+needs\W+a\W+trusted\W+workspace/;
  await page.locator('.part.panel .monaco-editor .view-lines').filter({ hasText: reason }).waitFor({ timeout: 15_000 });
  await delay(3000);
  assert.equal(existsSync(join(s.workspace, '.modelspec')), false, 'no run folder was created');
  assert.deepEqual(await s.processes(/trainer\.js/), [], 'no trainer was started');
});
