/**
 * The interface every classical engine implements, so the trainer, the runs store and
 * `compare` treat logistic regression, SVMs and trees alike.
 */
import type { Args } from '../../catalog/types';

export type ClassicalKind = 'logistic_regression' | 'svm' | 'decision_tree' | 'random_forest';

/** Numbers the fitted model stores (what it would take to rebuild it), and how they add up. */
export interface ModelSize {
  readonly params: bigint;
  readonly detail: string;
}

/** Every saved classical model carries these; the rest is the engine's own. */
export interface ClassicalJSON {
  readonly format: 'modelspec-classical';
  readonly version: 1;
  readonly kind: ClassicalKind;
  readonly features: number;
  readonly classes: number;
  readonly [key: string]: unknown;
}

export const CLASSICAL_FORMAT = 'modelspec-classical';

export interface ClassicalModel {
  readonly kind: ClassicalKind;
  /**
   * Trains on `n` samples: `x` row-major with `features` values each, `y` class indices
   * in [0, classes). `args` are the catalogue entry's arguments with defaults applied;
   * `seed` makes any randomness repeat.
   */
  fit(x: Float32Array, y: Int32Array, n: number, features: number, classes: number, args: Args, seed: number): void;
  /** Class indices for `n` row-major samples. */
  predict(x: Float32Array, n: number): Int32Array;
  size(): ModelSize;
  toJSON(): ClassicalJSON;
}

/** Checks the shared part of the inputs, so each engine can trust them. */
export function checkFitInputs(kind: ClassicalKind, x: Float32Array, y: Int32Array, n: number, features: number, classes: number): void {
  if (!(Number.isInteger(n) && n > 0 && Number.isInteger(features) && features > 0)) {
    throw new RangeError(`${kind}: needs at least one sample and one feature, got ${n} samples of ${features} features.`);
  }
  if (x.length < n * features || y.length < n) {
    throw new RangeError(`${kind}: ${n} samples of ${features} features need ${n * features} values and ${n} labels, got ${x.length} and ${y.length}.`);
  }
  if (!(Number.isInteger(classes) && classes >= 1)) throw new RangeError(`${kind}: classes must be a positive integer, not ${classes}.`);
  for (let i = 0; i < n; i++) {
    if (!(y[i] >= 0 && y[i] < classes)) throw new RangeError(`${kind}: label ${y[i]} of sample ${i} is not a class index below ${classes}.`);
  }
  for (let i = 0; i < n * features; i++) {
    if (!Number.isFinite(x[i])) throw new RangeError(`${kind}: feature ${i % features} of sample ${Math.floor(i / features)} is ${x[i]}; every value must be finite.`);
  }
}

export function checkPredictInputs(kind: ClassicalKind, x: Float32Array, n: number, features: number): void {
  if (!(Number.isInteger(n) && n >= 0) || x.length < n * features) {
    throw new RangeError(`${kind}: ${n} samples of ${features} features need ${n * features} values, got ${x.length}.`);
  }
}

/** A saved model of the right kind and format, or an Error saying what is wrong. */
export function checkJSON(json: unknown, kind: ClassicalKind): ClassicalJSON {
  const j = json as Partial<ClassicalJSON> | null;
  if (!j || typeof j !== 'object' || j.format !== CLASSICAL_FORMAT) throw new Error('Not a saved Modelspec classical model (format is not "modelspec-classical").');
  if (j.version !== 1) throw new Error(`Saved classical model has version ${String(j.version)}; this Modelspec reads version 1.`);
  if (j.kind !== kind) throw new Error(`Saved model is a ${String(j.kind)}, not a ${kind}.`);
  if (!(Number.isInteger(j.features) && j.features! > 0 && Number.isInteger(j.classes) && j.classes! > 0)) {
    throw new Error('Saved classical model has no valid feature or class count.');
  }
  return j as ClassicalJSON;
}

export function numberArg(args: Args, name: string, fallback: number): number {
  const v = args[name];
  return typeof v === 'number' ? v : fallback;
}

export function optionalNumberArg(args: Args, name: string): number | undefined {
  const v = args[name];
  return typeof v === 'number' ? v : undefined;
}

export function enumArg<T extends string>(args: Args, name: string, values: readonly T[], fallback: T): T {
  const v = args[name];
  if (v === undefined) return fallback;
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  throw new RangeError(`${name} must be one of ${values.join(', ')}, not ${String(v)}.`);
}

