// torchvision's AlexNet and VGG16, written as torchvision defines them (explicit padding,
// adaptive average pooling; tests/fixtures/torchvision/, whose estimates
// tests/unit/samples/torchvision.test.ts checks), are exact: the exported model.py holds the same parameter tensors
// as torchvision.models.alexnet() / vgg16(), whose multiply-accumulates, counted by the forward
// hooks of tests/export/measure_torch.py on both, equal the estimate's.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { projectFiles } from '../../server/src/export/project';
import { runPython, torchPython } from './python';

const ROOT = resolve(__dirname, '../..');
const FIXTURES = join(ROOT, 'tests/fixtures/torchvision');
const dir = mkdtempSync(join(tmpdir(), 'modelspec-torchvision-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const MODELS = [
  { file: 'alexnet.model', name: 'AlexNet', reference: 'alexnet', params: 61_100_840n, macs: 714_188_480n },
  { file: 'vgg16.model', name: 'VGG16', reference: 'vgg16', params: 138_357_544n, macs: 15_470_264_320n },
];

const SCRIPT = `
import importlib.util, json, sys
import torch, torchvision

def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

measure = load(sys.argv[1], "measure_torch")
out = {}
for name, path, reference in zip(sys.argv[2::3], sys.argv[3::3], sys.argv[4::3]):
    torch.manual_seed(0)
    ours = load(path, name).build_model().eval()
    theirs = getattr(torchvision.models, reference)().eval()
    shapes = lambda m: sorted(tuple(p.shape) for p in m.parameters())
    count = lambda m: sum(p.numel() for p in m.parameters())
    ours_macs, ours_out = measure.count_macs(ours, torch.zeros(measure.N, 224, 224, 3))
    theirs_macs, theirs_out = measure.count_macs(theirs, torch.zeros(measure.N, 3, 224, 224))
    out[name] = {"params": count(ours), "torchvisionParams": count(theirs), "sameShapes": shapes(ours) == shapes(theirs),
                 "macs": ours_macs, "torchvisionMacs": theirs_macs, "shape": list(ours_out.shape), "torchvisionShape": list(theirs_out.shape)}
    del ours, theirs
print(json.dumps(out))
`;

const analysed = MODELS.map((m) => {
  const file = join(FIXTURES, m.file);
  const text = readFileSync(file, 'utf8');
  const analysis = analyze(text, { file });
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), [], m.file);
  return { ...m, text, analysis, model: analysis.models.find((x) => x.name === m.name)! };
});

test('exported to PyTorch, they hold torchvision’s parameter tensors, and the hooks count the estimated MACs on both', async () => {
  const args: string[] = [join(ROOT, 'tests/export/measure_torch.py')];
  for (const m of analysed) {
    const files = projectFiles({ analysis: m.analysis, text: m.text, model: m.name, outDir: dir, version: 'test' });
    const path = join(dir, `${m.name}.py`);
    writeFileSync(path, files.find((f) => f.path === 'model.py')!.data as string);
    args.push(m.name, path, m.reference);
  }
  const script = join(dir, 'torchvision_check.py');
  writeFileSync(script, SCRIPT);
  const run = await runPython(await torchPython(), [script, ...args], { timeoutMs: 300_000 });
  assert.equal(run.status, 0, run.stderr);
  const r = JSON.parse(run.stdout) as Record<string, { params: number; torchvisionParams: number; sameShapes: boolean; macs: number; torchvisionMacs: number; shape: number[]; torchvisionShape: number[] }>;
  for (const m of analysed) {
    const got = r[m.name];
    assert.equal(BigInt(got.torchvisionParams), m.params, `torchvision's ${m.reference} has ${got.torchvisionParams} parameters`);
    assert.equal(BigInt(got.params), m.params, `${m.name}'s model.py has ${got.params} parameters`);
    assert.equal(got.sameShapes, true, `${m.name} holds the same parameter tensors as torchvision.models.${m.reference}()`);
    assert.equal(BigInt(got.torchvisionMacs), m.macs, `torchvision's ${m.reference}: ${got.torchvisionMacs} MACs by the hooks`);
    // Within 1 % as the issue asks, and in fact to the unit.
    const estimate = Number(m.model.totals.macs);
    assert.ok(Math.abs(got.macs - estimate) <= 0.01 * estimate, `${m.name}: hooks ${got.macs}, estimate ${estimate}`);
    assert.equal(BigInt(got.macs), m.model.totals.macs, m.name);
    assert.deepEqual(got.shape, [2, 1000]);
    assert.deepEqual(got.torchvisionShape, [2, 1000]);
  }
});
