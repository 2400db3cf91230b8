import {
  acceptedPadding,
  activationArg,
  checkRank,
  explicitPads,
  formatShape,
  formatSize,
  imageReshapeHint,
  intPair,
  MAX_DIM,
  paddingArg,
  slideWindow,
  useBiasArg,
  windowPadding,
  type WindowPadding,
} from './common';
import { engineActivation, type BuildContext, type ConvSpec, type EngineLayer } from './engine';
import { padThen } from './padding';
import { padOrder, py, pyCall, pyPair, symmetric, torchActivation, windowPads, type TorchContext, type TorchForm } from './torch';
import type { ArgSpec, InferContext, LayerEntry, Shape } from './types';

const filtersArg: ArgSpec = { name: 'filters', type: 'int', required: true, min: 1, max: MAX_DIM, doc: 'Number of output channels (filters).' };

const kernel1d: ArgSpec = { name: 'kernel', type: 'int', required: true, min: 1, max: MAX_DIM, doc: 'Length of the window along the time axis.' };
const stride1d: ArgSpec = { name: 'stride', type: 'int', default: 1, min: 1, max: MAX_DIM, doc: 'Step between window positions.' };
const dilation1d: ArgSpec = {
  name: 'dilation',
  type: 'int',
  default: 1,
  min: 1,
  max: MAX_DIM,
  doc: 'Spacing between kernel taps: a kernel k with dilation d spans (k−1)·d+1 steps. Cannot exceed 1 together with stride.',
};

const kernel2d: ArgSpec = { name: 'kernel', type: 'int_pair', required: true, min: 1, max: MAX_DIM, doc: 'Window size: `3` for 3×3 or `[h, w]`.' };
const stride2d: ArgSpec = { name: 'stride', type: 'int_pair', default: [1, 1], min: 1, max: MAX_DIM, doc: 'Step between window positions: `2` or `[h, w]`.' };
const dilation2d: ArgSpec = {
  name: 'dilation',
  type: 'int_pair',
  default: [1, 1],
  min: 1,
  max: MAX_DIM,
  doc: 'Spacing between kernel taps (atrous convolution): a kernel k with dilation d spans (k−1)·d+1 pixels. Cannot exceed 1 together with stride.',
};

const groupsArg: ArgSpec = {
  name: 'groups',
  type: 'int',
  default: 1,
  min: 1,
  max: MAX_DIM,
  doc: 'Split input channels and filters into this many independent groups (grouped convolution); must divide both.',
};

const depthMultiplierArg: ArgSpec = {
  name: 'depth_multiplier',
  type: 'int',
  default: 1,
  min: 1,
  max: MAX_DIM,
  doc: 'Output channels of the depthwise step per input channel.',
};

/**
 * TensorFlow (Keras and TensorFlow.js, which trains these models) rejects a stride above 1
 * combined with a dilation above 1; the shape is still well defined, so inference goes on.
 */
function checkStrideDilation(ctx: InferContext, layer: string, stride: readonly number[], dilation: readonly number[]): void {
  if (stride.some((s) => s > 1) && dilation.some((d) => d > 1)) {
    ctx.report({
      code: 'value-out-of-range',
      arg: 'dilation',
      message: `${layer} cannot combine stride ${formatSize(stride)} with dilation ${formatSize(dilation)}: TensorFlow needs one of them to be 1. Set \`dilation: 1\` and downsample with stride, or keep the dilation and use \`stride: 1\`.`,
      data: { stride: [...stride], dilation: [...dilation] },
    });
  }
}

function checkGroups(ctx: InferContext, layer: string, channels: number, filters: number, groups: number): boolean {
  if (channels % groups === 0 && filters % groups === 0) return true;
  const wrong = [channels % groups !== 0 ? `${channels} (input channels)` : '', filters % groups !== 0 ? `${filters} (filters)` : ''].filter(Boolean).join(' or ');
  const options = commonDivisors(channels, filters);
  const nearest = [...options].sort((a, b) => Math.abs(a - groups) - Math.abs(b - groups) || a - b).slice(0, 3);
  ctx.report({
    code: 'groups-mismatch',
    arg: 'groups',
    message: `${layer} with groups: ${groups} must split the ${channels} input channels and the ${filters} filters evenly, but ${groups} does not divide ${wrong}; use ${describeOptions(options)}.`,
    data: { channels, filters, groups, suggestions: nearest.map(String) },
  });
  return false;
}

