/** Median time to predict one sample, over up to 50 of the `n` row-major samples of `x` (`features` values each). */
export function latencyMs(predictOne: (x: Float32Array) => unknown, x: Float32Array, n: number, features: number): number {
  const count = Math.min(50, n);
  const times: number[] = [];
  predictOne(x.subarray(0, features)); // warm-up
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    predictOne(x.subarray(i * features, (i + 1) * features));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}
