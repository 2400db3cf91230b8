import { resolve } from 'node:path';
import type { AnalysisHost } from '../analysis/host';
import type { ModelAnalysis } from '../analysis/model';
import { enginesDisagree } from '../analysis/paramCounts';
import { loadTimings } from '../training/calibrationFile';
import { chooseEngine, type EngineChoice } from '../training/engineChoice';
import { runsDirFor } from '../training/runs';
import type { BackendPreference } from '../training/protocol';
import { findTorchPython, type PythonSearch } from '../training/torch/python';
import { closestName } from '../util/suggest';
import { formatDiagnostic } from './check';
import { modelToJson } from './estimateJson';
import { renderEstimate } from './estimateTable';
import { analyzeFile, EXIT, UsageError, type Output } from './io';

export interface EstimateOptions {
  readonly file: string;
  readonly model?: string;
  readonly json: boolean;
  /** The engine whose parameter counts are shown where PyTorch and TensorFlow.js differ; default auto. */
  readonly backend?: BackendPreference;
  readonly python?: string;
}

/**
 * `modelspec estimate`: the summary of every model (or one). Errors in the file are
 * printed to stderr and make the exit code 1, but estimates of what could be inferred
 * are still shown.
 */
export async function runEstimate(opts: EstimateOptions, host: AnalysisHost, io: Output, search: (python?: string) => Promise<PythonSearch> = findTorchPython): Promise<number> {
  const analysis = analyzeFile(opts.file, host);
  let models = analysis.models;
  if (opts.model !== undefined) {
    models = models.filter((m) => m.name === opts.model);
    if (models.length === 0) {
      const names = analysis.models.map((m) => m.name);
      const suggestion = closestName(opts.model, names);
      throw new UsageError(
        `${opts.file}: no model named '${opts.model}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}${names.length ? ` Models: ${names.join(', ')}.` : ' The file declares no models.'}`,
      );
    }
  }
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) io.err(formatDiagnostic(opts.file, d));
  const choice = await engineFor(models, opts, search);
  if (opts.json) {
    // The runs folder `train` uses by default: its finished runs set the time estimate's scale.
    const timings = loadTimings(runsDirFor(resolve(opts.file)));
    io.out(JSON.stringify({ file: opts.file, models: models.map((m) => modelToJson(m, choice, timings)) }, null, 2));
  } else io.out(models.length ? models.map((m) => renderEstimate(m, choice)).join('\n\n') : `${opts.file}: no models to estimate`);
  return errors.length ? EXIT.findings : EXIT.ok;
}

/**
 * The engine that will train, asked only when it changes a number shown: under auto that
 * means looking for a Python with PyTorch (cached once found, but 1–3 s the first time).
 */
async function engineFor(models: readonly ModelAnalysis[], opts: EstimateOptions, search: (python?: string) => Promise<PythonSearch>): Promise<EngineChoice> {
  if (!enginesDisagree(models)) return { why: 'both engines count these models the same' };
  return chooseEngine(opts.backend ?? 'auto', '--backend', () => search(opts.python));
}
