import type { AnalysisHost } from '../analysis/host';
import { evaluated, type EvaluatedRun } from '../training/protocol';
import { byAccuracy, COMPARISON_NOTE, comparisonTable, textTable } from '../training/report';
import { findTorchPython } from '../training/torch/python';
import { analyzeFile, EXIT, type Output } from './io';
import { memoryRefusal } from './memoryCheck';
import { checkTrainable, TrainBlocked, exitCodeOf, resultJson, trainOne, TrainFailed, TrainStopped, type TrainFlags } from './train';

export interface CompareOptions extends TrainFlags {
  readonly file: string;
  readonly json: boolean;
  readonly tty: boolean;
}

/**
 * Trains every model of the file's `compare` (or every model) one after another, on the
 * same split, then prints one table sorted by accuracy. A model that fails is listed with
 * its reason and makes the exit code 1; the others still run. A cancel (Ctrl-C) or a
 * signal stops the comparison: the models that finished are shown, and the exit code says
 * how it ended (130, or 128 + the signal).
 */
export async function runCompare(opts: CompareOptions, host: AnalysisHost, io: Output): Promise<number> {
  const analysis = analyzeFile(opts.file, host);
  const names = analysis.compare?.models.length ? [...analysis.compare.models] : analysis.models.map((m) => m.name);
  checkTrainable(opts.file, names, host);
  const tooBig = await memoryRefusal(opts.file, names, opts, host);
  if (tooBig) throw new TrainBlocked(tooBig);
  // One search for PyTorch for the whole comparison, not one per model.
  const neural = analysis.models.some((m) => names.includes(m.name) && m.kind === 'neural');
  const torch = opts.backend === undefined || opts.backend === 'auto' || opts.backend === 'torch';
  const python = opts.python ?? (neural && torch ? (await findTorchPython()).found?.python : undefined);
  const results: EvaluatedRun[] = [];
  const failures: { model: string; reason: string }[] = [];
  let stopped: { code: number; reason: string; after: number } | undefined;
  for (const [i, model] of names.entries()) {
    try {
      const result = await trainOne({ ...opts, python, model }, io, `[${i + 1}/${names.length}] `);
      if (evaluated(result)) results.push(result);
      if (exitCodeOf(result.status) !== EXIT.ok) stopped = { code: exitCodeOf(result.status), reason: `${model}: ${result.status}`, after: i };
    } catch (err) {
      if (err instanceof TrainStopped) stopped = { code: exitCodeOf(err.status, err.signal), reason: err.message, after: i };
      else if (err instanceof TrainFailed) failures.push({ model, reason: err.message });
      else throw err;
      io.err((err as Error).message);
    }
    if (stopped) break;
  }
  const left = stopped ? names.slice(stopped.after + 1) : [];
  if (opts.json) {
    io.out(JSON.stringify({ models: byAccuracy(results).map((r) => ({ name: r.model, ...resultJson(r) })), failures, notRun: left }, null, 2));
  } else {
    io.out(renderComparison(byAccuracy(results)));
    for (const f of failures) io.out(`failed: ${f.reason}`);
    if (stopped) io.out(`stopped (${stopped.reason})${left.length ? `; not trained: ${left.join(', ')}` : ''}`);
  }
  return stopped?.code ?? (failures.length ? EXIT.findings : EXIT.ok);
}

export function renderComparison(results: readonly EvaluatedRun[]): string {
  return textTable(comparisonTable(results), COMPARISON_NOTE);
}
