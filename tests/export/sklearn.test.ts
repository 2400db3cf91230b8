// The scikit-learn export of the classical models of samples/iris.model and
// samples/digits.model (plus a linear SVM on each, which the samples lack): exported with
// the CLI, fitted by their train.py, they test on Modelspec's own test split and come within
// 5 points of the accuracy Modelspec's engines reach, and where Modelspec's count of learned
// numbers is exact (logistic regression, linear SVMs) scikit-learn learns exactly that many.
// Also the CLI's refusals: the wrong --to, a spec with errors, an unknown --model.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { analyze } from '../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../server/src/analysis/model';
import { createNodeHost } from '../../server/src/data/nodeHost';
import { prepareFor } from '../../server/src/training/data/prepare';
import { evaluated, PROTOCOL_VERSION } from '../../server/src/training/protocol';
import { runTraining } from '../../server/src/training/train';
import { limited, readNpy, runPython, torchPython } from './python';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const work = mkdtempSync(join(tmpdir(), 'modelspec-export-sklearn-'));
// The scratch folder goes when the file's tests are done.
after(() => rmSync(work, { recursive: true, force: true }));

// The samples as they are, with a linear SVM added to each; their data copied next to them.
mkdirSync(join(work, 'data'));
for (const csv of ['iris.csv', 'digits.csv']) copyFileSync(join(ROOT, 'samples/data', csv), join(work, 'data', csv));
const SPECS: Record<string, string> = {
  'iris.model': '\nmodel IrisLinearSVM {\n  data: Iris\n  svm(kernel: linear, C: 1)\n}\n',
  'digits.model': '\nmodel DigitsLinearSVM {\n  data: Digits\n  flatten\n  svm(kernel: linear, C: 0.5)\n}\n',
};
for (const [name, extra] of Object.entries(SPECS)) writeFileSync(join(work, name), readFileSync(join(ROOT, 'samples', name), 'utf8') + extra);

interface Job {
  readonly file: string;
  readonly model: ModelAnalysis;
  readonly out: string;
}

const jobs: Job[] = Object.keys(SPECS).flatMap((name) => {
  const file = join(work, name);
  const analysis = analyze(readFileSync(file, 'utf8'), { file, host: createNodeHost() });
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), [], file);
  return analysis.models.filter((m) => m.kind === 'classical').map((model) => ({ file, model, out: join(work, `${model.name}-sklearn`) }));
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cli(args: readonly string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8' }, (error, stdout, stderr) => {
      const status = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : null) : 0;
      done({ status, stdout, stderr });
    });
  });
}

/** Modelspec's own engines on the same models: accuracy and the test labels' class counts. */
let modelspec: Promise<{ accuracy: number; supports: number[] }[]> | undefined;
function trainWithModelspec() {
  modelspec ??= (async () => {
    const runsDir = join(work, 'runs');
    const results: { accuracy: number; supports: number[] }[] = [];
    for (const j of jobs) {
      const r = await runTraining({ v: PROTOCOL_VERSION, type: 'train', file: j.file, model: j.model.name, runsDir }, { emit: () => {}, signal: new AbortController().signal });
      assert.equal(r.status, 'completed', j.model.name);
      assert.ok(evaluated(r));
      results.push({ accuracy: r.metrics.accuracy, supports: r.metrics.perClass.map((c) => c.support) });
    }
    return results;
  })();
  return modelspec;
}

interface Fitted {
  readonly accuracy: number;
  readonly f1: number;
  readonly params: { trainable: number; nonTrainable: number; total: number };
  readonly torch: null;
  readonly sklearn: string;
}

