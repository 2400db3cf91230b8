import { readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import {
  CompletionItemKind,
  InsertTextFormat,
  InsertTextMode,
  type CompletionItem,
  type MarkupContent,
  type Range as LspRange,
} from 'vscode-languageserver/node';
import type { AnalysisHost } from '../analysis/host';
import type { Analysis, ModelAnalysis } from '../analysis/model';
import { CATALOG } from '../catalog/registry';
import { LOSSES, OPTIMIZERS, STRUCTURE_DOCS, SYNTHETIC_CALL } from '../catalog/settings';
import type { CatalogEntry } from '../catalog/types';
import { SYNTHETIC_KINDS } from '../data/synthetic';
import { comparePositions, type Position, type Range } from '../language/position';
import { cursorContext, type Container, type OpenCall, type ValueSlot } from './context';
import { callableFor, describeParam, SECTION_SETTINGS, settingSpec, signatureLabel, type Callable, type Param, type Section } from './specs';

export interface CompletionContext {
  readonly analysis: Analysis;
  readonly text: string;
  readonly offsetAt: (p: Position) => number;
  readonly getText: (range: Range) => string;
  readonly host: AnalysisHost;
  /** Absolute path of the document, for data-file suggestions. */
  readonly file: string;
  readonly snippets: boolean;
}

/**
 * Completion from the cursor's context: layers, blocks and structure in bodies; unused
 * argument names and the values their specs allow inside calls; setting keys and values
 * in datasets, model headers and train sections; declaration names where they are
 * referenced; snippets for whole declarations at the top level.
 */
export function complete(ctx: CompletionContext, pos: Position): CompletionItem[] {
  const c = cursorContext(ctx.analysis.source, ctx.text, ctx.offsetAt, pos);
  const range: LspRange = { start: c.prefixStart, end: pos };
  // After `key:` with no space, values are inserted with one, as the formatter writes them.
  const charBefore = c.prefixStart.character > 0 ? ctx.getText({ start: { line: c.prefixStart.line, character: c.prefixStart.character - 1 }, end: c.prefixStart }) : '';
  const lead = charBefore === ':' ? ' ' : '';
  const b = new Items(range, ctx.snippets);
  const w = c.where;
  switch (w.kind) {
    case 'comment':
      return [];
    case 'string':
      if (w.slot?.kind === 'setting' && w.slot.key === 'source') dataFileItems(ctx, b, c.prefix, false);
      if (w.slot?.kind === 'setting' && w.slot.key === 'target') columnItems(ctx, w.slot.container, b, false);
      return b.items;
    case 'statement':
      statementItems(ctx, b, w.container, w.usedKeys, w.hasTrain, pos);
      return b.items;
    case 'compare':
      for (const m of ctx.analysis.models) if (!w.listed.includes(m.name)) b.add({ label: m.name, kind: CompletionItemKind.Class, detail: `model (${m.kind})` }, m.name);
      return b.items;
    case 'argument':
      argumentItems(ctx, b, w.call, c.containers);
      return b.items;
    case 'value':
      valueItems(ctx, b, w.slot, w.listed, c.containers, lead);
      return b.items;
    case 'other':
      return [];
  }
}

/** Collects items that all replace the same range. */
class Items {
  readonly items: CompletionItem[] = [];
  private readonly seen = new Set<string>();
  constructor(
    private readonly range: LspRange,
    readonly snippets: boolean,
  ) {}

  add(item: Omit<CompletionItem, 'textEdit' | 'insertTextFormat'>, text: string, snippet?: string): void {
    if (this.seen.has(item.label)) return;
    this.seen.add(item.label);
    const useSnippet = this.snippets && snippet !== undefined;
    this.items.push({
      ...item,
      textEdit: { range: this.range, newText: useSnippet ? snippet : text },
      insertTextFormat: useSnippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      ...(useSnippet && snippet.includes('\n') ? { insertTextMode: InsertTextMode.adjustIndentation } : {}),
    });
  }
}

function md(value: string): MarkupContent {
  return { kind: 'markdown', value };
}

const SECTION_OF: Partial<Record<Container['kind'], Section>> = { dataset: 'dataset', train: 'train', model: 'model' };

// ---- statements -------------------------------------------------------------

function statementItems(ctx: CompletionContext, b: Items, container: Container, usedKeys: readonly string[], hasTrain: boolean, pos: Position): void {
  switch (container.kind) {
    case 'top':
      topLevelItems(ctx, b);
      return;
    case 'dataset':
    case 'train':
      settingKeyItems(ctx, b, SECTION_OF[container.kind]!, usedKeys);
      return;
    case 'model':
      settingKeyItems(ctx, b, 'model', usedKeys);
      layerItems(ctx, b, container, pos, true);
      if (!hasTrain) {
        b.add(
          { label: 'train', kind: CompletionItemKind.Snippet, detail: 'train { … } section', documentation: md(STRUCTURE_DOCS.train) },
          'train {\n}',
          'train {\n  optimizer: ${1|' + OPTIMIZERS.map((o) => o.name).join(',') + '|}(learning_rate: ${2:1e-3})\n  loss: ${3|' + LOSSES.join(',') + '|}\n  batch_size: ${4:32}\n  epochs: ${5:10}\n}',
        );
      }
      return;
    case 'block':
    case 'repeat':
    case 'residual':
      layerItems(ctx, b, container, pos, false);
      return;
    case 'concat':
    case 'unknown':
      return;
  }
}

function layerItems(ctx: CompletionContext, b: Items, container: Container, pos: Position, estimators: boolean): void {
  const rank = container.kind === 'model' ? rankAt(ctx.analysis, container.name, pos) : undefined;
  for (const entry of CATALOG.values()) {
    if (entry.kind === 'estimator' && !estimators) continue;
    const fits = entry.kind === 'layer' && rank !== undefined && entry.inputRanks ? entry.inputRanks.includes(rank) : true;
    const c = callableFor(entry.name, ctx.analysis.blocks)!;
    // The documentation is long and the list is long: it is sent on completionItem/resolve, for the item shown.
    const data: LayerItemData = { layer: entry.name, rank: fits ? undefined : rank };
    b.add(
      {
        label: entry.name,
        kind: CompletionItemKind.Function,
        detail: entry.summary,
        labelDetails: { detail: paramsPreview(c), description: entry.kind === 'estimator' ? 'classical' : entry.family },
        sortText: `${fits ? '1' : '3'}${entry.name}`,
        data,
      },
      entry.name,
      callSnippet(c),
    );
  }
  for (const block of ctx.analysis.blocks.values()) {
    if (container.kind === 'block' && container.name === block.name.name) continue;
    const c = callableFor(block.name.name, ctx.analysis.blocks, undefined, ctx.getText)!;
    b.add(
      { label: block.name.name, kind: CompletionItemKind.Module, detail: `block ${signatureLabel(c).label}`, labelDetails: { detail: paramsPreview(c), description: 'block' }, sortText: `0${block.name.name}` },
      block.name.name,
      callSnippet(c),
    );
  }
  b.add({ label: 'repeat', kind: CompletionItemKind.Keyword, detail: 'repeat N { … }', documentation: md(STRUCTURE_DOCS.repeat), sortText: '2repeat' }, 'repeat ', 'repeat ${1:2} {\n  $0\n}');
  b.add({ label: 'residual', kind: CompletionItemKind.Keyword, detail: 'residual { … }', documentation: md(STRUCTURE_DOCS.residual), sortText: '2residual' }, 'residual ', 'residual {\n  $0\n}');
  b.add({ label: 'concat', kind: CompletionItemKind.Keyword, detail: 'concat { {…} {…} }', documentation: md(STRUCTURE_DOCS.concat), sortText: '2concat' }, 'concat ', 'concat {\n  { $1 }\n  { $0 }\n}');
  b.add({ label: 'if', kind: CompletionItemKind.Keyword, detail: 'if condition { … }', documentation: md(STRUCTURE_DOCS.if), sortText: '2if' }, 'if ', 'if ${1:condition} {\n  $0\n}');
}

/** Rank of the tensor flowing at `pos` in a model: the output of the last top-level item before it. */
function rankAt(analysis: Analysis, model: string, pos: Position): number | undefined {
  const m: ModelAnalysis | undefined = analysis.models.find((x) => x.name === model);
  if (!m) return undefined;
  let shape = m.inputShape;
  for (const r of m.rows) {
    if (r.depth !== 0) continue;
    if (comparePositions(r.site.end, pos) > 0) break;
    shape = r.output;
  }
  return shape?.length;
}

interface LayerItemData {
  readonly layer: string;
  /** Rank of the tensor at the cursor when the layer does not accept it. */
  readonly rank?: number;
}

/** completionItem/resolve: adds a layer's catalogue documentation to the item about to be shown. */
export function resolveCompletion(item: CompletionItem): CompletionItem {
  const data = item.data as Partial<LayerItemData> | undefined;
  const entry = typeof data?.layer === 'string' ? CATALOG.get(data.layer) : undefined;
  if (!entry) return item;
  const c = callableFor(entry.name, new Map())!;
  const misfit = typeof data?.rank === 'number' && entry.kind === 'layer' && entry.inputRanks ? `\n\n*Expects a ${entry.inputRanks.join(' or ')}-D input; the tensor here is ${data.rank}-D.*` : '';
  return { ...item, documentation: md(`\`\`\`modelspec\n${signatureLabel(c).label}\n\`\`\`\n\n${entry.doc}${misfit}`) };
}

function paramsPreview(c: Callable): string {
  const shown = c.params.filter((p) => p.required).map((p) => p.name);
  return c.params.length === 0 ? '' : `(${shown.join(', ')}${c.params.length > shown.length ? (shown.length ? ', …' : '…') : ''})`;
}

/** `conv2d(${1:filters}, kernel: ${2:kernel})`: required arguments only, the first positional as written in the docs. */
function callSnippet(c: Callable): string | undefined {
  const required = c.params.filter((p) => p.required);
  if (required.length === 0) return undefined;
  const parts = required.map((p, i) => (i === 0 && c.params[0] === p ? `\${${i + 1}:${p.name}}` : `${p.name}: \${${i + 1}:${p.name}}`));
  return `${c.name}(${parts.join(', ')})`;
}

function settingKeyItems(ctx: CompletionContext, b: Items, section: Section, usedKeys: readonly string[]): void {
  for (const spec of SECTION_SETTINGS[section]) {
    if (usedKeys.includes(spec.name)) continue;
    const values = valueChoices(ctx, section, spec.name);
    const snippet =
      values.length > 0 && values.every((v) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(v))
        ? `${spec.name}: \${1|${values.join(',')}|}`
        : spec.type === 'string'
          ? `${spec.name}: "$1"`
          : spec.type === 'shape' || spec.type === 'enum_list'
            ? `${spec.name}: [$1]`
            : `${spec.name}: $1`;
    const p: Param = { name: spec.name, type: spec.type, doc: spec.doc, required: spec.required === true, spec, defaultText: spec.default === undefined ? undefined : String(spec.default) };
    b.add({ label: spec.name, kind: CompletionItemKind.Property, detail: describeParam(p).replace(/`/g, ''), documentation: md(spec.doc), sortText: `0${spec.required ? '0' : '1'}${spec.name}` }, `${spec.name}: `, snippet);
  }
}

function valueChoices(ctx: CompletionContext, section: Section, key: string): string[] {
  if (section === 'model' && key === 'data') return [...ctx.analysis.datasets.keys()];
  const spec = settingSpec(section, key);
  return spec?.type === 'enum' && spec.values ? [...spec.values] : spec?.type === 'bool' ? ['true', 'false'] : [];
}

function topLevelItems(ctx: CompletionContext, b: Items): void {
  const datasets = [...ctx.analysis.datasets.keys()];
  const models = ctx.analysis.models.map((m) => m.name);
  const choice = (n: number, names: readonly string[], fallback: string) => (names.length ? `\${${n}|${names.join(',')}|}` : `\${${n}:${fallback}}`);
  const kinds = Object.keys(SYNTHETIC_KINDS).join(',');
  b.add(
    { label: 'dataset', kind: CompletionItemKind.Snippet, detail: 'dataset from a CSV file', documentation: md(STRUCTURE_DOCS.dataset), sortText: '0dataset1' },
    'dataset ',
    'dataset ${1:Name} {\n  source: "${2:data.csv}"\n  target: "${3:label}"\n  test_split: ${4:0.2}\n}',
  );
  b.add(
    { label: 'dataset (synthetic)', kind: CompletionItemKind.Snippet, detail: 'dataset generated on the fly', documentation: md(STRUCTURE_DOCS.dataset), sortText: '0dataset2', filterText: 'dataset' },
    'dataset ',
    `dataset \${1:Name} {\n  source: synthetic(kind: \${2|${kinds}|}, samples: \${3:1000}, classes: \${4:3})\n}`,
  );
  b.add(
    { label: 'model', kind: CompletionItemKind.Snippet, detail: 'neural model with a train section', documentation: md(STRUCTURE_DOCS.model), sortText: '0model1' },
    'model ',
    `model \${1:Name} {\n  data: ${choice(2, datasets, 'Dataset')}\n  dense(\${3:64}, activation: relu)\n  dense(\${4:10}, activation: softmax)\n\n  train {\n    optimizer: adam(learning_rate: 1e-3)\n    loss: sparse_categorical_crossentropy\n    epochs: \${5:10}\n  }\n}`,
  );
  const estimators = [...CATALOG.values()].filter((e): e is CatalogEntry & { kind: 'estimator' } => e.kind === 'estimator').map((e) => e.name);
  if (estimators.length) {
    b.add(
      { label: 'model (classical)', kind: CompletionItemKind.Snippet, detail: 'classical model: one estimator', documentation: md(STRUCTURE_DOCS.model), sortText: '0model2', filterText: 'model' },
      'model ',
      `model \${1:Name} {\n  data: ${choice(2, datasets, 'Dataset')}\n  \${3|${estimators.join(',')}|}\n}`,
    );
  }
  b.add({ label: 'block', kind: CompletionItemKind.Snippet, detail: 'reusable group of layers', documentation: md(STRUCTURE_DOCS.block), sortText: '0block' }, 'block ', 'block ${1:Name}(${2:f}) {\n  $0\n}');
  b.add(
    { label: 'compare', kind: CompletionItemKind.Snippet, detail: 'train models side by side', documentation: md(STRUCTURE_DOCS.compare), sortText: '0compare' },
    'compare ',
    models.length >= 2 ? `compare \${1:${models.join(', ')}}` : 'compare ${1:ModelA}, ${2:ModelB}',
  );
}

// ---- arguments and values -------------------------------------------------------

function callableOf(ctx: CompletionContext, call: OpenCall): Callable | undefined {
  const settingKey = call.valueOf?.kind === 'setting' ? call.valueOf.key : undefined;
  return callableFor(call.callee, ctx.analysis.blocks, settingKey, ctx.getText);
}

function argumentItems(ctx: CompletionContext, b: Items, call: OpenCall, containers: readonly Container[]): void {
  const c = callableOf(ctx, call);
  if (!c) return;
  const filled = new Set([...call.usedNames, ...c.params.slice(0, call.positional).map((p) => p.name)]);
  c.params.forEach((p, i) => {
    if (filled.has(p.name)) return;
    b.add(
      { label: `${p.name}:`, filterText: p.name, kind: CompletionItemKind.Field, detail: describeParam(p).replace(/`/g, ''), documentation: md(p.doc), sortText: `0${p.required ? '0' : '1'}${String(i).padStart(3, '0')}` },
      `${p.name}: `,
    );
  });
  // Before any named argument, the next positional parameter's values fit here too.
  if (call.usedNames.length === 0) {
    const next = c.params[call.positional];
    if (next) paramValueItems(ctx, b, next, undefined, '', '2');
  }
  blockParamItems(b, containers);
}

