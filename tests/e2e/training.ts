// Training from VS Code as a user does it: the palette commands, the progress notification
// with its Cancel button, the result notification, and the runs panel (a webview). Texts
// and test ids follow the panel contract (.scratch/panel-contract.md, issue 5).
import assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { delay } from './processes';
import type { Session } from './session';
import { step, type SessionRef } from './steps';

const PERCENT = /\d+(\.\d+)?\s?%/;
const IRIS_MODELS = ['IrisMLP', 'IrisLogReg', 'IrisSVM', 'IrisTree', 'IrisForest'];
const TRAINER = /dist\/trainer\.js/;

export function trainingSteps(ref: SessionRef): void {
  step(ref, 'a file with errors does not train, and the message names the errors', async (s) => {
    await trainModelAt(s, 'broken.model', 'denze(2');
    const refusal = await s.workbench.waitForNotification(/block training/, 30_000, 'error');
    assert.match(refusal.text, /Unknown layer 'denze'/);
    assert.deepEqual(await s.processes(TRAINER), [], 'no trainer was started');
  });

  step(ref, 'Train Model on IrisLogReg completes with progress and a success notification', async (s) => {
    await trainModelAt(s, 'iris.model', 'model IrisLogReg');
    await s.workbench.waitForNotification(/Training IrisLogReg/, 30_000);
    const done = await s.workbench.waitForNotification(/IrisLogReg trained: accuracy/, 90_000, 'info');
    assert.match(done.text, PERCENT);

    const page = await runPage(s, 'IrisLogReg');
    assert.match(await page.locator('[data-testid="metric-accuracy"]').innerText(), PERCENT);
    assert.match(await page.locator('[data-testid="metric-f1"]').innerText(), PERCENT);
    await page.locator('[data-testid="confusion"][data-rendered="true"]').waitFor();
    assert.equal(await page.locator('[data-testid="per-class"] tbody tr').count(), 3, 'a row per iris class');
    assert.notEqual((await page.locator('[data-testid="backend"]').innerText()).trim(), '');
    // A classical run has no epochs, so no curves.
    assert.equal(await page.locator('[data-testid="chart-loss"]').count(), 0);
  });

  step(ref, 'Train Model on IrisMLP (neural) reports each epoch and ends on its run page with curves and metrics', async (s) => {
    await trainModelAt(s, 'iris.model', 'model IrisMLP');
    const progress = await s.workbench.waitForNotification(/epoch \d+\/100/, 60_000);
    assert.match(progress.text, /loss \d/);
    await s.shot('IrisMLP progress');
    const done = await s.workbench.waitForNotification(/IrisMLP trained: accuracy/, 120_000, 'info');
    assert.match(done.text, PERCENT);
    assert.ok((await s.workbench.notifications()).some((n) => /Training IrisMLP/.test(n.text)), 'the progress notification is titled');

    const page = await runPage(s, 'IrisMLP');
    for (const chart of ['chart-loss', 'chart-accuracy', 'confusion']) {
      await page.locator(`[data-testid="${chart}"][data-rendered="true"]`).waitFor();
      // A drawn chart has a canvas or SVG with a real size.
      const box = await page.locator(`[data-testid="${chart}"]`).boundingBox();
      assert.ok(box && box.width > 50 && box.height > 50, `${chart} has a size: ${JSON.stringify(box)}`);
    }
    assert.match(await page.locator('[data-testid="metric-accuracy"]').innerText(), PERCENT);
    assert.match(await page.locator('[data-testid="metric-f1"]').innerText(), PERCENT);
    assert.equal(await page.locator('[data-testid="per-class"] tbody tr').count(), 3, 'a row per iris class');
    assert.match(await page.locator('[data-testid="estimate-vs-actual"]').innerText(), /131/, 'IrisMLP has 131 params');
    assert.notEqual((await page.locator('[data-testid="backend"]').innerText()).trim(), '');
    await page.locator('[data-testid="chart-loss"]').scrollIntoViewIfNeeded();
    await s.shot('IrisMLP curves');
  });

  step(ref, 'the runs panel lists both runs newest first and opens a run from the list', async (s) => {
    const panel = await runsList(s);
    const rows = await runRows(panel);
    assert.deepEqual(rows.map((r) => r.model), ['IrisMLP', 'IrisLogReg']);
    assert.match(rows[0].status, /^(completed|stopped-early)$/);
    assert.equal(rows[1].status, 'completed');
    await panel.locator('[data-testid="run-row"][data-model="IrisLogReg"]').click();
    await panel.locator('[data-testid="run-page"][data-model="IrisLogReg"] [data-testid="metric-accuracy"]').waitFor();
  });

  step(ref, 'Compare Models on iris.model fills the comparison table and its charts', async (s) => {
    await s.workbench.clearNotifications();
    await s.workbench.openFile('iris.model');
    await s.workbench.runCommand('Modelspec: Compare Models');
    await s.workbench.waitForNotification(/Comparing iris\.model/, 30_000);
    const panel = s.workbench.webview();
    const table = panel.locator('[data-testid="compare-page"] [data-testid="compare-table"]');
    await table.waitFor({ timeout: 60_000 });
    // The table fills in as the models finish.
    const rows = table.locator('tbody tr');
    await waitUntil(async () => (await rows.count()) >= IRIS_MODELS.length, 120_000, 'a row per model of the compare');
    const models = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-model')));
    assert.deepEqual([...models].sort(), [...IRIS_MODELS].sort());
    assert.match(await rows.first().innerText(), PERCENT);
    for (const chart of ['chart-scatter-params', 'chart-scatter-time']) {
      await panel.locator(`[data-testid="${chart}"][data-rendered="true"]`).waitFor();
    }
    await rows.first().scrollIntoViewIfNeeded();
    await s.shot('comparison table');
    await panel.locator('[data-testid="chart-scatter-params"]').scrollIntoViewIfNeeded();
  });

  step(ref, 'Cancel on the progress notification stops a long run', async (s) => {
    await s.workbench.clearNotifications();
    await trainModelAt(s, 'slow.model', 'model SlowSpirals');
    await s.workbench.waitForNotification(/epoch \d+\/500/, 60_000);
    assert.equal((await s.processes(TRAINER)).length, 1, 'one trainer is running');
    // The language server keeps answering while a run trains.
    assert.match(await s.workbench.hover('dense(128, activation: relu)', 'dense', /params/), /384 params/);
    await s.shot('long run in progress');
    // The progress toast, told from the notification about the cancelled run by its epochs.
    const progress = s.workbench.toast(/Training SlowSpirals.*epoch \d+\/500/);
    await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await s.workbench.waitForNotification(/cancelled/, 30_000, 'info');
    await progress.waitFor({ state: 'detached', timeout: 15_000 });
    await waitUntil(async () => (await s.processes(TRAINER)).length === 0, 15_000, 'the trainer process ends');

    const panel = await runsList(s);
    const rows = await runRows(panel);
    assert.deepEqual(rows[0], { model: 'SlowSpirals', status: 'cancelled' });
  });

  step(ref, 'after a window reload the runs panel lists the stored runs', async (s) => {
    const before = await runRows(await runsList(s));
    await s.page.reload();
    await s.workbench.ready();
    const panel = await runsList(s);
    await waitUntil(async () => (await runRows(panel)).length === before.length, 30_000, `${before.length} runs listed again`);
    assert.deepEqual(await runRows(panel), before);
    // Two single runs, the five of the comparison, the cancelled one.
    assert.equal(before.length, 8);
  });
}

