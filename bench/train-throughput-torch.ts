/**
 * Modelspec's two neural training engines side by side, through Modelspec's own code paths:
 * the same spec (bench/train-throughput-torch.model: the CNN, LSTM, embedding+GRU and MLP
 * workloads of bench/train-throughput.ts, batch 64, Adam) trained by the bundled trainer
 * process (dist/trainer.js, forked and sent a train request exactly as the CLI and the
 * language server do) with `backend: 'wasm'` (TensorFlow.js) and `backend: 'torch'` (the
 * exported project's train.py in the user's Python).
 *
 *   node --import tsx bench/train-throughput-torch.ts [--repeats 3] [--workloads CNN,LSTM,emb+GRU,MLP]
 *        [--engines wasm,torch,torch-malloc,torch-tuned] [--wasm-epochs 2] [--torch-epochs 4]
 *        [--scale 1] [--no-first-epoch] [--no-loop] [--no-reference] [--out FILE]
 *
 * Every measurement is a fresh trainer process; runs are interleaved (repeat by repeat,
 * workload by workload, engine by engine) so that the machine's load drifts over all of
 * them alike, and each figure is the median over the repeats (the JSON keeps every run).
 * Per run:
 *  - samples/s while training: the engine's own per-epoch figure (training only: the spec
 *    has no validation split), median over the epochs after the first (which warms up);
 *  - samples per CPU-second and minor page faults of the training process (train.py, or
 *    the trainer for wasm), read from /proc at each epoch message;
 *  - time to the first epoch message from forking the trainer, broken down with two hooks
 *    that leave Modelspec's code alone (bench/train-throughput-torch-hooks/): a `--require`
 *    preload in the trainer (bundle loaded; the Python search's probes; train.py spawned)
 *    and a sitecustomize on PYTHONPATH (interpreter up; `import torch` done). The rest
 *    comes from the protocol: train.py's start event (data loaded, model built) and the
 *    first epoch message.
 *
 * Engines (the torch variants differ only in the environment the trainer, and so train.py,
 * gets; they measure fixes before anyone makes them):
 *  - `wasm`: TensorFlow.js on WebAssembly;
 *  - `torch`: train.py as users get it;
 *  - `torch-malloc`: glibc told to keep freed memory (GLIBC_TUNABLES mmap_threshold 32 MB,
 *    trim_threshold 1 GB). By default glibc hands the few-MB activation buffers of every
 *    batch back to the kernel and page-faults them in again on the next one;
 *  - `torch-tuned`: that, and one BLAS thread (OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = 1):
 *    PyTorch 1.13's set_num_threads does not reach OpenBLAS's own pool, which takes every core;
 *  - `torch-blas1` (not run by default): one BLAS thread alone.
 * Besides: time to the first epoch on a small CNN run (1,024 samples, one epoch) for wasm and
 * torch, as bench/train-throughput.ts's first-epoch figure; a bare PyTorch loop on the
 * exported projects (bench/reference/torch_project_loop.py: same model, data, batches and
 * loss, nothing else per batch) in torch-tuned's environment, which shows train.py's own
 * per-batch cost; and the PyTorch reference script of bench/train-throughput.ts (random
 * data, 1 thread).
 *
 * Results: tables on stdout and bench/results/train-throughput-torch.json. A full run
 * takes about 3.5 minutes on a 2-core machine. Needs `npm run build` (dist/trainer.js).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROTOCOL_VERSION, type FromTrainer, type RunResult, type StartMessage } from '../server/src/training/protocol';

const root = join(__dirname, '..');
const SPEC = join(__dirname, 'train-throughput-torch.model');
const TRAINER = join(root, 'dist', 'trainer.js');
const HOOKS = join(__dirname, 'train-throughput-torch-hooks');
const LOOP = join(__dirname, 'reference', 'torch_project_loop.py');
const REFERENCE = join(__dirname, 'reference', 'torch_throughput.py');
const RUN_TIMEOUT_MS = 180_000;
const CLK_TCK = 100;
const BATCH = 64;

interface Workload {
  readonly name: 'CNN' | 'LSTM' | 'emb+GRU' | 'MLP';
  /** The model of the spec, and the dataset whose `samples:` the bench sets. */
  readonly model: string;
  readonly dataset: string;
  /** Generated samples (80% train, 20% test): sized for 1-3 s wasm epochs. */
  readonly samples: number;
}

