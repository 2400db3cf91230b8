import * as vscode from 'vscode';
import { RESULT_SCHEME } from './ids';

interface Source {
  /** The .model document the text is about; its edits refresh the text. */
  readonly origin: string | undefined;
  readonly produce: () => Promise<string>;
  text: string;
  /** Bumped per refresh, so a slow answer never overwrites a newer one. */
  generation: number;
}

/**
 * Read-only documents for what the server computes (estimate tables, training and
 * comparison results). A virtual document rather than an untitled one: it cannot be
 * edited or saved by mistake, closing it asks nothing, and running the same command
 * again reuses its tab. Documents about a .model file are recomputed when that file's
 * analysis changes, so an open estimate follows the edits.
 */
export class ResultDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly sources = new Map<string, Source>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme === RESULT_SCHEME) this.sources.delete(doc.uri.toString());
      }),
      this.changed,
    ];
  }

  /**
   * Computes the text, then opens it beside the active editor. `title` names the tab
   * (the part before the extension); `key` tells apart documents with the same title.
   * Errors from `produce` propagate, so the caller reports them instead of opening a
   * document that holds an error.
   */
  async show(title: string, key: string, produce: () => Promise<string>, origin?: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${title.replace(/[/\\]/g, '-')}.txt`, query: key });
    const text = await produce();
    const id = uri.toString();
    const existing = this.sources.get(id);
    this.sources.set(id, { origin, produce, text, generation: (existing?.generation ?? 0) + 1 });
    // An open document keeps its old text until told that it changed.
    if (existing) this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  }

  /** Recomputes the open documents about `origin`; one that fails keeps its text under a note saying why. */
  async refresh(origin: string): Promise<void> {
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    await Promise.all(
      [...this.sources].map(async ([id, source]) => {
        if (source.origin !== origin || !open.has(id)) return;
        const generation = ++source.generation;
        let text: string;
        try {
          text = await source.produce();
        } catch (err) {
          const stale = source.text.replace(/^\(out of date: .*\)\n\n/, '');
          text = `(out of date: ${(err as Error).message})\n\n${stale}`;
        }
        if (generation !== source.generation || this.sources.get(id) !== source) return;
        source.text = text;
        this.changed.fire(vscode.Uri.parse(id));
      }),
    );
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.sources.get(uri.toString())?.text ?? 'This result is no longer available: run the command again.';
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.sources.clear();
  }
}
