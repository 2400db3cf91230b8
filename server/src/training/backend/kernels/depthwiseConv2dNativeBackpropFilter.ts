/**
 * DepthwiseConv2dNativeBackpropFilter for wasm (missing from the wasm package, so
 * depthwise and separable convolutions could not train).
 *
 * dW[kh,kw,ci,q] = Σ_{b,oh,ow} x[b, oh·s+kh·d−pad, ow·s+kw·d−pad, ci] · dy[b,oh,ow, ci·mult+q].
 * A depthwise layer does (filter taps × channels) work per position — far less than a
 * full convolution — so a direct loop over positions and taps, with the innermost loop
 * over contiguous channels, is enough; there is no product for XNNPACK to take over.
 */
import { DepthwiseConv2dNativeBackpropFilter, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { depthwiseInfo, forEachDepthwiseTap } from './depthwiseWindows';
import { f32, zeros, type Backend, type ConvAttrs, type Shape4 } from './util';

const depthwiseFilterGradKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as Backend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as ConvAttrs & { filterShape: Shape4 };
  const c = depthwiseInfo(x.shape as Shape4, a.filterShape, a);
  const inC = c.inChannels;
  const mult = a.filterShape[3];
  const dw = zeros(wasm, a.filterShape);
  const xs = f32(wasm, x);
  const g = f32(wasm, dy);
  const w = f32(wasm, dw);
  forEachDepthwiseTap(c, inC * mult, (xBase, dyBase, wBase) => {
    if (mult === 1) {
      for (let ci = 0; ci < inC; ci++) w[wBase + ci] += xs[xBase + ci] * g[dyBase + ci];
      return;
    }
    for (let ci = 0; ci < inC; ci++) {
      const xv = xs[xBase + ci];
      const o = ci * mult;
      for (let q = 0; q < mult; q++) w[wBase + o + q] += xv * g[dyBase + o + q];
    }
  });
  return dw;
};

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseFilterGradKernel,
};
