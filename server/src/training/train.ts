import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { analyze } from '../analysis/analyze';
import type { Analysis, DatasetInfo, ModelAnalysis } from '../analysis/model';
import { memoryIn, modelCounts, paramsIn, type EngineParams } from '../analysis/paramCounts';
import { createNodeHost } from '../data/nodeHost';
import { jsonInteger } from '../util/format';
import { mulberry32 } from '../util/random';
import { describeBackend, initBackend, type BackendInfo } from './backend/select';
import { calibrate } from './calibrate';
import { saveCalibration } from './calibrationFile';
import { estimateTrainMs, rateKind } from './trainTime';
import { createClassical, isClassicalKind, prepareClassical, type ClassicalModel } from './classical';
import { DataError, prepareFor, type PreparedData } from './data/prepare';
import { computeMetrics } from './metrics';
import { fitModel, predictClasses } from './neural/fit';
import { buildModel } from './neural/build';
import { PROTOCOL_VERSION, type EpochStats, type FromTrainer, type Params, type RunResult, type TrainRequest } from './protocol';
import { blockingErrorsMessage } from './report';
import { trainTorch, TorchRunError } from './torch/engine';
import { findTorchPython, notFoundMessage, type TorchPython } from './torch/python';
import { createRunDir, historyCsv, runsDirFor, writeAtomic, writeJson } from './runs';
import { VERSION } from '../util/version';

/** A failure the user can act on, with the reason the protocol reports. */
export class TrainError extends Error {
  constructor(message: string, readonly reason: 'bad-data' | 'bad-spec' | 'no-engine' | 'crash') {
    super(message);
  }
}

export interface TrainContext {
  emit(m: FromTrainer): void;
  cancelled(): boolean;
}

/**
 * Trains one model of a spec, in this process: analyse, prepare the data, train, evaluate
 * on the held-out split, and store the run. The trainer process wraps this; tests call it
 * directly.
 */
export async function runTraining(request: TrainRequest, ctx: TrainContext): Promise<RunResult> {
  const text = request.text ?? readFileSync(request.file, 'utf8');
  const analysis = analyze(text, { file: request.file, host: createNodeHost() });
  const model = trainableModel(analysis, request.model);
  const dataset = model.dataset!;
  const data = prepare(dataset);
  // Chosen before the run exists, so a missing engine leaves no empty run behind.
  const engine = model.kind === 'neural' ? await chooseEngine(request) : undefined;
  const { id, dir } = createRunDir(runsDirFor(request.file, request.runsDir), model.name);
  writeAtomic(join(dir, 'spec.model'), text);
  // The estimate in the engine's own convention, so the run compares like with like.
  const counting = engine?.kind === 'torch' ? 'torch' : 'tfjs';
  const params = paramsJson(paramsIn(modelCounts(model.totals), counting));
  const epochs = request.epochs ?? model.train.epochs;
  const base = {
    runId: id,
    runDir: dir,
    model: model.name,
    kind: model.kind as 'neural' | 'classical',
    params,
    trainSamples: data.train.n,
    testSamples: data.test.n,
    epochs: model.kind === 'neural' ? epochs : 1,
  };
  const estimates = {
    params,
    macs: jsonInteger(model.totals.macs),
    flops: jsonInteger(model.totals.flops),
    trainingMemoryBytes: jsonInteger(memoryIn(model, counting).training),
    trainingFlops: model.compute.flops === undefined ? null : jsonInteger((model.compute.flops / BigInt(model.train.epochs)) * BigInt(epochs)),
  };
  const record = (extra: Record<string, unknown>) =>
    writeJson(join(dir, 'run.json'), { version: 1, id, model: model.name, kind: model.kind, spec: request.file, dataset: datasetJson(dataset, data), estimates, ...extra });
  record({ status: 'running', startedAt: new Date().toISOString() });

  const result = engine ? await trainNeural(model, data, dir, base, epochs, engine, request, ctx, { analysis, text }) : await trainClassical(model, data, dir, base, ctx);
  const torch = result.backend === 'torch' ? { device: result.device, worldSize: result.worldSize, torch: result.torch } : {};
  record({ status: result.status, finishedAt: new Date().toISOString(), backend: result.backend, backendNote: result.backendNote, ...torch, seed: model.train.seed, result });
  return result;
}

function trainableModel(analysis: Analysis, name: string): ModelAnalysis {
  const model = analysis.models.find((m) => m.name === name);
  if (!model) throw new TrainError(`No model named '${name}' in ${analysis.file}.`, 'bad-spec');
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new TrainError(blockingErrorsMessage(analysis.file, errors), 'bad-spec');
  if (!model.dataset) throw new TrainError(`Model ${name} has no dataset to train on: add \`data: SomeDataset\`.`, 'bad-spec');
  if (model.kind === 'unknown' || !model.complete) throw new TrainError(`Model ${name} could not be fully resolved, so it cannot be built.`, 'bad-spec');
  return model;
}

