// The runs panel's webview (dist/webview.js) in headless Chromium, under the same
// Content-Security-Policy the extension serves it with, with a stand-in for VS Code's
// webview API: pages, charts, live updates, exports and escaping.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ComparisonView, RunEpoch, RunView } from '../../server/src/lsp/protocol';
import type { ToWebview } from '../../client/src/panelProtocol';

const DIST = join(__dirname, '../../dist');
const EVIL = 'Evil<b>bold</b>|pipe';
let server: Server;
let browser: Browser;
let page: Page;
let origin: string;

function history(n: number): RunEpoch[] {
  return Array.from({ length: n }, (_, i) => ({ epoch: i + 1, loss: 1 / (i + 1), accuracy: 0.5 + i * 0.05, valLoss: 1.1 / (i + 1), valAccuracy: 0.45 + i * 0.05, samplesPerSec: 1000, elapsedMs: (i + 1) * 100 }));
}

function run(over: Partial<RunView> & Pick<RunView, 'key' | 'model'>): RunView {
  return {
    runDir: `/runs/${over.key}`,
    spec: '/work/specs/iris.model',
    kind: 'neural',
    status: 'completed',
    createdAt: '2026-11-28T10:00:00.000Z',
    startedAt: '2026-11-28T10:00:00.000Z',
    finishedAt: '2026-11-28T10:01:00.000Z',
    backend: 'wasm',
    backendNote: 'tfjs wasm, SIMD',
    epochs: 5,
    history: history(5),
    estimates: { params: { trainable: 67, nonTrainable: 0, total: 67 }, flops: 134, trainingMemoryBytes: 4096, trainingFlops: 240000 },
    dataset: { name: 'Iris', rows: 150, train: 120, test: 30, classes: 3, labels: ['setosa', '<i>versicolor</i>', 'virginica'] },
    result: {
      status: 'completed',
      metrics: {
        accuracy: 0.9,
        f1: 0.89,
        perClass: [
          { label: 'setosa', precision: 1, recall: 1, f1: 1, support: 10 },
          { label: '<i>versicolor</i>', precision: 0.8, recall: 0.9, f1: 0.85, support: 10 },
          { label: 'virginica', precision: 0.9, recall: 0.8, f1: 0.85, support: 10 },
        ],
        confusion: [[10, 0, 0], [0, 9, 1], [0, 2, 8]],
      },
      trainMs: 1500,
      inferenceMsPerSample: 0.21,
      sizeBytes: 2000,
      params: { trainable: 67, nonTrainable: 0, total: 67 },
      flops: 134,
      epochsRun: 5,
      estimatedTrainMs: 1200,
    },
    error: null,
    etaMs: null,
    ...over,
  };
}

const mlp = run({ key: 'k-mlp', model: 'IrisMLP', createdAt: '2026-11-28T10:03:00.000Z' });
const evil = run({
  key: 'k-evil',
  model: EVIL,
  kind: 'classical',
  backend: 'classical',
  history: [],
  epochs: null,
  createdAt: '2026-11-28T10:02:00.000Z',
  result: { ...mlp.result!, metrics: { ...mlp.result!.metrics, accuracy: 0.895 }, params: { trainable: 15, nonTrainable: 0, total: 15 }, trainMs: 20 },
});
const failed = run({ key: 'k-failed', model: 'Broken', status: 'failed', result: null, history: [], error: 'Bad data <img src=x onerror="window.__pwned=1">', createdAt: '2026-11-28T10:01:00.000Z' });
const live = run({ key: 'k-live', model: 'LiveMLP', status: 'running', result: null, history: history(2), epochs: 10, etaMs: 8000, createdAt: '2026-11-28T10:04:00.000Z' });
const comparison: ComparisonView = { id: 'c1', spec: '/work/specs/iris.model', createdAt: '2026-11-28T10:03:30.000Z', status: 'finished', models: ['IrisMLP', EVIL, 'Broken'], runs: ['k-mlp', 'k-evil', 'k-failed'] };

