// The fuzz inputs. Every case is a pure function of its index, so the test process and the
// worker that runs the checker build the same list, and any failure can be rebuilt by name.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogNames } from '../../server/src/catalog/registry';
import { DATASET_SETTINGS, MODEL_SETTINGS, TRAIN_SETTINGS } from '../../server/src/catalog/settings';
import { KEYWORDS } from '../../server/src/language/tokens';
import type { Analysis } from '../../server/src/analysis/model';
import { MAX_DIAGNOSTICS } from '../../server/src/analysis/diagnostics';
import { mulberry32, type Random } from '../../server/src/util/random';
import { SAMPLES_DIR } from './invariants';

export interface FuzzCase {
  readonly name: string;
  /** Path the text is analysed as: the sample's own, so relative CSV paths resolve. */
  readonly file: string;
  text(): string;
  /** What this case must produce besides the common invariants; a message when it does not. */
  expect?(analysis: Analysis): string | undefined;
}

export const SEED = 0x5eed_2024;
export const VARIANTS_PER_SAMPLE = 380;
export const TOKEN_SOUPS = 300;

const NAMES = [...new Set([...KEYWORDS, ...catalogNames(), ...[...DATASET_SETTINGS, ...MODEL_SETTINGS, ...TRAIN_SETTINGS].map((s) => s.name)])];
const PUNCTUATION = ['(', ')', '{', '}', '[', ']', ':', ',', '"', '/*', '*/', '//', '=', '+', '-', '*', '/', '\n', ' ', '.', '\\', ';', '#', '@'];
const DIGITS = ['0', '1', '2', '7', '42', '3.5', '1e3', '224', '-1'];
const HUGE = [
  '1e308', '1e400', '-1e400', '99999999999999999999', '-0', '0', '0.0', 'NaN', 'Infinity', '-Infinity', '1e-400',
  '-1', '-99999999999', '9007199254740993', '4294967296', '2147483648', '1.5', '0.0000001', '1_000_000_000_000_000',
  '1e', '1e+', '3x3', '.5', '0x10', '1__0', '9'.repeat(400), '1' + '0'.repeat(30), '2.5e-4e3',
];
const UNICODE = [
  '😀', '\uD83D', '\uDE00', '\uDE00\uD83D', '\u202E', '\u200F', '\u202B', '\0', '\r', '\r\r', '\u2028', '\u2029', '\uFEFF',
  '\u00A0', 'é', 'e\u0301', '１', '\t', '\v', '\f', '\uFFFF', 'İ', '\x1b[31m', '𝕄', 'مدل',
];

function pick<T>(r: Random, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)];
}

function int(r: Random, n: number): number {
  return Math.floor(r() * n);
}

export interface Sample {
  readonly name: string;
  readonly file: string;
  readonly text: string;
}

export function loadSamples(): Sample[] {
  return readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith('.model'))
    .sort()
    .map((f) => ({ name: f, file: join(SAMPLES_DIR, f), text: readFileSync(join(SAMPLES_DIR, f), 'utf8') }));
}

type Mutation = (text: string, r: Random, samples: readonly Sample[]) => string;

const lines = (t: string) => t.split('\n');

/** Occurrences of a pattern, so a mutation can hit a real number or name rather than a random spot. */
function occurrences(text: string, pattern: RegExp): { index: number; length: number; text: string }[] {
  return [...text.matchAll(pattern)].map((m) => ({ index: m.index ?? 0, length: m[0].length, text: m[0] }));
}

function insertAt(text: string, at: number, piece: string): string {
  return text.slice(0, at) + piece + text.slice(at);
}

