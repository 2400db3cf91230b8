import { formatBytes, formatDuration, formatSI, withSeparators } from '../util/format';
import { terminalSafe } from '../util/terminal';

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

/**
 * A fixed-width text table with rules, as the CLI prints it. Cells are made safe for a
 * terminal (a model name or label may hold control characters) before they are measured,
 * so the columns line up with the escapes shown.
 */
export function textTable(table: Table, note?: string): string {
  const rows = table.rows.map((r) => r.map(terminalSafe));
  const widths = table.head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (table.numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  return [rule, line(table.head), rule, ...rows.map(line), rule, ...(note ? [note] : [])].join('\n');
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
  readonly data?: { readonly [key: string]: unknown };
}

/**
 * Why a spec cannot train: its errors with file:line:col, the first few of them. A file with
 * more problems than an analysis lists ends them with `too-many-problems`, which counts them all.
 */
export function blockingErrorsMessage(file: string, errors: readonly BlockingError[], shown = 5): string {
  const note = errors.find((d) => d.code === 'too-many-problems');
  const listed = note ? errors.filter((d) => d !== note) : errors;
  const counted = note?.data?.errors;
  const n = typeof counted === 'number' ? counted : listed.length;
  const list = listed.slice(0, shown).map((d) => `  ${file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`);
  const more = n > shown ? [`  … and ${withSeparators(n - shown)} more`] : [];
  return [`Errors block training: ${file} has ${withSeparators(n)} error${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} first:`, ...list, ...more].join('\n');
}

export interface TradeOff<R> {
  /** Highest accuracy (ties: fewer parameters). */
  readonly best: R;
  /** The smallest model within `tolerance` of the best accuracy: what a user would rather ship. */
  readonly pick: R;
  /** Models no other model beats on both accuracy and parameters (the ones worth considering). */
  readonly frontier: readonly R[];
  readonly summary: string;
}

/**
 * Is the big model worth it? Compares the most accurate model with the smallest one that
 * comes within `tolerance` (accuracy points, as a fraction) of it, in the words a user
 * asks the question with.
 */
export function tradeOff<R extends ComparedRun>(runs: readonly R[], tolerance = 0.01): TradeOff<R> | undefined {
  if (runs.length === 0) return undefined;
  const params = (r: R) => BigInt(r.params.total);
  const smaller = (a: R, b: R) => (params(a) < params(b) ? a : params(b) < params(a) ? b : a.trainMs <= b.trainMs ? a : b);
  const [best] = byAccuracy(runs);
  const close = runs.filter((r) => r.metrics.accuracy >= best.metrics.accuracy - tolerance - 1e-12);
  const pick = close.reduce(smaller);
  const frontier = runs.filter((r) => !runs.some((o) => o !== r && o.metrics.accuracy >= r.metrics.accuracy && params(o) <= params(r) && (o.metrics.accuracy > r.metrics.accuracy || params(o) < params(r))));
  let summary: string;
  if (pick === best) {
    const runnerUp = byAccuracy(runs.filter((r) => r !== best))[0];
    summary = runnerUp
      ? `${best.model} is the most accurate (${percent(best.metrics.accuracy)}) and no smaller model comes within ${points(tolerance)} of it; the next best, ${runnerUp.model}, reaches ${percent(runnerUp.metrics.accuracy)}.`
      : `${best.model}: ${percent(best.metrics.accuracy)}.`;
  } else {
    const gap = (best.metrics.accuracy - pick.metrics.accuracy) * 100;
    const ratio = Number(params(pick)) > 0 ? `${ratioText(Number(params(best)) / Number(params(pick)))} the parameters` : 'parameters';
    const time = pick.trainMs > 0 ? ` and ${ratioText(best.trainMs / pick.trainMs)} the training time` : '';
    summary = `${pick.model} comes within ${gap.toFixed(1)} points of ${best.model} (${percent(pick.metrics.accuracy)} vs ${percent(best.metrics.accuracy)}); ${best.model} costs ${ratio}${time} for that gain.`;
  }
  return { best, pick, frontier, summary };
}

function points(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction * 100 < 1 ? 1 : 0)} point${fraction === 0.01 ? '' : 's'}`;
}

function ratioText(x: number): string {
  if (!Number.isFinite(x)) return 'far more than';
  return `${x >= 10 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1)}×`;
}
