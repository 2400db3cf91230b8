/**
 * The training-time rows of a model's hover: this machine (the same figure as
 * `estimate --json`, from trainTime.ts `estimateTraining`) and each accelerator row.
 */
import type { ModelAnalysis } from '../analysis/model';
import type { MachineTimings } from '../training/calibrationFile';
import type { EngineChoice } from '../training/engineChoice';
import type { TimeEstimate } from '../training/trainTime';
import { editorEstimate } from '../training/machineNow';
import { BUILT_IN_MACHINE } from '../training/builtInStepModel';
import { formatDuration, withSeparators } from '../util/format';
import type { Settings } from './config';
import { acceleratorFlopsPerSecond, secondsFor } from '../training/timeArithmetic';


/** Like formatDuration, but a time too short to round to a millisecond reads "< 1 ms", not "0 ms". */
export function duration(seconds: number): string {
  return seconds < 0.0005 ? '< 1 ms' : formatDuration(seconds);
}

function escapeCell(s: string): string {
  return s.replace(/[|\\`*_]/g, (c) => `\\${c}`);
}

/** A lower bound in full, however short: "at least < 1 ms" would say nothing. */
function boundDuration(seconds: number): string {
  return seconds < 0.0005 ? `${Number((seconds * 1000).toPrecision(2))} ms` : formatDuration(seconds);
}

/** "≈ 12.3 s: 450 steps × 4.1 ms + 30 validation batches + 3.2 s of arithmetic + 10 epochs × 12 ms + 180 ms start-up" */
export function estimateText(e: TimeEstimate): string {
  const validation = e.validationBatches ? ` + ${withSeparators(BigInt(e.validationBatches))} validation batches` : '';
  const fixed = ` + ${withSeparators(BigInt(e.epochs))} epoch${e.epochs === 1 ? '' : 's'} × ${e.epochMs.toFixed(0)} ms + ${duration(e.runMs / 1000)} start-up`;
  return `≈ ${duration(e.ms / 1000)}: ${withSeparators(BigInt(e.steps))} steps × ${e.dispatchMs.toFixed(1)} ms${validation} + ${duration(e.arithmeticMs / 1000)} of arithmetic${fixed}`;
}

/** Where the figure comes from, for the hover's notes. */
export function basisNote(e: TimeEstimate): string {
  const load = e.slowdown > 1.05 ? ` The machine is busy: ×${e.slowdown.toFixed(1)} for its load average, as a single-threaded run gets that much less of a core.` : '';
  return `${basisText(e)}${load}`;
}

function basisText(e: TimeEstimate): string {
  const built = `the built-in model of a TensorFlow.js (wasm) training step — a fixed cost per step, per layer and per recurrent time step, plus each layer's arithmetic at the rate its kind of product reached — measured on ${BUILT_IN_MACHINE} (docs/estimates.md)`;
  if (e.basis === 'runs') {
    const newest = e.runs[e.runs.length - 1];
    return `*This machine* is ${built}, scaled ×${(e.scale / e.slowdown).toFixed(2)} by how ${e.runs.length === 1 ? 'a run' : `the last ${e.runs.length} runs`} of ${newest.kind} models here compared with it (newest: ${newest.model} on ${newest.backend}, ${newest.at.slice(0, 10)}).`;
  }
  if (e.basis === 'first-use') {
    return `*This machine* is ${built}, scaled ×${(e.scale / e.slowdown).toFixed(2)} by this machine's plain-JavaScript speed against that machine's; after a first run here, the runs set the scale.`;
  }
  return `*This machine* is ${built}, unscaled.`;
}

/**
 * The hover's time rows for `flops` training FLOPs (3 × forward × samples × epochs), or
 * per 1,000 samples per epoch without a dataset; and the note on this machine's figure.
 */
export function timeRows(model: ModelAnalysis, settings: Settings, engine: EngineChoice, timings: MachineTimings): { rows: [string, string][]; notes: string[] } {
  const c = model.compute;
  const perThousand = c.samples === undefined;
  const samples = c.samples ?? 1000;
  const epochs = perThousand ? 1 : c.epochs;
  const suffix = perThousand ? ' per 1,000 samples per epoch' : '';
  const flops = c.flopsPerSample * BigInt(samples) * BigInt(epochs);
  const e = editorEstimate(model, timings, samples, epochs);
  // Both ways of timing this machine measure TensorFlow.js: not PyTorch.
  const label = engine.engine === 'torch' ? 'This machine (TensorFlow.js)' : 'This machine';
  const rows: [string, string][] = [];
  if (e) rows.push([label, `${estimateText(e)}${suffix}`]);
  for (const a of settings.accelerators) {
    // Only the arithmetic: no per-step or per-op cost of an accelerator is measured here, so the figure is a lower bound and says so.
    rows.push([escapeCell(a.name), `at least ${boundDuration(secondsFor(flops, acceleratorFlopsPerSecond(a)))}${suffix}: the arithmetic alone at ${a.peakTflops} TFLOP/s peak × ${Math.round(a.utilization * 100)}% utilisation, without per-step costs`]);
  }
  return { rows, notes: e ? [basisNote(e)] : [] };
}

