/**
 * Cast for wasm, replacing the stock kernel.
 *
 * The stock kernel copies even when the dtype does not change (tf.layers casts labels,
 * masks and inputs to float32 on every batch), and its cast to bool goes through a
 * Uint8Array conversion that wraps (256 → false) and truncates (0.5 → false) instead of
 * testing for non-zero as the cpu backend does. Same dtype now shares the data; to bool
 * is `x !== 0`; to int32 truncates toward zero like the cpu backend's Int32Array.from.
 */
import { Cast, type DataType, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { shareData } from './identity';
import { alloc, type Backend } from './util';

const castKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as Backend;
  const { x } = inputs as { x: TensorInfo };
  const { dtype } = attrs as unknown as { dtype: DataType };
  if (dtype === x.dtype) return shareData(wasm, x);
  const supported = ['float32', 'int32', 'bool'];
  if (!supported.includes(dtype) || !supported.includes(x.dtype)) throw new Error(`Cast on wasm does not support ${x.dtype} to ${dtype}.`);
  const out = alloc(wasm, x.shape, dtype);
  const src = wasm.typedArrayFromHeap(x);
  const dst = wasm.typedArrayFromHeap(out);
  if (dtype === 'bool') for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
  else dst.set(src);
  return out;
};

export const castConfig: KernelConfig = { kernelName: Cast, backendName: 'wasm', kernelFunc: castKernel };
