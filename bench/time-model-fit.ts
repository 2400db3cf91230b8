/**
 * Measures the figures of the built-in training-time model (server/src/training/stepModel.ts)
 * on this machine: ms per training step of small reference specs on TensorFlow.js's wasm
 * backend, through the trainer's own loop (stepTiming.ts `msPerStep`), and the constants
 * derived from them. Each layer kind's cost per step is the difference between a spec
 * with several tiny copies of it and the base spec; each rate is a spec with real
 * arithmetic less its dispatch cost; recurrent cells are measured at two sequence lengths.
 *
 *   node --import tsx bench/time-model-fit.ts [--out bench/results/time-model-fit-run.json]
 *
 * bench/results/time-model-fit.json holds three such runs and the median of their figures,
 * which server/src/training/builtInStepModel.ts holds.
 *
 * Nothing here is compared with its own output: bench/time-estimate.ts checks the model on
 * the samples, which are not among these specs.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../server/src/analysis/analyze';
import type { ModelAnalysis } from '../server/src/analysis/model';
import { calibrateMatmul } from '../server/src/training/timeArithmetic';
import { initBackend } from '../server/src/training/backend/select';
import { msPerStep } from './stepTiming';
import { rowCost, type StepModel } from '../server/src/training/stepModel';

const COPIES = 8;
const ROUNDS = 10;
const spec = (name: string, input: string, body: string[], batch = 32) =>
  `model ${name} {\n  input: ${input}\n  classes: 3\n${body.map((l) => `  ${l}\n`).join('')}  dense(3, activation: softmax)\n  train {\n    batch_size: ${batch}\n    validation_split: 0\n  }\n}\n`;
const copies = (line: string, n = COPIES) => Array.from({ length: n }, () => line);

/** Specs whose arithmetic is negligible: their step time is dispatch. */
const DISPATCH: Record<string, { text: string; layer?: string; n?: number; steps?: number; cell?: string }> = {
  base: { text: spec('Base', '[8]', []) },
  dense: { text: spec('Dense', '[8]', copies('dense(8, activation: relu)')), layer: 'dense', n: COPIES },
  conv2d: { text: spec('Conv2d', '[6, 6, 2]', [...copies('conv2d(4, kernel: 3, padding: same, activation: relu)'), 'flatten']), layer: 'conv2d', n: COPIES },
  conv1d: { text: spec('Conv1d', '[8, 4]', [...copies('conv1d(4, kernel: 3, padding: same, activation: relu)'), 'flatten']), layer: 'conv1d', n: COPIES },
  maxpool2d: { text: spec('Pool2d', '[16, 16, 2]', [...copies('maxpool2d(2)', 3), 'flatten']), layer: 'maxpool2d', n: 3 },
  maxpool1d: { text: spec('Pool1d', '[32, 4]', [...copies('maxpool1d(2)', 4), 'flatten']), layer: 'maxpool1d', n: 4 },
  layernorm: { text: spec('Norm', '[8, 8]', [...copies('layernorm'), 'flatten']), layer: 'layernorm', n: COPIES },
  batchnorm: { text: spec('Batch', '[8]', copies('batchnorm')), layer: 'batchnorm', n: COPIES },
  dropout: { text: spec('Drop', '[8]', copies('dropout(0.1)')), layer: 'dropout', n: COPIES },
  flatten: { text: spec('Flat', '[8, 8]', ['flatten']), layer: 'flatten', n: 1 },
  global_avgpool: { text: spec('Gap', '[8, 8]', ['global_avgpool']), layer: 'global_avgpool', n: 1 },
  multihead_attention: { text: spec('Mha', '[8, 8]', [...copies('multihead_attention(heads: 2, key_dim: 4)', 4), 'flatten']), layer: 'multihead_attention', n: 4 },
  transformer_block: { text: spec('Block', '[8, 8]', [...copies('transformer_block(heads: 2, ff: 8)', 4), 'flatten']), layer: 'transformer_block', n: 4 },
  lstm4: { text: spec('Lstm4', '[4, 4]', ['lstm(4)']), cell: 'lstm', steps: 4 },
  lstm32: { text: spec('Lstm32', '[32, 4]', ['lstm(4)']), cell: 'lstm', steps: 32 },
  gru4: { text: spec('Gru4', '[4, 4]', ['gru(4)']), cell: 'gru', steps: 4 },
  gru32: { text: spec('Gru32', '[32, 4]', ['gru(4)']), cell: 'gru', steps: 32 },
  simple_rnn4: { text: spec('Rnn4', '[4, 4]', ['simple_rnn(4)']), cell: 'simple_rnn', steps: 4 },
  simple_rnn32: { text: spec('Rnn32', '[32, 4]', ['simple_rnn(4)']), cell: 'simple_rnn', steps: 32 },
};

