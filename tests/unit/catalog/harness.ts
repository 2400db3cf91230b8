// Runs one catalogue entry's inference directly, with defaults applied the way the
// analysis applies them, and collects what it reports.
import assert from 'node:assert/strict';
import type { Args, EstimatorEntry, LayerEntry, LayerEstimate, ModelFacts, Report, Shape } from '../../../server/src/catalog/types';

export function withDefaults(entry: { args: LayerEntry['args'] }, args: Record<string, unknown>): Args {
  const out: Record<string, unknown> = {};
  for (const spec of entry.args) if (spec.default !== undefined) out[spec.name] = spec.default;
  return { ...out, ...args } as Args;
}

export function runLayer(
  entry: LayerEntry,
  input: Shape,
  args: Record<string, unknown> = {},
  model: ModelFacts = {},
): { result: LayerEstimate | undefined; reports: Report[] } {
  const reports: Report[] = [];
  const ctx = {
    input,
    args: withDefaults(entry, args),
    model,
    report: (r: Report) => reports.push(r),
    inferNested: (layer: { entry: LayerEntry; args: Args }, nestedInput: Shape) =>
      layer.entry.infer({ ...ctx, input: nestedInput, args: layer.args }),
  };
  return { result: entry.infer(ctx as never), reports };
}

/** Runs `entry`; it must report nothing and give an estimate, which is returned. */
export function ok(entry: LayerEntry, input: Shape, args: Record<string, unknown> = {}): LayerEstimate {
  const { result, reports } = runLayer(entry, input, args);
  assert.deepEqual(reports, []);
  assert.ok(result);
  return result;
}

/** Runs `entry`; it must report exactly one thing, returned as `report` beside the run. */
export function only(entry: LayerEntry, input: Shape, args: Record<string, unknown> = {}) {
  const run = runLayer(entry, input, args);
  assert.equal(run.reports.length, 1, JSON.stringify(run.reports));
  return { ...run, report: run.reports[0] };
}

/** `ok` for a layer without weights or MACs (all three must be 0): returns its output shape. */
export function okFree(entry: LayerEntry, input: Shape, args: Record<string, unknown> = {}): Shape {
  const result = ok(entry, input, args);
  assert.equal(result.trainable, 0n);
  assert.equal(result.nonTrainable, 0n);
  assert.equal(result.macs, 0n);
  return result.output;
}

/** `only` where the one report stops the layer (no estimate): returns the report. */
export function onlyRefused(entry: LayerEntry, input: Shape, args: Record<string, unknown> = {}): Report {
  const run = only(entry, input, args);
  assert.equal(run.result, undefined);
  return run.report;
}

export function runEstimator(
  entry: EstimatorEntry,
  features: number,
  classes: number,
  args: Record<string, unknown> = {},
  trainSamples?: number,
) {
  const reports: Report[] = [];
  const result = entry.estimate({ args: withDefaults(entry, args), features, classes, trainSamples, report: (r) => reports.push(r) });
  return { result, reports };
}
