import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeSynthetic,
  generateSynthetic,
  MAX_SYNTHETIC_VALUES,
  SYNTHETIC_KINDS,
  type SyntheticData,
  type SyntheticKind,
} from '../../../server/src/data/synthetic';

const KINDS = Object.keys(SYNTHETIC_KINDS) as SyntheticKind[];

function classCounts(d: SyntheticData): number[] {
  const counts = new Array<number>(d.classes).fill(0);
  for (const c of d.y) counts[c]++;
  return counts;
}

test('every kind documents its arguments with defaults inside their bounds', () => {
  assert.deepEqual(KINDS, ['spirals', 'sequences', 'tokens']);
  for (const kind of KINDS) {
    const spec = SYNTHETIC_KINDS[kind];
    assert.ok(spec.doc.length > 20);
    for (const a of spec.args) {
      assert.ok(a.doc.length > 10, `${kind}.${a.name} doc`);
      assert.ok(a.min <= a.default && a.default <= a.max, `${kind}.${a.name} default in bounds`);
      if (a.type === 'int') assert.ok(Number.isInteger(a.default));
    }
    const names = spec.args.map((a) => a.name);
    assert.ok(names.includes('samples') && names.includes('classes'));
  }
  assert.deepEqual(SYNTHETIC_KINDS.sequences.args.map((a) => a.name).slice(0, 4), ['samples', 'classes', 'length', 'features']);
  assert.deepEqual(SYNTHETIC_KINDS.tokens.args.map((a) => a.name).slice(0, 4), ['samples', 'classes', 'length', 'vocab']);
});

test('an argument shared by several kinds has the same type and bounds in each', () => {
  const seen = new Map<string, string>();
  for (const kind of KINDS) {
    for (const a of SYNTHETIC_KINDS[kind].args) {
      const key = `${a.type} ${a.min} ${a.max}`;
      assert.equal(seen.get(a.name) ?? key, key, a.name);
      seen.set(a.name, key);
    }
  }
});

test('describeSynthetic fills defaults and gives per-sample shapes', () => {
  assert.deepEqual(describeSynthetic('spirals', { samples: 2000, classes: 3, noise: 0.1 }), {
    samples: 2000,
    classes: 3,
    shape: [2],
    featureCount: 2,
    problems: [],
  });
  assert.deepEqual(describeSynthetic('sequences', { samples: 500 }), {
    samples: 500,
    classes: 3,
    shape: [20, 4],
    featureCount: 80,
    problems: [],
  });
  assert.deepEqual(describeSynthetic('tokens', { classes: 2, length: 16 }), {
    samples: 1000,
    classes: 2,
    shape: [16],
    vocab: 1000,
    featureCount: 16,
    problems: [],
  });
});

test('describeSynthetic reports conflicting arguments and oversized data', () => {
  const few = describeSynthetic('spirals', { samples: 2, classes: 5 });
  assert.equal(few.problems.length, 1);
  assert.match(few.problems[0], /samples: 2 but classes: 5.*raise samples to at least 5/);
  const vocab = describeSynthetic('tokens', { vocab: 3, classes: 4 });
  assert.match(vocab.problems.join(' '), /vocab: 3 but classes: 4.*at least 4/);
  const huge = describeSynthetic('sequences', { samples: 1_000_000, length: 1000, features: 64 });
  assert.equal(huge.featureCount, 64_000);
  assert.match(huge.problems.join(' '), new RegExp(`64,000,000,000 values .*${MAX_SYNTHETIC_VALUES.toLocaleString('en-US')}`));
});

test('generators are deterministic for a seed and differ across seeds', () => {
  for (const kind of KINDS) {
    const a = generateSynthetic(kind, { samples: 300 }, 7);
    const b = generateSynthetic(kind, { samples: 300 }, 7);
    const c = generateSynthetic(kind, { samples: 300 }, 8);
    assert.deepEqual(a.x, b.x, kind);
    assert.deepEqual(a.y, b.y, kind);
    assert.notDeepEqual(a.x, c.x, kind);
  }
});

