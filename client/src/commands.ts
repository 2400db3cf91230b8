import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { COMMANDS, MODELS_REQUEST, type CommandArgs, type ModelsResult } from '../../server/src/lsp/protocol';

const ESTIMATE_SCHEME = 'modelspec-estimate';

/** Registers the palette commands; each one is a thin call into the language server. */
export function registerCommands(context: vscode.ExtensionContext, client: () => LanguageClient, restart: () => Promise<void>): void {
  const estimates = new EstimateDocuments();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(ESTIMATE_SCHEME, estimates),
    vscode.commands.registerCommand('modelspec.train', (uri?: string, model?: string) => runOnServer(client(), COMMANDS.train, uri, model)),
    vscode.commands.registerCommand('modelspec.compare', (uri?: string) => runOnServer(client(), COMMANDS.compare, uri, undefined, false)),
    vscode.commands.registerCommand('modelspec.showEstimate', async (uri?: string, model?: string) => {
      const args = await commandArgs(client(), uri, model, true);
      if (!args) return;
      const text = await client().sendRequest<string>('workspace/executeCommand', { command: COMMANDS.estimate, arguments: [args] });
      const doc = vscode.Uri.parse(`${ESTIMATE_SCHEME}:${encodeURIComponent(args.model ?? 'all models')}.txt?${encodeURIComponent(args.uri)}#${Date.now()}`);
      estimates.set(doc, text);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(doc), { preview: true, viewColumn: vscode.ViewColumn.Beside });
    }),
    vscode.commands.registerCommand('modelspec.restartServer', restart),
  );
}

async function runOnServer(client: LanguageClient, command: string, uri?: string, model?: string, pickModel = true): Promise<void> {
  const args = await commandArgs(client, uri, model, pickModel);
  if (!args) return;
  try {
    const result = await client.sendRequest<unknown>('workspace/executeCommand', { command, arguments: [args] });
    if (typeof result === 'string' && result) void vscode.window.showInformationMessage(result);
  } catch (err) {
    void vscode.window.showErrorMessage((err as Error).message);
  }
}

/** The active .model document and the model under the cursor, or one the user picks. */
async function commandArgs(client: LanguageClient, uri: string | undefined, model: string | undefined, pickModel: boolean): Promise<CommandArgs | undefined> {
  const editor = vscode.window.activeTextEditor;
  const target = uri ?? (editor?.document.languageId === 'modelspec' ? editor.document.uri.toString() : undefined);
  if (!target) {
    void vscode.window.showWarningMessage('Open a .model file first.');
    return undefined;
  }
  if (model || !pickModel) return { uri: target, model };
  const { models } = await client.sendRequest<ModelsResult>(MODELS_REQUEST, { uri: target });
  if (models.length === 0) {
    void vscode.window.showWarningMessage('This file declares no models.');
    return undefined;
  }
  const cursor = editor && editor.document.uri.toString() === target ? editor.selection.active.line : -1;
  // The model whose declaration starts last above the cursor is the one it is in.
  const under = [...models].reverse().find((m) => m.range.start.line <= cursor);
  if (under && cursor >= 0) return { uri: target, model: under.name };
  const picked = await vscode.window.showQuickPick(
    models.map((m) => ({ label: m.name, description: `${m.kind} · ${m.params.total} params`, model: m.name })),
    { placeHolder: 'Which model?' },
  );
  return picked ? { uri: target, model: picked.model } : undefined;
}

class EstimateDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}