const WORKLOADS: readonly Workload[] = [
  { name: 'CNN', model: 'CNN', dataset: 'Images', samples: 1920 },
  { name: 'LSTM', model: 'LSTM', dataset: 'Waves', samples: 1280 },
  { name: 'emb+GRU', model: 'EmbGRU', dataset: 'Tokens', samples: 1280 },
  { name: 'MLP', model: 'MLP', dataset: 'Vectors', samples: 5120 },
];

interface Engine {
  readonly name: string;
  readonly backend: 'wasm' | 'torch';
  readonly title: string;
  readonly env?: Readonly<Record<string, string>>;
}

const MALLOC_ENV = { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824' };
const BLAS1_ENV = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };

const ENGINES: readonly Engine[] = [
  { name: 'wasm', backend: 'wasm', title: 'wasm' },
  { name: 'torch', backend: 'torch', title: 'torch' },
  { name: 'torch-malloc', backend: 'torch', title: 'torch, malloc kept', env: MALLOC_ENV },
  { name: 'torch-tuned', backend: 'torch', title: 'torch, malloc kept + 1 BLAS thread', env: { ...MALLOC_ENV, ...BLAS1_ENV } },
  { name: 'torch-blas1', backend: 'torch', title: 'torch, 1 BLAS thread', env: BLAS1_ENV },
];
const DEFAULT_ENGINES = ['wasm', 'torch', 'torch-malloc', 'torch-tuned'];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const now = () => performance.timeOrigin + performance.now();
const median = (xs: readonly (number | undefined)[]): number | undefined => {
  const s = xs.filter((x): x is number => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return undefined;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---------------------------------------------------------------- one trainer run

interface ProcStat {
  /** CPU ms (user + system, every thread). */
  cpuMs: number;
  minorFaults: number;
}

interface EpochRecord {
  epoch: number;
  /** Wall-clock ms when the epoch message reached the bench. */
  at: number;
  samplesPerSec: number;
  elapsedMs: number;
  /** The training process at that moment. */
  proc?: ProcStat;
}

interface Run {
  engine: string;
  workload: string;
  purpose: 'throughput' | 'first-epoch';
  repeat: number;
  epochsAsked: number;
  loadAverage: number;
  t0: number;
  processAt?: number;
  loadedAt?: number;
  probes: { file: string; start: number; end: number; ok: boolean; torch: boolean }[];
  python?: string;
  spawnAt?: number;
  pythonPid?: number;
  siteAt?: number;
  torchAt?: number;
  startAt?: number;
  startProc?: ProcStat;
  start?: Pick<StartMessage, 'backend' | 'backendNote' | 'threads' | 'device' | 'trainSamples' | 'params'>;
  epochs: EpochRecord[];
  doneAt?: number;
  runDir?: string;
  result?: Pick<RunResult, 'status' | 'trainMs' | 'epochsRun' | 'backend' | 'device'> & { accuracy: number };
  error?: string;
}

function procStat(pid: number | undefined): ProcStat | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state is field 3, minflt 10, utime 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK, minorFaults: Number(f[7]) };
  } catch {
    return undefined;
  }
}

/** The spec with the dataset's sample count set (the request carries the text; the file stays as it is). */
function specText(w: Workload, samples: number): string {
  const text = readFileSync(SPEC, 'utf8');
  const block = new RegExp(`(dataset ${w.dataset} \\{[^}]*?samples: )\\d+`);
  if (!block.test(text)) throw new Error(`no samples: in dataset ${w.dataset} of ${SPEC}`);
  return text.replace(block, `$1${samples}`);
}

