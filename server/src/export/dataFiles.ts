import { basename, dirname, relative } from 'node:path';
import type { DatasetInfo, ModelAnalysis } from '../analysis/model';
import { py } from '../catalog/torch';
import { validationSplit, type PreparedData } from '../training/data/prepare';
import { withSeparators } from '../util/format';
import { int64, npyBytes } from './npy';
import type { SourceText } from './source';
import { docText, fillTemplate } from './templates';

/** A file of an exported project: its path inside the project and its contents. */
export interface ProjectFile {
  readonly path: string;
  readonly data: string | Uint8Array;
}

/**
 * data.py and its arrays: the dataset exactly as Modelspec prepares it (same rows, split,
 * normalisation, and the validation rows the training engines hold out), written as .npy
 * files next to it. A model without a dataset gets random samples of its input shape
 * instead, labelled as such, so that the project still runs end to end.
 */
export function dataFiles(model: ModelAnalysis, spec: SourceText, data: PreparedData | undefined, holdOut: boolean): ProjectFile[] {
  const dataset = model.dataset;
  if (!dataset || !data) return [{ path: 'data.py', data: placeholderPy(model, spec) }];
  const { train, test } = data;
  const shape = [...data.shape];
  const validation = holdOut ? validationSplit(train.n, model.train.validationSplit, model.train.seed).validation : new Int32Array(0);
  const description = {
    name: dataset.name,
    spec: basename(spec.file),
    source: sourceText(dataset, spec),
    target: dataset.target ?? null,
    labels: data.labels,
    featureNames: data.featureNames ?? null,
    shape,
    testSplit: dataset.testSplit,
    seed: dataset.seed,
    validationSplit: holdOut ? model.train.validationSplit : 0,
    validationSeed: holdOut ? model.train.seed : null,
    normalization: data.normalization,
    rows: { train: train.n, validation: validation.length, test: test.n },
  };
  return [
    { path: 'data.py', data: preparedPy(model, dataset, data, spec, validation.length, holdOut) },
    { path: 'data/dataset.json', data: JSON.stringify(description, null, 2) + '\n' },
    { path: 'data/x_train.npy', data: npyBytes(train.x, [train.n, ...shape]) },
    { path: 'data/y_train.npy', data: npyBytes(int64(train.y), [train.n]) },
    { path: 'data/x_test.npy', data: npyBytes(test.x, [test.n, ...shape]) },
    { path: 'data/y_test.npy', data: npyBytes(int64(test.y), [test.n]) },
    { path: 'data/validation.npy', data: npyBytes(int64(validation), [validation.length]) },
    // Which source row each sample came from (0-based, header excluded), to trace a prediction back.
    { path: 'data/train_rows.npy', data: npyBytes(int64(data.trainIndex), [data.trainIndex.length]) },
    { path: 'data/test_rows.npy', data: npyBytes(int64(data.testIndex), [data.testIndex.length]) },
  ];
}

function sourceText(dataset: DatasetInfo, spec: SourceText): string {
  if (dataset.kind === 'csv' && dataset.path) return relative(dirname(spec.file), dataset.path) || dataset.path;
  if (dataset.synthetic) return `synthetic(${Object.entries({ kind: dataset.synthetic.kind, ...dataset.synthetic.args }).map(([k, v]) => `${k}: ${v}`).join(', ')})`;
  return dataset.name;
}

const NORMALIZATION: Readonly<Record<string, string>> = {
  none: 'not scaled (normalize: none)',
  minmax: 'min-max scaled to [0, 1] per feature (normalize: minmax)',
  standard: 'standardised per feature to mean 0, standard deviation 1 (normalize: standard)',
};

function preparedPy(model: ModelAnalysis, dataset: DatasetInfo, data: PreparedData, spec: SourceText, validation: number, holdOut: boolean): string {
  const n = withSeparators;
  const rows = data.train.n + data.test.n;
  const held = holdOut
    ? `${n(validation)} of the ${n(data.train.n)} training rows are held out for validation (validation_split ${model.train.validationSplit}, seed ${model.train.seed}, as Modelspec's training engines hold them out).`
    : `Classical models fit on all ${n(data.train.n)} training rows (no validation rows).`;
  const doc = [
    `Dataset ${dataset.name} of ${basename(spec.file)}, prepared exactly as Modelspec prepares it for ${model.name}.`,
    '',
    `Source: ${sourceText(dataset, spec)}${dataset.target ? `, label column "${dataset.target}"` : ''}; ${n(rows)} rows, ${n(data.classes)} classes.`,
    `Split: ${n(data.test.n)} test rows (test_split ${dataset.testSplit}, stratified, seed ${dataset.seed}); ${held}`,
    `Features: ${NORMALIZATION[data.normalization.kind]}, fitted on the training split only; the statistics are in data/dataset.json.`,
    'The arrays in data/ are the prepared samples; train_rows.npy and test_rows.npy give the source row of each.',
  ].join('\n');
  return fillTemplate('data_prepared.py', { DOC: docText(doc), SHAPE: py(data.shape), LABELS: JSON.stringify(data.labels) });
}

/** Samples small enough that one epoch of the largest published models stays a matter of seconds on a CPU. */
function placeholderSamples(model: ModelAnalysis): { train: number; validation: number; test: number } {
  const perSample = Number(model.totals.flops) * 3;
  const train = Math.max(2, Math.min(64, Math.floor(2e11 / Math.max(perSample, 1))));
  return { train, validation: model.train.validationSplit > 0 ? Math.max(1, Math.floor(train / 4)) : 0, test: Math.max(1, Math.floor(train / 2)) };
}

function placeholderPy(model: ModelAnalysis, spec: SourceText): string {
  const output = model.outputShape ?? [];
  const classes = model.classes ?? output[output.length - 1] ?? 2;
  const first = model.rows.find((r) => r.kind === 'layer');
  const tokens = first?.entry?.name === 'embedding' ? (first.args?.vocab as number) : undefined;
  const samples = placeholderSamples(model);
  const doc = [
    `Placeholder data for ${model.name}: ${basename(spec.file)} gives it no dataset (only its input shape), so these are`,
    `random samples of that shape, ${samples.train} for training, ${samples.validation} for validation and ${samples.test} for testing, with random labels,`,
    'so that train.py runs end to end. Replace load_splits() with your own data, in the same form.',
  ].join('\n');
  return fillTemplate('data_placeholder.py', {
    DOC: docText(doc),
    SHAPE: py(model.inputShape ?? []),
    CLASSES: String(classes),
    LABEL_SHAPE: py(output.slice(0, -1)),
    TOKENS: tokens === undefined ? 'None' : String(tokens),
    SAMPLES: `{"train": ${samples.train}, "validation": ${samples.validation}, "test": ${samples.test}}`,
    SEED: String(model.train.seed),
  });
}
