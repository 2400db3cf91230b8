import type { Connection } from 'vscode-languageserver/node';
import type { AnalysisHost } from '../analysis/host';
import type { Analysis, ModelAnalysis } from '../analysis/model';
import { countsDiffer, enginesDisagree, memoryIn, modelCounts, paramsIn } from '../analysis/paramCounts';
import { countsToJson } from '../cli/estimateJson';
import { comparePositions, containsPosition } from '../language/position';
import type { EngineChoice } from '../training/engineChoice';
import { jsonInteger } from '../util/format';
import { analysisOf } from './commands';
import type { AnalyzedDocument, DocumentStore } from './documents';
import type { Log } from './log';
import { guard } from './log';
import { MODELS_CHANGED_NOTIFICATION, MODELS_REQUEST, type ModelsChangedParams, type ModelsParams, type ModelsResult, type ModelSummary } from './protocol';

export function modelSummaries(analysis: Analysis, engine: EngineChoice): ModelSummary[] {
  const errors = errorsPerModel(analysis);
  return analysis.models.map((m, i) => summary(m, errors[i], engine));
}

/** Error diagnostics inside each model's declaration, in one pass over the diagnostics (models are in source order). */
function errorsPerModel(analysis: Analysis): number[] {
  const models = analysis.models;
  const counts = models.map(() => 0);
  for (const d of analysis.diagnostics) {
    if (d.severity !== 'error') continue;
    let lo = 0;
    let hi = models.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (comparePositions(models[mid].decl.range.start, d.range.start) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found >= 0 && containsPosition(models[found].decl.range, d.range.start)) counts[found]++;
  }
  return counts;
}

function summary(m: ModelAnalysis, errors: number, choice: EngineChoice): ModelSummary {
  const j = jsonInteger;
  const neural = m.kind !== 'classical';
  const counts = modelCounts(m.totals);
  const engine = neural && countsDiffer(counts) ? (choice.engine ?? null) : null;
  const params = paramsIn(counts, engine ?? 'tfjs');
  return {
    name: m.name,
    kind: m.kind,
    range: m.decl.name.range,
    dataset: m.dataset?.name ?? null,
    inputShape: m.inputShape ?? null,
    outputShape: m.outputShape ?? null,
    params: { trainable: j(params.trainable), nonTrainable: j(params.nonTrainable), total: j(params.total) },
    engine,
    paramsByEngine: neural ? countsToJson(counts) : null,
    paramsUpperBound: m.estimator?.estimate.upperBound === true,
    macs: j(m.totals.macs),
    flops: j(m.totals.flops),
    trainingMemoryBytes: j(memoryIn(m, engine ?? 'tfjs').training),
    trainingFlops: m.compute.flops === undefined ? null : j(m.compute.flops),
    complete: m.complete,
    errors,
  };
}

/**
 * The `modelspec/models` request, and a `modelspec/modelsChanged` notification after every
 * published analysis (and an empty one when a document closes), so a view of the models
 * follows the editor without polling. Returns what to call when the training engine
 * changes: the documents whose models the engines count differently are sent again.
 */
export function registerModels(connection: Connection, store: DocumentStore, host: AnalysisHost, log: Log, engine: () => EngineChoice): () => void {
  connection.onRequest(
    MODELS_REQUEST,
    guard(log, MODELS_REQUEST, null as ModelsResult | null, (params: ModelsParams): ModelsResult => {
      const open = store.get(params.uri);
      const analysis = open?.analysis ?? analysisOf(store, host, log, params.uri);
      return { uri: params.uri, version: open?.version ?? null, models: modelSummaries(analysis, engine()), compare: analysis.compare?.models.length ? [...analysis.compare.models] : null };
    }),
  );
  const send = (doc: AnalyzedDocument) => {
    const params: ModelsChangedParams = { uri: doc.uri, version: doc.version, models: modelSummaries(doc.analysis, engine()) };
    connection.sendNotification(MODELS_CHANGED_NOTIFICATION, params).catch((err) => log.error('Sending modelsChanged failed', err));
  };
  store.onPublished(send);
  store.onClosed((uri) => {
    const params: ModelsChangedParams = { uri, version: null, models: [] };
    connection.sendNotification(MODELS_CHANGED_NOTIFICATION, params).catch((err) => log.error('Sending modelsChanged failed', err));
  });
  return () => {
    for (const uri of store.openUris()) {
      const doc = store.get(uri);
      if (doc && enginesDisagree(doc.analysis.models)) send(doc);
    }
  };
}
