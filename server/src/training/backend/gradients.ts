/**
 * Gradients for dilated convolutions, which tfjs-core 4.22 refuses on every backend
 * ("dilation rates greater than 1 are not yet supported in gradients") although the
 * catalogue's conv1d, conv2d, depthwise and separable layers all take a `dilation`.
 *
 * The overrides replace the registered gradients of Conv2D (also behind conv1d) and
 * DepthwiseConv2dNative (also behind separable convolutions). Undilated calls compute
 * exactly what the stock gradients compute. Dilated ones use Modelspec's wasm kernels,
 * which take a `dilations` attribute, when they are the registered ones; on any other
 * backend they run the undilated backprop kernels on the filter with zeros inserted
 * between its taps — the same convolution, since the forward op's padding already uses
 * the dilated (effective) filter size — and keep every d-th tap of the filter gradient.
 *
 * Not covered: `tf.fused.conv2d` keeps its gradient in a closure, not in the registry.
 * tf.layers' Conv2D goes through it whenever its activation is linear or not one of the
 * fusable ones (relu, relu6, elu, leakyrelu, prelu, sigmoid) — such a layer with a
 * dilation still fails to train and must be built from `tf.conv2d` instead.
 */
import {
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  DepthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  engine,
  getBackend,
  getGradient,
  getKernel,
  pad as padOp,
  registerGradient,
  reshape,
  slice,
  stridedSlice,
  type GradConfig,
  type NamedAttrMap,
  type Tensor,
  type Tensor4D,
} from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './kernels/conv2dBackpropFilter';
import { conv2dBackpropInputConfig } from './kernels/conv2dBackpropInput';
import { depthwiseConv2dNativeBackpropFilterConfig } from './kernels/depthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from './kernels/depthwiseConv2dNativeBackpropInput';

function pair(value: unknown): [number, number] {
  if (Array.isArray(value)) return [Number(value[0]), Number(value[1])];
  const n = value == null ? 1 : Number(value);
  return [n, n];
}

/** [kh, kw, ci, co] → [(kh−1)·dh+1, (kw−1)·dw+1, ci, co] with zeros between the taps. */
export function dilateFilter(filter: Tensor4D, dh: number, dw: number): Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  const spread = padOp(reshape(filter, [kh, 1, kw, 1, ci * co]), [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
  ]);
  const grid = reshape(spread, [kh * dh, kw * dw, ci, co]);
  return slice(grid, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co]) as Tensor4D;
}

/** Keeps every (dh, dw)-th tap of a gradient computed for the dilated filter. */
function undilate(grad: Tensor4D, dh: number, dw: number): Tensor4D {
  const [h, w, ci, co] = grad.shape;
  return stridedSlice(grad, [0, 0, 0, 0], [h, w, ci, co], [dh, dw, 1, 1]) as Tensor4D;
}

function ours(kernelName: string, kernelFunc: unknown): boolean {
  return getBackend() === 'wasm' && getKernel(kernelName, 'wasm')?.kernelFunc === kernelFunc;
}

function run(kernelName: string, inputs: Record<string, Tensor>, attrs: Record<string, unknown>): Tensor4D {
  return engine().runKernel(kernelName, inputs, attrs as unknown as NamedAttrMap) as Tensor4D;
}

const conv2dGrad: GradConfig = {
  kernelName: Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [Tensor4D, Tensor4D];
    const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as Record<string, unknown>;
    const [dh, dw] = pair((attrs as unknown as { dilations?: unknown }).dilations);
    const common = { strides, pad, dataFormat, dimRoundingMode };
    const g = dy as Tensor4D;
    if (dh === 1 && dw === 1) {
      return {
        x: () => run(Conv2DBackpropInput, { dy: g, filter }, { ...common, inputShape: x.shape }),
        filter: () => run(Conv2DBackpropFilter, { x, dy: g }, { ...common, filterShape: filter.shape }),
      };
    }
    const dilations = [dh, dw];
    return {
      x: () =>
        ours(Conv2DBackpropInput, conv2dBackpropInputConfig.kernelFunc)
          ? run(Conv2DBackpropInput, { dy: g, filter }, { ...common, inputShape: x.shape, dilations })
          : run(Conv2DBackpropInput, { dy: g, filter: dilateFilter(filter, dh, dw) }, { ...common, inputShape: x.shape }),
      filter: () => {
        if (ours(Conv2DBackpropFilter, conv2dBackpropFilterConfig.kernelFunc)) {
          return run(Conv2DBackpropFilter, { x, dy: g }, { ...common, filterShape: filter.shape, dilations });
        }
        const [kh, kw, ci, co] = filter.shape;
        return undilate(run(Conv2DBackpropFilter, { x, dy: g }, { ...common, filterShape: [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co] }), dh, dw);
      },
    };
  },
};

const depthwiseGrad: GradConfig = {
  kernelName: DepthwiseConv2dNative,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [Tensor4D, Tensor4D];
    const { strides, pad, dimRoundingMode } = attrs as unknown as Record<string, unknown>;
    const [dh, dw] = pair((attrs as unknown as { dilations?: unknown }).dilations);
    const common = { strides, pad, dimRoundingMode };
    const g = dy as Tensor4D;
    const native =
      (dh === 1 && dw === 1) ||
      (ours(DepthwiseConv2dNativeBackpropInput, depthwiseConv2dNativeBackpropInputConfig.kernelFunc) &&
        ours(DepthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropFilterConfig.kernelFunc));
    if (native) {
      const dilations = [dh, dw];
      return {
        x: () => run(DepthwiseConv2dNativeBackpropInput, { dy: g, filter }, { ...common, dilations, inputShape: x.shape }),
        filter: () => run(DepthwiseConv2dNativeBackpropFilter, { x, dy: g }, { ...common, dilations, filterShape: filter.shape }),
      };
    }
    const [kh, kw, ci, mult] = filter.shape;
    const dilatedShape = [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, mult];
    return {
      x: () => run(DepthwiseConv2dNativeBackpropInput, { dy: g, filter: dilateFilter(filter, dh, dw) }, { ...common, dilations: [1, 1], inputShape: x.shape }),
      filter: () => undilate(run(DepthwiseConv2dNativeBackpropFilter, { x, dy: g }, { ...common, dilations: [1, 1], filterShape: dilatedShape }), dh, dw),
    };
  },
};

/**
 * Installs the dilation-aware gradients (idempotent). They apply to every backend, so
 * call it once per process before training, whichever backend was chosen.
 */
export function registerDilatedConvGradients(): void {
  for (const config of [conv2dGrad, depthwiseGrad]) {
    if (getGradient(config.kernelName) !== config) registerGradient(config);
  }
}
