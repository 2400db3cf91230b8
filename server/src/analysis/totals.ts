import { optimizerSlots } from '../catalog/settings';
import { formatBytes, formatSI, withSeparators } from '../util/format';
import type { ClassicalFit, FitMemoryPart, LayerRow, Memory, ModelAnalysis, Totals, TrainingCompute, TrainSettings } from './model';

const FP32 = 4n;
const FP16 = 2n;

export function sumRows(rows: readonly LayerRow[]): Totals {
  let trainable = 0n;
  let nonTrainable = 0n;
  let macs = 0n;
  let activations = 0n;
  // What PyTorch counts beyond `trainable` (recurrent layers' second bias vectors).
  let torchExtra = 0n;
  for (const r of rows) {
    if (r.kind !== 'layer') continue;
    activations += r.activations;
    if (r.count === 1) {
      trainable += r.trainable;
      nonTrainable += r.nonTrainable;
      macs += r.macs;
      if (r.torchTrainable !== undefined) torchExtra += r.torchTrainable - r.trainable;
      continue;
    }
    const n = BigInt(r.count);
    trainable += r.trainable * n;
    nonTrainable += r.nonTrainable * n;
    macs += r.macs * n;
    if (r.torchTrainable !== undefined) torchExtra += (r.torchTrainable - r.trainable) * n;
  }
  return {
    trainable,
    nonTrainable,
    total: trainable + nonTrainable,
    torch: { params: trainable + torchExtra, buffers: nonTrainable },
    macs,
    flops: 2n * macs,
    activations,
  };
}

/**
 * Training memory = fp32 weights + gradients + optimizer state + activations kept for the
 * backward pass × batch. A step never holds more samples than an epoch has, so the batch is
 * min(batch_size, training samples) when the training samples are known.
 */
export function memoryOf(totals: Totals, train: TrainSettings, trainSamples?: number): Memory {
  const momentum = typeof train.optimizer.args.momentum === 'number' ? train.optimizer.args.momentum : 0;
  const slots = BigInt(optimizerSlots(train.optimizer.name, momentum));
  const weightsFp32 = totals.total * FP32;
  const gradients = totals.trainable * FP32;
  const optimizerState = totals.trainable * FP32 * slots;
  const activationsPerSample = totals.activations * FP32;
  const batchSize = effectiveBatch(train.batchSize, trainSamples);
  return {
    weightsFp32,
    weightsFp16: totals.total * FP16,
    gradients,
    optimizerState,
    activationsPerSample,
    batchSize,
    batchSetting: train.batchSize,
    training: weightsFp32 + gradients + optimizerState + activationsPerSample * BigInt(batchSize),
  };
}

/** The most samples one step holds: batch_size, capped at the training samples when they are known. */
export function effectiveBatch(batchSize: number, trainSamples: number | undefined): number {
  return trainSamples !== undefined && trainSamples > 0 && trainSamples < batchSize ? trainSamples : batchSize;
}

/** "120 (batch_size 1,000,000,000, capped at the 120 training samples)", or just "16" (or "4,096") when nothing was capped. */
export function batchText(memory: Memory): string {
  if (memory.batchSize >= memory.batchSetting) return withSeparators(memory.batchSize);
  return `${withSeparators(memory.batchSize)} (batch_size ${withSeparators(memory.batchSetting)}, capped at the ${withSeparators(memory.batchSize)} training samples)`;
}

/** Backward ≈ 2 × forward, so one training step costs ≈ 3 × forward FLOPs per sample. */
export function computeOf(totals: Totals, train: TrainSettings, samples: number | undefined): TrainingCompute {
  const flopsPerSample = 3n * totals.flops;
  return {
    samples,
    epochs: train.epochs,
    flopsPerSample,
    flops: samples === undefined ? undefined : flopsPerSample * BigInt(samples) * BigInt(train.epochs),
  };
}

