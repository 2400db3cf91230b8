import * as path from 'node:path';
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import { MODELS_REQUEST, type ModelsChangedParams, type ModelsParams, type ModelsResult, type ModelSummary } from '../../server/src/lsp/protocol';
import type { ModelspecServer } from './client';
import { LANGUAGE_ID, MODEL_ITEM_CONTEXT, RESULTS_VIEW_ID } from './ids';
import { modelDescription, modelDetails } from './presentation';

/**
 * A model row. It carries `uri` and `model` like a code lens argument, so the Train and
 * Show Estimate commands in its context menu know what they are about.
 */
export class ModelNode {
  readonly model: string;
  constructor(
    readonly uri: string,
    readonly summary: ModelSummary,
    /** Tells apart models that share a name: tree ids must be unique, and the protocol does not promise unique names. */
    readonly occurrence: number,
  ) {
    this.model = summary.name;
  }
}

class DetailNode {
  constructor(
    readonly label: string,
    readonly value: string,
  ) {}
}

type Node = ModelNode | DetailNode;

interface Shown {
  readonly uri: string;
  /** Document version of the models; null when the server read the file from disk. */
  readonly version: number | null;
  readonly models: readonly ModelSummary[];
}

/**
 * The "Results" view in the Modelspec container: the models of the .model document last
 * active in an editor, with their totals. It asks the server (`modelspec/models`) when
 * the editor changes and then follows the server's `modelspec/modelsChanged`
 * notifications, so it is current after every analysis without polling.
 */
export class ResultsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private readonly subscriptions: vscode.Disposable[];
  private shown: Shown | undefined;
  /** The document the view is about, even while its models are still being fetched. */
  private target: string | undefined;
  private requests = 0;

  constructor(private readonly server: ModelspecServer) {
    this.view = vscode.window.createTreeView(RESULTS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.subscriptions = [
      this.view,
      this.changed,
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        // Another kind of editor (a CSV, an output) keeps the last .model file on show.
        if (editor?.document.languageId === LANGUAGE_ID) void this.load(editor.document.uri.toString());
      }),
      server.client.onDidChangeState((e) => {
        if (e.newState === State.Running) void this.load(this.target ?? activeModelUri());
        else if (e.newState === State.Stopped) this.setMessage('The Modelspec language server is not running. Run "Modelspec: Restart Language Server".');
      }),
    ];
    this.setMessage('Open a .model file to see its models.');
  }

  /** Applies a `modelspec/modelsChanged` notification when it is about the shown document. */
  update(params: ModelsChangedParams): void {
    if (params.uri !== this.target) return;
    if (params.version === null && params.models.length === 0) {
      // The document was closed: its models are no longer being edited here.
      this.target = undefined;
      this.show(undefined);
      this.setMessage('Open a .model file to see its models.');
      return;
    }
    if (this.shown?.uri === params.uri && isOlder(params.version, this.shown.version)) return;
    this.show(params);
  }

  /** Asks the server for a document's models; an answer overtaken by a newer request or notification is dropped. */
  async load(uri: string | undefined): Promise<void> {
    this.target = uri;
    if (!uri) return;
    const request = ++this.requests;
    const params: ModelsParams = { uri };
    try {
      const result = await this.server.client.sendRequest<ModelsResult | null>(MODELS_REQUEST, params);
      if (request !== this.requests || this.target !== uri) return;
      if (!result) throw new Error('the server could not analyse the document.');
      if (this.shown?.uri === uri && isOlder(result.version, this.shown.version)) return;
      this.show(result);
    } catch (err) {
      if (request !== this.requests) return;
      this.show(undefined);
      this.setMessage(`Cannot list the models of ${fileName(uri)}: ${(err as Error).message}`);
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node instanceof DetailNode) {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.description = node.value;
      item.tooltip = `${node.label}: ${node.value}`;
      return item;
    }
    const m = node.summary;
    const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.Collapsed);
    // Stable across refreshes, so an expanded model stays expanded while the user types.
    item.id = `${node.uri}#${m.name}${node.occurrence ? `#${node.occurrence}` : ''}`;
    item.description = modelDescription(m);
    item.tooltip = new vscode.MarkdownString(
      [`**${m.name}**`, '', '| | |', '| --- | --- |', ...modelDetails(m).map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`)].join('\n'),
    );
    item.iconPath =
      m.errors > 0 ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')) : new vscode.ThemeIcon(m.kind === 'classical' ? 'type-hierarchy' : 'layers');
    item.contextValue = MODEL_ITEM_CONTEXT;
    const { start, end } = m.range;
    item.command = {
      command: 'vscode.open',
      title: 'Go to Model',
      arguments: [vscode.Uri.parse(node.uri), { selection: new vscode.Range(start.line, start.character, end.line, end.character) }],
    };
    return item;
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      if (!this.shown) return [];
      const seen = new Map<string, number>();
      return this.shown.models.map((m) => {
        const occurrence = seen.get(m.name) ?? 0;
        seen.set(m.name, occurrence + 1);
        return new ModelNode(this.shown!.uri, m, occurrence);
      });
    }
    if (node instanceof ModelNode) return modelDetails(node.summary).map(([label, value]) => new DetailNode(label, value));
    return [];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  private show(shown: Shown | undefined): void {
    this.shown = shown;
    this.view.description = shown ? fileName(shown.uri) : undefined;
    this.setMessage(shown && shown.models.length === 0 ? `${fileName(shown.uri)} declares no models.` : undefined);
    this.changed.fire();
  }

  private setMessage(message: string | undefined): void {
    this.view.message = message;
  }
}

function isOlder(version: number | null, than: number | null): boolean {
  return version !== null && than !== null && version < than;
}

function activeModelUri(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === LANGUAGE_ID ? doc.uri.toString() : undefined;
}

function fileName(uri: string): string {
  return path.posix.basename(vscode.Uri.parse(uri).path);
}
