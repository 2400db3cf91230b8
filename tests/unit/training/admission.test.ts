// Memory admission's arithmetic (issue 13): the estimated training memory, in the convention
// of the engine that trains, plus the engine's own overhead, against a machine whose memory
// the tests set; the refusal's numbers, parts and the batch size that would fit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../../server/src/analysis/model';
import { memoryIn } from '../../../server/src/analysis/paramCounts';
import {
  candidatePlans,
  checkBeforeLaunch,
  checkMemory,
  ENGINE_OVERHEAD,
  enginePlan,
  machineMemory,
  memoryNeed,
  refusalText,
  type MachineMemory,
} from '../../../server/src/training/admission';
import type { PythonSearch } from '../../../server/src/training/torch/python';
import { formatBytes } from '../../../server/src/util/format';

const MiB = 1024 * 1024;

function model(layers: string, train = 'batch_size: 8000', data = 'synthetic(kind: spirals, samples: 10000, classes: 2)'): ModelAnalysis {
  const section = train ? `  train {\n    ${train}\n  }\n` : '';
  const text = `dataset S {\n  source: ${data}\n}\nmodel M {\n  data: S\n${layers}\n${section}}\n`;
  const a = analyze(text, { file: '/virtual/admission.model' });
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  return a.models[0];
}

// 2 → 1000 → 2 on 8,000 training samples: 5,002 params, 1,002 activations (4,008 B) per sample.
const wide = () => model('  dense(1000, activation: relu)\n  dense(2, activation: softmax)');
const STATE = 5002n * 4n * 4n; // weights + gradients + Adam's two slots
const PER_SAMPLE = 1002n * 4n;
const machine = (available: number, total = 2 * available): MachineMemory => ({ available, total });

test('TensorFlow.js: estimate + its process against the available memory; admitted when it fits', () => {
  const m = wide();
  const need = memoryNeed(m, { engine: 'tfjs' });
  assert.equal(need.memory.training, STATE + PER_SAMPLE * 8000n);
  assert.equal(need.overhead, ENGINE_OVERHEAD.tfjs);
  assert.equal(need.host, STATE + PER_SAMPLE * 8000n + ENGINE_OVERHEAD.tfjs);
  assert.equal(checkMemory(m, [{ engine: 'tfjs' }], machine(Number(need.host))), undefined, 'exactly enough is enough');
  assert.ok(checkMemory(m, [{ engine: 'tfjs' }], machine(Number(need.host) - 1)), 'one byte short is refused');
});

test('a refusal gives the estimate, what is available, the biggest parts and the batch size that fits', () => {
  const m = wide();
  const available = Number(ENGINE_OVERHEAD.tfjs) + 20 * MiB;
  const r = checkMemory(m, [{ engine: 'tfjs' }], machine(available, 4 * available))!;
  assert.ok(r);
  // The largest batch with state + batch × activations + overhead ≤ available.
  const fits = Math.floor((available - Number(STATE) - Number(ENGINE_OVERHEAD.tfjs)) / Number(PER_SAMPLE));
  assert.equal(r.batchThatFits, fits);
  assert.equal(fits, 5212);
  const text = refusalText(r, 'To train anyway, pass --skip-memory-check.');
  const need = STATE + PER_SAMPLE * 8000n + ENGINE_OVERHEAD.tfjs;
  assert.match(text, new RegExp(`^M needs about ${esc(formatBytes(need))} of memory to train with TensorFlow\\.js, but this machine has ${esc(formatBytes(BigInt(available)))} available \\(${esc(formatBytes(BigInt(4 * available)))} in all\\)\\.`));
  assert.match(text, new RegExp(`Estimate ${esc(formatBytes(STATE + PER_SAMPLE * 8000n))}: activations 3\\.91 KiB × batch 8,000 = 30\\.6 MiB, adam state 39\\.1 KiB, weights 19\\.5 KiB, gradients 19\\.5 KiB; plus about 192 MiB for TensorFlow\\.js's own process\\.`));
  assert.match(text, /To fit, lower batch_size to at most 5,212 \(batch_size: 4096 needs about [\d.]+ MiB\), or make the layers holding most activations narrower: dense \(line 6\) keeps 3\.91 KiB per sample\./);
  assert.match(text, /To train anyway, pass --skip-memory-check\.$/);
});

test('a model whose weights alone do not fit gets no batch size, and the layers holding most params are named', () => {
  const m = model('  dense(100000, activation: relu)\n  dense(2, activation: softmax)', 'batch_size: 32');
  const r = checkMemory(m, [{ engine: 'tfjs' }], machine(Number(ENGINE_OVERHEAD.tfjs) + 2 * MiB))!;
  assert.equal(r.batchThatFits, undefined);
  const text = refusalText(r, '');
  assert.match(text, /Even a batch of 1 needs about [\d.]+ MiB: the weights, gradients and adam state alone are [\d.]+ MiB\./);
  assert.match(text, /Make the model narrower: dense \(line 6\) holds 300,000 params, dense \(line 7\) holds 200,002 params\./);
});