test('shapes, sizes and balanced classes for every kind', () => {
  const cases: Array<[SyntheticKind, Record<string, number>, number[]]> = [
    ['spirals', { samples: 2000, classes: 3 }, [2]],
    ['sequences', { samples: 1001, classes: 4, length: 12, features: 3 }, [12, 3]],
    ['tokens', { samples: 999, classes: 5, length: 8, vocab: 50 }, [8]],
  ];
  for (const [kind, args, shape] of cases) {
    const d = generateSynthetic(kind, args, 1);
    assert.deepEqual(d.shape, shape);
    assert.equal(d.classes, args.classes);
    assert.equal(d.y.length, args.samples);
    assert.equal(d.x.length, args.samples * shape.reduce((p, s) => p * s, 1));
    const counts = classCounts(d);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${kind} counts ${counts}`);
    assert.ok(d.x.every(Number.isFinite));
    // Labels are shuffled, not in blocks or round-robin order.
    assert.notDeepEqual(Array.from(d.y.subarray(0, 20)), Array.from({ length: 20 }, (_, i) => i % args.classes));
  }
});

test('spirals: noiseless points lie on arms separated by class', () => {
  const d = generateSynthetic('spirals', { samples: 600, classes: 3, noise: 0 }, 3);
  for (let i = 0; i < 600; i++) {
    const r = Math.hypot(d.x[2 * i], d.x[2 * i + 1]);
    assert.ok(r <= 1 + 1e-6);
    if (r < 0.05) continue;
    // On arm c the angle minus the winding 2πr is 2πc/3 (mod 2π).
    const offset = Math.atan2(d.x[2 * i + 1], d.x[2 * i]) - 2 * Math.PI * r;
    const arm = (((Math.round(offset / ((2 * Math.PI) / 3)) % 3) + 3) % 3);
    assert.equal(arm, d.y[i]);
  }
});

test('sequences: the dominant frequency identifies the class', () => {
  const length = 40;
  const d = generateSynthetic('sequences', { samples: 300, classes: 3, length, features: 1, noise: 0.2 }, 5);
  let correct = 0;
  for (let i = 0; i < 300; i++) {
    let best = -1;
    let bestPower = -1;
    for (let k = 1; k <= 5; k++) {
      let re = 0;
      let im = 0;
      for (let t = 0; t < length; t++) {
        re += d.x[i * length + t] * Math.cos((2 * Math.PI * k * t) / length);
        im += d.x[i * length + t] * Math.sin((2 * Math.PI * k * t) / length);
      }
      if (re * re + im * im > bestPower) {
        bestPower = re * re + im * im;
        best = k;
      }
    }
    if (best - 1 === d.y[i]) correct++;
  }
  assert.ok(correct >= 290, `${correct}/300 classified by frequency`);
});

test('tokens: ids are integers in the vocabulary and keyword tokens identify the class', () => {
  const vocab = 200;
  const classes = 4;
  const length = 32;
  const d = generateSynthetic('tokens', { samples: 400, classes, length, vocab }, 9);
  assert.equal(describeSynthetic('tokens', { vocab }).vocab, vocab);
  for (const id of d.x) assert.ok(Number.isInteger(id) && id >= 0 && id < vocab);
  // A naive Bayes classifier on token counts recovers the class when tokens depend on it.
  const counts = Array.from({ length: classes }, () => new Array<number>(vocab).fill(1));
  for (let i = 0; i < 400; i++) for (let t = 0; t < length; t++) counts[d.y[i]][d.x[i * length + t]]++;
  const logP = counts.map((c) => {
    const total = c.reduce((a, b) => a + b, 0);
    return c.map((n) => Math.log(n / total));
  });
  let correct = 0;
  for (let i = 0; i < 400; i++) {
    const scores = logP.map((lp) => {
      let s = 0;
      for (let t = 0; t < length; t++) s += lp[d.x[i * length + t]];
      return s;
    });
    if (scores.indexOf(Math.max(...scores)) === d.y[i]) correct++;
  }
  assert.ok(correct >= 380, `${correct}/400 classified by naive Bayes on token counts`);
});

test('generateSynthetic refuses unknown, non-integer, out-of-range and conflicting arguments', () => {
  assert.throws(() => generateSynthetic('spirals', { lenght: 3 }, 1), /synthetic spirals has no argument 'lenght'; it takes: samples, classes, noise\./);
  assert.throws(() => generateSynthetic('sequences', { classes: 2.5 }, 1), /classes must be an integer from 2 to 100, not 2\.5/);
  assert.throws(() => generateSynthetic('tokens', { noise: 1.5 }, 1), /noise must be a number from 0 to 1, not 1\.5/);
  assert.throws(() => generateSynthetic('spirals', { samples: 2, classes: 3 }, 1), RangeError);
});
