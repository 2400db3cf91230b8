import { MAX_DIM, product } from '../catalog/common';
import { DATASET_SETTINGS, SYNTHETIC_CALL } from '../catalog/settings';
import { describeSynthetic, SYNTHETIC_KINDS } from '../data/synthetic';
import type * as A from '../language/ast';
import { closestName } from '../util/suggest';
import { bindArgs, type BindContext } from './args';
import { tableProblems } from '../data/table';
import { formatBytes } from '../util/format';
import { isPending, type AnalysisHost } from './host';
import type { DatasetInfo } from './model';
import { bindSettings } from './settings';
import { EMPTY_ENV } from './values';
import { dirname, isAbsolute, join, basename } from 'node:path';
import { clip } from '../util/clip';

/** Paths quoted in messages are cut longer than names: their end (the file name) matters too. */
const MAX_QUOTED_PATH = 160;

/** `source` is checked here, not by bindSettings: it is a path or a generator call. */
const CUSTOM: ReadonlySet<string> = new Set(['source']);

/** Resolves a dataset declaration: validates its settings, reads its file or describes its generator. */
export function resolveDataset(decl: A.DatasetDecl, file: string, host: AnalysisHost, ctx: BindContext, dependencies: string[]): DatasetInfo {
  const { diags } = ctx;
  const settings = bindSettings(`dataset ${decl.name.name}`, DATASET_SETTINGS, decl.props, EMPTY_ENV, ctx, CUSTOM);
  const base = {
    name: decl.name.name,
    decl,
    testSplit: settings.values.test_split as number,
    normalize: settings.values.normalize as string,
    seed: settings.values.seed as number,
    target: settings.values.target as string | undefined,
  };
  const source = settings.written.get('source')?.raw;
  const declaredShape = settings.values.shape as readonly number[] | undefined;
  if (!source) {
    if (!settings.written.has('source')) {
      diags.add('missing-source', `dataset ${clip(decl.name.name)} needs a source: \`source: "data/file.csv"\` or \`source: synthetic(kind: spirals)\`.`, decl.name.range, {
        insertText: 'source: ',
      });
    }
    return { ...base, kind: 'unknown', shape: declaredShape };
  }
  const split = (rows: number) => {
    const testSamples = Math.max(1, Math.round(rows * base.testSplit));
    return { rows, testSamples, trainSamples: Math.max(0, rows - testSamples) };
  };

  if (source.kind === 'call' && source.name === SYNTHETIC_CALL) {
    const kindArg = SYNTHETIC_ARGS;
    const bound = bindArgs('synthetic', kindArg.specs, source.args, source.range, ctx);
    const kind = bound.args.kind as string | undefined;
    if (!bound.ok || !kind) return { ...base, kind: 'unknown', shape: declaredShape };
    const known = SYNTHETIC_KINDS[kind as keyof typeof SYNTHETIC_KINDS];
    const numeric: Record<string, number> = {};
    for (const [k, v] of Object.entries(bound.args)) if (typeof v === 'number') numeric[k] = v;
    for (const k of Object.keys(numeric)) {
      if (!known.args.some((a) => a.name === k)) {
        diags.add('unknown-argument', `synthetic kind ${kind} does not use '${k}'; it takes: ${known.args.map((a) => a.name).join(', ')}.`, bound.ranges.get(k)!, {}, 'warning');
        delete numeric[k];
      }
    }
    const d = describeSynthetic(kind as keyof typeof SYNTHETIC_KINDS, numeric);
    for (const problem of d.problems) diags.add('value-out-of-range', problem, source.range);
    const shape = checkShape(declaredShape, d.shape, d.featureCount, settings.written.get('shape')?.prop.value.range, decl, ctx);
    return {
      ...base,
      kind: 'synthetic',
      synthetic: { kind, args: numeric },
      shape,
      features: d.featureCount,
      classes: d.classes,
      vocab: d.vocab,
      ...split(d.samples),
    };
  }

  if (source.kind !== 'string') {
    diags.add('argument-type', 'source must be a CSV path in double quotes or `synthetic(kind: ...)`.', source.range);
    return { ...base, kind: 'unknown', shape: declaredShape };
  }
  const path = isAbsolute(source.value) ? source.value : join(dirname(file), source.value);
  dependencies.push(path);
  const table = host.dataTable(path, base.target);
  if (!table) {
    const wanted = basename(path);
    // The name itself is never a suggestion: a folder or pipe of that name is reported as what it is, not as missing.
    const suggestion = closestName(wanted, host.listDir(dirname(path)).filter((n) => n !== wanted));
    diags.add(
      'dataset-missing-file',
      `Data file not found: ${clip(source.value, MAX_QUOTED_PATH)} (looked for ${clip(path, MAX_QUOTED_PATH)}).${suggestion ? ` Did you mean '${clip(join(dirname(source.value), suggestion), MAX_QUOTED_PATH)}'?` : ''}`,
      source.range,
      { suggestions: suggestion ? [join(dirname(source.value), suggestion)] : [] },
    );
    return { ...base, kind: 'csv', path, file: source.value, shape: declaredShape };
  }
  if ('error' in table) {
    const { error } = table;
    const range = error.code === 'dataset-target' ? (settings.written.get('target')?.prop.value.range ?? source.range) : source.range;
    // A target's candidates travel as suggestions: the quick fixes that pick one.
    const data = error.code === 'dataset-target' && error.suggestions ? { ...locationData(error), suggestions: error.suggestions } : locationData(error);
    diags.add(error.code, error.message, range, data);
    return { ...base, kind: 'csv', path, file: source.value, shape: declaredShape };
  }
  if (isPending(table)) {
    diags.add(
      'dataset-pending',
      `${source.value}: summary pending. The file (${formatBytes(BigInt(table.bytes))}) is being read in the background; its rows and classes, and the checks that need them, follow when it has been read.`,
      source.range,
    );
    // The header alone gives the features, so shapes and parameter counts need not wait.
    const columns = table.columns;
    const at = base.target === undefined ? columns.length - 1 : columns.indexOf(base.target);
    const features = columns.length >= 2 && at >= 0 && columns.indexOf(columns[at], at + 1) < 0 ? columns.length - 1 : undefined;
    const shape = features === undefined ? declaredShape : checkShape(declaredShape, [features], features, settings.written.get('shape')?.prop.value.range, decl, ctx);
    return { ...base, kind: 'csv', path, file: source.value, shape, features, pending: { bytes: table.bytes } };
  }
  // The same problems training refuses the data for, with the same codes and messages.
  for (const problem of tableProblems(table, source.value)) {
    diags.add(problem.code, problem.message, source.range, locationData(problem), problem.certain ? undefined : 'warning');
  }
  const shape = checkShape(declaredShape, [table.features], table.features, settings.written.get('shape')?.prop.value.range, decl, ctx);
  return {
    ...base,
    kind: 'csv',
    path,
    shape,
    features: table.features,
    classes: table.labels.length,
    labels: table.labels,
    labelCounts: table.labelCounts,
    target: table.targetColumn,
    file: source.value,
    ...(table.sampledRows !== undefined ? { sampledRows: table.sampledRows } : {}),
    ...split(table.rows),
  };
}

