/**
 * Turns a dataset declaration into training and test arrays: read (CSV) or generate
 * (synthetic), split stratified with the dataset's seed, and normalise with statistics
 * of the training split only. Every model of a file that names the same dataset gets the
 * same rows in the same splits, so `compare` measures models, not luck of the split.
 */
import type { DatasetInfo } from '../../analysis/model';
import { loadTableFile } from '../../data/files';
import { loadTable, type TableFailureCode } from '../../data/table';
import { generateSynthetic, SYNTHETIC_KINDS, type SyntheticKind } from '../../data/synthetic';
import { mulberry32, shuffle } from '../../util/random';

export type NormalizeKind = 'none' | 'minmax' | 'standard';

interface DatasetCommon {
  /** Sample shape without the batch axis; its product must equal the features per row. Default: [features]. */
  readonly shape?: readonly number[];
  /** Held-out fraction, in (0, 1). */
  readonly testSplit: number;
  readonly normalize: NormalizeKind;
  /** Seeds the split, and the generator of a synthetic dataset. */
  readonly seed: number;
}

export interface CsvDatasetSpec extends DatasetCommon {
  readonly kind: 'csv';
  /** Where to read the file (absolute, or relative to the working directory). */
  readonly path: string;
  /** The path as the user wrote it, for messages; `path` when absent. */
  readonly file?: string;
  /** Label column; the last column when absent. */
  readonly target?: string;
  /** The file's contents when already in memory (an unsaved editor buffer, a test); read from `path` when absent. */
  readonly text?: string;
}

export interface SyntheticDatasetSpec extends DatasetCommon {
  readonly kind: 'synthetic';
  readonly synthetic: { readonly kind: string; readonly args: Readonly<Record<string, number>> };
}

export type DatasetSpec = CsvDatasetSpec | SyntheticDatasetSpec;

export interface Split {
  /** Samples, row-major: `n × product(shape)` values, normalised. */
  readonly x: Float32Array;
  /** Class indices into `labels`. */
  readonly y: Int32Array;
  readonly n: number;
}

/**
 * The fitted scaling, kept with a saved model so new data can be scaled the same way
 * (`applyNormalization`). Plain arrays, so it goes into JSON as it is.
 */
export type Normalization =
  | { readonly kind: 'none' }
  | { readonly kind: 'minmax'; readonly min: readonly number[]; readonly max: readonly number[] }
  | { readonly kind: 'standard'; readonly mean: readonly number[]; readonly std: readonly number[] };

export interface PreparedData {
  readonly train: Split;
  readonly test: Split;
  readonly shape: readonly number[];
  /** Values per sample: the product of `shape`. */
  readonly features: number;
  readonly classes: number;
  /** Class names in index order: the CSV's labels, or "0", "1", … for generated data. */
  readonly labels: readonly string[];
  readonly featureNames?: readonly string[];
  readonly normalization: Normalization;
  /** Source row (0-based data row, header excluded) of each training sample, in `train` order. */
  readonly trainIndex: Int32Array;
  /** Source row of each test sample, in `test` order. */
  readonly testIndex: Int32Array;
}

/**
 * Data that cannot be trained on. The message names the file and, when one cell is at
 * fault, starts `file:row:column`; data the checker reports ends with the checker's code
 * in brackets (`[dataset-values]`), which is also `code`.
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(
    message: string,
    readonly file?: string,
    /** 1-based line of the file. */
    readonly row?: number,
    /** 1-based column of the file. */
    readonly column?: number,
    /** The checker's diagnostic code for the same problem, when it has one. */
    readonly code?: TableFailureCode,
  ) {
    super(code ? `${message} [${code}]` : message);
  }
}

