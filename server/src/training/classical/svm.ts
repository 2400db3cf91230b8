/**
 * `svm`: C-support-vector classification, trained by libsvm (the `libsvm-js` package,
 * libsvm compiled by emscripten) and predicted here in JavaScript.
 *
 * Why libsvm-js: scikit-learn's SVC is libsvm, so this finds the same solutions (the same
 * accuracy on every benchmark split), and it handles several classes one-vs-one as the
 * catalogue describes. `ml-svm` is binary only (it needs a one-vs-rest wrapper) and its
 * SMO is orders of magnitude slower: on digits 47 s (RBF) and 195 s (linear) of CPU,
 * against 0.2 s and 0.08 s for libsvm-js and 80 ms and 40 ms for scikit-learn
 * (bench/classical.ts). Of libsvm-js's two builds, wasm trains 2–2.5× faster than asm.js
 * but loads asynchronously and needs its .wasm file beside the running script, so
 * `loadLibsvm()` loads it when it can and asm.js (plain JavaScript, synchronous, bundles
 * anywhere) is the fallback.
 *
 * Why predict here: libsvm-js can only save a model through libsvm's text format, which
 * writes coefficients with 6 significant digits, so a saved and reloaded model would not
 * predict exactly as the trained one. The fitted model is read from libsvm's memory
 * instead (support-vector indices, dual coefficients, intercepts), kept as doubles, and
 * libsvm's decision rule is reproduced: one-vs-one machines vote, ties go to the lower
 * class. A linear kernel collapses each machine to one weight vector and a bias, the
 * catalogue's exact size for it. Prediction then needs neither libsvm nor its memory.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Args } from '../../catalog/types';
import { withSeparators as fmt } from '../../util/format';
import {
  checkFitInputs,
  checkJSON,
  checkPredictInputs,
  CLASSICAL_FORMAT,
  enumArg,
  numberArg,
  optionalNumberArg,
  type ClassicalJSON,
  type ClassicalModel,
  type ModelSize,
} from './model';

export type Kernel = 'linear' | 'rbf' | 'poly' | 'sigmoid';
const KERNELS: readonly Kernel[] = ['linear', 'rbf', 'poly', 'sigmoid'];

/** libsvm's kernel_type codes. */
const KERNEL_CODE: Readonly<Record<Kernel, string>> = { linear: '0', poly: '1', rbf: '2', sigmoid: '3' };

interface LibsvmInstance {
  model: number;
  train(samples: number[][], labels: number[]): void;
  predictOne(sample: number[]): number;
  getLabels(): number[];
  getSVIndices(): number[];
  free(): void;
}

interface LibsvmClass {
  new (options: Record<string, unknown>): LibsvmInstance;
}

interface EmscriptenModule {
  HEAP32: Int32Array;
  HEAPF64: Float64Array;
}

export type LibsvmBuild = 'wasm' | 'asm';

export interface Libsvm {
  readonly build: LibsvmBuild;
  readonly SVM: LibsvmClass;
  /** The emscripten module: its heap views are replaced when memory grows, so read them at each use. */
  readonly heap: EmscriptenModule;
}

const builds: Partial<Record<LibsvmBuild, Libsvm>> = {};
let wasmLoading: Promise<Libsvm | undefined> | undefined;

/**
 * Runs `load` (a require of libsvm-js) without the emscripten runtime's side effects on
 * this process: it installs an `unhandledRejection` handler that exits with status 1
 * and prints nothing (which would turn any stray rejection into a silent crash), and,
 * seeing `fetch`, tries to stream-compile the .wasm from a file path, fails, and prints
 * a warning before reading the file; without `fetch` it reads the file directly.
 */
function quietly<T>(load: () => T): T {
  const before = new Set(process.listeners('unhandledRejection'));
  const fetchDescriptor = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (fetchDescriptor?.configurable) delete (globalThis as { fetch?: unknown }).fetch;
  try {
    return load();
  } finally {
    if (fetchDescriptor?.configurable) Object.defineProperty(globalThis, 'fetch', fetchDescriptor);
    for (const listener of process.listeners('unhandledRejection')) {
      if (!before.has(listener)) process.removeListener('unhandledRejection', listener);
    }
  }
}

