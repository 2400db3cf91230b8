import * as vscode from 'vscode';
import {
  COMPARISON_CHANGED_NOTIFICATION,
  MODELS_CHANGED_NOTIFICATION,
  RUN_CHANGED_NOTIFICATION,
  type ComparisonView,
  type ModelsChangedParams,
  type RunView,
} from '../../server/src/lsp/protocol';
import { ModelspecServer } from './client';
import { registerCommands } from './commands';
import { CLIENT_COMMANDS, OUTPUT_CHANNEL_NAME } from './ids';
import { ResultDocuments } from './resultDocuments';
import { ResultsView } from './resultsView';
import { RunsPanel } from './runsPanel';
import { Training } from './training';

let server: ModelspecServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME);
  server = new ModelspecServer(context, output);
  const documents = new ResultDocuments();
  const results = new ResultsView(server);
  const panel = new RunsPanel(context.extensionUri, server, output);
  const training = new Training(server, panel, output);
  context.subscriptions.push(
    output,
    server,
    documents,
    results,
    panel,
    ...registerCommands(server, documents, training, panel, output),
    // vscode-languageclient keeps one handler per notification, and it survives restarts:
    // register it once, here, for everything that follows the server's analyses.
    server.client.onNotification(MODELS_CHANGED_NOTIFICATION, (params: ModelsChangedParams) => {
      results.update(params);
      void documents.refresh(params.uri);
    }),
    server.client.onNotification(RUN_CHANGED_NOTIFICATION, (run: RunView) => panel.runChanged(run)),
    server.client.onNotification(COMPARISON_CHANGED_NOTIFICATION, (c: ComparisonView) => panel.comparisonChanged(c)),
  );
  try {
    await server.start();
  } catch (err) {
    // Activation still succeeds: the commands, the view and the restart command stay usable.
    const message = `The Modelspec language server did not start: ${(err as Error).message}`;
    output.appendLine(`[client] ${message}`);
    void vscode.window.showErrorMessage(message, 'Restart', 'Show Log').then((choice) => {
      if (choice === 'Restart') void vscode.commands.executeCommand(CLIENT_COMMANDS.restartServer);
      if (choice === 'Show Log') output.show(true);
    });
  }
}

/** VS Code waits for this promise, so the server gets its shutdown and exit before the host goes. */
export async function deactivate(): Promise<void> {
  const s = server;
  server = undefined;
  await s?.stop();
}
