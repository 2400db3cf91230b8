import type { ComparisonView, RunView } from '../../../server/src/lsp/protocol';
import { byAccuracy, COMPARISON_NOTE, comparisonTable, markdownTable, tradeOff, type ComparedRun } from '../../../server/src/training/report';
import { frontierNames, scatterOption, scatterPoints } from './chartOptions';
import type { Charts } from './charts';
import { h, table } from './dom';
import { ago, int, ms, STATUS_TEXT } from './format';
import { fileName } from './listPage';

export interface CompareActions {
  back(): void;
  openRun(key: string): void;
  copy(text: string, what: string): void;
}

type Finished = ComparedRun & { readonly run: RunView };

/** The big-vs-small question answered: one table sorted by accuracy, a verdict, and accuracy against cost. */
export function comparePage(c: ComparisonView, runs: ReadonlyMap<string, RunView>, charts: Charts, act: CompareActions): HTMLElement {
  const members = c.models.map((model, i) => ({ model, run: c.runs[i] ? runs.get(c.runs[i]!) : undefined }));
  const finished: Finished[] = members.flatMap(({ run }) => (run?.result && run.kind ? [{ ...run.result, model: run.model, kind: run.kind, run }] : []));
  const sorted = byAccuracy(finished);
  const verdict = tradeOff(sorted);
  const frontier = frontierNames(verdict);
  const tbl = comparisonTable(sorted);
  const el = h(
    'div',
    { class: 'page', 'data-testid': 'compare-page', 'data-status': c.status },
    h('nav', {}, h('button', { 'data-action': 'back', class: 'link', onclick: act.back }, '← All runs')),
    h('h2', {}, `Comparison: ${fileName(c.spec)}`, ' ', h('span', { class: `status status-${c.status}` }, c.status)),
    h('p', { class: 'meta' }, `${c.models.length} models · ${ago(c.createdAt)}`),
    h(
      'ul',
      { class: 'members' },
      ...members.map(({ model, run }) =>
        h(
          'li',
          {},
          run ? h('button', { class: 'link', onclick: () => act.openRun(run.key) }, model) : model,
          ' ',
          h('span', { class: `status status-${run?.status ?? 'queued'}` }, run ? STATUS_TEXT[run.status] : c.status === 'running' ? 'waiting' : 'not run'),
          run?.error ? h('span', { class: 'error' }, ` ${run.error.split('\n')[0]}`) : null,
        ),
      ),
    ),
    verdict ? h('p', { class: 'verdict', 'data-testid': 'verdict' }, verdict.summary) : null,
    sorted.length
      ? h(
          'section',
          {},
          h(
            'div',
            { class: 'chart-head' },
            h('h3', {}, 'Large vs small'),
            h('span', { class: 'actions' }, h('button', { 'data-action': 'copy-markdown', onclick: () => act.copy(`${markdownTable(tbl)}\n${COMPARISON_NOTE}\n`, 'comparison table') }, 'Copy as Markdown')),
          ),
          table({ class: 'compare', 'data-testid': 'compare-table' }, tbl.head, tbl.rows.map((row, i) => row.map((cell, j) => (j === 0 ? h('button', { class: 'link', onclick: () => act.openRun(sorted[i].run.key) }, cell) : cell))), tbl.numeric, (i) => ({
            'data-model': sorted[i].model,
            class: [sorted[i] === verdict?.pick ? 'pick' : '', frontier.has(sorted[i].model) ? 'frontier' : ''].join(' ').trim() || undefined,
            title: sorted[i] === verdict?.pick ? 'Recommended: the smallest model within 1 point of the best accuracy' : undefined,
          })),
          h('p', { class: 'muted' }, `${COMPARISON_NOTE} ★ the smallest model within 1 point of the best; bold: on the accuracy/params frontier.`),
        )
      : h('p', { class: 'note' }, c.status === 'running' ? 'The table fills in as models finish.' : 'No model of this comparison finished.'),
    sorted.length
      ? h(
          'div',
          { class: 'charts' },
          charts.block('chart-scatter-params', 'Accuracy vs parameters', `${safeName(c)}-accuracy-vs-params`, (t) =>
            scatterOption(scatterPoints(sorted.map((s) => s.run), (r) => Number(r.result!.params.total)), 'parameters (log)', frontier, verdict?.pick.model, t, (v) => int(Math.round(v))),
          ),
          charts.block('chart-scatter-time', 'Accuracy vs training time', `${safeName(c)}-accuracy-vs-time`, (t) =>
            scatterOption(scatterPoints(sorted.map((s) => s.run), (r) => r.result!.trainMs), 'training time (log)', frontier, verdict?.pick.model, t, (v) => ms(v)),
          ),
        )
      : null,
  );
  return el;
}

function safeName(c: ComparisonView): string {
  return `comparison-${fileName(c.spec).replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
