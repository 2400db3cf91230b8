import type { ArgSpec, ArgValue, InferContext, Shape } from './types';

/** Largest size a single dimension or count argument may take; larger values are reported, not computed. */
export const MAX_DIM = 2 ** 40;

/** Shared argument vocabularies, so every layer spells them the same way. */
export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'gelu', 'tanh', 'sigmoid', 'softmax', 'elu', 'selu', 'swish', 'leaky_relu', 'softplus'] as const;

export const activationArg: ArgSpec = {
  name: 'activation',
  type: 'enum',
  values: ACTIVATIONS,
  default: 'linear',
  doc: 'Activation applied to the output (`linear`: none; `leaky_relu` has slope 0.2 below zero, as Keras and TensorFlow.js).',
};

export const useBiasArg: ArgSpec = {
  name: 'use_bias',
  type: 'bool',
  default: true,
  doc: 'Whether the layer adds a learned bias vector.',
};

export const paddingArg: ArgSpec = {
  name: 'padding',
  type: 'padding',
  values: ['valid', 'same'],
  default: 'valid',
  min: 0,
  max: MAX_DIM,
  doc:
    '`valid`: no padding, the output shrinks; `same`: pad so that output = ceil(input / stride), as TensorFlow splits it; ' +
    'a whole number p: p zeros on each side of every spatial axis (PyTorch\'s `padding=p`); `[p_h, p_w]`: per axis, on both sides.',
};

export function product(shape: Shape): bigint {
  let p = 1n;
  for (const d of shape) p *= BigInt(d);
  return p;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Output length of a sliding window along one axis: TensorFlow's rule for `valid` and `same`,
 * PyTorch's for an explicit padding of p on each side, floor((in + 2p − ((k−1)·d+1)) / stride) + 1.
 */
export function windowOutput(input: number, window: number, stride: number, padding: string | number, dilation = 1): number {
  const effective = (window - 1) * dilation + 1;
  if (padding === 'same') return Math.ceil(input / stride);
  const pad = typeof padding === 'number' ? padding : 0;
  return Math.floor((input + 2 * pad - effective) / stride) + 1;
}

/** A window op's padding: TensorFlow's modes, or explicit zeros per side of each spatial axis. */
export type WindowPadding = 'valid' | 'same' | readonly number[];

/**
 * The `padding` argument of a window op on `rank` spatial axes: a whole number pads every axis,
 * a pair [p_h, p_w] each 2-D axis; anything else (a pair on one axis, per-side sizes, which
 * PyTorch's convolutions and pools cannot take) is reported on the argument.
 */
export function windowPadding(ctx: InferContext, layer: string, rank: 1 | 2): WindowPadding | undefined {
  const value = ctx.args.padding;
  if (value === 'valid' || value === 'same') return value;
  if (typeof value === 'number') return rank === 1 ? [value] : [value, value];
  if (Array.isArray(value) && rank === 2 && value.length === 2) return value as number[];
  const written = Array.isArray(value) ? (value.length === 4 ? `[[${value.slice(0, 2).join(', ')}], [${value.slice(2).join(', ')}]]` : `[${value.join(', ')}]`) : String(value);
  const fix =
    rank === 1
      ? `${layer} pads its one axis by the same amount on both sides: write \`padding: p\`, or put \`zero_padding1d([left, right])\` before it for uneven sides`
      : `${layer} pads each axis by the same amount on both sides: write \`padding: p\` or \`padding: [p_h, p_w]\`, or put \`zero_padding2d([[top, bottom], [left, right]])\` before it for uneven sides`;
  ctx.report({ code: 'argument-type', arg: 'padding', message: `${layer} cannot take padding ${written}; ${fix}.` });
  return undefined;
}

/** Per-axis [before, after] zeros of an explicit padding; undefined for `valid` and `same`. */
export function explicitPads(padding: WindowPadding): [number, number][] | undefined {
  return typeof padding === 'string' ? undefined : padding.map((p) => [p, p] as [number, number]);
}

/** The padding argument as a window op reads it after inference accepted it (builders and PyTorch forms). */
export function acceptedPadding(value: ArgValue | undefined, rank: 1 | 2): WindowPadding {
  if (value === 'same' || value === 'valid') return value;
  if (typeof value === 'number') return rank === 1 ? [value] : [value, value];
  if (Array.isArray(value)) return value as number[];
  return 'valid';
}

/** An `int_pair` value as [h, w]; a bare number (as tests and defaults may pass) means [n, n]. */
export function intPair(value: ArgValue | undefined, fallback: readonly [number, number]): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length >= 1 && typeof value[0] === 'number') {
    const h = value[0] as number;
    const w = (value.length >= 2 ? value[1] : value[0]) as number;
    return [h, w];
  }
  return [fallback[0], fallback[1]];
}

/** `5` for one axis, `5×3` for two: how window and spatial sizes read in messages. */
export function formatSize(sizes: readonly number[]): string {
  return sizes.join('×');
}

const LAYOUTS: Readonly<Record<number, string>> = { 1: '[N]', 2: '[T, C]', 3: '[H, W, C]' };

/**
 * Reports `rank-mismatch` unless the input has one of the expected ranks. `fix` is the
 * layer-specific advice for this input (what to reshape to, or which layer to use).
 */
