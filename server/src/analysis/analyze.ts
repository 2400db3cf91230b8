import { product } from '../catalog/common';
import { catalogEntry } from '../catalog/registry';
import { MODEL_SETTINGS, OPTIMIZERS, TRAIN_SETTINGS } from '../catalog/settings';
import type { ArgSpec, Args, EstimatorEntry, LayerEntry, Shape } from '../catalog/types';
import type * as A from '../language/ast';
import { nestedBodies } from '../language/ast';
import { parseText, type ParsedText } from '../language/parser';
import type { Range } from '../language/position';
import { closestName } from '../util/suggest';
import { adviseClassicalInput, adviseNeural, adviseSize } from './advice';
import { bindArgs, type BindContext } from './args';
import { findBlockCycles } from './cycles';
import { resolveDataset } from './datasets';
import { capDiagnostics, DiagnosticBag, DiagnosticList, makeDiagnostic, type Diagnostic, type DiagnosticSink } from './diagnostics';
import { NO_FILES, type AnalysisHost } from './host';
import type { Analysis, DatasetInfo, LayerRow, ModelAnalysis, Reference, TrainSettings } from './model';
import { inferNeural, reportUnknownLayer, type NeuralContext } from './neural';
import { Scope } from './scope';
import { bindSettings } from './settings';
import { computeOf, memoryOf, sumRows } from './totals';
import { EMPTY_ENV, evaluateArgs, INPUT_NAMES, type Env, type Value } from './values';
import { clip } from '../util/clip';

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
  return analyzeParsed(parseText(text, false), options.file, options.host ?? NO_FILES, undefined, false).analysis;
}

/**
 * What each declaration's checks produced, keyed by its syntax tree: an incremental
 * analysis replays a declaration whose tree was reused and whose reads of the rest of the
 * file (datasets, blocks, names, data files) still give the same answers.
 */
export interface Units {
  readonly datasets: ReadonlyMap<A.DatasetDecl, DatasetUnit>;
  readonly blocks: ReadonlyMap<A.BlockDecl, BlockUnit>;
  readonly models: ReadonlyMap<A.ModelDecl, ModelUnit>;
}

interface DatasetUnit {
  readonly info: DatasetInfo;
  readonly diagnostics: readonly Diagnostic[];
  readonly dependencies: readonly string[];
  /** The host's answers, in the order asked. */
  readonly reads: readonly HostRead[];
}

type HostRead = { readonly table: [string, string | undefined]; readonly answer: unknown } | { readonly list: string; readonly answer: readonly string[] };

interface BlockUnit {
  readonly diagnostics: readonly Diagnostic[];
  readonly reads: readonly unknown[];
}

interface ModelUnit {
  readonly model: ModelAnalysis;
  readonly diagnostics: readonly Diagnostic[];
  readonly references: readonly Reference[];
  readonly reads: readonly unknown[];
}

/**
 * Checks a parsed text. With `previous`, declarations that are the same objects as in
 * the previous version (an incremental parse reuses them) replay their results when
 * what they read is unchanged; the result is the same as without `previous`. The units
 * returned are empty unless `keep` asks for them, for the next version.
 */
