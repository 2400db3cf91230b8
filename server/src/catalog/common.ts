import type { ArgSpec, Shape } from './types';

/** Shared argument vocabularies, so every layer spells them the same way. */
export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'gelu', 'tanh', 'sigmoid', 'softmax', 'elu', 'selu', 'swish', 'leaky_relu', 'softplus'] as const;

export const activationArg: ArgSpec = {
  name: 'activation',
  type: 'enum',
  values: ACTIVATIONS,
  default: 'linear',
  doc: 'Activation applied to the output (`linear`: none).',
};

export const useBiasArg: ArgSpec = {
  name: 'use_bias',
  type: 'bool',
  default: true,
  doc: 'Whether the layer adds a learned bias vector.',
};

export const paddingArg: ArgSpec = {
  name: 'padding',
  type: 'enum',
  values: ['valid', 'same'],
  default: 'valid',
  doc: '`valid`: no padding, the output shrinks; `same`: zero-pad so that output = ceil(input / stride).',
};

/** Largest size a single dimension or count argument may take; larger values are reported, not computed. */
export const MAX_DIM = 2 ** 40;

export function product(shape: Shape): bigint {
  let p = 1n;
  for (const d of shape) p *= BigInt(d);
  return p;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Output length of a sliding window along one axis (Keras/TensorFlow rule). */
export function windowOutput(input: number, window: number, stride: number, padding: string, dilation = 1): number {
  const effective = (window - 1) * dilation + 1;
  return padding === 'same' ? Math.ceil(input / stride) : Math.floor((input - effective) / stride) + 1;
}
