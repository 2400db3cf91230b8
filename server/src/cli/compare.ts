import type { AnalysisHost } from '../analysis/host';
import type { RunResult } from '../training/protocol';
import { formatBytes, formatDuration, formatSI, withSeparators } from '../util/format';
import { analyzeFile, EXIT, type Output } from './io';
import { checkTrainable, resultJson, trainOne, TrainFailed } from './train';

export interface CompareOptions {
  readonly file: string;
  readonly epochs?: number;
  readonly backend?: 'node' | 'wasm' | 'cpu';
  readonly json: boolean;
  readonly tty: boolean;
}

/**
 * Trains every model of the file's `compare` (or every model) one after another, on the
 * same split, then prints one table sorted by accuracy. A model that fails is listed with
 * its reason and makes the exit code 1; the others still run.
 */
export async function runCompare(opts: CompareOptions, host: AnalysisHost, io: Output): Promise<number> {
  const analysis = analyzeFile(opts.file, host);
  const names = analysis.compare?.models.length ? [...analysis.compare.models] : analysis.models.map((m) => m.name);
  checkTrainable(opts.file, names, host);
  const results: RunResult[] = [];
  const failures: { model: string; reason: string }[] = [];
  for (const [i, model] of names.entries()) {
    try {
      results.push(await trainOne({ ...opts, model }, io, `[${i + 1}/${names.length}] `));
    } catch (err) {
      if (!(err instanceof TrainFailed)) throw err;
      failures.push({ model, reason: err.message });
      io.err(err.message);
    }
  }
  results.sort((a, b) => b.metrics.accuracy - a.metrics.accuracy);
  if (opts.json) {
    io.out(JSON.stringify({ models: results.map((r) => ({ name: r.model, ...resultJson(r) })), failures }, null, 2));
  } else {
    io.out(renderComparison(results));
    for (const f of failures) io.out(`failed: ${f.reason}`);
  }
  return failures.length ? EXIT.findings : EXIT.ok;
}

export function renderComparison(results: readonly RunResult[]): string {
  const head = ['Model', 'Kind', 'Params', 'FLOPs', 'Train time', 'Inference', 'Size', 'Accuracy', 'F1'];
  const rows = results.map((r) => [
    r.model,
    r.kind,
    withSeparators(BigInt(r.params.total)),
    formatSI(BigInt(r.flops)),
    formatDuration(r.trainMs / 1000),
    `${r.inferenceMsPerSample.toPrecision(3)} ms`,
    formatBytes(BigInt(r.sizeBytes)),
    `${(r.metrics.accuracy * 100).toFixed(2)}%`,
    r.metrics.f1.toFixed(4),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const rule = '─'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  return [rule, line(head), rule, ...rows.map(line), rule, 'FLOPs: one forward pass of one sample (= 2 × MACs); sorted by accuracy on the held-out split.'].join('\n');
}
