import { LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import type { Log } from './log';

/**
 * Whether the workspace is trusted, as the client says: `initializationOptions.trusted`
 * at start, `modelspec/trustChanged` after (see protocol.ts). A client that says nothing
 * is trusted: plain LSP editors (Neovim, Helix, ...) have no workspace trust, and their
 * users open folders as they open them in a shell.
 *
 * Untrusted, the server reads and runs nothing on the workspace's behalf: training and
 * comparing are refused (`require`), whoever asks, and no process is started (not even the
 * search for a Python with PyTorch). Anything else that must behave differently reads
 * `trusted` when it acts, or follows `onChange`.
 */
export class Trust {
  private value: boolean;
  private readonly listeners = new Set<(trusted: boolean) => void>();

  constructor(
    private readonly log?: Log,
    trusted = true,
  ) {
    this.value = trusted;
  }

  get trusted(): boolean {
    return this.value;
  }

  /** Sets the trust; the listeners run (in the order they came) when it changes. */
  set(trusted: boolean): void {
    if (trusted === this.value) return;
    this.value = trusted;
    for (const listener of [...this.listeners]) {
      try {
        listener(trusted);
      } catch (err) {
        this.log?.error('A workspace trust listener failed', err);
      }
    }
  }

  /** Runs `listener` with the new value whenever the trust changes. */
  onChange(listener: (trusted: boolean) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Refuses `what` (`Training`, `Comparing models`: it reads data files and starts
   * processes) in an untrusted workspace with a RequestFailed error that says why.
   */
  require(what: string): void {
    if (this.value) return;
    throw new ResponseError(
      LSPErrorCodes.RequestFailed,
      `${what} reads data files and starts processes, so it needs a trusted workspace, and this workspace is not trusted. Checking and estimating work without trust.`,
    );
  }
}

/** `initializationOptions.trusted`: trusted when left out; a client that gives anything but `true` is not. */
export function initialTrust(options: unknown): boolean {
  const trusted = typeof options === 'object' && options !== null ? (options as { trusted?: unknown }).trusted : undefined;
  return trusted === undefined || trusted === true;
}

/** The value a `modelspec/trustChanged` notification carries; undefined when it is malformed. */
export function trustOf(params: unknown): boolean | undefined {
  const trusted = typeof params === 'object' && params !== null ? (params as { trusted?: unknown }).trusted : undefined;
  return typeof trusted === 'boolean' ? trusted : undefined;
}
