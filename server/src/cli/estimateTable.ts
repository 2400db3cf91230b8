import { formatShape } from '../catalog/common';
import type { LayerRow, ModelAnalysis } from '../analysis/model';
import { batchText, fitFacts } from '../analysis/totals';
import { CONVENTIONS, countsDiffer, differences, ENGINE_NAMES, memoryIn, modelCounts, paramsIn, rowCounter, SAME_IN_BOTH, type Counts, type EngineKind } from '../analysis/paramCounts';
import type { EngineChoice } from '../training/engineChoice';
import { formatBytes, formatSI, withSeparators } from '../util/format';

/**
 * A Keras-summary-like table: one line per layer (groups indented as in torchinfo),
 * then totals, sizes, FLOPs, memory and training compute, each number labelled. Params
 * are counted as the engine that trains counts them (`choice`, needed only where PyTorch
 * and TensorFlow.js count the model differently), with the other engine's count beside.
 */
export function renderEstimate(m: ModelAnalysis, choice: EngineChoice): string {
  const out: string[] = [];
  const header = `Model: ${m.name} (${m.kind})`;
  const io = [
    m.dataset ? `data: ${m.dataset.name}` : undefined,
    m.inputShape ? `input ${formatShape(m.inputShape)}` : undefined,
    m.outputShape ? `output ${formatShape(m.outputShape)}` : undefined,
  ].filter(Boolean);
  out.push(io.length ? `${header}  ${io.join(', ')}` : header);

  const counts = modelCounts(m.totals);
  const differ = m.kind !== 'classical' && countsDiffer(counts);
  // The CLI resolves the engine whenever a model's counts differ; TensorFlow.js is what auto falls back to.
  const engine = differ ? (choice.engine ?? 'tfjs') : 'tfjs';
  const countRow = rowCounter(m.rows);
  const rows = m.rows.map((r) => [layerLabel(r), String(r.range.start.line + 1), r.output ? formatShape(r.output) : '?', withSeparators(paramsIn(countRow(r), engine).total), withSeparators(r.macs)]);
  const head = ['Layer', 'Line', 'Output shape', 'Params', 'MACs'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  out.push(rule, line(head), rule, ...rows.map(line), rule);

  const t = m.totals;
  const facts: [string, string][] = [];
  if (m.kind === 'classical' && m.estimator) {
    const e = m.estimator.estimate;
    facts.push([e.upperBound ? 'Params (upper bound)' : 'Params', `${withSeparators(e.params)} (${e.detail})`]);
    facts.push(['Model size', `${formatBytes(e.params * 4n)} fp32`]);
    facts.push(['Predict MACs', `${withSeparators(t.macs)} per sample`]);
    facts.push(...fitFacts(m));
  } else {
    const memory = memoryIn(m, engine);
    facts.push(...(differ ? paramFacts(counts, engine, choice.why) : sameParamFacts(counts)));
    facts.push(['Weights', `${formatBytes(memory.weightsFp32)} fp32, ${formatBytes(memory.weightsFp16)} fp16`]);
    facts.push(['Forward MACs', `${withSeparators(t.macs)}${t.macs >= 1000n ? ` (${formatSI(t.macs, 'MACs')})` : ''} per sample`]);
    facts.push(['Forward FLOPs', `${withSeparators(t.flops)}${t.flops >= 1000n ? ` (${formatSI(t.flops, 'FLOPs')})` : ''} per sample, = 2 × MACs`]);
    facts.push(['Activations', `${formatBytes(memory.activationsPerSample)} per sample`]);
    facts.push([
      'Training memory',
      `${formatBytes(memory.training)} = weights ${formatBytes(memory.weightsFp32)} + gradients ${formatBytes(memory.gradients)} + ${m.train.optimizer.name} state ${formatBytes(memory.optimizerState)} + activations × batch ${batchText(memory)}`,
    ]);
    const c = m.compute;
    facts.push([
      'Training compute',
      c.flops === undefined
        ? `${formatSI(c.flopsPerSample, 'FLOPs')} per sample per epoch (3 × forward); no dataset to count samples`
        : `${withSeparators(c.flops)} FLOPs (${formatSI(c.flops, 'FLOPs')}) = 3 × forward × ${withSeparators(c.samples ?? 0)} samples × ${c.epochs} epochs`,
    ]);
  }
  if (!m.complete) facts.push(['Note', 'errors left some shapes unknown; totals cover the layers that could be inferred']);
  const keyWidth = Math.max(...facts.map(([k]) => k.length)) + 1;
  for (const [k, v] of facts) out.push(`${(k + ':').padEnd(keyWidth)} ${v}`);
  return out.join('\n');
}

function count(n: bigint): string {
  return n >= 1000n ? `${withSeparators(n)} (${formatSI(n)})` : withSeparators(n);
}

function sameParamFacts(c: Counts): [string, string][] {
  return [
    ['Total params', `${count(c.tfjs.total)} — ${SAME_IN_BOTH}`],
    ['Trainable params', withSeparators(c.tfjs.trainable)],
    ['Non-trainable params', withSeparators(c.tfjs.nonTrainable)],
  ];
}

/** The params of a model the engines count differently: the training engine's, then the other's. */
function paramFacts(c: Counts, engine: EngineKind, why: string): [string, string][] {
  const trainedBy: [string, string] = ['Trained by', `${ENGINE_NAMES[engine]} (${why})`];
  if (engine === 'torch') {
    const other = differences(c, 'tfjs').join(', ');
    return [
      trainedBy,
      ['Params', `${count(c.torch.params)} — ${CONVENTIONS.torch}`],
      ...(c.torch.buffers > 0n ? [['Buffers', withSeparators(c.torch.buffers)] as [string, string]] : []),
      ['TensorFlow.js counts', `${withSeparators(c.tfjs.total)} params (${withSeparators(c.tfjs.trainable)} trainable, ${withSeparators(c.tfjs.nonTrainable)} non-trainable): ${other}`],
    ];
  }
  const other = differences(c, 'torch').join(', ');
  const buffers = c.torch.buffers > 0n ? ` + ${withSeparators(c.torch.buffers)} buffers` : '';
  return [
    trainedBy,
    ['Total params', `${count(c.tfjs.total)} — ${CONVENTIONS.tfjs}`],
    ['Trainable params', withSeparators(c.tfjs.trainable)],
    ['Non-trainable params', withSeparators(c.tfjs.nonTrainable)],
    ['PyTorch counts', `${withSeparators(c.torch.params)} parameters()${buffers}: ${other}`],
  ];
}

function layerLabel(r: LayerRow): string {
  const indent = '  '.repeat(r.depth);
  const times = r.count > 1 ? ` ×${withSeparators(r.count)}` : '';
  return `${indent}${r.name}${times}`;
}