function valueItems(ctx: CompletionContext, b: Items, slot: ValueSlot, listed: readonly string[] | undefined, containers: readonly Container[], lead: string): void {
  if (slot.kind === 'setting') {
    const section = SECTION_OF[slot.container.kind];
    if (!section) return;
    settingValueItems(ctx, b, section, slot.key, slot.container, listed, lead);
    return;
  }
  const c = callableOf(ctx, slot.call);
  if (!c) return;
  const p = slot.name !== undefined ? c.params.find((x) => x.name === slot.name) : c.params[slot.position];
  if (p) paramValueItems(ctx, b, p, listed, lead, '0');
  blockParamItems(b, containers);
}

function settingValueItems(ctx: CompletionContext, b: Items, section: Section, key: string, container: Container, listed: readonly string[] | undefined, lead: string): void {
  const spec = settingSpec(section, key);
  if (!spec) return;
  if (section === 'model' && key === 'data') {
    for (const d of ctx.analysis.datasets.values()) {
      b.add({ label: d.name, kind: CompletionItemKind.Struct, detail: `dataset${d.rows !== undefined ? ` · ${d.rows} rows` : ''}${d.classes !== undefined ? ` · ${d.classes} classes` : ''}` }, lead + d.name);
    }
    return;
  }
  if (section === 'train' && key === 'optimizer') {
    for (const o of OPTIMIZERS) {
      const c = callableFor(o.name, ctx.analysis.blocks, 'optimizer')!;
      b.add({ label: o.name, kind: CompletionItemKind.EnumMember, detail: signatureLabel(c).label, documentation: md(o.doc) }, lead + o.name, `${lead}${o.name}(learning_rate: \${1:${c.params[0]?.defaultText ?? '1e-3'}})`);
    }
    return;
  }
  if (section === 'dataset' && key === 'source') {
    b.add(
      { label: SYNTHETIC_CALL, kind: CompletionItemKind.Function, detail: 'synthetic(kind: spirals | sequences | tokens, …)', documentation: md(callableFor(SYNTHETIC_CALL, ctx.analysis.blocks, 'source')!.params[0].doc) },
      `${lead}${SYNTHETIC_CALL}(kind: spirals)`,
      `${lead}${SYNTHETIC_CALL}(kind: \${1|${Object.keys(SYNTHETIC_KINDS).join(',')}|})`,
    );
    dataFileItems(ctx, b, '', true, lead);
    return;
  }
  if (section === 'dataset' && key === 'target') {
    columnItems(ctx, container, b, true, lead);
    return;
  }
  const p: Param = { name: spec.name, type: spec.type, doc: spec.doc, required: spec.required === true, spec };
  paramValueItems(ctx, b, p, listed, lead, '0');
}

