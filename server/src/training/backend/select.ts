/**
 * Picks and initialises the TensorFlow.js backend for training, and says which one and why.
 *
 * Order: native TensorFlow (`@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node`: optional,
 * not installable everywhere) → `wasm` with Modelspec's training kernels → the pure-JS
 * `cpu` backend, ~100x slower for convolutions and embeddings and so only a last resort.
 *
 * Bundling: the wasm backend's JS glue is bundled, but its binaries are read from disk at
 * run time. They are looked up first in a `wasm/` folder next to the running bundle
 * (`dist/wasm/` for `dist/trainer.js`), where the build copies
 * `node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm{,-simd}.wasm` so they
 * always match the bundled glue, then in the installed package.
 *
 * wasm runs single-threaded: tfjs never loads its threaded build under Node, and forcing
 * it (bench/train-throughput-threads.ts) made training slower, not faster.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';

export type BackendPreference = 'node' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The tfjs backend now active (`tf.getBackend()`); 'tensorflow' is tfjs-node's native one. */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** Threads the backend computes with. */
  threads: number;
  /** Whether the backend's arithmetic is vectorised (wasm SIMD build, native TensorFlow). */
  simd: boolean;
  /** Why a preferred (or higher-ranked) backend is not the one in use. */
  fallbackReason?: string;
}

/**
 * The binaries the wasm backend can load under Node: the SIMD build, and the plain one
 * for a runtime without wasm SIMD. (The package's third, threaded build is never chosen
 * under Node.) The build copies these next to a bundle.
 */
export const WASM_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'] as const;

type TF = typeof import('@tensorflow/tfjs');

/**
 * A require that esbuild leaves alone, so optional native packages are looked up at run
 * time from the bundle's location instead of failing the build.
 */
const runtimeRequire = createRequire(__filename);

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0];
}

/** Folders holding the wasm binaries, in the order they are tried. */
export function wasmDirectories(): string[] {
  const dirs: string[] = [];
  if (process.env.MODELSPEC_WASM_DIR) dirs.push(process.env.MODELSPEC_WASM_DIR);
  dirs.push(join(__dirname, 'wasm'));
  try {
    dirs.push(join(dirname(runtimeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // Not resolvable from here (a bundle shipped without node_modules): only the copies next to it.
  }
  return dirs;
}

/** The first of `wasmDirectories()` that holds all the binaries. */
export function findWasmDirectory(): string | undefined {
  return wasmDirectories().find((dir) => WASM_BINARIES.every((name) => existsSync(join(dir, name))));
}

/**
 * Runs `fn` with tfjs's own warnings let through and collected: with prod mode on, a
 * failing `setBackend` returns false without a word, and its warning is the only
 * record of why.
 */
async function collectingWarnings<T>(tf: TF, fn: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = [];
  const original = console.warn;
  const prod = tf.env().getBool('PROD');
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  };
  tf.env().set('PROD', false);
  try {
    return { result: await fn(), warnings };
  } finally {
    tf.env().set('PROD', prod);
    console.warn = original;
  }
}

async function switchTo(tf: TF, name: string): Promise<string | undefined> {
  const { result, warnings } = await collectingWarnings(tf, () => tf.setBackend(name));
  if (result && tf.getBackend() === name) return undefined;
  const detail = warnings.filter((w) => !w.startsWith('Initialization of backend')).join('; ') || 'no reason given';
  return `setBackend('${name}') failed (still on ${tf.getBackend() ?? 'none'}): ${detail}`;
}

async function tryNative(tf: TF): Promise<{ info?: BackendInfo; reason?: string }> {
  const reasons: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      runtimeRequire(pkg);
    } catch (error) {
      const code = (error as { code?: string }).code;
      const missing = code === 'MODULE_NOT_FOUND' && message(error).includes(pkg);
      reasons.push(missing ? `${pkg} is not installed` : `${pkg} failed to load: ${message(error)}`);
      continue;
    }
    // tfjs keeps its engine and kernel registry on globalThis, so the native backend
    // registers where this copy of tfjs sees it even when tfjs itself is bundled.
    if (tf.findBackendFactory('tensorflow') == null) {
      reasons.push(`${pkg} loaded but registered no 'tensorflow' backend`);
      continue;
    }
    const failure = await switchTo(tf, 'tensorflow');
    if (failure) {
      reasons.push(`${pkg}: ${failure}`);
      continue;
    }
    // Native TensorFlow sizes its intra-op pool to the machine and uses the CPU's vector units.
    return { info: { name: 'tensorflow', threads: availableParallelism(), simd: true } };
  }
  return { reason: reasons.join('; ') };
}

