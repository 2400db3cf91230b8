import type { AnalysisHost } from '../analysis/host';
import type { RunResult } from '../training/protocol';
import { byAccuracy, COMPARISON_NOTE, comparisonTable, textTable } from '../training/report';
import { findTorchPython } from '../training/torch/python';
import { analyzeFile, EXIT, type Output } from './io';
import { checkTrainable, resultJson, trainOne, TrainFailed, type TrainFlags } from './train';

export interface CompareOptions extends TrainFlags {
  readonly file: string;
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
  // One search for PyTorch for the whole comparison, not one per model.
  const neural = analysis.models.some((m) => names.includes(m.name) && m.kind === 'neural');
  const torch = opts.backend === undefined || opts.backend === 'auto' || opts.backend === 'torch';
  const python = opts.python ?? (neural && torch ? (await findTorchPython()).found?.python : undefined);
  const results: RunResult[] = [];
  const failures: { model: string; reason: string }[] = [];
  for (const [i, model] of names.entries()) {
    try {
      results.push(await trainOne({ ...opts, python, model }, io, `[${i + 1}/${names.length}] `));
    } catch (err) {
      if (!(err instanceof TrainFailed)) throw err;
      failures.push({ model, reason: err.message });
      io.err(err.message);
    }
  }
  if (opts.json) {
    io.out(JSON.stringify({ models: byAccuracy(results).map((r) => ({ name: r.model, ...resultJson(r) })), failures }, null, 2));
  } else {
    io.out(renderComparison(byAccuracy(results)));
    for (const f of failures) io.out(`failed: ${f.reason}`);
  }
  return failures.length ? EXIT.findings : EXIT.ok;
}

export function renderComparison(results: readonly RunResult[]): string {
  return textTable(comparisonTable(results), COMPARISON_NOTE);
}
