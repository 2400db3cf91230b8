/**
 * Generated datasets, so that every layer family (dense, recurrent, embedding and
 * attention) has data that trains in seconds with no download. Each generator is
 * deterministic for a seed, balances its classes to within one sample, and makes the
 * class learnable by the model family it is meant for.
 */
import { fillNormal, mulberry32, randomInt, shuffle, type Random } from '../util/random';

export type SyntheticKind = 'spirals' | 'sequences' | 'tokens';

export interface SyntheticArg {
  readonly name: string;
  readonly type: 'int' | 'number';
  readonly default: number;
  /** Inclusive bounds. */
  readonly min: number;
  readonly max: number;
  readonly doc: string;
}

export interface SyntheticKindSpec {
  readonly doc: string;
  readonly args: readonly SyntheticArg[];
}

export interface SyntheticDescription {
  readonly samples: number;
  readonly classes: number;
  /** One sample's shape, without the batch axis. */
  readonly shape: number[];
  /** Token ids lie in [0, vocab); only for `tokens`. */
  readonly vocab?: number;
  /** Values per sample: the product of `shape`. */
  readonly featureCount: number;
  /**
   * Problems the per-argument bounds in SYNTHETIC_KINDS cannot express: arguments that
   * conflict with each other, or data too large to generate. Empty when generation will work.
   */
  readonly problems: string[];
}

export interface SyntheticData {
  /** Samples, row-major: `samples × product(shape)` values (token ids for `tokens`). */
  readonly x: Float32Array;
  /** Each sample's class in [0, classes). */
  readonly y: Int32Array;
  readonly shape: number[];
  readonly classes: number;
}

/** Most values one generated dataset may hold: 200 MB of float32, well past anything that trains in-editor. */
export const MAX_SYNTHETIC_VALUES = 50_000_000;

// The checker binds `synthetic(...)` with one spec per argument name across all kinds, so
// arguments shared by several kinds keep the same type and bounds everywhere.
const samples: SyntheticArg = { name: 'samples', type: 'int', default: 1000, min: 1, max: 1_000_000, doc: 'Number of samples to generate.' };
const classes: SyntheticArg = { name: 'classes', type: 'int', default: 3, min: 2, max: 100, doc: 'Number of classes; samples are split evenly between them.' };

export const SYNTHETIC_KINDS: Readonly<Record<SyntheticKind, SyntheticKindSpec>> = {
  spirals: {
    doc: 'Points in the plane on interleaved spiral arms, one arm per class: a small problem a linear model cannot solve but a small dense network can. Each sample has shape [2].',
    args: [
      samples,
      classes,
      { name: 'noise', type: 'number', default: 0.1, min: 0, max: 1, doc: 'Standard deviation of the jitter added to each coordinate; the spirals span radius 1.' },
    ],
  },
  sequences: {
    doc: 'Noisy sine waves whose frequency depends on the class and whose phase is random, so a model has to look along the sequence: made for recurrent layers. Each sample has shape [length, features].',
    args: [
      samples,
      classes,
      { name: 'length', type: 'int', default: 20, min: 2, max: 10_000, doc: 'Time steps per sequence.' },
      { name: 'features', type: 'int', default: 4, min: 1, max: 1024, doc: 'Values per time step (channels of the same wave, each phase-shifted).' },
      { name: 'noise', type: 'number', default: 0.2, min: 0, max: 1, doc: 'Standard deviation of the noise added to each value; the waves have amplitude about 1.' },
    ],
  },
  tokens: {
    doc: 'Sequences of token ids in which each class has its own set of keyword tokens scattered among random ones: made for embedding and attention layers. Each sample has shape [length].',
    args: [
      samples,
      classes,
      { name: 'length', type: 'int', default: 32, min: 2, max: 10_000, doc: 'Tokens per sequence.' },
      { name: 'vocab', type: 'int', default: 1000, min: 2, max: 1_000_000, doc: 'Vocabulary size; token ids lie in [0, vocab).' },
      { name: 'noise', type: 'number', default: 0.75, min: 0, max: 1, doc: "Fraction of tokens drawn from the whole vocabulary rather than from the class's keywords." },
    ],
  },
};

export function describeSynthetic(kind: SyntheticKind, args: Readonly<Record<string, number>>): SyntheticDescription {
  const a = withDefaults(kind, args);
  const shape = kind === 'spirals' ? [2] : kind === 'sequences' ? [a.length, a.features] : [a.length];
  const featureCount = shape.reduce((p, d) => p * d, 1);
  const problems: string[] = [];
  if (a.samples < a.classes) {
    problems.push(`synthetic ${kind} has samples: ${a.samples} but classes: ${a.classes}, so some classes would get no samples; raise samples to at least ${a.classes}.`);
  }
  if (kind === 'tokens' && a.vocab < a.classes) {
    problems.push(`synthetic tokens has vocab: ${a.vocab} but classes: ${a.classes}; each class needs a keyword token of its own, so raise vocab to at least ${a.classes}.`);
  }
  const values = a.samples * featureCount;
  if (values > MAX_SYNTHETIC_VALUES) {
    problems.push(
      `synthetic ${kind} would generate ${values.toLocaleString('en-US')} values (samples × ${shape.join(' × ')}), more than the ${MAX_SYNTHETIC_VALUES.toLocaleString('en-US')} allowed; lower samples${kind === 'spirals' ? '' : ' or length'}.`,
    );
  }
  return { samples: a.samples, classes: a.classes, shape, ...(kind === 'tokens' ? { vocab: a.vocab } : {}), featureCount, problems };
}

