import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassicalModel } from '../../../../server/src/training/classical';
import { prepareDataset, type PreparedData } from '../../../../server/src/training/data/prepare';

const samples = join(__dirname, '..', '..', '..', '..', 'samples', 'data');

/**
 * The splits bench/classical.ts uses for its scikit-learn reference: 80/20 stratified,
 * seed 7, standardised on the training rows. `rows` keeps only the first rows of the file.
 */
export function benchSplit(file: 'iris.csv' | 'digits.csv', rows?: number): PreparedData {
  const path = join(samples, file);
  const full = readFileSync(path, 'utf8');
  const text = rows === undefined ? full : full.split('\n').slice(0, rows + 1).join('\n') + '\n';
  return prepareDataset({ kind: 'csv', path, file, text, target: 'label', testSplit: 0.2, normalize: 'standard', seed: 7 });
}

let cache: { iris: PreparedData; digits600: PreparedData } | undefined;

/** Iris and the first 600 rows of digits, prepared once per test file. */
export function datasets(): { iris: PreparedData; digits600: PreparedData } {
  cache ??= { iris: benchSplit('iris.csv'), digits600: benchSplit('digits.csv', 600) };
  return cache;
}

export function accuracy(yTrue: Int32Array, yPred: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/** A model's saved form, seen through the fields a test reads. */
export function saved<T>(m: ClassicalModel): T {
  return m.toJSON() as unknown as T;
}
