// Child processes of an end-to-end session: a free port, a server started in its own
// process group (so its extension host, language server and trainers go with it), and
// waiting for an HTTP endpoint.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export { freePort } from '../../server/src/util/freePort';

/** A process group leader whose output goes to a log file; `stop` ends the whole group. */
export class ProcessGroup {
  private readonly child: ChildProcess;
  private exited = false;
  private readonly exit: Promise<void>;
  // A test process that dies (Ctrl+C, a crash) must not leave VS Code and trainers running.
  private readonly killOnExit = () => this.signal('SIGKILL');

  constructor(command: string, args: readonly string[], options: SpawnOptions & { log: string }) {
    const log = createWriteStream(options.log);
    this.child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    this.exit = new Promise((resolve) => this.child.once('exit', () => {
      this.exited = true;
      resolve();
    }));
    process.once('exit', this.killOnExit);
  }

  get running(): boolean {
    return !this.exited;
  }

  /** The command lines of the processes still in the group (the leader's descendants that kept it). */
  async members(): Promise<string[]> {
    const table = await run('ps', ['-e', '-o', 'pgid=,args='], {});
    const rows = table.split('\n').map((line) => /^\s*(\d+)\s+(.*)$/.exec(line)).filter((m) => m !== null);
    return rows.filter((m) => Number(m[1]) === this.child.pid).map((m) => m[2]);
  }

  /** SIGTERM to the group, SIGKILL to whatever is left a few seconds later. */
  async stop(): Promise<void> {
    process.off('exit', this.killOnExit);
    this.signal('SIGTERM');
    await Promise.race([this.exit, delay(3000)]);
    // Children that outlive the leader (a trainer mid-epoch) are still in the group.
    this.signal('SIGKILL');
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, sig);
    } catch {
      // The group is already gone.
    }
  }
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(command: string, args: readonly string[], options: SpawnOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

export async function waitForHttp(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`the server exited before ${url} answered`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await delay(250);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
