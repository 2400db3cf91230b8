/**
 * Soak test of run lifecycles: many train / cancel / kill cycles through the CLI and the
 * language server, with every engine, then checks what they left behind: every run.json
 * parses and says how its run ended (none still "running", each as its cycle ended it, with the CLI exit code or server answer to match), and no trainer or train.py
 * process is left.
 *
 *   node --import tsx bench/soak.ts [--cycles 200] [--seed 1] [--out bench/results/soak.json]
 *
 * Each cycle draws a way in (the CLI, or a language server over stdio), an engine (wasm,
 * torch when a Python with torch is found, a classical fit) and an ending: let it finish,
 * cancel it (Ctrl-C for the CLI, $/cancelRequest for the server), terminate the CLI
 * (SIGTERM, SIGHUP), or kill the parent outright (SIGKILL, the server or the CLI). The
 * models are small so that a cycle takes seconds. Needs `npm run build`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection, CancellationTokenSource } from 'vscode-jsonrpc/node';
import { findTorchPython } from '../server/src/training/torch/python';
import { mulberry32 } from '../server/src/util/random';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist/cli.js');
const SERVER = join(ROOT, 'dist/server.js');

const { values } = parseArgs({ options: { cycles: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' }, out: { type: 'string', default: join(__dirname, 'results/soak.json') } } });
const CYCLES = Number(values.cycles);
/** Marks every process the soak starts, and through inheritance theirs: trainers, train.py. */
const MARK = String(process.pid);
const MARKED = { ...process.env, MODELSPEC_SOAK: MARK };
const random = mulberry32(Number(values.seed));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

const SPEC = `dataset Iris {
  source: "iris.csv"
  normalize: standard
}

model Net {
  data: Iris
  dense(32, activation: relu)
  dense(3, activation: softmax)
  train {
    batch_size: 4
    epochs: 40
  }
}

model Forest {
  data: Iris
  random_forest(trees: 400, max_features: all)
}
`;

type Way = 'cli' | 'server';
type Engine = 'wasm' | 'torch' | 'classical';
type Ending = 'finish' | 'cancel' | 'sigterm' | 'sighup' | 'kill-parent';

interface Cycle {
  readonly way: Way;
  readonly engine: Engine;
  readonly ending: Ending;
  readonly ms: number;
  readonly outcome: string;
  /** The run folder the cycle made (none when it was stopped before the trainer made one). */
  run?: string;
  status?: string;
  /** What is wrong with how the cycle ended, if anything. */
  wrong?: string;
}

/**
 * The statuses a cycle's run may end with. A stop that comes after the last epoch finds a
 * completed run; anything else must say how it was stopped.
 */
const ALLOWED: Record<Ending, readonly string[]> = {
  finish: ['completed'],
  cancel: ['cancelled', 'completed'],
  sigterm: ['interrupted', 'completed'],
  sighup: ['interrupted', 'completed'],
  'kill-parent': ['interrupted', 'completed'],
};

/** The CLI's exit code for a run's status after the signal the cycle sent (SIGKILL leaves none). */
const CLI_EXIT: Record<Ending, Record<string, string>> = {
  finish: { completed: 'exit 0' },
  cancel: { cancelled: 'exit 130', completed: 'exit 0' },
  sigterm: { interrupted: 'exit 143', completed: 'exit 0' },
  sighup: { interrupted: 'exit 129', completed: 'exit 0' },
  'kill-parent': { interrupted: 'exit -1', completed: 'exit -1' },
};

