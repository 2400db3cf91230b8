import type { CustomLayers } from '../../../catalog/engine';
import { registerActivations } from './activations';
import { defineMultiHeadAttention } from './attention';
import { defineBias } from './bias';
import type { TF } from './common';
import { defineConv } from './conv';
import { defineLayerNorm } from './layerNorm';
import { definePositionalEmbedding } from './positionalEmbedding';
import { defineSharedEmbedding, tiedOutput } from './sharedEmbedding';
import { defineTransformerBlock } from './transformerBlock';

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
  };
  registered.set(tf, layers);
  return layers;
}
