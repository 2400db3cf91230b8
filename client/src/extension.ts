import * as vscode from 'vscode';
import { MODELS_CHANGED_NOTIFICATION, type ModelsChangedParams } from '../../server/src/lsp/protocol';
import { ModelspecServer } from './client';
import { registerCommands } from './commands';
import { CLIENT_COMMANDS, OUTPUT_CHANNEL_NAME } from './ids';
import { ResultDocuments } from './resultDocuments';
import { ResultsView } from './resultsView';

let server: ModelspecServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME);
  server = new ModelspecServer(context, output);
  const documents = new ResultDocuments();
  const results = new ResultsView(server);
  context.subscriptions.push(
    output,
    server,
    documents,
    results,
    ...registerCommands(server, documents, output),
    // vscode-languageclient keeps one handler per notification, and it survives restarts:
    // register it once, here, for everything that follows the server's analyses.
    server.client.onNotification(MODELS_CHANGED_NOTIFICATION, (params: ModelsChangedParams) => {
      results.update(params);
      void documents.refresh(params.uri);
    }),
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