function judge(cycle: Cycle, runsDir: string): void {
  if (!cycle.run) {
    if (cycle.ending === 'finish' || cycle.ending === 'cancel') cycle.wrong = 'no run folder';
    return;
  }
  try {
    cycle.status = String((JSON.parse(readFileSync(join(runsDir, cycle.run, 'run.json'), 'utf8')) as { status?: unknown }).status);
  } catch {
    cycle.wrong = 'run.json unreadable';
    return;
  }
  if (!ALLOWED[cycle.ending].includes(cycle.status)) cycle.wrong = `status ${cycle.status} after ${cycle.ending}`;
  else if (cycle.way === 'cli' && CLI_EXIT[cycle.ending][cycle.status] !== cycle.outcome) cycle.wrong = `${cycle.outcome} for a ${cycle.status} run`;
  else if (cycle.way === 'server' && cycle.ending !== 'kill-parent' && cycle.outcome !== `completed as ${cycle.status}`) cycle.wrong = `the server answered "${cycle.outcome}" for a ${cycle.status} run`;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'modelspec-soak-'));
  writeFileSync(join(work, 'soak.model'), SPEC);
  cpSync(join(ROOT, 'samples/data/iris.csv'), join(work, 'iris.csv'));
  const runsDir = join(work, 'runs');
  mkdirSync(runsDir);
  const torch = (await findTorchPython()).found !== undefined;
  const engines: Engine[] = torch ? ['wasm', 'torch', 'classical'] : ['wasm', 'classical'];
  const cycles: Cycle[] = [];
  let server: Server | undefined;
  const started = Date.now();
  for (let i = 0; i < CYCLES; i++) {
    const way = pick<Way>(['cli', 'server']);
    const engine = pick(engines);
    const endings: Ending[] = way === 'cli' ? ['finish', 'cancel', 'sigterm', 'sighup', 'kill-parent'] : ['finish', 'cancel', 'kill-parent'];
    const ending = pick(endings);
    const t = Date.now();
    const before = new Set(readdirSync(runsDir));
    let outcome: string;
    if (way === 'cli') outcome = await viaCli(work, runsDir, engine, ending);
    else {
      server ??= await Server.start(work, runsDir);
      outcome = await server.train(engine, ending);
      if (ending === 'kill-parent') server = undefined;
    }
    const made = readdirSync(runsDir).filter((n) => !before.has(n) && !n.endsWith('.json'));
    cycles.push({ way, engine, ending, ms: Date.now() - t, outcome, run: made.sort().at(-1) });
    process.stdout.write(`[${i + 1}/${CYCLES}] ${way} ${engine} ${ending}: ${outcome} (${Date.now() - t} ms)\n`);
  }
  await server?.stop();
  // Orphans get their chance to notice and end before the census.
  await delay(3000);
  const runs = census(runsDir);
  const leftovers = processesLeft();
  for (const cycle of cycles) judge(cycle, runsDir);
  const wrong = cycles.filter((c) => c.wrong);
  const report = {
    cycles: CYCLES,
    seconds: (Date.now() - started) / 1000,
    load: loadavg(),
    engines,
    runs: runs.count,
    byStatus: runs.byStatus,
    unreadable: runs.unreadable,
    stillRunning: runs.running,
    processesLeft: leftovers,
    wrong: wrong.map((c) => `${c.way} ${c.engine} ${c.ending}: ${c.wrong}`),
    cyclesDetail: cycles,
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(values.out!, JSON.stringify(report, null, 2) + '\n');
  console.log(`\n${CYCLES} cycles in ${report.seconds.toFixed(0)} s: ${runs.count} runs ${JSON.stringify(runs.byStatus)}`);
  console.log(`run.json unreadable: ${runs.unreadable.length}; still "running": ${runs.running.length}; processes left: ${leftovers.length}; cycles ended wrongly: ${wrong.length}`);
  for (const c of wrong) console.log(`  ${c.way} ${c.engine} ${c.ending}: ${c.wrong}`);
  console.log(`wrote ${values.out}`);
  if (runs.unreadable.length || runs.running.length || leftovers.length || wrong.length) process.exitCode = 1;
}

function engineFlags(engine: Engine): { model: string; backend?: string } {
  return engine === 'classical' ? { model: 'Forest' } : { model: 'Net', backend: engine };
}

