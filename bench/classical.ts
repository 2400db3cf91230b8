/**
 * Classical engines against the ml.js libraries they replace or wrap and against
 * scikit-learn 1.2 with its defaults, on iris, digits and the digits subset the unit
 * tests use, with one split for all: the split Modelspec makes (80/20 stratified, seed
 * 7, standardised on the training rows) is written to a temporary JSON file that
 * bench/reference/sklearn_classical.py reads, so both sides train on the same rows.
 *
 *   node --import tsx bench/classical.ts [--quick] [--no-sklearn] [--out FILE]
 *
 * --quick skips the ml.js candidates on digits (they take minutes there: ml-svm's
 * linear one-vs-rest and ml-random-forest several each). ml-svm is not a dependency (it lost to
 * libsvm-js); to include it, install it anywhere and point NODE_PATH at that
 * node_modules, e.g. `npm i --prefix /tmp/mlsvm ml-svm@2.1.2` then
 * `NODE_PATH=/tmp/mlsvm/node_modules node --import tsx bench/classical.ts`.
 *
 * Times are medians over up to 5 fits within about 3 s (1 fit when a fit takes longer),
 * after a first, cold fit that is reported apart for Modelspec's engines (a trainer
 * process fits once). The table shows process CPU time, which other work on a shared
 * machine disturbs far less than wall-clock time; both are in the JSON. Every side runs
 * single-threaded. Prediction is timed on the whole test split and reported per sample.
 * Results go to bench/results/classical.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Args } from '../server/src/catalog/types';
import { createClassical, type ClassicalKind } from '../server/src/training/classical';
import { libsvmBuild, loadLibsvm, SvmModel, type Libsvm } from '../server/src/training/classical/svm';
import { prepareDataset, type PreparedData } from '../server/src/training/data/prepare';
import { computeMetrics } from '../server/src/training/metrics';
import { mulberry32 } from '../server/src/util/random';

const root = join(__dirname, '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const withSklearn = !argv.includes('--no-sklearn');
const outFile = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : join(root, 'bench', 'results', 'classical.json');

/** Datasets with more rows than this skip the ml.js candidates under --quick. */
const QUICK_ROWS = 600;
const SEED = 7;

type Family = 'logistic_regression' | 'svm_rbf' | 'svm_linear' | 'decision_tree' | 'random_forest';
const FAMILIES: readonly Family[] = ['logistic_regression', 'svm_rbf', 'svm_linear', 'decision_tree', 'random_forest'];

interface DatasetBench {
  readonly name: string;
  readonly csv: string;
  /** Rows of the CSV used (the first ones). */
  readonly rows: number;
  readonly data: PreparedData;
}

/** Fits on the training split and returns class predictions for the test split. */
interface Fitted {
  predict(): Int32Array;
}

interface Candidate {
  readonly family: Family;
  readonly impl: string;
  /** Modelspec's own engine (cold fit recorded) or a library candidate. */
  readonly ours: boolean;
  /** Why it is not run, when it is not. */
  unavailable?(d: DatasetBench): string | undefined;
  fit(d: DatasetBench): Fitted;
}

interface Row {
  dataset: string;
  family: Family;
  impl: string;
  accuracy?: number;
  f1?: number;
  fitMs?: number;
  fitCpuMs?: number;
  coldFitMs?: number;
  fitRuns?: number;
  predictUsPerSample?: number;
  predictCpuUsPerSample?: number;
  size?: string;
  skipped?: string;
}

function loadDataset(name: string, file: string, rows?: number): DatasetBench {
  const csv = join(root, 'samples', 'data', file);
  const full = readFileSync(csv, 'utf8');
  const lines = full.split('\n');
  const text = rows === undefined ? full : lines.slice(0, rows + 1).join('\n') + '\n';
  const data = prepareDataset({ kind: 'csv', path: csv, file, text, target: 'label', testSplit: 0.2, normalize: 'standard', seed: SEED });
  return { name, csv, rows: data.train.n + data.test.n, data };
}

