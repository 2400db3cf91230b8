import type { AnalysisHost } from '../analysis/host';
import { closestName } from '../util/suggest';
import { formatDiagnostic } from './check';
import { modelToJson } from './estimateJson';
import { renderEstimate } from './estimateTable';
import { analyzeFile, EXIT, UsageError, type Output } from './io';

export interface EstimateOptions {
  readonly file: string;
  readonly model?: string;
  readonly json: boolean;
}

/**
 * `modelspec estimate`: the summary of every model (or one). Errors in the file are
 * printed to stderr and make the exit code 1, but estimates of what could be inferred
 * are still shown.
 */
export function runEstimate(opts: EstimateOptions, host: AnalysisHost, io: Output): number {
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
  if (opts.json) io.out(JSON.stringify({ file: opts.file, models: models.map(modelToJson) }, null, 2));
  else io.out(models.length ? models.map(renderEstimate).join('\n\n') : `${opts.file}: no models to estimate`);
  return errors.length ? EXIT.findings : EXIT.ok;
}
