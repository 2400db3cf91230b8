import * as path from 'node:path';
import * as vscode from 'vscode';
import { ErrorCodes, ExecuteCommandRequest, LSPErrorCodes, ResponseError } from 'vscode-languageclient/node';
import { COMMANDS, MODELS_REQUEST, type CommandArgs, type ModelsParams, type ModelsResult, type ModelSummary } from '../../server/src/lsp/protocol';
import type { ModelspecServer } from './client';
import { CLIENT_COMMANDS, LANGUAGE_ID } from './ids';
import { modelDescription } from './presentation';
import type { ResultDocuments } from './resultDocuments';
import type { RunsPanel } from './runsPanel';
import type { Training } from './training';
import { commandArgsFrom, enclosingModel, type NamedRange } from './target';

/**
 * The palette commands. Each one works out its document (and model), then asks the
 * language server through `workspace/executeCommand` and shows the answer: training and
 * comparison with progress and a result document, the estimate in a read-only document
 * beside the spec.
 */
export function registerCommands(server: ModelspecServer, results: ResultDocuments, training: Training, panel: RunsPanel, output: vscode.OutputChannel): vscode.Disposable[] {
  const run = new CommandRunner(server, results, training, output);
  return [
    vscode.commands.registerCommand(CLIENT_COMMANDS.train, (arg?: unknown, model?: unknown) => run.guarded(() => run.train(arg, model))),
    vscode.commands.registerCommand(CLIENT_COMMANDS.compare, (arg?: unknown) => run.guarded(() => run.compare(arg))),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showEstimate, (arg?: unknown, model?: unknown) => run.guarded(() => run.showEstimate(arg, model))),
    vscode.commands.registerCommand(CLIENT_COMMANDS.restartServer, () => run.guarded(() => run.restart())),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showRuns, () => run.guarded(() => panel.show())),
  ];
}

/** What a command resolved to: the document, and the model when it needs one. */
interface Target {
  readonly uri: string;
  readonly model?: string;
}

class CommandRunner {
  constructor(
    private readonly server: ModelspecServer,
    private readonly results: ResultDocuments,
    private readonly training: Training,
    private readonly output: vscode.OutputChannel,
  ) {}

  async train(arg: unknown, model?: unknown): Promise<void> {
    if (!(await this.trusted('Training'))) return;
    const target = await this.target(arg, model, { model: 'required' });
    if (!target?.model) return;
    await this.training.train(target.uri, target.model);
  }

  /** The file's `compare` list; without one, the models the user picks (two or more). */
  async compare(arg: unknown): Promise<void> {
    if (!(await this.trusted('Comparing models'))) return;
    const target = await this.target(arg, undefined, { model: 'none' });
    if (!target) return;
    const file = fileName(target.uri);
    const listed = await this.server.client.sendRequest<ModelsResult | null>(MODELS_REQUEST, { uri: target.uri } satisfies ModelsParams);
    let models: string[] | undefined;
    if (!listed?.compare) {
      const all = listed?.models ?? [];
      if (all.length === 0) {
        void vscode.window.showWarningMessage(`${file} declares no models.`);
        return;
      }
      if (all.length > 1) {
        const picked = await vscode.window.showQuickPick(
          all.map((m) => ({ label: m.name, description: modelDescription(m), picked: true })),
          { canPickMany: true, placeHolder: `${file} has no \`compare\` line: pick the models to train and compare` },
        );
        if (!picked || picked.length === 0) return;
        models = picked.map((p) => p.label);
      }
    }
    await this.training.compare(target.uri, models, file);
  }

  async showEstimate(arg: unknown, model?: unknown): Promise<void> {
    const target = await this.target(arg, model, { model: 'optional' });
    if (!target) return;
    const args: CommandArgs = target.model ? { uri: target.uri, model: target.model } : { uri: target.uri };
    const title = `Estimate ${target.model ?? 'all models'} (${fileName(target.uri)})`;
    await this.results.show(title, JSON.stringify(args), () => this.execute<unknown>(COMMANDS.estimate, args).then(asText), target.uri);
  }

  async restart(): Promise<void> {
    this.output.appendLine('[client] restarting the language server (requested)');
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Restarting the Modelspec language server' }, () => this.server.restart());
    void vscode.window.setStatusBarMessage('Modelspec language server restarted', 3000);
  }