/**
 * Where the wasm build's glue will look for libsvm.wasm: next to the glue's own file,
 * which is node_modules/libsvm-js/out/wasm when running from the TypeScript sources, and
 * the bundle's folder once esbuild has inlined the glue into dist/.
 */
function wasmBinaryPath(): string | undefined {
  if (__filename.endsWith('.ts')) {
    try {
      return require.resolve('libsvm-js/out/wasm/libsvm.wasm');
    } catch {
      return undefined;
    }
  }
  return join(__dirname, 'libsvm.wasm');
}

/** One libsvm-js build, loaded synchronously; the wasm build only once `loadLibsvm` has finished loading it. */
export function libsvmBuild(build: LibsvmBuild): Libsvm {
  const ready = builds[build];
  if (ready) return ready;
  if (build === 'wasm') throw new Error('The wasm build of libsvm-js loads asynchronously: await loadLibsvm() first.');
  const lib = quietly(() => ({
    build,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    SVM: require('libsvm-js/asm') as LibsvmClass,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    heap: require('libsvm-js/out/asm/libsvm') as EmscriptenModule,
  }));
  builds.asm = lib;
  return lib;
}

/**
 * The fastest libsvm-js build this installation can load: wasm (2–2.5× faster to train
 * than asm.js, see bench/classical.ts) when its .wasm file is where the glue looks, else
 * asm.js. Await it before training so `SvmModel.fit`, which is synchronous, uses it.
 */
export function loadLibsvm(): Promise<Libsvm> {
  if (builds.wasm) return Promise.resolve(builds.wasm);
  wasmLoading ??= loadWasm().catch(() => undefined);
  return wasmLoading.then((lib) => lib ?? libsvmBuild('asm'));
}

async function loadWasm(): Promise<Libsvm> {
  const file = wasmBinaryPath();
  // Without its file the glue aborts from inside a promise and never settles: do not start it.
  if (!file || !existsSync(file)) throw new Error(`libsvm.wasm not found${file ? ` at ${file}` : ''}`);
  const { ready, heap } = quietly(() => ({
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ready: require('libsvm-js/wasm') as Promise<LibsvmClass>,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    heap: require('libsvm-js/out/wasm/libsvm') as EmscriptenModule,
  }));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('libsvm-js wasm did not load within 10 s')), 10_000);
    timer.unref();
  });
  try {
    const SVM = await Promise.race([ready, timeout]);
    builds.wasm = { build: 'wasm', SVM, heap };
    return builds.wasm;
  } finally {
    clearTimeout(timer);
  }
}

/** The build `fit` uses: wasm once loaded, else asm.js. */
function currentLibsvm(): Libsvm {
  return builds.wasm ?? libsvmBuild('asm');
}

/**
 * scikit-learn's gamma="scale": 1 / (features × variance of all training values), and 1
 * when the data are constant. Two passes in double precision.
 */
export function scaleGamma(x: Float32Array, n: number, features: number): number {
  const count = n * features;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += x[i];
  const mean = sum / count;
  let sq = 0;
  for (let i = 0; i < count; i++) sq += (x[i] - mean) ** 2;
  const variance = sq / count;
  return variance > 0 ? 1 / (features * variance) : 1;
}

/** What the SVM keeps after training; arrays are flat and row-major. */
interface Fitted {
  readonly kernel: Kernel;
  readonly C: number;
  readonly gamma: number;
  readonly degree: number;
  readonly coef0: number;
  /** Class index of each libsvm class, in libsvm's order (which breaks vote ties). */
  readonly labels: Int32Array;
  /** Intercepts ρ, one per pair (i < j) in libsvm's order; a machine's decision is Σ − ρ. */
  readonly rho: Float64Array;
  /** Non-linear kernels: support vectors per libsvm class; the vectors are grouped by class in that order. */
  readonly nSV?: Int32Array;
  /** Non-linear kernels: support vectors × features. */
  readonly sv?: Float64Array;
  /** Non-linear kernels: (classes − 1) × support vectors dual coefficients, libsvm's sv_coef. */
  readonly coef?: Float64Array;
  /** Linear kernel: pairs × features weights, Σ over the pair's support vectors of coefficient × vector. */
  readonly weights?: Float64Array;
}

