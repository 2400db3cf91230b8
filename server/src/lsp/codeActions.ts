import { CodeActionKind, type CodeAction, type TextEdit } from 'vscode-languageserver/node';
import type { Diagnostic } from '../analysis/diagnostics';
import type { Analysis, LayerRow, ModelAnalysis } from '../analysis/model';
import { setsOutputActivation } from '../analysis/advice';
import { catalogEntry } from '../catalog/registry';
import { LOSSES } from '../catalog/settings';
import type * as A from '../language/ast';
import { comparePositions, containsPosition, type Position, type Range } from '../language/position';
import { toLspDiagnostic } from './documents';
import { declarationAt, lastStartingAtOrBefore, locate } from './locate';

export interface CodeActionContext {
  readonly analysis: Analysis;
  readonly uri: string;
  readonly getText: (range: Range) => string;
  readonly lineText: (line: number) => string;
}

/**
 * Quick fixes for the diagnostics of the current analysis that touch `range`. Each is
 * built from the diagnostic's data (suggestions, expected values, fix kinds) and the
 * syntax tree, never from the diagnostic's message, except for the one diagnostic whose
 * suggestion the core only states in words (dataset-target).
 */
export function codeActions(ctx: CodeActionContext, range: Range, only?: readonly string[]): CodeAction[] {
  if (only && only.length && !only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + '.') || k === CodeActionKind.Empty)) return [];
  const out: CodeAction[] = [];
  for (const d of ctx.analysis.diagnostics) {
    if (comparePositions(d.range.start, range.end) > 0) break;
    if (comparePositions(d.range.end, range.start) < 0) continue;
    for (const fix of fixesFor(ctx, d)) {
      out.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [toLspDiagnostic(d)], isPreferred: fix.preferred, edit: { changes: { [ctx.uri]: fix.edits } } });
    }
  }
  return out;
}

interface Fix {
  readonly title: string;
  readonly edits: TextEdit[];
  readonly preferred?: boolean;
}

function fixesFor(ctx: CodeActionContext, d: Diagnostic): Fix[] {
  const data = d.data ?? {};
  switch (d.code) {
    case 'unknown-layer':
    case 'unknown-argument':
    case 'unknown-reference':
    case 'unknown-property':
    case 'unknown-value':
    case 'dataset-missing-file':
    case 'dataset-target':
      return didYouMean(ctx, d);
    case 'output-classes':
      return typeof data.expected === 'number' ? setValueAt(ctx, d.range, String(data.expected), `Set units to ${data.expected} (the number of classes)`) : [];
    case 'rank-mismatch':
      return Array.isArray(data.reshape) && data.reshape.every((n) => Number.isSafeInteger(n)) ? insertBefore(ctx, d.range, `reshape([${data.reshape.join(', ')}])`) : [];
    case 'one-setting-per-line':
      return splitSettings(ctx, d.range);
    case 'dense-on-spatial':
    case 'classical-image-input':
      return data.fix === 'insert-flatten' ? insertFlatten(ctx, d.range) : [];
    case 'loss-activation':
    case 'softmax-binary-loss':
    case 'loss-labels':
      return lossFixes(ctx, d);
    case 'residual-shape':
      return data.fix === 'add-projection' ? addProjection(ctx, d.range) : [];
    case 'missing-argument':
      return typeof data.insertText === 'string' && typeof data.argument === 'string' ? insertArgument(ctx, d.range, data.argument, data.insertText) : [];
    default:
      return [];
  }
}

function didYouMean(ctx: CodeActionContext, d: Diagnostic): Fix[] {
  let suggestions = (d.data?.suggestions ?? []).filter((s): s is string => typeof s === 'string');
  if (suggestions.length === 0) {
    const m = /Did you mean '([^']+)'\?/.exec(d.message);
    if (m) suggestions = [m[1]];
  }
  const quoted = ctx.getText(d.range).startsWith('"');
  const sklearn = typeof d.data?.sklearn === 'string' ? d.data.sklearn : undefined;
  return suggestions.map((s) => ({
    title: sklearn ? `Rename scikit-learn's ${sklearn} to '${s}'` : `Change to '${s}'`,
    edits: [{ range: d.range, newText: quoted ? JSON.stringify(s) : s }],
    preferred: suggestions.length === 1,
  }));
}