/** Exports every job with --to sklearn, then runs every train.py in one Python (run_projects.py). */
let fitted: Promise<Fitted[]> | undefined;
function exportAndFit(): Promise<Fitted[]> {
  fitted ??= (async () => {
    const exports = await limited(2, jobs.map((j) => () => cli(['export', j.file, '--model', j.model.name, '--to', 'sklearn', '--out', j.out])));
    jobs.forEach((j, i) => {
      assert.equal(exports[i].status, 0, `${j.model.name}: ${exports[i].stderr}`);
      assert.match(exports[i].stdout, new RegExp(`^Exported ${j.model.name} to .*\\(scikit-learn\\)`));
    });
    const python = await torchPython();
    const manifest = join(work, 'fit-jobs.json');
    writeFileSync(manifest, JSON.stringify(jobs.map((j) => ({ dir: j.out, args: ['--out', 'run'] }))));
    const run = await runPython(python, [join(ROOT, 'tests/export/run_projects.py'), manifest], { timeoutMs: 180_000 });
    assert.equal(run.status, 0, run.stderr);
    const records = JSON.parse(run.stdout) as { status: number; error: string | null }[];
    return jobs.map((j, i) => {
      assert.equal(records[i].status, 0, `${j.model.name}: ${readFileSync(join(j.out, 'train.log'), 'utf8')}\n${records[i].error}`);
      return JSON.parse(readFileSync(join(j.out, 'run', 'metrics.json'), 'utf8')) as Fitted;
    });
  })();
  return fitted;
}

test('the classical models of iris.model and digits.model, and a linear SVM on each', () => {
  assert.deepEqual(
    jobs.map((j) => `${j.model.name}:${j.model.estimator?.entry.name}`),
    [
      'IrisLogReg:logistic_regression',
      'IrisSVM:svm',
      'IrisTree:decision_tree',
      'IrisForest:random_forest',
      'IrisLinearSVM:svm',
      'DigitsLogReg:logistic_regression',
      'DigitsSVM:svm',
      'DigitsTree:decision_tree',
      'DigitsForest:random_forest',
      'DigitsLinearSVM:svm',
    ],
  );
});

test("scikit-learn tests on Modelspec's test split: the same y_test, and predictions for every row", async () => {
  const results = await exportAndFit();
  const trained = await trainWithModelspec();
  jobs.forEach((j, i) => {
    const prepared = prepareFor(j.model.dataset!);
    const yTest = readNpy(join(j.out, 'data/y_test.npy'));
    assert.deepEqual(yTest.shape, [prepared.test.n]);
    assert.deepEqual(yTest.values, [...prepared.test.y], `${j.model.name}: y_test differs from Modelspec's prepared test split`);
    // The split Modelspec's engine evaluated on has the same labels (its per-class supports).
    const counts = prepared.labels.map((_, c) => yTest.values.filter((y) => y === c).length);
    assert.deepEqual(counts, trained[i].supports, j.model.name);
    const predictions = readNpy(join(j.out, 'run/predictions.npy'));
    assert.deepEqual(predictions.shape, [prepared.test.n]);
    const accuracy = predictions.values.filter((p, k) => p === yTest.values[k]).length / prepared.test.n;
    assert.equal(results[i].accuracy, accuracy, `${j.model.name}: metrics.json's accuracy is that of predictions.npy`);
    // The features too: the training rows are Modelspec's, scaled as it scales them.
    const xTrain = readNpy(join(j.out, 'data/x_train.npy'));
    assert.deepEqual(xTrain.shape, [prepared.train.n, ...prepared.shape]);
    assert.ok(xTrain.values.every((v, k) => Math.abs(v - prepared.train.x[k]) < 1e-6), `${j.model.name}: x_train differs`);
  });
});

test("accuracy within 5 points of Modelspec's own engine", async (t) => {
  const results = await exportAndFit();
  const trained = await trainWithModelspec();
  jobs.forEach((j, i) => {
    const ours = trained[i].accuracy;
    const theirs = results[i].accuracy;
    t.diagnostic(`${j.model.name}: Modelspec ${(100 * ours).toFixed(1)} %, scikit-learn ${(100 * theirs).toFixed(1)} %`);
    assert.ok(Math.abs(ours - theirs) <= 0.05, `${j.model.name}: Modelspec ${ours}, scikit-learn ${theirs}`);
    assert.ok(theirs > 0.8, `${j.model.name}: scikit-learn reaches only ${theirs}`);
    assert.equal(results[i].torch, null);
    assert.match(results[i].sklearn, /^\d+\.\d+/);
  });
});

