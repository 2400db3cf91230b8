// Every model of every bundled sample exports with the CLI (`dist/cli.js export`; run
// `npm run build` first, as `npm test` does): neural ones to PyTorch, classical ones to
// scikit-learn. Every .py compiles, every project trains (one epoch for neural models) and
// writes metrics.json with the documented fields, and the published models have the
// parameter counts their authors and torchvision give.
//
// GPT-2 small is exported, compiled, built, and run forwards and backwards on a short
// sequence, but its train.py is not run: one epoch of its 2 placeholder samples of 1,024
// tokens took 159 s of training (199 s in all, 6.3 GB resident) on the 2-core test machine,
// where Debian's PyTorch uses one thread unless told otherwise (168 s and 212 s with
// --threads 2, the machine being shared). A miniature of the same spec (the sample's text with
// smaller sizes) trains in its place, so the path GPT-2 alone takes (a label per position, a
// tied output) still runs end to end.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { analyze } from '../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../server/src/analysis/model';
import { createNodeHost } from '../../server/src/data/nodeHost';
import { limited, runPython, torchPython, type PythonRun } from './python';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const SAMPLES = join(ROOT, 'samples');
const work = mkdtempSync(join(tmpdir(), 'modelspec-export-samples-'));
// The scratch folder goes when the file's tests are done (VGG16's model and checkpoint alone are 1.6 GB).
after(() => rmSync(work, { recursive: true, force: true }));