// ---- classical fits ---------------------------------------------------------
//
// Byte counts follow what the engines in server/src/training/classical/ allocate (their
// own trees and logistic regression, libsvm-js for the SVM), on 64-bit Node: typed
// arrays at their element size, a JavaScript array of doubles at 8 bytes per element
// plus 48 bytes of object and header, a growable JavaScript array of small integers at
// 8 bytes per element. bench/classical-memory.ts checks the totals against the peak RSS
// of real fits; docs/estimates.md has the measurements.

/**
 * What a fit takes beyond its arrays: code the engine compiles for it, growth of V8's heap
 * and young generation. Measured as the peak RSS of real fits less the parts counted here,
 * at most 10.2 MiB over 3 runs of 13 fits (bench/classical-memory.ts); rounded up.
 */
const RUNTIME_BYTES = 12n * 1024n * 1024n;
/** libsvm's default kernel cache (svm-train -m 100), which libsvm-js keeps. */
const LIBSVM_CACHE_BYTES = 100n * 1024n * 1024n;
/** One svm_node in wasm32: a 4-byte index padded to 8, and a double. */
const SVM_NODE_BYTES = 16n;
/** Per sample of the largest sub-problem: alpha, G, G_bar, p, QD, x_square (doubles), y, alpha_status (bytes), active_set, x pointer (int32), cache head (16 bytes). */
const SVM_SOLVER_BYTES_PER_SAMPLE = 6n * 8n + 2n + 2n * 4n + 16n;
/** A JavaScript array of doubles: JSArray (32) + FixedDoubleArray header (16) + the outer array's slot (8). */
const JS_ROW_OVERHEAD = 56n;
/** A tree node while growing: four JavaScript arrays at 8 bytes a slot, which grow by about half again; then frozen as int32, float64, int32, int32. */
const NODE_GROWING_BYTES = 48n;
const NODE_FROZEN_BYTES = 20n;
/**
 * How much garbage of typed arrays V8 lets build up before it collects: its external-memory
 * limit starts at 64 MiB. A forest drops each tree's scratch arrays when the tree is done;
 * on digits all 100 trees' scratch (23 MiB) was still held when the fit ended.
 */
const V8_EXTERNAL_GARBAGE_BYTES = 64n * 1024n * 1024n;
/** Of n draws with replacement from n samples, about 1 − 1/e are distinct. */
const BOOTSTRAP_DISTINCT = 1 - Math.exp(-1);

/**
 * The fit of a classical model: its memory at the peak and its work, from the estimator's
 * arguments (defaults applied) and the data; undefined without an estimator or without
 * the training samples, features and classes.
 */
export function classicalFitOf(m: ModelAnalysis): ClassicalFit | undefined {
  const est = m.estimator;
  const d = m.dataset;
  if (m.kind !== 'classical' || !est || !d || d.trainSamples === undefined || d.features === undefined || d.classes === undefined) return undefined;
  const n = d.trainSamples;
  const f = d.features;
  const k = d.classes;
  if (!(n > 0 && f > 0 && k > 0)) return undefined;
  const N = BigInt(n);
  const F = BigInt(f);
  // What the fit worker receives: the training split as float32 rows and int32 labels.
  const input: FitMemoryPart = { label: `training data (${withSeparators(n)} × ${withSeparators(f)} float32 + int32 labels)`, bytes: 4n * N * F + 4n * N };
  switch (est.entry.name) {
    case 'logistic_regression':
      return logisticFit(est.args.iterations as number, N, F, k, input);
    case 'svm':
      return svmFit(est.args.kernel as string, N, F, k, trainClassCounts(m), input, est.estimate);
    case 'decision_tree':
      return treeFit(1n, N, N, F, est.args.max_depth as number | undefined, est.estimate.params / 4n, input);
    case 'random_forest':
      return treeFit(BigInt(est.args.trees as number), N, BigInt(Math.ceil(n * BOOTSTRAP_DISTINCT)), F, est.args.max_depth as number | undefined, est.estimate.params / 4n, input);
    default:
      return undefined;
  }
}