/**
 * Generates a dataset. Throws a RangeError naming every problem when an argument is
 * unknown, not an integer where one is needed, out of bounds, or in conflict with another.
 */
export function generateSynthetic(kind: SyntheticKind, args: Readonly<Record<string, number>>, seed: number): SyntheticData {
  const description = describeSynthetic(kind, args);
  const problems = [...argumentProblems(kind, args), ...description.problems];
  if (problems.length) throw new RangeError(problems.join(' '));

  const a = withDefaults(kind, args);
  const random = mulberry32(seed);
  const y = new Int32Array(a.samples);
  for (let i = 0; i < y.length; i++) y[i] = i % a.classes;
  shuffle(y, random);
  const x = new Float32Array(a.samples * description.featureCount);
  if (kind === 'spirals') spirals(x, y, a, random);
  else if (kind === 'sequences') sequences(x, y, a, random);
  else tokens(x, y, a, random);
  return { x, y, shape: description.shape, classes: a.classes };
}

type Resolved = Record<string, number>;

function withDefaults(kind: SyntheticKind, args: Readonly<Record<string, number>>): Resolved {
  const out: Resolved = {};
  for (const spec of SYNTHETIC_KINDS[kind].args) out[spec.name] = args[spec.name] ?? spec.default;
  return out;
}

function argumentProblems(kind: SyntheticKind, args: Readonly<Record<string, number>>): string[] {
  const specs = SYNTHETIC_KINDS[kind].args;
  const problems: string[] = [];
  for (const [name, value] of Object.entries(args)) {
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      problems.push(`synthetic ${kind} has no argument '${name}'; it takes: ${specs.map((s) => s.name).join(', ')}.`);
    } else if ((spec.type === 'int' && !Number.isInteger(value)) || !(value >= spec.min && value <= spec.max)) {
      problems.push(`synthetic ${kind}: ${name} must be ${spec.type === 'int' ? 'an integer' : 'a number'} from ${spec.min} to ${spec.max}, not ${value}.`);
    }
  }
  return problems;
}

/** Arm c starts at angle 2πc/classes and winds once around the origin as the radius grows to 1. */
function spirals(x: Float32Array, y: Int32Array, a: Resolved, random: Random): void {
  fillNormal(x, random, 0, a.noise);
  for (let i = 0; i < y.length; i++) {
    const t = random();
    const angle = (2 * Math.PI * y[i]) / a.classes + 2 * Math.PI * t;
    x[2 * i] += t * Math.cos(angle);
    x[2 * i + 1] += t * Math.sin(angle);
  }
}

/**
 * Class c completes (c + 1) × step cycles over the sequence. step is one cycle when the
 * sequence is long enough, and shrinks so the fastest class stays below half the sampling
 * rate (where it would alias onto a slower one). A random phase and amplitude per sample
 * mean no single time step gives the class away.
 */
function sequences(x: Float32Array, y: Int32Array, a: Resolved, random: Random): void {
  const { length, features, noise } = a;
  const step = Math.min(1, length / 2 / (a.classes + 1));
  // Channel f is the wave shifted by a quarter period × f / features: sin(θ + s) is
  // expanded so each time step needs one sine and cosine rather than one per channel.
  const cosShift = Float64Array.from({ length: features }, (_, f) => Math.cos((Math.PI * f) / (2 * features)));
  const sinShift = Float64Array.from({ length: features }, (_, f) => Math.sin((Math.PI * f) / (2 * features)));
  fillNormal(x, random, 0, noise);
  for (let i = 0; i < y.length; i++) {
    const omega = (2 * Math.PI * (y[i] + 1) * step) / length;
    const phase = 2 * Math.PI * random();
    const amplitude = 0.75 + 0.5 * random();
    const base = i * length * features;
    for (let t = 0; t < length; t++) {
      const s = amplitude * Math.sin(omega * t + phase);
      const c = amplitude * Math.cos(omega * t + phase);
      for (let f = 0; f < features; f++) x[base + t * features + f] += s * cosShift[f] + c * sinShift[f];
    }
  }
}

/**
 * Class c owns the keyword ids [c·k, (c+1)·k). Keyword sets are disjoint and cover at
 * most half the vocabulary, leaving room for background tokens that belong to no class;
 * k is capped so each keyword recurs often enough in a small dataset to be learnt.
 */
function tokens(x: Float32Array, y: Int32Array, a: Resolved, random: Random): void {
  const { length, vocab, noise } = a;
  const k = Math.max(1, Math.min(16, Math.floor(vocab / (2 * a.classes))));
  for (let i = 0; i < y.length; i++) {
    const base = i * length;
    for (let t = 0; t < length; t++) {
      // Ids stay below 2^24 (vocab ≤ 10^6), so float32 holds them exactly.
      x[base + t] = random() < noise ? randomInt(random, vocab) : y[i] * k + randomInt(random, k);
    }
  }
}
