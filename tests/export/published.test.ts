// The published transformers of publishedTransformers.ts, exported to PyTorch and measured
// against the originals: torchvision's vit_b_16 (parameters, and multiply-accumulates
// counted on the very ops both models execute), and Hugging Face's bert-base-uncased
// (transformers is not installed here, so its parameter tensors are listed from
// modeling_bert.py's modules for the published config, and the total is the model card's).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { projectFiles } from '../../server/src/export/project';
import { BERT_BASE, VIT_B_16 } from './publishedTransformers';
import { runPython, torchPython } from './python';

const dir = mkdtempSync(join(tmpdir(), 'modelspec-published-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function exportModel(text: string, name: string) {
  const file = join(dir, `${name}.model`);
  writeFileSync(file, text);
  const analysis = analyze(text, { file });
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const model = analysis.models[0];
  const source = projectFiles({ analysis, text, model: model.name, outDir: dir, version: 'test' }).find((f) => f.path === 'model.py')!.data as string;
  const path = join(dir, `${name}.py`);
  writeFileSync(path, source);
  return { model, path };
}

// Multiply-accumulates of the matrix products and convolutions a forward pass dispatches,
// whoever wrote the model: an independent count of what runs, not of what a formula says.
// Gradients stay enabled so that nn.MultiheadAttention takes its decomposed path (its
// inference fast path is a single opaque op).
const SCRIPT = String.raw`
import collections, importlib.util, json, math, sys, torch, torchvision
from torch.utils._python_dispatch import TorchDispatchMode

aten = torch.ops.aten
torch.set_num_threads(1)

class Macs(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.total = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        op = func.overloadpacket
        if op in (aten.mm, aten.addmm):
            a, b = (args[1], args[2]) if op is aten.addmm else (args[0], args[1])
            self.total += a.shape[0] * a.shape[1] * b.shape[1]
        elif op in (aten.bmm, aten.baddbmm):
            a, b = (args[1], args[2]) if op is aten.baddbmm else (args[0], args[1])
            self.total += a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2]
        elif op is aten.convolution:
            self.total += out.numel() * args[1].shape[1] * math.prod(args[1].shape[2:])
        elif "scaled_dot_product" in op.__name__:  # PyTorch 2's fused attention: Q.K^T and weights.V
            q, k = args[0], args[1]
            self.total += 2 * math.prod(q.shape[:-1]) * k.shape[-2] * q.shape[-1]
        return out

def load(path):
    spec = importlib.util.spec_from_file_location("model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_model()

def macs(model, x):
    model.eval()
    with Macs() as counter:
        model(x)
    return counter.total

def count(model):
    return sum(p.numel() for p in model.parameters())

torch.manual_seed(0)
ours = load(sys.argv[1])
theirs = torchvision.models.vit_b_16()
image = torch.randn(1, 224, 224, 3)
vit = {"ours": count(ours), "torchvision": count(theirs),
       "oursMacs": macs(ours, image), "torchvisionMacs": macs(theirs, image.permute(0, 3, 1, 2))}
del ours, theirs

bert = load(sys.argv[2])
# BertModel's parameter tensors for bert-base-uncased's config (modeling_bert.py: BertEmbeddings,
# 12 BertLayers of BertSelfAttention, BertSelfOutput, BertIntermediate, BertOutput, BertPooler).
d, ff = 768, 3072
hf = [(30522, d), (512, d), (2, d), (d,), (d,)]
for _ in range(12):
    hf += [(d, d), (d,)] * 4 + [(d,), (d,)] + [(ff, d), (ff,), (d, ff), (d,)] + [(d,), (d,)]
hf += [(d, d), (d,)]
ids = torch.randint(0, 30522, (1, 512)).float()
bert.eval()
with torch.no_grad(), Macs() as counter:
    pooled = bert(ids)
shapes = collections.Counter(tuple(p.shape) for p in bert.parameters())
print(json.dumps({"vit": vit, "bert": {"ours": count(bert), "hf": sum(math.prod(s) for s in hf),
                  "sameShapes": shapes == collections.Counter(hf), "shape": list(pooled.shape), "macs": counter.total,
                  "tanh": bool(pooled.abs().max() <= 1)}}))
`;

test("ViT-B/16 and BERT-base export to PyTorch with torchvision's and Hugging Face's parameters and MACs", async () => {
  const vit = exportModel(VIT_B_16, 'vit');
  const bert = exportModel(BERT_BASE, 'bert');
  const run = await runPython(await torchPython(), ['-c', SCRIPT, vit.path, bert.path], { timeoutMs: 300_000 });
  assert.equal(run.status, 0, run.stderr);
  const r = JSON.parse(run.stdout);
  assert.equal(r.vit.torchvision, 86_567_656);
  assert.equal(r.vit.ours, 86_567_656);
  assert.equal(r.vit.torchvisionMacs, 17_563_828_224);
  assert.equal(r.vit.oursMacs, 17_563_828_224);
  assert.equal(vit.model.totals.torch.params, 86_567_656n);
  assert.equal(vit.model.totals.macs, 17_563_828_224n);

  assert.equal(r.bert.hf, 109_482_240);
  assert.equal(r.bert.ours, 109_482_240);
  assert.equal(r.bert.sameShapes, true, "the export holds the very tensors of Hugging Face's BertModel");
  assert.deepEqual(r.bert.shape, [1, 768]);
  assert.equal(r.bert.tanh, true);
  assert.equal(bert.model.totals.torch.params, 109_482_240n);
  // BertModel's matrix products at 512 tokens: per layer Q, K, V, output 4·512·768², Q·Kᵀ and
  // weights·V 2·512²·768, intermediate and output 2·512·768·3072; pooler 768².
  const bertMacs = 12 * (4 * 512 * 768 * 768 + 2 * 512 * 512 * 768 + 2 * 512 * 768 * 3072) + 768 * 768;
  assert.equal(bertMacs, 48_318_971_904);
  assert.equal(r.bert.macs, bertMacs);
  assert.equal(bert.model.totals.macs, BigInt(bertMacs));
});
