import { checkRank, formatShape, imageReshapeHint, MAX_DIM } from './common';
import { applyEngineLayer, type BuildContext, type EngineLayer } from './engine';
import { padOrder, py } from './torch';
import type { ArgSpec, ArgValue, InferContext, LayerEntry } from './types';

/** [before, after] per spatial axis. */
export type Pads = [number, number][];

/**
 * What a window op pads with before it runs `valid`: zeros (convolutions, average pools, which
 * then count the zeros as PyTorch's default `count_include_pad=True` does) or −∞ (max pools, so
 * that padding never wins, as in PyTorch).
 */
export type PadFill = 'zero' | 'min';

/** The engine's padding layer: tfjs's zeroPadding2d where it exists (2-D zeros), else Modelspec's. */
export function enginePad(b: BuildContext, pads: Pads, fill: PadFill, name = `${b.name}_pad`): EngineLayer {
  if (fill === 'zero' && pads.length === 2) return b.tf.layers.zeroPadding2d({ name, padding: [pads[0], pads[1]] });
  return b.custom.pad({ name, pads, fill });
}

/** `layer` applied after padding its input. */
export function padThen(b: BuildContext, pads: Pads, fill: PadFill, layer: EngineLayer): EngineLayer {
  const pad = enginePad(b, pads, fill);
  return (x) => applyEngineLayer(layer, applyEngineLayer(pad, x));
}

/**
 * A zero-padding layer's sizes for `rank` spatial axes, as Keras reads them: a number pads
 * every side; for 1-D a pair is [left, right]; for 2-D a pair is [p_h, p_w] on both sides of
 * each axis and [[top, bottom], [left, right]] (flattened by the checker) is per side.
 */
function zeroPads(ctx: InferContext, layer: string, rank: 1 | 2): Pads | undefined {
  const value = ctx.args.padding as ArgValue;
  if (typeof value === 'number') return Array.from({ length: rank }, () => [value, value] as [number, number]);
  if (Array.isArray(value)) {
    const v = value as number[];
    if (rank === 1 && v.length === 2) return [[v[0], v[1]]];
    if (rank === 2 && v.length === 2) return [[v[0], v[0]], [v[1], v[1]]];
    if (rank === 2 && v.length === 4) return [[v[0], v[1]], [v[2], v[3]]];
  }
  const forms = rank === 1 ? '`p` (both ends) or `[left, right]`' : '`p` (every side), `[p_h, p_w]` or `[[top, bottom], [left, right]]`';
  ctx.report({ code: 'argument-type', arg: 'padding', message: `${layer} takes its padding as ${forms}.` });
  return undefined;
}

function padded(ctx: InferContext, layer: string, sizes: readonly number[], pads: Pads): number[] | undefined {
  const out = sizes.map((n, i) => n + pads[i][0] + pads[i][1]);
  if (out.every((n) => n <= MAX_DIM)) return out;
  ctx.report({ code: 'size-overflow', arg: 'padding', message: `${layer} would make an axis longer than any tensor axis can hold (at most 2^40); pad less.` });
  return undefined;
}

function paddingArg(rank: 1 | 2): ArgSpec {
  return {
    name: 'padding',
    type: 'padding',
    default: 1,
    min: 0,
    max: MAX_DIM,
    doc:
      rank === 1
        ? 'Zeros to add: `p` at both ends of the time axis, or `[left, right]`.'
        : 'Zeros to add: `p` on every side, `[p_h, p_w]` on both sides of each axis, or `[[top, bottom], [left, right]]`.',
  };
}