function ourEngine(family: Family, kind: ClassicalKind, args: Args, impl: string): Candidate {
  return {
    family,
    impl,
    ours: true,
    fit(d) {
      const m = createClassical(kind);
      m.fit(d.data.train.x, d.data.train.y, d.data.train.n, d.data.features, d.data.classes, args, SEED);
      return withSize(m.size().detail, () => m.predict(d.data.test.x, d.data.test.n));
    },
  };
}

function ourSvm(family: Family, lib: () => Libsvm, kernel: string, impl: string): Candidate {
  return {
    family,
    impl,
    ours: true,
    fit(d) {
      const m = new SvmModel(lib());
      m.fit(d.data.train.x, d.data.train.y, d.data.train.n, d.data.features, d.data.classes, { kernel }, SEED);
      return withSize(m.size().detail, () => m.predict(d.data.test.x, d.data.test.n));
    },
  };
}

function withSize(size: string, predict: () => Int32Array): Fitted & { size: string } {
  return { size, predict };
}

function rowsOf(x: Float32Array, n: number, f: number, bias = false): number[][] {
  return Array.from({ length: n }, (_, i) => {
    const row = Array.from(x.subarray(i * f, (i + 1) * f));
    if (bias) row.push(1);
    return row;
  });
}

/** The ml.js candidates run on iris and digits; digits-600 only checks the unit tests' reference numbers. */
const slowOnBig = (d: DatasetBench) =>
  d.name === 'digits-600' ? 'not run (digits-600 is the unit tests\' subset)' : quick && d.rows > QUICK_ROWS ? `skipped by --quick (more than ${QUICK_ROWS} rows)` : undefined;

/* eslint-disable @typescript-eslint/no-require-imports -- the ml.js packages ship no types; each is used through a small local interface. */
interface MlMatrixStatic {
  new (rows: number[][]): unknown;
  columnVector(values: number[]): unknown;
}
const { Matrix } = require('ml-matrix') as { Matrix: MlMatrixStatic };

const mlLogistic: Candidate = {
  family: 'logistic_regression',
  impl: 'ml-logistic-regression (bias column, 5,000 steps)',
  ours: false,
  unavailable: slowOnBig,
  fit(d) {
    const LogisticRegression = require('ml-logistic-regression') as new (o: object) => { train(x: unknown, y: unknown): void; predict(x: unknown): number[] };
    const { train, test, features } = d.data;
    const m = new LogisticRegression({ numSteps: 5000 });
    m.train(new Matrix(rowsOf(train.x, train.n, features, true)), Matrix.columnVector(Array.from(train.y)));
    const xt = new Matrix(rowsOf(test.x, test.n, features, true));
    return { predict: () => Int32Array.from(m.predict(xt)) };
  },
};

interface MlSvm {
  train(x: number[][], y: number[]): void;
  marginOne(x: number[]): number;
}

function loadMlSvm(): (new (o: object) => MlSvm) | undefined {
  try {
    return require('ml-svm') as new (o: object) => MlSvm;
  } catch {
    return undefined;
  }
}