/** Replaces the value of the argument or setting written at `range` (or starting there). */
function setValueAt(ctx: CodeActionContext, range: Range, value: string, title: string): Fix[] {
  const target = valueRangeAt(ctx.analysis, range);
  return target ? [{ title, edits: [{ range: target, newText: value }], preferred: true }] : [];
}

function valueRangeAt(analysis: Analysis, range: Range): Range | undefined {
  const at = locate(analysis.source, range.start);
  if (!at) return undefined;
  if (at.kind === 'argName') return at.arg.value.range;
  if (at.kind === 'value') return at.slot.kind === 'arg' ? at.slot.arg.value.range : at.slot.kind === 'setting' ? at.slot.prop.value.range : at.expr.range;
  if (at.kind === 'propKey') return at.prop.value.range;
  return undefined;
}

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

function insertFlatten(ctx: CodeActionContext, range: Range): Fix[] {
  return insertBefore(ctx, range, 'flatten');
}

/** Inserts `layer` before the layer at `range`: on a line of its own when that layer starts its line. */
function insertBefore(ctx: CodeActionContext, range: Range, layer: string): Fix[] {
  const line = ctx.lineText(range.start.line);
  const startsLine = line.slice(0, range.start.character).trim() === '';
  const text = startsLine ? `${layer}\n${indentOf(line)}` : `${layer} `;
  const name = line.slice(range.start.character).match(/^[A-Za-z_][A-Za-z0-9_]*/)?.[0] ?? 'the layer';
  return [{ title: `Insert ${layer} before ${name}`, edits: [{ range: { start: range.start, end: range.start }, newText: text }], preferred: true }];
}

/**
 * Puts the settings written on the line of `comma` one per line. A section written whole
 * on that line (`train { epochs: 30, loss: mse }`) is opened up around them.
 */
function splitSettings(ctx: CodeActionContext, comma: Range): Fix[] {
  const decl = declarationAt(ctx.analysis.source, comma.start);
  if (!decl || decl.kind === 'compare') return [];
  const line = comma.start.line;
  const containers: { readonly props: readonly A.Property[]; readonly range: Range }[] = [];
  if (decl.kind === 'dataset') containers.push(decl);
  else {
    containers.push({ props: decl.body.filter((i): i is A.Property => i.kind === 'property'), range: decl.range });
    for (const item of decl.body) if (item.kind === 'train') containers.push(item);
  }
  const container = containers.find((c) => c.props.some((p) => p.range.start.line === line && comparePositions(p.range.end, comma.start) <= 0));
  if (!container) return [];
  const props = container.props.filter((p) => p.range.start.line === line && p.range.end.line === line);
  if (props.length < 2) return [];
  const text = ctx.lineText(line);
  const indent = indentOf(text);
  const title = 'Put each setting on a line of its own';
  const first = props[0].range.start;
  const last = props[props.length - 1].range.end;
  const settings = (at: string) => props.map((p) => `\n${at}${ctx.getText(p.range)}`).join('');
  const opensHere = text.slice(0, first.character).trimEnd().endsWith('{');
  const closesHere = /^\s*}/.test(text.slice(last.character));
  if (opensHere) {
    // The settings open on the `{` line: each moves one level in, and a `}` after them goes to its own line.
    const close = closesHere ? { line, character: text.indexOf('}', last.character) + 1 } : last;
    const end = closesHere ? `\n${indent}}` : '';
    const start = { line, character: text.slice(0, first.character).trimEnd().length };
    return [{ title, edits: [{ range: { start, end: close }, newText: settings(indent + '  ') + end }], preferred: true }];
  }
  const joined = props.map((p) => ctx.getText(p.range)).join(`\n${indent}`);
  return [{ title, edits: [{ range: { start: first, end: last }, newText: joined }], preferred: true }];
}

