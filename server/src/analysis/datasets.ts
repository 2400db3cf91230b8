import { MAX_DIM, product } from '../catalog/common';
import { DATASET_SETTINGS, SYNTHETIC_CALL } from '../catalog/settings';
import { describeSynthetic, SYNTHETIC_KINDS } from '../data/synthetic';
import type * as A from '../language/ast';
import { closestName } from '../util/suggest';
import { bindArgs, type BindContext } from './args';
import type { AnalysisHost } from './host';
import type { DatasetInfo } from './model';
import { bindSettings } from './settings';
import { EMPTY_ENV } from './values';
import { dirname, isAbsolute, join, basename } from 'node:path';

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
      diags.add('missing-source', `dataset ${decl.name.name} needs a source: \`source: "data/file.csv"\` or \`source: synthetic(kind: spirals)\`.`, decl.name.range, {
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
    const here = host.listDir(dirname(path));
    const suggestion = closestName(basename(path), here);
    diags.add(
      'dataset-missing-file',
      `Data file not found: ${source.value} (looked for ${path}).${suggestion ? ` Did you mean '${join(dirname(source.value), suggestion)}'?` : ''}`,
      source.range,
      { suggestions: suggestion ? [join(dirname(source.value), suggestion)] : [] },
    );
    return { ...base, kind: 'csv', path, shape: declaredShape };
  }
  if ('error' in table) {
    const { error } = table;
    const range = error.code === 'dataset-target' ? (settings.written.get('target')?.prop.value.range ?? source.range) : source.range;
    diags.add(error.code, error.message, range);
    return { ...base, kind: 'csv', path, shape: declaredShape };
  }
  if (table.missing.length || table.nonNumeric.length) {
    const first = table.missing[0] ?? table.nonNumeric[0];
    const what = table.missing.length ? `${table.missingCount} missing` : `${table.nonNumericCount} non-numeric`;
    diags.add(
      'dataset-values',
      `${source.value} has ${what} feature value${(table.missing.length ? table.missingCount : table.nonNumericCount) === 1 ? '' : 's'}, first at row ${first.row}, column ${first.column} (${first.columnName}); training will refuse them until they are filled or removed.`,
      source.range,
    );
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
    ...split(table.rows),
  };
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
      `shape ${`[${declared.join(', ')}]`} holds ${size} values but each row of ${decl.name.name} has ${features} features; use a shape whose sizes multiply to ${features}.`,
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