export function analyzeParsed(parsed: ParsedText, file: string, host: AnalysisHost, previous: Units | undefined, keep: boolean): { analysis: Analysis; units: Units } {
  const { source } = parsed;
  const diags = new DiagnosticBag();
  diags.addAll(source.errors.map((e) => makeDiagnostic(e.code, e.message, e.range)));
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
      diags.add('duplicate-declaration', `'${clip(name)}' is already declared as a ${earlier.kind} on line ${earlier.range.start.line + 1}; rename one of them.`, d.name.range);
      continue;
    }
    declared.set(name, d);
    if (d.kind === 'dataset') datasetDecls.set(name, d);
    else if (d.kind === 'block') {
      blocks.set(name, d);
      if (catalogEntry(name)) diags.add('duplicate-declaration', `Block '${name}' hides the built-in layer of the same name; rename the block.`, d.name.range);
    } else modelDecls.set(name, d);
  }

  const datasetUnits = new Map<A.DatasetDecl, DatasetUnit>();
  const datasets = new Map<string, DatasetInfo>();
  for (const [name, decl] of datasetDecls) {
    const old = previous?.datasets.get(decl);
    const unit = old && hostStillAnswers(host, old.reads) ? old : datasetUnit(decl, file, host);
    if (keep) datasetUnits.set(decl, unit);
    datasets.set(name, unit.info);
    diags.addAll(unit.diagnostics);
    for (const d of unit.dependencies) dependencies.push(d);
  }

  const cyclic = findBlockCycles(blocks, diags);
  const scope = new Scope(datasets, blocks, cyclic);

  const blockUnits = new Map<A.BlockDecl, BlockUnit>();
  for (const decl of blocks.values()) {
    const old = previous?.blocks.get(decl);
    const unit = old && scope.stillReads(old.reads) ? old : blockUnit(decl, scope);
    if (keep) blockUnits.set(decl, unit);
    diags.addAll(unit.diagnostics);
  }

  const modelUnits = new Map<A.ModelDecl, ModelUnit>();
  const models: ModelAnalysis[] = [];
  for (const decl of modelDecls.values()) {
    const old = previous?.models.get(decl);
    const unit = old && scope.stillReads(old.reads) ? old : modelUnit(decl, scope);
    if (keep) modelUnits.set(decl, unit);
    models.push(unit.model);
    diags.addAll(unit.diagnostics);
    for (const r of unit.references) references.push(r);
  }

  let compare: Analysis['compare'];
  for (const c of compares) {
    const names: string[] = [];
    for (const id of c.names) {
      const target = modelDecls.get(id.name);
      if (!target) {
        const suggestion = closestName(id.name, [...modelDecls.keys()]);
        diags.add('unknown-reference', `No model named '${clip(id.name)}'.${suggestion ? ` Did you mean '${clip(suggestion)}'?` : ''}`, id.range, { suggestions: suggestion ? [suggestion] : [] });
        continue;
      }
      references.push({ name: id.name, kind: 'model', range: id.range, target });
      names.push(id.name);
    }
    const data = new Set(models.filter((m) => names.includes(m.name)).map((m) => m.dataset?.name ?? '(none)'));
    if (data.size > 1) {
      diags.add('compare-data', `These models train on different data (${[...data].map((n) => clip(n)).join(', ')}), so their accuracies are not comparable; give them the same dataset.`, c.range);
    }
    if (compare) diags.add('duplicate-declaration', 'Only one compare is used per file; merge the lists.', c.range);
    else compare = { decl: c, models: names };
  }

  const used = new Set<string>();
  for (const r of references) used.add(r.name);
  for (const decls of [datasetDecls, blocks]) {
    for (const [name, decl] of decls) {
      if (!used.has(name)) diags.add('unused-declaration', `${decl.kind} ${clip(name)} is not used by any model.`, decl.name.range);
    }
  }

  const analysis: Analysis = {
    file,
    source,
    datasets,
    blocks,
    models,
    compare,
    references,
    diagnostics: capDiagnostics(diags.sorted()),
    dependencies,
  };
  return { analysis, units: { datasets: datasetUnits, blocks: blockUnits, models: modelUnits } };
}

function layerEntry(name: string): LayerEntry | undefined {
  const e = catalogEntry(name);
  return e?.kind === 'layer' ? e : undefined;
}

function bindContext(diags: DiagnosticSink): BindContext {
  return { diags, layer: layerEntry };
}

function datasetUnit(decl: A.DatasetDecl, file: string, host: AnalysisHost): DatasetUnit {
  const list = new DiagnosticList();
  const dependencies: string[] = [];
  const reads: HostRead[] = [];
  const recording: AnalysisHost = {
    dataTable(path, target) {
      const answer = host.dataTable(path, target);
      reads.push({ table: [path, target], answer });
      return answer;
    },
    listDir(path) {
      const answer = host.listDir(path);
      reads.push({ list: path, answer });
      return answer;
    },
  };
  const info = resolveDataset(decl, file, recording, bindContext(list), dependencies);
  return { info, diagnostics: list.items, dependencies, reads };
}

