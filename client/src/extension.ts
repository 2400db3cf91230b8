import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createClient } from './client';
import { registerCommands } from './commands';
import { ResultsView } from './resultsView';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Modelspec');
  context.subscriptions.push(output);
  const current = () => {
    if (!client) throw new Error('The Modelspec language server is not running.');
    return client;
  };
  const results = new ResultsView(current);
  let notifications: vscode.Disposable | undefined;
  const start = async () => {
    client = createClient(context, output);
    await client.start();
    notifications?.dispose();
    notifications = results.listen(client);
    await results.refresh();
  };
  const restart = async () => {
    output.appendLine('[client] restarting the language server');
    await client?.stop().catch(() => undefined);
    await start();
  };
  registerCommands(context, current, restart);
  results.register(context);
  context.subscriptions.push({ dispose: () => notifications?.dispose() });
  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
