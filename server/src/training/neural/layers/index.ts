import type { CustomLayers } from '../../../catalog/engine';
import { registerActivations } from './activations';
import { defineMultiHeadAttention } from './attention';
import { defineBias } from './bias';
import type { TF } from './common';
import { defineConv } from './conv';
import { defineResetAfterGRU, defineResetAfterGRUCell } from './gru';
import { defineLayerNorm } from './layerNorm';
import { definePositionalEmbedding } from './positionalEmbedding';
import { defineSharedEmbedding, tiedOutput } from './sharedEmbedding';
import { defineClassToken, defineTakeToken, defineTokenTypeEmbedding } from './tokens';
import { defineTransformerBlock } from './transformerBlock';
import { defineAdaptivePool, definePad } from './windows';

const registered = new WeakMap<TF, CustomLayers>();

/**
 * Defines Modelspec's custom layers (and the `leaky_relu` activation) for this tfjs module
 * and registers them for serialisation, once. Call it before `tf.loadLayersModel` on a
 * saved Modelspec model: model.json names these classes, and tfjs can only rebuild
 * classes it has been told about.
 */
export function registerCustomLayers(tf: TF): CustomLayers {
  const known = registered.get(tf);
  if (known) return known;
  registerActivations(tf);
  const LayerNorm = defineLayerNorm(tf);
  const PositionalEmbedding = definePositionalEmbedding(tf);
  const MultiHeadAttention = defineMultiHeadAttention(tf);
  const TransformerBlock = defineTransformerBlock(tf);
  const Conv = defineConv(tf);
  const SharedEmbedding = defineSharedEmbedding(tf);
  const Bias = defineBias(tf);
  const Pad = definePad(tf);
  const AdaptivePool = defineAdaptivePool(tf);
  for (const cls of [Pad, AdaptivePool]) tf.serialization.registerClass(cls);
  const ClassToken = defineClassToken(tf);
  const TakeToken = defineTakeToken(tf);
  const TokenTypeEmbedding = defineTokenTypeEmbedding(tf);
  const ResetAfterGRUCell = defineResetAfterGRUCell(tf);
  const ResetAfterGRU = defineResetAfterGRU(tf, ResetAfterGRUCell);
  for (const cls of [ClassToken, TakeToken, TokenTypeEmbedding, ResetAfterGRUCell, ResetAfterGRU]) tf.serialization.registerClass(cls);
  for (const cls of [LayerNorm, PositionalEmbedding, MultiHeadAttention, TransformerBlock, Conv, SharedEmbedding, Bias]) tf.serialization.registerClass(cls);
  const layers: CustomLayers = {
    layerNorm: (spec) => new LayerNorm({ ...spec }),
    positionalEmbedding: (spec) => new PositionalEmbedding({ ...spec }),
    multiHeadAttention: (spec) => new MultiHeadAttention({ ...spec }),
    transformerBlock: (spec) => new TransformerBlock({ ...spec }),
    conv: (spec) => new Conv({ ...spec, kernel: [...spec.kernel], strides: [...spec.strides], dilation: [...spec.dilation] }),
    sharedEmbedding: (spec) => new SharedEmbedding({ ...spec }),
    tiedOutput,
    bias: (spec) => new Bias({ ...spec }),
    pad: (spec) => new Pad({ name: spec.name, pads: spec.pads.map(([a, b]) => [a, b]), fill: spec.fill }),
    adaptivePool: (spec) => new AdaptivePool({ name: spec.name, reduction: spec.reduction, size: [...spec.size] }),
    classToken: (spec) => new ClassToken({ ...spec }),
    takeToken: (spec) => new TakeToken({ ...spec }),
    tokenTypeEmbedding: (spec) => new TokenTypeEmbedding({ ...spec }),
    resetAfterGRU: (spec) => new ResetAfterGRU({ ...spec }),
  };
  registered.set(tf, layers);
  return layers;
}