function fit(parts: FitMemoryPart[], work: ClassicalFit['work']): ClassicalFit {
  const all = [...parts, { label: 'JavaScript engine working space (compiled code, heap growth)', bytes: RUNTIME_BYTES }];
  return { memory: { bytes: all.reduce((a, p) => a + p.bytes, 0n), parts: all }, work };
}

function logisticFit(iterations: number, N: bigint, F: bigint, classes: number, input: FitMemoryPart): ClassicalFit {
  const vectors = classes <= 2 ? 1n : BigInt(classes);
  const padded = ((N + 3n) / 4n) * 4n;
  const I = BigInt(iterations);
  return fit(
    [
      input,
      { label: 'float64 copy of the data (rows padded to a multiple of 4)', bytes: 8n * padded * F },
      { label: `weights, gradients and momentum (6 × ${withSeparators(vectors * (F + 1n))} float64)`, bytes: 48n * vectors * (F + 1n) },
    ],
    {
      // Each pass computes every sample's logits and adds its share of the gradient.
      ops: (I + 1n) * 2n * N * (F + 1n) * vectors,
      unit: 'multiply-adds',
      detail: `≤ (${withSeparators(I)} iterations + 1) × 2 (logits, gradient) × ${withSeparators(N)} samples × ${withSeparators(F + 1n)} weights × ${withSeparators(vectors)} vector${vectors === 1n ? '' : 's'}; stops earlier once converged`,
      upperBound: true,
    },
  );
}

/**
 * Training samples per class, from the dataset's label counts scaled to the training split
 * (the split is stratified); undefined when the counts are unknown.
 */
function trainClassCounts(m: ModelAnalysis): number[] | undefined {
  const d = m.dataset!;
  const counts = d.labelCounts;
  if (!counts || counts.length !== d.classes) return undefined;
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return undefined;
  return counts.map((c) => Math.round((c * d.trainSamples!) / total));
}

function svmFit(kernel: string, N: bigint, F: bigint, classes: number, counts: number[] | undefined, input: FitMemoryPart, estimate: { params: bigint }): ClassicalFit {
  // libsvm trains one machine per pair of classes on those two classes' samples; the
  // largest pair sets the peak, and each pair's kernel matrix is its work.
  let largest = N;
  let kernelValues = N * N;
  if (classes > 2) {
    // Without label counts (generated data), classes are taken as balanced, as the generators make them.
    counts ??= Array.from({ length: classes }, () => Math.ceil(Number(N) / classes));
    const sorted = [...counts].sort((a, b) => b - a);
    largest = BigInt(sorted[0] + sorted[1]);
    const sum = BigInt(counts.reduce((a, b) => a + b, 0));
    const squares = counts.reduce((a, c) => a + BigInt(c) * BigInt(c), 0n);
    // Σ over pairs i < j of (c_i + c_j)² = (k − 2)·Σc² + (Σc)².
    kernelValues = BigInt(classes - 2) * squares + sum * sum;
  }
  const cacheFull = 4n * largest * largest;
  const cache = cacheFull < LIBSVM_CACHE_BYTES ? cacheFull : LIBSVM_CACHE_BYTES;
  const vectors = kernel === 'linear' ? 0n : N;
  const pairText = classes > 2 ? `largest one-vs-one problem, ${withSeparators(largest)} samples` : `${withSeparators(largest)} samples`;
  return fit(
    [
      input,
      { label: 'rows as JavaScript float64 arrays (libsvm-js input)', bytes: N * (8n * F + JS_ROW_OVERHEAD) },
      { label: `libsvm's copy (${SVM_NODE_BYTES} bytes per value + an end marker per row)`, bytes: SVM_NODE_BYTES * N * (F + 1n) },
      {
        label: `kernel cache (float32 columns of the ${pairText}${cache < cacheFull ? `; libsvm's ${formatBytes(LIBSVM_CACHE_BYTES)} limit` : ''})`,
        bytes: cache,
      },
      { label: 'solver state of that problem', bytes: SVM_SOLVER_BYTES_PER_SAMPLE * largest },
      { label: kernel === 'linear' ? 'weight vectors' : 'support vectors read back as float64 (at most every sample)', bytes: kernel === 'linear' ? 8n * estimate.params : 8n * vectors * (F + BigInt(Math.max(1, classes - 1))) },
    ],
    {
      ops: kernelValues * F,
      unit: 'multiply-adds',
      detail: `≈ ${withSeparators(kernelValues)} kernel values (each one-vs-one problem's kernel matrix once, as the cache holds it) × ${withSeparators(F)} features; SMO iterations that evict cached columns compute some again`,
      upperBound: false,
    },
  );
}