/** The data of a checked dataset declaration, as every engine and export trains on it. */
export function prepareFor(dataset: DatasetInfo): PreparedData {
  const common = { shape: dataset.shape, testSplit: dataset.testSplit, normalize: dataset.normalize as NormalizeKind, seed: dataset.seed };
  if (dataset.kind === 'csv' && dataset.path) return prepareDataset({ kind: 'csv', path: dataset.path, file: dataset.file, target: dataset.target, ...common });
  if (dataset.kind === 'synthetic' && dataset.synthetic) return prepareDataset({ kind: 'synthetic', synthetic: dataset.synthetic, ...common });
  throw new DataError(`Dataset ${dataset.name} has no usable source.`);
}

export function prepareDataset(spec: DatasetSpec): PreparedData {
  const source = spec.kind === 'csv' ? readCsv(spec) : generate(spec);
  const { x, y, rows, features, labels } = source;
  const shape = spec.shape ?? source.shape;
  const product = shape.reduce((p, d) => p * d, 1);
  if (product !== features) {
    throw new DataError(`${source.name}: shape [${shape.join(', ')}] holds ${product} values but each sample has ${features}; use a shape whose sizes multiply to ${features}.`, source.file);
  }
  if (!(spec.testSplit > 0 && spec.testSplit < 1)) {
    throw new DataError(`${source.name}: test_split must lie strictly between 0 and 1, not ${spec.testSplit}.`, source.file);
  }
  if (rows < 2) {
    throw new DataError(`${source.name} has ${rows} row${rows === 1 ? '' : 's'}; a training and a test split need at least 2.`, source.file);
  }
  if (labels.length < 2) {
    // A CSV file's single class is refused by loadTable with the checker's message; this guards every other source.
    throw new DataError(`${source.name} has a single class (${labels[0] ?? 'none'}); a classifier needs at least two.`, source.file, undefined, undefined, 'dataset-classes');
  }

  const { trainIndex, testIndex } = stratifiedSplit(y, labels.length, spec.testSplit, spec.seed);
  // Token ids are categories: scaling them would make ids that embeddings cannot look up.
  const kind: NormalizeKind = source.tokens ? 'none' : spec.normalize;
  const normalization = fitNormalization(kind, x, trainIndex, features);
  const take = (index: Int32Array): Split => {
    // Gathered in double precision so that each value is rounded to float32 once, after scaling.
    const raw = new Float64Array(index.length * features);
    const labelsOut = new Int32Array(index.length);
    for (let i = 0; i < index.length; i++) {
      raw.set(x.subarray(index[i] * features, (index[i] + 1) * features), i * features);
      labelsOut[i] = y[index[i]];
    }
    const scaled = applyNormalization(normalization, raw, features);
    checkScaled(scaled, features, index, source, normalization);
    return { x: scaled, y: labelsOut, n: index.length };
  };
  return {
    train: take(trainIndex),
    test: take(testIndex),
    shape,
    features,
    classes: labels.length,
    labels,
    ...(source.featureNames ? { featureNames: source.featureNames } : {}),
    normalization,
    trainIndex,
    testIndex,
  };
}

interface Source {
  /** Name for messages. */
  readonly name: string;
  readonly file?: string;
  readonly x: Float64Array | Float32Array;
  readonly y: Int32Array;
  readonly rows: number;
  readonly features: number;
  readonly shape: readonly number[];
  readonly labels: readonly string[];
  readonly featureNames?: readonly string[];
  readonly tokens: boolean;
}

function readCsv(spec: CsvDatasetSpec): Source {
  const file = spec.file ?? spec.path;
  // From a file, read piece by piece (no size limit but memory), after making sure it is a
  // file: a folder, a pipe or a device is refused as the checker refuses it, never opened.
  const table = spec.text !== undefined ? loadTable(spec.text, { file, target: spec.target }) : missingAsError(loadTableFile(spec.path, { file, target: spec.target }), file, spec.path);
  if ('error' in table) throw new DataError(table.error.message, file, table.error.row, table.error.column, table.error.code);
  return {
    name: file,
    file,
    x: table.x,
    y: table.y,
    rows: table.rows,
    features: table.features,
    shape: [table.features],
    labels: table.labels,
    featureNames: table.featureNames,
    tokens: false,
  };
}