/** The values a parameter's type allows: enum members, booleans, wrappable layers. */
function paramValueItems(ctx: CompletionContext, b: Items, p: Param, listed: readonly string[] | undefined, lead: string, sort: string): void {
  const spec = p.spec;
  if (!spec) return;
  if (spec.type === 'enum' || spec.type === 'padding' || (spec.type === 'enum_list' && listed !== undefined)) {
    for (const v of spec.values ?? []) {
      if (listed?.includes(v)) continue;
      b.add({ label: v, kind: CompletionItemKind.EnumMember, detail: `${p.name}${v === p.defaultText ? ' (default)' : ''}`, sortText: `${sort}${v === p.defaultText ? '0' : '1'}${v}` }, lead + v);
    }
  } else if (spec.type === 'enum_list') {
    const values = spec.values ?? [];
    b.add({ label: `[${values[0] ?? ''}]`, kind: CompletionItemKind.Value, detail: `${p.name}: one or more of ${values.join(', ')}` }, `${lead}[${values[0] ?? ''}]`, `${lead}[\${1|${values.join(',')}|}]`);
  } else if (spec.type === 'bool') {
    for (const v of ['true', 'false']) b.add({ label: v, kind: CompletionItemKind.Keyword, detail: `${p.name}${v === p.defaultText ? ' (default)' : ''}`, sortText: `${sort}${v}` }, lead + v);
  } else if (spec.type === 'layer') {
    for (const name of spec.layers ?? [...CATALOG.keys()]) {
      const c = callableFor(name, ctx.analysis.blocks);
      if (!c) continue;
      b.add({ label: name, kind: CompletionItemKind.Function, detail: c.summary, sortText: `${sort}${name}` }, lead + name, lead + (callSnippet(c) ?? name));
    }
  }
}

