import * as vscode from 'vscode';
import { MEMORY_REFUSED, type MemoryRefusalData } from '../../server/src/lsp/protocol';

export const TRAIN_ANYWAY = 'Train anyway';

/** The server's refusal of a model too big for this machine's memory, when `err` is one (a ResponseError with MemoryRefusalData). */
export function memoryRefusal(err: unknown): MemoryRefusalData | undefined {
  const data = (err as { data?: unknown } | undefined)?.data as Partial<MemoryRefusalData> | undefined;
  return data && typeof data === 'object' && data.reason === MEMORY_REFUSED && Array.isArray(data.models) && typeof data.message === 'string' ? (data as MemoryRefusalData) : undefined;
}

/**
 * Shows a refusal in a modal dialog — the numbers and what to change in its detail — with
 * "Train anyway"; true when the user chose it. Dismissing it is an answer, not an error.
 */
export async function askTrainAnyway(refusal: MemoryRefusalData): Promise<boolean> {
  const models = refusal.models.join(', ');
  const choice = await vscode.window.showWarningMessage(
    `${models} ${refusal.models.length === 1 ? 'needs' : 'need'} more memory than this machine has available.`,
    { modal: true, detail: `${refusal.message}\n\nTraining anyway may slow this machine down until the run fails for lack of memory or the system stops it.` },
    TRAIN_ANYWAY,
  );
  return choice === TRAIN_ANYWAY;
}
