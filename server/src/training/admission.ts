import { freemem, totalmem } from 'node:os';
import type { LayerRow, Memory, ModelAnalysis } from '../analysis/model';
import { memoryIn, type EngineKind } from '../analysis/paramCounts';
import { batchText } from '../analysis/totals';
import { formatBytes, withSeparators } from '../util/format';
import type { BackendPreference } from './protocol';
import { findTorchPython, type PythonSearch } from './torch/python';

/**
 * Memory admission: before a neural model trains, its estimated training memory (in the
 * convention of the engine that trains it) plus that engine's own overhead is compared with
 * the memory this machine has available. A model that cannot fit is refused with the
 * numbers, its biggest parts and what to change, unless the user overrides the check
 * (`--skip-memory-check`, `skipMemoryCheck` in a request, "Train anyway" in VS Code).
 * Without it, a 37 GiB model on a 24 GiB machine grew for minutes until it was killed, and
 * a larger one failed with a raw "Invalid typed array length".
 *
 * The check runs wherever a run is decided: in the CLI before it starts a trainer, in the
 * language server before it queues a run, and in the trainer before it creates the run
 * folder (runTraining), which nothing that trains can go around.
 */

const MiB = 1024n * 1024n;

/** What this machine has for a new process, in bytes. */
export interface MachineMemory {
  /** Physical memory, or the container's limit when that is lower. */
  readonly total: number;
  /** What a new process can take now without swapping or pushing others out (Linux: MemAvailable, within the container's limit). */
  readonly available: number;
}

export function machineMemory(): MachineMemory {
  const physical = totalmem();
  // 0, undefined or 2^64 when no container limit applies.
  const limit = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : undefined;
  const total = limit && limit > 0 && limit < physical ? limit : physical;
  // Node 20.13+ reads the container's limit into it as well; older ones have os.freemem.
  const available = typeof process.availableMemory === 'function' ? process.availableMemory() : freemem();
  return { total, available: Math.min(available, total) };
}

/**
 * What an engine takes beyond the model's tensors, measured here as the peak resident set
 * of `node dist/cli.js train samples/iris.model --model IrisMLP` (a model of 131 params, so
 * nearly all of it is the engine; Linux, 2 cores): the trainer process with TensorFlow.js
 * on wasm 140 MiB (191 MiB when run from source through tsx, as the tests do); with
 * PyTorch the trainer 69 MiB and the Python process that imports torch and trains 244 MiB
 * (torch 1.13, CPU). Rounded up. Not measured: tfjs-node's native library, and the CUDA
 * libraries a GPU run loads into host memory, which add more.
 */
export const ENGINE_OVERHEAD = {
  tfjs: 192n * MiB,
  torchTrainer: 72n * MiB,
  torchProcess: 256n * MiB,
} as const;

/** How an engine will train, as far as the caller knows it. */
export interface EnginePlan {
  readonly engine: EngineKind;
  /** PyTorch processes (DistributedDataParallel on this machine); 1 when absent. */
  readonly processes?: number;
  /**
   * The CUDA device PyTorch trains on, when it has one: the activations, gradients and
   * optimizer state then live in the GPU's memory, and only the host's side is checked.
   * Absent: it trains in this machine's memory (the CPU, or Apple's MPS, which shares it).
   */
  readonly gpu?: string;
}

/** The plan of an engine the trainer chose: TensorFlow.js, or PyTorch in a Python whose CUDA devices are known. */
export function enginePlan(engine: { readonly kind: 'tfjs' } | { readonly kind: 'torch'; readonly python: { readonly cuda: readonly string[] } }, nproc?: number): EnginePlan {
  if (engine.kind === 'tfjs') return { engine: 'tfjs' };
  const processes = Math.max(1, nproc ?? 1);
  const gpu = engine.python.cuda[0];
  return gpu === undefined ? { engine: 'torch', processes } : { engine: 'torch', processes, gpu };
}

/** Every plan a backend may end in before the search for PyTorch has answered. */
export function candidatePlans(backend: BackendPreference, nproc?: number): EnginePlan[] {
  if (backend !== 'auto' && backend !== 'torch') return [{ engine: 'tfjs' }];
  const processes = Math.max(1, nproc ?? 1);
  const torch: EnginePlan[] = [
    { engine: 'torch', processes },
    { engine: 'torch', processes, gpu: 'a GPU' },
  ];
  return backend === 'auto' && processes === 1 ? [{ engine: 'tfjs' }, ...torch] : torch;
}