/** Opens a file, puts the cursor inside the model on the line after `needle`, and runs Train Model. */
async function trainModelAt(s: Session, file: string, needle: string): Promise<void> {
  await s.workbench.openFile(file);
  await s.workbench.goToLine(s.lineOf(file, needle) + 1);
  await s.workbench.runCommand('Modelspec: Train Model');
}

/** The run page the panel reveals when a run finishes. */
async function runPage(s: Session, model: string): Promise<FrameLocator> {
  const panel = s.workbench.webview();
  await panel.locator(`[data-testid="run-page"][data-model="${model}"]`).waitFor({ timeout: 30_000 });
  return panel;
}

/** Reveals the runs panel through its command and goes back to the list if a page is open. */
async function runsList(s: Session): Promise<FrameLocator> {
  await s.workbench.runCommand('Modelspec: Show Runs');
  const panel = s.workbench.webview();
  const list = panel.locator('[data-testid="runs-list"]');
  const back = panel.locator('[data-action="back"]');
  await list.or(back).first().waitFor({ timeout: 30_000 });
  if (!(await list.isVisible())) await back.first().click();
  await list.waitFor();
  return panel;
}

async function runRows(panel: FrameLocator): Promise<{ model: string; status: string }[]> {
  const rows = panel.locator('[data-testid="runs-list"] [data-testid="run-row"]');
  await rows.first().waitFor();
  return rows.evaluateAll((els) => els.map((el) => ({ model: el.getAttribute('data-model') ?? '', status: el.getAttribute('data-status') ?? '' })));
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await delay(250);
  }
}
