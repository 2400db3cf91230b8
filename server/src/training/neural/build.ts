import type * as tfTypes from '@tensorflow/tfjs';
import type { LayerRow, ModelAnalysis } from '../../analysis/model';
import { repeatCopies, repeatCount, rowTree, type RowNode as Node } from '../../analysis/rowTree';
import { formatShape } from '../../catalog/common';
import { applyEngineLayer, type BuildContext, type CustomLayers, type EngineLayer, type EngineTensor, type TF } from '../../catalog/engine';
import type { LayerEntry, NestedLayer, Shape } from '../../catalog/types';
import { registerCustomLayers } from './layers';

/**
 * Beyond this many engine layers (repeats expanded) a model is refused: tfjs builds every
 * layer as a graph node with its own variables, and far fewer already exceed what trains
 * in a reasonable time on this engine.
 */
export const MAX_ENGINE_LAYERS = 2_000;

/** A model the checker accepts but the training engine cannot build; the message says which layer and why. */
export class UnsupportedModelError extends Error {
  override name = 'UnsupportedModelError';
}

function sameShape(a: readonly (number | null)[], b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function lineOf(row: LayerRow): number {
  return row.range.start.line + 1;
}

/**
 * Builds the tfjs model of a checked neural model from the rows the estimator resolved —
 * the same graph, layer for layer: each catalogue entry builds its own engine layer,
 * residuals become add(branch, skip or projection(skip)), concats join their paths on the
 * last axis, and repeats the estimator
 * collapsed into one row per layer are expanded into their copies. Every layer's output
 * shape is checked against the inferred one as the graph is wired.
 */
export function buildModel(tf: TF, model: ModelAnalysis): tfTypes.LayersModel {
  if (model.kind === 'classical') {
    throw new Error(`${model.name} is a classical model (${model.estimator?.entry.name ?? 'estimator'}); the neural engine builds only models made of layers.`);
  }
  if (model.kind !== 'neural' || !model.complete || !model.inputShape) {
    throw new Error(`${model.name} is incomplete: the checker reported errors that leave its layers or shapes unknown; fix them before training.`);
  }
  const layers = model.rows.reduce((n, r) => n + (r.kind === 'layer' ? r.count : 0), 0);
  if (layers > MAX_ENGINE_LAYERS) {
    throw new Error(
      `${model.name} expands to ${layers.toLocaleString('en-US')} layers, more than the ${MAX_ENGINE_LAYERS.toLocaleString('en-US')} the training engine builds; reduce the repeat counts.`,
    );
  }
  const builder = new Builder(tf, model, registerCustomLayers(tf));
  const input = tf.input({ shape: [...model.inputShape], name: 'input' });
  const output = builder.sequence(rowTree(model.rows), input);
  return tf.model({ inputs: input, outputs: output, name: model.name });
}

class Builder {
  private readonly used = new Map<string, number>();
  /** The first embedding built, whose table a tied dense reuses. */
  private embedding?: BuildContext['embedding'];
  private readonly tied: boolean;

  constructor(
    private readonly tf: TF,
    private readonly model: ModelAnalysis,
    private readonly custom: CustomLayers,
  ) {
    this.tied = model.rows.some((r) => r.entry?.name === 'dense' && r.args?.tied === true);
  }

  /** Readable names unique in the model, so saved weights say where they belong. */
  private unique(base: string): string {
    const n = (this.used.get(base) ?? 0) + 1;
    this.used.set(base, n);
    return `${base}_${n}`;
  }

  sequence(nodes: readonly Node[], x: EngineTensor): EngineTensor {
    let y = x;
    for (const node of nodes) y = this.node(node, y);
    return y;
  }

  private node(node: Node, x: EngineTensor): EngineTensor {
    const { row } = node;
    if (row.kind === 'layer') {
      if (!row.entry) throw new Error(`${this.model.name}: row '${row.name}' on line ${lineOf(row)} is not a catalogue layer and sits outside a residual.`);
      return this.layer(row.entry, row, x);
    }
    if (row.name === 'residual') return this.residual(node, x);
    if (row.name === 'concat') return this.concat(node, x);
    if (repeatCount(row) !== undefined) return this.repeat(node, x);
    this.checkCounts(node);
    return this.sequence(node.children, x);
  }

  /** Rows of a block or residual stand for as many copies as the group itself. */
  private checkCounts(node: Node): void {
    const odd = node.children.find((c) => c.row.count !== node.row.count);
    if (odd) throw new Error(`${this.model.name}: '${odd.row.name}' on line ${lineOf(odd.row)} stands for ${odd.row.count} copies inside '${node.row.name}', which stands for ${node.row.count}.`);
  }

  /**
   * A repeat's copies are its children in order; when the estimator collapsed the last
   * copies into one (rows counting `copies` times as many as the repeat), that copy is
   * built `copies` times, each with its own weights.
   */
  private repeat(node: Node, x: EngineTensor): EngineTensor {
    const { walked, collapsed } = repeatCopies(node);
    let y = this.sequence(walked, x);
    if (collapsed) for (let i = 0; i < collapsed.times; i++) y = this.sequence(collapsed.nodes, y);
    return y;
  }

  private residual(node: Node, x: EngineTensor): EngineTensor {
    this.checkCounts(node);
    const last = node.children[node.children.length - 1];
    const projection = last && last.row.kind === 'layer' && !last.row.entry && last.row.name === 'projection' ? last.row : undefined;
    let branch = this.sequence(projection ? node.children.slice(0, -1) : node.children, x);
    const skip = projection ? this.projection(projection, x) : x;
    // An empty branch (`residual { }`, x + x): tfjs's executor counts a tensor's consumers
    // once per layer but releases it once per use, so adding x to itself would free x while
    // later layers still need it. A linear activation gives the branch a tensor of its own.
    if (branch === skip) branch = this.tf.layers.activation({ name: this.unique('residual_identity'), activation: 'linear' }).apply(x) as EngineTensor;
    const add = this.tf.layers.add({ name: this.unique('residual_add') });
    return add.apply([branch, skip]) as EngineTensor;
  }

  /** Each path (a group row) reads x; their outputs join on the last axis. */
  private concat(node: Node, x: EngineTensor): EngineTensor {
    this.checkCounts(node);
    const paths = node.children.map((path) => {
      this.checkCounts(path);
      const y = this.sequence(path.children, x);
      // An empty path is x itself; as in a residual, tfjs must not see one tensor twice in a merge.
      return y === x ? (this.tf.layers.activation({ name: this.unique('concat_identity'), activation: 'linear' }).apply(x) as EngineTensor) : y;
    });
    const y = paths.length === 1 ? paths[0] : (this.tf.layers.concatenate({ name: this.unique('concat'), axis: -1 }).apply(paths) as EngineTensor);
    if (node.row.output) this.checkShape(y, node.row.output, `the concat on line ${lineOf(node.row)}`);
    return y;
  }

  /** The skip-path projection the estimator counted: 1×1 convolution with the spatial stride, dense when nothing is strided. */
  private projection(row: LayerRow, x: EngineTensor): EngineTensor {
    const { tf } = this;
    const input = row.input!;
    const output = row.output!;
    const rank = input.length;
    const units = output[rank - 1];
    const useBias = row.args?.projection_bias !== false;
    const strides = input.slice(0, -1).map((d, i) => Math.ceil(d / output[i]));
    const name = this.unique('projection');
    let layer: tfTypes.layers.Layer;
    if (rank === 3) {
      layer = tf.layers.conv2d({ name, filters: units, kernelSize: 1, strides, padding: 'same', useBias });
    } else if (rank === 2 && strides[0] > 1) {
      layer = tf.layers.conv1d({ name, filters: units, kernelSize: 1, strides: strides[0], padding: 'same', useBias });
    } else if (strides.every((s) => s === 1)) {
      layer = tf.layers.dense({ name, units, useBias });
    } else {
      throw new UnsupportedModelError(
        `${this.model.name}: the residual on line ${lineOf(row)} projects ${formatShape(input)} to ${formatShape(output)}, a strided projection of a ${rank}-D tensor, which the training engine cannot build (1-D sequences and 2-D images only).`,
      );
    }
    let y = layer.apply(x) as EngineTensor;
    if (row.args?.projection_batchnorm === true) y = tf.layers.batchNormalization({ name: `${name}_batchnorm`, axis: -1 }).apply(y) as EngineTensor;
    this.checkShape(y, output, `the projection on line ${lineOf(row)}`);
    return y;
  }

  private layer(entry: LayerEntry, row: LayerRow, x: EngineTensor): EngineTensor {
    if (!row.args || !row.input || !row.output) throw new Error(`${this.model.name}: ${entry.name} on line ${lineOf(row)} has no inferred shapes.`);
    this.checkShape(x, row.input, `the input of ${entry.name} on line ${lineOf(row)}`);
    const isFirstEmbedding = entry.name === 'embedding' && !this.embedding;
    const built = entry.build(this.context(entry, row.args, row.input, row.output, this.unique(entry.name), row, isFirstEmbedding && this.tied));
    if (isFirstEmbedding) {
      if (typeof built === 'function') throw new Error('embedding must build a single layer, so that a tied output can share it.');
      this.embedding = { layer: built, vocab: row.args.vocab as number, dim: row.args.dim as number };
    }
    const y = applyEngineLayer(built, x);
    this.checkShape(y, row.output, `${entry.name} on line ${lineOf(row)}`);
    return y;
  }

  private context(entry: LayerEntry, args: NestedLayer['args'], input: Shape, output: Shape, name: string, row: LayerRow, sharedWithOutput: boolean): BuildContext {
    return {
      tf: this.tf,
      args,
      input,
      output,
      name,
      custom: this.custom,
      embedding: this.embedding,
      sharedWithOutput,
      nested: (layer: NestedLayer, nestedInput: Shape): EngineLayer => {
        const estimate = layer.entry.infer({ input: nestedInput, args: layer.args, model: {}, report: () => {}, inferNested: () => undefined });
        if (!estimate) throw new Error(`${this.model.name}: ${layer.entry.name} inside ${entry.name} on line ${lineOf(row)} does not infer.`);
        return layer.entry.build(this.context(layer.entry, layer.args, nestedInput, estimate.output, `${name}_${layer.entry.name}`, row, false));
      },
      unsupported: (reason: string): never => {
        throw new UnsupportedModelError(`${this.model.name}: ${entry.name} on line ${lineOf(row)} cannot be trained: ${reason}`);
      },
    };
  }

  /** The engine and the estimator must agree on every shape; a difference is a bug in one of them. */
  private checkShape(t: EngineTensor, expected: Shape, what: string): void {
    const actual = t.shape.slice(1);
    if (!sameShape(actual, expected)) {
      throw new Error(`${this.model.name}: the engine gives ${what} the shape ${formatShape(actual.map((d) => d ?? -1))}, the estimator ${formatShape(expected)}.`);
    }
  }
}