/** Divisors shared by a and b, ascending. a and b are at most 2^40, so trial division up to √min is cheap. */
function commonDivisors(a: number, b: number): number[] {
  let g = a;
  let r = b;
  while (r !== 0) [g, r] = [r, g % r];
  const small: number[] = [];
  const large: number[] = [];
  for (let d = 1; d * d <= g; d++) {
    if (g % d !== 0) continue;
    small.push(d);
    if (d * d !== g) large.unshift(g / d);
  }
  return [...small, ...large];
}

function describeOptions(options: readonly number[]): string {
  if (options.length === 1) return 'groups: 1 (no grouping), as the channel and filter counts share no divisor';
  const shown = options.length > 8 ? [...options.slice(0, 4), '…', ...options.slice(-3)] : options;
  return `a groups value that divides both, e.g. ${shown.join(', ')}`;
}

function conv2dRankFix(layer: string, input: Shape): string {
  if (input.length === 2) return `for a [T, C] sequence use conv1d, or reshape to [H, W, C] first`;
  if (input.length === 1) return `reshape to [H, W, C] first, e.g. \`reshape(${formatShape(imageReshapeHint(input[0]))})\``;
  return `${layer} takes one [H, W, C] image per sample (the batch axis is implicit); reshape to [H, W, C]`;
}

/** Spatial output of a 2-D window op, or undefined after reporting. */
function slide2d(ctx: InferContext, layer: string, kernel: [number, number], stride: [number, number], dilation: [number, number]): number[] | undefined {
  const [h, w] = ctx.input;
  checkStrideDilation(ctx, layer, stride, dilation);
  const padding = windowPadding(ctx, layer, 2);
  return padding && slideWindow(ctx, { layer, arg: 'kernel', input: [h, w], window: kernel, stride, dilation, padding });
}

function tooWide(ctx: InferContext, layer: string, channels: bigint): boolean {
  if (channels <= BigInt(MAX_DIM)) return false;
  ctx.report({
    code: 'size-overflow',
    arg: 'depth_multiplier',
    message: `${layer} would produce ${channels} channels, more than any tensor axis can hold (at most 2^40); lower depth_multiplier.`,
  });
  return true;
}

/**
 * tfjs 4.22 has no grouped convolution and cannot take gradients through any dilated one
 * (conv2d, conv1d, depthwise and separable all assert dilation 1 in their gradients; the
 * depthwise layer even drops the dilation from its forward pass). Those uses get the
 * custom convolution; everything else the stock layer, which the wasm kernels speed up.
 */
function needsCustomConv(groups: number, dilation: readonly number[]): boolean {
  return groups > 1 || dilation.some((d) => d > 1);
}

/**
 * conv1d and conv2d in the engine: the stock tfjs layer, or our own where tfjs cannot
 * train the configuration (groups, dilation). 1-D sizes come as [1, n], like a 1×n image.
 */
function buildConv(b: BuildContext, rank: 1 | 2, kernel: [number, number], stride: [number, number], dilation: [number, number]): EngineLayer {
  const { tf, args } = b;
  const { mode, pads } = enginePadding(args.padding, rank);
  if (args.padding !== mode) {
    const layer = buildConv({ ...b, args: { ...args, padding: mode } }, rank, kernel, stride, dilation);
    return pads ? padThen(b, pads, 'zero', layer) : layer;
  }
  if (needsCustomConv(args.groups as number, rank === 1 ? [dilation[1]] : dilation)) return customConv(b, 'conv', rank, kernel, stride, dilation);
  const config = {
    name: b.name,
    filters: args.filters as number,
    padding: mode,
    activation: engineActivation(args.activation),
    useBias: args.use_bias as boolean,
  };
  return rank === 1 ? tf.layers.conv1d({ ...config, kernelSize: kernel[1], strides: stride[1] }) : tf.layers.conv2d({ ...config, kernelSize: kernel, strides: stride });
}

