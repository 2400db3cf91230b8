import type { Hover, MarkupContent } from 'vscode-languageserver/node';
import type { Analysis, DatasetInfo, LayerRow, ModelAnalysis } from '../analysis/model';
import { memoryIn, modelCounts, rowCounter, sumCounts, type Counts } from '../analysis/paramCounts';
import { batchText, fitFacts } from '../analysis/totals';
import { formatShape } from '../catalog/common';
import { catalogEntry } from '../catalog/registry';
import { STRUCTURE_DOCS } from '../catalog/settings';
import type * as A from '../language/ast';
import type { Position, Range } from '../language/position';
import { NO_TIMINGS, type MachineTimings } from '../training/calibrationFile';
import type { EngineChoice } from '../training/engineChoice';
import { formatBytes, formatSI, withSeparators } from '../util/format';
import type { Settings } from './config';
import { locate, modelNamed, modelOf, rowsAt, settingKeyOf, type Located, type Owner, type RowRef, type Slot } from './locate';
import { modelParamRows, rowParamsText, shortParams, shownFor } from './paramText';
import { callableFor, describeParam, settingSpec, signatureLabel, type Callable, type Param } from './specs';
import { timeRows } from './timeLines';
import type { TrainedSize, TrainedSizeLookup } from './trainedSize';

export interface HoverContext {
  readonly analysis: Analysis;
  readonly settings: Settings;
  /** The engine that will train, as far as known now: parameter counts follow it. */
  readonly engine: EngineChoice;
  readonly getText: (range: Range) => string;
  /** The trainer's measurements and finished runs in the document's runs folder (none before a first run). */
  readonly timings?: () => MachineTimings;
  /** The size a stored run of the same settings and data trained a classical model to. */
  readonly trained?: TrainedSizeLookup;
}

/** Hover over a layer, an argument, a setting, a keyword, or a dataset / block / model name. */
export function hover(ctx: HoverContext, pos: Position): Hover | null {
  const at = locate(ctx.analysis.source, pos);
  if (!at) return null;
  const value = hoverText(ctx, at);
  return value ? { contents: markdown(value), range: at.range } : null;
}

function markdown(value: string): MarkupContent {
  return { kind: 'markdown', value };
}

