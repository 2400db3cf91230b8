import { LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/model';
import { checkBeforeLaunch, machineMemory, OVERRIDE_HINTS, type MachineMemory } from '../training/admission';
import type { PythonSearch } from '../training/torch/python';
import type { Settings } from './config';
import { MEMORY_REFUSED, type MemoryRefusalData } from './protocol';

/**
 * The memory admission of the server's train and compare (see training/admission.ts), made
 * before a run is queued: a model the machine lacks the memory for is refused with a
 * ResponseError whose data (`MemoryRefusalData`) lets a client offer "Train anyway", which
 * sends the command again with `skipMemoryCheck: true`. The trainer checks again when the
 * run starts (another run may hold memory by then).
 */
export async function refuseTooBig(
  analysis: Analysis,
  models: readonly string[],
  args: { readonly skipMemoryCheck?: boolean },
  training: Settings['training'],
  python: string | undefined,
  machine: MachineMemory = machineMemory(),
  search?: (python?: string) => Promise<PythonSearch>,
): Promise<void> {
  if (args.skipMemoryCheck) return;
  const refused: { model: string; text: string }[] = [];
  for (const name of models) {
    const model = analysis.models.find((m) => m.name === name);
    const refusal = model && (await checkBeforeLaunch(model, { backend: training.backend, python: training.python || python }, machine, search));
    if (refusal) refused.push({ model: refusal.model, text: refusal.lines.join(' ') });
  }
  if (refused.length === 0) return;
  const message = refused.map((r) => r.text).join(' ');
  const data: MemoryRefusalData = { reason: MEMORY_REFUSED, models: refused.map((r) => r.model), message };
  throw new ResponseError(LSPErrorCodes.RequestFailed, `${message} ${OVERRIDE_HINTS.server}`, data);
}
