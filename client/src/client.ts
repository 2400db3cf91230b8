import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { TRUST_CHANGED_NOTIFICATION, type InitializationOptions, type TrustChangedParams } from '../../server/src/lsp/protocol';
import { CLIENT_COMMANDS, LANGUAGE_ID } from './ids';
import { RestartBudget } from './restartBudget';

/**
 * The bundled language server (dist/server.js) in a child process over node IPC, with
 * a crash policy: restarted automatically within a budget, then left to the user.
 */
export class ModelspecServer implements vscode.Disposable {
  readonly client: LanguageClient;
  private readonly budget = new RestartBudget();
  private readonly trustListener: vscode.Disposable;

  constructor(
    context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
  ) {
    const module = context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: LANGUAGE_ID }],
      // The server registers its own watcher for data files (CSV and friends) through
      // dynamic registration, so a watcher here would deliver every change twice.
      outputChannel: output,
      traceOutputChannel: output,
      // Code lenses run the extension's commands, which show the estimate in an editor
      // and training with progress, instead of the server's bare executeCommand ids.
      // The server refuses to train in an untrusted workspace, whoever runs its commands
      // (vscode-languageclient registers them as VS Code commands any extension can call).
      // A function: every (re)start reads the trust anew.
      initializationOptions: (): InitializationOptions => ({
        estimateCommand: CLIENT_COMMANDS.showEstimate,
        trainCommand: CLIENT_COMMANDS.train,
        trusted: vscode.workspace.isTrusted,
      }),
      errorHandler: new CrashHandler(this.budget, output),
    };
    // The id 'modelspec' also makes vscode-languageclient honour the `modelspec.trace.server` setting.
    this.client = new LanguageClient('modelspec', 'Modelspec Language Server', serverOptions, clientOptions);
    // Trust can only be granted during a session (taking it back reloads the window). A
    // server that is not running yet reads it from initializationOptions when it starts.
    this.trustListener = vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (this.client.state === State.Stopped) return;
      this.client
        .sendNotification(TRUST_CHANGED_NOTIFICATION, { trusted: true } satisfies TrustChangedParams)
        .catch((err: Error) => this.output.appendLine(`[client] telling the language server that the workspace is trusted failed: ${err.message}`));
    });
  }

  start(): Promise<void> {
    return this.client.start();
  }

  /** A restart the user asked for: a fresh crash budget, and a start even from a failed state. */
  async restart(): Promise<void> {
    this.budget.reset();
    if (this.client.isRunning()) {
      // A server that is already gone cannot acknowledge the shutdown; the client is
      // stopped either way, and the start below is what matters.
      await this.client.stop().catch((err: Error) => this.output.appendLine(`[client] stopping the server before the restart failed: ${err.message}`));
    }
    // Stopped after too many crashes, or its start failed: there is nothing to stop.
    await this.client.start();
  }

  /** Shuts the server down if it runs; a client that never started or already stopped has nothing to stop. */
  async stop(): Promise<void> {
    if (!this.client.isRunning()) return;
    await this.client.stop().catch(() => undefined);
  }

  dispose(): void {
    this.trustListener.dispose();
    void this.stop();
  }
}

/**
 * Decides what happens when the connection errors or closes. Errors on the wire are
 * tolerated for a few messages (a dying process produces a burst; the close that follows
 * is what counts). A close restarts the server while the RestartBudget allows, telling
 * the user each time; past it the server stays down and the message offers a restart.
 */
class CrashHandler implements ErrorHandler {
  constructor(
    private readonly budget: RestartBudget,
    private readonly output: vscode.OutputChannel,
  ) {}

  error(error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    this.output.appendLine(`[client] connection error (${count ?? 1}): ${error.message}`);
    if (count !== undefined && count <= 3) return { action: ErrorAction.Continue, handled: true };
    return { action: ErrorAction.Shutdown, message: `The Modelspec language server connection keeps failing (${error.message}); shutting it down.` };
  }

  closed(): CloseHandlerResult {
    if (this.budget.crashed(Date.now())) {
      this.output.appendLine(`[client] the language server stopped unexpectedly; restarting (${this.budget.recent} of ${this.budget.maxRestarts} automatic restarts in ${minutes(this.budget.windowMs)}).`);
      void vscode.window.showWarningMessage('The Modelspec language server stopped unexpectedly and was restarted.', 'Show Log').then((choice) => {
        if (choice === 'Show Log') this.output.show(true);
      });
      return { action: CloseAction.Restart, handled: true };
    }
    const text = `The Modelspec language server stopped ${this.budget.recent} times in ${minutes(this.budget.windowMs)} and will not be restarted automatically.`;
    this.output.appendLine(`[client] ${text}`);
    void vscode.window.showErrorMessage(text, 'Restart', 'Show Log').then((choice) => {
      if (choice === 'Restart') void vscode.commands.executeCommand(CLIENT_COMMANDS.restartServer);
      if (choice === 'Show Log') this.output.show(true);
    });
    return { action: CloseAction.DoNotRestart, handled: true };
  }
}

function minutes(ms: number): string {
  const m = ms / 60_000;
  return `${m} minute${m === 1 ? '' : 's'}`;
}