test('logistic regression and linear SVMs learn exactly the numbers the estimate counts; the others at most the bound', async () => {
  const results = await exportAndFit();
  jobs.forEach((j, i) => {
    const { params } = results[i];
    const estimate = j.model.estimator!.estimate;
    assert.deepEqual(params, { trainable: params.total, nonTrainable: 0, total: params.total });
    const linear = j.model.estimator!.entry.name === 'logistic_regression' || j.model.estimator!.args.kernel === 'linear';
    assert.equal(estimate.upperBound, !linear, j.model.name);
    if (linear) assert.equal(BigInt(params.total), estimate.params, `${j.model.name}: scikit-learn learned ${params.total}, the estimate says ${estimate.params}`);
    else assert.ok(params.total > 0 && BigInt(params.total) <= estimate.params, `${j.model.name}: ${params.total} learned, bound ${estimate.params}`);
  });
  // (features + 1) · classes for logistic regression; classes·(classes − 1)/2 machines × (features + 1) for a linear SVM.
  const count = (name: string) => results[jobs.findIndex((j) => j.model.name === name)].params.total;
  assert.deepEqual(['IrisLogReg', 'IrisLinearSVM', 'DigitsLogReg', 'DigitsLinearSVM'].map(count), [15, 15, 650, 2925]);
});

test('the wrong --to fails with exit 1 and file:line:col error export-target', async () => {
  const iris = join(work, 'iris.model');
  const line = (name: string) => readFileSync(iris, 'utf8').split('\n').findIndex((l) => l.startsWith(`model ${name} `)) + 1;
  const neural = await cli(['export', iris, '--model', 'IrisMLP', '--to', 'sklearn', '--out', join(work, 'no-mlp')]);
  assert.equal(neural.status, 1);
  assert.equal(neural.stdout, '');
  assert.equal(neural.stderr, `${iris}:${line('IrisMLP')}:7 error export-target IrisMLP is a neural model: it exports with --to pytorch, not --to sklearn.\n`);
  const classical = await cli(['export', iris, '--model', 'IrisSVM', '--to', 'pytorch', '--out', join(work, 'no-svm')]);
  assert.equal(classical.status, 1);
  assert.equal(classical.stderr, `${iris}:${line('IrisSVM')}:7 error export-target IrisSVM is a classical model (svm): it exports with --to sklearn, not --to pytorch.\n`);
  for (const dir of ['no-mlp', 'no-svm']) assert.equal(existsSync(join(work, dir)), false, `${dir} was not created`);
});

test('a spec with errors exits 1, prints its errors as check does, and exports nothing', async () => {
  const bad = join(work, 'bad.model');
  writeFileSync(bad, 'model Bad {\n  input: [4]\n  classes: 3\n  dense(0)\n  dense(3, activation: softmax, colour: red)\n}\n');
  const run = await cli(['export', bad, '--model', 'Bad', '--out', join(work, 'bad-out')]);
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 3, run.stderr);
  assert.match(lines[0], new RegExp(`^${escape(bad)}:4:9 error value-out-of-range .*units`));
  assert.match(lines[1], new RegExp(`^${escape(bad)}:5:33 error unknown-argument .*colour`));
  assert.equal(lines[2], `modelspec: ${bad} has 2 errors; nothing was exported.`);
  // The very lines `check` prints for the file.
  const check = await cli(['check', bad]);
  assert.equal(check.status, 1);
  assert.deepEqual(check.stdout.trimEnd().split('\n').slice(0, 2), lines.slice(0, 2));
  assert.equal(existsSync(join(work, 'bad-out')), false);
});

test('an unknown --model is a usage error (exit 2) that names the models', async () => {
  const run = await cli(['export', join(work, 'iris.model'), '--model', 'IrisSVN', '--out', join(work, 'none')]);
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^modelspec: .*iris\.model: no model named 'IrisSVN'\. Did you mean 'IrisSVM'\? Models: IrisMLP, IrisLogReg, IrisSVM, IrisTree, IrisForest, IrisLinearSVM\.\n$/);
  assert.equal(existsSync(join(work, 'none')), false);
  // And an unknown target is one too.
  const target = await cli(['export', join(work, 'iris.model'), '--model', 'IrisSVM', '--to', 'onnx']);
  assert.equal(target.status, 2);
  assert.match(target.stderr, /--to must be pytorch or sklearn, not 'onnx'/);
});