function treeFit(trees: bigint, N: bigint, perTree: bigint, F: bigint, maxDepth: number | undefined, nodesBound: bigint, input: FitMemoryPart): ClassicalFit {
  const nodesPerTree = nodesBound / trees;
  // Each level of a tree scans and partitions every feature of the node's samples once.
  const log2 = BigInt(Math.max(1, Math.ceil(Math.log2(Number(perTree)))));
  const levels = maxDepth !== undefined && BigInt(maxDepth) < log2 ? BigInt(maxDepth) : log2;
  const forest = trees > 1n;
  // What one tree allocates and drops: its order, partition buffer and left/right marks.
  const scratch = 4n * perTree * F + 4n * perTree + N;
  const earlier = (trees - 1n) * scratch;
  const garbage = earlier < V8_EXTERNAL_GARBAGE_BYTES ? earlier : V8_EXTERNAL_GARBAGE_BYTES;
  return fit(
    [
      input,
      { label: 'presorted columns (float32 values + int32 order)', bytes: 8n * N * F + 12n * N },
      {
        label: `${forest ? "one tree's" : "the tree's"} working order (int32 per ${forest ? 'distinct bootstrap ' : ''}sample and feature) and sample weights`,
        bytes: scratch + 12n * N,
      },
      ...(forest
        ? [{ label: `earlier trees' scratch not yet collected (${earlier > V8_EXTERNAL_GARBAGE_BYTES ? "up to V8's 64 MiB external-memory limit" : `${withSeparators(trees - 1n)} trees' worth`})`, bytes: garbage }]
        : []),
      {
        label: `${forest ? `${withSeparators(trees)} trees × ` : ''}≤ ${withSeparators(nodesPerTree)} nodes (${NODE_FROZEN_BYTES} bytes each kept, ${NODE_GROWING_BYTES} while growing)`,
        bytes: nodesBound * NODE_FROZEN_BYTES + nodesPerTree * NODE_GROWING_BYTES,
      },
    ],
    {
      ops: trees * perTree * F * levels + 4n * N * F,
      unit: 'sample-feature visits',
      detail: `≈ ${forest ? `${withSeparators(trees)} trees × ` : ''}${withSeparators(perTree)} ${forest ? 'distinct bootstrap ' : ''}samples × ${withSeparators(F)} features × ${withSeparators(levels)} levels (${
        maxDepth !== undefined && BigInt(maxDepth) < log2 ? 'max_depth' : 'log₂ samples, a balanced tree'
      }) + a 4-pass radix presort`,
      upperBound: false,
    },
  );
}

/** A classical fit's memory (what holds it) and work, or why they are unknown. */
export function fitFacts(m: ModelAnalysis): [string, string][] {
  const fit = classicalFitOf(m);
  if (!fit) return [['Fit memory', 'unknown: needs a dataset with known rows, features and classes']];
  const mem = fit.memory;
  const w = fit.work;
  return [
    ['Fit memory', `≤ ${formatBytes(mem.bytes)} = ${mem.parts.map((p) => `${p.label} ${formatBytes(p.bytes)}`).join(' + ')}`],
    ['Fit work', `${w.upperBound ? '≤ ' : '≈ '}${withSeparators(w.ops)} ${w.unit}${w.ops >= 1000n ? ` (${formatSI(w.ops)})` : ''}: ${w.detail}`],
  ];
}
