import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import { RUNS_REQUEST, type ComparisonView, type RunsResult, type RunView } from '../../server/src/lsp/protocol';
import type { ModelspecServer } from './client';
import { RUNS_VIEW_ID } from './ids';
import type { FromWebview, Page, ToWebview } from './panelProtocol';

/**
 * The "Runs" webview view: past and live runs, a page per run and per comparison. Its
 * data comes from the language server (`modelspec/runs` when the view opens or the server
 * restarts, then `modelspec/runChanged` / `modelspec/comparisonChanged`); it keeps the
 * latest state so a view that opens late, or is hidden and shown again, starts complete.
 */
export class RunsPanel implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private readonly runs = new Map<string, RunView>();
  private readonly comparisons = new Map<string, ComparisonView>();
  private message: string | undefined;
  private pending: Page | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly server: ModelspecServer,
    private readonly output: vscode.OutputChannel,
  ) {
    this.subscriptions = [
      vscode.window.registerWebviewViewProvider(RUNS_VIEW_ID, this, { webviewOptions: { retainContextWhenHidden: true } }),
      server.client.onDidChangeState((e) => {
        if (e.newState === State.Running) void this.refresh();
      }),
    ];
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    view.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    view.webview.html = html(view.webview, dist);
    view.webview.onDidReceiveMessage((m: FromWebview) => void this.onMessage(m).catch((err) => this.fail(err)));
    view.onDidDispose(() => {
      this.view = undefined;
      this.ready = false;
    });
    void this.refresh();
  }

  /** Asks the server for every run it knows (disk and live). */
  async refresh(): Promise<void> {
    if (!this.server.client.isRunning()) {
      this.message = 'The Modelspec language server is not running; past runs appear once it is.';
      this.post({ type: 'state', runs: [...this.runs.values()], comparisons: [...this.comparisons.values()], message: this.message });
      return;
    }
    try {
      const result = await this.server.client.sendRequest<RunsResult>(RUNS_REQUEST, null);
      this.runs.clear();
      this.comparisons.clear();
      for (const r of result.runs) this.runs.set(r.key, r);
      for (const c of result.comparisons) this.comparisons.set(c.id, c);
      this.message = undefined;
    } catch (err) {
      this.message = `Could not list the runs: ${(err as Error).message}`;
    }
    this.sendState();
  }

  runChanged(run: RunView): void {
    this.runs.set(run.key, run);
    this.post({ type: 'run', run });
  }

  comparisonChanged(comparison: ComparisonView): void {
    this.comparisons.set(comparison.id, comparison);
    this.post({ type: 'comparison', comparison });
  }

  /** Reveals the panel on a page (a run that just finished, a comparison). */
  async show(page?: Page): Promise<void> {
    if (page) this.pending = page;
    await vscode.commands.executeCommand(`${RUNS_VIEW_ID}.focus`);
    this.flushNavigation();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.sendState();
        this.flushNavigation();
        return;
      case 'open-spec': {
        const dir = this.runs.get(m.key)?.runDir;
        if (dir) await vscode.window.showTextDocument(vscode.Uri.joinPath(vscode.Uri.file(dir), 'spec.model'), { preview: true });
        return;
      }
      case 'open-folder': {
        const dir = this.runs.get(m.key)?.runDir;
        if (!dir) return;
        const uri = vscode.Uri.file(dir);
        // Desktop VS Code opens the OS file manager; remote and web workbenches have none, so show run.json there.
        const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
        if (vscode.env.remoteName === undefined && vscode.env.uiKind === vscode.UIKind.Desktop) await vscode.commands.executeCommand('revealFileInOS', uri);
        else if (inWorkspace) await vscode.commands.executeCommand('revealInExplorer', uri);
        else await vscode.window.showTextDocument(vscode.Uri.joinPath(uri, 'run.json'), { preview: true });
        return;
      }
      case 'save': {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const name = `${m.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.${m.format}`;
        const target = await vscode.window.showSaveDialog({
          defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
          filters: m.format === 'png' ? { 'PNG image': ['png'] } : { 'SVG image': ['svg'] },
          saveLabel: `Save ${m.format.toUpperCase()}`,
        });
        if (!target) return;
        const bytes = m.format === 'png' ? Buffer.from(m.data, 'base64') : Buffer.from(m.data, 'utf8');
        await vscode.workspace.fs.writeFile(target, bytes);
        void vscode.window.setStatusBarMessage(`Saved ${vscode.workspace.asRelativePath(target)}`, 4000);
        return;
      }
      case 'copy':
        await vscode.env.clipboard.writeText(m.text);
        void vscode.window.showInformationMessage(`Copied the ${m.what} as Markdown.`);
        return;
    }
  }

  private sendState(): void {
    this.post({ type: 'state', runs: [...this.runs.values()], comparisons: [...this.comparisons.values()], message: this.message });
  }

  private flushNavigation(): void {
    if (!this.pending || !this.ready) return;
    this.post({ type: 'navigate', page: this.pending });
    this.pending = undefined;
  }

  private post(m: ToWebview): void {
    if (this.view && this.ready) void this.view.webview.postMessage(m);
  }

  private fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.output.appendLine(`[runs panel] ${message}`);
    void vscode.window.showErrorMessage(`Modelspec: ${message}`);
  }
}

/** The page: a nonce on the one script, nothing inline, only the extension's own files. */
function html(webview: vscode.Webview, dist: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview-style.css'));
  const csp = [`default-src 'none'`, `img-src ${webview.cspSource} data:`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Modelspec runs</title>
</head>
<body>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