function runTrainer(engine: Engine, w: Workload, opts: { samples: number; epochs: number; runsDir: string; work: string; repeat: number; purpose: Run['purpose'] }): Promise<Run> {
  const timing = join(opts.work, `timing-${process.pid}-${Math.random().toString(36).slice(2)}.jsonl`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CPP_MIN_LOG_LEVEL: '2', // as launchTrainer sets it
    PYTHONPATH: [HOOKS, process.env.PYTHONPATH].filter(Boolean).join(':'),
    MODELSPEC_BENCH_TIMING: timing,
    ...engine.env,
  };
  const run: Run = { engine: engine.name, workload: w.name, purpose: opts.purpose, repeat: opts.repeat, epochsAsked: opts.epochs, loadAverage: loadavg()[0], t0: 0, probes: [], epochs: [] };
  const text = specText(w, opts.samples);
  return new Promise((resolve) => {
    run.t0 = now();
    // As launchTrainer (server/src/training/launch.ts) starts the bundled trainer, plus the timing preload.
    const child: ChildProcess = fork(TRAINER, [], { execArgv: ['--require', join(HOOKS, 'preload.cjs')], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const trainingPid = () => (engine.backend === 'torch' ? run.pythonPid : child.pid);
    child.on('message', (raw: unknown) => {
      const at = now();
      const m = raw as Record<string, unknown> & FromTrainer;
      if (typeof m.bench === 'string') {
        if (m.bench === 'process') run.processAt = Number(m.at);
        else if (m.bench === 'loaded') run.loadedAt = Number(m.at);
        else if (m.bench === 'exec' && m.kind === 'probe') run.probes.push({ file: String(m.file), start: Number(m.start), end: Number(m.end), ok: Boolean(m.ok), torch: Boolean(m.torch) });
        else if (m.bench === 'exec' && m.kind === 'train.py') {
          run.spawnAt = Number(m.start);
          run.pythonPid = Number(m.pid);
          run.python = String(m.file);
        }
        return;
      }
      if (m.v !== PROTOCOL_VERSION) return;
      if (m.type === 'start') {
        run.startAt = at;
        run.startProc = procStat(trainingPid());
        run.runDir = m.runDir;
        run.start = { backend: m.backend, backendNote: m.backendNote, threads: m.threads, device: m.device, trainSamples: m.trainSamples, params: m.params };
      } else if (m.type === 'epoch') {
        run.epochs.push({ epoch: m.epoch, at, samplesPerSec: m.samplesPerSec, elapsedMs: m.elapsedMs, proc: procStat(trainingPid()) });
      } else if (m.type === 'done') {
        run.doneAt = at;
        const r = m.result;
        run.result = { status: r.status, trainMs: r.trainMs, epochsRun: r.epochsRun, backend: r.backend, device: r.device, accuracy: r.metrics?.accuracy ?? NaN };
      } else if (m.type === 'error') {
        run.error = `${m.reason}: ${m.message.split('\n')[0]}`;
      }
    });
    const timer = setTimeout(() => {
      run.error ??= `no result within ${RUN_TIMEOUT_MS / 1000} s`;
      if (run.pythonPid) killQuietly(run.pythonPid);
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!run.result && !run.error) run.error = `trainer exited (${signal ?? `code ${code}`}): ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
      try {
        for (const line of readFileSync(timing, 'utf8').split('\n')) {
          if (!line.trim()) continue;
          const t = JSON.parse(line) as { pid: number; siteMs: number; torchMs: number };
          if (t.pid === run.pythonPid) {
            run.siteAt = t.siteMs;
            run.torchAt = t.torchMs;
          }
        }
      } catch {
        // no Python ran (wasm), or it never imported torch
      }
      rmSync(timing, { force: true });
      resolve(run);
    });
    child.send({ v: PROTOCOL_VERSION, type: 'train', file: SPEC, model: w.model, epochs: opts.epochs, backend: engine.backend, runsDir: opts.runsDir, text });
  });
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------- figures of a run

/** Median of the per-epoch samples/s after the first epoch (the first if there is only one). */
function steadyRate(run: Run): number | undefined {
  const later = run.epochs.filter((e) => e.epoch > 1);
  return median((later.length ? later : run.epochs).map((e) => e.samplesPerSec));
}

/** Per epoch after the first: samples per CPU-second and minor page faults per batch (/proc, read at each epoch message). */
function steadyProc(run: Run): { samplesPerCpuSec?: number; faultsPerBatch?: number } {
  const n = run.start?.trainSamples;
  if (!n) return {};
  const rates: number[] = [];
  const faults: number[] = [];
  for (let i = 1; i < run.epochs.length; i++) {
    const a = run.epochs[i - 1].proc;
    const b = run.epochs[i].proc;
    if (!a || !b) continue;
    if (b.cpuMs > a.cpuMs) rates.push((n * 1000) / (b.cpuMs - a.cpuMs));
    faults.push((b.minorFaults - a.minorFaults) / Math.ceil(n / BATCH));
  }
  return { samplesPerCpuSec: median(rates), faultsPerBatch: median(faults) };
}

/** Wall time between consecutive epoch messages beyond the epochs themselves (checkpoints, evaluation), ms. */
function betweenEpochsMs(run: Run): number | undefined {
  const n = run.start?.trainSamples;
  if (!n) return undefined;
  const gaps: number[] = [];
  for (let i = 1; i < run.epochs.length; i++) gaps.push(run.epochs[i].at - run.epochs[i - 1].at - (n / run.epochs[i].samplesPerSec) * 1000);
  return median(gaps);
}

/** Time to the first epoch message, with its parts (ms). Parts missing from a run are left out. */
interface FirstEpoch {
  total: number;
  nodeStart?: number;
  specAndData?: number;
  pythonSearch?: number;
  exportProject?: number;
  pythonStart?: number;
  importTorch?: number;
  trainPySetup?: number;
  untilStart?: number;
  firstEpoch?: number;
  firstEpochTraining?: number;
}

function firstEpochParts(run: Run): FirstEpoch | undefined {
  const first = run.epochs[0];
  if (!first) return undefined;
  const d = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? b - a : undefined);
  const parts: FirstEpoch = { total: first.at - run.t0, nodeStart: d(run.t0, run.loadedAt), firstEpoch: d(run.startAt, first.at), firstEpochTraining: first.elapsedMs };
  if (run.spawnAt === undefined) {
    // wasm: analysis, data, backend start-up and calibration all come before the start message.
    parts.untilStart = d(run.loadedAt, run.startAt);
    return parts;
  }
  const probeStart = run.probes[0]?.start;
  const probeEnd = run.probes.length ? run.probes[run.probes.length - 1].end : undefined;
  parts.pythonSearch = run.probes.reduce((s, p) => s + (p.end - p.start), 0);
  parts.specAndData = d(run.loadedAt, probeStart ?? run.spawnAt);
  parts.exportProject = d(probeEnd ?? run.spawnAt, run.spawnAt);
  parts.pythonStart = d(run.spawnAt, run.siteAt);
  parts.importTorch = d(run.siteAt, run.torchAt);
  parts.trainPySetup = d(run.torchAt, run.startAt);
  return parts;
}

function medianParts(runs: readonly Run[]): FirstEpoch | undefined {
  const all = runs.map(firstEpochParts).filter((p): p is FirstEpoch => p !== undefined);
  if (!all.length) return undefined;
  const keys = new Set(all.flatMap((p) => Object.keys(p))) as Set<keyof FirstEpoch>;
  const out: Partial<FirstEpoch> = {};
  for (const k of keys) {
    const m = median(all.map((p) => p[k]));
    if (m !== undefined) out[k] = m;
  }
  return out as FirstEpoch;
}

/** A run for the JSON file: times relative to the fork (ms), epochs as [epoch, samples/s, ms since the fork, CPU ms, minor faults]. */
function compactRun(r: Run) {
  const rel = (t: number | undefined) => (t === undefined ? undefined : Math.round(t - r.t0));
  return {
    engine: r.engine,
    workload: r.workload,
    purpose: r.purpose,
    repeat: r.repeat,
    loadAverage: r.loadAverage,
    error: r.error,
    device: r.start?.device ?? r.start?.backendNote,
    python: r.python,
    trainSamples: r.start?.trainSamples,
    samplesPerSec: steadyRate(r),
    ...steadyProc(r),
    betweenEpochsMs: betweenEpochsMs(r),
    firstEpoch: firstEpochParts(r),
    probes: r.probes.map((p) => ({ file: p.file, torch: p.torch, ms: Math.round(p.end - p.start) })),
    epochs: r.epochs.map((e) => [e.epoch, Math.round(e.samplesPerSec), rel(e.at), e.proc?.cpuMs, e.proc?.minorFaults]),
    doneMs: rel(r.doneAt),
    result: r.result,
  };
}

// ---------------------------------------------------------------- Python side references

interface PythonRates {
  torch?: string;
  threads?: number;
  results: Record<string, { wall?: number; cpu?: number; epochs?: number[]; samples?: number; error?: string }>;
  error?: string;
  env?: Readonly<Record<string, string>>;
}

function runPython(python: string, args: string[], extraEnv: Readonly<Record<string, string>>): PythonRates {
  try {
    const stdout = execFileSync(python, args, { encoding: 'utf8', env: { ...process.env, ...extraEnv }, timeout: 180_000, maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'pipe'] });
    return { ...(JSON.parse(stdout.trim().split('\n').slice(-1)[0]) as PythonRates), env: extraEnv };
  } catch (error) {
    return { results: {}, error: (error as Error).message.split('\n')[0], env: extraEnv };
  }
}

// ---------------------------------------------------------------- driver

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Processes using a lot of CPU besides this bench (lifetime average %CPU, command name only): they explain slow, noisy runs. */
function busyProcesses(): { pid: number; cpu: number; command: string }[] {
  try {
    const out = execFileSync('ps', ['-eo', 'pid=,pcpu=,comm=', '--sort=-pcpu'], { encoding: 'utf8' });
    return out
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .map(([pid, cpu, ...command]) => ({ pid: Number(pid), cpu: Number(cpu), command: command.join(' ') }))
      .filter((p) => p.cpu >= 20 && p.pid !== process.pid && p.command !== 'ps');
  } catch {
    return [];
  }
}

const int = (x: number | undefined) => (x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}×` : '—');
const secs = (ms: number | undefined) => (ms === undefined ? '—' : (ms / 1000).toFixed(2));
const one = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(x < 10 ? 1 : 0));

interface EngineSummary {
  samplesPerSec?: number;
  min?: number;
  max?: number;
  samplesPerCpuSec?: number;
  faultsPerBatch?: number;
  betweenEpochsMs?: number;
  firstEpochMessageMs?: number;
  device?: string;
  trainSamples?: number;
  params?: unknown;
  runs: { samplesPerSec?: number; samplesPerCpuSec?: number; faultsPerBatch?: number; loadAverage: number; error?: string }[];
  errors: string[];
}

async function main(): Promise<void> {
  const repeats = Number(arg('repeats') ?? 3);
  const scale = Number(arg('scale') ?? 1);
  const wasmEpochs = Number(arg('wasm-epochs') ?? 2);
  const torchEpochs = Number(arg('torch-epochs') ?? 4);
  const names = arg('workloads')?.split(',') ?? WORKLOADS.map((w) => w.name);
  const engineNames = arg('engines')?.split(',') ?? DEFAULT_ENGINES;
  for (const n of names) if (!WORKLOADS.some((w) => w.name === n)) throw new Error(`unknown workload ${n}; one of ${WORKLOADS.map((w) => w.name).join(', ')}`);
  for (const n of engineNames) if (!ENGINES.some((e) => e.name === n)) throw new Error(`unknown engine ${n}; one of ${ENGINES.map((e) => e.name).join(', ')}`);
  const workloads = WORKLOADS.filter((w) => names.includes(w.name));
  const engines = ENGINES.filter((e) => engineNames.includes(e.name));
  const outFile = arg('out') ?? join(root, 'bench', 'results', 'train-throughput-torch.json');
  if (!existsSync(TRAINER)) throw new Error(`${TRAINER} is missing: run npm run build first`);
  const stale = newestSource(join(root, 'server', 'src')) > statSync(TRAINER).mtimeMs;
  if (stale) process.stderr.write('warning: server/src has changed since dist/trainer.js was built; run npm run build to measure the current code\n');

  const started = now();
  const startLoad = loadavg();
  const busy = busyProcesses();
  const work = mkdtempSync(join(tmpdir(), 'modelspec-torch-bench-'));
  const runsDir = join(work, 'runs');
  mkdirSync(runsDir);
  const runs: Run[] = [];
  const say = (text: string) => process.stderr.write(`[${((now() - started) / 1000).toFixed(0)} s] ${text}\n`);
  try {
    // Throughput, interleaved: repeat → workload → engine.
    for (let repeat = 1; repeat <= repeats; repeat++) {
      for (const w of workloads) {
        for (const e of engines) {
          const run = await runTrainer(e, w, { samples: Math.round(w.samples * scale), epochs: e.backend === 'wasm' ? wasmEpochs : torchEpochs, runsDir, work, repeat, purpose: 'throughput' });
          runs.push(run);
          const faults = steadyProc(run).faultsPerBatch;
          say(
            `${repeat}/${repeats} ${w.name} ${e.name}: ` +
              (run.error
                ? `fails: ${run.error}`
                : `${int(steadyRate(run))} samples/s, ${one(faults)} page faults per batch, first epoch message after ${int(firstEpochParts(run)?.total)} ms (load ${run.loadAverage.toFixed(2)})`),
          );
        }
      }
    }
    // Time to the first epoch of a small run, as bench/train-throughput.ts's first-epoch figure: CNN, 1,024 training samples, one epoch.
    const firstEpochEngines = engines.filter((e) => e.name === 'wasm' || e.name === 'torch');
    const cnn = WORKLOADS.find((w) => w.name === 'CNN')!;
    if (!flag('no-first-epoch')) {
      for (let repeat = 1; repeat <= repeats; repeat++) {
        for (const e of firstEpochEngines) {
          const run = await runTrainer(e, cnn, { samples: 1280, epochs: 1, runsDir, work, repeat, purpose: 'first-epoch' });
          runs.push(run);
          say(`first epoch, CNN 1,024 samples, ${e.name}: ${run.error ? `fails: ${run.error}` : `${int(firstEpochParts(run)?.total)} ms`}`);
        }
      }
    }

    // The bare loop on the projects the torch engine exported, in the Python it used and
    // in the environment of the best-tuned torch variant measured (the one it is set against).
    const loopEngine = ['torch-tuned', 'torch-malloc', 'torch-blas1', 'torch'].map((n) => engines.find((e) => e.name === n)).find((e): e is Engine => e !== undefined);
    const torchRuns = runs.filter((r) => r.engine.startsWith('torch') && r.purpose === 'throughput' && !r.error && r.runDir && r.python);
    const python = torchRuns[0]?.python;
    let loop: PythonRates | undefined;
    let reference: PythonRates | undefined;
    if (python && loopEngine && !flag('no-loop')) {
      const projects = workloads.flatMap((w) => {
        const r = torchRuns.filter((x) => x.workload === w.name).pop();
        return r ? ['--project', `${w.name}=${join(r.runDir!, 'project')}`] : [];
      });
      say(`bare PyTorch loop on the exported projects, ${loopEngine.name}'s environment...`);
      loop = runPython(python, [LOOP, ...projects, '--epochs', String(torchEpochs)], loopEngine.env ?? {});
    }
    if (python && !flag('no-reference')) {
      say('PyTorch reference script (bench/reference/torch_throughput.py)...');
      reference = runPython(python, [REFERENCE, '--seconds', '1.5', '--workloads', workloads.map((w) => w.name).join(',')], { OMP_NUM_THREADS: '1' });
    }
    const endLoad = loadavg();
    const totalS = (now() - started) / 1000;

    // ------------------------------------------------------------ summary
    const summary = workloads.map((w) => {
      const per: Record<string, EngineSummary> = {};
      for (const e of engines) {
        const rs = runs.filter((r) => r.engine === e.name && r.workload === w.name && r.purpose === 'throughput');
        const ok = rs.filter((r) => !r.error);
        const rates = ok.map(steadyRate).filter((x): x is number => x !== undefined);
        per[e.name] = {
          samplesPerSec: median(rates),
          min: rates.length ? Math.min(...rates) : undefined,
          max: rates.length ? Math.max(...rates) : undefined,
          samplesPerCpuSec: median(ok.map((r) => steadyProc(r).samplesPerCpuSec)),
          faultsPerBatch: median(ok.map((r) => steadyProc(r).faultsPerBatch)),
          betweenEpochsMs: median(ok.map(betweenEpochsMs)),
          firstEpochMessageMs: median(ok.map((r) => firstEpochParts(r)?.total)),
          device: ok[0]?.start?.device ?? ok[0]?.start?.backendNote,
          trainSamples: ok[0]?.start?.trainSamples,
          params: ok[0]?.start?.params,
          runs: rs.map((r) => ({ samplesPerSec: steadyRate(r), ...steadyProc(r), loadAverage: r.loadAverage, error: r.error })),
          errors: rs.flatMap((r) => (r.error ? [r.error] : [])),
        };
      }
      const wasm = per.wasm?.samplesPerSec;
      const bare = loop?.results[w.name]?.wall;
      const against = loopEngine ? per[loopEngine.name]?.samplesPerSec : undefined;
      return {
        workload: w.name,
        trainSamples: per.torch?.trainSamples ?? per.wasm?.trainSamples,
        engines: per,
        overWasm: Object.fromEntries(engines.filter((e) => e.backend === 'torch').map((e) => [e.name, wasm && per[e.name].samplesPerSec ? per[e.name].samplesPerSec! / wasm : undefined])),
        overWasmCpu: Object.fromEntries(
          engines.filter((e) => e.backend === 'torch').map((e) => [e.name, per.wasm?.samplesPerCpuSec && per[e.name].samplesPerCpuSec ? per[e.name].samplesPerCpuSec! / per.wasm.samplesPerCpuSec : undefined]),
        ),
        bareLoop: loop?.results[w.name],
        bareLoopAgainst: loopEngine?.name,
        trainPyOverBare: against && bare ? against / bare : undefined,
        /** train.py's time per batch beyond the bare loop's (same environment), µs; negative: within noise. */
        trainPyOverheadPerBatchUs: against && bare ? (BATCH / against - BATCH / bare) * 1e6 : undefined,
        reference: reference?.results[w.name],
      };
    });
    const firstEpoch = Object.fromEntries(
      firstEpochEngines.map((e) => {
        const rs = runs.filter((r) => r.purpose === 'first-epoch' && r.engine === e.name);
        return [e.name, { median: medianParts(rs.filter((r) => !r.error)), runs: rs.map((r) => ({ ...firstEpochParts(r), error: r.error, loadAverage: r.loadAverage })) }];
      }),
    );
    const torchThroughputParts = medianParts(runs.filter((r) => r.engine.startsWith('torch') && r.purpose === 'throughput' && !r.error));

    // ------------------------------------------------------------ tables
    const torchEngines = engines.filter((e) => e.backend === 'torch');
    const cell = (s: EngineSummary | undefined) =>
      s?.samplesPerSec === undefined ? `fails: ${s?.errors[0] ?? '?'}` : repeats > 1 && s.min !== undefined ? `${int(s.samplesPerSec)} (${int(s.min)}–${int(s.max)})` : int(s.samplesPerSec);
    console.log(`\nTraining throughput through Modelspec's trainer (dist/trainer.js), batch ${BATCH}, Adam: samples/s, median (min–max) of ${repeats} fresh runs`);
    console.log(`(the engine's per-epoch figure: torch epochs 2..${torchEpochs}, wasm epoch${wasmEpochs > 2 ? `s 2..${wasmEpochs}` : ' 2'}; ratios of the medians)\n`);
    console.log(`| workload | train samples | ${engines.map((e) => e.title).join(' | ')} | ${torchEngines.map((e) => `${e.title} / wasm`).join(' | ')} |`);
    console.log(`| --- | ---: | ${engines.map(() => '---:').join(' | ')} | ${torchEngines.map(() => '---:').join(' | ')} |`);
    for (const s of summary) {
      console.log(`| ${s.workload} | ${int(s.trainSamples)} | ${engines.map((e) => cell(s.engines[e.name])).join(' | ')} | ${torchEngines.map((e) => ratio(s.engines[e.name]?.samplesPerSec, s.engines.wasm?.samplesPerSec)).join(' | ')} |`);
    }
    console.log(`\nSamples per CPU-second of the training process (train.py / the wasm trainer), epoch message to epoch message\n`);
    console.log(`| workload | ${engines.map((e) => e.title).join(' | ')} | ${torchEngines.map((e) => `${e.title} / wasm`).join(' | ')} |`);
    console.log(`| --- | ${engines.map(() => '---:').join(' | ')} | ${torchEngines.map(() => '---:').join(' | ')} |`);
    for (const s of summary) {
      console.log(`| ${s.workload} | ${engines.map((e) => int(s.engines[e.name]?.samplesPerCpuSec)).join(' | ')} | ${torchEngines.map((e) => ratio(s.engines[e.name]?.samplesPerCpuSec, s.engines.wasm?.samplesPerCpuSec)).join(' | ')} |`);
    }
    console.log(`\nThe torch engine's costs: minor page faults per batch, train.py against a bare loop on the same export (${loopEngine?.name ?? '—'}'s environment), the reference script\n`);
    console.log(`| workload | ${torchEngines.map((e) => `page faults / batch, ${e.title}`).join(' | ')} | between epochs, torch (ms) | bare loop (samples/s) | ${loopEngine?.title ?? 'torch'} / bare | train.py's extra per batch (µs) | reference script, random data, 1 thread |`);
    console.log(`| --- | ${torchEngines.map(() => '---:').join(' | ')} | ---: | ---: | ---: | ---: | ---: |`);
    for (const s of summary) {
      console.log(
        `| ${s.workload} | ${torchEngines.map((e) => one(s.engines[e.name]?.faultsPerBatch)).join(' | ')} | ${int(s.engines.torch?.betweenEpochsMs)} | ${int(s.bareLoop?.wall)} | ${s.trainPyOverBare === undefined ? '—' : `${s.trainPyOverBare.toFixed(2)}×`} | ${int(s.trainPyOverheadPerBatchUs)} | ${int(s.reference?.wall)} |`,
      );
    }
    const device = summary.find((s) => s.engines.torch?.device)?.engines.torch?.device;
    if (device) console.log(`\ntorch engine reports: ${device}; PyTorch ${loop?.torch ?? reference?.torch ?? '?'}${loop?.error ? `; bare loop failed: ${loop.error}` : ''}${reference?.error ? `; reference failed: ${reference.error}` : ''}`);

    const row = (label: string, p: FirstEpoch | undefined) =>
      p
        ? `| ${label} | ${secs(p.total)} | ${secs(p.nodeStart)} | ${secs(p.untilStart ?? p.specAndData)} | ${secs(p.pythonSearch)} | ${secs(p.exportProject)} | ${secs(p.pythonStart)} | ${secs(p.importTorch)} | ${secs(p.trainPySetup)} | ${secs(p.firstEpoch)} |`
        : `| ${label} | fails | | | | | | | | |`;
    console.log(`\nTime to the first epoch message from forking the trainer, s (median of ${repeats})\n`);
    console.log('| run | total | Node trainer start (bundle loaded) | spec + data (wasm: + backend + calibration) | Python search | export project | Python start | import torch | train.py: imports, data, model | first epoch |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, f] of Object.entries(firstEpoch)) if (f.runs.length) console.log(row(`CNN, 1,024 samples, 1 epoch, ${name}`, f.median));
    console.log(row(`throughput runs, every torch variant and workload`, torchThroughputParts));
    const probed = runs.find((r) => r.engine.startsWith('torch') && r.probes.length)?.probes;
    if (probed) {
      const each = median(runs.flatMap((r) => r.probes.map((p) => p.end - p.start)));
      console.log(`Python search: every torch run probed ${probed.map((p) => `${p.file} (${p.torch ? 'has torch' : 'no torch'})`).join(', ')}, ${int(each)} ms per probe (median); an interpreter answered from the cache (~/.cache/modelspec) takes none`);
    }
    console.log(`\nload average (1/5/15 min) at start: ${startLoad.map((x) => x.toFixed(2)).join(' ')}, at end: ${endLoad.map((x) => x.toFixed(2)).join(' ')}; ${cpus().length} CPUs`);
    if (busy.length) console.log(`busy at start (lifetime %CPU): ${busy.map((b) => `${b.command} ${b.cpu}%`).join(', ')}`);
    console.log(`total ${totalS.toFixed(0)} s`);

    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(
      outFile,
      `${JSON.stringify(
        {
          generated: new Date().toISOString(),
          machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model.trim(), loadavg: { start: startLoad, end: endLoad }, busyAtStart: busy },
          staleBuild: stale,
          settings: { repeats, scale, wasmEpochs, torchEpochs, batch: BATCH, spec: 'bench/train-throughput-torch.model', engines: engines.map((e) => ({ name: e.name, backend: e.backend, env: e.env ?? {} })) },
          totalSeconds: totalS,
          summary,
          firstEpoch: { cnn1024: firstEpoch, torchThroughputRuns: torchThroughputParts },
          bareLoop: loop,
          reference,
          runs: '@RUNS@',
        },
        null,
        2,
      ).replace('"@RUNS@"', `[\n${runs.map((r) => `    ${JSON.stringify(compactRun(r))}`).join(',\n')}\n  ]`)}\n`,
    );
    console.log(`wrote ${outFile}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