/** ml-svm is binary: one machine per class against the rest, the largest margin wins. */
function mlSvm(family: Family, kernel: 'rbf' | 'linear'): Candidate {
  return {
    family,
    impl: `ml-svm one-vs-rest (${kernel})`,
    ours: false,
    unavailable: (d) => (loadMlSvm() ? slowOnBig(d) : 'ml-svm not installed (see the header of bench/classical.ts)'),
    fit(d) {
      const SVM = loadMlSvm()!;
      const { train, test, features, classes } = d.data;
      const x = rowsOf(train.x, train.n, features);
      // gamma "scale" as the other SVMs use; ml-kernel's Gaussian is exp(−‖x − y‖² / 2σ²).
      const gamma = 1 / (features * variance(train.x, train.n * features));
      const machines = Array.from({ length: classes }, (_, c) => {
        const m = new SVM({
          C: 1,
          kernel,
          ...(kernel === 'rbf' ? { kernelOptions: { sigma: Math.sqrt(1 / (2 * gamma)) } } : {}),
          // Its min–max "whitening" divides by zero on constant features (digits has some); the data are standardised already.
          whitening: false,
          random: mulberry32(SEED + c),
        });
        m.train(x, Array.from(train.y, (label) => (label === c ? 1 : -1)));
        return m;
      });
      const xt = rowsOf(test.x, test.n, features);
      return {
        predict: () =>
          Int32Array.from(xt, (row) => {
            let best = 0;
            let bestMargin = -Infinity;
            machines.forEach((m, c) => {
              const margin = m.marginOne(row);
              if (margin > bestMargin) [best, bestMargin] = [c, margin];
            });
            return best;
          }),
      };
    },
  };
}

function variance(x: Float32Array, count: number): number {
  let mean = 0;
  for (let i = 0; i < count; i++) mean += x[i];
  mean /= count;
  let sq = 0;
  for (let i = 0; i < count; i++) sq += (x[i] - mean) ** 2;
  return sq / count;
}

const mlCart: Candidate = {
  family: 'decision_tree',
  impl: 'ml-cart (defaults)',
  ours: false,
  unavailable: slowOnBig,
  fit(d) {
    const { DecisionTreeClassifier } = require('ml-cart') as { DecisionTreeClassifier: new (o: object) => { train(x: unknown, y: number[]): void; predict(x: unknown): number[] } };
    const { train, test, features } = d.data;
    const m = new DecisionTreeClassifier({});
    m.train(new Matrix(rowsOf(train.x, train.n, features)), Array.from(train.y));
    const xt = new Matrix(rowsOf(test.x, test.n, features));
    return { predict: () => Int32Array.from(m.predict(xt)) };
  },
};