test('PyTorch: its own count and overhead; on several CPU processes each keeps its own weights, gradients and optimizer state', () => {
  const m = model('  lstm(64)\n  dense(2, activation: softmax)', 'batch_size: 64', 'synthetic(kind: sequences, samples: 1000, classes: 2, length: 20, features: 4)');
  const torch = memoryIn(m, 'torch');
  assert.notEqual(torch.gradients, m.memory.gradients, 'PyTorch keeps two bias vectors per gate');
  const one = memoryNeed(m, { engine: 'torch' });
  assert.equal(one.host, torch.training + ENGINE_OVERHEAD.torchTrainer + ENGINE_OVERHEAD.torchProcess);
  const three = memoryNeed(m, { engine: 'torch', processes: 3 });
  const state = torch.weightsFp32 + torch.gradients + torch.optimizerState;
  assert.equal(three.host, 3n * state + torch.activationsPerSample * 64n + ENGINE_OVERHEAD.torchTrainer + 3n * ENGINE_OVERHEAD.torchProcess);
  const r = checkMemory(m, [{ engine: 'torch', processes: 3 }], machine(Number(three.host) - 1))!;
  assert.match(refusalText(r, ''), /with PyTorch on 3 processes/);
  assert.match(refusalText(r, ''), /each of the 3 processes keeps its own weights, gradients and adam state/);
});

test('PyTorch on a GPU: only the host memory is checked (weights and processes), and the refusal says so', () => {
  const m = wide();
  const plan = enginePlan({ kind: 'torch', python: { cuda: ['NVIDIA A100-SXM4-40GB'] } }, 1);
  assert.deepEqual(plan, { engine: 'torch', processes: 1, gpu: 'NVIDIA A100-SXM4-40GB' });
  const need = memoryNeed(m, plan);
  assert.equal(need.host, 5002n * 4n + ENGINE_OVERHEAD.torchTrainer + ENGINE_OVERHEAD.torchProcess);
  const r = checkMemory(m, [plan], machine(Number(need.host) - 1))!;
  assert.match(refusalText(r, ''), /with PyTorch on NVIDIA A100-SXM4-40GB/);
  assert.match(refusalText(r, ''), /the GPU's own memory, which holds the activations, gradients and optimizer state, is not checked/);
  assert.deepEqual(enginePlan({ kind: 'tfjs' }), { engine: 'tfjs' });
  assert.deepEqual(enginePlan({ kind: 'torch', python: { cuda: [] } }, 2), { engine: 'torch', processes: 2 });
});

test('before the engine is known, only a model too big for every engine it may get is refused; otherwise the engine is found out', async () => {
  const m = wide();
  assert.deepEqual(candidatePlans('wasm'), [{ engine: 'tfjs' }]);
  assert.equal(candidatePlans('auto').length, 3, 'TensorFlow.js, PyTorch on the CPU, PyTorch on a GPU');
  const tfjs = memoryNeed(m, { engine: 'tfjs' }).host;
  const torchCpu = memoryNeed(m, { engine: 'torch' }).host;
  assert.ok(torchCpu > tfjs);
  let searches = 0;
  const search = (cuda: string[] | undefined) => async (): Promise<PythonSearch> => {
    searches++;
    return cuda ? { found: { python: 'python3', pythonVersion: '3.11', torch: '2.3', cuda }, tried: [], how: 'search' } : { tried: [], how: 'search' };
  };
  // Fits whatever trains it: no search.
  assert.equal(await checkBeforeLaunch(m, { backend: 'auto' }, machine(Number(torchCpu) * 2), search(['GPU'])), undefined);
  assert.equal(searches, 0);
  // Too big even for a GPU's host side: refused without a search.
  assert.ok(await checkBeforeLaunch(m, { backend: 'auto' }, machine(1000), search([])));
  assert.equal(searches, 0);
  // Between TensorFlow.js's need and PyTorch-on-the-CPU's: the search decides.
  const between = machine(Number(torchCpu) - 1);
  assert.ok(await checkBeforeLaunch(m, { backend: 'auto' }, between, search([])), 'PyTorch on the CPU does not fit');
  assert.equal(await checkBeforeLaunch(m, { backend: 'auto' }, between, search(['GPU'])), undefined, 'on a GPU the host keeps only the weights');
  assert.equal(await checkBeforeLaunch(m, { backend: 'auto' }, between, search(undefined)), undefined, 'no PyTorch: TensorFlow.js trains, and fits');
  assert.equal(searches, 3);
  assert.ok(await checkBeforeLaunch(m, { backend: 'wasm' }, machine(Number(tfjs) - 1), search(undefined)));
});

test('classical models are not checked; the machine’s memory is read from the OS', () => {
  const m = model('  logistic_regression', '');
  assert.equal(checkMemory(m, [{ engine: 'tfjs' }], machine(1)), undefined);
  const real = machineMemory();
  assert.ok(real.total > 0 && real.available > 0 && real.available <= real.total, JSON.stringify(real));
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