/** A data file's summary is cached by the host and the same object while the file is unchanged. */
function hostStillAnswers(host: AnalysisHost, reads: readonly HostRead[]): boolean {
  for (const r of reads) {
    if ('table' in r) {
      if (host.dataTable(r.table[0], r.table[1]) !== r.answer) return false;
    } else {
      const now = host.listDir(r.list);
      if (now.length !== r.answer.length || now.some((n, i) => n !== r.answer[i])) return false;
    }
  }
  return true;
}

/** Arguments made optional, for checking block bodies where parameters stand in for values. */
const optionalArgs = new WeakMap<readonly ArgSpec[], ArgSpec[]>();

/**
 * Layer names and arguments inside a block body are checked once, even in blocks no model
 * uses. Parameters stand for unknown values here, which convert silently.
 */
function blockUnit(block: A.BlockDecl, scope: Scope): BlockUnit {
  const list = new DiagnosticList();
  const reader = scope.reader();
  const bind = bindContext(list);
  const visit = (items: readonly A.BodyItem[], env: Env) => {
    for (const item of items) {
      // Both branches of an if are checked: which one a use takes depends on its arguments.
      for (const body of nestedBodies(item)) visit(body, env);
      if (item.kind !== 'layer') continue;
      const entry = catalogEntry(item.name.name);
      if (!entry) {
        if (!reader.block(item.name.name)) reportUnknownLayer(item.name, reader, list);
        continue;
      }
      let optional = optionalArgs.get(entry.args);
      if (!optional) optionalArgs.set(entry.args, (optional = entry.args.map((s) => ({ ...s, required: false }))));
      bindArgs(entry.name, optional, evaluateArgs(item.args, env, list), item.range, bind);
    }
  };
  // The input's shape is unknown here, like the parameters: both stand for values met per use.
  const unknown = new Map<string, Value>([...INPUT_NAMES].map((n) => [n, { kind: 'error' as const, range: block.name.range }]));
  for (const p of block.params) unknown.set(p.name.name, { kind: 'error' as const, range: p.range });
  visit(block.body, unknown);
  return { diagnostics: list.items, reads: reader.reads };
}

function modelUnit(decl: A.ModelDecl, scope: Scope): ModelUnit {
  const diags = new DiagnosticList();
  const references: Reference[] = [];
  const reader = scope.reader();
  const model = analyzeModel(decl, { diags, bind: bindContext(diags), scope: reader, references });
  return { model, diagnostics: diags.items, references, reads: reader.reads };
}

function analyzeModel(decl: A.ModelDecl, ctx: NeuralContext): ModelAnalysis {
  const { diags, bind, scope } = ctx;
  const props: A.Property[] = [];
  const trainSections: A.TrainSection[] = [];
  const items: A.LayerItem[] = [];
  for (const i of decl.body) {
    if (i.kind === 'property') props.push(i);
    else if (i.kind === 'train') trainSections.push(i);
    else items.push(i);
  }
  for (let k = 1; k < trainSections.length; k++) diags.add('duplicate-property', 'A model has one train section; merge them.', trainSections[k].keyword);

  const settings = bindSettings(`model ${decl.name.name}`, MODEL_SETTINGS, props, EMPTY_ENV, bind);
  let dataset: DatasetInfo | undefined;
  const dataName = settings.values.data as string | undefined;
  if (dataName !== undefined) {
    const range = settings.written.get('data')!.prop.value.range;
    dataset = scope.dataset(dataName);
    if (dataset) ctx.references.push({ name: dataName, kind: 'dataset', range, target: dataset.decl });
    else {
      const suggestion = closestName(dataName, scope.datasetNames());
      diags.add('unknown-reference', `No dataset named '${clip(dataName)}'.${suggestion ? ` Did you mean '${clip(suggestion)}'?` : ''}`, range, { suggestions: suggestion ? [suggestion] : [] });
    }
  }
  const declaredInput = settings.values.input as Shape | undefined;
  let inputShape: Shape | undefined = declaredInput ?? dataset?.shape;
  if (declaredInput && dataset?.shape && product(declaredInput) !== product(dataset.shape)) {
    diags.add(
      'input-shape-mismatch',
      `input [${declaredInput.join(', ')}] does not match ${dataset.name}'s samples of shape [${dataset.shape.join(', ')}]; remove input or set the dataset's shape.`,
      settings.written.get('input')!.prop.value.range,
      { expected: dataset.shape },
    );
  } else if (declaredInput && dataset?.shape && declaredInput.join() !== dataset.shape.join()) {
    inputShape = declaredInput; // same size: the model reshapes the samples itself
  }
  if (!inputShape && dataName === undefined && !settings.written.has('input')) {
    diags.add('missing-input', `Model ${clip(decl.name.name)} has neither \`data: SomeDataset\` nor \`input: [...]\`, so no shape can be inferred; add one.`, decl.name.range);
  }
  const classes = (settings.values.classes as number | undefined) ?? dataset?.classes;
  const train = trainSettings(trainSections[0], bind);
  const base: ModelBase = { name: decl.name.name, decl, dataset, inputShape, classes, train };

  if (items.length === 0) {
    diags.add('empty-model', `Model ${clip(decl.name.name)} has no layers and no estimator; add layers such as \`dense(10, activation: softmax)\` or an estimator such as \`logistic_regression\`.`, decl.name.range);
    return finish(base, 'unknown', [], undefined, false, undefined);
  }

  const estimators: A.LayerCall[] = [];
  for (const i of items) if (i.kind === 'layer' && catalogEntry(i.name.name)?.kind === 'estimator') estimators.push(i);
  if (estimators.length > 0) return classicalModel(base, items, estimators, ctx, diags);

  const result = inferNeural(items, inputShape, ctx);
  const model = finish(base, 'neural', result.rows, result.output, result.complete, undefined);
  if (result.complete) adviseNeural(model, diags);
  else adviseSize(model, diags);
  return model;
}

