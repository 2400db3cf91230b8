/**
 * DepthwiseConv2dNativeBackpropInput for wasm (missing from the wasm package).
 *
 * dx[b,ih,iw,ci] = Σ_{kh,kw,q} dy[b,oh,ow, ci·mult+q] · W[kh,kw,ci,q] over the output
 * positions whose window covers (ih, iw) at tap (kh, kw). Scattered from the output side
 * (each output position adds into the input positions it read), which needs no
 * divisibility test for strides; the innermost loop runs over contiguous channels.
 */
import { DepthwiseConv2dNativeBackpropInput, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { depthwiseInfo, forEachDepthwiseTap } from './depthwiseWindows';
import { f32, zeros, type Backend, type ConvAttrs, type Shape4 } from './util';

const depthwiseInputGradKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as Backend;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as ConvAttrs & { inputShape: Shape4 };
  const filterShape = filter.shape as Shape4;
  const c = depthwiseInfo(a.inputShape, filterShape, a);
  const inC = c.inChannels;
  const mult = filterShape[3];
  const dx = zeros(wasm, a.inputShape);
  const g = f32(wasm, dy);
  const w = f32(wasm, filter);
  const out = f32(wasm, dx);
  forEachDepthwiseTap(c, inC * mult, (xBase, dyBase, wBase) => {
    if (mult === 1) {
      for (let ci = 0; ci < inC; ci++) out[xBase + ci] += g[dyBase + ci] * w[wBase + ci];
      return;
    }
    for (let ci = 0; ci < inC; ci++) {
      const o = ci * mult;
      let sum = 0;
      for (let q = 0; q < mult; q++) sum += g[dyBase + o + q] * w[wBase + o + q];
      out[xBase + ci] += sum;
    }
  });
  return dx;
};

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseInputGradKernel,
};
