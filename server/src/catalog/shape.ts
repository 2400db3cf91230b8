import { formatShape, MAX_DIM, product } from './common';
import { pyCall } from './torch';
import type { InferContext, LayerEntry } from './types';

/** Element counts are BigInt; one that does not fit an axis is reported instead of losing precision as a number. */
function fitsAxis(ctx: InferContext, layer: string, count: bigint, arg?: string): boolean {
  if (count <= BigInt(MAX_DIM)) return true;
  ctx.report({
    code: 'size-overflow',
    arg,
    message: `${layer} would make an axis of ${count} elements, more than any tensor axis can hold (at most 2^40); reduce the sizes before it.`,
  });
  return false;
}

export const flatten: LayerEntry = {
  kind: 'layer',
  name: 'flatten',
  family: 'shape',
  summary: 'Flattens each sample into one vector of features.',
  doc: [
    'Lays every element of a sample out along one axis: `[d1, d2, ..., dn]` → `[d1·d2·…·dn]`, e.g. `[5, 5, 16]` → `[400]`.',
    'Use it between convolutional layers and `dense` so that every feature reaches every unit.',
    '',
    '**Params**: 0.',
    '**MACs**: 0.',
    "**PyTorch**: `nn.Flatten()` on the spec's channels-last layout (converted back first if needed), so the elements come in the order a later `reshape` expects.",
  ].join('\n'),
  args: [],
  infer(ctx) {
    const count = product(ctx.input);
    if (!fitsAxis(ctx, 'flatten', count)) return undefined;
    return { output: [Number(count)], trainable: 0n, nonTrainable: 0n, macs: 0n };
  },
  build(b) {
    // tfjs's Flatten refuses an input that is already flat. A reshape to the same shape
    // still makes a layer of its own: returning the input tensor itself would hand a
    // residual's add the same tensor twice, which tfjs's executor frees too early.
    if (b.input.length <= 1) return b.tf.layers.reshape({ name: b.name, targetShape: [...b.output] });
    return b.tf.layers.flatten({ name: b.name });
  },
  // In the spec's channels-last order, so that a later reshape sees the elements it expects.
  torch: () => ({ layout: 'channels_last', modules: ['nn.Flatten()'] }),
};

export const reshape: LayerEntry = {
  kind: 'layer',
  name: 'reshape',
  family: 'shape',
  summary: 'Rearranges each sample into a new shape with the same number of elements.',
  doc: [
    'Gives each sample a new shape (without the batch axis), keeping its elements in order: `[d1, ..., dn]` → `shape`.',
    'The element counts must be equal; one size may be `-1`, inferred from the others, e.g. `[784]` with `reshape([-1, 28, 1])` → `[28, 28, 1]`.',
    '',
    '**Params**: 0.',
    '**MACs**: 0.',
    '**PyTorch**: the helper `Reshape(*shape)`, channels last.',
  ].join('\n'),
  args: [
    {
      name: 'shape',
      type: 'shape',
      required: true,
      // -1 is the one size to infer; every other size must be at least 1.
      min: -1,
      max: MAX_DIM,
      doc: 'Target shape of one sample, e.g. `[28, 28, 1]`; at most one size may be `-1` (inferred).',
    },
  ],
  infer(ctx) {
    const target = ctx.args.shape as readonly number[];
    const unknowns = target.filter((d) => d === -1).length;
    if (unknowns > 1) {
      ctx.report({
        code: 'value-out-of-range',
        arg: 'shape',
        message: `reshape can infer only one size, but ${formatShape(target)} has ${unknowns} -1 entries; give all but one of them explicitly.`,
      });
      return undefined;
    }
    const have = product(ctx.input);
    const known = product(target.filter((d) => d !== -1));
    if (unknowns === 1) {
      if (have % known !== 0n) {
        ctx.report({
          code: 'reshape-size',
          arg: 'shape',
          message: `reshape(${formatShape(target)}) cannot hold the ${have} elements of ${formatShape(ctx.input)}: the given sizes multiply to ${known}, which does not divide ${have}; choose sizes whose product divides ${have}.`,
          data: { inputElements: have.toString(), targetElements: known.toString() },
        });
        return undefined;
      }
      const inferred = have / known;
      if (!fitsAxis(ctx, 'reshape', inferred, 'shape')) return undefined;
      return { output: target.map((d) => (d === -1 ? Number(inferred) : d)), trainable: 0n, nonTrainable: 0n, macs: 0n };
    }
    if (known !== have) {
      ctx.report({
        code: 'reshape-size',
        arg: 'shape',
        message: `reshape(${formatShape(target)}) holds ${known} elements but its input ${formatShape(ctx.input)} has ${have}; the counts must be equal — change the sizes, or write -1 for the one to infer.`,
        data: { inputElements: have.toString(), targetElements: known.toString() },
      });
      return undefined;
    }
    return { output: [...target], trainable: 0n, nonTrainable: 0n, macs: 0n };
  },
  build(b) {
    // The inferred shape, with any -1 already resolved.
    return b.tf.layers.reshape({ name: b.name, targetShape: [...b.output] });
  },
  torch: (t) => ({ layout: 'channels_last', modules: [pyCall(t.helper('Reshape'), t.output)] }),
};

export const dropout: LayerEntry = {
  kind: 'layer',
  name: 'dropout',
  family: 'shape',
  summary: 'Randomly zeroes a fraction of the inputs during training (regularisation).',
  doc: [
    'During training, sets each input element to 0 with probability `rate` and scales the rest by 1/(1 − rate); at inference it passes inputs through unchanged.',
    'Shape unchanged: `[...]` → `[...]`.',
    '',
    '**Params**: 0.',
    '**MACs**: 0.',
    '**PyTorch**: `nn.Dropout(rate)`.',
  ].join('\n'),
  args: [
    { name: 'rate', type: 'number', required: true, min: 0, max: 1, maxExclusive: true, doc: 'Fraction of inputs to drop, in [0, 1).' },
  ],
  infer(ctx) {
    return { output: [...ctx.input], trainable: 0n, nonTrainable: 0n, macs: 0n };
  },
  build(b) {
    return b.tf.layers.dropout({ name: b.name, rate: b.args.rate as number });
  },
  torch: (t) => ({ layout: 'any', modules: [pyCall('nn.Dropout', [t.args.rate])] }),
};

export const shapeEntries: LayerEntry[] = [flatten, reshape, dropout];
