import { checkRank, formatShape, imageReshapeHint, intPair, MAX_DIM, paddingArg, slideWindow } from './common';
import { padOrder, py, pyCall, pyPair, symmetric, windowPads, type TorchContext, type TorchForm } from './torch';
import type { ArgSpec, InferContext, LayerEntry, LayerEstimate } from './types';

type Reduction = 'max' | 'avg';

const REDUCES: Readonly<Record<Reduction, string>> = { max: 'maximum', avg: 'average' };

function pool1dArgs(): ArgSpec[] {
  return [
    { name: 'pool', type: 'int', default: 2, min: 1, max: MAX_DIM, doc: 'Length of the pooling window.' },
    { name: 'stride', type: 'int', min: 1, max: MAX_DIM, doc: 'Step between windows (default: equal to `pool`, so windows do not overlap).' },
    paddingArg,
  ];
}

function pool2dArgs(): ArgSpec[] {
  return [
    { name: 'pool', type: 'int_pair', default: [2, 2], min: 1, max: MAX_DIM, doc: 'Pooling window: `2` for 2×2 or `[h, w]`.' },
    { name: 'stride', type: 'int_pair', min: 1, max: MAX_DIM, doc: 'Step between windows: `2` or `[h, w]` (default: equal to `pool`, so windows do not overlap).' },
    paddingArg,
  ];
}

/** Pooling adds nothing learned and, by the MAC convention, no multiply-accumulates. */
function free(output: number[]): LayerEstimate {
  return { output, trainable: 0n, nonTrainable: 0n, macs: 0n };
}

/**
 * nn.MaxPool / nn.AvgPool in channels-first layout. TensorFlow's `same` pads that split
 * evenly become the pool's own padding (an average then leaves the padding out of its
 * count, as TensorFlow does); an uneven split pads max pools with −∞ first and gives average
 * pools a helper that averages over the real elements only.
 */
function torchPool(t: TorchContext, reduction: Reduction, pool: number[], stride: number[]): TorchForm {
  const rank = pool.length;
  const pads = windowPads(t.args.padding, t.input.slice(0, rank), pool, stride);
  const kind = `${reduction === 'max' ? 'Max' : 'Avg'}Pool${rank}d`;
  const strideArg = stride.some((s, i) => s !== pool[i]) ? pyPair(stride) : undefined;
  const padded = pads.some(([a, b]) => a > 0 || b > 0);
  if (!padded || symmetric(pads)) {
    const padding = padded ? pyPair(pads.map(([a]) => a)) : undefined;
    const exclude = reduction === 'avg' && padded ? false : undefined;
    return { layout: 'channels_first', modules: [pyCall(`nn.${kind}`, [pyPair(pool)], { stride: strideArg, padding, count_include_pad: exclude })] };
  }
  if (reduction === 'avg') return { layout: 'channels_first', modules: [pyCall(t.helper('PaddedAvgPool'), [pool, stride, padOrder(pads)])] };
  const pad = `nn.ConstantPad${rank}d(${py(padOrder(pads))}, float("-inf"))`;
  return { layout: 'channels_first', modules: [pad, pyCall(`nn.${kind}`, [pyPair(pool)], { stride: strideArg })] };
}

function torchPoolDoc(reduction: Reduction, rank: 1 | 2): string {
  const kind = `${reduction === 'max' ? 'Max' : 'Avg'}Pool${rank}d`;
  const uneven = reduction === 'max' ? `a \`-inf\` \`nn.ConstantPad${rank}d\` first` : 'the helper `PaddedAvgPool`, which averages over the real elements only';
  return `\`nn.${kind}(pool, stride, padding)\` on channels first${reduction === 'avg' ? ', `count_include_pad=False` (TensorFlow leaves padding out of the mean)' : ''}; \`same\` padding that splits unevenly gets ${uneven}.`;
}

function pool1d(reduction: Reduction): LayerEntry {
  const name = `${reduction}pool1d`;
  const twin = `${reduction}pool2d`;
  return {
    kind: 'layer',
    name,
    family: 'pooling',
    summary: `Downsamples a [T, C] sequence by taking the ${REDUCES[reduction]} over windows of time steps.`,
    doc: [
      `Takes the ${REDUCES[reduction]} of each channel over windows of \`pool\` time steps: \`[T, C]\` → \`[T_out, C]\`.`,
      'T_out = floor((T − pool) / stride) + 1 with `padding: valid`, ceil(T / stride) with `padding: same`; stride defaults to `pool`.',
      '',
      '**Params**: 0.',
      '**MACs**: 0 (pooling is not counted as multiply-accumulates).',
      `**PyTorch**: ${torchPoolDoc(reduction, 1)}`,
    ].join('\n'),
    args: pool1dArgs(),
    inputRanks: [2],
    infer(ctx) {
      const { input, args } = ctx;
      const fix =
        input.length === 3
          ? `for [H, W, C] images use ${twin}, or reshape to [T, C] first`
          : input.length === 1
            ? `reshape to [T, C] first, e.g. \`reshape([${input[0]}, 1])\``
            : `${name} takes one [T, C] sequence per sample (the batch axis is implicit); reshape to [T, C]`;
      if (!checkRank(ctx, name, [2], fix)) return undefined;
      const pool = args.pool as number;
      const stride = typeof args.stride === 'number' ? args.stride : pool;
      const out = slideWindow(ctx, { layer: name, arg: 'pool', input: [input[0]], window: [pool], stride: [stride], padding: args.padding as string });
      return out && free([out[0], input[1]]);
    },
    build(b) {
      const { tf, args } = b;
      const pool = args.pool as number;
      const config = { name: b.name, poolSize: pool, strides: typeof args.stride === 'number' ? args.stride : pool, padding: args.padding as 'valid' | 'same' };
      return reduction === 'max' ? tf.layers.maxPooling1d(config) : tf.layers.averagePooling1d(config);
    },
    torch(t) {
      const pool = t.args.pool as number;
      return torchPool(t, reduction, [pool], [typeof t.args.stride === 'number' ? t.args.stride : pool]);
    },
  };
}

