// A classical model's fit figures: its memory (data as the engine copies it, solver state,
// the model being built) and its work, in the estimator's own terms — never an optimizer,
// epochs or gradients, which a classical fit does not have (issue 14). The byte counts are
// worked out by hand here from what the engines allocate; bench/classical-memory.ts checks
// them against the peak RSS of real fits (docs/estimates.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../../server/src/analysis/model';
import { classicalFitOf, fitFacts } from '../../../server/src/analysis/totals';
import { modelToJson } from '../../../server/src/cli/estimateJson';
import { renderEstimate } from '../../../server/src/cli/estimateTable';
import { createNodeHost } from '../../../server/src/data/nodeHost';
import { DEFAULT_SETTINGS } from '../../../server/src/lsp/config';
import { modelSummary } from '../../../server/src/lsp/hover';

const SAMPLES = resolve(__dirname, '../../../samples');
const choice = { why: 'test' };

function models(text: string, file = join(SAMPLES, 'iris.model')): ModelAnalysis[] {
  const a = analyze(text, { file, host: createNodeHost() });
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
  return [...a.models];
}
const iris = models(readFileSync(join(SAMPLES, 'iris.model'), 'utf8'));
const named = (name: string) => iris.find((m) => m.name === name)!;
const RUNTIME = 12 * 1024 * 1024;
/** The parts' bytes, checking that the last is the JavaScript engine's working space and leaving it out. */
function bytes(m: ModelAnalysis): number[] {
  const parts = classicalFitOf(m)!.memory.parts;
  assert.match(parts.at(-1)!.label, /^JavaScript engine working space/);
  assert.equal(parts.at(-1)!.bytes, BigInt(RUNTIME));
  return parts.slice(0, -1).map((p) => Number(p.bytes));
}

// Iris: 150 rows, test_split 0.2 → 120 training samples (40 per class, stratified), 4 features, 3 classes.
const INPUT = 120 * 4 * 4 + 120 * 4;

test('logistic regression: the data in float64, six weight-sized vectors; work ≤ (iterations + 1) passes of logits and gradient', () => {
  const fit = classicalFitOf(named('IrisLogReg'))!;
  // 120 rows padded to 120 (a multiple of 4) × 4 features × 8 B; 6 × (3 vectors × 5 weights) × 8 B.
  assert.deepEqual(bytes(named('IrisLogReg')), [INPUT, 120 * 4 * 8, 6 * 15 * 8]);
  assert.equal(fit.memory.bytes, BigInt(INPUT + 3840 + 720 + RUNTIME));
  assert.equal(fit.work.ops, 501n * 2n * 120n * 5n * 3n);
  assert.equal(fit.work.unit, 'multiply-adds');
  assert.equal(fit.work.upperBound, true, 'it stops early once converged');
});

test('svm: rows in JavaScript and in libsvm, the kernel cache of the largest one-vs-one problem, solver state, support vectors', () => {
  const fit = classicalFitOf(named('IrisSVM'))!;
  // Largest pair: 40 + 40 = 80 samples, so a full float32 cache is 4 × 80² bytes.
  assert.deepEqual(bytes(named('IrisSVM')), [INPUT, 120 * (4 * 8 + 56), 16 * 120 * 5, 4 * 80 * 80, 74 * 80, 8 * 120 * (4 + 2)]);
  // 3 pairs × 80² kernel values × 4 features.
  assert.equal(fit.work.ops, 3n * 80n * 80n * 4n);
});

