import type { JsonInteger, ModelSummary } from '../../server/src/lsp/protocol';
import { formatBytes, formatSI, withSeparators } from '../../server/src/util/format';

/**
 * How the results view words a model's totals: the same units and rounding as the
 * hover, the code lens and `modelspec estimate` (server/src/util/format), so a number
 * reads the same wherever it is shown. No `vscode` import: tested directly.
 */

const big = (n: JsonInteger): bigint => BigInt(n);

/** `61,706 params · 833 KFLOPs`, with `≤` for sizes only bounded before training. */
export function modelDescription(m: ModelSummary): string {
  const params = `${m.paramsUpperBound ? '≤ ' : ''}${withSeparators(big(m.params.total))} params`;
  const parts = m.kind === 'classical' ? [params] : [params, formatSI(big(m.flops), 'FLOPs')];
  if (m.errors > 0) parts.push(`${m.errors} error${m.errors === 1 ? '' : 's'}`);
  else if (!m.complete) parts.push('incomplete');
  return parts.join(' · ');
}

/** The rows shown under a model: label and value. */
export function modelDetails(m: ModelSummary): [label: string, value: string][] {
  const rows: [string, string][] = [];
  rows.push(['Kind', m.kind]);
  if (m.dataset) rows.push(['Data', m.dataset]);
  if (m.inputShape || m.outputShape) rows.push(['Shape', `${shape(m.inputShape)} → ${shape(m.outputShape)}`]);
  const total = big(m.params.total);
  const nonTrainable = big(m.params.nonTrainable);
  const params = `${m.paramsUpperBound ? '≤ ' : ''}${withSeparators(total)} (${formatSI(total)})`;
  rows.push(['Parameters', nonTrainable > 0n ? `${params}, ${withSeparators(big(m.params.trainable))} trainable` : params]);
  if (m.kind !== 'classical') {
    rows.push(['Forward pass', `${withSeparators(big(m.macs))} MACs · ${formatSI(big(m.flops), 'FLOPs')} per sample`]);
    rows.push(['Training memory', formatBytes(big(m.trainingMemoryBytes))]);
    rows.push(['Training compute', m.trainingFlops === null ? 'unknown (the sample count is not known)' : formatSI(big(m.trainingFlops), 'FLOPs')]);
  }
  if (m.errors > 0 || !m.complete) {
    const problems = m.errors > 0 ? `${m.errors} error${m.errors === 1 ? '' : 's'}` : 'none reported';
    rows.push(['Problems', m.complete ? problems : `${problems}; the totals cover only what could be checked`]);
  }
  return rows;
}

function shape(s: readonly number[] | null): string {
  return s ? `[${s.join(', ')}]` : '?';
}
