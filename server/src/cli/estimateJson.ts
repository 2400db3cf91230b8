import type { LayerRow, ModelAnalysis } from '../analysis/model';
import { CONVENTIONS, countsDiffer, memoryIn, modelCounts, paramsIn, rowCounter, SAME_IN_BOTH, type Counts, type EngineKind } from '../analysis/paramCounts';
import { editorEstimate } from '../training/machineNow';
import { NO_TIMINGS, type MachineTimings } from '../training/calibrationFile';
import type { EngineChoice } from '../training/engineChoice';
import { jsonInteger } from '../util/format';
import { classicalMemoryJson, classicalTrainingJson } from './classicalJson';

/**
 * The `estimate --json` document: exact integers as numbers, or strings above 2^53.
 * `params` (and each layer's counts) is the training engine's own count; `engine` names it
 * where the engines count differently and is null where they count the same (and for
 * classical models); `paramsByEngine` holds both counts. `training.estimatedMs` is the
 * hover's time for this machine (the same function), from the runs folder's `timings`.
 */
export function modelToJson(m: ModelAnalysis, choice: EngineChoice, timings: MachineTimings = NO_TIMINGS) {
  const j = jsonInteger;
  const neural = m.kind !== 'classical';
  const counts = modelCounts(m.totals);
  // The CLI resolves the engine whenever a model's counts differ; TensorFlow.js is what auto falls back to.
  const engine = neural && countsDiffer(counts) ? (choice.engine ?? 'tfjs') : undefined;
  const params = paramsIn(counts, engine ?? 'tfjs');
  const countRow = rowCounter(m.rows);
  const memory = memoryIn(m, engine ?? 'tfjs');
  const time = neural ? editorEstimate(m, timings) : undefined;
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
    engine: engine ?? null,
    paramsConvention: neural ? (engine ? CONVENTIONS[engine] : SAME_IN_BOTH) : null,
    params: { trainable: j(params.trainable), nonTrainable: j(params.nonTrainable), total: j(params.total) },
    paramsByEngine: neural ? countsToJson(counts) : null,
    paramsUpperBound: m.estimator?.estimate.upperBound ?? false,
    paramsDetail: m.estimator?.estimate.detail ?? null,
    macs: j(m.totals.macs),
    flops: j(m.totals.flops),
    activationsPerSample: j(m.totals.activations),
    memory: !neural ? classicalMemoryJson(m) : {
      weightsFp32Bytes: j(memory.weightsFp32),
      weightsFp16Bytes: j(memory.weightsFp16),
      gradientsBytes: j(memory.gradients),
      optimizerStateBytes: j(memory.optimizerState),
      activationsPerSampleBytes: j(memory.activationsPerSample),
      batchSize: memory.batchSize,
      trainingBytes: j(memory.training),
    },
    training: !neural ? classicalTrainingJson(m) : {
      optimizer: m.train.optimizer.name,
      loss: m.train.loss,
      epochs: m.compute.epochs,
      batchSize: m.train.batchSize,
      samples: m.compute.samples ?? null,
      flopsPerSample: j(m.compute.flopsPerSample),
      flops: m.compute.flops === undefined ? null : j(m.compute.flops),
      estimatedMs: time ? Math.round(time.ms) : null,
      estimateBasis: time?.basis ?? null,
      // The figure times TensorFlow.js's wasm engine, also when PyTorch would train (not modelled yet).
      estimateEngine: time ? 'tfjs' : null,
    },
    layers: m.rows.map((r) => layerToJson(r, countRow(r), engine ?? 'tfjs', neural)),
  };
}

/** Both engines' counts, as `estimate --json` and the models view carry them. */
export function countsToJson(c: Counts) {
  const j = jsonInteger;
  return {
    tfjs: { trainable: j(c.tfjs.trainable), nonTrainable: j(c.tfjs.nonTrainable), total: j(c.tfjs.total) },
    torch: { params: j(c.torch.params), buffers: j(c.torch.buffers) },
  };
}

function layerToJson(r: LayerRow, counts: Counts, engine: EngineKind, neural: boolean) {
  const j = jsonInteger;
  const params = paramsIn(counts, engine);
  return {
    name: r.name,
    kind: r.kind,
    line: r.range.start.line + 1,
    depth: r.depth,
    count: r.count,
    inputShape: r.input ?? null,
    outputShape: r.output ?? null,
    params: j(params.total),
    trainable: j(params.trainable),
    nonTrainable: j(params.nonTrainable),
    paramsByEngine: neural ? countsToJson(counts) : null,
    macs: j(r.macs),
  };
}
