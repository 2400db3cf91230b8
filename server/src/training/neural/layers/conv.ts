import type * as tfTypes from '@tensorflow/tfjs';
import { activate } from './activations';
import { lastDim, PREFIX, single, type ConfigDict, type Kwargs, type LayerArgs, type LayerShape, type LayerVariable, type Tensor, type TF } from './common';

export interface ConvArgs extends LayerArgs {
  mode: 'conv' | 'depthwise' | 'separable';
  rank: 1 | 2;
  filters: number;
  kernel: [number, number];
  strides: [number, number];
  dilation: [number, number];
  padding: 'valid' | 'same';
  groups: number;
  depthMultiplier: number;
  useBias: boolean;
  activation: string;
}

/** Output length along one axis: TensorFlow's rule, as the estimator applies it. */
function outputLength(size: number | null, kernel: number, stride: number, dilation: number, padding: string): number | null {
  if (size === null) return null;
  const effective = (kernel - 1) * dilation + 1;
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - effective) / stride) + 1;
}

/**
 * Spreads a kernel's taps `rate` apart along one spatial axis with zeros in between, so a
 * plain convolution computes the dilated one. Built from reshape, pad and slice, which all
 * have gradients (tfjs's convolutions assert dilation 1 in theirs), and kept to rank 4,
 * which every backend's pad handles.
 */
function dilateAxis(tf: TF, kernel: Tensor, axis: 0 | 1, rate: number): Tensor {
  if (rate === 1) return kernel;
  const shape = kernel.shape;
  const taps = shape[axis] as number;
  const before = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const after = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const spread = tf.pad(tf.reshape(kernel, [before, taps, 1, after]), [
    [0, 0],
    [0, 0],
    [0, rate - 1],
    [0, 0],
  ]);
  const span = (taps - 1) * rate + 1;
  const cut = tf.slice(tf.reshape(spread, [before, taps * rate, after]), [0, 0, 0], [before, span, after]);
  return tf.reshape(cut, [...shape.slice(0, axis), span, ...shape.slice(axis + 1)]);
}

/**
 * The convolutions stock tfjs 4.22 cannot train: grouped ones (it has no `groups`) and
 * dilated ones of every kind (conv, depthwise, separable: their gradients assert dilation
 * 1, and the depthwise layer drops the dilation even from its forward pass). Weights keep
 * Keras's names and shapes — `kernel` [kh, kw, C/g, F] ([k, C/g, F] for 1-D),
 * `depthwise_kernel` [kh, kw, C, m], `pointwise_kernel` [1, 1, C·m, F], `bias` — so the
 * counts are the estimator's. A 1-D convolution runs as a 2-D one of height 1.
 */
export function defineConv(tf: TF) {
  return class Conv extends tf.layers.Layer {
    static className = `${PREFIX}Conv`;
    readonly spec: Omit<ConvArgs, keyof LayerArgs>;
    private kernel?: LayerVariable;
    private pointwise?: LayerVariable;
    private bias?: LayerVariable;

    constructor(args: ConvArgs) {
      super(args);
      const { mode, rank, filters, kernel, strides, dilation, padding, groups, depthMultiplier, useBias, activation } = args;
      this.spec = { mode, rank, filters, kernel, strides, dilation, padding, groups, depthMultiplier, useBias, activation };
    }

    override build(inputShape: LayerShape | LayerShape[]): void {
      const { mode, rank, filters, kernel, groups, depthMultiplier, useBias } = this.spec;
      const channels = lastDim(inputShape as LayerShape);
      const spatial = rank === 1 ? [kernel[1]] : [...kernel];
      const glorot = () => tf.initializers.glorotUniform({});
      let outChannels: number;
      if (mode === 'conv') {
        this.kernel = this.addWeight('kernel', [...spatial, channels / groups, filters], 'float32', glorot());
        outChannels = filters;
      } else {
        this.kernel = this.addWeight('depthwise_kernel', [...spatial, channels, depthMultiplier], 'float32', glorot());
        outChannels = channels * depthMultiplier;
        if (mode === 'separable') {
          this.pointwise = this.addWeight('pointwise_kernel', [1, 1, channels * depthMultiplier, filters], 'float32', glorot());
          outChannels = filters;
        }
      }
      if (useBias) this.bias = this.addWeight('bias', [outChannels], 'float32', tf.initializers.zeros());
      this.built = true;
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const { mode, rank, strides, dilation, padding, groups, activation } = this.spec;
        let x = single(inputs) as tfTypes.Tensor4D;
        if (rank === 1) x = tf.expandDims(x, 1) as tfTypes.Tensor4D;
        let kernel = this.kernel!.read();
        if (rank === 1) kernel = tf.expandDims(kernel, 0);
        kernel = dilateAxis(tf, dilateAxis(tf, kernel, 0, dilation[0]), 1, dilation[1]);
        const [kh, kw, inPerGroup, filters] = kernel.shape;
        const channels = x.shape[3];
        let y: tfTypes.Tensor4D;
        if (mode !== 'conv') {
          y = tf.depthwiseConv2d(x, kernel as tfTypes.Tensor4D, strides, padding);
          if (mode === 'separable') y = tf.conv2d(y, this.pointwise!.read() as tfTypes.Tensor4D, 1, 'valid');
        } else if (groups === 1) {
          y = tf.conv2d(x, kernel as tfTypes.Tensor4D, strides, padding);
        } else if (inPerGroup === 1) {
          // One input channel per group is a depthwise convolution; Keras's grouped filter
          // order (group by group) is the depthwise order (channel by channel).
          y = tf.depthwiseConv2d(x, tf.reshape(kernel, [kh, kw, channels, filters / channels]) as tfTypes.Tensor4D, strides, padding);
        } else {
          const xs = tf.split(x, groups, 3);
          const ks = tf.split(kernel, groups, 3);
          y = tf.concat(xs.map((part, i) => tf.conv2d(part as tfTypes.Tensor4D, ks[i] as tfTypes.Tensor4D, strides, padding)), 3);
        }
        let out: Tensor = y;
        if (this.bias) out = tf.add(out, this.bias.read());
        out = activate(tf, activation, out);
        return rank === 1 ? tf.squeeze(out, [1]) : out;
      });
    }

    override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
      const shape = inputShape as LayerShape;
      const { mode, rank, filters, kernel, strides, dilation, padding, depthMultiplier } = this.spec;
      const channels = mode === 'depthwise' ? lastDim(shape) * depthMultiplier : filters;
      const axes = rank === 1 ? [1] : [0, 1];
      const spatial = shape.slice(1, -1).map((size, i) => outputLength(size, kernel[axes[i]], strides[axes[i]], dilation[axes[i]], padding));
      return [shape[0], ...spatial, channels];
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), ...this.spec };
    }
  };
}
