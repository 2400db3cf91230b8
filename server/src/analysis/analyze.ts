import { product } from '../catalog/common';
import { catalogEntry } from '../catalog/registry';
import { MODEL_SETTINGS, OPTIMIZERS, TRAIN_SETTINGS } from '../catalog/settings';
import type { Args, EstimatorEntry, LayerEntry, Shape } from '../catalog/types';
import type * as A from '../language/ast';
import { parse } from '../language/parser';
import type { Range } from '../language/position';
import { closestName } from '../util/suggest';
import { adviseClassicalInput, adviseNeural, adviseSize } from './advice';
import { bindArgs, type BindContext } from './args';
import { findBlockCycles } from './cycles';
import { resolveDataset } from './datasets';
import { DiagnosticBag } from './diagnostics';
import { NO_FILES, type AnalysisHost } from './host';
import type { Analysis, DatasetInfo, LayerRow, ModelAnalysis, Reference, TrainSettings } from './model';
import { inferNeural, reportUnknownLayer } from './neural';
import { bindSettings } from './settings';
import { computeOf, memoryOf, sumRows } from './totals';
import { EMPTY_ENV, evaluateArgs, type Env } from './values';

export interface AnalyzeOptions {
  /** Absolute path of the document (relative data paths resolve against its folder). */
  readonly file: string;
  readonly host?: AnalysisHost;
}

/**
 * The one analysis of a document version: parse, resolve, infer shapes, estimate and
 * check. Pure apart from the host's file reads; never throws for any input text.
 */
export function analyze(text: string, options: AnalyzeOptions): Analysis {
  const host = options.host ?? NO_FILES;
  const source = parse(text);
  const diags = new DiagnosticBag();
  for (const e of source.errors) diags.add(e.code, e.message, e.range);
  const bind: BindContext = { diags, layer: (name) => layerEntry(name) };
  const references: Reference[] = [];
  const dependencies: string[] = [];

  const datasetDecls = new Map<string, A.DatasetDecl>();
  const blocks = new Map<string, A.BlockDecl>();
  const modelDecls = new Map<string, A.ModelDecl>();
  const compares: A.CompareDecl[] = [];
  const declared = new Map<string, A.Declaration>();
  for (const d of source.declarations) {
    if (d.kind === 'compare') {
      compares.push(d);
      continue;
    }
    const name = d.name.name;
    if (!name) continue;
    const earlier = declared.get(name);
    if (earlier) {
      diags.add('duplicate-declaration', `'${name}' is already declared as a ${earlier.kind} on line ${earlier.range.start.line + 1}; rename one of them.`, d.name.range);
      continue;
    }
    declared.set(name, d);
    if (d.kind === 'dataset') datasetDecls.set(name, d);
    else if (d.kind === 'block') {
      blocks.set(name, d);
      if (catalogEntry(name)) diags.add('duplicate-declaration', `Block '${name}' hides the built-in layer of the same name; rename the block.`, d.name.range);
    } else modelDecls.set(name, d);
  }

  const datasets = new Map<string, DatasetInfo>();
  for (const [name, decl] of datasetDecls) datasets.set(name, resolveDataset(decl, options.file, host, bind, dependencies));

  const cyclic = findBlockCycles(blocks, diags);
  const neuralCtx = { diags, bind, blocks, references, cyclic };
  checkBlockBodies(blocks, bind);

  const models: ModelAnalysis[] = [];
  for (const decl of modelDecls.values()) {
    models.push(analyzeModel(decl, datasets, neuralCtx, references));
  }

  let compare: Analysis['compare'];
  for (const c of compares) {
    const names: string[] = [];
    for (const id of c.names) {
      const target = modelDecls.get(id.name);
      if (!target) {
        const suggestion = closestName(id.name, [...modelDecls.keys()]);
        diags.add('unknown-reference', `No model named '${id.name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`, id.range, { suggestions: suggestion ? [suggestion] : [] });
        continue;
      }
      references.push({ name: id.name, kind: 'model', range: id.range, target });
      names.push(id.name);
    }
    const data = new Set(models.filter((m) => names.includes(m.name)).map((m) => m.dataset?.name ?? '(none)'));
    if (data.size > 1) {
      diags.add('compare-data', `These models train on different data (${[...data].join(', ')}), so their accuracies are not comparable; give them the same dataset.`, c.range);
    }
    if (compare) diags.add('duplicate-declaration', 'Only one compare is used per file; merge the lists.', c.range);
    else compare = { decl: c, models: names };
  }

  const used = new Set(references.map((r) => r.name));
  for (const [name, decl] of [...datasetDecls, ...blocks]) {
    if (!used.has(name)) diags.add('unused-declaration', `${decl.kind} ${name} is not used by any model.`, decl.name.range);
  }

  return {
    file: options.file,
    source,
    datasets,
    blocks,
    models,
    compare,
    references,
    diagnostics: diags.sorted(),
    dependencies,
  };
}

