import type { Connection } from 'vscode-languageserver/node';
import { DidChangeConfigurationNotification } from 'vscode-languageserver/node';
import { BACKEND_PREFERENCES, type BackendPreference } from '../training/protocol';
import { DEFAULT_RUNS_DIR } from '../training/runs';
import type { Log } from './log';
import type { Accelerator } from '../training/timeArithmetic';

/** The `modelspec.*` settings the server reads (the client contributes them in package.json). */
export interface Settings {
  readonly inlayHints: { readonly enabled: boolean; readonly params: boolean };
  readonly codeLens: { readonly enabled: boolean };
  readonly accelerators: readonly Accelerator[];
  /** Quiet time after the last edit before diagnostics are computed and pushed. */
  readonly diagnostics: { readonly delay: number };
  /** `backend` picks the engine for neural models; `python` the interpreter for PyTorch ('' searches). */
  readonly training: { readonly maxConcurrentRuns: number; readonly backend: BackendPreference; readonly python: string };
  /** Relative to the spec's folder, or absolute. */
  readonly runsDirectory: string;
}

/**
 * Peaks from the vendors' data sheets (dense, no sparsity; fp32 without tensor cores, and the
 * A100's tf32 tensor cores) at a utilisation typical of small-batch training; users with
 * other hardware or precisions set their own. The manifest's default is this same list.
 */
export const DEFAULT_ACCELERATORS: readonly Accelerator[] = [
  { name: 'NVIDIA T4 (fp32)', peakTflops: 8.1, utilization: 0.4 },
  { name: 'NVIDIA A100 (fp32)', peakTflops: 19.5, utilization: 0.4 },
  { name: 'NVIDIA A100 (tf32)', peakTflops: 156, utilization: 0.4 },
  { name: 'NVIDIA RTX 4090 (fp32)', peakTflops: 82.6, utilization: 0.4 },
];

/**
 * 50 ms coalesces a burst of changes (key repeat, multi-cursor edits, an undo that sends
 * several) while still showing an isolated edit's diagnostics within 100 ms on ordinary
 * files.
 */
export const DEFAULT_DIAGNOSTICS_DELAY = 50;

export const DEFAULT_SETTINGS: Settings = {
  inlayHints: { enabled: true, params: true },
  codeLens: { enabled: true },
  accelerators: DEFAULT_ACCELERATORS,
  diagnostics: { delay: DEFAULT_DIAGNOSTICS_DELAY },
  training: { maxConcurrentRuns: 1, backend: 'auto', python: '' },
  runsDirectory: DEFAULT_RUNS_DIR,
};

/** Accepts whatever the client sends: each field that is malformed keeps its default. */
export function normalizeSettings(raw: unknown): Settings {
  const r = isObject(raw) ? raw : {};
  const inlay = isObject(r.inlayHints) ? r.inlayHints : {};
  const lens = isObject(r.codeLens) ? r.codeLens : {};
  const diags = isObject(r.diagnostics) ? r.diagnostics : {};
  const training = isObject(r.training) ? r.training : {};
  return {
    inlayHints: {
      enabled: bool(inlay.enabled, DEFAULT_SETTINGS.inlayHints.enabled),
      params: bool(inlay.params, DEFAULT_SETTINGS.inlayHints.params),
    },
    codeLens: { enabled: bool(lens.enabled, DEFAULT_SETTINGS.codeLens.enabled) },
    accelerators: Array.isArray(r.accelerators) ? r.accelerators.flatMap(accelerator) : DEFAULT_SETTINGS.accelerators,
    diagnostics: {
      delay: typeof diags.delay === 'number' && Number.isFinite(diags.delay) ? Math.min(Math.max(0, diags.delay), 10_000) : DEFAULT_SETTINGS.diagnostics.delay,
    },
    training: {
      maxConcurrentRuns: Number.isInteger(training.maxConcurrentRuns) ? Math.min(Math.max(1, training.maxConcurrentRuns as number), 16) : DEFAULT_SETTINGS.training.maxConcurrentRuns,
      backend: BACKEND_PREFERENCES.includes(training.backend as BackendPreference) ? (training.backend as BackendPreference) : DEFAULT_SETTINGS.training.backend,
      python: typeof training.python === 'string' ? training.python.trim() : DEFAULT_SETTINGS.training.python,
    },
    runsDirectory: typeof r.runsDirectory === 'string' && r.runsDirectory.trim() ? r.runsDirectory.trim() : DEFAULT_SETTINGS.runsDirectory,
  };
}

function accelerator(raw: unknown): Accelerator[] {
  if (!isObject(raw)) return [];
  const { name, peakTflops, utilization } = raw;
  if (typeof name !== 'string' || !name.trim()) return [];
  if (typeof peakTflops !== 'number' || !(peakTflops > 0) || !Number.isFinite(peakTflops)) return [];
  const u = typeof utilization === 'number' && utilization > 0 && utilization <= 1 ? utilization : 0.4;
  return [{ name: name.trim(), peakTflops, utilization: u }];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bool(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

/** How long a workspace/configuration request may take before the defaults are used. */
const CONFIGURATION_TIMEOUT_MS = 2000;

/**
 * Holds the current settings. Handlers read `current` synchronously (hover and inlay
 * hints must not wait on a round trip); the settings are pulled once after
 * initialisation and again whenever the client says they changed. Clients without
 * workspace/configuration may push them in didChangeConfiguration instead.
 */
export class ConfigStore {
  private settings: Settings = DEFAULT_SETTINGS;
  private readonly listeners: ((s: Settings, previous: Settings) => void)[] = [];
  private first: Promise<void> = Promise.resolve();

  constructor(
    private readonly connection: Connection,
    private readonly log: Log,
    private readonly canPull: boolean,
    private readonly canRegister: boolean,
  ) {}

  get current(): Settings {
    return this.settings;
  }

  /** Resolves once the first pull has answered (or timed out). */
  ready(): Promise<void> {
    return this.first;
  }

  onChange(listener: (s: Settings, previous: Settings) => void): void {
    this.listeners.push(listener);
  }

  /** Call from onInitialized. */
  start(): void {
    if (this.canRegister) {
      this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'modelspec' }).catch((err) => this.log.warn(`Could not register for configuration changes: ${err}`));
    }
    this.connection.onDidChangeConfiguration(async (params) => {
      try {
        if (this.canPull) await this.pull();
        else this.set(normalizeSettings((params.settings as Record<string, unknown> | undefined)?.modelspec));
      } catch (err) {
        this.log.error('Reading the settings failed', err);
      }
    });
    this.first = this.pull();
  }

  private async pull(): Promise<void> {
    if (!this.canPull) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), CONFIGURATION_TIMEOUT_MS);
    });
    try {
      const answer = await Promise.race([this.connection.workspace.getConfiguration('modelspec') as Promise<unknown>, timeout]);
      if (answer === undefined) this.log.warn('The client did not answer workspace/configuration in time; using default settings.');
      else this.set(normalizeSettings(answer));
    } catch (err) {
      this.log.warn(`workspace/configuration failed (${err}); using default settings.`);
    } finally {
      clearTimeout(timer);
    }
  }

  private set(next: Settings): void {
    const previous = this.settings;
    this.settings = next;
    for (const l of this.listeners) {
      try {
        l(next, previous);
      } catch (err) {
        this.log.error('A settings listener failed', err);
      }
    }
  }
}
