import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Analysis, ModelAnalysis } from '../analysis/model';
import { DataError, prepareFor, type PreparedData } from '../training/data/prepare';
import { writeAtomic } from '../training/runs';
import { dataFiles, type ProjectFile } from './dataFiles';
import { pytorchModelPy } from './pytorchModel';
import { pytorchReadme, trainPy } from './pytorchProject';
import { sklearnModelPy, sklearnReadme, sklearnTrainPy } from './sklearnProject';
import { ExportError, SourceText } from './source';

export type ExportTarget = 'pytorch' | 'sklearn';

export interface ExportOptions {
  readonly analysis: Analysis;
  /** The spec's text, which the generated code quotes line by line. */
  readonly text: string;
  readonly model: string;
  /** Default: pytorch for neural models, sklearn for classical ones. */
  readonly target?: ExportTarget;
  readonly outDir: string;
  /** The data as already prepared (a training run has it); prepared here when absent. */
  readonly data?: PreparedData;
  readonly version: string;
}

export interface ExportResult {
  readonly dir: string;
  readonly model: string;
  readonly target: ExportTarget;
  /** Paths inside `dir`, in the order written. */
  readonly files: readonly string[];
}

/**
 * Writes a standalone project for one model of a checked spec: model.py, data.py (and its
 * arrays), train.py and README.md. PyTorch for neural models, scikit-learn for classical ones.
 */
export function exportProject(opts: ExportOptions): ExportResult {
  const files = projectFiles(opts);
  for (const f of files) {
    const path = join(opts.outDir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeAtomic(path, f.data);
  }
  return { dir: opts.outDir, model: opts.model, target: targetOf(exportableModel(opts.analysis, opts.model), opts.target), files: files.map((f) => f.path) };
}

export function projectFiles(opts: ExportOptions): ProjectFile[] {
  const model = exportableModel(opts.analysis, opts.model);
  const target = targetOf(model, opts.target);
  const spec = new SourceText(opts.analysis.file, opts.text);
  const data = opts.data ?? prepareData(model);
  if (target === 'pytorch') {
    return [
      { path: 'model.py', data: pytorchModelPy(model, spec, opts.version) },
      ...dataFiles(model, spec, data, true),
      { path: 'train.py', data: trainPy(model, spec) },
      { path: 'README.md', data: pytorchReadme(model, spec, data !== undefined) },
    ];
  }
  return [
    { path: 'model.py', data: sklearnModelPy(model, spec, opts.version, data?.train.n ?? model.dataset?.trainSamples ?? 0) },
    ...dataFiles(model, spec, data, false),
    { path: 'train.py', data: sklearnTrainPy(model, spec) },
    { path: 'README.md', data: sklearnReadme(model, spec, data !== undefined) },
  ];
}

function exportableModel(analysis: Analysis, name: string): ModelAnalysis {
  const model = analysis.models.find((m) => m.name === name);
  if (!model) throw new ExportError(`No model named '${name}' in ${analysis.file}.`, undefined, 'unknown-model');
  if (analysis.diagnostics.some((d) => d.severity === 'error')) throw new ExportError(`${analysis.file} has errors; fix them before exporting.`, undefined, 'spec-errors');
  if (model.kind === 'unknown' || !model.complete) throw new ExportError(`${name} could not be fully resolved, so it cannot be exported.`, model.decl.name.range);
  return model;
}

function targetOf(model: ModelAnalysis, asked: ExportTarget | undefined): ExportTarget {
  const natural: ExportTarget = model.kind === 'classical' ? 'sklearn' : 'pytorch';
  if (asked && asked !== natural) {
    const what = model.kind === 'classical' ? `a classical model (${model.estimator?.entry.name})` : 'a neural model';
    throw new ExportError(`${model.name} is ${what}: it exports with --to ${natural}, not --to ${asked}.`, model.decl.name.range, 'export-target');
  }
  return natural;
}

function prepareData(model: ModelAnalysis): PreparedData | undefined {
  if (!model.dataset) return undefined;
  try {
    return prepareFor(model.dataset);
  } catch (err) {
    if (err instanceof DataError) throw new ExportError(err.message, model.dataset.decl.name.range, 'bad-data');
    throw err;
  }
}