export class SvmModel implements ClassicalModel {
  readonly kind = 'svm';
  private model?: Fitted;

  /** `library` pins a libsvm-js build (the benchmark compares them); by default the fastest loaded one. */
  constructor(private readonly library?: Libsvm) {}

  private features = 0;
  private classes = 0;

  /** Deterministic: libsvm's solver draws no random numbers for C-SVC without probability estimates. */
  fit(x: Float32Array, y: Int32Array, n: number, features: number, classes: number, args: Args, _seed?: number): void {
    checkFitInputs(this.kind, x, y, n, features, classes);
    const kernel = enumArg(args, 'kernel', KERNELS, 'rbf');
    const C = numberArg(args, 'C', 1);
    const gamma = optionalNumberArg(args, 'gamma') ?? scaleGamma(x, n, features);
    const degree = numberArg(args, 'degree', 3);
    const coef0 = numberArg(args, 'coef0', 0);
    if (!(C > 0 && gamma > 0 && Number.isInteger(degree) && degree >= 1)) {
      throw new RangeError(`svm: C and gamma must be positive and degree a positive integer (C ${C}, gamma ${gamma}, degree ${degree}).`);
    }
    const { SVM, heap } = this.library ?? currentLibsvm();

    // libsvm numbers classes in order of first appearance; feeding the samples grouped by
    // class makes that the class-index order, as scikit-learn's libsvm does.
    const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => y[a] - y[b] || a - b);
    const samples: number[][] = new Array(n);
    const labels: number[] = new Array(n);
    for (let r = 0; r < n; r++) {
      const i = order[r];
      samples[r] = Array.from(x.subarray(i * features, (i + 1) * features));
      labels[r] = y[i];
    }
    const machine = new SVM({ type: '0', kernel: KERNEL_CODE[kernel], cost: C, gamma, degree, coef0, tolerance: 0.001, quiet: true });
    try {
      machine.train(samples, labels);
      this.model = readModel(heap, machine, { kernel, C, gamma, degree, coef0 }, samples, features);
    } finally {
      machine.free();
    }
    this.features = features;
    this.classes = classes;
  }

  predict(x: Float32Array, n: number): Int32Array {
    const m = this.fitted();
    checkPredictInputs(this.kind, x, n, this.features);
    const f = this.features;
    const k = m.labels.length;
    const out = new Int32Array(n);
    if (k === 1) return out.fill(m.labels[0]);
    const pairs = (k * (k - 1)) / 2;
    const decisions = new Float64Array(pairs);
    const votes = new Int32Array(k);
    const kvalue = m.sv ? new Float64Array(m.sv.length / f) : undefined;
    const row = new Float64Array(f);
    for (let r = 0; r < n; r++) {
      const base = r * f;
      if (kvalue) {
        kernelValues(m, x, base, f, kvalue, row);
        pairDecisions(m, kvalue, decisions);
      } else {
        linearDecisions(m.weights!, m.rho, x, base, f, decisions);
      }
      votes.fill(0);
      let p = 0;
      for (let i = 0; i < k; i++) {
        for (let j = i + 1; j < k; j++) {
          if (decisions[p++] > 0) votes[i]++;
          else votes[j]++;
        }
      }
      let best = 0;
      for (let c = 1; c < k; c++) if (votes[c] > votes[best]) best = c;
      out[r] = m.labels[best];
    }
    return out;
  }

  size(): ModelSize {
    const m = this.fitted();
    const f = this.features;
    const k = m.labels.length;
    const pairs = (k * (k - 1)) / 2;
    if (m.weights) {
      return {
        params: BigInt(pairs) * BigInt(f + 1),
        detail: `${fmt(pairs)} one-vs-one machine${pairs === 1 ? '' : 's'} × (${fmt(f)} weights + 1 bias), linear kernel`,
      };
    }
    const l = m.sv!.length / f;
    return {
      params: BigInt(l) * BigInt(f + k - 1) + BigInt(pairs),
      detail: `${fmt(l)} support vectors × (${fmt(f)} features + ${fmt(k - 1)} dual coefficient${k === 2 ? '' : 's'}) + ${fmt(pairs)} intercept${pairs === 1 ? '' : 's'}, ${m.kernel} kernel, gamma ${m.gamma.toPrecision(4)}`,
    };
  }

  /** Support vectors in the fitted model (0 for a collapsed linear one). */
  supportVectors(): number {
    const m = this.fitted();
    return m.sv ? m.sv.length / this.features : 0;
  }

  toJSON(): ClassicalJSON {
    const m = this.fitted();
    const arrays = Object.fromEntries(
      (['labels', 'rho', 'nSV', 'sv', 'coef', 'weights'] as const).flatMap((key) => (m[key] ? [[key, Array.from(m[key]!)]] : [])),
    );
    return {
      format: CLASSICAL_FORMAT,
      version: 1,
      kind: this.kind,
      features: this.features,
      classes: this.classes,
      kernel: m.kernel,
      C: m.C,
      gamma: m.gamma,
      degree: m.degree,
      coef0: m.coef0,
      ...arrays,
    };
  }

  static fromJSON(json: unknown): SvmModel {
    const j = checkJSON(json, 'svm');
    const nums = (key: string): number[] | undefined => {
      const v = j[key];
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || !v.every((e) => typeof e === 'number')) throw new Error(`Saved svm: ${key} must be an array of numbers.`);
      return v as number[];
    };
    const kernel = j.kernel as Kernel;
    if (!KERNELS.includes(kernel)) throw new Error(`Saved svm has an unknown kernel ${String(j.kernel)}.`);
    const labels = nums('labels') ?? [];
    const k = labels.length;
    const pairs = (k * (k - 1)) / 2;
    const rho = nums('rho') ?? [];
    const f = j.features;
    const [nSV, sv, coef, weights] = [nums('nSV'), nums('sv'), nums('coef'), nums('weights')];
    const l = nSV ? nSV.reduce((a, b) => a + b, 0) : 0;
    const valid =
      k >= 1 &&
      labels.every((c) => Number.isInteger(c) && c >= 0 && c < j.classes) &&
      rho.length === pairs &&
      (weights
        ? weights.length === pairs * f
        : nSV !== undefined && nSV.length === k && sv?.length === l * f && coef?.length === (k - 1) * l);
    if (!valid) throw new Error('Saved svm is malformed: its labels, intercepts, support vectors and coefficients do not fit together.');
    const model = new SvmModel();
    model.model = {
      kernel,
      C: j.C as number,
      gamma: j.gamma as number,
      degree: j.degree as number,
      coef0: j.coef0 as number,
      labels: Int32Array.from(labels),
      rho: Float64Array.from(rho),
      ...(weights ? { weights: Float64Array.from(weights) } : { nSV: Int32Array.from(nSV!), sv: Float64Array.from(sv!), coef: Float64Array.from(coef!) }),
    };
    model.features = f;
    model.classes = j.classes;
    return model;
  }

  private fitted(): Fitted {
    if (!this.model) throw new Error('svm: not trained yet; call fit first.');
    return this.model;
  }
}

