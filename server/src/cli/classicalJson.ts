import type { ModelAnalysis } from '../analysis/model';
import { classicalFitOf } from '../analysis/totals';
import { jsonInteger } from '../util/format';

/**
 * The `memory` and `training` blocks of a classical model in `estimate --json`: what its
 * fit holds and does, in the estimator's own terms, with no optimizer, epochs or
 * gradients (a classical fit has none). `fitBytes` is an upper bound of the fit's peak
 * memory (docs/estimates.md); fit figures are null when the data is unknown.
 */
export function classicalMemoryJson(m: ModelAnalysis) {
  const j = jsonInteger;
  const fit = classicalFitOf(m);
  const model = (m.estimator?.estimate.params ?? m.totals.total) * 4n;
  return {
    modelFp32Bytes: j(model),
    fitBytes: fit ? j(fit.memory.bytes) : null,
    fitParts: fit ? fit.memory.parts.map((p) => ({ label: p.label, bytes: j(p.bytes) })) : null,
  };
}

export function classicalTrainingJson(m: ModelAnalysis) {
  const fit = classicalFitOf(m);
  return {
    estimator: m.estimator?.entry.name ?? null,
    samples: m.dataset?.trainSamples ?? null,
    work: fit ? jsonInteger(fit.work.ops) : null,
    workUnit: fit?.work.unit ?? null,
    workDetail: fit?.work.detail ?? null,
    workUpperBound: fit?.work.upperBound ?? null,
  };
}
