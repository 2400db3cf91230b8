import type { LayerRow, ModelAnalysis } from '../analysis/model';
import { jsonInteger } from '../util/format';

/** The `estimate --json` document: exact integers as numbers, or strings above 2^53. */
export function modelToJson(m: ModelAnalysis) {
  const j = jsonInteger;
  return {
    name: m.name,
    kind: m.kind,
    line: m.decl.name.range.start.line + 1,
    complete: m.complete,
    dataset: m.dataset
      ? {
          name: m.dataset.name,
          kind: m.dataset.kind,
          rows: m.dataset.rows ?? null,
          trainSamples: m.dataset.trainSamples ?? null,
          features: m.dataset.features ?? null,
          classes: m.dataset.classes ?? null,
        }
      : null,
    inputShape: m.inputShape ?? null,
    outputShape: m.outputShape ?? null,
    params: { trainable: j(m.totals.trainable), nonTrainable: j(m.totals.nonTrainable), total: j(m.totals.total) },
    paramsUpperBound: m.estimator?.estimate.upperBound ?? false,
    paramsDetail: m.estimator?.estimate.detail ?? null,
    macs: j(m.totals.macs),
    flops: j(m.totals.flops),
    activationsPerSample: j(m.totals.activations),
    memory: {
      weightsFp32Bytes: j(m.memory.weightsFp32),
      weightsFp16Bytes: j(m.memory.weightsFp16),
      gradientsBytes: j(m.memory.gradients),
      optimizerStateBytes: j(m.memory.optimizerState),
      activationsPerSampleBytes: j(m.memory.activationsPerSample),
      batchSize: m.memory.batchSize,
      trainingBytes: j(m.memory.training),
    },
    training: {
      optimizer: m.train.optimizer.name,
      loss: m.train.loss,
      epochs: m.compute.epochs,
      batchSize: m.train.batchSize,
      samples: m.compute.samples ?? null,
      flopsPerSample: j(m.compute.flopsPerSample),
      flops: m.compute.flops === undefined ? null : j(m.compute.flops),
    },
    layers: m.rows.map(layerToJson),
  };
}

function layerToJson(r: LayerRow) {
  const j = jsonInteger;
  return {
    name: r.name,
    kind: r.kind,
    line: r.range.start.line + 1,
    depth: r.depth,
    count: r.count,
    inputShape: r.input ?? null,
    outputShape: r.output ?? null,
    params: j(r.trainable + r.nonTrainable),
    trainable: j(r.trainable),
    nonTrainable: j(r.nonTrainable),
    macs: j(r.macs),
  };
}
