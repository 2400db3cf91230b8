import { cpus, loadavg } from 'node:os';
import type { ModelAnalysis } from '../analysis/model';
import type { MachineTimings } from './calibrationFile';
import { machineCalibration } from './timeArithmetic';
import { estimateTraining, type MachineNow, type TimeEstimate } from './trainTime';

/** The load average moves over seconds; reading it once a second spares a /proc read per model (20,000 models took 0.7 s). */
const LOAD_FRESH_MS = 1000;
let cores: number | undefined;
let load: { value: number; at: number } | undefined;

/** This machine's plain-JavaScript speed (measured once per process) and its load now. */
export function machineNow(now = Date.now()): MachineNow {
  // os.cpus() parses /proc/cpuinfo (about 50 µs); the core count does not change while a process runs.
  cores ??= cpus().length;
  if (!load || now - load.at > LOAD_FRESH_MS) load = { value: loadavg()[0], at: now };
  return { flopsPerSecond: machineCalibration().flopsPerSecond, loadAverage: load.value, cores };
}

/** The editor's estimate for `model` as trained now: the spec's epochs over its dataset's samples. */
export function editorEstimate(model: ModelAnalysis, timings: MachineTimings, samples = model.compute.samples, epochs = model.compute.epochs): TimeEstimate | undefined {
  return estimateTraining(model, epochs, timings, machineNow(), samples);
}