export const MUTATIONS: Record<string, Mutation> = {
  deleteLine(t, r) {
    const l = lines(t);
    l.splice(int(r, l.length), 1 + (r() < 0.2 ? int(r, 5) : 0));
    return l.join('\n');
  },
  duplicateLines(t, r) {
    const l = lines(t);
    const at = int(r, l.length);
    const n = 1 + (r() < 0.3 ? int(r, 10) : 0);
    l.splice(at, 0, ...l.slice(at, at + n));
    return l.join('\n');
  },
  swapLines(t, r) {
    const l = lines(t);
    const a = int(r, l.length);
    const b = int(r, l.length);
    [l[a], l[b]] = [l[b], l[a]];
    return l.join('\n');
  },
  deleteChars(t, r) {
    const at = int(r, t.length + 1);
    return t.slice(0, at) + t.slice(at + 1 + int(r, 6));
  },
  insertToken(t, r) {
    const piece = pick(r, [PUNCTUATION, DIGITS, NAMES][int(r, 3)]);
    return insertAt(t, int(r, t.length + 1), r() < 0.5 ? piece : ` ${piece} `);
  },
  insertUnicode(t, r) {
    return insertAt(t, int(r, t.length + 1), pick(r, UNICODE));
  },
  truncate(t, r) {
    return t.slice(0, int(r, t.length + 1));
  },
  replaceNumber(t, r) {
    const hits = occurrences(t, /\d[\d_.]*(?:e[+-]?\d+)?/gi);
    if (hits.length === 0) return t;
    const h = pick(r, hits);
    return t.slice(0, h.index) + pick(r, HUGE) + t.slice(h.index + h.length);
  },
  replaceName(t, r) {
    // Swapping names for other names in the same file makes self-references, cycles and
    // duplicate declarations far more often than random text would.
    const hits = occurrences(t, /[A-Za-z_][A-Za-z0-9_]*/g);
    if (hits.length === 0) return t;
    const h = pick(r, hits);
    const replacement = r() < 0.5 ? pick(r, hits).text : pick(r, NAMES);
    return t.slice(0, h.index) + replacement + t.slice(h.index + h.length);
  },
  spliceFromOtherSample(t, r, samples) {
    const donor = lines(pick(r, samples).text);
    const at = int(r, donor.length);
    const chunk = donor.slice(at, at + 1 + int(r, 8));
    const l = lines(t);
    l.splice(int(r, l.length + 1), 0, ...chunk);
    return l.join('\n');
  },
  crlf(t, r) {
    return r() < 0.5 ? t.replace(/\n/g, '\r\n') : t.replace(/\n/g, '\r');
  },
};

const MUTATION_NAMES = Object.keys(MUTATIONS);
// Line endings are rewritten rarely: they change every position at once.
const WEIGHTED = MUTATION_NAMES.flatMap((n) => (n === 'crlf' ? [n] : [n, n, n, n]));

/** A sample with a handful of random edits (now and then dozens, for heavy damage). */
export function mangle(sample: Sample, index: number, samples: readonly Sample[]): { text: string; steps: string[] } {
  const r = mulberry32(SEED ^ hash(sample.name) ^ Math.imul(index + 1, 0x9e3779b1));
  const count = r() < 0.1 ? 10 + int(r, 30) : 1 + int(r, 5);
  let text = sample.text;
  const steps: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = pick(r, WEIGHTED);
    steps.push(name);
    text = MUTATIONS[name](text, r, samples);
  }
  return { text, steps };
}