type ModelBase = Pick<ModelAnalysis, 'name' | 'decl' | 'dataset' | 'inputShape' | 'classes' | 'train'>;

function finish(
  base: ModelBase,
  kind: ModelAnalysis['kind'],
  rows: readonly LayerRow[],
  outputShape: Shape | undefined,
  complete: boolean,
  estimator: ModelAnalysis['estimator'],
): ModelAnalysis {
  const totals = sumRows(rows);
  const model: ModelAnalysis = {
    name: base.name,
    decl: base.decl,
    dataset: base.dataset,
    inputShape: base.inputShape,
    classes: base.classes,
    train: base.train,
    kind,
    rows,
    complete,
    totals,
    memory: memoryOf(totals, base.train, base.dataset?.trainSamples),
    compute: computeOf(totals, base.train, base.dataset?.trainSamples),
  };
  // Only the models that have them carry these keys, as they always have.
  if (kind !== 'unknown') (model as { outputShape?: Shape }).outputShape = outputShape;
  if (kind === 'classical') (model as { estimator?: ModelAnalysis['estimator'] }).estimator = estimator;
  return model;
}

function classicalModel(base: ModelBase, items: readonly A.LayerItem[], estimators: A.LayerCall[], ctx: NeuralContext, diags: DiagnosticSink): ModelAnalysis {
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
  const bound = bindArgs(entry.name, entry.args, evaluateArgs(call.args, EMPTY_ENV, diags), call.range, ctx.bind);
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
  } else if (bound.ok && features !== undefined && base.classes === undefined && !base.dataset) {
    // With a dataset, unknown classes come from its own problem (reported there) or a summary still pending.
    diags.add('missing-input', `${entry.name} needs to know the number of classes: give the model \`data: SomeDataset\` or \`classes: N\`.`, base.decl.name.range);
  }
  const model = finish(base, 'classical', rows, base.classes ? [base.classes] : undefined, estimator !== undefined, estimator);
  adviseClassicalInput(model, flattened, call.range, diags);
  return model;
}

/** Most models have no train section, and then their settings are all defaults: one shared, frozen object. */
let defaultTraining: TrainSettings | undefined;

function trainSettings(section: A.TrainSection | undefined, bind: BindContext): TrainSettings {
  if (!section) return (defaultTraining ??= deepFreeze(readTrainSettings(undefined, bind)));
  return readTrainSettings(section, bind);
}

function readTrainSettings(section: A.TrainSection | undefined, bind: BindContext): TrainSettings {
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

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