/**
 * K(x, sv) for every support vector, computed as libsvm's k_function does: each vector's
 * sum has the same terms in the same order, so decision values match libsvm's to the
 * last bit. Four vectors are scanned together, reading each of the sample's values once
 * for all four (1.8× faster than one at a time).
 */
function kernelValues(m: Fitted, x: Float32Array, base: number, f: number, out: Float64Array, row: Float64Array): void {
  for (let d = 0; d < f; d++) row[d] = x[base + d];
  const rbf = m.kernel === 'rbf';
  if (rbf) squaredDistances(m.sv!, row, f, out);
  else dotProducts(m.sv!, row, f, out);
  const { gamma, coef0, degree } = m;
  const l = out.length;
  if (rbf) for (let s = 0; s < l; s++) out[s] = Math.exp(-gamma * out[s]);
  else if (m.kernel === 'poly') for (let s = 0; s < l; s++) out[s] = powi(gamma * out[s] + coef0, degree);
  else if (m.kernel === 'sigmoid') for (let s = 0; s < l; s++) out[s] = Math.tanh(gamma * out[s] + coef0);
}

function squaredDistances(sv: Float64Array, row: Float64Array, f: number, out: Float64Array): void {
  const l = out.length;
  let s = 0;
  for (let o = 0; s + 3 < l; s += 4, o += 4 * f) {
    const o1 = o + f;
    const o2 = o1 + f;
    const o3 = o2 + f;
    let v0 = 0;
    let v1 = 0;
    let v2 = 0;
    let v3 = 0;
    for (let d = 0; d < f; d++) {
      const r = row[d];
      const d0 = r - sv[o + d];
      const d1 = r - sv[o1 + d];
      const d2 = r - sv[o2 + d];
      const d3 = r - sv[o3 + d];
      v0 += d0 * d0;
      v1 += d1 * d1;
      v2 += d2 * d2;
      v3 += d3 * d3;
    }
    out[s] = v0;
    out[s + 1] = v1;
    out[s + 2] = v2;
    out[s + 3] = v3;
  }
  for (; s < l; s++) {
    const o = s * f;
    let v = 0;
    for (let d = 0; d < f; d++) {
      const diff = row[d] - sv[o + d];
      v += diff * diff;
    }
    out[s] = v;
  }
}