/** depthwise_conv2d and separable_conv2d: tfjs layers, or ours where tfjs cannot train them (dilation). */
function buildDepthwise(b: BuildContext, mode: 'depthwise' | 'separable'): EngineLayer {
  const { tf, args } = b;
  const padding = enginePadding(args.padding, 2);
  if (args.padding !== padding.mode) {
    const layer = buildDepthwise({ ...b, args: { ...args, padding: padding.mode } }, mode);
    return padding.pads ? padThen(b, padding.pads, 'zero', layer) : layer;
  }
  const kernel = intPair(args.kernel, [1, 1]);
  const stride = intPair(args.stride, [1, 1]);
  const dilation = intPair(args.dilation, [1, 1]);
  if (needsCustomConv(1, dilation)) return customConv(b, mode, 2, kernel, stride, dilation);
  const config = {
    name: b.name,
    kernelSize: kernel,
    strides: stride,
    padding: padding.mode,
    depthMultiplier: args.depth_multiplier as number,
    activation: engineActivation(args.activation),
    useBias: args.use_bias as boolean,
  };
  return mode === 'depthwise' ? tf.layers.depthwiseConv2d(config) : tf.layers.separableConv2d({ ...config, filters: args.filters as number });
}

/**
 * Explicit padding trains as a zero-padding layer and then the same window op with `valid`:
 * the PyTorch convolution with `padding=p` pads with zeros on both sides just so. The layers
 * themselves only ever see `valid` or `same` (a number would reach tfjs as a pad of its own).
 */
function enginePadding(value: unknown, rank: 1 | 2): { mode: 'valid' | 'same'; pads?: [number, number][] } {
  const padding = acceptedPadding(value as WindowPadding, rank);
  if (typeof padding === 'string') return { mode: padding };
  const pads = explicitPads(padding)!;
  return pads.some(([a]) => a > 0) ? { mode: 'valid', pads } : { mode: 'valid' };
}

function customConv(b: BuildContext, mode: ConvSpec['mode'], rank: 1 | 2, kernel: [number, number], strides: [number, number], dilation: [number, number]): EngineLayer {
  const { args } = b;
  // Fails here, by name, for an activation the engine lacks, rather than inside the layer.
  engineActivation(args.activation);
  return b.custom.conv({
    name: b.name,
    mode,
    rank,
    filters: typeof args.filters === 'number' ? args.filters : 0,
    kernel,
    strides,
    dilation,
    padding: args.padding as 'valid' | 'same',
    groups: typeof args.groups === 'number' ? args.groups : 1,
    depthMultiplier: typeof args.depth_multiplier === 'number' ? args.depth_multiplier : 1,
    useBias: args.use_bias as boolean,
    activation: args.activation as string,
  });
}

/**
 * The PyTorch convolution(s) of a use: nn.Conv1d/nn.Conv2d in channels-first layout, with
 * TensorFlow's `same` padding written out (an uneven split gets a zero-pad module before the
 * convolution), then the activation.
 */