export const zero_padding1d: LayerEntry = {
  kind: 'layer',
  name: 'zero_padding1d',
  family: 'shape',
  summary: 'Adds zeros at the start and end of the time axis of a [T, C] sequence.',
  doc: [
    'Pads the time axis with zero steps: `[T, C]` → `[T + left + right, C]`. `padding: p` adds p at each end; `[left, right]` each end its own.',
    '',
    '**Params**: 0.',
    '**MACs**: 0.',
    '**PyTorch**: `nn.ConstantPad1d((left, right), 0.0)` on channels-first `[C, T]`. **Engine**: a Modelspec padding layer (tfjs has no ZeroPadding1D).',
  ].join('\n'),
  args: [paddingArg(1)],
  inputRanks: [2],
  infer(ctx) {
    const { input } = ctx;
    const fix =
      input.length === 3
        ? 'for [H, W, C] images use zero_padding2d, or reshape to [T, C] first'
        : input.length === 1
          ? `reshape to [T, C] first, e.g. \`reshape([${input[0]}, 1])\``
          : 'zero_padding1d takes one [T, C] sequence per sample (the batch axis is implicit); reshape to [T, C]';
    if (!checkRank(ctx, 'zero_padding1d', [2], fix)) return undefined;
    const pads = zeroPads(ctx, 'zero_padding1d', 1);
    const out = pads && padded(ctx, 'zero_padding1d', [input[0]], pads);
    return out && { output: [out[0], input[1]], trainable: 0n, nonTrainable: 0n, macs: 0n };
  },
  build(b) {
    const pads = zeroPads(silentContext(b.args, b.input), 'zero_padding1d', 1)!;
    return enginePad(b, pads, 'zero', b.name);
  },
  torch(t) {
    const pads = zeroPads(silentContext(t.args, t.input), 'zero_padding1d', 1)!;
    return { layout: 'channels_first', modules: [`nn.ConstantPad1d(${py(padOrder(pads))}, 0.0)`] };
  },
};

export const zero_padding2d: LayerEntry = {
  kind: 'layer',
  name: 'zero_padding2d',
  family: 'shape',
  summary: 'Adds rows and columns of zeros around an [H, W, C] image.',
  doc: [
    'Pads height and width with zeros: `[H, W, C]` → `[H + top + bottom, W + left + right, C]`.',
    '`padding: p` adds p on every side, `[p_h, p_w]` p_h rows above and below and p_w columns left and right, `[[top, bottom], [left, right]]` each side its own (as Keras ZeroPadding2D).',
    '',
    '**Params**: 0.',
    '**MACs**: 0.',
    '**PyTorch**: `nn.ZeroPad2d((left, right, top, bottom))` on channels-first `[C, H, W]`. **Engine**: tfjs `zeroPadding2d`.',
  ].join('\n'),
  args: [paddingArg(2)],
  inputRanks: [3],
  infer(ctx) {
    const { input } = ctx;
    const fix =
      input.length === 2
        ? 'for a [T, C] sequence use zero_padding1d, or reshape to [H, W, C] first'
        : input.length === 1
          ? `reshape to [H, W, C] first, e.g. \`reshape(${formatShape(imageReshapeHint(input[0]))})\``
          : 'zero_padding2d takes one [H, W, C] image per sample (the batch axis is implicit); reshape to [H, W, C]';
    if (!checkRank(ctx, 'zero_padding2d', [3], fix)) return undefined;
    const pads = zeroPads(ctx, 'zero_padding2d', 2);
    const out = pads && padded(ctx, 'zero_padding2d', [input[0], input[1]], pads);
    return out && { output: [out[0], out[1], input[2]], trainable: 0n, nonTrainable: 0n, macs: 0n };
  },
  build(b) {
    return enginePad(b, zeroPads(silentContext(b.args, b.input), 'zero_padding2d', 2)!, 'zero', b.name);
  },
  torch(t) {
    const pads = zeroPads(silentContext(t.args, t.input), 'zero_padding2d', 2)!;
    return { layout: 'channels_first', modules: [`nn.ZeroPad2d(${py(padOrder(pads))})`] };
  },
};

/** Builders and PyTorch forms run after inference accepted the arguments: nothing is left to report. */
function silentContext(args: InferContext['args'], input: InferContext['input']): InferContext {
  return { args, input, model: {}, report: () => {}, inferNested: () => undefined };
}

export const paddingEntries: LayerEntry[] = [zero_padding1d, zero_padding2d];
