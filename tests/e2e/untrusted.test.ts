// A second session with Workspace Trust on and the workspace not trusted (restricted mode):
// editing and checking still work, training is refused with the reason.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { delay } from './processes';
import { step, useSession } from './steps';

const session = useSession({ name: 'untrusted', trusted: false });

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