function torchConv(t: TorchContext, mode: 'conv' | 'depthwise' | 'separable', kernel: number[], stride: number[], dilation: number[]): TorchForm {
  const { args, input, output } = t;
  const rank = kernel.length;
  const channels = input[input.length - 1];
  const pads = explicitPads(acceptedPadding(args.padding, rank === 1 ? 1 : 2)) ?? windowPads(args.padding, input.slice(0, rank), kernel, stride, dilation);
  const even = symmetric(pads);
  const modules: string[] = [];
  if (!even) modules.push(rank === 1 ? `nn.ConstantPad1d(${py(padOrder(pads))}, 0.0)` : `nn.ZeroPad2d(${py(padOrder(pads))})`);
  const conv = rank === 1 ? 'nn.Conv1d' : 'nn.Conv2d';
  const window = {
    stride: stride.some((s) => s !== 1) ? pyPair(stride) : undefined,
    padding: even && pads.some(([a]) => a > 0) ? pyPair(pads.map(([a]) => a)) : undefined,
    dilation: dilation.some((d) => d !== 1) ? pyPair(dilation) : undefined,
  };
  const bias = args.use_bias === false ? false : undefined;
  const size = pyPair(kernel);
  if (mode === 'conv') {
    const groups = args.groups as number;
    modules.push(pyCall(conv, [channels, args.filters, size], { ...window, groups: groups !== 1 ? groups : undefined, bias }));
  } else {
    const middle = channels * (args.depth_multiplier as number);
    // A depthwise convolution is a grouped one with one group per input channel.
    const depthwiseBias = mode === 'depthwise' ? bias : false;
    modules.push(pyCall(conv, [channels, middle, size], { ...window, groups: channels, bias: depthwiseBias }));
    if (mode === 'separable') modules.push(pyCall(conv, [middle, args.filters, 1], { bias }));
  }
  return { layout: 'channels_first', modules: [...modules, ...torchActivation(args.activation, 'channels_first', output.length)] };
}

function torchConv2d(t: TorchContext, mode: 'conv' | 'depthwise' | 'separable'): TorchForm {
  return torchConv(t, mode, intPair(t.args.kernel, [1, 1]), intPair(t.args.stride, [1, 1]), intPair(t.args.dilation, [1, 1]));
}

export const conv1d: LayerEntry = {
  kind: 'layer',
  name: 'conv1d',
  family: 'convolution',
  summary: 'Convolution along the time axis of a [T, C] sequence.',
  doc: [
    'Slides `filters` kernels of length `kernel` along the time axis of a sequence: `[T, C]` → `[T_out, filters]`.',
    'T_out = floor((T + 2p − ((kernel−1)·dilation+1)) / stride) + 1 with `padding: p` (p zeros on each side; `valid` is p = 0), ceil(T / stride) with `padding: same`.',
    'With `groups: g`, channels and filters are split into g groups convolved independently.',
    '',
    '**Params**: kernel·(C/groups)·filters (+ filters with `use_bias`).',
    '**MACs**: T_out·filters·kernel·C/groups.',
    "**PyTorch**: `nn.Conv1d(C, filters, kernel, stride, padding, dilation, groups)` on channels-first `[C, T]`; an explicit `padding: p` is PyTorch's `padding=p`; TensorFlow's `same` padding is written out, with an `nn.ConstantPad1d` first when it splits unevenly (the odd step at the end).",
    '**Engine**: explicit padding trains as a zero-padding layer followed by the `valid` convolution, the same numbers.',
  ].join('\n'),
  args: [filtersArg, kernel1d, stride1d, paddingArg, dilation1d, groupsArg, activationArg, useBiasArg],
  inputRanks: [2],
  infer(ctx) {
    const { input, args } = ctx;
    const fix =
      input.length === 3
        ? 'for [H, W, C] images use conv2d, or reshape to [T, C] first'
        : input.length === 1
          ? `reshape to [T, C] first, e.g. \`reshape([${input[0]}, 1])\` for one channel`
          : 'conv1d takes one [T, C] sequence per sample (the batch axis is implicit); reshape to [T, C]';
    if (!checkRank(ctx, 'conv1d', [2], fix)) return undefined;
    const [steps, channels] = input;
    const filters = args.filters as number;
    const kernel = args.kernel as number;
    const stride = args.stride as number;
    const dilation = args.dilation as number;
    const groups = args.groups as number;
    checkStrideDilation(ctx, 'conv1d', [stride], [dilation]);
    const padding = windowPadding(ctx, 'conv1d', 1);
    const out = padding && slideWindow(ctx, { layer: 'conv1d', arg: 'kernel', input: [steps], window: [kernel], stride: [stride], dilation: [dilation], padding });
    if (!checkGroups(ctx, 'conv1d', channels, filters, groups) || !out) return undefined;
    const perFilter = BigInt(kernel) * BigInt(channels / groups);
    return {
      output: [out[0], filters],
      trainable: perFilter * BigInt(filters) + (args.use_bias ? BigInt(filters) : 0n),
      nonTrainable: 0n,
      macs: BigInt(out[0]) * BigInt(filters) * perFilter,
    };
  },
  build(b) {
    const { args } = b;
    return buildConv(b, 1, [1, args.kernel as number], [1, args.stride as number], [1, args.dilation as number]);
  },
  torch: (t) => torchConv(t, 'conv', [t.args.kernel as number], [t.args.stride as number], [t.args.dilation as number]),
};

