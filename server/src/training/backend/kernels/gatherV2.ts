/**
 * GatherV2 for wasm, replacing the stock kernel.
 *
 * The stock native op computes every output element's source through per-element
 * stride arithmetic: gathering a batch of 64 rows of 784 floats took ≈7 ms, and
 * tf.layers' fit gathers every batch of x and y this way, so it cost as much as the
 * MLP's whole backward pass. Gathered slices are contiguous runs in the input, so this
 * copies them whole (TypedArray.copyWithin on the heap). Out-of-range indices throw, as
 * in the stock kernel.
 */
import { GatherV2, backend_util, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { alloc, i32, type Backend } from './util';

/** Below this many elements per slice a plain loop beats copyWithin's call overhead. */
const SHORT_SLICE = 16;

const gatherV2Kernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as Backend;
  const { x, indices } = inputs as { x: TensorInfo; indices: TensorInfo };
  const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
  if (x.dtype === 'string' || x.dtype === 'complex64') throw new Error(`GatherV2 on wasm does not support ${x.dtype}.`);
  const parsedAxis = util.parseAxisParam(axis, x.shape)[0];
  const info = backend_util.segment_util.collectGatherOpShapeInfo(x as never, indices as never, parsedAxis, batchDims);
  const { batchSize, outerSize, dimSize, sliceSize } = info;
  const count = util.sizeFromShape(indices.shape) / batchSize;
  const out = alloc(wasm, info.outputShape, x.dtype);
  const ids = i32(wasm, indices);
  for (let i = 0; i < ids.length; i++) {
    const index = ids[i];
    util.assert(index <= dimSize - 1 && index >= 0, () => `GatherV2: the index value ${index} is not in [0, ${dimSize - 1}]`);
  }
  if (util.sizeFromShape(info.outputShape) === 0) return out;
  // Views over the same heap buffer, so one copyWithin moves a whole slice.
  const src = wasm.typedArrayFromHeap(x);
  const dst = wasm.typedArrayFromHeap(out);
  const heap = new (src.constructor as Float32ArrayConstructor)(src.buffer);
  const srcBase = src.byteOffset / src.BYTES_PER_ELEMENT;
  const dstBase = dst.byteOffset / dst.BYTES_PER_ELEMENT;
  let to = dstBase;
  for (let b = 0; b < batchSize; b++) {
    for (let o = 0; o < outerSize; o++) {
      const rowBase = srcBase + (b * outerSize + o) * dimSize * sliceSize;
      for (let i = 0; i < count; i++, to += sliceSize) {
        const from = rowBase + ids[b * count + i] * sliceSize;
        if (sliceSize >= SHORT_SLICE) heap.copyWithin(to, from, from + sliceSize);
        else for (let j = 0; j < sliceSize; j++) heap[to + j] = heap[from + j];
      }
    }
  }
  return out;
};

export const gatherV2Config: KernelConfig = { kernelName: GatherV2, backendName: 'wasm', kernelFunc: gatherV2Kernel };
