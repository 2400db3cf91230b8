import {
  acceptedPadding,
  checkRank,
  explicitPads,
  formatShape,
  formatSize,
  imageReshapeHint,
  intPair,
  MAX_DIM,
  paddingArg,
  slideWindow,
  windowPadding,
} from './common';
import type { BuildContext, EngineLayer } from './engine';
import { padThen } from './padding';
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
 * The output sizes of a pool, or undefined after reporting. Explicit padding is PyTorch's,
 * which refuses more than half the window on a side (a window of padding alone).
 */
function slidePool(ctx: InferContext, name: string, rank: 1 | 2, input: number[], pool: number[], stride: number[]): number[] | undefined {
  const padding = windowPadding(ctx, name, rank);
  if (!padding) return undefined;
  if (typeof padding !== 'string' && padding.some((p, i) => 2 * p > pool[i])) {
    const most = pool.map((k) => Math.floor(k / 2));
    ctx.report({
      code: 'value-out-of-range',
      arg: 'padding',
      message: `${name}'s padding ${formatSize(padding)} is more than half its ${formatSize(pool)} window, so some windows would hold only padding; PyTorch allows at most ${formatSize(most)}: lower the padding or widen the window.`,
      data: { padding: [...padding], pool: [...pool], max: most },
    });
    return undefined;
  }
  return slideWindow(ctx, { layer: name, arg: 'pool', input, window: pool, stride, padding });
}

/**
 * A pool in the engine. Explicit padding pads first and pools `valid`: zeros for an average,
 * which then counts them as PyTorch's default (`count_include_pad=True`) does, −∞ for a max.
 */
function buildPool(b: BuildContext, reduction: Reduction, rank: 1 | 2, pool: [number, number], strides: [number, number]): EngineLayer {
  const { tf } = b;
  const padding = acceptedPadding(b.args.padding, rank);
  const pads = explicitPads(padding);
  const mode = typeof padding === 'string' ? padding : 'valid';
  const config = { name: b.name, padding: mode };
  const layer =
    rank === 1
      ? reduction === 'max'
        ? tf.layers.maxPooling1d({ ...config, poolSize: pool[1], strides: strides[1] })
        : tf.layers.averagePooling1d({ ...config, poolSize: pool[1], strides: strides[1] })
      : reduction === 'max'
        ? tf.layers.maxPooling2d({ ...config, poolSize: pool, strides })
        : tf.layers.averagePooling2d({ ...config, poolSize: pool, strides });
  return pads && pads.some(([a]) => a > 0) ? padThen(b, pads, reduction === 'max' ? 'min' : 'zero', layer) : layer;
}

/**
 * nn.MaxPool / nn.AvgPool in channels-first layout. Explicit padding is the pool's own
 * (PyTorch pads max pools with −∞ and counts the zeros of an average's padding). TensorFlow's `same` pads that split
 * evenly become the pool's own padding (an average then leaves the padding out of its
 * count, as TensorFlow does); an uneven split pads max pools with −∞ first and gives average
 * pools a helper that averages over the real elements only.
 */