function pool2d(reduction: Reduction): LayerEntry {
  const name = `${reduction}pool2d`;
  const twin = `${reduction}pool1d`;
  return {
    kind: 'layer',
    name,
    family: 'pooling',
    summary: `Downsamples an [H, W, C] image by taking the ${REDUCES[reduction]} over windows of pixels.`,
    doc: [
      `Takes the ${REDUCES[reduction]} of each channel over P_h×P_w windows: \`[H, W, C]\` → \`[H_out, W_out, C]\`.`,
      'Per axis: out = floor((in − pool) / stride) + 1 with `padding: valid`, ceil(in / stride) with `padding: same`; stride defaults to `pool`.',
      '',
      '**Params**: 0.',
      '**MACs**: 0 (pooling is not counted as multiply-accumulates).',
      `**PyTorch**: ${torchPoolDoc(reduction, 2)}`,
    ].join('\n'),
    args: pool2dArgs(),
    inputRanks: [3],
    infer(ctx) {
      const { input, args } = ctx;
      const fix =
        input.length === 2
          ? `for a [T, C] sequence use ${twin}, or reshape to [H, W, C] first`
          : input.length === 1
            ? `reshape to [H, W, C] first, e.g. \`reshape(${formatShape(imageReshapeHint(input[0]))})\``
            : `${name} takes one [H, W, C] image per sample (the batch axis is implicit); reshape to [H, W, C]`;
      if (!checkRank(ctx, name, [3], fix)) return undefined;
      const pool = intPair(args.pool, [2, 2]);
      const stride = args.stride === undefined ? pool : intPair(args.stride, pool);
      const out = slideWindow(ctx, { layer: name, arg: 'pool', input: [input[0], input[1]], window: pool, stride, padding: args.padding as string });
      return out && free([out[0], out[1], input[2]]);
    },
    build(b) {
      const { tf, args } = b;
      const pool = intPair(args.pool, [2, 2]);
      const strides = args.stride === undefined ? pool : intPair(args.stride, pool);
      const config = { name: b.name, poolSize: pool, strides, padding: args.padding as 'valid' | 'same' };
      return reduction === 'max' ? tf.layers.maxPooling2d(config) : tf.layers.averagePooling2d(config);
    },
    torch(t) {
      const pool = intPair(t.args.pool, [2, 2]);
      return torchPool(t, reduction, pool, t.args.stride === undefined ? pool : intPair(t.args.stride, pool));
    },
  };
}

function globalPool(reduction: Reduction): LayerEntry {
  const name = `global_${reduction}pool`;
  return {
    kind: 'layer',
    name,
    family: 'pooling',
    summary: `Reduces every channel to its ${REDUCES[reduction]} over all positions: [T, C] or [H, W, C] → [C].`,
    doc: [
      `Takes the ${REDUCES[reduction]} of each channel over every time step or pixel: \`[T, C]\` → \`[C]\`, \`[H, W, C]\` → \`[C]\`.`,
      'Commonly replaces `flatten` before the classifier, making the head independent of the input size.',
      '',
      '**Params**: 0.',
      '**MACs**: 0 (pooling is not counted as multiply-accumulates).',
      `**PyTorch**: images \`nn.Adaptive${reduction === 'max' ? 'Max' : 'Avg'}Pool2d(1)\` then \`nn.Flatten()\`; sequences the helper \`GlobalPool("${reduction}", dim)\` over the steps.`,
    ].join('\n'),
    args: [],
    inputRanks: [2, 3],
    infer(ctx: InferContext) {
      const { input } = ctx;
      const fix =
        input.length === 1
          ? `the input is already a flat vector of ${input[0]} features; remove ${name}`
          : `${name} pools one [T, C] sequence or [H, W, C] image per sample (the batch axis is implicit); reshape first`;
      if (!checkRank(ctx, name, [2, 3], fix)) return undefined;
      return free([input[input.length - 1]]);
    },
    build(b) {
      const { tf } = b;
      const config = { name: b.name };
      if (b.input.length === 2) return reduction === 'max' ? tf.layers.globalMaxPooling1d(config) : tf.layers.globalAveragePooling1d(config);
      return reduction === 'max' ? tf.layers.globalMaxPooling2d(config) : tf.layers.globalAveragePooling2d(config);
    },
    torch(t) {
      // Images take torchvision's idiom; a sequence pools over its steps wherever they are.
      const op = reduction === 'max' ? 'Max' : 'Avg';
      if (t.input.length === 3) return { layout: 'channels_first', modules: [`nn.Adaptive${op}Pool2d(1)`, 'nn.Flatten()'] };
      const steps = t.layout === 'channels_first' ? 2 : 1;
      return { layout: 'any', modules: [pyCall(t.helper('GlobalPool'), [reduction], { dim: steps })] };
    },
  };
}

export const maxpool1d = pool1d('max');
export const avgpool1d = pool1d('avg');
export const maxpool2d = pool2d('max');
export const avgpool2d = pool2d('avg');
export const global_avgpool = globalPool('avg');
export const global_maxpool = globalPool('max');

export const poolingEntries: LayerEntry[] = [maxpool1d, avgpool1d, maxpool2d, avgpool2d, global_avgpool, global_maxpool];