/** Specs with real arithmetic, one per rate. */
const RATES: Record<keyof StepModel['flopsPerSecond'], string> = {
  matmul: spec('RateDense', '[256]', copies('dense(256, activation: relu)', 2)),
  conv: spec('RateConv', '[12, 12, 1]', ['conv2d(16, kernel: 3, padding: same, activation: relu)', 'maxpool2d(2)', 'conv2d(32, kernel: 3, padding: same, activation: relu)', 'maxpool2d(2)', 'flatten']),
  recurrent: spec('RateLstm', '[12, 32]', ['lstm(64)']),
  attention: spec('RateAttention', '[32, 64]', ['multihead_attention(heads: 4, key_dim: 16)', 'flatten']),
};

function model(text: string): ModelAnalysis {
  const a = analyze(text, { file: '/modelspec/time-model-fit.model' });
  const errors = a.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('; '));
  return a.models[0];
}

async function main(): Promise<void> {
  const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : join(__dirname, 'results', 'time-model-fit-run.json');
  await initBackend('wasm');
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const startLoad = loadavg();
  // The plain-JS rate the editor measures, at its fastest of several tries, like every figure here.
  const plain = Array.from({ length: 5 }, () => calibrateMatmul()).reduce((a, b) => (b.flopsPerSecond > a.flopsPerSecond ? b : a));
  // Warm V8 and the backend on a throwaway measurement before anything counts.
  await msPerStep(tf, model(DISPATCH.dense.text));
  // Rounds over every spec, each keeping its fastest: other work on the machine only ever
  // slows a step down, and interleaving spreads a busy spell over all specs, not one.
  const specs = [...Object.entries(DISPATCH).map(([name, s]) => [name, s.text] as const), ...Object.entries(RATES).map(([kind, text]) => [`rate:${kind}`, text] as const)].map(
    ([name, text]) => [name, model(text)] as const,
  );
  const measured: Record<string, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, m] of specs) measured[name] = Math.min(measured[name] ?? Infinity, await msPerStep(tf, m));
    process.stderr.write(`round ${round + 1}: ${specs.map(([name]) => `${name} ${measured[name].toFixed(2)}`).join(', ')}\n`);
  }
  const layerMs: Record<string, number> = {};
  const dense1 = (measured.dense - measured.base) / COPIES;
  for (const s of Object.values(DISPATCH)) if (s.layer) layerMs[s.layer] = Math.max(0, (measured[s.layer] - measured.base) / s.n!);
  const recurrentStepMs: Record<string, number> = {};
  for (const cell of ['lstm', 'gru', 'simple_rnn']) {
    const perStep = Math.max(0, (measured[`${cell}32`] - measured[`${cell}4`]) / 28);
    recurrentStepMs[cell] = perStep;
    layerMs[cell] = Math.max(0, measured[`${cell}4`] - measured.base - 4 * perStep);
  }
  const partial: StepModel = {
    backend: 'wasm',
    baseMs: measured.base - dense1,
    // Per-epoch and per-run costs are bench/time-run-overhead.ts's: these specs time steady steps only.
    epochMs: 0,
    runMs: 0,
    layerMs,
    defaultLayerMs: dense1,
    recurrentStepMs: recurrentStepMs as StepModel['recurrentStepMs'],
    flopsPerSecond: { matmul: Infinity, conv: Infinity, recurrent: Infinity, attention: Infinity },
    plainJsFlopsPerSecond: plain.flopsPerSecond,
  };
  const flopsPerSecond = {} as Record<keyof StepModel['flopsPerSecond'], number>;
  const rateRows: Record<string, unknown> = {};
  for (const [kind, text] of Object.entries(RATES) as [keyof StepModel['flopsPerSecond'], string][]) {
    const m = model(text);
    const ms = measured[`rate:${kind}`];
    const dispatch = partial.baseMs + m.rows.filter((r) => r.kind === 'layer').reduce((sum, r) => sum + rowCost(r, partial).dispatchMs * r.count, 0);
    const flops = m.rows.filter((r) => r.kind === 'layer' && rowCost(r, partial).rate === kind).reduce((s, r) => s + 6 * Number(r.macs) * r.count, 0) * m.train.batchSize;
    // A busy machine may leave the arithmetic barely above the dispatch: never above twice the whole step's rate.
    flopsPerSecond[kind] = flops / (Math.max(ms - dispatch, ms / 2) / 1000);
    rateRows[kind] = { msPerStep: ms, dispatchMs: dispatch, trainingFlopsPerStep: flops };
    process.stderr.write(`${kind}: ${ms.toFixed(3)} ms/step, ${(flopsPerSecond[kind] / 1e9).toFixed(2)} GFLOP/s\n`);
  }
  const fitted: StepModel = { ...partial, flopsPerSecond };
  const result = {
    generated: new Date().toISOString(),
    machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model.trim(), loadavg: { start: startLoad, end: loadavg() } },
    backend: 'wasm',
    msPerStep: measured,
    rates: rateRows,
    model: fitted,
  };
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(fitted, null, 2));
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