async function tryWasm(tf: TF): Promise<{ info?: BackendInfo; reason?: string }> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    return { reason: `@tensorflow/tfjs-backend-wasm failed to load: ${message(error)}` };
  }
  const dir = findWasmDirectory();
  if (dir === undefined) return { reason: `the wasm binaries (${WASM_BINARIES[1]}, ...) were not found in ${wasmDirectories().join(', ')}` };
  // The kernels must be in place before the first tensor op on wasm; registering is idempotent.
  const { registerWasmTrainingKernels } = require('./kernels/index') as typeof import('./kernels/index');
  registerWasmTrainingKernels();
  if (tf.engine().registry['wasm'] == null) {
    try {
      wasm.setWasmPaths(dir.endsWith('/') ? dir : `${dir}/`);
    } catch (error) {
      return { reason: `the wasm backend could not be configured: ${message(error)}` };
    }
  }
  const failure = await switchTo(tf, 'wasm');
  if (failure) return { reason: failure };
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return { info: { name: 'wasm', threads: wasm.getThreadsCount(), simd } };
}

async function useCpu(tf: TF, reasons: string[]): Promise<BackendInfo> {
  const failure = await switchTo(tf, 'cpu');
  if (failure) throw new Error(`no TensorFlow.js backend could be initialised: ${[...reasons, failure].join('; ')}`);
  return { name: 'cpu', threads: 1, simd: false, ...(reasons.length ? { fallbackReason: reasons.join('; ') } : {}) };
}

/**
 * Initialises the best available backend, starting from `preferred` (default: the native
 * one), and returns what is active. Never throws while the pure-JS `cpu` backend works;
 * every skipped candidate is explained in `fallbackReason`.
 */
export async function initBackend(preferred: BackendPreference = 'node'): Promise<BackendInfo> {
  // Loaded here, not at the top, so that importing this module (e.g. for its types or
  // `describeBackend`) does not cost tfjs's half-second load.
  const tf = require('@tensorflow/tfjs') as TF;
  // Also silences the "install tfjs-node" banner on stderr.
  tf.enableProdMode();
  // Dilated convolutions have no gradient in tfjs-core on any backend; these add one.
  (require('./gradients') as typeof import('./gradients')).registerDilatedConvGradients();
  const reasons: string[] = [];
  if (preferred === 'node') {
    const native = await tryNative(tf);
    if (native.info) return native.info;
    reasons.push(native.reason ?? 'native backend unavailable');
  }
  if (preferred === 'node' || preferred === 'wasm') {
    const wasm = await tryWasm(tf);
    if (wasm.info) return reasons.length ? { ...wasm.info, fallbackReason: reasons.join('; ') } : wasm.info;
    reasons.push(wasm.reason ?? 'wasm backend unavailable');
  }
  return useCpu(tf, reasons);
}

/** One line for logs and the run record, e.g. "wasm (SIMD, 1 thread)". */
export function describeBackend(info: BackendInfo): string {
  const name = info.name === 'tensorflow' ? 'tensorflow (tfjs-node)' : info.name;
  const features = [info.simd ? 'SIMD' : 'no SIMD', `${info.threads} thread${info.threads === 1 ? '' : 's'}`].join(', ');
  return `${name} (${features})${info.fallbackReason ? ` — ${info.fallbackReason}` : ''}`;
}
