/**
 * BatchMatMul for wasm, replacing the stock kernel.
 *
 * The stock native op reaches XNNPACK only for a batch of one with neither operand
 * transposed; everything else runs a scalar triple loop (7-60x slower; every backward
 * matmul is transposed), and it reads past `a` when only `b` has a batch. Here operands
 * are transposed first (a cheap memory pass), a right operand without a batch folds the
 * left batch into the rows of a single XNNPACK call, and real batches call XNNPACK per
 * slice through zero-copy views — except tiny slices, where the per-call operator setup
 * costs more than the native loop.
 *
 * XNNPACK re-packs its right operand on every call with a new tensor (≈10 ns/element —
 * as much as the product itself when the left operand is a batch of 64 rows), so a
 * single product is evaluated in whichever order packs less: A·B or (Bᵀ·Aᵀ)ᵀ. Transposed
 * right operands are cached for the life of the tensor they come from, so a recurrent
 * layer's weights are transposed and packed once per step, not once per time step.
 */
import { BatchMatMul, backend_util, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import {
  alloc,
  batchedLoopInto,
  cachedTranspose,
  f32,
  hasCachedTranspose,
  isPacked,
  matMulInto,
  release,
  releaseView,
  reshaped,
  transposed,
  view,
  type Backend,
} from './util';

/** Below this many multiply-adds per slice the native loop beats a per-slice XNNPACK setup (measured ≈ 16³). */
const SMALL_SLICE = 8192;

/**
 * Measured costs on the SIMD build, in ns per element: XNNPACK packs its right operand
 * at ≈7-13 ns/element and the stock Transpose moves ≈1.5-15 ns/element depending on shape.
 */
const PACK_NS = 10;
const TRANSPOSE_NS = 5;

/** For benchmarks and tests: force one of the two evaluation orders. */
export const matMulOrder: { forced?: 'direct' | 'swapped' } = {};

/** What is already prepared for each order, so that it costs nothing. */
export interface Prepared {
  /** Direct order: the right operand B (transposed if it arrived transposed) is already available. */
  directRightReady: boolean;
  /** Direct order: XNNPACK already holds that right operand packed. */
  directRightPacked: boolean;
  /** Swapped order: Bᵀ, the left operand, is already available. */
  swappedLeftReady: boolean;
}

/**
 * out[M,N] = A·B can also be computed as (Bᵀ·Aᵀ)ᵀ, which packs Aᵀ (K·M) instead of B
 * (K·N) at the price of transposes — and an operand that arrives transposed is then
 * already in the layout wanted. For a backward pass `dy · Wᵀ` with a batch of 64 rows this
 * skips both the transpose and the packing of the whole weight matrix.
 */
export function swappedIsCheaper(m: number, k: number, n: number, transposeA: boolean, prepared: Prepared): boolean {
  if (matMulOrder.forced === 'direct') return false;
  if (matMulOrder.forced === 'swapped') return true;
  const direct = (transposeA ? TRANSPOSE_NS * m * k : 0) + (prepared.directRightReady ? 0 : TRANSPOSE_NS * k * n) + (prepared.directRightPacked ? 0 : PACK_NS * k * n);
  const swapped = (prepared.swappedLeftReady ? 0 : TRANSPOSE_NS * k * n) + (transposeA ? 0 : TRANSPOSE_NS * m * k) + PACK_NS * k * m + TRANSPOSE_NS * m * n;
  return swapped < direct;
}

/** Flat index into a broadcast operand's batch for output batch `i`. */
function broadcastIndex(i: number, outOuter: number[], operandOuter: number[]): number {
  let index = 0;
  let stride = 1;
  let rest = i;
  for (let d = outOuter.length - 1, e = operandOuter.length - 1; d >= 0; d--, e--) {
    const coord = rest % outOuter[d];
    rest = Math.floor(rest / outOuter[d]);
    if (e >= 0) {
      if (operandOuter[e] !== 1) index += coord * stride;
      stride *= operandOuter[e];
    }
  }
  return index;
}

/** A·B for a single right matrix as (Bᵀ·Aᵀ)ᵀ; A's batch folds into its rows. Returns [rows, n]. */
function swappedProduct(backend: Backend, a: TensorInfo, b: TensorInfo, batchA: number, m: number, k: number, n: number, transposeA: boolean, transposeB: boolean): TensorInfo {
  const rows = batchA * m;
  // Left operand Bᵀ [n, k]: a transposed B is stored that way already.
  const left = transposeB ? reshaped(b, [n, k]) : cachedTranspose(backend, b, [k, n], [1, 0]);
  // Right operand Aᵀ [k, rows]: stored as [batchA, k, m] when transposed, which needs its batch moved inward.
  const right = transposeA ? (batchA === 1 ? reshaped(a, [k, rows]) : transposed(backend, a, [batchA, k, m], [1, 0, 2])) : transposed(backend, a, [rows, k], [1, 0]);
  const outT = alloc(backend, [n, rows]);
  try {
    matMulInto(backend, left, right, outT, n, k, rows);
    return transposed(backend, outT, [n, rows], [1, 0]);
  } finally {
    if (!transposeA || batchA !== 1) release(backend, right);
    release(backend, outT);
  }
}

/** `out` = A·B for batches of slices (right operand batched): per-slice XNNPACK or the native loop. */
function batchedProduct(backend: Backend, a3: TensorInfo, b3: TensorInfo, out: TensorInfo, shapes: { outOuter: number[]; outerA: number[]; outerB: number[] }, m: number, k: number, n: number): void {
  const { outOuter, outerA, outerB } = shapes;
  const batch = util.sizeFromShape(outOuter);
  const batchA = util.sizeFromShape(outerA);
  if (batchA === util.sizeFromShape(outerB) && batch === batchA && m * k * n <= SMALL_SLICE) {
    batchedLoopInto(backend, a3, b3, out, batch, m, k, n);
    return;
  }
  for (let i = 0; i < batch; i++) {
    const av = view(backend, a3, broadcastIndex(i, outOuter, outerA) * m * k, [m, k]);
    const bv = view(backend, b3, broadcastIndex(i, outOuter, outerB) * k * n, [k, n]);
    const ov = view(backend, out, i * m * n, [m, n]);
    matMulInto(backend, av, bv, ov, m, k, n);
    releaseView(backend, av);
    releaseView(backend, bv);
    releaseView(backend, ov);
  }
}

/**
 * The product of `a` and `b` (optionally transposed in their last two axes) with
 * broadcast batch axes, as a new float32 tensor. Shared with the fused matmul.
 */
export function matMul(backend: Backend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('BatchMatMul on wasm supports float32 tensors only.');
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const k = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const kB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
  const m = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const n = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  util.assert(k === kB, () => `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outOuter = backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const batchA = util.sizeFromShape(outerA);
  const batchB = util.sizeFromShape(outerB);
  const batch = util.sizeFromShape(outOuter);
  const outShape = [...outOuter, m, n];
  if (batch * m * n === 0 || k === 0) {
    const out = alloc(backend, outShape);
    f32(backend, out).fill(0);
    return out;
  }

  if (batchB === 1) {
    const rows = batchA * m;
    const prepared: Prepared = transposeB
      ? {
          directRightReady: hasCachedTranspose(backend, b, [n, k], [1, 0]),
          directRightPacked: hasCachedTranspose(backend, b, [n, k], [1, 0]) && isPacked(backend, cachedTranspose(backend, b, [n, k], [1, 0])),
          swappedLeftReady: true,
        }
      : { directRightReady: true, directRightPacked: isPacked(backend, b), swappedLeftReady: hasCachedTranspose(backend, b, [k, n], [1, 0]) };
    if (swappedIsCheaper(rows, k, n, transposeA, prepared)) {
      return { ...swappedProduct(backend, a, b, batchA, m, k, n, transposeA, transposeB), shape: outShape };
    }
    const left = transposeA ? transposed(backend, a, [batchA, k, m], [0, 2, 1]) : reshaped(a, [rows, k]);
    // The right operand is the one XNNPACK caches per tensor: keep its transpose alive with it.
    const right = transposeB ? cachedTranspose(backend, b, [n, k], [1, 0]) : reshaped(b, [k, n]);
    const out = alloc(backend, outShape);
    try {
      matMulInto(backend, left, right, out, rows, k, n);
    } finally {
      if (transposeA) release(backend, left);
    }
    return out;
  }

  const a3 = transposeA ? transposed(backend, a, [batchA, k, m], [0, 2, 1]) : reshaped(a, [batchA, m, k]);
  const b3 = transposeB ? transposed(backend, b, [batchB, n, k], [0, 2, 1]) : reshaped(b, [batchB, k, n]);
  const out = alloc(backend, outShape);
  try {
    batchedProduct(backend, a3, b3, out, { outOuter, outerA, outerB }, m, k, n);
  } finally {
    if (transposeA) release(backend, a3);
    if (transposeB) release(backend, b3);
  }
  return out;
}

const batchMatMulKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  return matMul(backend as Backend, a, b, transposeA, transposeB);
};

export const batchMatMulConfig: KernelConfig = { kernelName: BatchMatMul, backendName: 'wasm', kernelFunc: batchMatMulKernel };