export const conv2d: LayerEntry = {
  kind: 'layer',
  name: 'conv2d',
  family: 'convolution',
  summary: '2-D convolution over an [H, W, C] image.',
  doc: [
    'Slides `filters` kernels of size K_h×K_w over the height and width of an image: `[H, W, C]` → `[H_out, W_out, filters]`.',
    'Per axis: out = floor((in + 2p − ((k−1)·dilation+1)) / stride) + 1 with `padding: p` or `[p_h, p_w]` (p zeros on each side, as torchvision writes `padding=2`; `valid` is p = 0), ceil(in / stride) with `padding: same`.',
    'With `groups: g`, channels and filters are split into g groups convolved independently (g = C is a depthwise convolution).',
    '',
    '**Params**: K_h·K_w·(C/groups)·filters (+ filters with `use_bias`).',
    '**MACs**: H_out·W_out·filters·K_h·K_w·C/groups.',
    "**PyTorch**: `nn.Conv2d(C, filters, kernel, stride, padding, dilation, groups)` on channels-first `[C, H, W]`; an explicit `padding: p` is PyTorch's `padding=p`; TensorFlow's `same` padding is written out, with an `nn.ZeroPad2d` first when it splits unevenly (strided convolutions: the odd row and column at the bottom and right).",
    '**Engine**: explicit padding trains as `zeroPadding2d` followed by the `valid` convolution, the same numbers.',
  ].join('\n'),
  args: [filtersArg, kernel2d, stride2d, paddingArg, dilation2d, groupsArg, activationArg, useBiasArg],
  inputRanks: [3],
  infer(ctx) {
    const { input, args } = ctx;
    if (!checkRank(ctx, 'conv2d', [3], conv2dRankFix('conv2d', input))) return undefined;
    const channels = input[2];
    const filters = args.filters as number;
    const groups = args.groups as number;
    const kernel = intPair(args.kernel, [1, 1]);
    const out = slide2d(ctx, 'conv2d', kernel, intPair(args.stride, [1, 1]), intPair(args.dilation, [1, 1]));
    if (!checkGroups(ctx, 'conv2d', channels, filters, groups) || !out) return undefined;
    const perFilter = BigInt(kernel[0]) * BigInt(kernel[1]) * BigInt(channels / groups);
    return {
      output: [out[0], out[1], filters],
      trainable: perFilter * BigInt(filters) + (args.use_bias ? BigInt(filters) : 0n),
      nonTrainable: 0n,
      macs: BigInt(out[0]) * BigInt(out[1]) * BigInt(filters) * perFilter,
    };
  },
  build(b) {
    const { args } = b;
    return buildConv(b, 2, intPair(args.kernel, [1, 1]), intPair(args.stride, [1, 1]), intPair(args.dilation, [1, 1]));
  },
  torch: (t) => torchConv2d(t, 'conv'),
};

