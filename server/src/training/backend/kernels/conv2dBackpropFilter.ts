/**
 * Conv2DBackpropFilter for wasm (the wasm package has none, so no convolution could train).
 *
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh·d−pad, ow·s+kw·d−pad, ci] · dy[b,oh,ow,co],
 * i.e. colsᵀ · dy with `cols` the im2col matrix of x. colsᵀ is gathered straight into
 * the [kh·kw·ci, positions] layout so that XNNPACK gets an untransposed left operand and
 * packs only dy as its right operand; batches are processed in chunks to bound the
 * scratch buffer. Accepts an optional `dilations` attribute (the core op never passes
 * one; the dilated-gradient override in ../gradients.ts does).
 */
import { Conv2DBackpropFilter, backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { limits, alloc, f32, matMulInto, release, releaseView, transposed, view, type Backend, type ConvAttrs, type Shape4 } from './util';

type ConvInfo = backend_util.Conv2DInfo;

/** First output column whose input column `o·s + offset` is ≥ 0, and one past the last that is < size. */
export function validRange(offset: number, stride: number, outSize: number, inSize: number): [number, number] {
  const start = offset >= 0 ? 0 : Math.ceil(-offset / stride);
  const end = Math.min(outSize, Math.floor((inSize - 1 - offset) / stride) + 1);
  return [Math.min(start, outSize), Math.max(end, 0)];
}

/** colsT[(kh,kw,ci), p] for the positions p of batches [b0, b0+bc). */
function im2colTransposed(x: Float32Array, cols: Float32Array, c: ConvInfo, b0: number, bc: number): void {
  const { inHeight: inH, inWidth: inW, inChannels: inC, outHeight: outH, outWidth: outW } = c;
  const positions = bc * outH * outW;
  let row = 0;
  for (let kh = 0; kh < c.filterHeight; kh++) {
    const rowOffset = kh * c.dilationHeight - c.padInfo.top;
    for (let kw = 0; kw < c.filterWidth; kw++) {
      const colOffset = kw * c.dilationWidth - c.padInfo.left;
      const [owStart, owEnd] = validRange(colOffset, c.strideWidth, outW, inW);
      const xStep = c.strideWidth * inC;
      for (let ci = 0; ci < inC; ci++, row++) {
        let p = row * positions;
        for (let b = b0; b < b0 + bc; b++) {
          for (let oh = 0; oh < outH; oh++, p += outW) {
            const ih = oh * c.strideHeight + rowOffset;
            if (ih < 0 || ih >= inH) {
              cols.fill(0, p, p + outW);
              continue;
            }
            if (owStart > 0) cols.fill(0, p, p + owStart);
            let src = ((b * inH + ih) * inW + owStart * c.strideWidth + colOffset) * inC + ci;
            for (let ow = owStart; ow < owEnd; ow++, src += xStep) cols[p + ow] = x[src];
            if (owEnd < outW) cols.fill(0, p + owEnd, p + outW);
          }
        }
      }
    }
  }
}

/** dW for NHWC x and dy; `c` describes the forward convolution. */
export function conv2dFilterGradNHWC(backend: Backend, x: TensorInfo, dy: TensorInfo, c: ConvInfo): TensorInfo {
  const rows = c.filterHeight * c.filterWidth * c.inChannels;
  const outC = c.outChannels;
  const perBatch = c.outHeight * c.outWidth;
  const dw = alloc(backend, [c.filterHeight, c.filterWidth, c.inChannels, outC]);
  if (rows * outC === 0) return dw;
  if (c.batchSize * perBatch === 0) {
    f32(backend, dw).fill(0);
    return dw;
  }
  const chunk = Math.max(1, Math.min(c.batchSize, Math.floor(limits.scratchElements / Math.max(1, rows * perBatch))));
  const cols = alloc(backend, [rows, chunk * perBatch]);
  const partial = chunk < c.batchSize ? alloc(backend, [rows, outC]) : null;
  try {
    for (let b0 = 0; b0 < c.batchSize; b0 += chunk) {
      const bc = Math.min(chunk, c.batchSize - b0);
      const positions = bc * perBatch;
      im2colTransposed(f32(backend, x), f32(backend, cols), c, b0, bc);
      // Rows are laid out with the chunk's own width, so a shorter last chunk is a packed prefix.
      const colsView = view(backend, cols, 0, [rows, positions]);
      const dyView = view(backend, dy, b0 * perBatch * outC, [positions, outC]);
      const target = b0 === 0 ? dw : (partial as TensorInfo);
      matMulInto(backend, colsView, dyView, target, rows, positions, outC);
      releaseView(backend, colsView);
      releaseView(backend, dyView);
      if (b0 > 0) {
        const acc = f32(backend, dw);
        const add = f32(backend, target);
        for (let i = 0; i < acc.length; i++) acc[i] += add[i];
      }
    }
  } finally {
    release(backend, cols, partial);
  }
  return dw;
}

const conv2dBackpropFilterKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as Backend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape, dilations } = attrs as unknown as ConvAttrs & { dataFormat: 'NHWC' | 'NCHW'; filterShape: Shape4 };
  const nchw = dataFormat === 'NCHW';
  const xNHWC = nchw ? transposed(wasm, x, x.shape, [0, 2, 3, 1]) : x;
  const dyNHWC = nchw ? transposed(wasm, dy, dy.shape, [0, 2, 3, 1]) : dy;
  try {
    const c = backend_util.computeConv2DInfo(xNHWC.shape as [number, number, number, number], filterShape, strides, dilations ?? 1, pad, dimRoundingMode, false, 'channelsLast');
    return conv2dFilterGradNHWC(wasm, xNHWC, dyNHWC, c);
  } finally {
    if (nchw) release(wasm, xNHWC, dyNHWC);
  }
};

export const conv2dBackpropFilterConfig: KernelConfig = { kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2dBackpropFilterKernel };
