/**
 * Identity for wasm, replacing the stock kernel, which copies the whole tensor.
 *
 * Tensors are immutable (a variable's `assign` swaps its data id, it never writes into
 * the old memory), so an identity can share the input's heap block and count one more
 * reference, as the cpu backend does. A training step of an MLP issued ≈38 of these,
 * each copying up to a full weight matrix.
 */
import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { Backend } from './util';

export function shareData(backend: Backend, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const identityKernel: KernelFunc = ({ inputs, backend }) => shareData(backend as Backend, (inputs as { x: TensorInfo }).x);

export const identityConfig: KernelConfig = { kernelName: Identity, backendName: 'wasm', kernelFunc: identityKernel };