/** A model's need of host memory under one plan. */
export interface MemoryNeed {
  readonly plan: EnginePlan;
  /** The estimate in the engine's convention (batch capped at the training samples). */
  readonly memory: Memory;
  /** Host bytes that do not grow with the batch: weights, gradients and optimizer state (each process's). */
  readonly fixed: bigint;
  /** Host bytes per sample of the batch: the activations kept for the backward pass (0 on a GPU). */
  readonly perSample: bigint;
  /** The engine's own processes. */
  readonly overhead: bigint;
  /** fixed + perSample × batch + overhead. */
  readonly host: bigint;
}

export function memoryNeed(model: ModelAnalysis, plan: EnginePlan): MemoryNeed {
  const memory = memoryIn(model, plan.engine);
  const processes = BigInt(Math.max(1, plan.processes ?? 1));
  const state = memory.weightsFp32 + memory.gradients + memory.optimizerState;
  const overhead = plan.engine === 'tfjs' ? ENGINE_OVERHEAD.tfjs : ENGINE_OVERHEAD.torchTrainer + processes * ENGINE_OVERHEAD.torchProcess;
  // On a GPU the host holds each process's model while it is built, before it moves to the device.
  const fixed = plan.engine === 'torch' ? processes * (plan.gpu ? memory.weightsFp32 : state) : state;
  const perSample = plan.gpu ? 0n : memory.activationsPerSample;
  return { plan, memory, fixed, perSample, overhead, host: fixed + perSample * BigInt(memory.batchSize) + overhead };
}

export interface Refusal {
  readonly model: string;
  readonly need: MemoryNeed;
  readonly machine: MachineMemory;
  /** How many plans were possible; above 1 the refusal describes the one that needs least. */
  readonly plans: number;
  /** The largest batch_size that would fit, when one does and it is below the current batch. */
  readonly batchThatFits?: number;
  /** The refusal, a sentence a line: the numbers, the parts, what to change. */
  readonly lines: readonly string[];
}

/**
 * Refuses `model` when it needs more host memory than `machine` has available under every
 * plan in `plans` (one, when the engine is known); describes the plan that needs least.
 * Classical models are not checked: their memory is not estimated.
 */
export function checkMemory(model: ModelAnalysis, plans: readonly EnginePlan[], machine: MachineMemory): Refusal | undefined {
  if (model.kind !== 'neural' || plans.length === 0) return undefined;
  const available = BigInt(Math.max(0, Math.floor(machine.available)));
  const least = plans.map((p) => memoryNeed(model, p)).reduce((a, b) => (b.host < a.host ? b : a));
  if (least.host <= available) return undefined;
  const room = available - least.fixed - least.overhead;
  const fits = least.perSample > 0n && room >= least.perSample ? room / least.perSample : undefined;
  const batchThatFits = fits !== undefined && fits < BigInt(least.memory.batchSize) ? Number(fits) : undefined;
  return { model: model.name, need: least, machine, plans: plans.length, batchThatFits, lines: refusalLines(model, least, machine, plans.length, batchThatFits) };
}

/** The refusal as text, `hint` (how to override it where it was asked) last. */
export function refusalText(r: Refusal, hint: string, separator = '\n'): string {
  return [...r.lines, ...(hint ? [hint] : [])].join(separator);
}

/** How each place that refuses says how to train anyway. */
export const OVERRIDE_HINTS = {
  cli: 'To train anyway, pass --skip-memory-check.',
  server: 'To train anyway, send the command again with skipMemoryCheck: true (VS Code: Train anyway).',
  trainer: 'To train anyway, set skipMemoryCheck in the request (modelspec train --skip-memory-check; Train anyway in VS Code).',
} as const;

/**
 * The check made before a trainer starts, where the engine may not be known yet: `auto`
 * depends on finding a Python with PyTorch, and PyTorch's device on its CUDA devices. A
 * model that fits under every possible plan, or under none, is decided at once; in between,
 * the search (cached after its first answer) decides, as the trainer will.
 */
export async function checkBeforeLaunch(
  model: ModelAnalysis,
  opts: { readonly backend?: BackendPreference; readonly python?: string; readonly nproc?: number },
  machine: MachineMemory = machineMemory(),
  search: (python?: string) => Promise<PythonSearch> = findTorchPython,
): Promise<Refusal | undefined> {
  if (model.kind !== 'neural') return undefined;
  const backend = opts.backend ?? 'auto';
  const candidates = candidatePlans(backend, opts.nproc);
  const refused = checkMemory(model, candidates, machine);
  if (refused || candidates.length === 1) return refused;
  if (candidates.every((p) => !checkMemory(model, [p], machine))) return undefined;
  const found = (await search(opts.python)).found;
  // PyTorch asked for and missing: the trainer says so (no-engine); that is not a memory question.
  if (!found) return backend === 'auto' ? checkMemory(model, [{ engine: 'tfjs' }], machine) : undefined;
  return checkMemory(model, [enginePlan({ kind: 'torch', python: found }, opts.nproc)], machine);
}

