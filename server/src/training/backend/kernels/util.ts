/**
 * Heap-level helpers shared by the wasm training kernels.
 *
 * The kernels work on the wasm backend's heap directly: a tensor there is a malloc'ed
 * block registered under a numeric id with the C++ side, and the C++ ops (BatchMatMul
 * with its XNNPACK fast path, Transpose) take those ids. Everything here exists so that
 * JS loops can read and write that memory without copies and so that the XNNPACK
 * matmul can be pointed at sub-blocks of larger buffers.
 */
import { getKernel, util, type backend_util, type DataType, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The parts of the Emscripten module the kernels use (the package's own typing leaves them out). */
interface WasmModule {
  HEAPU8: Uint8Array;
  cwrap(name: string, returnType: null | 'number', argTypes: string[]): (...args: unknown[]) => unknown;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

interface TensorRecord {
  id: number;
  memoryOffset: number;
}

export type Backend = BackendWasm;

/**
 * Above `scratchElements` float32 elements, im2col-style scratch buffers are processed in
 * batch chunks: 16M floats = 64 MB, enough for the whole batch of typical models while
 * keeping large images from exhausting the wasm heap (which cannot shrink once grown).
 * Mutable so tests can force the chunked path on small shapes.
 */
export const limits = { scratchElements: 16 * 1024 * 1024 };

function moduleOf(backend: Backend): WasmModule {
  return backend.wasm as unknown as WasmModule;
}

function record(backend: Backend, t: TensorInfo): TensorRecord {
  return backend.dataIdMap.get(t.dataId) as unknown as TensorRecord;
}

/** The C++ tensor id of `t`, the handle the native ops take. */
export function nativeId(backend: Backend, t: TensorInfo): number {
  return record(backend, t).id;
}

/**
 * A live Float32Array over `t`'s heap memory. Any heap allocation may grow (and so
 * replace) the wasm memory, which detaches earlier views: take views only after the
 * kernel's last allocation.
 */
export function f32(backend: Backend, t: TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Float32Array;
}

export function i32(backend: Backend, t: TensorInfo): Int32Array {
  if (t.dtype !== 'int32') throw new Error(`expected an int32 tensor, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Int32Array;
}

/** Uninitialised heap memory (malloc does not clear), for outputs that are fully written. */
export function alloc(backend: Backend, shape: number[], dtype: DataType = 'float32'): TensorInfo {
  return backend.makeOutput(shape, dtype);
}

export function zeros(backend: Backend, shape: number[]): TensorInfo {
  const t = backend.makeOutput(shape, 'float32');
  f32(backend, t).fill(0);
  return t;
}

export function release(backend: Backend, ...ts: (TensorInfo | null | undefined)[]): void {
  for (const t of ts) if (t != null) backend.disposeData(t.dataId);
}

/**
 * Registers a sub-block of an existing heap buffer as a tensor of its own, without a
 * copy, so a native op can read or write it. Must be ended with `releaseView` (never
 * `disposeData`, which would free() a pointer into the middle of another block).
 */
export function view(backend: Backend, base: TensorInfo, elementOffset: number, shape: number[]): TensorInfo {
  const offset = record(backend, base).memoryOffset + elementOffset * 4;
  return backend.makeOutput(shape, 'float32', offset);
}

export function releaseView(backend: Backend, v: TensorInfo): void {
  const id = record(backend, v).id;
  // dispose_data on the C++ side also drops the XNNPACK operators cached for this id.
  moduleOf(backend).tfjs.disposeData(id);
  backend.dataIdMap.delete(v.dataId);
  operandCache(backend).packed.delete(id);
}

type NativeMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;

const nativeMatMuls = new WeakMap<object, NativeMatMul>();

function nativeMatMul(backend: Backend): NativeMatMul {
  const wasm = moduleOf(backend);
  let fn = nativeMatMuls.get(wasm);
  if (fn === undefined) {
    fn = wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']) as NativeMatMul;
    nativeMatMuls.set(wasm, fn);
  }
  return fn;
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/**
 * Per-backend bookkeeping that lives exactly as long as the tensors it describes:
 * transposed copies of operands that are used again (a recurrent layer multiplies by the
 * same weight matrix at every time step, forward and backward), and which tensor ids
 * XNNPACK has already packed as a right operand (it caches the packed copy per id until
 * the tensor is disposed, so a second product with the same right operand skips packing).
 */
interface OperandCache {
  transposes: Map<object, Map<string, TensorInfo>>;
  packed: Set<number>;
}

const caches = new WeakMap<object, OperandCache>();

function operandCache(backend: Backend): OperandCache {
  let cache = caches.get(backend);
  if (cache !== undefined) return cache;
  const created: OperandCache = { transposes: new Map(), packed: new Set() };
  cache = created;
  caches.set(backend, created);
  // Dropping a tensor drops what was derived from it: hook the backend's own disposal.
  const dispose = backend.disposeData.bind(backend);
  backend.disposeData = (dataId: object, force?: boolean): boolean => {
    const id = backend.dataIdMap.has(dataId) ? record(backend, { dataId } as TensorInfo).id : undefined;
    const freed = dispose(dataId, force);
    if (freed) {
      if (id !== undefined) created.packed.delete(id);
      const derived = created.transposes.get(dataId);
      if (derived !== undefined) {
        created.transposes.delete(dataId);
        for (const t of derived.values()) {
          created.packed.delete(record(backend, t).id);
          dispose(t.dataId);
        }
      }
    }
    return freed;
  };
  return created;
}

/**
 * `t` (viewed as `shape`) with its axes permuted, cached for as long as `t` lives. For
 * operands that recur (weights); the result belongs to the cache: never release it.
 */
export function cachedTranspose(backend: Backend, t: TensorInfo, shape: number[], perm: number[]): TensorInfo {
  const cache = operandCache(backend);
  const key = `${shape}|${perm}`;
  let forTensor = cache.transposes.get(t.dataId);
  const hit = forTensor?.get(key);
  if (hit !== undefined) return hit;
  const result = transposed(backend, t, shape, perm);
  if (forTensor === undefined) {
    forTensor = new Map();
    cache.transposes.set(t.dataId, forTensor);
  }
  forTensor.set(key, result);
  return result;
}

/** Whether a cached transpose of `t` with this layout exists (so transposing is free). */
export function hasCachedTranspose(backend: Backend, t: TensorInfo, shape: number[], perm: number[]): boolean {
  return operandCache(backend).transposes.get(t.dataId)?.has(`${shape}|${perm}`) ?? false;
}

/** Whether XNNPACK still holds a packed copy of `t` as a right operand. */
export function isPacked(backend: Backend, t: TensorInfo): boolean {
  return operandCache(backend).packed.has(nativeId(backend, t));
}

/**
 * out[M,N] = a[M,K] · b[K,N] through XNNPACK's fully-connected operator — the only fast
 * matmul in the wasm build, taken by the native op only for a batch of one with neither
 * operand transposed. `b` is packed once per call (it is cached per tensor id and freed
 * with it), so the operand with the smaller K·N belongs on the right when there is a choice.
 */
export function matMulInto(backend: Backend, a: TensorInfo, b: TensorInfo, out: TensorInfo, m: number, k: number, n: number): void {
  operandCache(backend).packed.add(nativeId(backend, b));
  nativeMatMul(backend)(nativeId(backend, a), shapeBytes([1, m, k]), 3, nativeId(backend, b), shapeBytes([1, k, n]), 3, false, false, nativeId(backend, out));
}

/**
 * The native batched loop (no XNNPACK): out[i] = a[i] · b[i] for equal batch counts and
 * untransposed layouts. Cheaper than a per-slice XNNPACK call when the slices are tiny.
 */
export function batchedLoopInto(backend: Backend, a: TensorInfo, b: TensorInfo, out: TensorInfo, batch: number, m: number, k: number, n: number): void {
  nativeMatMul(backend)(nativeId(backend, a), shapeBytes([batch, m, k]), 3, nativeId(backend, b), shapeBytes([batch, k, n]), 3, false, false, nativeId(backend, out));
}

/** Calls the kernel registered on wasm under `kernelName` (the stock Transpose, Add, activations, ... or ours). */
export function runWasmKernel(kernelName: string, backend: Backend, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  const config = getKernel(kernelName, 'wasm');
  if (config == null) throw new Error(`wasm kernel ${kernelName} is not registered`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${kernelName} returned several outputs`);
  return out;
}

/** `t` reinterpreted with another shape of the same size (no data movement). */
export function reshaped(t: TensorInfo, shape: number[]): TensorInfo {
  if (util.sizeFromShape(shape) !== util.sizeFromShape(t.shape)) throw new Error(`cannot view [${t.shape}] as [${shape}]`);
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** A new tensor holding `t` (viewed as `shape`) with its axes permuted by the stock Transpose. */
export function transposed(backend: Backend, t: TensorInfo, shape: number[], perm: number[]): TensorInfo {
  return runWasmKernel('Transpose', backend, { x: reshaped(t, shape) }, { perm });
}

/** The attributes every 2-D convolution gradient kernel receives. */
export type ConvAttrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: [number, number] | number;
};

export type Shape4 = [number, number, number, number];
