import { formatShape } from './common';
import type { InferContext, LayerEntry } from './types';

/** Both layers normalise the last (channel/feature) axis and need one to exist. */
function featureAxis(ctx: InferContext, layer: string): number | undefined {
  const { input } = ctx;
  if (input.length >= 1) return input[input.length - 1];
  ctx.report({
    code: 'rank-mismatch',
    message: `${layer} normalises the last axis but receives ${formatShape(input)}, which has none; place it after a layer with features.`,
    data: { expectedRanks: [1, 2, 3], actual: input.length },
  });
  return undefined;
}

export const batchnorm: LayerEntry = {
  kind: 'layer',
  name: 'batchnorm',
  family: 'normalization',
  summary: 'Batch normalisation over the last (channel) axis.',
  doc: [
    'Normalises each channel of the last axis with the mean and variance of the batch during training, and with moving averages of them at inference; then scales by γ and shifts by β.',
    'Shape unchanged: `[..., C]` → `[..., C]`.',
    '',
    '**Params**: 2·C trainable (γ, β) + 2·C non-trainable (moving mean and variance, as in Keras; PyTorch calls them buffers).',
    '**MACs**: 0 (normalisation is not counted as multiply-accumulates).',
  ].join('\n'),
  args: [
    { name: 'momentum', type: 'number', default: 0.99, min: 0, max: 1, doc: 'Weight of the old value in the moving averages (Keras convention; PyTorch momentum 0.1 is 0.9 here).' },
    { name: 'epsilon', type: 'number', default: 0.001, min: 0, minExclusive: true, doc: 'Added to the variance to avoid dividing by zero.' },
  ],
  infer(ctx) {
    const channels = featureAxis(ctx, 'batchnorm');
    if (channels === undefined) return undefined;
    const perStat = 2n * BigInt(channels);
    return { output: [...ctx.input], trainable: perStat, nonTrainable: perStat, macs: 0n };
  },
  build(b) {
    return b.tf.layers.batchNormalization({ name: b.name, axis: -1, momentum: b.args.momentum as number, epsilon: b.args.epsilon as number });
  },
};

export const layernorm: LayerEntry = {
  kind: 'layer',
  name: 'layernorm',
  family: 'normalization',
  summary: 'Layer normalisation over the last (feature) axis of each position.',
  doc: [
    'Normalises the features of the last axis of each position (or of the sample, for a vector) to zero mean and unit variance, then scales by γ and shifts by β. Statistics come from the sample itself, so training and inference behave alike.',
    'Shape unchanged: `[..., d]` → `[..., d]`.',
    '',
    '**Params**: 2·d trainable (γ, β).',
    '**MACs**: 0 (normalisation is not counted as multiply-accumulates).',
  ].join('\n'),
  args: [{ name: 'epsilon', type: 'number', default: 1e-5, min: 0, minExclusive: true, doc: 'Added to the variance to avoid dividing by zero.' }],
  infer(ctx) {
    const features = featureAxis(ctx, 'layernorm');
    if (features === undefined) return undefined;
    return { output: [...ctx.input], trainable: 2n * BigInt(features), nonTrainable: 0n, macs: 0n };
  },
  build(b) {
    // tfjs's own layerNormalization tiles its input and is pathologically slow to train on wasm.
    return b.custom.layerNorm({ name: b.name, epsilon: b.args.epsilon as number });
  },
};

export const normalizationEntries: LayerEntry[] = [batchnorm, layernorm];