/** Random sequences of the language's own tokens: what the parser sees least in the samples. */
export function tokenSoup(index: number): string {
  const r = mulberry32(SEED ^ Math.imul(index + 7, 0x85ebca6b));
  const pools = [PUNCTUATION, DIGITS, NAMES, HUGE, UNICODE, ['model M {', 'block B {', 'repeat 3 {', 'residual {', 'dataset D {', 'train {', 'input: [4]', 'compare M, M', 'concat {', '{ }', 'if t != 1 {', '} else {', 'else', 'in_channels', 'in_shape[0]', '==', '<=', '>', 'and', 'or', 'not']];
  const parts: string[] = [];
  for (let n = 1 + int(r, 120); n > 0; n--) parts.push(pick(r, pools[int(r, pools.length)]), r() < 0.6 ? ' ' : '');
  return parts.join('');
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function mangledCases(): FuzzCase[] {
  const samples = loadSamples();
  const cases: FuzzCase[] = [];
  for (const s of samples) {
    for (let i = 0; i < VARIANTS_PER_SAMPLE; i++) {
      cases.push({ name: `${s.name} variant ${i}`, file: s.file, text: () => mangle(s, i, samples).text });
    }
  }
  for (let i = 0; i < TOKEN_SOUPS; i++) cases.push({ name: `token soup ${i}`, file: join(SAMPLES_DIR, 'soup.model'), text: () => tokenSoup(i) });
  return cases;
}

const FILE = join(SAMPLES_DIR, 'targeted.model');
type Expect = (a: Analysis) => string | undefined;
const targeted = (name: string, text: () => string, ...expects: Expect[]): FuzzCase => ({
  name,
  file: FILE,
  text,
  expect: (a) => expects.map((e) => e(a)).find((m) => m !== undefined),
});
const model = (body: string, input = '[4]') => `model M {\n  input: ${input}\n${body}\n}\n`;

/** The text is reported, with this code, rather than silently accepted. */
const reports = (code: string): Expect => (a) => (a.diagnostics.some((d) => d.code === code) ? undefined : `no ${code} diagnostic (got ${[...new Set(a.diagnostics.map((d) => d.code))].join(', ') || 'none'})`);
const reportsError: Expect = (a) => (a.diagnostics.some((d) => d.severity === 'error') ? undefined : 'no error reported');
const clean: Expect = (a) => {
  const errors = a.diagnostics.filter((d) => d.severity === 'error');
  return errors.length ? `unexpected errors: ${errors.slice(0, 3).map((d) => `${d.code} ${d.message}`).join('; ')}` : undefined;
};
/** Sizes stay exact integers however large: the first model's total parameters. */
const params = (expected: bigint): Expect => (a) => (a.models[0]?.totals.total === expected ? undefined : `expected ${expected} params, got ${a.models[0]?.totals.total}`);
const count = (what: string, get: (a: Analysis) => number, expected: number): Expect => (a) => (get(a) === expected ? undefined : `expected ${expected} ${what}, got ${get(a)}`);
const codeCount = (code: string) => (a: Analysis) => a.diagnostics.filter((d) => d.code === code).length;
/**
 * `expected` errors, all of this code: as many listed as a file lists (MAX_DIAGNOSTICS), and
 * every one counted, in the too-many-problems note when they are more.
 */
const errorsOf = (code: string, expected: number): Expect => (a) => {
  const listed = codeCount(code)(a);
  const note = a.diagnostics.find((d) => d.code === 'too-many-problems');
  const counted = note ? (note.data as { errors: number }).errors : a.diagnostics.filter((d) => d.severity === 'error').length;
  if (listed !== Math.min(expected, MAX_DIAGNOSTICS)) return `expected ${Math.min(expected, MAX_DIAGNOSTICS)} ${code} errors listed, got ${listed}`;
  return counted === expected ? undefined : `expected ${expected} errors counted, got ${counted}`;
};

/** Hand-picked extremes: each aims at one place where a naive checker recurses, loops or overflows. */
export function targetedCases(): FuzzCase[] {
  return [
    targeted('10,000 nested [ in an input shape', () => model('  dense(10)', '['.repeat(10_000)), reports('nesting-too-deep')),
    targeted('10,000 nested [ closed again', () => model('  dense(10)', '['.repeat(10_000) + '4' + ']'.repeat(10_000)), reports('nesting-too-deep')),
    targeted('10,000 nested ( in an argument', () => model(`  dense(${'('.repeat(10_000)}10${')'.repeat(10_000)})`), reports('nesting-too-deep')),
    targeted('10,000 nested ( never closed', () => model(`  dense(${'('.repeat(10_000)}`), reports('nesting-too-deep')),
    targeted('10,000 nested repeat 2 { ... }', () => model(`${'repeat 2 {'.repeat(10_000)} dense(10) ${'}'.repeat(10_000)}`), reports('nesting-too-deep')),
    targeted('10,000 nested repeat 2 { never closed', () => model(`${'repeat 2 {\n'.repeat(10_000)} dense(10)`), reports('nesting-too-deep')),
    targeted('10,000 nested residual { ... }', () => model(`${'residual {'.repeat(10_000)} dense(4) ${'}'.repeat(10_000)}`), reports('nesting-too-deep')),
    targeted('10,000 nested { [ ( mixed', () => model(`  dense(${'{[('.repeat(10_000)}`), reportsError),
    targeted('100,000 unary minus signs', () => model(`  dense(${'-'.repeat(100_000)}10)`), reports('nesting-too-deep')),
    // 50 + (10^12 - 1) x 110, exactly.
    targeted('repeat 1e12 { dense(10) }', () => model('  repeat 1e12 { dense(10) }'), params(109_999_999_999_940n), reports('huge-model')),
    // 32 + (99,999,999 - 1) x 72, exactly.
    targeted('repeat 99999999 { conv2d(8, kernel: 1) }', () => model('  repeat 99999999 { conv2d(8, kernel: 1) }', '[32, 32, 3]'), params(7_199_999_888n)),
    targeted('repeat 2^40 of a shape-changing layer', () => model('  repeat 1099511627776 { conv2d(8, kernel: 1, stride: 2, padding: same) }', '[1024, 1024, 3]'), reports('huge-model')),
    targeted('dense(1e15)', () => model('  dense(1e15)'), reports('size-overflow')),
    // (10^6 + 1) x 10^9 + (10^9 + 1) x 10^6 + (10^6 + 1) x 10, exactly.
    targeted('a 10^15-parameter model', () => model('  dense(1000000000)\n  dense(1000000)\n  dense(10, activation: softmax)', '[1000000]'), params(2_000_001_011_000_010n), reports('huge-model')),
    targeted(
      '10^15-parameter embedding and conv',
      () => model('  embedding(1000000000, 1000000)\n  flatten\n  dense(10)', '[1000000]') + model('  conv2d(100000, kernel: 99)\n  conv2d(100000, kernel: 1)', '[100000, 100000, 100000]').replace('model M', 'model N'),
      reports('huge-model'),
    ),
    targeted(
      'huge shapes and settings',
      () => model('  dense(99999999999999999999)\n  train {\n    batch_size: 1e308\n    epochs: 99999999999999999999\n    optimizer: adam(learning_rate: 1e400)\n  }', '[1e308, 1e308, 99999999999999999999]'),
      reportsError,
    ),
    targeted(
      'synthetic data of absurd size',
      () =>
        'dataset D {\n  source: synthetic(kind: tokens, samples: 1e15, classes: 1e9, length: 1e9, vocab: 1e12)\n}\n' +
        'model M {\n  data: D\n  embedding(1e12, 1e6)\n  global_avgpool\n  dense(1e9)\n  train { epochs: 1e9 }\n}\n',
      reports('value-out-of-range'),
    ),
    targeted('a 1 MB single line of layers', () => `model M { input: [4] ${'dense(3) '.repeat(116_000)}}`, reportsError),
    targeted('a 1 MB identifier', () => model(`  ${'a'.repeat(1 << 20)}`), reports('unknown-layer')),
    targeted('a 1 MB number', () => model(`  dense(${'9'.repeat(1 << 20)})`), reportsError),
    targeted('a 1 MB unterminated string', () => `dataset D {\n  source: "${'x'.repeat(1 << 20)}\n}\n`, reports('unterminated-string')),
    targeted('a 1 MB line comment and block comment', () => `// ${'c'.repeat(1 << 20)}\n/* ${'c'.repeat(1 << 20)}\n${model('  dense(10)')}`, reports('unterminated-comment')),
    targeted('a 1 MB line of unexpected characters', () => model(`  ${'😀\u202E\0#'.repeat(1 << 18)}`), reports('unexpected-character')),
    // Blocks nested past MAX_BLOCK_DEPTH are reported, not expanded: every level costs stack.
    targeted('50,000 distinct blocks chained', () => chain(50_000), reports('nesting-too-deep')),
    targeted(
      '50,000 chained blocks, each with a parameter',
      () => {
        const out = ['block B0(n) { dense(n) }'];
        for (let i = 1; i < 50_000; i++) out.push(`block B${i}(n = 2) { B${i - 1}(n + 1) }`);
        return out.join('\n') + '\n' + model('  B49999(1)');
      },
      reports('nesting-too-deep'),
    ),
    // Within the limit the chain expands completely: the single dense(4) on [4] at the bottom.
    targeted('100 distinct blocks chained', () => chain(100), clean, params(20n)),
    targeted('a self-recursive block', () => 'block A { A }\n' + model('  A'), reports('block-cycle')),
    targeted('a self-recursive block with a shrinking parameter', () => 'block A(n) {\n  dense(n)\n  A(n - 1)\n}\n' + model('  A(10)'), reports('block-cycle')),
    targeted('a block recursive through repeat and residual', () => 'block A { repeat 3 { residual { A } } }\n' + model('  A'), reports('block-cycle')),
    targeted('mutually recursive blocks', () => 'block A { B }\nblock B { C }\nblock C { A }\n' + model('  A\n  B\n  C'), reports('block-cycle')),
    targeted(
      '10,000 blocks in one cycle',
      () => {
        const out: string[] = [];
        for (let i = 0; i < 10_000; i++) out.push(`block B${i} { B${(i + 1) % 10_000} }`);
        return out.join('\n') + '\n' + model('  B0');
      },
      reports('block-cycle'),
    ),
    targeted(
      'blocks that double at each level',
      () => {
        // Each level uses the one below twice: 2^399 layers, which expansion must cut short, fast.
        const out = ['block B0 { dense(4) }'];
        for (let i = 1; i < 400; i++) out.push(`block B${i} {\n  B${i - 1}\n  B${i - 1}\n}`);
        return out.join('\n') + '\n' + model('  B399');
      },
      reports('size-overflow'),
    ),
    targeted(
      '20,000 models',
      () => Array.from({ length: 20_000 }, (_, i) => `model M${i} {\n  input: [${(i % 50) + 1}]\n  dense(${(i % 10) + 1})\n}`).join('\n'),
      count('models', (a) => a.models.length, 20_000),
      count('complete models', (a) => a.models.filter((m) => m.complete).length, 20_000),
    ),
    targeted('20,000 models with the same name', () => Array.from({ length: 20_000 }, () => 'model M {\n  input: [4]\n  dense(2)\n}').join('\n'), errorsOf('duplicate-declaration', 19_999)),
    targeted('a compare of 20,000 unknown models', () => `compare ${Array.from({ length: 20_000 }, (_, i) => `M${i}`).join(', ')}\n`, errorsOf('unknown-reference', 20_000)),
  ];
}

/** block B0 { dense(4) }, block B1 { B0 }, …: expansion as deep as the chain is long. */
export function chain(n: number): string {
  const out = ['block B0 { dense(4) }'];
  for (let i = 1; i < n; i++) out.push(`block B${i} { B${i - 1} }`);
  return out.join('\n') + '\n' + model(`  B${n - 1}`);
}

export function suite(name: 'mangled' | 'targeted'): FuzzCase[] {
  return name === 'mangled' ? mangledCases() : targetedCases();
}