function missingAsError<T>(table: T | undefined, file: string, path: string): T {
  if (table === undefined) throw new DataError(`Cannot read the data file ${file}${file !== path ? ` (${path})` : ''}: the file does not exist.`, file, undefined, undefined, 'dataset-missing-file' as TableFailureCode);
  return table;
}

/**
 * Scaled values are finite whenever the raw ones fit in float32, except when a column
 * barely varies in the training rows and a test row lies far outside them: refused with
 * the column and the file row rather than left to become Infinity in an engine.
 */
function checkScaled(x: Float32Array, features: number, index: Int32Array, source: Source, norm: Normalization): void {
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i])) continue;
    const f = i % features;
    const row = index[Math.floor(i / features)];
    const name = source.featureNames?.[f] ?? `feature ${f + 1}`;
    const where = source.file ? `${source.file}, data row ${row + 1} (line ${row + 2} with a one-line header)` : `${source.name}, sample ${row + 1}`;
    throw new DataError(
      `${where}: after ${norm.kind} scaling, ${name} becomes ${x[i]}, beyond 32-bit floats, because the training rows of that column barely vary; remove the column or rescale it.`,
      source.file,
      undefined,
      undefined,
      'dataset-range',
    );
  }
}

function generate(spec: SyntheticDatasetSpec): Source {
  const { kind, args } = spec.synthetic;
  const name = `synthetic(kind: ${kind})`;
  if (!Object.hasOwn(SYNTHETIC_KINDS, kind)) {
    throw new DataError(`${name}: unknown kind; the generators are ${Object.keys(SYNTHETIC_KINDS).join(', ')}.`);
  }
  let data;
  try {
    data = generateSynthetic(kind as SyntheticKind, args, spec.seed);
  } catch (err) {
    if (err instanceof RangeError) throw new DataError(`${name}: ${err.message}`);
    throw err;
  }
  const features = data.shape.reduce((p, d) => p * d, 1);
  return {
    name,
    x: data.x,
    y: data.y,
    rows: data.y.length,
    features,
    shape: data.shape,
    labels: Array.from({ length: data.classes }, (_, i) => String(i)),
    tokens: kind === 'tokens',
  };
}

/**
 * Test rows per class by largest remainder, so the test split has round(rows ×
 * testSplit) rows (at least one), as the checker announces, and each class its share.
 * Every class with a row keeps at least one in training whenever the counts allow it,
 * since a class the model never saw cannot be learnt.
 */
function testQuota(counts: readonly number[], rows: number, testSplit: number): number[] {
  const total = Math.min(rows - 1, Math.max(1, Math.round(rows * testSplit)));
  const exact = counts.map((c) => (c * total) / rows);
  const quota = exact.map((e, k) => Math.min(Math.floor(e), Math.max(0, counts[k] - 1)));
  let left = total - quota.reduce((a, b) => a + b, 0);
  // Largest fractional part first; ties go to the larger class, then the lower index.
  const byRemainder = counts.map((_, k) => k).sort((a, b) => exact[b] - Math.floor(exact[b]) - (exact[a] - Math.floor(exact[a])) || counts[b] - counts[a] || a - b);
  for (const keepOne of [true, false]) {
    for (const k of byRemainder) {
      if (left === 0) break;
      if (quota[k] < counts[k] - (keepOne ? 1 : 0)) {
        quota[k]++;
        left--;
      }
    }
  }
  return quota;
}

/**
 * A seeded stratified split. Rows are visited in one shuffled order and each goes to the
 * test split while its class still needs test rows, so both splits come out shuffled and
 * depend only on the labels, the fraction and the seed.
 */
export function stratifiedSplit(y: Int32Array, classes: number, testSplit: number, seed: number): { trainIndex: Int32Array; testIndex: Int32Array } {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i]]++;
  const quota = testQuota(counts, y.length, testSplit);
  const testTotal = quota.reduce((a, b) => a + b, 0);
  const order = shuffle(Int32Array.from({ length: y.length }, (_, i) => i), mulberry32(seed));
  const trainIndex = new Int32Array(y.length - testTotal);
  const testIndex = new Int32Array(testTotal);
  let tr = 0;
  let te = 0;
  for (let i = 0; i < order.length; i++) {
    const row = order[i];
    if (quota[y[row]] > 0) {
      quota[y[row]]--;
      testIndex[te++] = row;
    } else {
      trainIndex[tr++] = row;
    }
  }
  return { trainIndex, testIndex };
}

