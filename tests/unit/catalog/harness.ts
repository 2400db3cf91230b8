// Runs one catalogue entry's inference directly, with defaults applied the way the
// analysis applies them, and collects what it reports.
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
