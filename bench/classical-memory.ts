/**
 * The memory figure `estimate` gives a classical fit (classicalFitOf in
 * server/src/analysis/totals.ts) against the peak resident memory of real fits, on iris,
 * digits (samples/data) and larger generated sets.
 *
 *   node --import tsx bench/classical-memory.ts [--out FILE]
 *
 * Each case runs in a fresh process that reads the prepared training split from a binary
 * file (so loading it leaves no high-water mark above the fit's), fits once on a few rows
 * to load and compile the engine, collects garbage, then fits for real. The fit's peak
 * is the process's maximum RSS afterwards (getrusage) minus its RSS just before the fit;
 * when the maximum did not rise, the fit stayed under an earlier peak and only an upper
 * bound is known. The training data is in memory before that baseline (here, as in the
 * trainer's fit worker, which receives its copy before fitting), so the ratio compares the
 * measured peak with the estimate less its "training data" part. Results go to
 * bench/results/classical-memory.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../server/src/analysis/analyze';
import { classicalFitOf } from '../server/src/analysis/totals';
import type { Args } from '../server/src/catalog/types';
import { createNodeHost } from '../server/src/data/nodeHost';
import { createClassical, prepareClassical, type ClassicalKind } from '../server/src/training/classical';
import { prepareFor } from '../server/src/training/data/prepare';
import { mulberry32 } from '../server/src/util/random';

const root = join(__dirname, '..');
const argv = process.argv.slice(2);

interface ChildJob {
  readonly kind: ClassicalKind;
  readonly args: Args;
  readonly seed: number;
  readonly n: number;
  readonly features: number;
  readonly classes: number;
  readonly bin: string;
}

interface ChildResult {
  readonly rssBefore: number;
  readonly maxBefore: number;
  readonly maxAfter: number;
  readonly fitMs: number;
  /** V8's own accounts just before and just after the fit (no collection between): where the growth went. */
  readonly v8Before: NodeJS.MemoryUsage;
  readonly v8After: NodeJS.MemoryUsage;
}

if (argv[0] === '--child') {
  void child(JSON.parse(argv[1]) as ChildJob).then((r) => process.stdout.write(JSON.stringify(r)));
} else {
  main();
}

async function child(job: ChildJob): Promise<ChildResult> {
  const buf = readFileSync(job.bin);
  const x = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + job.n * job.features * 4));
  const y = new Int32Array(buf.buffer.slice(buf.byteOffset + job.n * job.features * 4, buf.byteOffset + job.n * (job.features + 1) * 4));
  await prepareClassical(job.kind);
  // A first fit on a few rows of every class loads and compiles the engine's code.
  const warm = Math.min(job.n, 40);
  const wy = Int32Array.from({ length: warm }, (_, i) => i % job.classes);
  createClassical(job.kind).fit(x.slice(0, warm * job.features), wy, warm, job.features, job.classes, { ...job.args, ...(job.kind === 'random_forest' ? { trees: 2 } : {}) }, job.seed);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const v8Before = process.memoryUsage();
  const rssBefore = v8Before.rss;
  const maxBefore = process.resourceUsage().maxRSS * 1024;
  const started = performance.now();
  const engine = createClassical(job.kind);
  engine.fit(x, y, job.n, job.features, job.classes, job.args, job.seed);
  const fitMs = performance.now() - started;
  const maxAfter = process.resourceUsage().maxRSS * 1024;
  const v8After = process.memoryUsage();
  // Keep the model alive until the peak is read.
  if (engine.size().params < 0n) throw new Error('unreachable');
  return { rssBefore, maxBefore, maxAfter, fitMs, v8Before, v8After };
}

interface Case {
  readonly spec: string;
  readonly model: string;
}

