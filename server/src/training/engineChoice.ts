import type { EngineKind } from '../analysis/paramCounts';
import type { BackendPreference } from './protocol';
import type { PythonSearch } from './torch/python';

/**
 * Which engine will train neural models, and why (shown next to the counts that follow it).
 * `engine` is undefined while `auto` waits for the search for a Python with PyTorch.
 */
export interface EngineChoice {
  readonly engine?: EngineKind;
  readonly why: string;
  /** The interpreter auto found, which a run can be handed instead of searching again. */
  readonly python?: string;
}

/** The engine a backend names; undefined for `auto`, which depends on finding PyTorch. */
export function engineOfBackend(backend: BackendPreference): EngineKind | undefined {
  return backend === 'auto' ? undefined : backend === 'torch' ? 'torch' : 'tfjs';
}

/** What `auto` picks after a search, as the trainer picks it. */
export function autoChoice(search: PythonSearch): EngineChoice {
  return search.found
    ? { engine: 'torch', why: `auto: PyTorch ${search.found.torch} in ${search.found.python}`, python: search.found.python }
    : { engine: 'tfjs', why: 'auto: no Python with PyTorch found' };
}

/**
 * The choice for a backend set by `setting` (`--backend`, or the editor's setting): at once
 * for a named one; for `auto`, after `search` answers.
 */
export async function chooseEngine(backend: BackendPreference, setting: string, search: () => Promise<PythonSearch>): Promise<EngineChoice> {
  const named = engineOfBackend(backend);
  return named ? { engine: named, why: `${setting} ${backend}` } : autoChoice(await search());
}