/** One cycle through the CLI: start it, wait until the run is under way, then end it as drawn. */
async function viaCli(work: string, runsDir: string, engine: Engine, ending: Ending): Promise<string> {
  const { model, backend } = engineFlags(engine);
  const child = spawn(process.execPath, [CLI, 'train', join(work, 'soak.model'), '--model', model, '--runs-dir', runsDir, ...(backend ? ['--backend', backend] : [])], { stdio: ['ignore', 'ignore', 'pipe'], env: MARKED });
  let stderr = '';
  const underWay = new Promise<void>((resolve) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/^epoch \d+\//m.test(stderr) || (engine === 'classical' && /training on classical/.test(stderr))) resolve();
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  if (ending !== 'finish') {
    await Promise.race([underWay, exited]);
    await delay(random() * 300);
    const signal: NodeJS.Signals = ending === 'cancel' ? 'SIGINT' : ending === 'sigterm' ? 'SIGTERM' : ending === 'sighup' ? 'SIGHUP' : 'SIGKILL';
    child.kill(signal);
  }
  const code = await exited;
  return `exit ${code}`;
}

/** A language server over stdio, with just enough of a client to train and cancel. */
class Server {
  private constructor(
    private readonly process: ChildProcess,
    private readonly connection: MessageConnection,
    private readonly work: string,
  ) {}

  /** What the server reads back on workspace/configuration; `train` changes the backend. */
  private static settings: { runsDirectory: string; training: { backend: string } };

  static async start(work: string, runsDir: string): Promise<Server> {
    const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'], cwd: work, env: MARKED });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    Server.settings = { runsDirectory: runsDir, training: { backend: 'auto' } };
    connection.onRequest('workspace/configuration', () => [Server.settings]);
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onNotification(() => undefined);
    connection.listen();
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } }, initializationOptions: { trusted: true } });
    await connection.sendNotification('initialized', {});
    return new Server(child, connection, work);
  }

  async train(engine: Engine, ending: Ending): Promise<string> {
    const { model, backend } = engineFlags(engine);
    Server.settings = { ...Server.settings, training: { backend: backend ?? 'auto' } };
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await delay(50); // the server pulls the settings again
    const uri = `file://${join(this.work, 'soak.model')}`;
    const cancel = new CancellationTokenSource();
    const answer = this.connection
      .sendRequest('workspace/executeCommand', { command: 'modelspec.server.train', arguments: [{ uri, model }] }, cancel.token)
      .then(
        (r) => `completed as ${(r as { status: string }).status}`,
        (err: Error) => `answered: ${err.message.split('\n')[0].slice(0, 80)}`,
      );
    if (ending === 'finish') return answer;
    await delay(500 + random() * 1500);
    if (ending === 'cancel') {
      cancel.cancel();
      return answer;
    }
    this.process.kill('SIGKILL');
    this.connection.dispose();
    return 'server killed';
  }

  async stop(): Promise<void> {
    await Promise.race([this.connection.sendRequest('shutdown'), delay(15_000)]);
    await this.connection.sendNotification('exit');
    this.connection.dispose();
  }
}

function census(runsDir: string): { count: number; byStatus: Record<string, number>; unreadable: string[]; running: string[] } {
  const byStatus: Record<string, number> = {};
  const unreadable: string[] = [];
  const running: string[] = [];
  const runs = readdirSync(runsDir).filter((n) => !n.endsWith('.json'));
  for (const run of runs) {
    try {
      const status = String((JSON.parse(readFileSync(join(runsDir, run, 'run.json'), 'utf8')) as { status?: unknown }).status);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (status === 'running') running.push(run);
    } catch {
      unreadable.push(run);
    }
  }
  return { count: runs.length, byStatus, unreadable, running };
}

/** Processes this soak started (they and their children carry its mark in their environment) still alive. */
function processesLeft(): string[] {
  const left: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`MODELSPEC_SOAK=${MARK}`)) continue;
      left.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim()}`);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return left;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

void main();
