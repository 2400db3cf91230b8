import type { Diagnostic } from '../analysis/diagnostics';
import type { AnalysisHost } from '../analysis/host';
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
    io.out(JSON.stringify({ files: results.map((r) => ({ file: r.file, diagnostics: r.diagnostics.map(toJson) })) }, null, 2));
  } else {
    const lines: string[] = [];
    let errors = 0;
    let warnings = 0;
    for (const r of results) {
      for (const d of r.diagnostics) {
        if (d.severity === 'error') errors++;
        if (d.severity === 'warning') warnings++;
        lines.push(formatDiagnostic(r.file, d));
      }
    }
    const files = `${results.length} file${results.length === 1 ? '' : 's'}`;
    lines.push(errors || warnings ? `${files} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}` : `${files} checked: no problems`);
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
