import type { RunView } from '../../../server/src/lsp/protocol';
import type { MetricsDetail } from '../../../server/src/training/protocol';
import { accuracyOption, confusionOption, lossOption } from './chartOptions';
import type { Charts } from './charts';
import { h, table } from './dom';
import { ago, bytes, int, ms, percent, si, STATUS_TEXT } from './format';
import { fileName } from './listPage';

export interface RunActions {
  back(): void;
  openSpec(key: string): void;
  openFolder(key: string): void;
}

export interface RunPage {
  readonly el: HTMLElement;
  /** Applies a live change; false when the page must be drawn again (the run changed state). */
  update(run: RunView): boolean;
}

/** One run: live curves while it trains, then its metrics, estimate vs actual, per-class figures and confusion matrix. */
export function runPage(run: RunView, charts: Charts, act: RunActions): RunPage {
  const safe = run.model.replace(/[^A-Za-z0-9_-]/g, '_');
  const progress = h('p', { class: 'progress-line', 'data-testid': 'run-progress' }, progressText(run));
  const el = h(
    'div',
    { class: 'page', 'data-testid': 'run-page', 'data-model': run.model, 'data-status': run.status },
    h('nav', {}, h('button', { 'data-action': 'back', class: 'link', onclick: act.back }, '← All runs')),
    h('h2', {}, run.model, ' ', h('span', { class: `status status-${run.status}` }, STATUS_TEXT[run.status])),
    h(
      'p',
      { class: 'meta' },
      h('span', { 'data-testid': 'backend', title: run.backendNote ?? '' }, run.backend ? `${run.backend}${run.backendNote ? ` — ${run.backendNote}` : ''}` : 'backend not chosen yet'),
      run.dataset ? h('span', {}, ` · ${run.dataset.name}: ${int(run.dataset.train)} train / ${int(run.dataset.test)} test, ${run.dataset.classes} classes`) : null,
      run.startedAt ? h('span', {}, ` · started ${ago(run.startedAt)}`) : null,
    ),
    run.status === 'running' || run.status === 'queued' ? progress : null,
    run.error ? h('p', { class: 'error', role: 'alert' }, run.error) : null,
    run.result ? metrics(run) : null,
    run.kind === 'neural' && run.history.length
      ? h(
          'div',
          { class: 'charts' },
          charts.block('chart-loss', 'Loss', `${safe}-loss`, (t) => lossOption(run.history, t)),
          charts.block('chart-accuracy', 'Accuracy', `${safe}-accuracy`, (t) => accuracyOption(run.history, t)),
        )
      : null,
    estimateVsActual(run),
    run.result ? (run.result.metrics.detail ? manyClasses(run.result.metrics.detail) : perClass(run)) : null,
    run.result && run.dataset?.labels && !run.result.metrics.detail
      ? charts.block('confusion', 'Confusion matrix', `${safe}-confusion`, (t) => confusionOption(run.dataset!.labels!, run.result!.metrics.confusion, t), 80 + 28 * run.dataset.labels.length)
      : null,
    run.runDir
      ? h(
          'p',
          { class: 'links' },
          h('button', { 'data-action': 'open-spec', onclick: () => act.openSpec(run.key) }, 'Open spec snapshot'),
          ' ',
          h('button', { 'data-action': 'open-folder', onclick: () => act.openFolder(run.key) }, 'Open run folder'),
          h('span', { class: 'muted' }, ` ${fileName(run.spec)}`),
        )
      : null,
  );
  return {
    el,
    update(next) {
      if (next.status !== run.status || next.kind !== run.kind || (next.history.length > 0) !== (run.history.length > 0)) return false;
      run = next;
      progress.textContent = progressText(next);
      charts.update('chart-loss', (t) => lossOption(next.history, t));
      charts.update('chart-accuracy', (t) => accuracyOption(next.history, t));
      return true;
    },
  };
}