function layerEntry(name: string): LayerEntry | undefined {
  const e = catalogEntry(name);
  return e?.kind === 'layer' ? e : undefined;
}

/**
 * Layer names and arguments inside block bodies are checked once, even in blocks no model
 * uses. Parameters stand for unknown values here, which convert silently.
 */
function checkBlockBodies(blocks: ReadonlyMap<string, A.BlockDecl>, bind: BindContext): void {
  const visit = (items: readonly A.BodyItem[], env: Env) => {
    for (const item of items) {
      if (item.kind === 'repeat' || item.kind === 'residual') visit(item.body, env);
      if (item.kind !== 'layer') continue;
      const entry = catalogEntry(item.name.name);
      if (!entry) {
        if (!blocks.has(item.name.name)) reportUnknownLayer(item.name, blocks, bind.diags);
        continue;
      }
      const optional = entry.args.map((s) => ({ ...s, required: false }));
      bindArgs(entry.name, optional, evaluateArgs(item.args ?? [], env, bind.diags), item.range, bind);
    }
  };
  for (const b of blocks.values()) {
    visit(b.body, new Map(b.params.map((p) => [p.name.name, { kind: 'error' as const, range: p.range }])));
  }
}

function analyzeModel(
  decl: A.ModelDecl,
  datasets: ReadonlyMap<string, DatasetInfo>,
  ctx: Parameters<typeof inferNeural>[2],
  references: Reference[],
): ModelAnalysis {
  const { diags, bind } = ctx;
  const props = decl.body.filter((i): i is A.Property => i.kind === 'property');
  const trainSections = decl.body.filter((i): i is A.TrainSection => i.kind === 'train');
  const items = decl.body.filter((i): i is A.LayerItem => i.kind === 'layer' || i.kind === 'repeat' || i.kind === 'residual');
  for (const extra of trainSections.slice(1)) diags.add('duplicate-property', 'A model has one train section; merge them.', extra.keyword);

  const settings = bindSettings(`model ${decl.name.name}`, MODEL_SETTINGS, props, EMPTY_ENV, bind);
  let dataset: DatasetInfo | undefined;
  const dataName = settings.values.data as string | undefined;
  if (dataName !== undefined) {
    const range = settings.ranges.get('data')!;
    dataset = datasets.get(dataName);
    if (dataset) references.push({ name: dataName, kind: 'dataset', range, target: dataset.decl });
    else {
      const suggestion = closestName(dataName, [...datasets.keys()]);
      diags.add('unknown-reference', `No dataset named '${dataName}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`, range, { suggestions: suggestion ? [suggestion] : [] });
    }
  }
  const declaredInput = settings.values.input as Shape | undefined;
  let inputShape: Shape | undefined = declaredInput ?? dataset?.shape;
  if (declaredInput && dataset?.shape && product(declaredInput) !== product(dataset.shape)) {
    diags.add(
      'input-shape-mismatch',
      `input [${declaredInput.join(', ')}] does not match ${dataset.name}'s samples of shape [${dataset.shape.join(', ')}]; remove input or set the dataset's shape.`,
      settings.ranges.get('input')!,
      { expected: dataset.shape },
    );
  } else if (declaredInput && dataset?.shape && declaredInput.join() !== dataset.shape.join()) {
    inputShape = declaredInput; // same size: the model reshapes the samples itself
  }
  if (!inputShape && dataName === undefined && !settings.keys.has('input')) {
    diags.add('missing-input', `Model ${decl.name.name} has neither \`data: SomeDataset\` nor \`input: [...]\`, so no shape can be inferred; add one.`, decl.name.range);
  }
  const classes = (settings.values.classes as number | undefined) ?? dataset?.classes;
  const train = trainSettings(trainSections[0], bind);

  const base = {
    name: decl.name.name,
    decl,
    dataset,
    inputShape,
    classes,
    train,
  };

  if (items.length === 0) {
    diags.add('empty-model', `Model ${decl.name.name} has no layers and no estimator; add layers such as \`dense(10, activation: softmax)\` or an estimator such as \`logistic_regression\`.`, decl.name.range);
    return finish({ ...base, kind: 'unknown', rows: [], complete: false });
  }

  const estimators = items.filter((i): i is A.LayerCall => i.kind === 'layer' && catalogEntry(i.name.name)?.kind === 'estimator');
  if (estimators.length > 0) return classicalModel(base, items, estimators, ctx, diags);

  const result = inferNeural(items, inputShape, ctx);
  const model = finish({ ...base, kind: 'neural', rows: result.rows, outputShape: result.output, complete: result.complete });
  if (result.complete) adviseNeural(model, diags);
  else adviseSize(model, diags);
  return model;
}

