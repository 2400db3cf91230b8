import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { analyze } from '../analysis/analyze';
import type { Analysis, DatasetInfo, ModelAnalysis } from '../analysis/model';
import { memoryIn, modelCounts, paramsIn, type EngineParams } from '../analysis/paramCounts';
import { createNodeHost } from '../data/nodeHost';
import { machineNow } from './machineNow';
import { jsonInteger } from '../util/format';
import { mulberry32 } from '../util/random';
import { describeBackend, initBackend, type BackendInfo } from './backend/select';
import { checkMemory, enginePlan, machineMemory, OVERRIDE_HINTS, refusalText } from './admission';
import { loadTimings, recordRunTime } from './calibrationFile';
import { estimateForEpochs, estimateTraining, etaMs, type TimeEstimate } from './trainTime';
import { isClassicalKind } from './classical';
import { fitInWorker } from './classical/fitWorker';
import { DataError, prepareFor, type PreparedData } from './data/prepare';
import { computeMetrics } from './metrics';
import { fitModel, predictClasses } from './neural/fit';
import { buildModel } from './neural/build';
import { PROTOCOL_VERSION, type EpochStats, type FromTrainer, type Params, type RunResult, type StopReason, type TrainRequest } from './protocol';
import { latencyMs } from './latency';
import { boundMetrics, inline } from './metricsDetail';
import { blockingErrorsMessage } from './report';
import { trainTorch, TorchRunError } from './torch/engine';
import { findTorchPython, notFoundMessage, type TorchPython } from './torch/python';
import { createRunDir, historyCsv, RunFolderError, runsDirFor, writeAtomic, writeJson } from './runs';
import { VERSION } from '../util/version';

/** A failure the user can act on, with the reason the protocol reports. */
export class TrainError extends Error {
  constructor(message: string, readonly reason: 'bad-data' | 'bad-spec' | 'no-engine' | 'too-big' | 'io' | 'crash') {
    super(message);
  }
}

export interface TrainContext {
  emit(m: FromTrainer): void;
  /** Aborted to stop the run at the end of its current step; its reason is the run's StopReason. */
  readonly signal: AbortSignal;
}

/** How a stopped run ends: as its stop was asked for (a user's cancel unless said otherwise). */
function stopReason(ctx: TrainContext): StopReason {
  return ctx.signal.reason === 'interrupted' ? 'interrupted' : 'cancelled';
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
  // Refused, before the run exists, when the machine lacks the memory it needs (admission.ts).
  const tooBig = engine && !request.skipMemoryCheck ? checkMemory(model, [enginePlan(engine, request.nproc)], machineMemory()) : undefined;
  if (tooBig) throw new TrainError(refusalText(tooBig, OVERRIDE_HINTS.trainer), 'too-big');
  const { id, dir } = runFolder(runsDirFor(request.file, request.runsDir), model.name, text);
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
  const startedAt = new Date().toISOString();
  record({ status: 'running', startedAt });

  let result: RunResult;
  try {
    result = engine ? await trainNeural(model, data, dir, base, epochs, engine, request, ctx, { analysis, text }) : await trainClassical(model, data, dir, base, ctx);
  } catch (err) {
    // The trainer records its own failures, so run.json never says running for a run that ended.
    record({ status: 'failed', startedAt, finishedAt: new Date().toISOString(), error: (err as Error).message });
    throw err;
  }
  const torch = result.backend === 'torch' ? { device: result.device, worldSize: result.worldSize, torch: result.torch } : {};
  record({ status: result.status, startedAt, finishedAt: new Date().toISOString(), backend: result.backend, backendNote: result.backendNote, ...torch, seed: model.train.seed, result });
  return result;
}

/** A new run folder holding the spec it trains; a folder that cannot be made or written is the user's to fix, and says how. */
function runFolder(runsDir: string, model: string, text: string): { id: string; dir: string } {
  try {
    const run = createRunDir(runsDir, model);
    writeAtomic(join(run.dir, 'spec.model'), text);
    return run;
  } catch (err) {
    if (err instanceof RunFolderError) throw new TrainError(err.message, 'io');
    const e = err as NodeJS.ErrnoException;
    if (e.code) throw new TrainError(`Cannot write the run folder in ${runsDir}: ${e.message}.`, 'io');
    throw err;
  }
}

