import { basename } from 'node:path';
import type { LayerRow, ModelAnalysis } from '../analysis/model';
import { repeatCopies, repeatCount, rowTree, type RowNode } from '../analysis/rowTree';
import { formatShape } from '../catalog/common';
import { torchBatchNorm } from '../catalog/normalization';
import { py, pyCall, type Layout, type TorchContext, type TorchHelper } from '../catalog/torch';
import { withSeparators } from '../util/format';
import { ExportError, SourceText } from './source';
import { sectionsWithDependencies } from './pythonSources';

/**
 * One entry of an nn.Sequential in model.py: a module on one line, or a module whose
 * arguments hold others (Residual, a nested nn.Sequential), opened on `code`, with its
 * children indented below and `close` on a line of its own.
 */
interface Item {
  readonly code: string;
  readonly comment?: string;
  readonly children?: readonly Item[];
  readonly close?: string;
  /** No trailing comma: the element and `for` clause of a generator expression. */
  readonly bare?: boolean;
}

function render(item: Item, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const comment = item.comment ? `  # ${item.comment}` : '';
  const comma = item.bare ? '' : ',';
  if (!item.children) return [`${pad}${item.code}${comma}${comment}`];
  return [`${pad}${item.code}${comment}`, ...item.children.flatMap((c) => render(c, indent + 4)), `${pad}${item.close ?? ')'}${comma}`];
}

function renderAll(items: readonly Item[], indent: number): string {
  return items.flatMap((i) => render(i, indent)).join('\n');
}

/** The Python of model.py for a checked neural model: `build_model()` and the helpers it needs. */
export function pytorchModelPy(model: ModelAnalysis, spec: SourceText, version: string): string {
  if (model.kind !== 'neural' || !model.complete || !model.inputShape || !model.outputShape) {
    throw new ExportError(`${model.name} is not a complete neural model; only models of layers export to PyTorch (classical ones export to scikit-learn).`, model.decl.name.range);
  }
  const writer = new TorchWriter(model, spec);
  const items = writer.items();
  const t = model.totals;
  const helpers = sectionsWithDependencies('torch_helpers.py', writer.helpers);
  const buffers = t.torch.buffers > 0n ? ` and ${withSeparators(t.torch.buffers)} buffers (batch-norm running statistics)` : '';
  const file = basename(spec.file);
  const lines = [
    `"""${model.name}, exported by Modelspec ${version} from ${file} (model on line ${model.decl.name.range.start.line + 1}).`,
    '',
    'build_model() returns the network as a torch.nn.Module. It takes a batch of samples shaped',
    `like INPUT_SHAPE, channels last as ${file} writes it, and converts to PyTorch's`,
    'channels-first layout where convolutions need it; shapes in the comments are the spec\'s.',
    `${withSeparators(t.torch.params)} parameters${buffers} — Modelspec's estimate for PyTorch;`,
    `${withSeparators(t.macs)} multiply-accumulates per sample in one forward pass.`,
    '"""',
    ...(helpers.some((h) => /\bmath\./.test(h)) ? ['import math', ''] : []),
    'import torch',
    ...(helpers.some((h) => /\bF\./.test(h)) ? ['import torch.nn.functional as F'] : []),
    'from torch import nn',
    '',
    `INPUT_SHAPE = ${py(model.inputShape)}  # one sample, channels last`,
    `OUTPUT_SHAPE = ${py(model.outputShape)}`,
    ...helpers.flatMap((h) => ['', '', h]),
    '',
    '',
    'def build_model() -> nn.Module:',
    ...writer.hoisted.map((h) => `    ${h}`),
    '    return nn.Sequential(',
    renderAll(items, 8),
    '    )',
    '',
    '',
    'if __name__ == "__main__":',
    '    model = build_model()',
    '    print(model)',
    '    print(f"{sum(p.numel() for p in model.parameters()):,} parameters")',
    '    with torch.no_grad():',
    '        print("output shape per sample:", tuple(model.eval()(torch.zeros(2, *INPUT_SHAPE)).shape[1:]))',
    '',
  ];
  return lines.join('\n');
}

class TorchWriter {
  readonly helpers = new Set<TorchHelper>();
  /** Statements before the Sequential: the embedding a tied output shares. */
  readonly hoisted: string[] = [];
  private layout: Layout = 'channels_last';
  private embeddingWeight?: string;
  private readonly tied: boolean;

  constructor(
    private readonly model: ModelAnalysis,
    private readonly spec: SourceText,
  ) {
    this.tied = model.rows.some((r) => r.entry?.name === 'dense' && r.args?.tied === true);
  }

  items(): Item[] {
    const items = this.sequence(rowTree(this.model.rows));
    // The model answers in the spec's layout, whatever its last layer worked in.
    return [...items, ...this.convert('channels_last', this.model.outputShape!.length)];
  }