type ModelBase = Pick<ModelAnalysis, 'name' | 'decl' | 'dataset' | 'inputShape' | 'classes' | 'train'>;

function finish(m: ModelBase & Pick<ModelAnalysis, 'kind' | 'rows' | 'complete'> & Partial<ModelAnalysis>): ModelAnalysis {
  const totals = sumRows(m.rows);
  return { ...m, totals, memory: memoryOf(totals, m.train), compute: computeOf(totals, m.train, m.dataset?.trainSamples) };
}

function classicalModel(base: ModelBase, items: readonly A.LayerItem[], estimators: A.LayerCall[], ctx: Parameters<typeof inferNeural>[2], diags: DiagnosticBag): ModelAnalysis {
  const call = estimators[0];
  for (const extra of estimators.slice(1)) {
    diags.add('multiple-estimators', `A classical model holds exactly one estimator; move ${extra.name.name} into a model of its own and list both in \`compare\`.`, extra.name.range);
  }
  let flattened = false;
  for (const item of items) {
    if (item === call || estimators.includes(item as A.LayerCall)) continue;
    if (item.kind === 'layer' && item.name.name === 'flatten' && !item.args?.length && item.range.start.line <= call.range.start.line) {
      flattened = true;
      continue;
    }
    diags.add('mixed-model', `${call.name.name} is a classical estimator, so this model cannot also hold neural layers; move them into a model of their own and list both in \`compare\`.`, item.kind === 'layer' ? item.name.range : item.range);
  }
  const entry = catalogEntry(call.name.name) as EstimatorEntry;
  const bound = bindArgs(entry.name, entry.args, evaluateArgs(call.args ?? [], EMPTY_ENV, diags), call.range, ctx.bind);
  const input = base.inputShape;
  const features = input ? Number(product(input)) : undefined;
  const rows: LayerRow[] = [];
  let estimator: ModelAnalysis['estimator'];
  if (bound.ok && features !== undefined && base.classes !== undefined) {
    const estimate = entry.estimate({
      args: bound.args,
      features,
      classes: base.classes,
      trainSamples: base.dataset?.trainSamples,
      report: (r) => diags.add(r.code, r.message, (r.arg ? bound.ranges.get(r.arg) : undefined) ?? call.range, r.data as Record<string, unknown> | undefined, r.severity),
    });
    estimator = { entry, args: bound.args as Args, estimate, range: call.range };
    rows.push({
      kind: 'layer',
      name: entry.name,
      args: bound.args,
      argRanges: bound.ranges,
      range: call.range,
      site: call.range,
      depth: 0,
      input,
      output: [base.classes],
      trainable: estimate.params,
      nonTrainable: 0n,
      macs: estimate.macs,
      activations: 0n,
      count: 1,
    });
  } else if (bound.ok && features !== undefined && base.classes === undefined) {
    diags.add('missing-input', `${entry.name} needs to know the number of classes: give the model \`data: SomeDataset\` or \`classes: N\`.`, base.decl.name.range);
  }
  const model = finish({ ...base, kind: 'classical', rows, outputShape: base.classes ? [base.classes] : undefined, estimator, complete: estimator !== undefined });
  adviseClassicalInput(model, flattened, call.range, diags);
  return model;
}

function trainSettings(section: A.TrainSection | undefined, bind: BindContext): TrainSettings {
  const s = bindSettings('train', TRAIN_SETTINGS, section?.props ?? [], EMPTY_ENV, bind);
  const optimizerName = (s.values.optimizer as string | undefined) ?? 'adam';
  const optimizer = s.calls.optimizer ?? defaultCall(optimizerName, section?.range);
  return {
    optimizer,
    loss: s.values.loss as string,
    batchSize: s.values.batch_size as number,
    epochs: s.values.epochs as number,
    metrics: (s.values.metrics as readonly string[] | undefined) ?? ['accuracy'],
    earlyStopping: s.values.early_stopping as number | undefined,
    validationSplit: s.values.validation_split as number,
    seed: s.values.seed as number,
    section,
  };
}

function defaultCall(name: string, range: Range | undefined) {
  const spec = OPTIMIZERS.find((o) => o.name === name) ?? OPTIMIZERS[0];
  const args: Record<string, Args[string]> = {};
  for (const a of spec.args) args[a.name] = a.default;
  const zero = { line: 0, character: 0 };
  return { name: spec.name, args, range: range ?? { start: zero, end: zero } };
}
