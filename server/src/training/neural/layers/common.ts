import type * as tfTypes from '@tensorflow/tfjs';

/**
 * Custom layers are classes that extend `tf.layers.Layer`, which exists only once tfjs is
 * loaded; each file therefore defines its classes inside a function of the tfjs module.
 */
export type TF = typeof tfTypes;
export type Tensor = tfTypes.Tensor;
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfTypes.layers.Layer>[0]>;
export type LayerShape = (number | null)[];
// tfjs passes call options (training, mask) as an untyped dictionary.
export type Kwargs = { [key: string]: any };
export type ConfigDict = tfTypes.serialization.ConfigDict;
export type LayerVariable = tfTypes.LayerVariable;

/** Class names carry a prefix so they never collide with tfjs's own or a user's in model.json. */
export const PREFIX = 'Modelspec';

export function single(inputs: Tensor | Tensor[]): Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

export function singleShape(shape: LayerShape | LayerShape[]): LayerShape {
  return Array.isArray(shape[0]) ? (shape[0] as LayerShape) : (shape as LayerShape);
}

export function lastDim(shape: LayerShape): number {
  const d = shape[shape.length - 1];
  if (d === null) throw new Error('The last axis must have a known size.');
  return d;
}

/** x·W on the last axis for any rank, through a 2-D product: the fast path on every backend. */
export function linear(tf: TF, x: Tensor, kernel: Tensor, bias?: Tensor): Tensor {
  const shape = x.shape;
  const flat = tf.reshape(x, [-1, shape[shape.length - 1]]);
  let y = tf.matMul(flat, kernel as tfTypes.Tensor2D);
  if (bias) y = tf.add(y, bias);
  return tf.reshape(y, [...shape.slice(0, -1), kernel.shape[1] as number]);
}

/** Layer normalisation with broadcasting ops, whose gradient stays a handful of kernels. */
export function normalize(tf: TF, x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon))), gamma), beta);
}

/** Dropout only while training, as tfjs's own Dropout layer decides it. */
export function dropout(tf: TF, x: Tensor, rate: number, kwargs: Kwargs): Tensor {
  return kwargs.training === true && rate > 0 ? tf.dropout(x, rate) : x;
}
