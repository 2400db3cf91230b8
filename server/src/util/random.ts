/**
 * Seeded randomness for data generation, splits and shuffles. Results must repeat for a
 * seed, so Math.random is never used.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: 32-bit state, fast, and good enough for data shuffling and noise. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A normally distributed number (Box–Muller). */
export function normal(random: Random, mean = 0, std = 1): number {
  // 1 - u keeps the argument of log in (0, 1], so the result is always finite.
  const u = 1 - random();
  const v = random();
  return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Fills `out` with normally distributed numbers, using both values of each Box–Muller
 * pair: bulk noise for generated data costs half the logarithms and roots of `normal`.
 */
export function fillNormal(out: Float32Array | Float64Array, random: Random, mean = 0, std = 1): void {
  for (let i = 0; i < out.length; i += 2) {
    const radius = std * Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    out[i] = mean + radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = mean + radius * Math.sin(angle);
  }
}

/** A uniform integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** Shuffles in place (Fisher–Yates) and returns the same array. */
export function shuffle<A extends { length: number; [index: number]: unknown }>(items: A, random: Random): A {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const held = items[i];
    items[i] = items[j];
    items[j] = held;
  }
  return items;
}
