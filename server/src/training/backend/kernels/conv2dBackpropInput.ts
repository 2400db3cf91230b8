/**
 * Conv2DBackpropInput for wasm, replacing the stock kernel (a scalar loop nest that was
 * the largest cost of a CNN's backward pass).
 *
 * dx is the col2im (scatter-add) of dcols = dy · Wᵀ, where dy is viewed as
 * [positions, outC] and W as [kh·kw·ci, outC]: XNNPACK does the product and a JS loop
 * adds each row's contiguous channel runs back into the input positions they came from.
 * Batches are processed in chunks to bound the scratch buffer. Accepts an optional
 * `dilations` attribute (used by the dilated-gradient override in ../gradients.ts).
 */
import { Conv2DBackpropInput, backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { alloc, cachedTranspose, f32, limits, matMulInto, release, releaseView, transposed, view, zeros, type Backend, type ConvAttrs, type Shape4 } from './util';

type ConvInfo = backend_util.Conv2DInfo;

/** dx[b, ih, iw, ci] += dcols[p, (kh, kw, ci)] for the positions p of batches [b0, b0+bc). */
function col2im(dcols: Float32Array, dx: Float32Array, c: ConvInfo, b0: number, bc: number): void {
  const { inHeight: inH, inWidth: inW, inChannels: inC, outHeight: outH, outWidth: outW, filterHeight: fH, filterWidth: fW } = c;
  const rowLen = fH * fW * inC;
  let p = 0;
  for (let b = b0; b < b0 + bc; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const ihBase = oh * c.strideHeight - c.padInfo.top;
      for (let ow = 0; ow < outW; ow++, p++) {
        const iwBase = ow * c.strideWidth - c.padInfo.left;
        const src = p * rowLen;
        for (let kh = 0; kh < fH; kh++) {
          const ih = ihBase + kh * c.dilationHeight;
          if (ih < 0 || ih >= inH) continue;
          const rowDst = (b * inH + ih) * inW;
          for (let kw = 0; kw < fW; kw++) {
            const iw = iwBase + kw * c.dilationWidth;
            if (iw < 0 || iw >= inW) continue;
            const dst = (rowDst + iw) * inC;
            const s = src + (kh * fW + kw) * inC;
            for (let ci = 0; ci < inC; ci++) dx[dst + ci] += dcols[s + ci];
          }
        }
      }
    }
  }
}

/** dx for NHWC dy and filter [kh, kw, ci, co]; `c` describes the forward convolution. */
export function conv2dInputGradNHWC(backend: Backend, dy: TensorInfo, filter: TensorInfo, c: ConvInfo): TensorInfo {
  const rowLen = c.filterHeight * c.filterWidth * c.inChannels;
  const outC = c.outChannels;
  const perBatch = c.outHeight * c.outWidth;
  const dx = zeros(backend, [c.batchSize, c.inHeight, c.inWidth, c.inChannels]);
  if (rowLen * outC * perBatch * c.batchSize === 0) return dx;
  // Cached with the filter: a filter reused across calls (conv2dTranspose in a loop) is transposed and packed once.
  const filterT = cachedTranspose(backend, filter, [rowLen, outC], [1, 0]);
  const chunk = Math.max(1, Math.min(c.batchSize, Math.floor(limits.scratchElements / Math.max(1, rowLen * perBatch))));
  const dcols = alloc(backend, [chunk * perBatch, rowLen]);
  try {
    for (let b0 = 0; b0 < c.batchSize; b0 += chunk) {
      const bc = Math.min(chunk, c.batchSize - b0);
      const positions = bc * perBatch;
      const dyView = view(backend, dy, b0 * perBatch * outC, [positions, outC]);
      matMulInto(backend, dyView, filterT, dcols, positions, outC, rowLen);
      releaseView(backend, dyView);
      col2im(f32(backend, dcols), f32(backend, dx), c, b0, bc);
    }
  } finally {
    release(backend, dcols);
  }
  return dx;
}

const conv2dBackpropInputKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as Backend;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape, dilations } = attrs as unknown as ConvAttrs & { dataFormat: 'NHWC' | 'NCHW'; inputShape: Shape4 };
  const nchw = dataFormat === 'NCHW';
  const shapeNHWC: [number, number, number, number] = nchw ? [inputShape[0], inputShape[2], inputShape[3], inputShape[1]] : inputShape;
  const c = backend_util.computeConv2DInfo(shapeNHWC, filter.shape as [number, number, number, number], strides, dilations ?? 1, pad, dimRoundingMode, false, 'channelsLast');
  if (!nchw) return conv2dInputGradNHWC(wasm, dy, filter, c);
  const dyNHWC = transposed(wasm, dy, dy.shape, [0, 2, 3, 1]);
  const dxNHWC = conv2dInputGradNHWC(wasm, dyNHWC, filter, c);
  const dx = transposed(wasm, dxNHWC, dxNHWC.shape, [0, 3, 1, 2]);
  release(wasm, dyNHWC, dxNHWC);
  return dx;
};

export const conv2dBackpropInputConfig: KernelConfig = { kernelName: Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2dBackpropInputKernel };
