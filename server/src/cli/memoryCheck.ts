import type { AnalysisHost } from '../analysis/host';
import { checkBeforeLaunch, machineMemory, OVERRIDE_HINTS, type MachineMemory } from '../training/admission';
import type { PythonSearch } from '../training/torch/python';
import { analyzeFile } from './io';
import type { TrainFlags } from './train';

/**
 * The memory admission of `train` and `compare` (see training/admission.ts), before any
 * trainer starts: the refusal of every model of `models` this machine lacks the memory for,
 * one paragraph each, then how to override it; undefined when all fit or the user passed
 * --skip-memory-check. The trainer checks again, so a run started otherwise is refused too.
 */
export async function memoryRefusal(
  file: string,
  models: readonly string[],
  flags: TrainFlags,
  host: AnalysisHost,
  machine: MachineMemory = machineMemory(),
  search?: (python?: string) => Promise<PythonSearch>,
): Promise<string | undefined> {
  if (flags.skipMemoryCheck) return undefined;
  const analysis = analyzeFile(file, host);
  const refused: string[] = [];
  for (const name of models) {
    const model = analysis.models.find((m) => m.name === name);
    const refusal = model && (await checkBeforeLaunch(model, flags, machine, search));
    if (refusal) refused.push(refusal.lines.join('\n'));
  }
  return refused.length ? [...refused, OVERRIDE_HINTS.cli].join('\n') : undefined;
}
