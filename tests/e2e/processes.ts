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

  /** The command lines of the session's processes still running (see `family`). */
  async members(): Promise<string[]> {
    return (await this.family()).map((p) => p.args);
  }

  /**
   * The leader's group and descendants, and the groups they lead: a trainer runs in a process
   * group of its own (so that stopping it stops PyTorch's processes too), which a process that
   * outlived its parent keeps.
   */
  private async family(): Promise<{ pid: number; pgid: number; args: string }[]> {
    const table = await run('ps', ['-e', '-o', 'pid=,ppid=,pgid=,args='], {});
    const rows = table
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line))
      .filter((m) => m !== null)
      .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), args: m[4] }));
    const family = new Set([this.child.pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const r of rows) {
        if (!family.has(r.pid) && (family.has(r.ppid) || family.has(r.pgid))) {
          family.add(r.pid);
          grew = true;
        }
      }
    }
    return rows.filter((r) => family.has(r.pid));
  }

  /** SIGTERM to the group, SIGKILL to whatever is left of it and the groups it started a few seconds later. */
  async stop(): Promise<void> {
    process.off('exit', this.killOnExit);
    const groups = new Set((await this.family().catch(() => [])).map((p) => p.pgid));
    this.signal('SIGTERM');
    await Promise.race([this.exit, delay(3000)]);
    // Children that outlive the leader (a trainer mid-epoch) are still in their groups.
    this.signal('SIGKILL');
    for (const group of groups) if (group !== this.child.pid) signalGroup(group, 'SIGKILL');
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.child.pid !== undefined) signalGroup(this.child.pid, sig);
  }
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // The group is already gone.
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