export function checkRank(ctx: InferContext, layer: string, expected: readonly number[], fix: string): boolean {
  const actual = ctx.input.length;
  if (expected.includes(actual)) return true;
  const wanted = expected.map((r) => `${r}-D ${LAYOUTS[r] ?? ''}`.trimEnd()).join(' or ');
  // The reshape the advice names, for the quick fix that inserts it.
  const reshape = /`reshape\((\[\d+(?:, \d+)*\])\)`/.exec(fix)?.[1];
  ctx.report({
    code: 'rank-mismatch',
    message: `${layer} expects a ${wanted} input but receives ${formatShape(ctx.input)} (${actual}-D); ${fix}.`,
    data: { expectedRanks: [...expected], actual, ...(reshape ? { reshape: safeSizes(JSON.parse(reshape) as number[]) } : {}) },
  });
  return false;
}

/** Sizes a quick fix may write: exact integers only (a product of huge axes is not). */
function safeSizes(sizes: number[]): number[] | undefined {
  return sizes.every(Number.isSafeInteger) ? sizes : undefined;
}

/** A reshape that turns a flat [N] vector into an image: square when N allows, else N×1. */
export function imageReshapeHint(n: number): number[] {
  const side = Math.round(Math.sqrt(n));
  return side * side === n ? [side, side, 1] : [n, 1, 1];
}

export interface WindowSpec {
  readonly layer: string;
  /** The argument that sets the window (`kernel` or `pool`), where the error points. */
  readonly arg: string;
  /** Spatial sizes of the input, one per sliding axis. */
  readonly input: readonly number[];
  readonly window: readonly number[];
  readonly stride: readonly number[];
  readonly dilation?: readonly number[];
  readonly padding: WindowPadding;
}

/**
 * Output sizes of a window sliding over each spatial axis, or undefined after reporting
 * `kernel-too-large` when, without padding, the window does not fit the input.
 */
export function slideWindow(ctx: InferContext, spec: WindowSpec): number[] | undefined {
  const dilation = spec.dilation ?? spec.input.map(() => 1);
  const { padding } = spec;
  const pads = spec.input.map((_, i) => (typeof padding === 'string' ? 0 : padding[i]));
  const out = spec.input.map((size, i) => windowOutput(size, spec.window[i], spec.stride[i], typeof padding === 'string' ? padding : pads[i], dilation[i]));
  if (out.every((n) => n >= 1)) return out;
  const effective = spec.window.map((k, i) => (k - 1) * dilation[i] + 1);
  // The largest window that still fits each (padded) axis with this dilation, offered as the alternative.
  const padded = spec.input.map((size, i) => size + 2 * pads[i]);
  const fits = padded.map((size, i) => Math.max(1, Math.min(spec.window[i], Math.floor((size - 1) / dilation[i]) + 1)));
  const kind = spec.arg === 'pool' ? 'pooling window' : 'kernel';
  const dilated = effective.some((e, i) => e !== spec.window[i]) ? ` with dilation ${formatSize(dilation)} spans ${formatSize(effective)}, which` : '';
  const explicit = pads.some((p) => p > 0);
  ctx.report({
    code: 'kernel-too-large',
    arg: spec.arg,
    message: explicit
      ? `${spec.layer}'s ${kind} (${formatSize(spec.window)})${dilated} is larger than its padded input (${formatSize(padded)}), ` +
        `so it leaves no output positions; use more padding, \`padding: same\`, or a ${kind} of at most ${formatSize(fits)}.`
      : `${spec.layer}'s ${kind} (${formatSize(spec.window)})${dilated} is larger than its input (${formatSize(spec.input)}), ` +
        `so padding: valid leaves no output positions; use \`padding: same\` or a ${kind} of at most ${formatSize(fits)}.`,
    data: { input: [...spec.input], window: [...spec.window], effective, maxWindow: fits },
  });
  return undefined;
}

/**
 * Reports `rank-mismatch` unless the input is a sequence [T, F]. The advice depends on
 * what arrived: a flat vector is usually token ids (missing embedding) or one value per
 * step, and an image can be read as a sequence either row by row (recurrent layers) or
 * pixel by pixel (attention and learned positions, as vision transformers do).
 */
export function checkSequence(ctx: InferContext, layer: string, imageAs: 'rows' | 'pixels'): boolean {
  const { input } = ctx;
  if (input.length === 2) return true;
  const axis = imageAs === 'rows' ? 'timesteps' : 'positions';
  let fix: string;
  // The reshape the advice names, for the quick fix that inserts it.
  let reshape: number[] | undefined;
  if (input.length === 1) {
    if (imageAs === 'rows') reshape = [input[0], 1];
    fix =
      imageAs === 'rows'
        ? `for a series of single values use \`reshape([${input[0]}, 1])\`, or if these are token ids add \`embedding(vocab, dim)\` before it`
        : `if these are token ids add \`embedding(vocab, dim)\` before it, or reshape to [${axis}, features]`;
  } else if (input.length === 3) {
    const [h, w, c] = input;
    reshape = safeSizes(imageAs === 'rows' ? [h, w * c] : [h * w, c]);
    fix =
      imageAs === 'rows'
        ? `to read the image row by row use \`reshape([${h}, ${BigInt(w) * BigInt(c)}])\``
        : `to attend over pixels use \`reshape([${BigInt(h) * BigInt(w)}, ${c}])\``;
  } else {
    fix = `reshape the data to [${axis}, features]`;
  }
  ctx.report({
    code: 'rank-mismatch',
    message: `${layer} needs a sequence [${axis}, features], got ${formatShape(input)}; ${fix}.`,
    data: { expectedRanks: [2], actual: input.length, ...(reshape ? { reshape } : {}) },
  });
  return false;
}