function lossFixes(ctx: CodeActionContext, d: Diagnostic): Fix[] {
  const expected = d.data?.expected;
  if (typeof expected !== 'string') return [];
  const fixes: Fix[] = [];
  if ((LOSSES as readonly string[]).includes(expected)) {
    const model = modelAround(ctx.analysis, d.range);
    const fix = model && setLoss(ctx, model, expected);
    if (fix) fixes.push(fix);
    return fixes;
  }
  const layers = d.data?.layers;
  if (d.data?.fix === 'add-output-layer' && Array.isArray(layers) && layers.every((l) => typeof l === 'string')) return addOutputLayers(ctx, d.range, layers);
  const activation = setActivation(ctx, d.range, expected);
  if (activation) fixes.push(activation);
  if (d.code === 'softmax-binary-loss') {
    const model = modelAround(ctx.analysis, d.range);
    const fix = model && setLoss(ctx, model, 'sparse_categorical_crossentropy');
    if (fix) fixes.push({ ...fix, preferred: false });
  }
  return fixes;
}

/** The model a diagnostic belongs to: the one around it, or the one whose rows came from a block there. */
function modelAround(analysis: Analysis, range: Range): ModelAnalysis | undefined {
  const decl = declarationAt(analysis.source, range.start);
  if (decl?.kind === 'model') return analysis.models.find((m) => m.decl === decl);
  return analysis.models.find((m) => m.rows.some((r) => containsPosition(r.range, range.start)));
}

function setLoss(ctx: CodeActionContext, model: ModelAnalysis, loss: string): Fix | undefined {
  const title = `Use loss: ${loss}`;
  const section = model.train.section;
  const prop = section?.props.find((p) => p.key.name === 'loss');
  if (prop) return { title, edits: [{ range: prop.value.range, newText: loss }], preferred: true };
  if (!section) return undefined;
  const line = ctx.lineText(section.keyword.start.line);
  const indent = indentOf(line) + '  ';
  return { title, edits: [{ range: { start: { line: section.keyword.start.line, character: line.length }, end: { line: section.keyword.start.line, character: line.length } }, newText: `\n${indent}loss: ${loss}` }], preferred: true };
}

/** Makes the layer at `range` end in `activation`: edits its activation argument, renames an activation layer, or adds the argument. */
function setActivation(ctx: CodeActionContext, range: Range, activation: string): Fix | undefined {
  const title = `Use activation: ${activation}`;
  const at = locate(ctx.analysis.source, range.start);
  if (!at) return undefined;
  if (at.kind === 'argName' && at.arg.name?.name === 'activation') return { title, edits: [{ range: at.arg.value.range, newText: activation }], preferred: true };
  if (at.kind === 'value' && at.slot.kind === 'arg') return { title, edits: [{ range: at.slot.arg.value.range, newText: activation }], preferred: true };
  if (at.kind !== 'layerName') return undefined;
  const call = at.call;
  const entry = catalogEntry(call.name.name);
  if (entry?.kind !== 'layer') return undefined;
  if (entry.name === 'activation') {
    const arg = call.args?.find((a, i) => a.name?.name === 'name' || (!a.name && i === 0));
    return arg ? { title, edits: [{ range: arg.value.range, newText: activation }], preferred: true } : undefined;
  }
  if (entry.family === 'activation' && catalogEntry(activation)?.kind === 'layer') {
    return { title: `Replace ${entry.name} with ${activation}`, edits: [{ range: call.name.range, newText: activation }], preferred: true };
  }
  // Elsewhere `activation` is internal (a transformer's MLP, an RNN's state): writing it would not change the output.
  if (!setsOutputActivation(entry)) return undefined;
  const edit = appendArgument(ctx, call, `activation: ${activation}`);
  return edit ? { title, edits: [edit], preferred: true } : undefined;
}