function refusalLines(model: ModelAnalysis, need: MemoryNeed, machine: MachineMemory, plans: number, batchThatFits: number | undefined): string[] {
  const { memory, plan } = need;
  const bytes = (n: bigint | number) => formatBytes(BigInt(n));
  const processes = Math.max(1, plan.processes ?? 1);
  const engine =
    plan.engine === 'tfjs' ? 'TensorFlow.js' : `PyTorch${plan.gpu ? ` on ${plan.gpu}` : ''}${processes > 1 ? ` on ${processes} processes` : ''}`;
  const which = plans > 1 ? ` (of the engines that may train it, the one that needs least)` : '';
  const lines = [
    `${model.name} needs about ${bytes(need.host)} of memory to train with ${engine}${which}, but this machine has ${bytes(machine.available)} available (${bytes(machine.total)} in all).`,
  ];
  const optimizer = model.train.optimizer.name;
  const activations = memory.activationsPerSample * BigInt(memory.batchSize);
  const parts: [string, bigint][] = [
    [`activations ${formatBytes(memory.activationsPerSample)} × batch ${batchText(memory)} = ${formatBytes(activations)}`, activations],
    [`${optimizer} state ${formatBytes(memory.optimizerState)}`, memory.optimizerState],
    [`weights ${formatBytes(memory.weightsFp32)}`, memory.weightsFp32],
    [`gradients ${formatBytes(memory.gradients)}`, memory.gradients],
  ];
  parts.sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0));
  const own = plan.engine === 'tfjs' ? "TensorFlow.js's own process" : `PyTorch's own process${processes > 1 ? 'es' : ''} and the trainer`;
  lines.push(`Estimate ${formatBytes(memory.training)}: ${parts.map(([text]) => text).join(', ')}; plus about ${formatBytes(need.overhead)} for ${own}.`);
  if (plan.engine === 'torch' && !plan.gpu && processes > 1) {
    lines.push(`On the CPU each of the ${processes} processes keeps its own weights, gradients and ${optimizer} state; the batch is shared out between them.`);
  }
  if (plan.gpu) {
    lines.push(
      `On ${plan.gpu} this checks this machine's memory only (the weights PyTorch builds before moving them to the GPU, and its processes); the GPU's own memory, which holds the activations, gradients and optimizer state, is not checked.`,
    );
  }
  const narrow = narrowest(model, batchThatFits !== undefined || need.perSample > need.fixed);
  if (batchThatFits !== undefined) {
    const round = 2 ** Math.floor(Math.log2(batchThatFits));
    const atRound = need.fixed + need.perSample * BigInt(round) + need.overhead;
    lines.push(`To fit, lower batch_size to at most ${withSeparators(batchThatFits)} (batch_size: ${round} needs about ${formatBytes(atRound)}), or make ${narrow}.`);
  } else {
    const one = need.fixed + need.perSample + need.overhead;
    const state = plan.gpu ? 'the weights' : `the weights, gradients and ${optimizer} state`;
    lines.push(`Even a batch of 1 needs about ${formatBytes(one)}: ${state} alone are ${formatBytes(need.fixed)}. Make ${narrow}.`);
  }
  return lines;
}

/**
 * What to make narrower: the layers holding most activations when those are what does not
 * fit, else the layers holding most parameters; the biggest, and the next when it holds at
 * least a tenth of the model's, with their lines.
 */
function narrowest(model: ModelAnalysis, byActivations: boolean): string {
  const layers = model.rows.filter((r) => r.kind === 'layer');
  const size = (r: LayerRow) => (byActivations ? r.activations : (r.trainable + r.nonTrainable) * BigInt(r.count));
  const total = layers.reduce((sum, r) => sum + size(r), 0n);
  const sorted = [...layers].sort((a, b) => (size(b) > size(a) ? 1 : size(b) < size(a) ? -1 : 0));
  const top = sorted.slice(0, 2).filter((r, i) => size(r) > 0n && (i === 0 || size(r) * 10n >= total));
  const where = (r: LayerRow) => `${r.name}${r.count > 1 ? ` ×${r.count}` : ''} (line ${r.range.start.line + 1})`;
  if (byActivations) return `the layers holding most activations narrower: ${top.map((r) => `${where(r)} keeps ${formatBytes(r.activations * 4n)} per sample`).join(', ')}`;
  return `the model narrower: ${top.map((r) => `${where(r)} holds ${withSeparators(size(r))} params`).join(', ')}`;
}