function prepare(dataset: DatasetInfo): PreparedData {
  try {
    return prepareFor(dataset);
  } catch (err) {
    if (err instanceof DataError) throw new TrainError(err.message, 'bad-data');
    throw err;
  }
}

type Base = Omit<RunResult, 'status' | 'backend' | 'backendNote' | 'metrics' | 'trainMs' | 'inferenceMsPerSample' | 'sizeBytes' | 'flops' | 'epochsRun'> & {
  trainSamples: number;
  testSamples: number;
  epochs: number;
};

async function trainClassical(model: ModelAnalysis, data: PreparedData, dir: string, base: Base, ctx: TrainContext): Promise<RunResult> {
  const estimator = model.estimator!;
  const kind = estimator.entry.name;
  if (!isClassicalKind(kind)) throw new TrainError(`No engine trains ${kind}.`, 'bad-spec');
  // The SVM's fast WebAssembly build loads asynchronously; fit itself is synchronous.
  const note = (await prepareClassical(kind)) ?? engineNote(kind);
  ctx.emit({ v: PROTOCOL_VERSION, type: 'start', ...base, kind: 'classical', backend: 'classical', backendNote: note });
  const engine: ClassicalModel = createClassical(kind);
  const started = performance.now();
  engine.fit(data.train.x, data.train.y, data.train.n, data.features, data.classes, estimator.args, model.train.seed);
  const trainMs = performance.now() - started;
  const predicted = engine.predict(data.test.x, data.test.n);
  const inferenceMsPerSample = latency((x) => engine.predict(x, 1), data);
  const json = JSON.stringify({ model: engine.toJSON(), normalization: data.normalization, labels: data.labels, shape: data.shape });
  writeAtomic(join(dir, 'model.json'), json);
  const size = engine.size();
  writeAtomic(join(dir, 'history.csv'), historyCsv([]));
  return {
    ...strip(base),
    params: { trainable: jsonInteger(size.params), nonTrainable: 0, total: jsonInteger(size.params) },
    status: ctx.cancelled() ? 'cancelled' : 'completed',
    backend: 'classical',
    backendNote: `${note}; ${size.detail}`,
    metrics: computeMetrics(data.test.y, predicted, data.labels),
    trainMs,
    inferenceMsPerSample,
    sizeBytes: Buffer.byteLength(json),
    flops: jsonInteger(model.totals.flops),
    epochsRun: 1,
  };
}

function engineNote(kind: string): string {
  return `Modelspec ${kind.replace(/_/g, ' ')}`;
}

/** The engine that trains a neural model: PyTorch in the user's Python, or TensorFlow.js on a backend. */
type NeuralEngine = { readonly kind: 'torch'; readonly python: TorchPython } | { readonly kind: 'tfjs'; readonly backend: 'node' | 'wasm' | 'cpu'; readonly note?: string };

async function chooseEngine(request: TrainRequest): Promise<NeuralEngine> {
  const asked = request.backend ?? 'auto';
  if (asked !== 'auto' && asked !== 'torch') {
    if ((request.nproc ?? 1) > 1) throw new TrainError(`Training on ${request.nproc} processes needs the torch backend, not ${asked}.`, 'bad-spec');
    return { kind: 'tfjs', backend: asked };
  }
  const search = await findTorchPython(request.python);
  if (search.found) return { kind: 'torch', python: search.found };
  if (asked === 'torch' || (request.nproc ?? 1) > 1) throw new TrainError(notFoundMessage(search), 'no-engine');
  const tried = search.tried.map((t) => `${t.python}: ${t.why}`).join('; ');
  return { kind: 'tfjs', backend: 'node', note: `PyTorch not found (${tried}), so TensorFlow.js trains` };
}

