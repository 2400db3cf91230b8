import type { ComparisonView, RunView } from '../../../server/src/lsp/protocol';
import type { FromWebview, Page, ToWebview } from '../panelProtocol';
import { Charts } from './charts';
import { comparePage } from './comparePage';
import { h } from './dom';
import { listPage } from './listPage';
import { runPage, type RunPage } from './runPage';

declare function acquireVsCodeApi(): { postMessage(m: FromWebview): void; getState(): { page?: Page } | undefined; setState(s: { page: Page }): void };

/**
 * The runs panel: a list of runs and comparisons, a page per run and per comparison.
 * The extension sends the whole state once and then every change; the page the user
 * is on survives the panel being hidden (webview state).
 */
const vscode = acquireVsCodeApi();
const post = (m: FromWebview) => vscode.postMessage(m);
const charts = new Charts(post);
const root = h('main', {});
document.body.append(root);

const runs = new Map<string, RunView>();
const comparisons = new Map<string, ComparisonView>();
let message: string | undefined;
let page: Page = vscode.getState()?.page ?? { kind: 'list' };
let shownRun: RunPage | undefined;
let loaded = false;

function navigate(next: Page): void {
  page = next;
  vscode.setState({ page });
  render();
  window.scrollTo(0, 0);
}

const actions = {
  back: () => navigate({ kind: 'list' }),
  openRun: (key: string) => navigate({ kind: 'run', key }),
  openComparison: (id: string) => navigate({ kind: 'compare', id }),
  openSpec: (key: string) => post({ type: 'open-spec', key }),
  openFolder: (key: string) => post({ type: 'open-folder', key }),
  copy: (text: string, what: string) => post({ type: 'copy', text, what }),
};

function render(): void {
  charts.disposeAll();
  shownRun = undefined;
  let content: HTMLElement;
  if (!loaded) content = h('p', { class: 'note' }, 'Loading runs…');
  else if (page.kind === 'run' && runs.has(page.key)) {
    shownRun = runPage(runs.get(page.key)!, charts, actions);
    content = shownRun.el;
  } else if (page.kind === 'compare' && comparisons.has(page.id)) content = comparePage(comparisons.get(page.id)!, runs, charts, actions);
  else content = listPage(sorted(), [...comparisons.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)), message, actions);
  root.replaceChildren(content);
}

function sorted(): RunView[] {
  return [...runs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const m = event.data;
  switch (m.type) {
    case 'state':
      runs.clear();
      comparisons.clear();
      for (const r of m.runs) runs.set(r.key, r);
      for (const c of m.comparisons) comparisons.set(c.id, c);
      message = m.message;
      loaded = true;
      render();
      break;
    case 'run': {
      runs.set(m.run.key, m.run);
      if (page.kind === 'run' && page.key === m.run.key && shownRun?.update(m.run)) break;
      if (page.kind === 'list' || (page.kind === 'run' && page.key === m.run.key) || (page.kind === 'compare' && comparisons.get(page.id)?.runs.includes(m.run.key))) render();
      break;
    }
    case 'comparison':
      comparisons.set(m.comparison.id, m.comparison);
      if (page.kind === 'list' || (page.kind === 'compare' && page.id === m.comparison.id)) render();
      break;
    case 'navigate':
      navigate(m.page);
      break;
  }
});

render();
post({ type: 'ready' });
