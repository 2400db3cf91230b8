/**
 * Estimated against measured training time: every neural model of the iris, digits,
 * sequence and token samples is trained for a few epochs on the wasm backend, each in a
 * fresh process as the trainer runs it (calibration first, then training), and the
 * estimate the run reports (server/src/training/calibrate.ts) is set against the
 * measured training time (`trainMs`: the fit, without data preparation or evaluation).
 *
 *   node --import tsx bench/time-estimate.ts [--epochs 3] [--models IrisMLP,DigitsCNN] [--out FILE]
 *
 * Results go to bench/results/time-estimate.json. Both the calibration and the run are
 * wall-clock figures, so each row records the load average at its start: on a busy
 * machine both slow down, but not always together.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { analyze } from '../server/src/analysis/analyze';
import { createNodeHost } from '../server/src/data/nodeHost';
import { calibrate } from '../server/src/training/calibrate';
import { rateKind, type Calibration, type RateKind } from '../server/src/training/trainTime';
import { PROTOCOL_VERSION } from '../server/src/training/protocol';
import { runTraining } from '../server/src/training/train';

const root = join(__dirname, '..');
const SAMPLES = ['iris.model', 'digits.model', 'sequences-rnn.model', 'tokens-attention.model'];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Row {
  file: string;
  model: string;
  loadAverage: number;
  rate?: RateKind;
  trainingFlops?: number;
  estimatedMs?: number;
  measuredMs?: number;
  epochsRun?: number;
  calibration?: Calibration;
  error?: string;
}

/** Training FLOPs for `epochs`, as the estimate counts them (docs/estimates.md). */
function trainingFlops(flopsPerSample: bigint, samples: number, epochs: number): number {
  return Number(flopsPerSample) * samples * epochs;
}

// ---------------------------------------------------------------- worker side

async function worker(file: string, name: string, epochs: number): Promise<void> {
  const path = join(root, 'samples', file);
  const model = analyze(readFileSync(path, 'utf8'), { file: path, host: createNodeHost() }).models.find((m) => m.name === name)!;
  const runsDir = mkdtempSync(join(tmpdir(), 'modelspec-time-'));
  try {
    const result = await runTraining({ v: PROTOCOL_VERSION, type: 'train', file: path, model: name, epochs, backend: 'wasm', runsDir }, { emit: () => undefined, signal: new AbortController().signal });
    if (result.backend !== 'wasm') throw new Error(`trained on ${result.backend}, not wasm`);
    const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
    // The run's own calibration: cached for the process, so this measures nothing new.
    const rate = rateKind(model);
    const calibration = await calibrate(tf, rate);
    const row: Partial<Row> = {
      rate,
      trainingFlops: trainingFlops(model.compute.flopsPerSample, model.compute.samples!, epochs),
      estimatedMs: result.estimatedTrainMs,
      measuredMs: result.trainMs,
      epochsRun: result.epochsRun,
      calibration,
    };
    console.log(JSON.stringify(row));
  } finally {
    rmSync(runsDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- driver side

function neuralModels(): { file: string; model: string }[] {
  const out: { file: string; model: string }[] = [];
  for (const file of SAMPLES) {
    const path = join(root, 'samples', file);
    const analysis = analyze(readFileSync(path, 'utf8'), { file: path, host: createNodeHost() });
    for (const m of analysis.models) if (m.kind === 'neural') out.push({ file, model: m.name });
  }
  return out;
}

function runWorker(file: string, model: string, epochs: number): Row {
  const loadAverage = loadavg()[0];
  const run = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--worker', file, '--model', model, '--epochs', String(epochs)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = run.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) return { file, model, loadAverage, error: (run.stderr || `exit ${run.status}`).trim().split('\n').slice(-1)[0] };
  return { file, model, loadAverage, ...(JSON.parse(line) as Partial<Row>) };
}

const si = (x: number) => (x >= 1e9 ? `${(x / 1e9).toFixed(2)} G` : x >= 1e6 ? `${(x / 1e6).toFixed(1)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));
const ms = (x: number | undefined) => (x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));

function table(rows: readonly Row[]): string {
  const lines = [
    '| model | rate | training FLOPs | calibrated GFLOP/s | step ms | achieved GFLOP/s | estimated ms | measured ms | measured / estimated | calibration ms | load |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    if (r.error || !r.calibration || r.measuredMs === undefined || r.trainingFlops === undefined) {
      lines.push(`| ${r.model} | fails: ${r.error ?? 'no result'} | | | | | | | | | ${r.loadAverage.toFixed(2)} |`);
      continue;
    }
    const c = r.calibration;
    const ratio = r.estimatedMs ? (r.measuredMs / r.estimatedMs).toFixed(2) : '—';
    lines.push(
      `| ${r.model} | ${r.rate} | ${si(r.trainingFlops)} | ${(c.flopsPerSecond / 1e9).toFixed(2)} | ${c.stepMs.toFixed(1)} | ${(r.trainingFlops / (r.measuredMs / 1000) / 1e9).toFixed(3)} | ${ms(r.estimatedMs)} | ${ms(r.measuredMs)} | ${ratio} | ${ms(c.millis)} | ${r.loadAverage.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

function driver(): void {
  const epochs = Number(arg('epochs') ?? 3);
  const only = arg('models')?.split(',');
  const outFile = arg('out') ?? join(root, 'bench', 'results', 'time-estimate.json');
  const startLoad = loadavg();
  const rows: Row[] = [];
  for (const { file, model } of neuralModels().filter((m) => !only || only.includes(m.model))) {
    process.stderr.write(`${model}...\n`);
    rows.push(runWorker(file, model, epochs));
  }
  console.log(`\nTraining time, ${epochs} epochs on wasm, one fresh process per model: estimate (calibrate.ts) vs measured fit time\n`);
  console.log(table(rows));
  const ratios = rows.filter((r) => r.estimatedMs && r.measuredMs !== undefined).map((r) => r.measuredMs! / r.estimatedMs!);
  if (ratios.length) console.log(`\nmeasured / estimated: ${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)}`);
  console.log(`load average (1 min) at start/end: ${startLoad[0].toFixed(2)} / ${loadavg()[0].toFixed(2)}`);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(
    outFile,
    `${JSON.stringify(
      {
        generated: new Date().toISOString(),
        machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model.trim(), loadavg: { start: startLoad, end: loadavg() } },
        backend: 'wasm',
        epochs,
        rows,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${outFile}`);
}

if (arg('worker')) {
  void worker(arg('worker')!, arg('model')!, Number(arg('epochs') ?? 3)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else driver();