async function trainNeural(
  model: ModelAnalysis,
  data: PreparedData,
  dir: string,
  base: Base,
  epochs: number,
  engine: NeuralEngine,
  request: TrainRequest,
  ctx: TrainContext,
  spec: { analysis: Analysis; text: string },
): Promise<RunResult> {
  const history: EpochStats[] = [];
  const onEpoch = (s: EpochStats) => {
    history.push(s);
    writeAtomic(join(dir, 'history.csv'), historyCsv(history));
    const perEpoch = s.elapsedMs / s.epoch;
    ctx.emit({ v: PROTOCOL_VERSION, type: 'epoch', ...s, epochs, etaMs: perEpoch * (epochs - s.epoch) });
  };
  if (engine.kind === 'torch') {
    try {
      const result = await trainTorch({
        ...spec,
        model,
        data,
        dir,
        epochs,
        nproc: request.nproc ?? 1,
        python: engine.python,
        version: VERSION,
        base,
        emit: (m) => (m.type === 'epoch' ? onEpoch(m) : ctx.emit(m)),
        cancelled: ctx.cancelled,
      });
      return { ...strip(base), ...result, flops: jsonInteger(model.totals.flops) };
    } catch (err) {
      if (err instanceof TorchRunError) throw new TrainError(err.message, 'crash');
      throw err;
    }
  }
  const backend: BackendInfo = await initBackend(engine.backend);
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const estimatedTrainMs = await estimateTime(tf, model, epochs, dirname(dir), ctx);
  // tfjs draws initial weights from Math.random when no seed is given; this process
  // trains one model, so seeding it (after the calibration's models drew theirs) makes
  // runs repeat.
  Math.random = mulberry32(model.train.seed);
  const backendNote = engine.note ? `${describeBackend(backend)}; ${engine.note}` : describeBackend(backend);
  ctx.emit({
    v: PROTOCOL_VERSION,
    type: 'start',
    ...base,
    kind: 'neural',
    backend: backend.name,
    backendNote,
    threads: backend.threads,
    estimatedTrainingFlops: model.compute.flops === undefined ? undefined : jsonInteger(model.compute.flops),
    estimatedTrainMs,
  });
  const net = buildModel(tf, model);
  // A model may declare `input` of the same size as the data but another shape: feed it that.
  const shape = model.inputShape ? [...model.inputShape] : data.shape;
  const fit = await fitModel(tf, net, data.train, { settings: model.train, epochs, classes: data.classes, shape, cancelled: ctx.cancelled, onEpoch });
  const predicted = predictClasses(tf, net, data.test.x, data.test.n, shape);
  const inferenceMsPerSample = latency((x) => predictClasses(tf, net, x, 1, shape), data);
  const sizeBytes = await saveLayersModel(tf, net, dir, data);
  net.dispose();
  return {
    ...strip(base),
    status: fit.status,
    backend: backend.name,
    backendNote,
    metrics: computeMetrics(data.test.y, predicted, data.labels),
    trainMs: fit.trainMs,
    inferenceMsPerSample,
    sizeBytes,
    flops: jsonInteger(model.totals.flops),
    epochsRun: fit.history.length,
    estimatedTrainMs,
  };
}

/**
 * The calibrated time estimate; a failed calibration costs the estimate, not the run. The
 * measurement is kept in the runs folder, where the editor reads it for its own estimate.
 */
async function estimateTime(tf: typeof import('@tensorflow/tfjs'), model: ModelAnalysis, epochs: number, runsDir: string, ctx: TrainContext): Promise<number | undefined> {
  try {
    const calibration = await calibrate(tf, rateKind(model));
    try {
      saveCalibration(runsDir, calibration);
    } catch (error) {
      ctx.emit({ v: PROTOCOL_VERSION, type: 'log', message: `Could not keep the calibration for the editor: ${(error as Error).message}` });
    }
    return estimateTrainMs(model, epochs, calibration);
  } catch (error) {
    ctx.emit({ v: PROTOCOL_VERSION, type: 'log', message: `No training-time estimate: calibration failed: ${(error as Error).message}` });
    return undefined;
  }
}

/** model.json + weights.bin in the layout tfjs-node writes, without needing tfjs-node. */
async function saveLayersModel(tf: typeof import('@tensorflow/tfjs'), net: import('@tensorflow/tfjs').LayersModel, dir: string, data: PreparedData): Promise<number> {
  let bytes = 0;
  await net.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
      const manifest = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: 'modelspec',
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        userDefinedMetadata: { normalization: data.normalization, labels: data.labels, shape: data.shape },
      };
      writeAtomic(join(dir, 'weights.bin'), weights);
      writeAtomic(join(dir, 'model.json'), JSON.stringify(manifest));
      bytes = weights.byteLength + Buffer.byteLength(JSON.stringify(manifest));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return bytes || statSync(join(dir, 'weights.bin')).size;
}

/** Median time to predict one sample, over up to 50 test samples. */
function latency(predictOne: (x: Float32Array) => unknown, data: PreparedData): number {
  const size = data.features;
  const n = Math.min(50, data.test.n);
  const times: number[] = [];
  predictOne(data.test.x.subarray(0, size)); // warm-up
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    predictOne(data.test.x.subarray(i * size, (i + 1) * size));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

function strip(base: Base): Omit<Base, 'trainSamples' | 'testSamples' | 'epochs'> {
  const { trainSamples: _t, testSamples: _s, epochs: _e, ...rest } = base;
  return rest;
}

function paramsJson(p: EngineParams): Params {
  return { trainable: jsonInteger(p.trainable), nonTrainable: jsonInteger(p.nonTrainable), total: jsonInteger(p.total) };
}

function datasetJson(dataset: DatasetInfo, data: PreparedData) {
  return { name: dataset.name, kind: dataset.kind, path: dataset.path ?? null, rows: data.train.n + data.test.n, train: data.train.n, test: data.test.n, classes: data.classes, labels: data.labels, shape: data.shape, seed: dataset.seed, normalize: dataset.normalize };
}