  private sequence(nodes: readonly RowNode[]): Item[] {
    return nodes.flatMap((n) => this.node(n));
  }

  private node(node: RowNode): Item[] {
    const { row } = node;
    if (row.kind === 'layer') {
      if (!row.entry) throw this.error(`'${row.name}' on line ${lineOf(row)} has no PyTorch form outside a residual.`, row);
      return this.layer(node.row);
    }
    if (row.name === 'residual') return this.residual(node);
    if (row.name === 'concat') return this.concat(node);
    if (repeatCount(row) !== undefined) return this.repeat(node);
    return [{ code: 'nn.Sequential(', comment: this.where(row), children: this.sequence(node.children) }];
  }

  /** A conversion to `layout` when the tensor has axes besides channels and is in the other one. */
  private convert(layout: Layout, rank: number): Item[] {
    if (rank < 2) {
      this.layout = 'channels_last';
      return [];
    }
    if (this.layout === layout) return [];
    this.layout = layout;
    const helper = layout === 'channels_first' ? 'ChannelsFirst' : 'ChannelsLast';
    this.helpers.add(helper);
    const note = layout === 'channels_first' ? "to PyTorch's channels-first layout" : "back to the spec's channels-last layout";
    return [{ code: `${helper}()`, comment: note }];
  }

  private layer(row: LayerRow): Item[] {
    const entry = row.entry!;
    if (!row.args || !row.input || !row.output) throw this.error(`${entry.name} on line ${lineOf(row)} has no inferred shapes.`, row);
    const context: TorchContext = {
      args: row.args,
      input: row.input,
      output: row.output,
      layout: this.layout,
      embeddingWeight: this.embeddingWeight,
      helper: (name) => {
        this.helpers.add(name);
        return name;
      },
      unsupported: (reason) => {
        throw this.error(`${entry.name} on line ${lineOf(row)} cannot be exported to PyTorch: ${reason}`, row);
      },
    };
    const form = entry.torch(context);
    const items = form.layout === 'any' ? [] : this.convert(form.layout, row.input.length);
    const modules = form.modules.length ? [...form.modules] : ['nn.Identity()'];
    if (entry.name === 'embedding' && this.tied && this.embeddingWeight === undefined) {
      // The tied output reuses this table: it is built once, before the Sequential, and named.
      this.hoisted.push(`embedding = ${modules[0]}  # ${this.where(row)}`);
      this.embeddingWeight = 'embedding.weight';
      modules[0] = 'embedding';
    }
    items.push(...modules.map((code, i) => ({ code, comment: i === 0 ? this.where(row) : undefined })));
    if (row.output.length < 2) this.layout = 'channels_last';
    return items;
  }

  /**
   * Residual(branch, projection): the branch starts and ends in the layout the skip path is
   * in, and the projection the estimator counted (1×1 convolution, strided where the branch
   * downsamples, or a linear layer; then a batch norm if asked) works in that layout too.
   */
  private residual(node: RowNode): Item[] {
    const { row } = node;
    this.helpers.add('Residual');
    const last = node.children[node.children.length - 1];
    const projection = last && last.row.kind === 'layer' && !last.row.entry && last.row.name === 'projection' ? last.row : undefined;
    const rank = row.input?.length ?? 0;
    const entry = this.layout;
    const branch = this.sequence(projection ? node.children.slice(0, -1) : node.children);
    branch.push(...this.convert(entry, row.output?.length ?? rank));
    const children: Item[] = [{ code: 'nn.Sequential(', children: branch }];
    if (projection) children.push({ code: `projection=${this.projection(projection)}` });
    return [{ code: 'Residual(', comment: this.where(row), children }];
  }

  /**
   * Concat(path, …, dim): every path starts in the layout the concat's input is in and is
   * brought back to one layout at its end, so the join is on the channel axis: dim 1 in
   * channels-first, the last one in channels-last.
   */
  private concat(node: RowNode): Item[] {
    const { row } = node;
    this.helpers.add('Concat');
    const entry = this.layout;
    const rank = row.output?.length ?? row.input?.length ?? 0;
    const children: Item[] = node.children.map((path) => {
      this.layout = entry;
      const items = this.sequence(path.children);
      items.push(...this.convert(entry, rank));
      return items.length ? { code: 'nn.Sequential(', children: items } : { code: 'nn.Identity()' };
    });
    children.push({ code: `dim=${this.layout === 'channels_first' ? 1 : -1}` });
    return [{ code: 'Concat(', comment: this.where(row), children }];
  }

