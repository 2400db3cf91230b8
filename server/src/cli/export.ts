import { readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { AnalysisHost } from '../analysis/host';
import { exportProject, type ExportTarget } from '../export/project';
import { ExportError } from '../export/source';
import { jsonInteger, withSeparators } from '../util/format';
import { problemCounts } from '../analysis/diagnostics';
import { closestName } from '../util/suggest';
import { formatDiagnostic } from './check';
import { analyzeFile, EXIT, UsageError, type Output } from './io';

export interface ExportCommand {
  readonly file: string;
  readonly model?: string;
  readonly to?: ExportTarget;
  readonly out?: string;
  readonly json: boolean;
  readonly version: string;
}

/**
 * `modelspec export`: a standalone project for one model (PyTorch for neural models,
 * scikit-learn for classical ones). A spec with errors is not exported: its errors are
 * printed as `check` prints them; a layer with no form for the target is reported at its
 * line with the code `export-unsupported`.
 */
export function runExport(opts: ExportCommand, host: AnalysisHost, io: Output): number {
  const analysis = analyzeFile(opts.file, host);
  const names = analysis.models.map((m) => m.name);
  const name = opts.model ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined) {
    throw new UsageError(names.length ? `${opts.file} has ${names.length} models; choose one with --model NAME (${names.join(', ')})` : `${opts.file} declares no models`);
  }
  if (!names.includes(name)) {
    const suggestion = closestName(name, names);
    throw new UsageError(`${opts.file}: no model named '${name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}${names.length ? ` Models: ${names.join(', ')}.` : ''}`);
  }
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    for (const d of errors) io.err(formatDiagnostic(opts.file, d));
    const n = problemCounts(analysis.diagnostics).errors;
    io.err(`modelspec: ${opts.file} has ${withSeparators(n)} error${n === 1 ? '' : 's'}; nothing was exported.`);
    return EXIT.findings;
  }
  const model = analysis.models.find((m) => m.name === name)!;
  const out = resolve(opts.out ?? `${name}-${opts.to ?? (model.kind === 'classical' ? 'sklearn' : 'pytorch')}`);
  if (isFile(out)) throw new UsageError(`--out ${opts.out}: is a file, not a folder`);
  try {
    const result = exportProject({ analysis, text: readFileSync(opts.file, 'utf8'), model: name, target: opts.to, outDir: out, version: opts.version });
    const t = model.totals;
    if (opts.json) {
      io.out(JSON.stringify({ model: name, target: result.target, dir: result.dir, files: result.files, params: result.target === 'pytorch' ? { total: jsonInteger(t.torch.params), buffers: jsonInteger(t.torch.buffers) } : null }, null, 2));
    } else {
      const shown = relative(process.cwd(), result.dir) || '.';
      const arrays = result.files.filter((f) => f.endsWith('.npy')).length;
      const listed = result.files.filter((f) => !f.endsWith('.npy') && !f.startsWith('data/'));
      io.out(`Exported ${name} to ${shown}/ (${result.target === 'pytorch' ? 'PyTorch' : 'scikit-learn'}): ${listed.join(', ')}${arrays ? `, and ${arrays} arrays in data/` : ''}`);
      io.out(`Train it: cd ${shown} && python train.py${result.target === 'pytorch' ? '   (torchrun --nproc_per_node N train.py for N GPUs; see README.md)' : ''}`);
    }
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof ExportError)) throw err;
    const at = err.range ? `${opts.file}:${err.range.start.line + 1}:${err.range.start.character + 1} ` : `${opts.file}: `;
    io.err(`${at}error ${err.code} ${err.message}`);
    return EXIT.findings;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
