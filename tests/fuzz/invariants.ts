// What must hold for every analysis, whatever the text: the checker returns, fast, with
// diagnostics an editor can place and estimates a table or JSON can print.
import { join, resolve, sep } from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import type { AnalysisHost } from '../../server/src/analysis/host';
import type { Analysis } from '../../server/src/analysis/model';
import { rowCounter, sumCounts } from '../../server/src/analysis/paramCounts';
import { modelToJson } from '../../server/src/cli/estimateJson';
import { createNodeHost } from '../../server/src/data/nodeHost';

export const SAMPLES_DIR = resolve(__dirname, '../../samples');
const DATA_DIR = join(SAMPLES_DIR, 'data') + sep;
const SEVERITIES = new Set(['error', 'warning', 'info']);

/** The per-call limit of the brief; a worker watchdog enforces it for calls that never return. */
export const CALL_LIMIT_MS = 5_000;

/**
 * Serves the real sample CSVs (so dataset-driven paths such as class counts and
 * over-parameterisation advice run) but nothing else: a mangled path must not make the
 * fuzz test read arbitrary files on the machine.
 */
export function samplesHost(): AnalysisHost {
  const disk = createNodeHost();
  return {
    dataTable: (path, target) => (path.startsWith(DATA_DIR) ? disk.dataTable(path, target) : undefined),
    listDir: (path) => (path + sep === DATA_DIR ? disk.listDir(path) : []),
  };
}

export interface Outcome {
  readonly ms: number;
  /** One line per broken invariant; its text before ':' is the kind of problem. */
  readonly problems: string[];
}

