import { problemCounts, type Diagnostic } from '../analysis/diagnostics';
import type { AnalysisHost } from '../analysis/host';
import { withSeparators } from '../util/format';
import { analyzeFile, EXIT, type Output } from './io';

export interface CheckOptions {
  readonly files: readonly string[];
  readonly json: boolean;
}

/** `modelspec check`: diagnostics of each file; exit 1 when any is an error. */
export function runCheck(opts: CheckOptions, host: AnalysisHost, io: Output): number {
  const results = opts.files.map((file) => ({ file, diagnostics: analyzeFile(file, host).diagnostics }));
  const anyError = results.some((r) => r.diagnostics.some((d) => d.severity === 'error'));
  if (opts.json) {
    // A file with more problems than are listed also gives how many were found.
    const files = results.map((r) => {
      const counts = problemCounts(r.diagnostics);
      return { file: r.file, diagnostics: r.diagnostics.map(toJson), ...(counts.capped ? { total: counts.total } : {}) };
    });
    io.out(JSON.stringify({ files }, null, 2));
  } else {
    const lines: string[] = [];
    let errors = 0;
    let warnings = 0;
    for (const r of results) {
      for (const d of r.diagnostics) lines.push(formatDiagnostic(r.file, d));
      // Every problem found, not only those listed.
      const counts = problemCounts(r.diagnostics);
      errors += counts.errors;
      warnings += counts.warnings;
    }
    const files = `${results.length} file${results.length === 1 ? '' : 's'}`;
    lines.push(errors || warnings ? `${files} checked: ${withSeparators(errors)} error${errors === 1 ? '' : 's'}, ${withSeparators(warnings)} warning${warnings === 1 ? '' : 's'}` : `${files} checked: no problems`);
    io.out(lines.join('\n'));
  }
  return anyError ? EXIT.findings : EXIT.ok;
}

/** `file:line:col severity code message`, 1-based line and column as editors and compilers print them. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.code} ${d.message}`;
}

function toJson(d: Diagnostic) {
  return { severity: d.severity, code: d.code, message: d.message, range: d.range };
}