function trainableModel(analysis: Analysis, name: string): ModelAnalysis {
  const model = analysis.models.find((m) => m.name === name);
  if (!model) throw new TrainError(`No model named '${name}' in ${analysis.file}.`, 'bad-spec');
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  // Errors only about the data (a bad cell, one class, a missing file) make it a data problem, as training would find it.
  if (errors.length) throw new TrainError(blockingErrorsMessage(analysis.file, errors), errors.every((d) => d.code.startsWith('dataset-')) ? 'bad-data' : 'bad-spec');
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
  ctx.emit({ v: PROTOCOL_VERSION, type: 'start', ...base, kind: 'classical', backend: 'classical', backendNote: engineNote(kind) });
  writeAtomic(join(dir, 'history.csv'), historyCsv([]));
  const job = { kind, args: estimator.args, seed: model.train.seed, features: data.features, classes: data.classes, train: data.train, test: data.test };
  const fitted = await fitInWorker(job, ctx.signal);
  const stopped = { ...strip(base), backend: 'classical' as const, backendNote: engineNote(kind), flops: jsonInteger(model.totals.flops) };
  // A fit stopped half way leaves no model: the run keeps its settings, data and why it ended.
  if (!fitted) return { ...stopped, status: stopReason(ctx), metrics: undefined, trainMs: 0, inferenceMsPerSample: 0, sizeBytes: 0, epochsRun: 0 };
  const json = JSON.stringify({ model: fitted.model, normalization: data.normalization, labels: data.labels, shape: data.shape });
  writeAtomic(join(dir, 'model.json'), json);
  return {
    ...stopped,
    params: { trainable: jsonInteger(fitted.size.params), nonTrainable: 0, total: jsonInteger(fitted.size.params) },
    status: 'completed',
    backendNote: `${fitted.note ?? engineNote(kind)}; ${fitted.size.detail}`,
    metrics: boundMetrics(computeMetrics(data.test.y, fitted.predicted, data.labels), data.labels, dir),
    trainMs: fitted.trainMs,
    inferenceMsPerSample: fitted.inferenceMsPerSample,
    sizeBytes: Buffer.byteLength(json),
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
    ctx.emit({ v: PROTOCOL_VERSION, type: 'epoch', ...s, epochs, etaMs: etaMs(history.map((h) => h.elapsedMs), epochs) });
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
        signal: ctx.signal,
      });
      return { ...strip(base), ...result, flops: jsonInteger(model.totals.flops) };
    } catch (err) {
      if (err instanceof TorchRunError) throw new TrainError(err.message, 'crash');
      throw err;
    }
  }
  const backend: BackendInfo = await initBackend(engine.backend);
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const estimate = estimateTime(model, epochs, dirname(dir), ctx);
  const estimatedTrainMs = estimate?.ms;
  // tfjs draws initial weights from Math.random when no seed is given; this process
  // trains one model, so seeding it makes runs repeat.
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
  const fit = await fitModel(tf, net, data.train, { settings: model.train, epochs, classes: data.classes, shape, cancelled: () => ctx.signal.aborted, onEpoch });
  try {
    recordRunTime(dirname(dir), model, backend.name, fit.history.length, fit.trainMs);
  } catch (error) {
    ctx.emit({ v: PROTOCOL_VERSION, type: 'log', message: `Could not keep the run's time for the editor's estimates: ${(error as Error).message}` });
  }
  const predicted = predictClasses(tf, net, data.test.x, data.test.n, shape);
  const inferenceMsPerSample = latencyMs((x) => predictClasses(tf, net, x, 1, shape), data.test.x, data.test.n, data.features);
  const sizeBytes = await saveLayersModel(tf, net, dir, data);
  net.dispose();
  return {
    ...strip(base),
    status: fit.status === 'cancelled' ? stopReason(ctx) : fit.status,
    backend: backend.name,
    backendNote,
    metrics: boundMetrics(computeMetrics(data.test.y, predicted, data.labels), data.labels, dir),
    trainMs: fit.trainMs,
    inferenceMsPerSample,
    sizeBytes,
    flops: jsonInteger(model.totals.flops),
    epochsRun: fit.history.length,
    // A run cut short (cancelled, stopped early) is compared with the estimate for the epochs it ran.
    estimatedTrainMs: estimate && estimateForEpochs(estimate, model, fit.history.length),
  };
}

/**
 * The editor's estimate for this run (trainTime.ts `estimateTraining`: the built-in step
 * model scaled by this runs folder's earlier runs, or by this machine's speed, and by the
 * load now), so that a run announces the figure its hover showed; a failure costs the
 * estimate, not the run.
 */
function estimateTime(model: ModelAnalysis, epochs: number, runsDir: string, ctx: TrainContext): TimeEstimate | undefined {
  try {
    return estimateTraining(model, epochs, loadTimings(runsDir), machineNow());
  } catch (error) {
    ctx.emit({ v: PROTOCOL_VERSION, type: 'log', message: `No training-time estimate: ${(error as Error).message}` });
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

function strip(base: Base): Omit<Base, 'trainSamples' | 'testSamples' | 'epochs'> {
  const { trainSamples: _t, testSamples: _s, epochs: _e, ...rest } = base;
  return rest;
}

function paramsJson(p: EngineParams): Params {
  return { trainable: jsonInteger(p.trainable), nonTrainable: jsonInteger(p.nonTrainable), total: jsonInteger(p.total) };
}

/** The labels are left out with more than MAX_INLINE_CLASSES classes: they are in the run's confusion.json and model.json. */
function datasetJson(dataset: DatasetInfo, data: PreparedData) {
  return { name: dataset.name, kind: dataset.kind, path: dataset.path ?? null, rows: data.train.n + data.test.n, train: data.train.n, test: data.test.n, classes: data.classes, ...(inline(data.classes) ? { labels: data.labels } : {}), shape: data.shape, seed: dataset.seed, normalize: dataset.normalize };
}