/** Runs the checker once and lists every invariant the result breaks. */
export function checkOnce(text: string, file: string, host: AnalysisHost, expect?: (a: Analysis) => string | undefined): Outcome {
  const t0 = performance.now();
  let analysis: Analysis;
  try {
    analysis = analyze(text, { file, host });
  } catch (err) {
    const e = err as Error;
    // The innermost frames of the core name the function at fault (for a stack overflow, the recursion).
    const frames = (e?.stack ?? '')
      .split('\n')
      .filter((l) => l.includes('server/src'))
      .slice(0, 4)
      .map((l) => l.trim().replace(/^at /, '').replace(/\(.*\/server\/src\//, '(').replace(/:\d+\)$/, ')'));
    return { ms: performance.now() - t0, problems: [`threw ${e?.name ?? typeof err} in ${frames[0] ?? 'unknown'} | ${e?.message ?? String(err)}; stack: ${frames.join(' < ')}`] };
  }
  const ms = performance.now() - t0;
  const problems: string[] = [];
  if (ms > CALL_LIMIT_MS) problems.push(`slow | analyze took ${Math.round(ms)} ms (limit ${CALL_LIMIT_MS} ms)`);
  checkDiagnostics(text, analysis, problems);
  checkEstimates(analysis, problems);
  const unmet = expect?.(analysis);
  if (unmet !== undefined) problems.push(`expectation not met | ${unmet}`);
  return { ms, problems };
}

/** LSP line breaks: \r\n, \r and \n all end a line, so a lone \r starts a new one in the editor. */
export function lspLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

const LONE_CR = /\r(?!\n)/;

function checkDiagnostics(text: string, analysis: Analysis, problems: string[]): void {
  if (!Array.isArray(analysis.diagnostics)) {
    problems.push('diagnostics not an array');
    return;
  }
  const lines = lspLines(text);
  // Lines as they are when only \n ends one: if a position fits these but not the LSP
  // lines, it was counted past a lone \r, and the editor shows it on the wrong line.
  const lfLines = LONE_CR.test(text) ? text.split('\n') : undefined;
  for (const d of analysis.diagnostics) {
    const label = `${d?.code} at ${JSON.stringify(d?.range)}`;
    if (typeof d.code !== 'string' || d.code.length === 0) problems.push(`empty code | ${label}`);
    if (typeof d.message !== 'string' || d.message.trim().length === 0) problems.push(`empty message | ${label}`);
    if (!SEVERITIES.has(d.severity)) problems.push(`bad severity | ${JSON.stringify(d.severity)}: ${label}`);
    const r = d.range;
    const positions = [r?.start, r?.end];
    if (!positions.every((p) => p && Number.isInteger(p.line) && Number.isInteger(p.character))) {
      problems.push(`malformed range | ${label}`);
      continue;
    }
    if (positions.some((p) => p.line < 0 || p.line >= lines.length)) problems.push(`line outside the document | ${lines.length} lines: ${label}`);
    if (positions.some((p) => p.character < 0)) problems.push(`negative character | ${label}`);
    if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) problems.push(`start after end | ${label}`);
    // LSP clamps a character past the end of its line, so an end just after the line
    // break (length + 1) still marks "to the end of the line". Further out, the position
    // was measured on a different line than the one the editor shows.
    const beyond = positions.find((p) => p.line >= 0 && p.line < lines.length && p.character > lines[p.line].length + 1);
    if (beyond) {
      const crOnly = lfLines !== undefined && positions.every((p) => p.line < lfLines.length && p.character <= lfLines[p.line].length + 1);
      if (crOnly) problems.push(`position counts a lone \\r as a space, but LSP ends a line there | ${label}`);
      else problems.push(`character past the end of its line: ${d.code} | line ${beyond.line} has ${lines[beyond.line].length} characters: ${label}`);
    }
    try {
      JSON.stringify(d);
    } catch (err) {
      // The language server sends diagnostics, data included, as JSON.
      problems.push(`diagnostic not JSON-serialisable: ${d.code} | ${(err as Error).message}: ${label}`);
    }
  }
}

function checkEstimates(analysis: Analysis, problems: string[]): void {
  for (const m of analysis.models) {
    checkNumbers(`model ${m.name}`, { totals: m.totals, memory: m.memory, compute: m.compute, rows: m.rows, inputShape: m.inputShape, outputShape: m.outputShape, classes: m.classes, estimator: m.estimator && { args: m.estimator.args, estimate: m.estimator.estimate }, train: { ...m.train, section: undefined } }, problems);
    for (const r of m.rows) {
      if (!Number.isSafeInteger(r.count) || r.count < 1) problems.push(`bad row count | ${r.count} in model ${m.name} row ${r.name}`);
    }
    if (m.totals.total !== m.totals.trainable + m.totals.nonTrainable) problems.push(`total != trainable + nonTrainable | model ${m.name}`);
    if (m.totals.flops !== 2n * m.totals.macs) problems.push(`flops != 2 x macs | model ${m.name}`);
    if (m.complete && m.kind === 'neural') {
      // Groups carry PyTorch's extra biases only through the rows they own: the top-level rows must add up to the totals.
      const count = rowCounter(m.rows);
      const top = sumCounts(m.rows.filter((r) => r.depth === 0).map((r) => ({ counts: count(r), copies: r.count })));
      if (top.torch.params !== m.totals.torch.params || top.tfjs.total !== m.totals.total) problems.push(`top-level rows do not add up to the totals | model ${m.name}`);
    }
    try {
      JSON.stringify(modelToJson(m, { engine: 'torch', why: 'fuzz' }));
    } catch (err) {
      problems.push(`modelToJson not JSON-serialisable | ${(err as Error).message} in model ${m.name}`);
    }
  }
  for (const [name, d] of analysis.datasets) checkNumbers(`dataset ${name}`, { ...d, decl: undefined }, problems);
}

/**
 * Every count is an exact bigint ≥ 0 and every plain number finite: NaN or Infinity in an
 * estimate means a size overflowed into floating point instead of becoming a diagnostic.
 */
function checkNumbers(where: string, value: unknown, problems: string[], path = '', seen = new Set<object>()): void {
  if (typeof value === 'bigint') {
    if (value < 0n) problems.push(`negative count at ${shapeOf(path)} | ${value} in ${where}`);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) problems.push(`non-finite number at ${shapeOf(path)} | ${value} in ${where}`);
  } else if (value && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const [k, v] of value instanceof Map ? value.entries() : Object.entries(value)) {
      // Catalogue entries hold functions and docs, not estimates.
      if (k === 'entry') continue;
      checkNumbers(where, v, problems, `${path}.${String(k)}`, seen);
    }
  }
}

/** A path without its array indices: rows.3.macs and rows.7.macs are the same finding. */
function shapeOf(path: string): string {
  return path.replace(/\.\d+(?=\.|$)/g, '[]');
}

/** The kind of a problem (the text before ' | '), so thousands of failures collapse into a few findings. */
export function problemKind(problem: string): string {
  const bar = problem.indexOf(' | ');
  return bar < 0 ? problem : problem.slice(0, bar);
}
