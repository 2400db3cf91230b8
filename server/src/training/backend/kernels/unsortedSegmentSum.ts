/**
 * UnsortedSegmentSum for wasm (missing from the wasm package). It is the gradient of
 * gather, so without it no embedding can train on wasm.
 *
 * out[s, ...] = Σ_{i : ids[i] = s} x[i, ...]; ids outside [0, numSegments) contribute
 * nothing, as on the cpu backend. One pass over x, adding whole rows.
 */
import { UnsortedSegmentSum, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { alloc, i32, type Backend } from './util';

const unsortedSegmentSumKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as Backend;
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum on wasm does not support ${x.dtype}.`);
  const rowShape = x.shape.slice(segmentIds.shape.length);
  const row = util.sizeFromShape(rowShape);
  const out = alloc(wasm, [numSegments, ...rowShape], x.dtype);
  const ids = i32(wasm, segmentIds);
  const src = wasm.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const dst = wasm.typedArrayFromHeap(out) as Float32Array | Int32Array;
  dst.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const from = i * row;
    const to = s * row;
    for (let j = 0; j < row; j++) dst[to + j] += src[from + j];
  }
  return out;
};

export const unsortedSegmentSumConfig: KernelConfig = { kernelName: UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSumKernel };
