// Editing a .model file in VS Code: what the language server shows as the user types and
// points. These steps work in trusted and untrusted workspaces alike.
import assert from 'node:assert/strict';
import { step, type SessionRef } from './steps';

export function editingSteps(ref: SessionRef): void {
  step(ref, 'diagnostics: a misspelt layer is underlined, counted in Problems and explained on hover', async ({ page, workbench }) => {
    await workbench.openFile('broken.model');
    await page.locator('.part.editor .monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
    const problems = page.locator('[id="status.problems"]');
    await page.waitForFunction(() => document.querySelector('[id="status.problems"]')?.getAttribute('aria-label') === 'Errors: 1');
    assert.equal(await problems.getAttribute('aria-label'), 'Errors: 1');
    const message = await workbench.hover('denze(2', 'denze', /Unknown layer/);
    assert.match(message, /Unknown layer 'denze'\. Did you mean 'dense'\?/);
    assert.match(message, /unknown-layer/);
  });

  step(ref, 'hover on a conv layer of lenet5.model shows its shapes and params', async ({ workbench }) => {
    await workbench.openFile('lenet5.model');
    const first = await workbench.hover('conv2d(6, kernel: 5', 'conv2d', /params/);
    assert.match(first, /\[32, 32, 1\] → \[28, 28, 6\] · 156 params · 117,600 MACs/);
    const second = await workbench.hover('conv2d(16, kernel: 5', 'conv2d', /params/);
    assert.match(second, /\[14, 14, 6\] → \[10, 10, 16\] · 2,416 params/);
  });

  step(ref, 'completion offers layers inside a model', async (session) => {
    const { workbench, page } = session;
    await workbench.openFile('lenet5.model');
    await workbench.goToLine(session.lineOf('lenet5.model', 'flatten'));
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    const labels = await workbench.suggestionsAfterTyping('con');
    for (const layer of ['conv1d', 'conv2d']) assert.ok(labels.includes(layer), `${layer} in ${JSON.stringify(labels)}`);
    await session.shot('completion list');
    await page.keyboard.press('Escape');
    // Later steps read lenet5.model as it is on disk.
    await workbench.runCommand('File: Revert File');
    await page.locator('.part.editor .tabs-container .tab.active.dirty').waitFor({ state: 'detached' });
  });
}
