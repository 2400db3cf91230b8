/**
 * Training throughput (samples/s, batch 64, Adam) of the workloads in
 * shared/notes/training-engines.md on each TensorFlow.js engine, next to PyTorch CPU.
 *
 *   node --import tsx bench/train-throughput.ts [--seconds 4] [--engines cpu,wasm-stock,wasm-added,wasm]
 *        [--workloads CNN,LSTM,emb+GRU,MLP] [--no-torch] [--no-first-epoch] [--json]
 *
 * Engines: `cpu` (pure JS; a single timed batch, it is that slow), `wasm-stock` (the wasm
 * package as published), `wasm-added` (only the missing kernels registered), `wasm`
 * (Modelspec's backend: initBackend('wasm') with every kernel), `wasm-mt2` (the same on the
 * threaded SIMD build with 2 threads, an experiment that lost: train-throughput-threads.ts;
 * opt-in). Each engine
 * runs in its own process because kernel registrations are process-wide. PyTorch runs
 * bench/reference/torch_throughput.py single-threaded (Debian's python3-torch; the first
 * python3 on PATH that imports torch, else /usr/bin/python3, or $MODELSPEC_PYTHON).
 *
 * Besides wall-clock rates it records samples per CPU-second: on a shared machine other
 * processes steal time from a single-threaded run, which the CPU-time rate does not see,
 * so ratios are printed for both. Last, it bundles a CNN training script with esbuild the
 * way dist/ is built (wasm binaries copied next to it) and times a fresh process from
 * start to the end of its first epoch.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { ADDED_KERNELS } from '../server/src/training/backend/kernels/index';
import { WASM_BINARIES, describeBackend, findWasmDirectory, initBackend } from '../server/src/training/backend/select';
import { BATCH, WORKLOADS, compile, syntheticData, type Workload } from './train-throughput-models';
import { initThreadedWasm } from './train-throughput-threads';

type TF = typeof tfTypes;
const ENGINES = ['cpu', 'wasm-stock', 'wasm-added', 'wasm', 'wasm-mt2'] as const;
type Engine = (typeof ENGINES)[number];
const DEFAULT_ENGINES: Engine[] = ['cpu', 'wasm-stock', 'wasm-added', 'wasm'];

interface Result {
  engine: string;
  workload: string;
  samplesPerSec?: number;
  samplesPerCpuSec?: number;
  samples?: number;
  backend?: string;
  error?: string;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

// ---------------------------------------------------------------- worker side

async function setUpEngine(engine: Engine): Promise<{ tf: TF; backend: string }> {
  const tf = require('@tensorflow/tfjs') as TF;
  if (engine === 'cpu' || engine === 'wasm') {
    const info = await initBackend(engine);
    if (info.name !== engine) throw new Error(`wanted ${engine}, got ${describeBackend(info)}`);
    return { tf, backend: describeBackend(info) };
  }
  if (engine === 'wasm-mt2') {
    return { tf, backend: await initThreadedWasm(2) };
  }
  tf.enableProdMode();
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const dir = findWasmDirectory();
  if (!dir) throw new Error('wasm binaries not found');
  wasm.setWasmPaths(`${dir}/`);
  if (engine === 'wasm-added') {
    for (const k of ADDED_KERNELS) tf.registerKernel(k);
  }
  if (!(await tf.setBackend('wasm')) || tf.getBackend() !== 'wasm') throw new Error('setBackend(wasm) failed');
  return { tf, backend: engine };
}

async function measure(tf: TF, engine: Engine, w: Workload, seconds: number): Promise<Omit<Result, 'engine' | 'workload' | 'backend'>> {
  const model = w.build(tf);
  const optimizer = compile(tf, model);
  const fit = async (n: number) => {
    const { x, y } = syntheticData(tf, w, n);
    const wall = performance.now();
    const cpu = process.cpuUsage();
    await model.fit(x, y, { batchSize: BATCH, epochs: 1, verbose: 0, shuffle: false });
    const used = process.cpuUsage(cpu);
    tf.dispose([x, y]);
    return { wallS: (performance.now() - wall) / 1000, cpuS: (used.user + used.system) / 1e6 };
  };
  try {
    // The first batch pays for one-time work (weight packing caches, kernel setup).
    const first = await fit(BATCH);
    let rate = BATCH / first.wallS;
    if (first.wallS < 1) rate = (2 * BATCH) / (await fit(2 * BATCH)).wallS;
    const samples = engine === 'cpu' ? BATCH : Math.max(2, Math.min(400, Math.round((rate * seconds) / BATCH))) * BATCH;
    const timed = await fit(samples);
    return { samples, samplesPerSec: samples / timed.wallS, samplesPerCpuSec: samples / timed.cpuS };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

async function worker(engine: Engine, names: string[], seconds: number): Promise<void> {
  let setup: { tf: TF; backend: string };
  try {
    setup = await setUpEngine(engine);
  } catch (error) {
    for (const workload of names) console.log(JSON.stringify({ engine, workload, error: (error as Error).message }));
    return;
  }
  for (const w of WORKLOADS.filter((x) => names.includes(x.name))) {
    let result: Result;
    try {
      result = { engine, workload: w.name, backend: setup.backend, ...(await measure(setup.tf, engine, w, seconds)) };
    } catch (error) {
      result = { engine, workload: w.name, error: (error as Error).message.split('\n')[0] };
    }
    console.log(JSON.stringify(result));
  }
}

// ---------------------------------------------------------------- driver side

function runEngine(engine: Engine, names: string[], seconds: number): Result[] {
  const run = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--worker', engine, '--workloads', names.join(','), '--seconds', String(seconds)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const results: Result[] = [];
  for (const line of run.stdout.split('\n')) if (line.startsWith('{')) results.push(JSON.parse(line) as Result);
  for (const name of names) {
    if (!results.some((r) => r.workload === name)) {
      const why = (run.stderr || `exit ${run.status}`).trim().split('\n').slice(-1)[0];
      results.push({ engine, workload: name, error: `worker failed: ${why}` });
    }
  }
  return results;
}

function pythonWithTorch(): string | undefined {
  const candidates = [process.env.MODELSPEC_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c));
  return candidates.find((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

function runTorch(names: string[], seconds: number): { version?: string; results: Result[] } {
  const py = pythonWithTorch();
  if (!py) return { results: names.map((workload) => ({ engine: 'torch', workload, error: 'no python3 with torch (apt-get install python3-torch)' })) };
  const script = join(__dirname, 'reference', 'torch_throughput.py');
  try {
    const out = execFileSync(py, [script, '--seconds', String(seconds), '--workloads', names.join(',')], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    const parsed = JSON.parse(out.trim().split('\n').slice(-1)[0]) as { torch: string; results: Record<string, { wall: number; cpu: number }> };
    return {
      version: parsed.torch,
      results: names.map((workload) => ({ engine: 'torch', workload, samplesPerSec: parsed.results[workload]?.wall, samplesPerCpuSec: parsed.results[workload]?.cpu })),
    };
  } catch (error) {
    return { results: names.map((workload) => ({ engine: 'torch', workload, error: (error as Error).message.split('\n')[0] })) };
  }
}

interface FirstEpoch {
  backend: string;
  loadedMs: number;
  readyMs: number;
  builtMs: number;
  epochEndMs: number;
  spawnToEpochEndMs: number;
  samples: number;
}

/** Bundles train-throughput-first-epoch.ts like dist/ (wasm binaries alongside) and times a fresh process. */
async function firstEpoch(): Promise<FirstEpoch | { error: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'modelspec-first-epoch-'));
  try {
    const { build } = await import('esbuild');
    const out = join(dir, 'first-epoch.js');
    await build({ entryPoints: [join(__dirname, 'train-throughput-first-epoch.ts')], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' });
    const source = findWasmDirectory();
    if (!source) return { error: 'wasm binaries not found' };
    mkdirSync(join(dir, 'wasm'));
    for (const name of WASM_BINARIES) copyFileSync(join(source, name), join(dir, 'wasm', name));
    const started = performance.now();
    return await new Promise((resolve) => {
      const child = spawn(process.execPath, [out], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let epochEnd = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (!epochEnd && stdout.includes('\n')) epochEnd = performance.now() - started;
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', () => {
        try {
          const line = JSON.parse(stdout.trim().split('\n')[0]) as Omit<FirstEpoch, 'spawnToEpochEndMs'>;
          resolve({ ...line, spawnToEpochEndMs: epochEnd });
        } catch {
          resolve({ error: stderr.trim().split('\n').slice(-1)[0] || 'no output' });
        }
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmt(r: Result | undefined, torch: Result | undefined, key: 'samplesPerSec' | 'samplesPerCpuSec'): string {
  if (!r) return '';
  if (r.error) return `fails: ${r.error.length > 48 ? `${r.error.slice(0, 45)}...` : r.error}`;
  const v = r[key] ?? 0;
  const ref = torch?.[key];
  const ratio = ref && r.engine !== 'torch' ? ` (${(v / ref).toFixed(v / ref < 0.01 ? 4 : 2)}x)` : '';
  return `${v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1)}${ratio}`;
}

async function driver(): Promise<void> {
  const seconds = Number(arg('seconds') ?? 4);
  const names = (arg('workloads') ?? WORKLOADS.map((w) => w.name).join(',')).split(',');
  const engines = (arg('engines')?.split(',') ?? DEFAULT_ENGINES) as Engine[];
  for (const e of engines) if (!ENGINES.includes(e)) throw new Error(`unknown engine ${e}; one of ${ENGINES.join(', ')}`);
  const load = loadavg()[0];
  const results: Result[] = [];
  const torch = flag('no-torch') ? { results: [] as Result[] } : runTorch(names, seconds);
  results.push(...torch.results);
  for (const engine of engines) {
    process.stderr.write(`${engine}...\n`);
    results.push(...runEngine(engine, names, seconds));
  }
  const first = flag('no-first-epoch') ? undefined : await firstEpoch();
  if (flag('json')) {
    console.log(JSON.stringify({ seconds, loadAverage: [load, loadavg()[0]], torch: torch.version, results, firstEpoch: first }, null, 2));
    return;
  }
  const columns = [...engines, 'torch'];
  const title = (e: string) => (e === 'torch' ? `PyTorch ${torch.version ?? ''} CPU, 1 thread` : e === 'wasm' ? 'wasm + Modelspec kernels' : e === 'wasm-added' ? 'wasm + missing kernels only' : e === 'wasm-stock' ? 'wasm stock' : e === 'cpu' ? 'tfjs cpu' : e);
  for (const [key, label] of [
    ['samplesPerSec', 'samples/s, wall clock'],
    ['samplesPerCpuSec', 'samples per CPU-second'],
  ] as const) {
    console.log(`\nTraining throughput, batch ${BATCH}, Adam — ${label} (ratio to PyTorch)\n`);
    console.log(`| workload | ${columns.map(title).join(' | ')} |`);
    console.log(`| --- | ${columns.map(() => '---').join(' | ')} |`);
    for (const name of names) {
      const ref = results.find((r) => r.engine === 'torch' && r.workload === name);
      const cells = columns.map((e) => fmt(results.find((r) => r.engine === e && r.workload === name), ref, key));
      console.log(`| ${name} | ${cells.join(' | ')} |`);
    }
  }
  console.log(`\nload average at start/end: ${load.toFixed(2)} / ${loadavg()[0].toFixed(2)} (a busy machine lowers wall-clock rates; CPU-time rates are less affected)`);
  if (first) {
    if ('error' in first) console.log(`first epoch: fails: ${first.error}`);
    else
      console.log(
        `first epoch (bundled CNN script, ${first.samples} samples, ${first.backend}), ms after process start: ` +
          `bundle loaded ${Math.round(first.loadedMs)}, backend ready ${Math.round(first.readyMs)}, model built ${Math.round(first.builtMs)}, ` +
          `end of first epoch ${Math.round(first.epochEndMs)} (${Math.round(first.spawnToEpochEndMs)} from spawn)`,
      );
  }
}

// Explicit exit: the threaded engine's pthread workers would keep the process alive.
if (arg('worker')) void worker(arg('worker') as Engine, (arg('workloads') ?? '').split(','), Number(arg('seconds') ?? 4)).then(() => process.exit(0));
else
  driver().catch((error) => {
    console.error(error);
    process.exit(1);
  });
