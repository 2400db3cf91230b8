/**
 * DepthwiseConv2dNativeBackpropFilter for wasm (missing from the wasm package, so
 * depthwise and separable convolutions could not train).
 *
 * dW[kh,kw,ci,q] = Σ_{b,oh,ow} x[b, oh·s+kh·d−pad, ow·s+kw·d−pad, ci] · dy[b,oh,ow, ci·mult+q].
 * A depthwise layer does (filter taps × channels) work per position — far less than a
 * full convolution — so a direct loop over positions and taps, with the innermost loop
 * over contiguous channels, is enough; there is no product for XNNPACK to take over.
 */
import { DepthwiseConv2dNativeBackpropFilter, backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { validRange } from './conv2dBackpropFilter';
import { f32, zeros, type Backend } from './util';

type Padding = 'valid' | 'same' | number | backend_util.ExplicitPadding;

const depthwiseFilterGradKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as Backend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dimRoundingMode, dilations, filterShape } = attrs as unknown as {
    strides: [number, number] | number;
    pad: Padding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    dilations?: [number, number] | number;
    filterShape: [number, number, number, number];
  };
  const c = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
  const { inHeight: inH, inWidth: inW, inChannels: inC, outHeight: outH, outWidth: outW, filterHeight: fH, filterWidth: fW } = c;
  const mult = filterShape[3];
  const outC = inC * mult;
  const dw = zeros(wasm, filterShape);
  const xs = f32(wasm, x);
  const g = f32(wasm, dy);
  const w = f32(wasm, dw);
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
              for (let ci = 0; ci < inC; ci++) w[wBase + ci] += xs[xBase + ci] * g[dyBase + ci];
            } else {
              for (let ci = 0; ci < inC; ci++) {
                const xv = xs[xBase + ci];
                const o = ci * mult;
                for (let q = 0; q < mult; q++) w[wBase + o + q] += xv * g[dyBase + o + q];
              }
            }
          }
        }
      }
    }
  }
  return dw;
};

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseFilterGradKernel,
};