export const depthwise_conv2d: LayerEntry = {
  kind: 'layer',
  name: 'depthwise_conv2d',
  family: 'convolution',
  summary: 'Convolves each input channel with its own kernel(s), without mixing channels.',
  doc: [
    'Applies `depth_multiplier` separate K_h×K_w kernels to each input channel: `[H, W, C]` → `[H_out, W_out, C·depth_multiplier]`.',
    'Spatial sizes follow the conv2d rule: floor((in + 2p − ((k−1)·dilation+1)) / stride) + 1 with `padding: p` or `[p_h, p_w]` (`valid` is p = 0), ceil(in / stride) with `padding: same`.',
    '',
    '**Params**: K_h·K_w·C·depth_multiplier (+ C·depth_multiplier with `use_bias`).',
    '**MACs**: H_out·W_out·C·depth_multiplier·K_h·K_w.',
    '**PyTorch**: `nn.Conv2d(C, C·depth_multiplier, kernel, groups=C)`: a grouped convolution with one group per input channel; padding as in conv2d.',
  ].join('\n'),
  args: [kernel2d, stride2d, paddingArg, depthMultiplierArg, dilation2d, activationArg, useBiasArg],
  inputRanks: [3],
  infer(ctx) {
    const { input, args } = ctx;
    if (!checkRank(ctx, 'depthwise_conv2d', [3], conv2dRankFix('depthwise_conv2d', input))) return undefined;
    const channels = BigInt(input[2]);
    const multiplier = BigInt(args.depth_multiplier as number);
    const kernel = intPair(args.kernel, [1, 1]);
    const out = slide2d(ctx, 'depthwise_conv2d', kernel, intPair(args.stride, [1, 1]), intPair(args.dilation, [1, 1]));
    const outChannels = channels * multiplier;
    if (tooWide(ctx, 'depthwise_conv2d', outChannels) || !out) return undefined;
    const taps = BigInt(kernel[0]) * BigInt(kernel[1]);
    return {
      output: [out[0], out[1], Number(outChannels)],
      trainable: taps * outChannels + (args.use_bias ? outChannels : 0n),
      nonTrainable: 0n,
      macs: BigInt(out[0]) * BigInt(out[1]) * outChannels * taps,
    };
  },
  build: (b) => buildDepthwise(b, 'depthwise'),
  torch: (t) => torchConv2d(t, 'depthwise'),
};

export const separable_conv2d: LayerEntry = {
  kind: 'layer',
  name: 'separable_conv2d',
  family: 'convolution',
  summary: 'Depthwise convolution followed by a 1×1 pointwise convolution (as in Xception).',
  doc: [
    'A depthwise K_h×K_w convolution (`depth_multiplier` kernels per channel) followed by a 1×1 convolution to `filters` channels:',
    '`[H, W, C]` → `[H_out, W_out, filters]`, spatial sizes as in conv2d. The bias, if any, belongs to the pointwise step only.',
    '',
    '**Params**: K_h·K_w·C·depth_multiplier (depthwise) + C·depth_multiplier·filters (pointwise) (+ filters with `use_bias`).',
    '**MACs**: H_out·W_out·C·depth_multiplier·K_h·K_w (depthwise) + H_out·W_out·C·depth_multiplier·filters (pointwise).',
    '**PyTorch**: `nn.Conv2d(C, C·depth_multiplier, kernel, groups=C, bias=False)` then `nn.Conv2d(C·depth_multiplier, filters, 1)`.',
  ].join('\n'),
  args: [filtersArg, kernel2d, stride2d, paddingArg, depthMultiplierArg, dilation2d, activationArg, useBiasArg],
  inputRanks: [3],
  infer(ctx) {
    const { input, args } = ctx;
    if (!checkRank(ctx, 'separable_conv2d', [3], conv2dRankFix('separable_conv2d', input))) return undefined;
    const channels = BigInt(input[2]);
    const filters = BigInt(args.filters as number);
    const multiplier = BigInt(args.depth_multiplier as number);
    const kernel = intPair(args.kernel, [1, 1]);
    const out = slide2d(ctx, 'separable_conv2d', kernel, intPair(args.stride, [1, 1]), intPair(args.dilation, [1, 1]));
    const middle = channels * multiplier;
    if (tooWide(ctx, 'separable_conv2d', middle) || !out) return undefined;
    const taps = BigInt(kernel[0]) * BigInt(kernel[1]);
    const positions = BigInt(out[0]) * BigInt(out[1]);
    return {
      output: [out[0], out[1], Number(filters)],
      trainable: taps * middle + middle * filters + (args.use_bias ? filters : 0n),
      nonTrainable: 0n,
      macs: positions * middle * taps + positions * middle * filters,
    };
  },
  build: (b) => buildDepthwise(b, 'separable'),
  torch: (t) => torchConv2d(t, 'separable'),
};

export const convolutionEntries: LayerEntry[] = [conv1d, conv2d, depthwise_conv2d, separable_conv2d];