function blockParamItems(b: Items, containers: readonly Container[]): void {
  const block = containers.find((c): c is Extract<Container, { kind: 'block' }> => c.kind === 'block');
  if (!block) return;
  for (const name of block.params) b.add({ label: name, kind: CompletionItemKind.Variable, detail: `parameter of block ${block.name}`, sortText: `1${name}` }, name);
}

// ---- files and columns ------------------------------------------------------------

const MAX_FILES = 200;

/** CSV files next to the document and one folder down, as paths relative to it. */
function dataFileItems(ctx: CompletionContext, b: Items, typed: string, quoted: boolean, lead = ''): void {
  const base = dirname(ctx.file);
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (found.length >= MAX_FILES) return;
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const path = join(dir, e.name);
      if (e.isDirectory() && depth > 0) visit(path, depth - 1);
      else if (e.isFile() && /\.csv$/i.test(e.name)) found.push(relative(base, path).split(sep).join('/'));
    }
  };
  visit(base, 1);
  for (const f of found.sort()) {
    if (typed && !f.startsWith(typed) && !f.includes(typed)) continue;
    b.add({ label: f, kind: CompletionItemKind.File, detail: 'CSV file' }, quoted ? `${lead}"${f}"` : f);
  }
}

/** Column names of the dataset's CSV, for `target`. */
function columnItems(ctx: CompletionContext, container: Container, b: Items, quoted: boolean, lead = ''): void {
  if (container.kind !== 'dataset') return;
  const d = ctx.analysis.datasets.get(container.name);
  if (!d?.path) return;
  const table = ctx.host.dataTable(d.path, undefined);
  if (!table || 'error' in table) return;
  table.columns.forEach((col, i) => {
    b.add({ label: col, kind: CompletionItemKind.Field, detail: i === table.columns.length - 1 ? 'column (the default target: last)' : 'column', sortText: String(i).padStart(5, '0') }, quoted ? `${lead}${JSON.stringify(col)}` : col);
  });
}
