import { formatBytes, formatDuration, formatSI, withSeparators } from '../util/format';

/**
 * The big-vs-small comparison as cells, described once: the CLI prints it as a text table,
 * the runs panel renders it and copies it as Markdown. Pure (no Node imports), so the
 * webview bundle uses it too.
 */
export interface ComparedRun {
  readonly model: string;
  readonly kind: string;
  readonly params: { readonly total: number | string };
  readonly flops: number | string;
  readonly trainMs: number;
  readonly inferenceMsPerSample: number;
  readonly sizeBytes: number;
  readonly metrics: { readonly accuracy: number; readonly f1: number };
}

export interface Table {
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Per column: right-aligned numbers or left-aligned text. */
  readonly numeric: readonly boolean[];
}

export const COMPARISON_NOTE = 'FLOPs: one forward pass of one sample (= 2 × MACs); sorted by accuracy on the held-out split.';

/** Highest accuracy first; ties go to the smaller model, the one a user would rather ship. */
export function byAccuracy<R extends ComparedRun>(runs: readonly R[]): R[] {
  return [...runs].sort((a, b) => b.metrics.accuracy - a.metrics.accuracy || Number(BigInt(a.params.total) - BigInt(b.params.total)));
}

export function comparisonTable(runs: readonly ComparedRun[]): Table {
  return {
    head: ['Model', 'Kind', 'Params', 'FLOPs', 'Train time', 'Inference', 'Size', 'Accuracy', 'F1'],
    numeric: [false, false, true, true, true, true, true, true, true],
    rows: runs.map((r) => [
      r.model,
      r.kind,
      withSeparators(BigInt(r.params.total)),
      formatSI(BigInt(r.flops)),
      formatDuration(r.trainMs / 1000),
      `${r.inferenceMsPerSample.toPrecision(3)} ms`,
      formatBytes(BigInt(r.sizeBytes)),
      percent(r.metrics.accuracy, 2),
      r.metrics.f1.toFixed(4),
    ]),
  };
}

/** A GitHub-flavoured Markdown table; pipes and line breaks inside cells are escaped so a model name cannot break it. */
export function markdownTable(table: Table): string {
  const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${table.numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(table.head), rule, ...table.rows.map(line)].join('\n') + '\n';
}

/** A fixed-width text table with rules, as the CLI prints it. */
export function textTable(table: Table, note?: string): string {
  const widths = table.head.map((h, i) => Math.max(h.length, ...table.rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (table.numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  return [rule, line(table.head), rule, ...table.rows.map(line), rule, ...(note ? [note] : [])].join('\n');
}

export function percent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export interface EpochProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly accuracy?: number;
  readonly valAccuracy?: number;
  readonly etaMs: number;
}

/** One short line for a progress notification: "epoch 3/20 · loss 0.412 · acc 88.2% · val 86.0% · ETA 12.0 s". */
export function progressLine(m: EpochProgress): string {
  const parts = [`epoch ${m.epoch}/${m.epochs}`, `loss ${m.loss.toPrecision(3)}`];
  if (m.accuracy !== undefined) parts.push(`acc ${percent(m.accuracy)}`);
  if (m.valAccuracy !== undefined) parts.push(`val ${percent(m.valAccuracy)}`);
  if (m.epoch < m.epochs) parts.push(`ETA ${formatDuration(m.etaMs / 1000)}`);
  return parts.join(' · ');
}

export interface BlockingError {
  readonly code: string;
  readonly message: string;
  readonly range: { readonly start: { readonly line: number; readonly character: number } };
}

/** Why a spec cannot train: its errors with file:line:col, the first few of them. */
export function blockingErrorsMessage(file: string, errors: readonly BlockingError[], shown = 5): string {
  const n = errors.length;
  const list = errors.slice(0, shown).map((d) => `  ${file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`);
  const more = n > shown ? [`  … and ${n - shown} more`] : [];
  return [`Errors block training: ${file} has ${n} error${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} first:`, ...list, ...more].join('\n');
}