before(async () => {
  // Served over http with the panel's CSP, so the policy is enforced as in VS Code.
  server = createServer((req, res) => {
    if (req.url === '/') {
      const csp = `default-src 'none'; img-src ${origin} data:; style-src ${origin}; script-src 'nonce-test'`;
      res.setHeader('content-type', 'text/html');
      res.end(`<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="${csp}"><link rel="stylesheet" href="/webview-style.css"></head><body class="vscode-dark">
<script nonce="test">
window.__posted = []; window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
let state; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => state, setState: (s) => { state = s; } });
</script><script nonce="test" src="/webview.js"></script></body></html>`);
      return;
    }
    const name = req.url!.slice(1);
    if (name !== 'webview.js' && name !== 'webview-style.css') {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', name.endsWith('.js') ? 'text/javascript' : 'text/css');
    res.end(readFileSync(join(DIST, name)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 700, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as unknown as { errors: string[] }).errors = errors;
  await page.goto(origin + '/');
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
});

after(async () => {
  await browser?.close();
  server?.close();
});

const send = (m: ToWebview) => page.evaluate((msg) => window.postMessage(msg, '*'), m as unknown as Record<string, unknown>);
const posted = () => page.evaluate(() => (window as unknown as { __posted: Record<string, string>[] }).__posted);

test('the list shows runs newest first and comparisons, with names as text', async () => {
  await send({ type: 'state', runs: [failed, mlp, evil, live], comparisons: [comparison] });
  const rows = page.locator('[data-testid="run-row"]');
  await rows.first().waitFor();
  assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-model')}:${e.getAttribute('data-status')}`)), [
    'LiveMLP:running',
    'IrisMLP:completed',
    `${EVIL}:completed`,
    'Broken:failed',
  ]);
  assert.equal(await page.locator('[data-testid="runs-list"] b').count(), 0, 'a model name never becomes markup');
  assert.ok((await page.locator('[data-testid="runs-list"]').innerText()).includes(EVIL));
  assert.equal(await page.locator('[data-testid="comparison-row"]').count(), 1);
});

test('a run page draws its curves, metrics, estimate vs actual, per-class table and confusion matrix', async () => {
  await page.locator('[data-testid="run-row"][data-model="IrisMLP"]').click();
  await page.locator('[data-testid="run-page"][data-model="IrisMLP"]').waitFor();
  for (const id of ['chart-loss', 'chart-accuracy', 'confusion']) await page.locator(`[data-testid="${id}"][data-rendered="true"]`).waitFor({ timeout: 5000 });
  assert.equal(await page.locator('[data-testid="metric-accuracy"]').innerText(), '90.0%');
  assert.equal(await page.locator('[data-testid="metric-f1"]').innerText(), '89.0%');
  assert.match(await page.locator('[data-testid="backend"]').innerText(), /^wasm — tfjs wasm, SIMD$/);
  const estimate = await page.locator('[data-testid="estimate-vs-actual"] tbody tr').allInnerTexts();
  assert.match(estimate[0], /Parameters\s+67\s+67/);
  assert.match(estimate[1], /Training time\s+1\.2 s\s+1\.5 s/);
  const classes = await page.locator('[data-testid="per-class"] tbody tr td:first-child').allInnerTexts();
  assert.deepEqual(classes, ['setosa', '<i>versicolor</i>', 'virginica']);
  assert.equal(await page.locator('[data-testid="per-class"] i').count(), 0);
  assert.ok(await page.locator('[data-testid="chart-loss"] canvas').count());
});

test('Save as PNG and SVG hand the chart to the extension', async () => {
  const before = (await posted()).length;
  await page.locator('[data-testid="chart-loss"]').locator('xpath=..').locator('[data-action="save-png"]').click();
  await page.locator('[data-testid="chart-loss"]').locator('xpath=..').locator('[data-action="save-svg"]').click();
  const [png, svg] = (await posted()).slice(before);
  assert.equal(png.type, 'save');
  assert.equal(png.format, 'png');
  assert.equal(png.name, 'IrisMLP-loss');
  assert.deepEqual([...Buffer.from(png.data, 'base64').subarray(1, 4)], [...Buffer.from('PNG')]);
  assert.equal(svg.format, 'svg');
  assert.match(svg.data, /^<svg[\s\S]*train loss[\s\S]*<\/svg>$/);
});

test('a running run updates in place as epochs arrive', async () => {
  await send({ type: 'navigate', page: { kind: 'run', key: 'k-live' } });
  await page.locator('[data-testid="run-page"][data-model="LiveMLP"]').waitFor();
  await page.locator('[data-testid="chart-loss"][data-rendered="true"]').waitFor();
  assert.match(await page.locator('[data-testid="run-progress"]').innerText(), /^epoch 2\/10 · loss 0\.500 · .* · ETA 8\.0 s$/);
  const handle = await page.locator('[data-testid="chart-loss"]').elementHandle();
  await send({ type: 'run', run: { ...live, history: history(3), etaMs: 7000 } });
  await page.waitForFunction(() => document.querySelector('[data-testid="run-progress"]')?.textContent?.startsWith('epoch 3/10'));
  assert.ok(await handle!.evaluate((el) => el.isConnected), 'the chart was updated, not redrawn');
  await send({ type: 'run', run: { ...live, status: 'completed', history: history(5), result: mlp.result, etaMs: null } });
  await page.locator('[data-testid="run-page"][data-status="completed"]').waitFor();
  assert.equal(await page.locator('[data-testid="metric-accuracy"]').innerText(), '90.0%');
});

test('a failed run shows its reason as text', async () => {
  await send({ type: 'navigate', page: { kind: 'run', key: 'k-failed' } });
  const alert = page.locator('[data-testid="run-page"] [role="alert"]');
  await alert.waitFor();
  assert.equal(await alert.innerText(), failed.error);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
});

test('the compare page sorts by accuracy, says which model to pick, charts the trade-off and copies Markdown', async () => {
  await send({ type: 'navigate', page: { kind: 'compare', id: 'c1' } });
  await page.locator('[data-testid="compare-page"]').waitFor();
  const models = await page.locator('[data-testid="compare-table"] tbody tr').evaluateAll((els) => els.map((e) => e.getAttribute('data-model')));
  assert.deepEqual(models, ['IrisMLP', EVIL]);
  assert.match(await page.locator('[data-testid="verdict"]').innerText(), /comes within 0\.5 points of IrisMLP .* IrisMLP costs 4\.5× the parameters and 75× the training time/);
  assert.equal(await page.locator('[data-testid="compare-table"] tbody tr.pick').getAttribute('data-model'), EVIL);
  for (const id of ['chart-scatter-params', 'chart-scatter-time']) await page.locator(`[data-testid="${id}"][data-rendered="true"]`).waitFor({ timeout: 5000 });
  const before = (await posted()).length;
  await page.locator('[data-action="copy-markdown"]').click();
  const [copy] = (await posted()).slice(before);
  assert.equal(copy.type, 'copy');
  const lines = copy.text.split('\n');
  assert.equal(lines[0], '| Model | Kind | Params | FLOPs | Train time | Inference | Size | Accuracy | F1 |');
  assert.equal(lines[1], '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  assert.ok(lines[3].startsWith('| Evil<b>bold</b>\\|pipe | classical | 15 |'), lines[3]);
  // The SVG export escapes what ECharts draws.
  await page.locator('[data-testid="chart-scatter-params"]').locator('xpath=..').locator('[data-action="save-svg"]').click();
  const svg = (await posted()).at(-1)!;
  assert.ok(svg.data.includes('Evil&lt;b&gt;bold&lt;/b&gt;|pipe'), 'model name escaped in SVG');
  assert.ok(!svg.data.includes('<b>'));
});

test('the Content-Security-Policy held and nothing threw', async () => {
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
  assert.deepEqual((page as unknown as { errors: string[] }).errors, []);
});
