/**
 * DepthwiseConv2dNativeBackpropInput for wasm (missing from the wasm package).
 *
 * dx[b,ih,iw,ci] = Σ_{kh,kw,q} dy[b,oh,ow, ci·mult+q] · W[kh,kw,ci,q] over the output
 * positions whose window covers (ih, iw) at tap (kh, kw). Scattered from the output side
 * (each output position adds into the input positions it read), which needs no
 * divisibility test for strides; the innermost loop runs over contiguous channels.
 */
import { DepthwiseConv2dNativeBackpropInput, backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { validRange } from './conv2dBackpropFilter';
import { f32, zeros, type Backend } from './util';

type Padding = 'valid' | 'same' | number | backend_util.ExplicitPadding;

const depthwiseInputGradKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as Backend;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dimRoundingMode, dilations, inputShape } = attrs as unknown as {
    strides: [number, number] | number;
    pad: Padding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    dilations?: [number, number] | number;
    inputShape: [number, number, number, number];
  };
  const filterShape = filter.shape as [number, number, number, number];
  const c = backend_util.computeConv2DInfo(inputShape, filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
  const { inHeight: inH, inWidth: inW, inChannels: inC, outHeight: outH, outWidth: outW, filterHeight: fH, filterWidth: fW } = c;
  const mult = filterShape[3];
  const outC = inC * mult;
  const dx = zeros(wasm, inputShape);
  const g = f32(wasm, dy);
  const w = f32(wasm, filter);
  const out = f32(wasm, dx);
  for (let kh = 0; kh < fH; kh++) {
    const [ohStart, ohEnd] = validRange(kh * c.dilationHeight - c.padInfo.top, c.strideHeight, outH, inH);
    for (let kw = 0; kw < fW; kw++) {
      const colOffset = kw * c.dilationWidth - c.padInfo.left;
      const [owStart, owEnd] = validRange(colOffset, c.strideWidth, outW, inW);
      const wBase = (kh * fW + kw) * outC;
      for (let b = 0; b < c.batchSize; b++) {
        for (let oh = ohStart; oh < ohEnd; oh++) {
          const ih = oh * c.strideHeight + kh * c.dilationHeight - c.padInfo.top;
          const xRow = (b * inH + ih) * inW;
          const dyRow = (b * outH + oh) * outW;
          for (let ow = owStart; ow < owEnd; ow++) {
            const xBase = (xRow + ow * c.strideWidth + colOffset) * inC;
            const dyBase = (dyRow + ow) * outC;
            if (mult === 1) {
              for (let ci = 0; ci < inC; ci++) out[xBase + ci] += g[dyBase + ci] * w[wBase + ci];
            } else {
              for (let ci = 0; ci < inC; ci++) {
                const o = ci * mult;
                let sum = 0;
                for (let q = 0; q < mult; q++) sum += g[dyBase + o + q] * w[wBase + o + q];
                out[xBase + ci] += sum;
              }
            }
          }
        }
      }
    }
  }
  return dx;
};

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseInputGradKernel,
};
