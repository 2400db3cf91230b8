import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type Message,
  type ServerOptions,
} from 'vscode-languageclient/node';

/** Crashes tolerated within the window before the client stops restarting the server. */
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60_000;

export function createClient(context: vscode.ExtensionContext, output: vscode.OutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'modelspec' }],
    synchronize: {
      configurationSection: 'modelspec',
      // Data files: a changed CSV re-checks the specs that read it.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{csv,model}'),
    },
    outputChannel: output,
    errorHandler: new RestartingErrorHandler(output),
  };
  return new LanguageClient('modelspec', 'Modelspec Language Server', serverOptions, clientOptions);
}

/**
 * Restarts a crashed server a few times, telling the user each time; after too many
 * crashes in a short window it stops and offers a manual restart instead of looping.
 */
class RestartingErrorHandler implements ErrorHandler {
  private readonly crashes: number[] = [];

  constructor(private readonly output: vscode.OutputChannel) {}

  error(error: Error, _message: Message | undefined, count: number | undefined) {
    this.output.appendLine(`[client] connection error: ${error.message}`);
    return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
  }

  closed() {
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length && now - this.crashes[0] > RESTART_WINDOW_MS) this.crashes.shift();
    if (this.crashes.length > MAX_RESTARTS) {
      void vscode.window
        .showErrorMessage(`The Modelspec language server stopped ${this.crashes.length} times in ${RESTART_WINDOW_MS / 60_000} minutes and was not restarted.`, 'Restart', 'Show Log')
        .then((choice) => {
          if (choice === 'Restart') void vscode.commands.executeCommand('modelspec.restartServer');
          if (choice === 'Show Log') this.output.show();
        });
      return { action: CloseAction.DoNotRestart };
    }
    void vscode.window.showWarningMessage('The Modelspec language server stopped unexpectedly and was restarted.', 'Show Log').then((choice) => {
      if (choice === 'Show Log') this.output.show();
    });
    return { action: CloseAction.Restart };
  }
}