/** Where in the data file a problem is, for clients that open it there. */
function locationData(at: { readonly row?: number; readonly column?: number }): { row?: number; column?: number } | undefined {
  return at.row === undefined && at.column === undefined ? undefined : { row: at.row, column: at.column };
}

function checkShape(
  declared: readonly number[] | undefined,
  natural: readonly number[],
  features: number,
  range: A.Property['range'] | undefined,
  decl: A.DatasetDecl,
  ctx: BindContext,
): readonly number[] {
  if (!declared) return natural;
  const size = product(declared);
  if (size !== BigInt(features)) {
    ctx.diags.add(
      'dataset-shape',
      `shape ${`[${declared.join(', ')}]`} holds ${size} values but each row of ${clip(decl.name.name)} has ${features} features; use a shape whose sizes multiply to ${features}.`,
      range ?? decl.name.range,
      { features },
    );
    return natural;
  }
  return declared;
}

const SYNTHETIC_ARGS = {
  specs: [
    { name: 'kind', type: 'enum' as const, values: Object.keys(SYNTHETIC_KINDS), required: true, doc: 'Which generator: spirals (2-D points), sequences (for RNNs), tokens (for embeddings and attention).' },
    ...uniqueArgs(),
  ],
};

/** Every generator's arguments, once each, so `synthetic(...)` binds like a layer call. */
function uniqueArgs() {
  const seen = new Map<string, { name: string; type: 'int' | 'number'; doc: string; min?: number; max?: number }>();
  for (const kind of Object.values(SYNTHETIC_KINDS)) {
    for (const a of kind.args) {
      if (!seen.has(a.name)) seen.set(a.name, { name: a.name, type: a.type, doc: a.doc, min: a.min, max: Math.min(a.max ?? MAX_DIM, MAX_DIM) });
    }
  }
  return [...seen.values()];
}