/**
 * The rows of a training split held out for validation curves and early stopping: a
 * seeded shuffle, the last round(n × fraction) of it (at least one, and at least one row
 * left to train on). Every engine holds out the same rows.
 */
export function validationSplit(n: number, fraction: number, seed: number): { fit: Int32Array; validation: Int32Array } {
  const order = shuffle(Int32Array.from({ length: n }, (_, i) => i), mulberry32(seed));
  const count = fraction > 0 ? Math.min(n - 1, Math.max(1, Math.round(n * fraction))) : 0;
  return { fit: order.subarray(0, n - count), validation: order.subarray(n - count) };
}

/**
 * Scaling statistics of the rows in `rows` (the training split). Constant features get
 * a scale of 1, as in scikit-learn, so they become 0 rather than NaN; standard deviation
 * is the population one (ddof 0), again as scikit-learn's StandardScaler.
 */
export function fitNormalization(kind: NormalizeKind, x: ArrayLike<number>, rows: Int32Array, features: number): Normalization {
  if (kind === 'none') return { kind };
  if (kind === 'minmax') {
    const min = new Array<number>(features).fill(Infinity);
    const max = new Array<number>(features).fill(-Infinity);
    for (let i = 0; i < rows.length; i++) {
      const base = rows[i] * features;
      for (let f = 0; f < features; f++) {
        const v = x[base + f];
        if (v < min[f]) min[f] = v;
        if (v > max[f]) max[f] = v;
      }
    }
    return { kind, min, max };
  }
  if (kind !== 'standard') throw new DataError(`normalize must be none, minmax or standard, not '${String(kind)}'.`);
  // Two passes (mean, then squared deviations): one-pass sums lose digits on large offsets.
  const mean = new Array<number>(features).fill(0);
  const std = new Array<number>(features).fill(0);
  for (let i = 0; i < rows.length; i++) {
    const base = rows[i] * features;
    for (let f = 0; f < features; f++) mean[f] += x[base + f];
  }
  for (let f = 0; f < features; f++) mean[f] /= rows.length;
  for (let i = 0; i < rows.length; i++) {
    const base = rows[i] * features;
    for (let f = 0; f < features; f++) std[f] += (x[base + f] - mean[f]) ** 2;
  }
  for (let f = 0; f < features; f++) std[f] = Math.sqrt(std[f] / rows.length);
  return { kind, mean, std };
}

/**
 * Scales row-major samples with a fitted normalisation into a new float32 array; values
 * outside the training range are not clipped, as in scikit-learn. `features` guards
 * against applying a saved normalisation to data of another width.
 */
export function applyNormalization(norm: Normalization, x: ArrayLike<number>, features: number): Float32Array {
  const out = new Float32Array(x.length);
  if (features <= 0 || x.length % features !== 0) {
    throw new DataError(`${x.length} values are not a whole number of samples of ${features} features.`);
  }
  if (norm.kind === 'none') {
    out.set(x);
    return out;
  }
  const [offset, scale] = norm.kind === 'minmax' ? [norm.min, norm.max.map((m, f) => m - norm.min[f])] : [norm.mean, norm.std];
  if (offset.length !== features) {
    throw new DataError(`The saved normalisation is for ${offset.length} features, but the data has ${features} per sample.`);
  }
  const off = Float64Array.from(offset);
  const inverse = Float64Array.from(scale, (s) => (s > 0 && Number.isFinite(s) ? 1 / s : 1));
  for (let base = 0; base < out.length; base += features) {
    for (let f = 0; f < features; f++) out[base + f] = (x[base + f] - off[f]) * inverse[f];
  }
  return out;
}