const mlForest: Candidate = {
  family: 'random_forest',
  impl: 'ml-random-forest (100 trees, √features)',
  ours: false,
  unavailable: slowOnBig,
  fit(d) {
    const { RandomForestClassifier } = require('ml-random-forest') as {
      RandomForestClassifier: new (o: object) => { train(x: unknown, y: number[]): void; predict(x: unknown): number[] };
    };
    const { train, test, features } = d.data;
    // Its maxFeatures draws one feature subset per tree (not per split, as scikit-learn's);
    // √features keeps the analogy with max_features="sqrt", and with all 64 features a
    // 100-tree forest on digits would take the better part of an hour.
    const m = new RandomForestClassifier({ nEstimators: 100, maxFeatures: Math.floor(Math.sqrt(features)), seed: SEED, noOOB: true });
    m.train(new Matrix(rowsOf(train.x, train.n, features)), Array.from(train.y));
    const xt = new Matrix(rowsOf(test.x, test.n, features));
    return { predict: () => Int32Array.from(m.predict(xt)) };
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

function timeFits(c: Candidate, d: DatasetBench): { fitted: Fitted; cold: number; median: number; cpu: number; runs: number } {
  const walls: number[] = [];
  const cpuTimes: number[] = [];
  let fitted: Fitted | undefined;
  let spent = 0;
  while (walls.length < 5 && (walls.length === 0 || spent < 3000)) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    fitted = c.fit(d);
    const wall = performance.now() - w0;
    const cpu = process.cpuUsage(c0);
    walls.push(wall);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    spent += wall;
  }
  // The cold fit is reported on its own; the median is over the warm ones when there are any.
  const warm = walls.length > 1 ? walls.slice(1) : walls;
  const warmCpu = cpuTimes.length > 1 ? cpuTimes.slice(1) : cpuTimes;
  return { fitted: fitted!, cold: walls[0], median: median(warm), cpu: median(warmCpu), runs: walls.length };
}

function timePredict(fitted: Fitted, n: number): { pred: Int32Array; usPerSample: number; cpuUsPerSample: number } {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let pred = fitted.predict();
  let spent = 0;
  while (times.length < 20 && spent < 1000) {
    const c = process.cpuUsage();
    const t = performance.now();
    pred = fitted.predict();
    times.push(performance.now() - t);
    const cpu = process.cpuUsage(c);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    spent += times[times.length - 1];
  }
  return { pred, usPerSample: (median(times) * 1000) / n, cpuUsPerSample: (median(cpuTimes) * 1000) / n };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

interface SklearnRow {
  dataset: string;
  model: Family;
  accuracy: number;
  f1: number;
  fitMs: number;
  fitCpuMs: number;
  fitRuns: number;
  predictUsPerSample: number;
  predictCpuUsPerSample: number;
}

function runSklearn(datasets: DatasetBench[]): { version?: string; rows: SklearnRow[]; note?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'modelspec-classical-'));
  const splits = join(dir, 'splits.json');
  writeFileSync(
    splits,
    JSON.stringify({
      datasets: datasets.map((d) => ({
        name: d.name,
        csv: d.csv,
        rows: d.rows,
        target: 'label',
        train: Array.from(d.data.trainIndex),
        test: Array.from(d.data.testIndex),
        models: FAMILIES,
      })),
    }),
  );
  // One thread, as the JavaScript engines; OPENBLAS_CORETYPE/L2_SIZE (set on some of
  // these machines for old OpenBLAS builds) would slow numpy's kernels, so not here.
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const python = process.env.PYTHON ?? '/usr/bin/python3';
  const run = spawnSync(python, [join(root, 'bench', 'reference', 'sklearn_classical.py'), splits], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  rmSync(dir, { recursive: true, force: true });
  if (run.status !== 0) {
    const why = run.error ? run.error.message : run.stderr.trim().split('\n').slice(-2).join(' ');
    return { rows: [], note: `scikit-learn reference not run (${python}: ${why}); install it with apt-get install -y python3-sklearn` };
  }
  const out = JSON.parse(run.stdout) as { sklearn: string; results: SklearnRow[] };
  return { version: out.sklearn, rows: out.results };
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function ratio(ours: number | undefined, ref: number | undefined): string {
  if (ours === undefined || ref === undefined || ref <= 0) return '—';
  const r = ours / ref;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}×`;
}

async function main(): Promise<void> {
  const wasm = await loadLibsvm();
  const candidates: Candidate[] = [
    ourEngine('logistic_regression', 'logistic_regression', {}, 'Modelspec softmax regression'),
    mlLogistic,
    ourSvm('svm_rbf', () => wasm, 'rbf', `Modelspec svm: libsvm-js ${wasm.build}`),
    ourSvm('svm_rbf', () => libsvmBuild('asm'), 'rbf', 'Modelspec svm: libsvm-js asm'),
    mlSvm('svm_rbf', 'rbf'),
    ourSvm('svm_linear', () => wasm, 'linear', `Modelspec svm: libsvm-js ${wasm.build}`),
    mlSvm('svm_linear', 'linear'),
    ourEngine('decision_tree', 'decision_tree', {}, 'Modelspec CART'),
    mlCart,
    ourEngine('random_forest', 'random_forest', {}, 'Modelspec forest (100 trees)'),
    mlForest,
  ];

  const datasets = [loadDataset('iris', 'iris.csv'), loadDataset('digits', 'digits.csv'), loadDataset('digits-600', 'digits.csv', 600)];
  const rows: Row[] = [];
  for (const d of datasets) {
    for (const c of candidates) {
      const skipped = c.unavailable?.(d);
      const row: Row = { dataset: d.name, family: c.family, impl: c.impl };
      if (skipped) {
        rows.push({ ...row, skipped });
        continue;
      }
      process.stderr.write(`${d.name}: ${c.impl}…\n`);
      const t = timeFits(c, d);
      const p = timePredict(t.fitted, d.data.test.n);
      const m = computeMetrics(d.data.test.y, p.pred, d.data.labels);
      const size = (t.fitted as Partial<{ size: string }>).size;
      rows.push({
        ...row,
        accuracy: m.accuracy,
        f1: m.f1,
        fitMs: t.median,
        fitCpuMs: t.cpu,
        ...(c.ours ? { coldFitMs: t.cold } : {}),
        fitRuns: t.runs,
        predictUsPerSample: p.usPerSample,
        predictCpuUsPerSample: p.cpuUsPerSample,
        ...(size ? { size } : {}),
      });
    }
  }

  const sk = withSklearn ? runSklearn(datasets) : { rows: [] as SklearnRow[], note: 'scikit-learn reference skipped (--no-sklearn)' };
  const ref = (dataset: string, family: Family) => sk.rows.find((r) => r.dataset === dataset && r.model === family);

  const header = `${pad('dataset', 10)} ${pad('model', 19)} ${pad('implementation', 46)} ${pad('acc', 6, true)} ${pad('F1', 6, true)} ${pad('fit ms', 8, true)} ${pad('×sk', 6, true)} ${pad('µs/pred', 8, true)} ${pad('×sk', 6, true)}`;
  // CPU times: see the header comment.
  const lines = [header, '-'.repeat(header.length)];
  for (const d of datasets) {
    for (const family of FAMILIES) {
      const r = ref(d.name, family);
      if (r) {
        lines.push(
          `${pad(d.name, 10)} ${pad(family, 19)} ${pad(`scikit-learn ${sk.version} defaults`, 46)} ${pad(r.accuracy.toFixed(3), 6, true)} ${pad(r.f1.toFixed(3), 6, true)} ${pad(fmtMs(r.fitCpuMs), 8, true)} ${pad('1×', 6, true)} ${pad(r.predictCpuUsPerSample.toFixed(1), 8, true)} ${pad('1×', 6, true)}`,
        );
      }
      for (const row of rows.filter((x) => x.dataset === d.name && x.family === family)) {
        if (row.skipped) {
          lines.push(`${pad(d.name, 10)} ${pad(family, 19)} ${pad(row.impl, 46)} ${row.skipped}`);
          continue;
        }
        lines.push(
          `${pad(d.name, 10)} ${pad(family, 19)} ${pad(row.impl, 46)} ${pad(row.accuracy!.toFixed(3), 6, true)} ${pad(row.f1!.toFixed(3), 6, true)} ${pad(fmtMs(row.fitCpuMs), 8, true)} ${pad(ratio(row.fitCpuMs, r?.fitCpuMs), 6, true)} ${pad(row.predictCpuUsPerSample!.toFixed(1), 8, true)} ${pad(ratio(row.predictCpuUsPerSample, r?.predictCpuUsPerSample), 6, true)}`,
        );
      }
    }
  }
  console.log('fit ms and µs/pred: process CPU time (medians); ×sk: ratio to scikit-learn (lower is faster)\n');
  console.log(lines.join('\n'));
  if (sk.note) console.log(`\n${sk.note}`);

  mkdirSync(join(outFile, '..'), { recursive: true });
  const result = {
    generated: new Date().toISOString(),
    machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: loadavg() },
    split: { testSplit: 0.2, seed: SEED, normalize: 'standard', stratified: true },
    libsvmBuild: wasm.build,
    sklearn: sk.version ?? null,
    ...(sk.note ? { note: sk.note } : {}),
    datasets: datasets.map((d) => ({ name: d.name, rows: d.rows, train: d.data.train.n, test: d.data.test.n, features: d.data.features, classes: d.data.classes })),
    results: rows,
    reference: sk.rows,
  };
  writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nwrote ${outFile}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
