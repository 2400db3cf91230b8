import { formatShape } from '../catalog/common';
import type { LayerRow, ModelAnalysis } from '../analysis/model';
import { formatBytes, formatSI, withSeparators } from '../util/format';

/**
 * A Keras-summary-like table: one line per layer (groups indented as in torchinfo),
 * then totals, sizes, FLOPs, memory and training compute, each number labelled.
 */
export function renderEstimate(m: ModelAnalysis): string {
  const out: string[] = [];
  const header = `Model: ${m.name} (${m.kind})`;
  const io = [
    m.dataset ? `data: ${m.dataset.name}` : undefined,
    m.inputShape ? `input ${formatShape(m.inputShape)}` : undefined,
    m.outputShape ? `output ${formatShape(m.outputShape)}` : undefined,
  ].filter(Boolean);
  out.push(io.length ? `${header}  ${io.join(', ')}` : header);

  const rows = m.rows.map((r) => [layerLabel(r), String(r.range.start.line + 1), r.output ? formatShape(r.output) : '?', withSeparators(r.trainable + r.nonTrainable), withSeparators(r.macs)]);
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
  } else {
    facts.push(['Total params', t.total >= 1000n ? `${withSeparators(t.total)} (${formatSI(t.total)})` : withSeparators(t.total)]);
    facts.push(['Trainable params', withSeparators(t.trainable)]);
    facts.push(['Non-trainable params', withSeparators(t.nonTrainable)]);
    facts.push(['Weights', `${formatBytes(m.memory.weightsFp32)} fp32, ${formatBytes(m.memory.weightsFp16)} fp16`]);
    facts.push(['Forward MACs', `${withSeparators(t.macs)}${t.macs >= 1000n ? ` (${formatSI(t.macs, 'MACs')})` : ''} per sample`]);
    facts.push(['Forward FLOPs', `${withSeparators(t.flops)}${t.flops >= 1000n ? ` (${formatSI(t.flops, 'FLOPs')})` : ''} per sample, = 2 × MACs`]);
    facts.push(['Activations', `${formatBytes(m.memory.activationsPerSample)} per sample`]);
    facts.push([
      'Training memory',
      `${formatBytes(m.memory.training)} = weights ${formatBytes(m.memory.weightsFp32)} + gradients ${formatBytes(m.memory.gradients)} + ${m.train.optimizer.name} state ${formatBytes(m.memory.optimizerState)} + activations × batch ${m.memory.batchSize}`,
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

function layerLabel(r: LayerRow): string {
  const indent = '  '.repeat(r.depth);
  const times = r.count > 1 ? ` ×${withSeparators(r.count)}` : '';
  return `${indent}${r.name}${times}`;
}
