/**
 * _FusedMatMul for wasm, replacing the stock kernel.
 *
 * The stock native op indexes a rank-1 bias by the flat position within each output
 * slice instead of by column whenever it leaves its single-batch XNNPACK path (any batch
 * or transpose), so batched dense layers got wrong values, and it inherits the slow
 * transposed loop. Dense layers call this kernel on every forward pass, so it is the
 * matmul above (transposes first, XNNPACK) followed by the stock broadcasting Add and
 * the activation kernels; the two extra passes over the output are small next to the
 * product itself.
 */
import { _FusedMatMul, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { matMul } from './batchMatMul';
import { release, runWasmKernel, type Backend } from './util';

/** Applies a fused activation to `x`, consuming it. */
export function applyActivation(backend: Backend, x: TensorInfo, activation: string, preluWeights: TensorInfo | undefined, leakyAlpha: number): TensorInfo {
  let y: TensorInfo;
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      y = runWasmKernel('Relu', backend, { x });
      break;
    case 'relu6':
      y = runWasmKernel('Relu6', backend, { x });
      break;
    case 'elu':
      y = runWasmKernel('Elu', backend, { x });
      break;
    case 'sigmoid':
      y = runWasmKernel('Sigmoid', backend, { x });
      break;
    case 'leakyrelu':
      y = runWasmKernel('LeakyRelu', backend, { x }, { alpha: leakyAlpha });
      break;
    case 'prelu':
      if (preluWeights == null) throw new Error('prelu activation needs preluActivationWeights');
      y = runWasmKernel('Prelu', backend, { x, alpha: preluWeights });
      break;
    default:
      throw new Error(`${activation} activation not yet supported for _FusedMatMul in the wasm backend.`);
  }
  release(backend, x);
  return y;
}

const fusedMatMulKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as Backend;
  const { a, b, bias, preluActivationWeights } = inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as {
    transposeA: boolean;
    transposeB: boolean;
    activation?: string;
    leakyreluAlpha?: number;
  };
  let out = matMul(wasm, a, b, transposeA, transposeB);
  if (bias != null) {
    const withBias = runWasmKernel('Add', wasm, { a: out, b: bias });
    release(wasm, out);
    out = withBias;
  }
  return applyActivation(wasm, out, activation ?? 'linear', preluActivationWeights, leakyreluAlpha ?? 0.2);
};

export const fusedMatMulConfig: KernelConfig = { kernelName: _FusedMatMul, backendName: 'wasm', kernelFunc: fusedMatMulKernel };
