import type * as tfTypes from '@tensorflow/tfjs';
import type { ACTIVATIONS } from './common';
import type { Args, NestedLayer, Shape } from './types';

/**
 * How a catalogue entry becomes a TensorFlow.js layer. The tfjs module arrives as a
 * parameter and is imported here for its types only, so the catalogue (and with it the
 * language server and the CLI's checker) never loads tfjs: only the trainer does.
 */

export type TF = typeof tfTypes;
export type EngineTensor = tfTypes.SymbolicTensor;

/**
 * What an entry builds: one tfjs layer, applied by the builder to the layer's input, or a
 * small graph of layers (a composite such as a tied output), given the input and
 * returning the output.
 */
export type EngineLayer = tfTypes.layers.Layer | ((x: EngineTensor) => EngineTensor);

export interface BuildContext {
  readonly tf: TF;
  /** The validated arguments (defaults applied), as inference saw them. */
  readonly args: Args;
  /** Shapes the estimator inferred for this layer: one sample, no batch axis. */
  readonly input: Shape;
  readonly output: Shape;
  /** A name unique within the model for the layer; a composite derives its parts' names from it. */
  readonly name: string;
  /** Layers that tfjs 4.22 lacks or cannot train, written for Modelspec and registered for saving. */
  readonly custom: CustomLayers;
  /** The model's first embedding as built, whose table a `dense(tied: true)` reuses. */
  readonly embedding?: { readonly layer: tfTypes.layers.Layer; readonly vocab: number; readonly dim: number };
  /** For the first embedding: a later `dense(tied: true)` reuses its table, so it must be built shareable. */
  readonly sharedWithOutput: boolean;
  /** Builds a nested layer argument (the recurrent layer inside `bidirectional`) on the given input. */
  nested(layer: NestedLayer, input: Shape): EngineLayer;
  /** Refuses to build: this layer with these arguments cannot be trained by the engine. Says why. */
  unsupported(reason: string): never;
}

/** Configuration of the one convolution layer that covers what the stock tfjs ones cannot train. */
export interface ConvSpec {
  readonly name: string;
  /** `conv`: ordinary or grouped; `depthwise`; `separable`: depthwise then 1×1. */
  readonly mode: 'conv' | 'depthwise' | 'separable';
  /** 1: a [T, C] sequence (conv1d); 2: an [H, W, C] image. */
  readonly rank: 1 | 2;
  /** Output channels of `conv` and `separable`; ignored for `depthwise`. */
  readonly filters: number;
  /** [h, w]; for rank 1, [1, k]. Likewise strides and dilation. */
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly padding: 'valid' | 'same';
  readonly groups: number;
  readonly depthMultiplier: number;
  readonly useBias: boolean;
  readonly activation: string;
}

export interface AttentionSpec {
  readonly name: string;
  readonly heads: number;
  readonly keyDim: number;
  readonly causal: boolean;
  readonly useBias: boolean;
}

export interface TransformerSpec {
  readonly name: string;
  readonly heads: number;
  readonly keyDim: number;
  readonly ff: number;
  readonly dropout: number;
  readonly norm: 'pre' | 'post';
  readonly activation: string;
  readonly causal: boolean;
}

export interface CustomLayers {
  layerNorm(spec: { readonly name: string; readonly epsilon: number }): tfTypes.layers.Layer;
  positionalEmbedding(spec: { readonly name: string; readonly maxLen: number }): tfTypes.layers.Layer;
  multiHeadAttention(spec: AttentionSpec): tfTypes.layers.Layer;
  transformerBlock(spec: TransformerSpec): tfTypes.layers.Layer;
  conv(spec: ConvSpec): tfTypes.layers.Layer;
  /** An embedding whose table can also be applied transposed, as a tied output projection. */
  sharedEmbedding(spec: { readonly name: string; readonly vocab: number; readonly dim: number }): tfTypes.layers.Layer;
  /** x·Eᵀ with the table E of a layer made by `sharedEmbedding`; adds no weights. */
  tiedOutput(embedding: tfTypes.layers.Layer, x: EngineTensor): EngineTensor;
  /** A learned vector added along the last axis. */
  bias(spec: { readonly name: string }): tfTypes.layers.Layer;
  /** A GRU with the reset gate after the recurrent product and two bias vectors (Keras's reset_after: true, PyTorch's nn.GRU): tfjs's RNN layer around a custom cell. */
  resetAfterGRU(spec: { readonly name: string; readonly units: number; readonly returnSequences: boolean }): tfTypes.layers.Layer;
  /** A learned d-vector put in front of a [T, d] sequence: [T+1, d]. */
  classToken(spec: { readonly name: string }): tfTypes.layers.Layer;
  /** One position of a [T, d] sequence, negative from the end: [d]. */
  takeToken(spec: { readonly name: string; readonly index: number }): tfTypes.layers.Layer;
  /** A [types, d] table whose row 0 is added to every position (every token has type 0). */
  tokenTypeEmbedding(spec: { readonly name: string; readonly types: number }): tfTypes.layers.Layer;
  /** Constant padding of the spatial axes, [before, after] each: zeros, or −∞ (`min`) before a max pool. */
  pad(spec: { readonly name: string; readonly pads: readonly (readonly [number, number])[]; readonly fill: 'zero' | 'min' }): tfTypes.layers.Layer;
  /** PyTorch's adaptive pooling to `size` per spatial axis: window i spans [floor(i·in/out), ceil((i+1)·in/out)). */
  adaptivePool(spec: { readonly name: string; readonly reduction: 'avg' | 'max'; readonly size: readonly number[] }): tfTypes.layers.Layer;
}

type Activation = (typeof ACTIVATIONS)[number];
export type EngineActivation = NonNullable<Parameters<TF['layers']['dense']>[0]['activation']>;

/**
 * Our activation names as tfjs knows them. Typed over every catalogue activation, so a new
 * one does not compile until it has an engine counterpart. `leaky_relu` (slope 0.2, as
 * Keras 3's activation) is not a tfjs activation: the custom layers register it, under the
 * camel-cased name that tfjs turns every configured string into when it loads a model.
 */
const ENGINE_ACTIVATIONS: Readonly<Record<Activation, string>> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  gelu: 'gelu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  softmax: 'softmax',
  elu: 'elu',
  selu: 'selu',
  swish: 'swish',
  leaky_relu: 'leakyRelu',
  softplus: 'softplus',
};

export function engineActivation(name: unknown): EngineActivation {
  const mapped = ENGINE_ACTIVATIONS[name as Activation];
  if (mapped === undefined) throw new Error(`No engine activation for '${String(name)}'.`);
  return mapped as EngineActivation;
}

/** Applies what an entry built to a tensor. */
export function applyEngineLayer(layer: EngineLayer, x: EngineTensor): EngineTensor {
  return typeof layer === 'function' ? layer(x) : (layer.apply(x) as EngineTensor);
}
