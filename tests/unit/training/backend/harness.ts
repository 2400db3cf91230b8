/**
 * Shared by the wasm backend tests: runs the same computation on the `cpu` backend (the
 * reference) and on `wasm` with Modelspec's kernels, from identical input data, and
 * compares forward values and gradients.
 *
 * Error measure: for each output tensor, max |wasm − cpu| / max |cpu| (relative to the
 * tensor's scale; an element-wise ratio would blow up on entries that cancel to ~0).
 */
import assert from 'node:assert/strict';
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend } from '../../../../server/src/training/backend/select';

export type TF = typeof tfTypes;
export type Tensor = tfTypes.Tensor;

export const TOLERANCE = 1e-4;

let ready: Promise<TF> | undefined;

/** Initialises wasm through the production path (kernels and gradient overrides included). */
export function setup(): Promise<TF> {
  ready ??= (async () => {
    const info = await initBackend('wasm');
    assert.equal(info.name, 'wasm', `wasm backend did not initialise: ${info.fallbackReason}`);
    return require('@tensorflow/tfjs') as TF;
  })();
  return ready;
}

/** Deterministic values in [lo, hi) (a linear congruential generator; the seed picks the stream). */
export function values(size: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  return out;
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, 'length mismatch');
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (!(Number.isNaN(e) && Number.isNaN(a))) return Infinity;
      continue;
    }
    diff = Math.max(diff, Math.abs(a - e));
    scale = Math.max(scale, Math.abs(e));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Runs `fn` on one backend and returns the values of the tensors it produced (all disposed). */
export async function runOn(tf: TF, backend: 'cpu' | 'wasm', fn: () => Tensor[]): Promise<{ data: Float32Array[]; shapes: number[][] }> {
  await tf.setBackend(backend);
  assert.equal(tf.getBackend(), backend);
  const outs = tf.tidy(fn);
  const data = outs.map((t) => Float32Array.from(t.dataSync() as ArrayLike<number>));
  const shapes = outs.map((t) => t.shape);
  tf.dispose(outs);
  return { data, shapes };
}

/** Runs `fn` on cpu and wasm; returns the error of each output and asserts shapes agree. */
export async function compareBackends(tf: TF, fn: () => Tensor[]): Promise<number[]> {
  const cpu = await runOn(tf, 'cpu', fn);
  const wasm = await runOn(tf, 'wasm', fn);
  assert.deepEqual(wasm.shapes, cpu.shapes, 'output shapes differ');
  return cpu.data.map((expected, i) => relError(wasm.data[i], expected));
}

export interface InputSpec {
  shape: number[];
  lo?: number;
  hi?: number;
  /** Data to use instead of random values. */
  data?: Float32Array;
}

/**
 * The forward value of `f` and the gradient of Σ f(xs)·r with respect to every input
 * (r a fixed random cotangent, so that no gradient is degenerate), on both backends.
 * Returns the worst error among them and asserts it is within tolerance.
 */
export async function gradCheck(tf: TF, label: string, f: (...xs: Tensor[]) => Tensor, inputs: InputSpec[], tolerance = TOLERANCE): Promise<number> {
  const data = inputs.map((s, i) => s.data ?? values(size(s.shape), 17 + 31 * i, s.lo ?? -1, s.hi ?? 1));
  const errors = await compareBackends(tf, () => {
    const xs = inputs.map((s, i) => tf.tensor(data[i], s.shape));
    const y = f(...xs);
    const dy = tf.tensor(values(y.size, 99), y.shape);
    const grads = tf.grads((...a: Tensor[]) => f(...a))(xs, dy);
    return [y, ...grads];
  });
  const worst = Math.max(...errors);
  assert.ok(worst <= tolerance, `${label}: errors ${errors.map((e) => e.toExponential(2)).join(', ')} (forward, then each input's gradient) exceed ${tolerance}`);
  return worst;
}

/** Collects the worst error of a test file, printed at the end for the record. */
export class ErrorLog {
  private worst = 0;
  private where = '';
  private count = 0;
  add(label: string, error: number): void {
    this.count++;
    if (error >= this.worst) {
      this.worst = error;
      this.where = label;
    }
  }
  summary(): string {
    return `${this.count} comparisons, worst relative error ${this.worst.toExponential(2)} (${this.where})`;
  }
}