function main(): void {
  const work = mkdtempSync(join(tmpdir(), 'modelspec-classical-memory-'));
  try {
    const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : undefined;
    const cases = [...sampleCases(), ...generatedCases(work)].filter((c) => !only || only.includes(c.model));
    const rows: Record<string, unknown>[] = [];
    for (const c of cases) rows.push(measure(c, work));
    const out = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : join(root, 'bench', 'results', 'classical-memory.json');
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, JSON.stringify({ node: process.version, measuredAt: new Date().toISOString(), rows }, null, 2) + '\n');
    console.log(`\nwritten ${out}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function sampleCases(): Case[] {
  const models = ['IrisLogReg', 'IrisSVM', 'IrisTree', 'IrisForest'].map((model) => ({ spec: join(root, 'samples', 'iris.model'), model }));
  const digits = join(root, 'samples', 'digits.model');
  return [...models, ...['DigitsLogReg', 'DigitsSVM', 'DigitsTree', 'DigitsForest'].map((model) => ({ spec: digits, model }))];
}

/** Gaussian blobs with overlapping classes, so an SVM keeps many support vectors and a tree grows deep. */
function blobsCsv(path: string, rows: number, features: number, classes: number, seed: number): void {
  const random = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: classes }, () => Array.from({ length: features }, () => gauss() * 1.5));
  const lines = [[...Array.from({ length: features }, (_, j) => `f${j}`), 'label'].join(',')];
  for (let r = 0; r < rows; r++) {
    const c = r % classes;
    lines.push([...centres[c].map((m) => (m + gauss()).toFixed(4)), String(c)].join(','));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

function generatedCases(dir: string): Case[] {
  blobsCsv(join(dir, 'wide.csv'), 25_000, 40, 4, 11);
  blobsCsv(join(dir, 'binary.csv'), 8_000, 20, 2, 12);
  const spec = join(dir, 'large.model');
  writeFileSync(
    spec,
    `dataset Wide {\n  source: "wide.csv"\n  normalize: standard\n  seed: 7\n}\n\ndataset Binary {\n  source: "binary.csv"\n  normalize: standard\n  seed: 7\n}\n\n` +
      `model WideLogReg {\n  data: Wide\n  logistic_regression(iterations: 200)\n}\n\n` +
      `model WideSVM {\n  data: Wide\n  svm(kernel: rbf)\n}\n\n` +
      `model BinarySVM {\n  data: Binary\n  svm(kernel: rbf, C: 10)\n}\n\n` +
      `model WideTree {\n  data: Wide\n  decision_tree()\n}\n\n` +
      `model WideForest {\n  data: Wide\n  random_forest(trees: 30)\n}\n`,
  );
  return ['WideLogReg', 'WideSVM', 'BinarySVM', 'WideTree', 'WideForest'].map((model) => ({ spec, model }));
}

function measure(c: Case, dir: string): Record<string, unknown> {
  const analysis = analyze(readFileSync(c.spec, 'utf8'), { file: c.spec, host: createNodeHost() });
  const m = analysis.models.find((x) => x.name === c.model);
  if (!m?.estimator || !m.dataset) throw new Error(`${c.spec}: no classical model ${c.model} with data`);
  const estimate = classicalFitOf(m);
  if (!estimate) throw new Error(`${c.model}: no fit estimate`);
  const data = prepareFor(m.dataset);
  const bin = join(dir, `${c.model}.bin`);
  const { x, y, n } = data.train;
  writeFileSync(bin, Buffer.concat([Buffer.from(x.buffer, x.byteOffset, n * data.features * 4), Buffer.from(y.buffer, y.byteOffset, n * 4)]));
  const job: ChildJob = { kind: m.estimator.entry.name as ClassicalKind, args: m.estimator.args, seed: m.dataset.seed, n, features: data.features, classes: data.classes, bin };
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--child', JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`${c.model}: child failed\n${run.stderr}`);
  const r = JSON.parse(run.stdout) as ChildResult;
  const rose = r.maxAfter > r.maxBefore;
  const measured = (rose ? r.maxAfter : r.maxBefore) - r.rssBefore;
  const est = Number(estimate.memory.bytes);
  // The first part is the training data, already loaded before the baseline.
  const fitOnly = est - Number(estimate.memory.parts[0].bytes);
  const row = {
    model: c.model,
    estimator: job.kind,
    samples: n,
    features: data.features,
    classes: data.classes,
    estimateBytes: est,
    parts: estimate.memory.parts.map((p) => ({ label: p.label, bytes: Number(p.bytes) })),
    measuredPeakBytes: measured,
    measuredIsUpperBound: !rose,
    estimateWithoutDataBytes: fitOnly,
    ratio: measured / fitOnly,
    fitMs: Math.round(r.fitMs),
    heapTotalGrowth: r.v8After.heapTotal - r.v8Before.heapTotal,
    arrayBuffersGrowth: r.v8After.arrayBuffers - r.v8Before.arrayBuffers,
  };
  const mib = (b: number) => (b / 2 ** 20).toFixed(2).padStart(8);
  console.log(`${c.model.padEnd(14)} n=${String(n).padStart(6)} f=${String(data.features).padStart(3)}  estimate ${mib(est)} MiB (${mib(fitOnly)} without the data)  measured ${rose ? ' ' : '≤'}${mib(measured)} MiB  ratio ${(measured / fitOnly).toFixed(2)}  (${row.fitMs} ms; V8 heap +${mib(row.heapTotalGrowth).trim()}, array buffers +${mib(row.arrayBuffersGrowth).trim()} MiB)`);
  return row;
}