test("svm: the kernel cache stops at libsvm's 100 MiB on large data", () => {
  const [m] = models('dataset S {\n  source: synthetic(kind: spirals, samples: 20000, classes: 2)\n}\nmodel M {\n  data: S\n  svm()\n}\n');
  const cache = classicalFitOf(m)!.memory.parts.find((p) => p.label.startsWith('kernel cache'))!;
  assert.equal(cache.bytes, 100n * 1024n * 1024n, `${m.dataset!.trainSamples} samples would need 4·n² = ${4 * m.dataset!.trainSamples! ** 2} bytes`);
  assert.match(cache.label, /libsvm's 100 MiB limit/);
});

test('decision tree: presorted columns, a working order, and the nodes up to the bound', () => {
  const fit = classicalFitOf(named('IrisTree'))!;
  // max_depth 4: ≤ 31 nodes, 20 bytes kept and 48 while growing each.
  assert.deepEqual(bytes(named('IrisTree')), [INPUT, 8 * 120 * 4 + 12 * 120, 4 * 120 * 4 + 13 * 120 + 4 * 120, 31 * 20 + 31 * 48]);
  // 120 samples × 4 features × 4 levels (max_depth, below log₂ 120 ≈ 7) + 4 radix passes × 120 × 4.
  assert.equal(fit.work.ops, 120n * 4n * 4n + 4n * 120n * 4n);
  assert.equal(fit.work.unit, 'sample-feature visits');
});

test('random forest: one presort for all trees, each tree’s scratch (held until collected), every tree’s nodes kept', () => {
  const fit = classicalFitOf(named('IrisForest'))!;
  // 50 trees, max_depth 6: ≤ 127 nodes each; a bootstrap holds ⌈120·(1 − 1/e)⌉ = 76 distinct samples.
  // Each tree drops its scratch (order 4·76·4, buffer 4·76, marks 120 bytes); 49 trees' worth may await collection.
  assert.deepEqual(bytes(named('IrisForest')), [INPUT, 8 * 120 * 4 + 12 * 120, 4 * 76 * 4 + 13 * 120 + 4 * 76, 49 * (4 * 76 * 4 + 4 * 76 + 120), 50 * 127 * 20 + 127 * 48]);
  assert.equal(fit.work.ops, 50n * 76n * 4n * 6n + 4n * 120n * 4n);
  assert.match(fit.work.detail, /50 trees × 76 distinct bootstrap samples × 4 features × 6 levels \(max_depth\)/);
});

test('estimate --json: classical blocks have fit figures and no optimizer, epochs, gradients or optimizer state', () => {
  for (const name of ['IrisLogReg', 'IrisSVM', 'IrisTree', 'IrisForest']) {
    const j = modelToJson(named(name), choice);
    for (const key of ['optimizer', 'loss', 'epochs', 'batchSize', 'flopsPerSample']) assert.ok(!(key in j.training), `${name}: training.${key}`);
    for (const key of ['gradientsBytes', 'optimizerStateBytes', 'activationsPerSampleBytes', 'batchSize']) assert.ok(!(key in j.memory), `${name}: memory.${key}`);
    const fit = classicalFitOf(named(name))!;
    assert.deepEqual(j.memory, {
      modelFp32Bytes: Number(named(name).estimator!.estimate.params * 4n),
      fitBytes: Number(fit.memory.bytes),
      fitParts: fit.memory.parts.map((p) => ({ label: p.label, bytes: Number(p.bytes) })),
    });
    assert.equal((j.training as { work: number }).work, Number(fit.work.ops));
    assert.equal((j.training as { estimator: string }).estimator, named(name).estimator!.entry.name);
  }
  // A neural model keeps its optimizer-based block.
  const mlp = modelToJson(named('IrisMLP'), choice);
  assert.equal((mlp.training as { optimizer: string }).optimizer, 'adam');
});

test('the table and the hover give classical models fit lines, and say when the data is unknown', () => {
  const table = renderEstimate(named('IrisForest'), choice);
  assert.match(table, /^Fit memory: +≤ 12\.2 MiB = training data \(120 × 4 float32 \+ int32 labels\) 2\.34 KiB \+ /m);
  assert.match(table, /^Fit work: +≈ 93,120 sample-feature visits/m);
  assert.doesNotMatch(table, /adam|epochs|gradients/);
  const hover = modelSummary(named('IrisSVM'), DEFAULT_SETTINGS, choice);
  assert.match(hover, /\| Fit memory \| ≤ 12\.1 MiB = training data .* \+ JavaScript engine working space \(compiled code, heap growth\) 12\.0 MiB \|/);
  assert.match(hover, /\| Fit work \| ≈ 76,800 multiply-adds/);
  const [bare] = models('model M {\n  input: [4]\n  classes: 3\n  svm()\n}\n');
  assert.equal(classicalFitOf(bare), undefined);
  assert.deepEqual(fitFacts(bare), [['Fit memory', 'unknown: needs a dataset with known rows, features and classes']]);
});

test("a forest's uncollected scratch is counted up to V8's 64 MiB external-memory limit", () => {
  const [m] = models('dataset S {\n  source: synthetic(kind: sequences, samples: 20000, classes: 4, length: 10, features: 4)\n}\nmodel M {\n  data: S\n  flatten()\n  random_forest(trees: 300)\n}\n');
  const part = classicalFitOf(m)!.memory.parts.find((p) => p.label.startsWith("earlier trees' scratch"))!;
  assert.equal(part.bytes, 64n * 1024n * 1024n);
  assert.match(part.label, /up to V8's 64 MiB/);
});

test('svm on generated data without label counts takes the classes as balanced', () => {
  // spirals, 3,000 samples, 3 classes, test_split 0.2 → 2,400 training samples, 800 a class.
  const [m] = models('dataset S {\n  source: synthetic(kind: spirals, samples: 3000, classes: 3)\n}\nmodel M {\n  data: S\n  svm()\n}\n');
  assert.equal(m.dataset!.trainSamples, 2400);
  const fit = classicalFitOf(m)!;
  assert.equal(fit.work.ops, 3n * 1600n * 1600n * 2n, '3 pairs of 1,600 samples, 2 features');
  assert.equal(fit.memory.parts.find((p) => p.label.startsWith('kernel cache'))!.bytes, 4n * 1600n * 1600n);
});