function torchPool(t: TorchContext, reduction: Reduction, pool: number[], stride: number[]): TorchForm {
  const rank = pool.length;
  const kind = `${reduction === 'max' ? 'Max' : 'Avg'}Pool${rank}d`;
  const strideArg = stride.some((s, i) => s !== pool[i]) ? pyPair(stride) : undefined;
  const explicit = explicitPads(acceptedPadding(t.args.padding, rank === 1 ? 1 : 2));
  if (explicit) {
    const padding = explicit.some(([a]) => a > 0) ? pyPair(explicit.map(([a]) => a)) : undefined;
    return { layout: 'channels_first', modules: [pyCall(`nn.${kind}`, [pyPair(pool)], { stride: strideArg, padding })] };
  }
  const pads = windowPads(t.args.padding, t.input.slice(0, rank), pool, stride);
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
  const explicit =
    reduction === 'max'
      ? 'An explicit `padding: p` is PyTorch\'s `padding=p`, padding with −∞ (the engine pads with −∞ and pools `valid`).'
      : 'An explicit `padding: p` is PyTorch\'s `padding=p` with its default `count_include_pad=True`: the padded zeros count in the mean (the engine zero-pads and pools `valid`, the same numbers).';
  return `\`nn.${kind}(pool, stride, padding)\` on channels first${reduction === 'avg' ? ', `count_include_pad=False` for `same` (TensorFlow leaves padding out of the mean)' : ''}; \`same\` padding that splits unevenly gets ${uneven}. ${explicit}`;
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
      'T_out = floor((T + 2p − pool) / stride) + 1 with `padding: p` (p ≤ pool/2 on each end; `valid` is p = 0), ceil(T / stride) with `padding: same`; stride defaults to `pool`.',
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
      const out = slidePool(ctx, name, 1, [input[0]], [pool], [stride]);
      return out && free([out[0], input[1]]);
    },
    build(b) {
      const pool = b.args.pool as number;
      const stride = typeof b.args.stride === 'number' ? b.args.stride : pool;
      return buildPool(b, reduction, 1, [1, pool], [1, stride]);
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
      'Per axis: out = floor((in + 2p − pool) / stride) + 1 with `padding: p` or `[p_h, p_w]` (p ≤ pool/2; `valid` is p = 0), ceil(in / stride) with `padding: same`; stride defaults to `pool`.',
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
      const out = slidePool(ctx, name, 2, [input[0], input[1]], pool, stride);
      return out && free([out[0], out[1], input[2]]);
    },
    build(b) {
      const pool = intPair(b.args.pool, [2, 2]);
      return buildPool(b, reduction, 2, pool, b.args.stride === undefined ? pool : intPair(b.args.stride, pool));
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

/**
 * Adaptive pooling, PyTorch's nn.AdaptiveAvgPool / nn.AdaptiveMaxPool: a fixed output size,
 * output i of `out` reducing input positions [floor(i·in/out), ceil((i+1)·in/out)).
 */
function adaptivePool(reduction: Reduction, rank: 1 | 2): LayerEntry {
  const name = `adaptive_${reduction}pool${rank}d`;
  const twin = `adaptive_${reduction}pool${rank === 1 ? 2 : 1}d`;
  const torchName = `nn.Adaptive${reduction === 'max' ? 'Max' : 'Avg'}Pool${rank}d`;
  const sizeArg: ArgSpec =
    rank === 1
      ? { name: 'size', type: 'int', required: true, min: 1, max: MAX_DIM, doc: 'Output length: the number of windows along the time axis.' }
      : { name: 'size', type: 'int_pair', required: true, min: 1, max: MAX_DIM, doc: 'Output size: `6` for 6×6 or `[h, w]`.' };
  const layout = rank === 1 ? '`[T, C]` → `[size, C]`' : '`[H, W, C]` → `[size_h, size_w, C]`';
  const sizesOf = (args: InferContext['args']): number[] => (rank === 1 ? [args.size as number] : intPair(args.size, [1, 1]));
  return {
    kind: 'layer',
    name,
    family: 'pooling',
    summary: `Pools ${rank === 1 ? 'a [T, C] sequence' : 'an [H, W, C] image'} to a fixed output size by the ${REDUCES[reduction]} over PyTorch's adaptive windows.`,
    doc: [
      `Takes the ${REDUCES[reduction]} of each channel over windows chosen so that the output has a fixed size, whatever the input: ${layout}.`,
      "Per axis, output i of `out` covers input positions floor(i·in/out) up to ceil((i+1)·in/out) − 1 (PyTorch's windows; they overlap when out does not divide in, and repeat positions when out > in).",
      ...(rank === 2 ? ['torchvision puts `adaptive_avgpool2d([6, 6])` (AlexNet) or `[7, 7]` (VGG) before the classifier, so the head fits any input size.'] : []),
      '',
      '**Params**: 0.',
      '**MACs**: 0 (pooling is not counted as multiply-accumulates).',
      `**PyTorch**: \`${torchName}(size)\` on channels first. **Engine**: a plain ${reduction} pool with window and stride in/out when out divides every axis, else a Modelspec layer that reduces each window.`,
    ].join('\n'),
    args: [sizeArg],
    inputRanks: [rank + 1],
    infer(ctx) {
      const { input } = ctx;
      const fix =
        input.length === (rank === 1 ? 3 : 2)
          ? `for ${rank === 1 ? '[H, W, C] images' : 'a [T, C] sequence'} use ${twin}, or reshape first`
          : input.length === 1
            ? `reshape first, e.g. \`reshape(${rank === 1 ? `[${input[0]}, 1]` : formatShape(imageReshapeHint(input[0]))})\``
            : `${name} takes one ${rank === 1 ? '[T, C] sequence' : '[H, W, C] image'} per sample (the batch axis is implicit); reshape first`;
      if (!checkRank(ctx, name, [rank + 1], fix)) return undefined;
      return free([...sizesOf(ctx.args), input[rank]]);
    },
    build(b) {
      const { tf } = b;
      const size = sizesOf(b.args);
      const spatial = b.input.slice(0, rank);
      if (spatial.some((n, i) => n % size[i] !== 0)) return b.custom.adaptivePool({ name: b.name, reduction, size });
      // Windows that tile the input exactly: PyTorch's adaptive windows are then the plain pool's.
      const window = spatial.map((n, i) => n / size[i]);
      if (rank === 1) {
        const config = { name: b.name, poolSize: window[0], strides: window[0], padding: 'valid' as const };
        return reduction === 'max' ? tf.layers.maxPooling1d(config) : tf.layers.averagePooling1d(config);
      }
      const config = { name: b.name, poolSize: [window[0], window[1]] as [number, number], strides: [window[0], window[1]] as [number, number], padding: 'valid' as const };
      return reduction === 'max' ? tf.layers.maxPooling2d(config) : tf.layers.averagePooling2d(config);
    },
    torch: (t) => ({ layout: 'channels_first', modules: [pyCall(torchName, [pyPair(sizesOf(t.args))])] }),
  };
}

export const maxpool1d = pool1d('max');
export const avgpool1d = pool1d('avg');
export const maxpool2d = pool2d('max');
export const avgpool2d = pool2d('avg');
export const global_avgpool = globalPool('avg');
export const global_maxpool = globalPool('max');

export const adaptive_avgpool1d = adaptivePool('avg', 1);
export const adaptive_maxpool1d = adaptivePool('max', 1);
export const adaptive_avgpool2d = adaptivePool('avg', 2);
export const adaptive_maxpool2d = adaptivePool('max', 2);

export const poolingEntries: LayerEntry[] = [
  maxpool1d,
  avgpool1d,
  maxpool2d,
  avgpool2d,
  global_avgpool,
  global_maxpool,
  adaptive_avgpool1d,
  adaptive_maxpool1d,
  adaptive_avgpool2d,
  adaptive_maxpool2d,
];
