/**
 * Training runs wait here for a slot: at most `limit()` run at once (read at every
 * release, so a settings change applies to the next run). A waiting run can leave the
 * queue (cancelled before it started) and knows how many are ahead of it.
 */
export interface QueueTicket {
  /** Resolves with `release` once the run may start; never resolves for a withdrawn ticket. */
  readonly ready: Promise<() => void>;
  /** Runs running or waiting before this one (0 once started). */
  ahead(): number;
  /** Leaves the queue if still waiting; true when it was waiting. */
  withdraw(): boolean;
}

export class RunQueue {
  private running = 0;
  private readonly waiting: { start: (release: () => void) => void }[] = [];

  constructor(private readonly limit: () => number) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  enter(): QueueTicket {
    let entry!: { start: (release: () => void) => void };
    const ready = new Promise<() => void>((resolve) => {
      entry = { start: resolve };
    });
    this.waiting.push(entry);
    this.pump();
    return {
      ready,
      ahead: () => {
        const i = this.waiting.indexOf(entry);
        return i < 0 ? 0 : i + this.running;
      },
      withdraw: () => {
        const i = this.waiting.indexOf(entry);
        if (i < 0) return false;
        this.waiting.splice(i, 1);
        return true;
      },
    };
  }

  private pump(): void {
    while (this.waiting.length && this.running < Math.max(1, this.limit())) {
      const next = this.waiting.shift()!;
      this.running++;
      let released = false;
      next.start(() => {
        if (released) return;
        released = true;
        this.running--;
        this.pump();
      });
    }
  }
}
