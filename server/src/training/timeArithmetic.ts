/**
 * Training-time arithmetic: seconds = training FLOPs / (peak FLOP/s × utilisation). Pure
 * apart from the one-off calibration of this machine, which is cached for the process.
 */

export interface Accelerator {
  readonly name: string;
  /** Peak throughput in TFLOP/s (10^12 FLOPs per second) for the precision the user trains in. */
  readonly peakTflops: number;
  /** Fraction of the peak a real training run sustains, in (0, 1]. */
  readonly utilization: number;
}

/** Seconds to perform `flops` at `flopsPerSecond`; Infinity when the rate is not positive. */
export function secondsFor(flops: bigint, flopsPerSecond: number): number {
  if (!(flopsPerSecond > 0)) return Infinity;
  return Number(flops) / flopsPerSecond;
}

export function acceleratorFlopsPerSecond(a: Accelerator): number {
  return a.peakTflops * 1e12 * a.utilization;
}

export interface Calibration {
  /** Sustained FLOP/s of the timed matrix product. */
  readonly flopsPerSecond: number;
  /** Side of the square matrices multiplied. */
  readonly size: number;
  /** Wall time of the timed run. */
  readonly millis: number;
}

/**
 * Times a size×size Float32Array matrix product in plain JavaScript (i-k-j loop order, so
 * the inner loop walks memory contiguously). A short warm-up first, so the timed run
 * measures optimised code rather than the interpreter. The best of a few runs is kept:
 * on a shared machine the slowest runs measure the neighbours, not this machine.
 */
export function calibrateMatmul(size = 256, runs = 2): Calibration {
  const n = size;
  const a = new Float32Array(n * n);
  const b = new Float32Array(n * n);
  const c = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) {
    a[i] = ((i * 7) % 13) / 13;
    b[i] = ((i * 5) % 11) / 11;
  }
  const multiply = (m: number) => {
    c.fill(0);
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let k = 0; k < m; k++) {
        const aik = a[i * n + k];
        const bk = k * n;
        for (let j = 0; j < m; j++) c[ci + j] += aik * b[bk + j];
      }
    }
  };
  multiply(Math.min(n, 64));
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    multiply(n);
    best = Math.min(best, performance.now() - t0);
  }
  const millis = Math.max(best, 1e-3);
  return { flopsPerSecond: (2 * n * n * n) / (millis / 1000), size: n, millis };
}

let cached: Calibration | undefined;

/** This machine's plain-JS throughput, measured at first use (tens of milliseconds) and kept. */
export function machineCalibration(): Calibration {
  cached ??= calibrateMatmul();
  return cached;
}