/**
 * Adds `layers`, one per line, after the model's last layer: after the body line that
 * produced it (a block use, a repeat), since the layer itself may be written inside a block.
 */
function addOutputLayers(ctx: CodeActionContext, range: Range, layers: readonly string[]): Fix[] {
  const model = modelAround(ctx.analysis, range);
  let row: LayerRow | undefined;
  for (const r of model?.rows ?? []) {
    if (r.kind === 'layer' && comparePositions(r.range.start, range.start) === 0 && comparePositions(r.range.end, range.end) === 0) row = r;
  }
  if (!row) return [];
  const site = row.site;
  const line = ctx.lineText(site.end.line);
  // After a trailing comment rather than before it, so the comment stays with its line.
  const at = /^\s*(\/\/.*)?$/.test(line.slice(site.end.character)) ? { line: site.end.line, character: line.length } : site.end;
  const indent = indentOf(ctx.lineText(site.start.line));
  return [{ title: `Add ${layers.join(' and ')} after ${row.name}`, edits: [{ range: { start: at, end: at }, newText: layers.map((l) => `\n${indent}${l}`).join('') }], preferred: true }];
}

/** Adds `text` as the last argument of a call, with or without its parentheses. */
function appendArgument(ctx: CodeActionContext, call: A.LayerCall, text: string): TextEdit | undefined {
  if (call.args === undefined) return { range: { start: call.name.range.end, end: call.name.range.end }, newText: `(${text})` };
  const last = call.args[call.args.length - 1];
  if (last) return { range: { start: last.range.end, end: last.range.end }, newText: `, ${text}` };
  const end = call.range.end;
  if (end.character === 0 || ctx.getText({ start: { line: end.line, character: end.character - 1 }, end }) !== ')') return undefined;
  const at = { line: end.line, character: end.character - 1 };
  return { range: { start: at, end: at }, newText: text };
}

function addProjection(ctx: CodeActionContext, keyword: Range): Fix[] {
  const stmt = residualAt(ctx.analysis.source, keyword.start);
  if (!stmt) return [];
  const title = 'Add a projection on the skip path (projection: true)';
  const existing = stmt.args.find((a) => a.name?.name === 'projection');
  if (existing) return [{ title, edits: [{ range: existing.value.range, newText: 'true' }], preferred: true }];
  const next = ctx.getText({ start: stmt.keyword.end, end: { line: stmt.keyword.end.line, character: stmt.keyword.end.character + 1 } });
  if (next !== '(') return [{ title, edits: [{ range: { start: stmt.keyword.end, end: stmt.keyword.end }, newText: '(projection: true)' }], preferred: true }];
  const open = { line: stmt.keyword.end.line, character: stmt.keyword.end.character + 1 };
  return [{ title, edits: [{ range: { start: open, end: open }, newText: stmt.args.length ? 'projection: true, ' : 'projection: true' }], preferred: true }];
}

function residualAt(source: A.SourceFile, pos: Position): A.ResidualStmt | undefined {
  const decl = declarationAt(source, pos);
  if (!decl || decl.kind === 'dataset' || decl.kind === 'compare') return undefined;
  let items: readonly A.BodyItem[] = decl.body;
  for (;;) {
    const i = lastStartingAtOrBefore(items, pos);
    const item = i >= 0 ? items[i] : undefined;
    if (!item || (item.kind !== 'repeat' && item.kind !== 'residual')) return undefined;
    if (item.kind === 'residual' && containsPosition(item.keyword, pos)) return item;
    items = item.body;
  }
}

function insertArgument(ctx: CodeActionContext, range: Range, argument: string, insertText: string): Fix[] {
  const at = locate(ctx.analysis.source, range.start);
  if (at?.kind !== 'layerName') return [];
  const edit = appendArgument(ctx, at.call, insertText);
  return edit ? [{ title: `Add the missing argument '${argument}'`, edits: [edit] }] : [];
}
