import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { ExecuteCommandRequest, WorkDoneProgress } from 'vscode-languageclient/node';
import { COMMANDS, type CommandArgs, type ComparisonResult, type RunView } from '../../server/src/lsp/protocol';
import { byAccuracy, percent, tradeOff } from '../../server/src/training/report';
import type { ModelspecServer } from './client';
import type { RunsPanel } from './runsPanel';
import { askTrainAnyway, memoryRefusal } from './memoryRefusal';

/**
 * Train and Compare as the user sees them: the server trains in the background and
 * reports LSP work-done progress on a token this side made, drawn here as a notification
 * with a working Cancel (vscode-languageclient would draw server progress in the status
 * bar, where it cannot be cancelled). The result opens in the runs panel.
 */
export class Training {
  constructor(
    private readonly server: ModelspecServer,
    private readonly panel: RunsPanel,
    private readonly output: vscode.OutputChannel,
  ) {}

  async train(uri: string, model: string, skipMemoryCheck = false): Promise<void> {
    const run = await this.withProgress<RunView>(`Training ${model}`, COMMANDS.train, { uri, model, ...(skipMemoryCheck ? { skipMemoryCheck } : {}) }).catch(async (err: unknown) => {
      // Too big for this machine's memory: the user may train anyway (memoryRefusal.ts).
      const refusal = memoryRefusal(err);
      if (!refusal) throw err;
      if (await askTrainAnyway(refusal)) await this.train(uri, model, true);
      return undefined;
    });
    if (!run) return;
    if (run.status === 'cancelled') {
      const epochs = run.history.length;
      void vscode.window.showInformationMessage(
        run.runDir ? `Training ${model} cancelled after ${epochs} epoch${epochs === 1 ? '' : 's'}; what finished is kept in its run.` : `Training ${model} cancelled before it started.`,
      );
      if (run.runDir) await this.panel.show({ kind: 'run', key: run.key });
      return;
    }
    const r = run.result;
    const summary = r ? `accuracy ${percent(r.metrics.accuracy)}, F1 ${r.metrics.f1.toFixed(3)}, ${(r.trainMs / 1000).toFixed(1)} s on ${run.backend}` : run.status;
    await this.panel.show({ kind: 'run', key: run.key });
    void vscode.window.showInformationMessage(`${model} trained: ${summary}${run.status === 'stopped-early' ? ' (stopped early)' : ''}.`);
  }

  async compare(uri: string, models: readonly string[] | undefined, fileName: string, skipMemoryCheck = false): Promise<void> {
    const args: CommandArgs = { uri, ...(models ? { models } : {}), ...(skipMemoryCheck ? { skipMemoryCheck } : {}) };
    const result = await this.withProgress<ComparisonResult>(`Comparing ${fileName}`, COMMANDS.compare, args).catch(async (err: unknown) => {
      const refusal = memoryRefusal(err);
      if (!refusal) throw err;
      if (await askTrainAnyway(refusal)) await this.compare(uri, models, fileName, true);
      return undefined;
    });
    if (!result) return;
    await this.panel.show({ kind: 'compare', id: result.comparison.id });
    const done = result.runs.flatMap((r) => (r.result && r.kind ? [{ ...r.result, model: r.model, kind: r.kind }] : []));
    const failed = result.runs.filter((r) => r.status === 'failed');
    const verdict = tradeOff(byAccuracy(done));
    const parts = [`Compared ${done.length} of ${result.comparison.models.length} models.`];
    if (verdict) parts.push(verdict.summary);
    if (failed.length) parts.push(`Failed: ${failed.map((r) => r.model).join(', ')} (see the Runs panel).`);
    const show = failed.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(parts.join(' '));
  }

  private async withProgress<R>(title: string, command: string, args: CommandArgs): Promise<R | undefined> {
    const token = `modelspec-${randomUUID()}`;
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, cancel) => {
      let reported = 0;
      const subscription = this.server.client.onProgress(WorkDoneProgress.type, token, (value) => {
        if (value.kind === 'end') return;
        const percentage = value.percentage ?? reported;
        const increment = Math.max(0, Math.min(100, percentage) - reported);
        reported += increment;
        progress.report({ message: value.message, increment });
        if (value.message) this.output.appendLine(`[${title}] ${value.message}`);
      });
      try {
        return await this.server.client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [args], workDoneToken: token }, cancel) as R;
      } finally {
        subscription.dispose();
      }
    });
  }
}