function dotProducts(sv: Float64Array, row: Float64Array, f: number, out: Float64Array): void {
  const l = out.length;
  let s = 0;
  for (let o = 0; s + 3 < l; s += 4, o += 4 * f) {
    const o1 = o + f;
    const o2 = o1 + f;
    const o3 = o2 + f;
    let v0 = 0;
    let v1 = 0;
    let v2 = 0;
    let v3 = 0;
    for (let d = 0; d < f; d++) {
      const r = row[d];
      v0 += r * sv[o + d];
      v1 += r * sv[o1 + d];
      v2 += r * sv[o2 + d];
      v3 += r * sv[o3 + d];
    }
    out[s] = v0;
    out[s + 1] = v1;
    out[s + 2] = v2;
    out[s + 3] = v3;
  }
  for (; s < l; s++) {
    const o = s * f;
    let v = 0;
    for (let d = 0; d < f; d++) v += row[d] * sv[o + d];
    out[s] = v;
  }
}

/** libsvm's powi: exponentiation by squaring, so poly kernels round as libsvm's do. */
function powi(base: number, times: number): number {
  let tmp = base;
  let ret = 1;
  for (let t = times; t > 0; t = Math.floor(t / 2)) {
    if (t % 2 === 1) ret *= tmp;
    tmp *= tmp;
  }
  return ret;
}

/**
 * One decision value per pair (i < j), in libsvm's order and summation order: class i's
 * vectors with coefficient row j − 1, then class j's with row i, minus ρ.
 */
function pairDecisions(m: Fitted, kvalue: Float64Array, out: Float64Array): void {
  const k = m.labels.length;
  const l = kvalue.length;
  const nSV = m.nSV!;
  const coef = m.coef!;
  let p = 0;
  let si = 0;
  for (let i = 0; i < k; i++) {
    let sj = si + nSV[i];
    for (let j = i + 1; j < k; j++) {
      let sum = 0;
      const c1 = (j - 1) * l;
      const c2 = i * l;
      for (let s = si, end = si + nSV[i]; s < end; s++) sum += coef[c1 + s] * kvalue[s];
      for (let s = sj, end = sj + nSV[j]; s < end; s++) sum += coef[c2 + s] * kvalue[s];
      out[p] = sum - m.rho[p];
      p++;
      sj += nSV[j];
    }
    si += nSV[i];
  }
}