/** The GPT-2 sample at miniature scale: the same layers and settings, small enough to train in a second. */
function miniatureGpt2(): string {
  let text = readFileSync(join(SAMPLES, 'gpt2-small.model'), 'utf8');
  const replace = (from: RegExp, to: string) => {
    assert.match(text, from, `gpt2-small.model no longer has ${from}`);
    text = text.replace(from, to);
  };
  replace(/model GPT2Small \{/, 'model MiniGPT2 {');
  replace(/input: \[1024\]/, 'input: [16]');
  replace(/classes: 50257/, 'classes: 64');
  replace(/embedding\(50257, 768\)/, 'embedding(64, 16)');
  replace(/positional_embedding\(1024\)/, 'positional_embedding(16)');
  replace(/repeat 12 \{/, 'repeat 2 {');
  replace(/heads: 12, ff: 3072/, 'heads: 2, ff: 32');
  replace(/dense\(50257,/, 'dense(64,');
  replace(/batch_size: 512/, 'batch_size: 4');
  return text;
}

interface Job {
  readonly file: string;
  readonly model: ModelAnalysis;
  readonly out: string;
  /** Whether train.py runs here (all but GPT-2 small, see above). */
  readonly trains: boolean;
}

const miniFile = join(work, 'mini-gpt2.model');
writeFileSync(miniFile, miniatureGpt2());
const files = [...readdirSync(SAMPLES).filter((f) => f.endsWith('.model')).sort().map((f) => join(SAMPLES, f)), miniFile];
const jobs: Job[] = files.flatMap((file) => {
  const analysis = analyze(readFileSync(file, 'utf8'), { file, host: createNodeHost() });
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), [], file);
  return analysis.models.map((model) => ({ file, model, out: join(work, model.name), trains: model.name !== 'GPT2Small' }));
});

function cli(args: readonly string[]): Promise<PythonRun> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const status = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : null) : 0;
      done({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

let exported: Promise<PythonRun[]> | undefined;
function exportAll(): Promise<PythonRun[]> {
  exported ??= limited(
    2,
    jobs.map((j) => () => cli(['export', j.file, '--model', j.model.name, '--out', j.out, '--json'])),
  );
  return exported;
}

/** How a project's train.py ran: its exit status, time, and a traceback when it failed. */
interface TrainRun {
  readonly status: number | null;
  readonly ms: number;
  readonly output: string;
  /** A separate `python train.py ...` process, or one of the runs sharing run_projects.py's interpreter. */
  readonly how: 'process' | 'shared';
}

/** Projects whose train.py runs as a process of its own, exactly as the README says; the others share one interpreter. */
const OWN_PROCESS = new Set(['DigitsCNN', 'IrisSVM']);

function trainArgs(j: Job): string[] {
  return j.model.kind === 'neural' ? ['--epochs', '1', '--out', 'run'] : ['--out', 'run'];
}

let trained: Promise<TrainRun[]> | undefined;
/**
 * train.py of every project but GPT-2 small's. Importing torch or scikit-learn costs 1.5-2 s,
 * more than most of these runs, so all but two run in one interpreter (run_projects.py runs
 * each as __main__ with its argv, from its folder); DigitsCNN and IrisSVM run as
 * `python train.py ...` processes, the way a user runs them.
 */
function trainAll(): Promise<TrainRun[]> {
  trained ??= (async () => {
    await exportAll();
    const python = await torchPython();
    const results: TrainRun[] = new Array(jobs.length);
    const shared = jobs.map((j, i) => ({ j, i })).filter(({ j }) => j.trains && !OWN_PROCESS.has(j.model.name));
    const manifest = join(work, 'train-jobs.json');
    writeFileSync(manifest, JSON.stringify(shared.map(({ j }) => ({ dir: j.out, args: trainArgs(j) }))));
    const together = (async () => {
      const run = await runPython(python, [join(ROOT, 'tests/export/run_projects.py'), manifest], { timeoutMs: 300_000 });
      assert.equal(run.status, 0, `run_projects.py failed:\n${run.stderr}`);
      const records = JSON.parse(run.stdout) as { dir: string; status: number; ms: number; error: string | null }[];
      shared.forEach(({ j, i }, k) => {
        assert.equal(records[k].dir, j.out);
        const log = readFileSync(join(j.out, 'train.log'), 'utf8');
        results[i] = { status: records[k].status, ms: records[k].ms, output: `${log}\n${records[k].error ?? ''}`, how: 'shared' };
      });
    })();
    const alone = jobs.map(async (j, i) => {
      if (!j.trains || !OWN_PROCESS.has(j.model.name)) return;
      const run = await runPython(python, ['train.py', ...trainArgs(j)], { cwd: j.out, timeoutMs: 180_000 });
      results[i] = { status: run.status, ms: run.ms, output: `${run.stdout}\n${run.stderr}`, how: 'process' };
    });
    await Promise.all([together, ...alone]);
    return results;
  })();
  return trained;
}

test('the samples hold neural and classical models, all of them exported here', () => {
  const names = jobs.map((j) => j.model.name);
  for (const name of ['DigitsCNN', 'DigitsSVM', 'GPT2Small', 'IrisForest', 'LeNet5', 'ResNet50', 'VGG16', 'WavesBiGRU', 'TokenTransformer']) assert.ok(names.includes(name), name);
  assert.ok(jobs.some((j) => j.model.kind === 'classical'));
  assert.equal(new Set(names).size, names.length, 'model names are unique across the samples');
});

test('every model of every sample exports with the CLI: neural ones to PyTorch, classical ones to scikit-learn', async () => {
  const runs = await exportAll();
  jobs.forEach((j, i) => {
    const run = runs[i];
    assert.equal(run.status, 0, `${basename(j.file)} ${j.model.name}: ${run.stderr}`);
    const out = JSON.parse(run.stdout) as { model: string; target: string; dir: string; files: string[]; params: { total: number; buffers: number } | null };
    assert.equal(out.model, j.model.name);
    assert.equal(out.dir, j.out);
    const neural = j.model.kind === 'neural';
    assert.equal(out.target, neural ? 'pytorch' : 'sklearn', j.model.name);
    for (const f of ['model.py', 'data.py', 'train.py', 'README.md']) {
      assert.ok(out.files.includes(f), `${j.model.name}: ${f}`);
      assert.ok(existsSync(join(j.out, f)), `${j.model.name}: ${f} written`);
    }
    if (neural) assert.deepEqual(out.params, { total: Number(j.model.totals.torch.params), buffers: Number(j.model.totals.torch.buffers) }, j.model.name);
    else assert.equal(out.params, null);
    // Models with a dataset carry it; the published ones have none, and get placeholders.
    assert.equal(out.files.includes('data/x_train.npy'), j.model.dataset !== undefined, j.model.name);
  });
});

test('every .py of every exported project compiles (python -m py_compile)', async () => {
  await exportAll();
  const python = await torchPython();
  const sources = jobs.flatMap((j) => readdirSync(j.out).filter((f) => f.endsWith('.py')).map((f) => join(j.out, f)));
  assert.equal(sources.length, jobs.length * 3);
  // py_compile writes __pycache__ next to the files; fine in a scratch folder.
  const run = await runPython(python, ['-m', 'py_compile', ...sources]);
  assert.equal(run.status, 0, run.stderr);
});

test('train.py trains every neural model one epoch and fits every classical one, writing metrics.json', async (t) => {
  const runs = await trainAll();
  jobs.forEach((j, i) => runs[i] && t.diagnostic(`${j.model.name}: train.py ${(runs[i].ms / 1000).toFixed(1)} s (${runs[i].how})`));
  assert.deepEqual(jobs.filter((_, i) => runs[i]?.how === 'process').map((j) => j.model.name).sort(), [...OWN_PROCESS].sort());
  jobs.forEach((j, i) => {
    if (!j.trains) return;
    const run = runs[i];
    assert.equal(run.status, 0, `${basename(j.file)} ${j.model.name} (${run.how}, ${Math.round(run.ms)} ms):\n${run.output}`);
    const metrics = JSON.parse(readFileSync(join(j.out, 'run', 'metrics.json'), 'utf8'));
    const neural = j.model.kind === 'neural';
    for (const field of ['accuracy', 'f1', 'params', 'trainMs', 'epochs', 'device', 'worldSize', 'torch']) assert.ok(field in metrics, `${j.model.name}: metrics.json lacks ${field}`);
    assert.ok(metrics.accuracy >= 0 && metrics.accuracy <= 1, `${j.model.name}: accuracy ${metrics.accuracy}`);
    assert.ok(metrics.f1 >= 0 && metrics.f1 <= 1, `${j.model.name}: f1 ${metrics.f1}`);
    assert.deepEqual(Object.keys(metrics.params).sort(), ['nonTrainable', 'total', 'trainable']);
    assert.equal(metrics.params.total, metrics.params.trainable + metrics.params.nonTrainable);
    assert.ok(metrics.trainMs > 0);
    assert.equal(metrics.epochs, 1);
    assert.equal(metrics.worldSize, 1);
    assert.equal(typeof metrics.device, 'string');
    if (neural) {
      // PyTorch's count of the trained module is the estimate's, exactly.
      assert.equal(BigInt(metrics.params.total), j.model.totals.torch.params, `${j.model.name}: trained ${metrics.params.total}, estimated ${j.model.totals.torch.params}`);
      assert.equal(BigInt(metrics.buffers), j.model.totals.torch.buffers, j.model.name);
      assert.match(metrics.torch, /^\d+\.\d+/);
      assert.match(metrics.device, /^cpu/);
    } else {
      assert.equal(metrics.torch, null);
      // Learned numbers after fitting: the estimate is exact for logistic regression, an upper bound for the others.
      const estimate = j.model.totals.total;
      if (j.model.estimator?.entry.name === 'logistic_regression') assert.equal(BigInt(metrics.params.total), estimate, j.model.name);
      else assert.ok(metrics.params.total > 0 && BigInt(metrics.params.total) <= estimate, `${j.model.name}: ${metrics.params.total} learned numbers, bound ${estimate}`);
    }
    // A fit is complete, so a classical model on real data beats chance (one epoch of a network need not).
    if (!neural) assert.ok(metrics.accuracy > 1 / j.model.classes!, `${j.model.name}: accuracy ${metrics.accuracy}`);
    for (const f of ['predictions.npy', neural ? 'model.pt' : 'model.pkl']) assert.ok(existsSync(join(j.out, 'run', f)), `${j.model.name}: run/${f}`);
  });
});

test("published parameter counts: torchvision's ResNet-50 and VGG16, LeNet-5, Hugging Face's GPT-2 small", async () => {
  await exportAll();
  const python = await torchPython();
  const project = (name: string) => jobs.find((j) => j.model.name === name)!.out;
  // Besides the totals, ResNet-50 and VGG16 must hold the very same tensors as torchvision's
  // (the multiset of parameter shapes), and GPT-2 must run a short sequence.
  const script = `
import collections, importlib.util, json, sys, torch, torchvision

def load(name, folder):
    spec = importlib.util.spec_from_file_location(name, folder + "/model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_model()

def count(model):
    return sum(p.numel() for p in model.parameters())

def shapes(model):
    return collections.Counter(tuple(p.shape) for p in model.parameters())

def buffers(model):
    return sum(b.numel() for b in model.buffers() if b.is_floating_point())

class no_init:
    """Counting needs no random weights: skipping torch.nn.init's fills saves seconds on VGG16's 138 M."""

    def __enter__(self):
        self.saved = {k: v for k, v in vars(torch.nn.init).items() if k.endswith("_") and not k.startswith("_") and callable(v)}
        for k in self.saved:
            setattr(torch.nn.init, k, lambda tensor, *args, **kwargs: tensor)

    def __exit__(self, *exc):
        for k, v in self.saved.items():
            setattr(torch.nn.init, k, v)

out = {}
for name, reference in (("ResNet50", torchvision.models.resnet50), ("VGG16", torchvision.models.vgg16)):
    with no_init():
        ours, theirs = load(name, sys.argv[1] if name == "ResNet50" else sys.argv[2]), reference()
    out[name] = {"ours": count(ours), "torchvision": count(theirs), "sameShapes": shapes(ours) == shapes(theirs),
                 "buffers": buffers(ours), "torchvisionBuffers": buffers(theirs)}
    del ours, theirs
out["LeNet5"] = {"ours": count(load("LeNet5", sys.argv[3]))}
torch.manual_seed(0)
gpt = load("GPT2Small", sys.argv[4]).eval()
probabilities = gpt(torch.randint(0, 50257, (1, 8)).float())
# train.py's loss (cross-entropy of probabilities clipped to [1e-7, 1 - 1e-7]) on random next
# tokens: at initialisation it must be near ln(50257) = 10.8, with a gradient, not stuck at
# its ceiling -ln(1e-7) = 16.1 with none.
labels = torch.randint(0, 50257, (1, 8, 1))
loss = -(probabilities / probabilities.sum(-1, keepdim=True)).clamp(1e-7, 1 - 1e-7).log().gather(-1, labels).mean()
loss.backward()
gradient = sum(float(p.grad.norm()) ** 2 for p in gpt.parameters() if p.grad is not None) ** 0.5
out["GPT2Small"] = {"ours": count(gpt), "shape": list(probabilities.shape), "sums": float(probabilities.sum(-1).mean()),
                    "loss": float(loss), "gradient": gradient}
print(json.dumps(out))
`;
  const run = await runPython(python, ['-c', script, project('ResNet50'), project('VGG16'), project('LeNet5'), project('GPT2Small')], { timeoutMs: 180_000 });
  assert.equal(run.status, 0, run.stderr);
  const r = JSON.parse(run.stdout);
  assert.equal(r.ResNet50.torchvision, 25_557_032);
  assert.equal(r.ResNet50.ours, 25_557_032);
  assert.equal(r.ResNet50.sameShapes, true, 'ResNet-50 holds the same parameter tensors as torchvision.models.resnet50()');
  // 53,120 batch-norm running means and variances, as the sample's comment says (torchvision's too).
  assert.equal(r.ResNet50.buffers, 53_120);
  assert.equal(r.ResNet50.torchvisionBuffers, 53_120);
  assert.equal(r.VGG16.torchvision, 138_357_544);
  assert.equal(r.VGG16.ours, 138_357_544);
  assert.equal(r.VGG16.sameShapes, true, 'VGG16 holds the same parameter tensors as torchvision.models.vgg16()');
  assert.equal(r.LeNet5.ours, 61_706);
  assert.equal(r.GPT2Small.ours, 124_439_808);
  assert.deepEqual(r.GPT2Small.shape, [1, 8, 50257]);
  assert.ok(Math.abs(r.GPT2Small.sums - 1) < 1e-4, `GPT-2's outputs are distributions over the vocabulary (sum ${r.GPT2Small.sums})`);
  // It can learn: with nn.Embedding's N(0, 1) table the tied output saturated every softmax (loss 16.1, gradient 0).
  assert.ok(r.GPT2Small.loss > 9 && r.GPT2Small.loss < 13, `GPT-2's initial loss ${r.GPT2Small.loss}`);
  assert.ok(r.GPT2Small.gradient > 0, `GPT-2's initial gradient norm ${r.GPT2Small.gradient}`);
  // And the estimates agree with all four.
  const estimate = (name: string) => jobs.find((j) => j.model.name === name)!.model.totals.torch.params;
  assert.deepEqual(['ResNet50', 'VGG16', 'LeNet5', 'GPT2Small'].map(estimate), [25_557_032n, 138_357_544n, 61_706n, 124_439_808n]);
});
