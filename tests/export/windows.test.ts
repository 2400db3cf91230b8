// The training engine computes what PyTorch computes for explicit padding, zero padding and
// adaptive pooling. Each case's spec is built by the engine (tfjs, cpu backend) and run on an
// input of negative numbers (so a max pool padded with zeros instead of −∞ would show); the
// same input and the engine's weights go to PyTorch, whose functional op written here by hand
// (F.max_pool2d(x, 3, 2, padding=1), F.adaptive_avg_pool2d, …) is the reference.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type * as tfTypes from '@tensorflow/tfjs';
import { analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/training/neural/build';
import { mulberry32 } from '../../server/src/util/random';
import { runPython, torchPython } from './python';

interface Case {
  readonly body: string;
  readonly input: readonly number[];
  /** PyTorch on `x` (channels first) and `w`, the engine's weights as tensors in their tfjs layout. */
  readonly torch: string;
  /** The engine layer classes the case must build, so each path (plain pool or custom layer) is the one tested. */
  readonly classes: readonly string[];
}

const CASES: readonly Case[] = [
  { body: 'maxpool2d(3, stride: 2, padding: 1)', input: [9, 9, 2], torch: 'F.max_pool2d(x, 3, 2, padding=1)', classes: ['ModelspecPad', 'MaxPooling2D'] },
  { body: 'maxpool2d([3, 2], stride: [2, 1], padding: [1, 1])', input: [7, 6, 2], torch: 'F.max_pool2d(x, (3, 2), (2, 1), padding=(1, 1))', classes: ['ModelspecPad', 'MaxPooling2D'] },
  { body: 'avgpool2d(3, stride: 1, padding: 1)', input: [6, 6, 2], torch: 'F.avg_pool2d(x, 3, 1, padding=1)', classes: ['ZeroPadding2D', 'AveragePooling2D'] },
  { body: 'maxpool1d(3, stride: 2, padding: 1)', input: [10, 3], torch: 'F.max_pool1d(x, 3, 2, padding=1)', classes: ['ModelspecPad', 'MaxPooling1D'] },
  { body: 'avgpool1d(2, stride: 1, padding: 1)', input: [10, 3], torch: 'F.avg_pool1d(x, 2, 1, padding=1)', classes: ['ModelspecPad', 'AveragePooling1D'] },
  { body: 'zero_padding2d([[1, 0], [0, 3]])', input: [4, 5, 2], torch: 'F.pad(x, (0, 3, 1, 0))', classes: ['ZeroPadding2D'] },
  { body: 'zero_padding2d([2, 1])', input: [4, 5, 2], torch: 'F.pad(x, (1, 1, 2, 2))', classes: ['ZeroPadding2D'] },
  { body: 'zero_padding1d([0, 3])', input: [6, 2], torch: 'F.pad(x, (0, 3))', classes: ['ModelspecPad'] },
  { body: 'adaptive_avgpool2d([6, 6])', input: [13, 13, 2], torch: 'F.adaptive_avg_pool2d(x, (6, 6))', classes: ['ModelspecAdaptivePool'] },
  { body: 'adaptive_maxpool2d([3, 5])', input: [7, 4, 2], torch: 'F.adaptive_max_pool2d(x, (3, 5))', classes: ['ModelspecAdaptivePool'] },
  { body: 'adaptive_avgpool2d([2, 4])', input: [8, 8, 3], torch: 'F.adaptive_avg_pool2d(x, (2, 4))', classes: ['AveragePooling2D'] },
  { body: 'adaptive_maxpool2d(7)', input: [7, 7, 3], torch: 'F.adaptive_max_pool2d(x, 7)', classes: ['MaxPooling2D'] },
  { body: 'adaptive_avgpool1d(4)', input: [10, 3], torch: 'F.adaptive_avg_pool1d(x, 4)', classes: ['ModelspecAdaptivePool'] },
  { body: 'adaptive_maxpool1d(5)', input: [10, 3], torch: 'F.adaptive_max_pool1d(x, 5)', classes: ['MaxPooling1D'] },
  { body: 'adaptive_maxpool1d(3)', input: [7, 3], torch: 'F.adaptive_max_pool1d(x, 3)', classes: ['ModelspecAdaptivePool'] },
  // Convolutions: tfjs keeps kernels [kh, kw, C/g, F] ([k, C/g, F] in 1-D), PyTorch [F, C/g, kh, kw].
  { body: 'conv2d(4, kernel: 3, stride: 2, padding: [1, 2], use_bias: false)', input: [9, 8, 3], torch: 'F.conv2d(x, w[0].permute(3, 2, 0, 1), stride=2, padding=(1, 2))', classes: ['ZeroPadding2D', 'Conv2D'] },
  { body: 'conv1d(4, kernel: 5, stride: 2, padding: 2, use_bias: false)', input: [11, 3], torch: 'F.conv1d(x, w[0].permute(2, 1, 0), stride=2, padding=2)', classes: ['ModelspecPad', 'Conv1D'] },
  {
    body: 'conv2d(4, kernel: 3, dilation: 2, padding: 2, groups: 2, use_bias: false)',
    input: [9, 8, 4],
    torch: 'F.conv2d(x, w[0].permute(3, 2, 0, 1), padding=2, dilation=2, groups=2)',
    classes: ['ZeroPadding2D', 'ModelspecConv'],
  },
  {
    body: 'depthwise_conv2d(kernel: 3, stride: 2, padding: 1, depth_multiplier: 2, use_bias: false)',
    input: [8, 8, 3],
    // [kh, kw, C, m] → [C·m, 1, kh, kw], output channel c·m + j in both.
    torch: 'F.conv2d(x, w[0].permute(2, 3, 0, 1).reshape(6, 1, 3, 3), stride=2, padding=1, groups=3)',
    classes: ['ZeroPadding2D', 'DepthwiseConv2D'],
  },
];

const REFERENCE = `
import json, sys
import torch
import torch.nn.functional as F
cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    n = len(c["input"])
    # channels last -> channels first
    x = torch.tensor(c["x"], dtype=torch.float32).reshape([2] + c["input"])
    x = x.permute(0, n, *range(1, n)).contiguous()
    w = [torch.tensor(v, dtype=torch.float32).reshape(s) for v, s in zip(c["w"], c["wshape"])]
    y = eval(c["torch"])
    y = y.permute(0, *range(2, y.dim()), 1).contiguous()
    out.append({"shape": list(y.shape), "y": y.flatten().tolist()})
print(json.dumps(out))
`;

const dir = mkdtempSync(join(tmpdir(), 'modelspec-windows-'));
after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

test('the engine computes what PyTorch computes: explicit padding, zero padding, adaptive pools', async () => {
  const random = mulberry32(17);
  const runs = CASES.map((c) => {
    const text = `model Case {\n  input: [${c.input.join(', ')}]\n  ${c.body}\n}\n`;
    const analysis = analyze(text, { file: join(dir, 'case.model') });
    assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), [], c.body);
    const model = analysis.models[0];
    const net = buildModel(tf, model);
    const classes = net.layers.slice(1).map((l) => l.getClassName());
    assert.deepEqual(classes, [...c.classes], `${c.body}: engine layers`);
    const n = 2 * c.input.reduce((a, b) => a * b, 1);
    const x = Array.from({ length: n }, () => -1 - 5 * random());
    const y = net.predict(tf.tensor(x, [2, ...c.input])) as tfTypes.Tensor;
    const weights = net.getWeights();
    const run = {
      c,
      x,
      shape: y.shape,
      y: Array.from(y.dataSync()),
      w: weights.map((t) => Array.from(t.dataSync())),
      wshape: weights.map((t) => t.shape),
      expected: [2, ...model.outputShape!],
    };
    net.dispose();
    y.dispose();
    return run;
  });
  const manifest = join(dir, 'cases.json');
  writeFileSync(manifest, JSON.stringify(runs.map((r) => ({ input: r.c.input, x: r.x, w: r.w, wshape: r.wshape, torch: r.c.torch }))));
  const script = join(dir, 'reference.py');
  writeFileSync(script, REFERENCE);
  const result = await runPython(await torchPython(), [script, manifest], { timeoutMs: 120_000 });
  assert.equal(result.status, 0, result.stderr);
  const reference = JSON.parse(result.stdout) as { shape: number[]; y: number[] }[];
  runs.forEach((r, i) => {
    assert.deepEqual(r.shape, r.expected, `${r.c.body}: the engine's shape is the estimate's`);
    assert.deepEqual(reference[i].shape, r.expected, `${r.c.body}: PyTorch's shape is the estimate's`);
    let worst = 0;
    r.y.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - reference[i].y[j]))));
    assert.ok(worst < 1e-4, `${r.c.body}: the engine differs from PyTorch by up to ${worst}`);
  });
});
