import type { ComparisonView, RunView } from '../../../server/src/lsp/protocol';
import { h, table } from './dom';
import { ago, ms, percent, STATUS_TEXT } from './format';

export interface ListActions {
  openRun(key: string): void;
  openComparison(id: string): void;
}

/** Comparisons first (the question users come with), then every run, newest first. */
export function listPage(runs: readonly RunView[], comparisons: readonly ComparisonView[], message: string | undefined, act: ListActions): HTMLElement {
  const page = h('div', { class: 'page', 'data-testid': 'list-page' });
  if (message) page.append(h('p', { class: 'note' }, message));
  if (comparisons.length) {
    page.append(
      h('h2', {}, 'Comparisons'),
      h(
        'ul',
        { class: 'comparisons', 'data-testid': 'comparisons-list' },
        ...comparisons.map((c) =>
          h(
            'li',
            { 'data-testid': 'comparison-row', 'data-status': c.status },
            h('button', { class: 'link', onclick: () => act.openComparison(c.id) }, `${fileName(c.spec)}: ${c.models.join(', ')}`),
            h('span', { class: 'muted' }, ` ${c.status === 'running' ? 'running' : ago(c.createdAt)}`),
          ),
        ),
      ),
    );
  }
  page.append(h('h2', {}, 'Runs'));
  if (runs.length === 0) {
    page.append(h('p', { class: 'note', 'data-testid': 'runs-list' }, 'No runs yet. Run "Modelspec: Train Model" (or the ▶ Train lens above a model) and its run appears here; past runs are read from each spec’s .modelspec/runs folder.'));
    return page;
  }
  const rows = runs.map((r) => [
    h('span', { class: `status status-${r.status}`, title: r.error ?? STATUS_TEXT[r.status] }, STATUS_TEXT[r.status]),
    h('button', { class: 'link', onclick: () => act.openRun(r.key) }, r.model),
    r.backend ?? '',
    r.result ? percent(r.result.metrics.accuracy) : r.status === 'running' && r.history.length ? `${r.history.length}/${r.epochs ?? '?'} ep` : '',
    r.result ? ms(r.result.trainMs) : '',
    ago(r.createdAt),
  ]);
  page.append(
    table({ class: 'runs', 'data-testid': 'runs-list' }, ['Status', 'Model', 'Backend', 'Accuracy', 'Time', 'Started'], rows, [false, false, false, true, true, false], (i) => ({
      'data-testid': 'run-row',
      'data-model': runs[i].model,
      'data-status': runs[i].status,
      'data-key': runs[i].key,
      tabindex: 0,
      onclick: (e: Event) => {
        if ((e.target as HTMLElement).tagName !== 'BUTTON') act.openRun(runs[i].key);
      },
      onkeydown: (e: Event) => {
        if ((e as KeyboardEvent).key === 'Enter') act.openRun(runs[i].key);
      },
    })),
  );
  return page;
}

export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