function linearDecisions(weights: Float64Array, rho: Float64Array, x: Float32Array, base: number, f: number, out: Float64Array): void {
  for (let p = 0; p < out.length; p++) {
    const o = p * f;
    let sum = 0;
    for (let d = 0; d < f; d++) sum += weights[o + d] * x[base + d];
    out[p] = sum - rho[p];
  }
}

/**
 * Byte offsets in libsvm's `struct svm_model` (libsvm 3.x, 32-bit emscripten: 4-byte
 * pointers and ints, doubles 8-aligned). `struct svm_parameter` comes first: svm_type,
 * kernel_type, degree, then gamma at 16, coef0 24, cache_size 32, eps 40, C 48, …, 96 bytes.
 */
const OFFSET = { gamma: 16, C: 48, nrClass: 96, l: 100, svCoef: 108, rho: 112, svIndices: 124, label: 128, nSV: 132 } as const;

/**
 * Reads the trained model out of libsvm's heap. The layout is checked against what the
 * library reports through its API (class count, support-vector indices, labels) and
 * against the parameters given, so a libsvm-js that lays memory out differently fails
 * loudly here instead of predicting nonsense.
 */
function readModel(
  heap: EmscriptenModule,
  machine: LibsvmInstance,
  params: { kernel: Kernel; C: number; gamma: number; degree: number; coef0: number },
  samples: number[][],
  f: number,
): Fitted {
  const ptr = machine.model;
  const i32 = (byte: number) => heap.HEAP32[byte >> 2];
  const f64 = (byte: number) => heap.HEAPF64[byte >> 3];
  const k = i32(ptr + OFFSET.nrClass);
  const l = i32(ptr + OFFSET.l);
  const apiLabels = machine.getLabels();
  const apiIndices = machine.getSVIndices();
  const label = i32(ptr + OFFSET.label);
  const indices = i32(ptr + OFFSET.svIndices);
  const layoutOk =
    f64(ptr + OFFSET.gamma) === params.gamma &&
    f64(ptr + OFFSET.C) === params.C &&
    k === apiLabels.length &&
    l === apiIndices.length &&
    apiLabels.every((c, i) => i32(label + 4 * i) === c) &&
    apiIndices.every((s, i) => i32(indices + 4 * i) - 1 === s);
  if (!layoutOk) throw new Error('svm: libsvm-js keeps its trained model in an unexpected memory layout (has the package changed version?); cannot read the model.');

  const pairs = (k * (k - 1)) / 2;
  const rhoPtr = i32(ptr + OFFSET.rho);
  const rho = Float64Array.from({ length: pairs }, (_, p) => f64(rhoPtr + 8 * p));
  const coefRows = i32(ptr + OFFSET.svCoef);
  const coef = new Float64Array(Math.max(0, k - 1) * l);
  for (let row = 0; row < k - 1; row++) {
    const rowPtr = i32(coefRows + 4 * row);
    for (let s = 0; s < l; s++) coef[row * l + s] = f64(rowPtr + 8 * s);
  }
  const nSVPtr = i32(ptr + OFFSET.nSV);
  const nSV = Int32Array.from({ length: k }, (_, c) => i32(nSVPtr + 4 * c));
  const sv = new Float64Array(l * f);
  apiIndices.forEach((sample, s) => sv.set(samples[sample], s * f));
  const labels = Int32Array.from(apiLabels);

  if (params.kernel !== 'linear') return { ...params, labels, rho, nSV, sv, coef };
  const weights = new Float64Array(pairs * f);
  const start = new Int32Array(k);
  for (let c = 1; c < k; c++) start[c] = start[c - 1] + nSV[c - 1];
  let p = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const w = p * f;
      const add = (row: number, from: number, count: number) => {
        for (let s = from; s < from + count; s++) {
          const a = coef[row * l + s];
          for (let d = 0; d < f; d++) weights[w + d] += a * sv[s * f + d];
        }
      };
      add(j - 1, start[i], nSV[i]);
      add(i, start[j], nSV[j]);
      p++;
    }
  }
  return { ...params, labels, rho, weights };
}