  private projection(row: LayerRow): string {
    const input = row.input!;
    const output = row.output!;
    const rank = input.length;
    const cin = input[rank - 1];
    const cout = output[rank - 1];
    const strides = input.slice(0, -1).map((d, i) => Math.ceil(d / output[i]));
    const bias = row.args?.projection_bias === false ? false : undefined;
    const strided = strides.some((s) => s > 1);
    const modules: string[] = [];
    const norm = row.args?.projection_batchnorm === true;
    // A linear layer on the last axis is the 1×1 convolution of a channels-last tensor; a
    // strided one, or one with a batch norm (PyTorch's want channels first), is convolved.
    if (rank >= 2 && (this.layout === 'channels_first' || strided || norm)) {
      if (rank > 3) throw this.error(`the residual on line ${lineOf(row)} projects a ${rank}-D tensor, which has no PyTorch convolution here (1-D sequences and 2-D images only).`, row);
      const toFirst = this.layout === 'channels_last';
      if (toFirst) modules.push(`${this.use('ChannelsFirst')}()`);
      const stride = strided ? (strides.every((s) => s === strides[0]) ? strides[0] : strides) : undefined;
      modules.push(pyCall(rank === 3 ? 'nn.Conv2d' : 'nn.Conv1d', [cin, cout, 1], { stride, bias }));
      if (norm) modules.push(this.projectionNorm(output));
      if (toFirst) modules.push(`${this.use('ChannelsLast')}()`);
    } else {
      modules.push(pyCall('nn.Linear', [cin, cout], { bias }));
      if (norm) modules.push(this.projectionNorm(output));
    }
    return modules.length === 1 ? modules[0] : `nn.Sequential(${modules.join(', ')})`;
  }

  /** The training engine's projection batch norm has TensorFlow's defaults: epsilon 1e-3, momentum 0.99. */
  private projectionNorm(output: readonly number[]): string {
    return torchBatchNorm(output, 1e-3, 0.99, (reason) => {
      throw new Error(reason);
    });
  }

  private use(helper: TorchHelper): string {
    this.helpers.add(helper);
    return helper;
  }

  /**
   * Copies that come out as the same code (GPT-2's twelve blocks) are written once, inside
   * a generator expression that builds each copy with its own weights; copies that differ
   * (a stage whose first block downsamples) are written out.
   */
  private repeat(node: RowNode): Item[] {
    const { row } = node;
    const { walked, collapsed } = repeatCopies(node);
    const perCopy = collapsed ? collapsed.nodes.length : walked.length / repeatCount(row)!;
    const copies: { items: Item[]; layoutIn: Layout; layoutOut: Layout; times: number }[] = [];
    for (let start = 0; start < walked.length; start += perCopy) copies.push(this.copy(walked.slice(start, start + perCopy), 1));
    if (collapsed) {
      const copy = this.copy(collapsed.nodes, collapsed.times);
      if (copy.layoutIn !== copy.layoutOut && copy.times > 1) {
        // A copy that converts the layout on its way in (ChannelsFirst before a convolution,
        // say) must not be built `times` times: the second copy would convert an already
        // converted tensor. The first copy is written out; the others start in the layout it
        // ends in, and so do not convert.
        copies.push({ ...copy, times: 1 }, this.copy(collapsed.nodes, collapsed.times - 1));
      } else copies.push(copy);
    }
    const children: Item[] = [];
    for (let i = 0; i < copies.length; ) {
      const text = renderAll(copies[i].items, 0);
      let same = i + 1;
      let times = copies[i].times;
      const stable = copies[i].layoutIn === copies[i].layoutOut;
      while (stable && same < copies.length && renderAll(copies[same].items, 0) === text) times += copies[same++].times;
      children.push(...(times > 1 ? [generator(copies[i].items, times)] : copies[i].items));
      i = same;
    }
    return [{ code: 'nn.Sequential(', comment: this.where(row), children }];
  }

  private copy(nodes: readonly RowNode[], times: number): { items: Item[]; layoutIn: Layout; layoutOut: Layout; times: number } {
    const layoutIn = this.layout;
    const hoisted = this.hoisted.length;
    const items = this.sequence(nodes);
    if (times > 1 && this.hoisted.length > hoisted) {
      throw this.error(`the embedding a tied output shares sits inside a repeat collapsed to ${times} copies; write fewer copies.`, nodes[0].row);
    }
    return { items, layoutIn, layoutOut: this.layout, times };
  }

  private where(row: LayerRow): string {
    const out = row.output ? ` -> ${formatShape(row.output)}` : '';
    return `line ${lineOf(row)}: ${this.spec.snippet(row.range)}${out}`;
  }

  private error(message: string, row: LayerRow): ExportError {
    return new ExportError(`${this.model.name}: ${message}`, row.range);
  }
}

/** `*(copy for _ in range(n))`: n copies, each built anew. */
function generator(items: readonly Item[], times: number): Item {
  const element: Item = items.length === 1 && !items[0].bare ? { ...items[0], bare: true } : { code: 'nn.Sequential(', children: items, bare: true };
  return { code: '*(', children: [element, { code: `for _ in range(${times})`, bare: true }], close: ')' };
}

function lineOf(row: LayerRow): number {
  return row.range.start.line + 1;
}
