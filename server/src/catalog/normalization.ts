import { formatShape } from './common';
import { pyCall } from './torch';
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
    '**PyTorch**: `nn.BatchNorm1d/2d/3d(C, eps, momentum=1 − momentum)` on channels first; γ and β are its parameters, the moving statistics buffers (not counted by `parameters()`).',
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
  torch(t) {
    return { layout: 'channels_first', modules: [torchBatchNorm(t.input, t.args.epsilon as number, t.args.momentum as number, t.unsupported)] };
  },
};

/**
 * nn.BatchNorm1d/2d/3d over the channel axis of a channels-first tensor. PyTorch's momentum
 * weighs the new batch (0.1), Keras's the old average (0.99): the one is 1 − the other.
 */
export function torchBatchNorm(input: readonly number[], epsilon: number, momentum: number, unsupported: (reason: string) => never): string {
  const rank = input.length;
  if (rank > 4) return unsupported(`PyTorch's batch norms take at most 3 axes besides channels, and this input has ${rank} axes.`);
  const channels = input[rank - 1];
  const kind = `nn.BatchNorm${Math.max(1, rank - 1)}d`;
  // 1 − 0.99 in floating point is 0.010000000000000009; the momentum as a user would write it.
  return pyCall(kind, [channels], { eps: epsilon, momentum: Number((1 - momentum).toPrecision(12)) });
}

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
    '**PyTorch**: `nn.LayerNorm(d, eps)`.',
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
  torch: (t) => ({ layout: 'channels_last', modules: [pyCall('nn.LayerNorm', [t.input[t.input.length - 1]], { eps: t.args.epsilon })] }),
};

export const normalizationEntries: LayerEntry[] = [batchnorm, layernorm];