  /** Runs a command body and turns its failure into one message, never an unhandled rejection. */
  async guarded(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      if (isCancellation(err)) return;
      const message = errorMessage(err);
      this.output.appendLine(`[client] ${message}`);
      const notRunning = err instanceof ResponseError && err.code === ErrorCodes.ConnectionInactive;
      const actions = notRunning ? ['Restart Server', 'Show Log'] : ['Show Log'];
      const choice = await vscode.window.showErrorMessage(`Modelspec: ${message}`, ...actions);
      if (choice === 'Restart Server') await vscode.commands.executeCommand(CLIENT_COMMANDS.restartServer);
      if (choice === 'Show Log') this.output.show(true);
    }
  }

  private execute<R>(command: string, args: CommandArgs, token?: vscode.CancellationToken): Promise<R> {
    return this.server.client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [args] }, token) as Promise<R>;
  }

  private async trusted(what: string): Promise<boolean> {
    if (vscode.workspace.isTrusted) return true;
    const choice = await vscode.window.showWarningMessage(
      `${what} reads data files and starts processes, so it needs a trusted workspace. Checking and estimating work without trust.`,
      'Manage Workspace Trust',
    );
    if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
    return false;
  }

  /**
   * The document and model a command is about: from its argument (code lens, results
   * view, editor title), else the active .model editor and the model around the cursor,
   * else the user's pick.
   */
  private async target(arg: unknown, model: unknown, need: { model: 'required' | 'optional' | 'none' }): Promise<Target | undefined> {
    const given = commandArgsFrom(arg, model);
    const editor = vscode.window.activeTextEditor;
    const activeModelDoc = editor?.document.languageId === LANGUAGE_ID ? editor.document : undefined;
    const uri = given?.uri ?? (arg instanceof vscode.Uri ? arg.toString() : activeModelDoc?.uri.toString());
    if (!uri) {
      void vscode.window.showWarningMessage('Open a .model file first.');
      return undefined;
    }
    if (need.model === 'none' || given?.model) return { uri, model: need.model === 'none' ? undefined : given?.model };

    const models = await this.models(uri);
    if (models.length === 0) {
      void vscode.window.showWarningMessage(`${fileName(uri)} declares no models.`);
      return undefined;
    }
    if (activeModelDoc && activeModelDoc.uri.toString() === uri) {
      const around = enclosingModel(
        models.map((m) => m.name),
        await this.outline(activeModelDoc.uri),
        editor!.selection.active.line,
      );
      if (around) return { uri, model: around };
    }
    if (models.length === 1 && need.model === 'required') return { uri, model: models[0].name };

    type Pick = vscode.QuickPickItem & { model?: string };
    const items: Pick[] = models.map((m) => ({ label: m.name, description: modelDescription(m), model: m.name }));
    if (need.model === 'optional') items.unshift({ label: 'All models', description: `every model in ${fileName(uri)}` });
    const picked = await vscode.window.showQuickPick(items, { placeHolder: need.model === 'required' ? 'Which model?' : 'Estimate which model?' });
    if (!picked) return undefined;
    return { uri, model: picked.model };
  }

  private async models(uri: string): Promise<readonly ModelSummary[]> {
    const params: ModelsParams = { uri };
    const result = await this.server.client.sendRequest<ModelsResult | null>(MODELS_REQUEST, params);
    return result?.models ?? [];
  }

  /** The document's outline from the server; symbols span whole declarations. */
  private async outline(uri: vscode.Uri): Promise<NamedRange[]> {
    const symbols = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined>('vscode.executeDocumentSymbolProvider', uri);
    return (symbols ?? []).map((s) => ({ name: s.name, range: 'location' in s ? s.location.range : s.range }));
  }
}

/** The server answers text for estimates; anything else (a future structured result) is shown as JSON. */
function asText(result: unknown): string {
  if (result === null || result === undefined) return '';
  if (typeof result === 'string') return result;
  return JSON.stringify(result, null, 2);
}

function fileName(uri: string): string {
  return path.posix.basename(vscode.Uri.parse(uri).path);
}

function isCancellation(err: unknown): boolean {
  return (err instanceof ResponseError && err.code === LSPErrorCodes.RequestCancelled) || err instanceof vscode.CancellationError;
}

function errorMessage(err: unknown): string {
  if (err instanceof ResponseError && err.code === ErrorCodes.ConnectionInactive) return 'the language server is not running.';
  return err instanceof Error ? err.message : String(err);
}

