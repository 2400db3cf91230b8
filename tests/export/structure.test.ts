// Published architectures that need concat, if, in_channels and repeat 0, written with
// blocks (tests/export/architectures/), against torchvision's published parameter counts
// and against torchvision itself: its models are built and measured in PyTorch with the
// same forward hooks as exports (measure_torchvision.py), and each spec's PyTorch export is
// imported and measured (measure_torch.py). Parameters and batch-norm buffers must be
// exact; multiply-accumulates within 1 % (they are in fact equal, which is asserted too).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { createNodeHost } from '../../server/src/data/nodeHost';
import { projectFiles } from '../../server/src/export/project';
import { runPython, torchPython } from './python';

interface Architecture {
  readonly file: string;
  readonly torchvision: string;
  /** torchvision's documentation (weights' num_params), the independent reference. */
  readonly published: bigint;
}

const ARCHITECTURES: readonly Architecture[] = [
  { file: 'squeezenet1_0.model', torchvision: 'squeezenet1_0', published: 1_248_424n },
  { file: 'mobilenet_v2.model', torchvision: 'mobilenet_v2', published: 3_504_872n },
  { file: 'densenet121.model', torchvision: 'densenet121', published: 7_978_856n },
  { file: 'googlenet.model', torchvision: 'googlenet', published: 6_624_904n },
];

const HERE = resolve(__dirname);
const dir = mkdtempSync(join(tmpdir(), 'modelspec-export-structure-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const analysed = ARCHITECTURES.map((arch, id) => {
  const file = join(HERE, 'architectures', arch.file);
  const text = readFileSync(file, 'utf8');
  const analysis = analyze(text, { file, host: createNodeHost() });
  const model = analysis.models[0];
  const path = join(dir, `arch_${id}.py`);
  const problems = analysis.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${arch.file}:${d.range.start.line + 1}: ${d.code} ${d.message}`);
  if (!problems.length) {
    const files = projectFiles({ analysis, text, model: model.name, outDir: dir, version: 'test' });
    writeFileSync(path, files.find((f) => f.path === 'model.py')!.data as string);
  }
  return { arch, id, model, path, problems };
});

interface Measured {
  readonly params: number;
  readonly buffers: number;
  readonly macs: number;
  readonly shape?: number[];
  readonly unused?: string[];
  readonly error?: string;
}

let measured: Promise<{ exports: Measured[]; torchvision: Record<string, Measured> }> | undefined;
function measure() {
  measured ??= (async () => {
    const python = await torchPython();
    const cases = join(dir, 'cases.json');
    writeFileSync(cases, JSON.stringify(analysed.map((a) => ({ id: a.id, path: a.path }))));
    const [exports, reference] = await Promise.all([
      runPython(python, [join(HERE, 'measure_torch.py'), cases], { timeoutMs: 600_000 }),
      runPython(python, [join(HERE, 'measure_torchvision.py'), ...ARCHITECTURES.map((a) => a.torchvision)], { timeoutMs: 600_000 }),
    ]);
    assert.equal(exports.status, 0, exports.stderr);
    assert.equal(reference.status, 0, reference.stderr);
    return { exports: JSON.parse(exports.stdout) as Measured[], torchvision: JSON.parse(reference.stdout) as Record<string, Measured> };
  })();
  return measured;
}

function withinOnePercent(actual: bigint, expected: bigint, what: string): void {
  const diff = actual > expected ? actual - expected : expected - actual;
  assert.ok(diff * 100n <= expected, `${what}: ${actual} is not within 1% of ${expected}`);
}

for (const a of analysed) {
  test(`${a.arch.file}: checks clean and has torchvision's published ${a.arch.published.toLocaleString('en-US')} parameters`, () => {
    assert.deepEqual(a.problems, []);
    assert.ok(a.model.complete);
    assert.equal(a.model.totals.trainable, a.arch.published);
    assert.deepEqual(a.model.outputShape, [1000]);
  });

  test(`${a.arch.file}: parameters, buffers and MACs equal torchvision's, measured in PyTorch`, async () => {
    const { torchvision } = await measure();
    const ref = torchvision[a.arch.torchvision];
    assert.equal(BigInt(ref.params), a.arch.published, 'torchvision still has its published count');
    assert.equal(a.model.totals.trainable, BigInt(ref.params));
    assert.equal(a.model.totals.nonTrainable, BigInt(ref.buffers), 'batch-norm running statistics');
    withinOnePercent(a.model.totals.macs, BigInt(ref.macs), 'MACs');
    assert.equal(a.model.totals.macs, BigInt(ref.macs));
  });

  test(`${a.arch.file}: the PyTorch export has the same parameters, buffers and MACs, every parameter used`, async () => {
    const m = (await measure()).exports[a.id];
    assert.equal(m.error, undefined, m.error);
    assert.equal(BigInt(m.params), a.model.totals.torch.params);
    assert.equal(BigInt(m.params), a.arch.published);
    assert.equal(BigInt(m.buffers), a.model.totals.torch.buffers);
    assert.equal(BigInt(m.macs), a.model.totals.macs);
    assert.deepEqual(m.shape, [2, 1000]);
    assert.deepEqual(m.unused, []);
  });
}
