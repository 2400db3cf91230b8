/**
 * How many times a crashed language server is restarted automatically: at most
 * `maxRestarts` within any `windowMs`. A server that keeps dying (a bug hit on every
 * start, a file that crashes it on open) would otherwise restart forever and flood the
 * user with messages; past the budget the user decides.
 */
export class RestartBudget {
  private crashes: number[] = [];

  constructor(
    readonly maxRestarts = 4,
    readonly windowMs = 3 * 60_000,
  ) {}

  /** Records a crash at `now`; true when the server may be restarted automatically. */
  crashed(now: number): boolean {
    this.crashes = this.crashes.filter((t) => now - t < this.windowMs);
    this.crashes.push(now);
    return this.crashes.length <= this.maxRestarts;
  }

  /** Crashes inside the current window (for the message that reports them). */
  get recent(): number {
    return this.crashes.length;
  }

  /** A restart the user asked for starts a fresh budget. */
  reset(): void {
    this.crashes = [];
  }
}
