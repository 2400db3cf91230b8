import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { MODELS_CHANGED_NOTIFICATION, MODELS_REQUEST, type ModelSummary, type ModelsResult } from '../../server/src/lsp/protocol';

/**
 * The "Results" view of the Modelspec container: the active document's models with their
 * totals, kept current from the server's `modelspec/modelsChanged` notifications.
 */
export class ResultsView implements vscode.TreeDataProvider<ModelSummary> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private current: ModelsResult | undefined;

  constructor(private readonly client: () => LanguageClient) {}

  register(context: vscode.ExtensionContext): void {
    context.subscriptions.push(
      vscode.window.registerTreeDataProvider('modelspec.results', this),
      vscode.window.onDidChangeActiveTextEditor(() => void this.refresh()),
    );
  }

  listen(client: LanguageClient): vscode.Disposable {
    return client.onNotification(MODELS_CHANGED_NOTIFICATION, (params: ModelsResult) => {
      if (params.uri === activeUri()) {
        this.current = params;
        this.changed.fire();
      }
    });
  }

  async refresh(): Promise<void> {
    const uri = activeUri();
    this.current = uri ? await this.client().sendRequest<ModelsResult>(MODELS_REQUEST, { uri }).catch(() => undefined) : undefined;
    this.changed.fire();
  }

  getChildren(): ModelSummary[] {
    return [...(this.current?.models ?? [])];
  }

  getTreeItem(m: ModelSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.None);
    const params = `${Number(m.params.total).toLocaleString('en-US')}${m.paramsUpperBound ? ' (≤)' : ''} params`;
    item.description = `${m.kind} · ${params} · ${Number(m.flops).toLocaleString('en-US')} FLOPs`;
    item.tooltip = new vscode.MarkdownString(
      [`**${m.name}** (${m.kind})`, m.dataset ? `data: ${m.dataset}` : '', m.errors ? `${m.errors} error(s)` : '', m.complete ? '' : 'incomplete: errors left shapes unknown']
        .filter(Boolean)
        .join('  \n'),
    );
    item.iconPath = new vscode.ThemeIcon(m.errors ? 'error' : m.kind === 'classical' ? 'symbol-constant' : 'symbol-class');
    const uri = this.current?.uri;
    if (uri) {
      item.command = {
        command: 'vscode.open',
        title: 'Go to model',
        arguments: [vscode.Uri.parse(uri), { selection: new vscode.Range(m.range.start.line, m.range.start.character, m.range.end.line, m.range.end.character) }],
      };
    }
    item.contextValue = 'modelspec.model';
    return item;
  }
}

function activeUri(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === 'modelspec' ? doc.uri.toString() : undefined;
}
