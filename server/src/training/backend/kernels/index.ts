/**
 * The wasm kernels Modelspec registers over tfjs-backend-wasm 4.22 so that every layer
 * family in the catalogue trains correctly and fast (see shared/notes/training-engines.md
 * for the measurements behind each one).
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';
import { batchMatMulConfig } from './batchMatMul';
import { castConfig } from './cast';
import { conv2dBackpropFilterConfig } from './conv2dBackpropFilter';
import { conv2dBackpropInputConfig } from './conv2dBackpropInput';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwiseConv2dNativeBackpropInput';
import { fusedMatMulConfig } from './fusedMatMul';
import { gatherV2Config } from './gatherV2';
import { identityConfig } from './identity';
import { maxPoolGradConfig } from './maxPoolGrad';
import { unsortedSegmentSumConfig } from './unsortedSegmentSum';

/** Kernels the wasm package lacks: training any model using them fails without these. */
export const ADDED_KERNELS: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  unsortedSegmentSumConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
];

/** Kernels the wasm package has but computes wrongly or slowly. */
export const REPLACED_KERNELS: readonly KernelConfig[] = [
  maxPoolGradConfig,
  conv2dBackpropInputConfig,
  fusedMatMulConfig,
  batchMatMulConfig,
  gatherV2Config,
  identityConfig,
  castConfig,
];

export interface KernelRegistration {
  /** Kernel names newly registered by this call (empty when all were already in place). */
  readonly registered: string[];
  /** Of those, the ones that replaced a stock wasm kernel. */
  readonly replaced: string[];
}

/**
 * Registers every Modelspec kernel on the 'wasm' backend. Idempotent: a kernel already
 * registered by an earlier call is left alone. Call it before `setBackend('wasm')` or
 * after — the kernels need no per-backend setup — but after the wasm package has been
 * imported, since importing it registers the stock kernels that these replace.
 */
export function registerWasmTrainingKernels(): KernelRegistration {
  const registered: string[] = [];
  const replaced: string[] = [];
  for (const config of [...ADDED_KERNELS, ...REPLACED_KERNELS]) {
    const current = getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current != null) {
      unregisterKernel(config.kernelName, 'wasm');
      replaced.push(config.kernelName);
    }
    registerKernel(config);
    registered.push(config.kernelName);
  }
  return { registered, replaced };
}

/** True when every Modelspec kernel is the one registered on 'wasm'. */
export function wasmTrainingKernelsRegistered(): boolean {
  return [...ADDED_KERNELS, ...REPLACED_KERNELS].every((c) => getKernel(c.kernelName, 'wasm')?.kernelFunc === c.kernelFunc);
}