function progressText(run: RunView): string {
  if (run.status === 'queued') return 'Waiting for a free training slot…';
  const last = run.history.at(-1);
  if (!last) return run.kind === 'classical' ? 'Fitting…' : 'Starting…';
  const parts = [`epoch ${last.epoch}/${run.epochs ?? '?'}`, `loss ${last.loss.toPrecision(3)}`];
  if (last.accuracy !== undefined) parts.push(`accuracy ${percent(last.accuracy)}`);
  if (last.valAccuracy !== undefined) parts.push(`validation ${percent(last.valAccuracy)}`);
  if (run.etaMs !== null) parts.push(`ETA ${ms(run.etaMs)}`);
  return parts.join(' · ');
}

function metrics(run: RunView): HTMLElement {
  const r = run.result!;
  const card = (label: string, value: string, testid?: string) => h('div', { class: 'card' }, h('div', { class: 'value', 'data-testid': testid }, value), h('div', { class: 'label' }, label));
  return h(
    'div',
    { class: 'cards', 'data-testid': 'metrics' },
    card('accuracy (held-out)', percent(r.metrics.accuracy), 'metric-accuracy'),
    card('macro F1', percent(r.metrics.f1), 'metric-f1'),
    card('training time', ms(r.trainMs), 'metric-train-time'),
    card('inference / sample', `${r.inferenceMsPerSample.toPrecision(3)} ms`),
    card('size on disk', bytes(r.sizeBytes)),
    card(run.kind === 'neural' ? 'epochs' : 'params', run.kind === 'neural' ? String(r.epochsRun) : int(r.params.total)),
  );
}

function estimateVsActual(run: RunView): HTMLElement | null {
  const e = run.estimates;
  if (!e) return null;
  const r = run.result;
  const rows: string[][] = [
    ['Parameters', int(e.params.total), r ? int(r.params.total) : '…'],
    ['Training time', r?.estimatedTrainMs !== undefined ? ms(r.estimatedTrainMs) : 'not estimated', r ? ms(r.trainMs) : '…'],
    ['Forward FLOPs / sample', si(e.flops, 'FLOPs'), '—'],
    ['Training compute', e.trainingFlops === null ? 'unknown' : si(e.trainingFlops, 'FLOPs'), '—'],
    ['Training memory', bytes(e.trainingMemoryBytes), '—'],
  ];
  return h('section', {}, h('h3', {}, 'Estimate vs actual'), table({ 'data-testid': 'estimate-vs-actual' }, ['', 'Estimated', 'Measured'], rows, [false, true, true]));
}

/** Too many classes for a table and a heatmap: the hardest classes and the most frequent mistakes, and where the rest is. */
function manyClasses(detail: MetricsDetail): HTMLElement {
  const hardest = detail.hardest.map((c) => [c.label, percent(c.precision), percent(c.recall), percent(c.f1), int(c.support)]);
  const mistakes = detail.confusions.map((c) => [c.actual, c.predicted, int(c.count)]);
  return h(
    'section',
    { 'data-testid': 'many-classes' },
    h('h3', {}, `${int(detail.classes)} classes`),
    h('p', { class: 'muted' }, `The per-class table and the confusion matrix are in ${detail.file} in the run folder.`),
    table({ 'data-testid': 'hardest-classes' }, ['Hardest class', 'Precision', 'Recall', 'F1', 'Support'], hardest, [false, true, true, true, true]),
    table({ 'data-testid': 'top-confusions' }, ['True class', 'Predicted', 'Count'], mistakes, [false, false, true]),
  );
}

function perClass(run: RunView): HTMLElement {
  const rows = run.result!.metrics.perClass.map((c) => [c.label, percent(c.precision), percent(c.recall), percent(c.f1), int(c.support)]);
  return h('section', {}, h('h3', {}, 'Per class'), table({ 'data-testid': 'per-class' }, ['Class', 'Precision', 'Recall', 'F1', 'Support'], rows, [false, true, true, true, true]));
}
