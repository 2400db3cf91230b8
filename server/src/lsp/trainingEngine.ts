import { autoChoice, engineOfBackend, type EngineChoice } from '../training/engineChoice';
import type { PythonSearch } from '../training/torch/python';
import type { Settings } from './config';
import type { Log } from './log';

export type TorchSearch = (python: string | undefined) => Promise<PythonSearch>;

const SEARCHING: EngineChoice = { why: 'auto: still looking for a Python with PyTorch' };
const NOT_SEARCHED: EngineChoice = { why: 'auto: PyTorch is not looked for in an untrusted workspace' };

/**
 * Which engine will train, for the parameter counts hovers, hints, lenses and the models
 * view show. A named backend answers at once. `auto` depends on whether a Python with
 * PyTorch exists, which takes 1–3 s to ask, so the search runs in the background, once per
 * backend and python setting; until it answers, `current` says so (the views then show
 * both counts) and no request ever waits for it. `changed` runs whenever the answer does.
 * While `searchAllowed` says no (an untrusted workspace: asking an interpreter runs it),
 * `auto` stays unknown; call `update` when it may say yes again.
 */
export class EngineTracker {
  private key: string | undefined;
  private choice: EngineChoice = SEARCHING;
  private pending: Promise<EngineChoice> = Promise.resolve(SEARCHING);

  constructor(
    private readonly search: TorchSearch,
    private readonly changed: () => void,
    private readonly log: Log,
    private readonly searchAllowed: () => boolean = () => true,
  ) {}

  /** The choice for these settings as known now; starts the search when they call for a new one. */
  current(training: Settings['training']): EngineChoice {
    this.update(training);
    return this.choice;
  }

  /** The choice once known, for a command that may wait (the estimate table). */
  settled(training: Settings['training']): Promise<EngineChoice> {
    this.update(training);
    return this.pending;
  }

  /** Call with the settings once read and whenever they or `searchAllowed` change: a changed backend or python is asked again. */
  update(training: Settings['training']): void {
    const allowed = this.searchAllowed();
    const key = `${training.backend}\n${training.python}\n${allowed}`;
    if (key === this.key) return;
    this.key = key;
    const named = engineOfBackend(training.backend);
    if (named) {
      this.set({ engine: named, why: `modelspec.training.backend: ${training.backend}` });
      this.pending = Promise.resolve(this.choice);
      return;
    }
    if (!allowed) {
      this.set(NOT_SEARCHED);
      this.pending = Promise.resolve(this.choice);
      return;
    }
    this.set(SEARCHING);
    this.pending = this.search(training.python || undefined).then(autoChoice, (err: unknown) => {
      this.log.error('Looking for a Python with PyTorch failed', err);
      return { engine: 'tfjs' as const, why: 'auto: the search for PyTorch failed' };
    });
    // A newer setting may have started another search meanwhile: only the latest one counts.
    void this.pending.then((choice) => {
      if (this.key === key) this.set(choice);
    });
  }

  private set(choice: EngineChoice): void {
    const before = this.choice;
    this.choice = choice;
    if (before.engine !== choice.engine) this.changed();
  }
}