function hoverText(ctx: HoverContext, at: Located): string | undefined {
  const { analysis } = ctx;
  switch (at.kind) {
    case 'keyword':
      return STRUCTURE_DOCS[at.word] ? `**${at.word}**\n\n${STRUCTURE_DOCS[at.word]}` : undefined;
    case 'declName':
      if (at.decl.kind === 'model') {
        const m = modelOf(analysis, at.decl);
        return m ? modelSummary(m, ctx.settings, ctx.engine, ctx.timings?.() ?? NO_TIMINGS, ctx.trained?.(m.name)) : undefined;
      }
      if (at.decl.kind === 'dataset') {
        const d = analysis.datasets.get(at.decl.name.name);
        return d && d.decl === at.decl ? datasetSummary(d) : undefined;
      }
      return blockHover(ctx, at.decl, undefined);
    case 'compareName': {
      const m = modelNamed(analysis, at.id.name);
      return m ? modelSummary(m, ctx.settings, ctx.engine, ctx.timings?.() ?? NO_TIMINGS, ctx.trained?.(m.name)) : undefined;
    }
    case 'layerName':
      return layerHover(ctx, at.call, at.decl.kind === 'block');
    case 'callName': {
      const c = callableFor(at.call.callee.name, analysis.blocks, settingKeyOf(at.slot), ctx.getText);
      return c ? callableHover(c) : undefined;
    }
    case 'argName': {
      const p = paramOf(ctx, at.owner, at.arg.name!.name, -1);
      return p ? paramHover(p) : undefined;
    }
    case 'propKey': {
      const spec = settingSpec(at.section, at.prop.key.name);
      return spec ? paramHover({ name: spec.name, type: spec.type, doc: spec.doc, required: spec.required === true, spec, defaultText: spec.default === undefined ? undefined : String(spec.default) }, at.section) : undefined;
    }
    case 'param':
      return `**${at.param.name.name}**: parameter of block ${at.decl.kind === 'block' ? at.decl.name.name : ''}${at.param.default ? ` (default \`${ctx.getText(at.param.default.range)}\`)` : ' (required)'}`;
    case 'value':
      return valueHover(ctx, at.expr, at.slot, at.decl);
  }
}

function valueHover(ctx: HoverContext, expr: A.Expr, slot: Slot, decl: A.Declaration): string | undefined {
  const { analysis } = ctx;
  if (expr.kind === 'name') {
    if (slot.kind === 'setting' && slot.prop.key.name === 'data') {
      const d = analysis.datasets.get(expr.name);
      return d ? datasetSummary(d) : undefined;
    }
    if (decl.kind === 'block') {
      const param = decl.params.find((p) => p.name.name === expr.name);
      if (param) return `**${expr.name}**: parameter of block ${decl.name.name}${param.default ? ` (default \`${ctx.getText(param.default.range)}\`)` : ''}`;
    }
  }
  if (slot.kind === 'setting') {
    const spec = settingSpec(slot.section, slot.prop.key.name);
    return spec ? paramHover({ name: spec.name, type: spec.type, doc: spec.doc, required: spec.required === true, spec, defaultText: spec.default === undefined ? undefined : String(spec.default) }, slot.section) : undefined;
  }
  if (slot.kind === 'arg') {
    const p = paramOf(ctx, slot.owner, slot.arg.name?.name, slot.index);
    return p ? paramHover(p) : undefined;
  }
  if (slot.kind === 'repeat') return `**repeat**\n\n${STRUCTURE_DOCS.repeat}`;
  return undefined;
}

/** The parameter an argument binds to: by name, or by position among the positional ones. */
function paramOf(ctx: HoverContext, owner: Owner, name: string | undefined, index: number): Param | undefined {
  const c = callableOfOwner(ctx, owner);
  if (!c) return undefined;
  if (name !== undefined) return c.params.find((p) => p.name === name);
  const args = owner.kind === 'layer' ? (owner.call.args ?? []) : owner.kind === 'residual' ? owner.stmt.args : owner.call.args;
  const position = args.slice(0, index).filter((a) => !a.name).length;
  return c.params[position];
}

export function callableOfOwner(ctx: { analysis: Analysis; getText: (r: Range) => string }, owner: Owner): Callable | undefined {
  switch (owner.kind) {
    case 'layer':
      return callableFor(owner.call.name.name, ctx.analysis.blocks, undefined, ctx.getText);
    case 'residual':
      return callableFor('residual', ctx.analysis.blocks);
    case 'call':
      return callableFor(owner.call.callee.name, ctx.analysis.blocks, settingKeyOf(owner.slot), ctx.getText);
  }
}

function paramHover(p: Param, section?: string): string {
  const where = section ? ` (${section} setting)` : '';
  return `**${p.name}**${where}: ${describeParam(p)}\n\n${p.doc}`;
}

function callableHover(c: Callable): string {
  const { label } = signatureLabel(c);
  return [codeBlock(label), c.summary, c.doc ?? ''].filter(Boolean).join('\n\n');
}

function codeBlock(text: string): string {
  return '```modelspec\n' + text + '\n```';
}

// ---- layers ---------------------------------------------------------------

function layerHover(ctx: HoverContext, call: A.LayerCall, inBlock: boolean): string | undefined {
  const entry = catalogEntry(call.name.name);
  const block = ctx.analysis.blocks.get(call.name.name);
  if (!entry && block) return blockHover(ctx, block, call);
  const c = callableFor(call.name.name, ctx.analysis.blocks);
  if (!c || !entry) return undefined;
  const rows = rowsAt(ctx.analysis, call.range);
  const parts = [codeBlock(signatureLabel(c).label), `*${entry.summary}*`];
  const facts = rowFacts(rows, call, inBlock, ctx.engine);
  if (facts) parts.push(facts);
  if (entry.kind === 'estimator') {
    const m = rows[0]?.model;
    const e = m?.estimator?.estimate;
    if (e) parts.push(`**Params**: ${e.upperBound ? '≤ ' : ''}${withSeparators(e.params)} (${e.detail}) · **predict MACs**: ${withSeparators(m!.totals.macs)} per sample`);
  }
  parts.push('---', entry.doc);
  return parts.join('\n\n');
}

const MAX_LISTED_ROWS = 6;

/** This layer here: input → output, params, MACs; one line per use when it stands for several rows. */
function rowFacts(refs: readonly RowRef[], call: A.LayerCall, inBlock: boolean, engine: EngineChoice): string | undefined {
  if (refs.length === 0) return inBlock ? '*No model uses this block yet, so no shapes are known here.*' : '*Shapes unknown here: see the problems reported for this model.*';
  const line = ({ row, model }: RowRef) => rowLine(row, rowCounter(model.rows)(row), engine);
  if (refs.length === 1) return line(refs[0]);
  const lines = refs.slice(0, MAX_LISTED_ROWS).map((ref, i) => {
    const where = inBlock ? `${ref.model.name}, line ${ref.row.site.start.line + 1}` : `copy ${i + 1}`;
    return `- ${where}: ${line(ref)}`;
  });
  if (refs.length > MAX_LISTED_ROWS) lines.push(`- … ${refs.length - MAX_LISTED_ROWS} more`);
  return `${call.name.name} stands for ${refs.length} layers here (${shortParams(sumCounts(refs.map(({ row, model }) => ({ counts: rowCounter(model.rows)(row), copies: row.count }))), engine)} in all):\n\n${lines.join('\n')}`;
}

/** `[20, 8] → [32]` · params · MACs, for one row (a layer or a group). */
function rowLine(r: LayerRow, counts: Counts, engine: EngineChoice): string {
  const shape = `${r.input ? formatShape(r.input) : '?'} → ${r.output ? formatShape(r.output) : '?'}`;
  const times = r.count > 1 ? ` ×${withSeparators(r.count)} copies` : '';
  return `\`${shape}\` · ${rowParamsText(counts, engine, true)} · **${withSeparators(r.macs)}** MACs${times}`;
}

function blockHover(ctx: HoverContext, block: A.BlockDecl, call: A.LayerCall | undefined): string {
  const c = callableFor(block.name.name, ctx.analysis.blocks, undefined, ctx.getText)!;
  const parts = [codeBlock(`block ${signatureLabel(c).label}`), `Defined on line ${block.range.start.line + 1}.`];
  const uses = call ? rowsAt(ctx.analysis, call.range).filter((r) => r.row.kind === 'group') : [];
  if (uses.length) {
    const { row, model } = uses[0];
    parts.push(`This use: ${rowLine(row, rowCounter(model.rows)(row), ctx.engine)}`);
  } else if (!call) {
    const count = ctx.analysis.references.filter((ref) => ref.kind === 'block' && ref.target === block).length;
    parts.push(count ? `Used ${count} time${count === 1 ? '' : 's'} in this file's models.` : 'Not used by any model.');
  }
  return parts.join('\n\n');
}

// ---- models ---------------------------------------------------------------

function table(rows: readonly (readonly [string, string])[]): string {
  return ['| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`)].join('\n');
}

/** The summary table of a model: totals, sizes, FLOPs, memory, training compute and time, with the assumptions. */
export function modelSummary(m: ModelAnalysis, settings: Settings, engine: EngineChoice, timings: MachineTimings = NO_TIMINGS, trained?: TrainedSize): string {
  const head = [`**model ${m.name}**`, m.kind, m.dataset ? `data: ${m.dataset.name}` : undefined, m.inputShape ? `${formatShape(m.inputShape)} → ${m.outputShape ? formatShape(m.outputShape) : '?'}` : undefined]
    .filter(Boolean)
    .join(' · ');
  const t = m.totals;
  const rows: [string, string][] = [];
  const notes: string[] = [];
  if (m.kind === 'classical') {
    const e = m.estimator?.estimate;
    if (e && trained) {
      // A run of these very settings and data knows the size the bound only limited.
      rows.push(['Parameters (trained)', `${withSeparators(trained.params)} (run of ${trained.finishedAt.slice(0, 10)}); before training ${e.upperBound ? '≤ ' : ''}${withSeparators(e.params)} (${e.detail})`]);
      rows.push(['Model size', `${formatBytes(trained.params * 4n)} fp32`]);
    } else if (e) {
      rows.push([e.upperBound ? 'Parameters (upper bound)' : 'Parameters', `${withSeparators(e.params)} (${e.detail})`]);
      rows.push(['Model size', `${formatBytes(e.params * 4n)} fp32`]);
      rows.push(['Predict', `${withSeparators(t.macs)} MACs per sample`]);
    }
    rows.push(...fitFacts(m));
    notes.push('Training time is not estimated for classical estimators: their cost depends on the solver and the data, not on a fixed FLOP count.');
  } else {
    const counts = modelCounts(t);
    const params = modelParamRows(counts, engine);
    rows.push(...params.rows);
    // Until it is known which engine trains, TensorFlow.js's figures, as auto falls back to it.
    const shown = shownFor(counts, engine);
    const memory = memoryIn(m, shown.kind === 'engine' ? shown.engine : 'tfjs');
    rows.push(['Weights', `${formatBytes(memory.weightsFp32)} fp32 · ${formatBytes(memory.weightsFp16)} fp16`]);
    rows.push(['Forward pass', `${withSeparators(t.macs)} MACs = ${withSeparators(t.flops)} FLOPs${t.flops >= 1000n ? ` (${formatSI(t.flops, 'FLOPs')})` : ''} per sample`]);
    rows.push([
      'Training memory',
      `${formatBytes(memory.training)} = weights ${formatBytes(memory.weightsFp32)} + gradients ${formatBytes(memory.gradients)} + ${m.train.optimizer.name} state ${formatBytes(memory.optimizerState)} + activations ${formatBytes(memory.activationsPerSample)} × batch ${batchText(memory)}`,
    ]);
    const c = m.compute;
    const time = timeRows(m, settings, engine, timings);
    if (c.flops !== undefined) {
      rows.push(['Training compute', `${withSeparators(c.flops)} FLOPs (${formatSI(c.flops, 'FLOPs')}) = 3 × forward × ${withSeparators(c.samples ?? 0)} samples × ${c.epochs} epochs`]);
    } else {
      rows.push(['Training compute', `${formatSI(c.flopsPerSample, 'FLOPs')} per sample per epoch (3 × forward); no dataset, so no sample count`]);
    }
    rows.push(...time.rows);
    notes.push(
      params.note,
      'Training ≈ 3 × forward FLOPs per sample (backward ≈ 2 × forward); FLOPs = 2 × MACs; weights, gradients, optimizer state and activations in fp32; sizes in 1024 steps.',
      ...time.notes,
      ...(engine.engine === 'torch'
        ? ["PyTorch trains this model, and its speed on this machine is not measured here: the time above is TensorFlow.js's. On the benchmark workloads PyTorch trained 4.4–6.1× faster than TensorFlow.js's wasm engine on a 2-core machine (`npm run bench:torch`); a PyTorch run shows its own samples/s and ETA from its first epoch."]
        : []),
      'Accelerator rows are lower bounds: the training FLOPs at the peak and utilisation of the `modelspec.accelerators` setting (vendor data-sheet peaks, dense, for the precision the name gives), without the per-step and per-op costs that dominate small models. Data loading and early stopping are not counted.',
    );
  }
  if (!m.complete) notes.unshift('⚠ Errors left some shapes unknown: the totals cover only the layers that could be inferred.');
  return `${head}\n\n${table(rows)}\n\n${notes.map((n) => `- ${n}`).join('\n')}`;
}

function escapeCell(s: string): string {
  return s.replace(/[|\\`*_]/g, (c) => `\\${c}`);
}

// ---- datasets -------------------------------------------------------------

const MAX_LABELS = 12;

export function datasetSummary(d: DatasetInfo): string {
  const source = d.kind === 'synthetic' && d.synthetic ? `synthetic ${d.synthetic.kind}` : d.kind === 'csv' ? `CSV \`${d.path ?? ''}\`` : 'source unknown';
  const unknown = '? (see the problems of this dataset)';
  const rows: [string, string][] = [
    ['Rows', d.rows !== undefined ? `${withSeparators(d.rows)}${d.sampledRows !== undefined ? ` (summary sampled ${withSeparators(d.sampledRows)} of ${withSeparators(d.rows)} rows)` : ''}` : d.pending ? `summary pending (reading ${formatBytes(BigInt(d.pending.bytes))} in the background)` : unknown],
    ['Features', d.features !== undefined ? `${withSeparators(d.features)}${d.shape ? `, shape ${formatShape(d.shape)}` : ''}` : unknown],
    ['Classes', d.classes !== undefined ? `${d.classes}${d.target ? ` (target \`${d.target}\`)` : ''}` : unknown],
  ];
  if (d.vocab !== undefined) rows.push(['Vocabulary', withSeparators(d.vocab)]);
  if (d.trainSamples !== undefined && d.testSamples !== undefined) {
    rows.push(['Split', `${withSeparators(d.trainSamples)} train / ${withSeparators(d.testSamples)} test (test_split ${d.testSplit})`]);
  }
  rows.push(['Normalize', d.normalize]);
  if (d.labels && d.labelCounts && d.rows) {
    // Of the rows read: all of them, or the sample.
    const total = d.sampledRows ?? d.rows;
    const shown = d.labels.slice(0, MAX_LABELS).map((l, i) => `${escapeCell(l)}: ${withSeparators(d.labelCounts![i])} (${((100 * d.labelCounts![i]) / total).toFixed(1)}%)`);
    if (d.labels.length > MAX_LABELS) shown.push(`… ${d.labels.length - MAX_LABELS} more`);
    const counts = d.labelCounts.filter((n) => n > 0);
    const ratio = counts.length ? Math.max(...counts) / Math.min(...counts) : 1;
    rows.push(['Label balance', `${shown.join(', ')}${ratio >= 1.5 ? ` — largest/smallest class ${ratio.toFixed(1)}×` : ''}`]);
  } else if (d.kind === 'synthetic' && d.classes !== undefined) {
    rows.push(['Label balance', 'balanced by construction (within one sample per class)']);
  }
  return `**dataset ${d.name}** · ${source}\n\n${table(rows)}`;
}

/** Used by the code lens: `61,706 params · 833 KFLOPs`, or `5,572 params (PyTorch) · …` where the engines count differently. */
export function shortTotals(m: ModelAnalysis, engine: EngineChoice): string {
  if (m.kind === 'classical') {
    const e = m.estimator?.estimate;
    return e ? `${e.upperBound ? '≤ ' : ''}${withSeparators(e.params)} params · ${m.estimator!.entry.name}` : `${m.estimator?.entry.name ?? 'classical'} · size unknown`;
  }
  const text = `${shortParams(modelCounts(m.totals), engine)} · ${formatSI(m.totals.flops, 'FLOPs')}`;
  return m.complete ? text : `${text} (incomplete)`;
}
