import { join } from 'node:path';
import type { Metrics } from './protocol';
import { writeAtomic } from './runs';

/** Up to this many classes, the per-class table and the confusion matrix travel inline (a 100×100 heatmap still reads). */
export const MAX_INLINE_CLASSES = 100;
const SUMMARY_ROWS = 10;
export const DETAIL_FILE = 'confusion.json';

/** Whether a run with this many classes keeps its per-class table, confusion matrix and labels inline. */
export function inline(classes: number): boolean {
  return classes <= MAX_INLINE_CLASSES;
}

/**
 * Metrics as they may travel (IPC, run.json, the panel): inline for up to
 * MAX_INLINE_CLASSES classes, else written whole to the run folder's confusion.json and
 * summarised (the hardest classes and the most frequent mistakes).
 */
export function boundMetrics(metrics: Metrics, labels: readonly string[], dir: string): Metrics {
  if (inline(metrics.perClass.length)) return metrics;
  writeDetail(join(dir, DETAIL_FILE), metrics, labels);
  const hardest = metrics.perClass
    .filter((c) => c.support > 0)
    .sort((a, b) => a.f1 - b.f1 || b.support - a.support)
    .slice(0, SUMMARY_ROWS);
  // The largest off-diagonal cells, kept in order as the matrix is read (it may hold 25 million).
  const confusions: { actual: string; predicted: string; count: number }[] = [];
  metrics.confusion.forEach((row, t) =>
    row.forEach((count, p) => {
      if (t === p || count === 0 || (confusions.length === SUMMARY_ROWS && count <= confusions[SUMMARY_ROWS - 1].count)) return;
      let at = confusions.length;
      while (at > 0 && confusions[at - 1].count < count) at--;
      confusions.splice(at, 0, { actual: labels[t], predicted: labels[p], count });
      if (confusions.length > SUMMARY_ROWS) confusions.pop();
    }),
  );
  return {
    accuracy: metrics.accuracy,
    f1: metrics.f1,
    perClass: [],
    confusion: [],
    detail: { file: DETAIL_FILE, classes: metrics.perClass.length, hardest, confusions },
  };
}

/**
 * The whole table and matrix, the matrix as its non-zero cells `[actual, predicted, count]`
 * (indices into `labels`, as scipy's COO format): a dense 5,000×5,000 matrix is 25 million
 * cells, of which a 5,000-sample test set fills at most 5,000.
 */
function writeDetail(path: string, metrics: Metrics, labels: readonly string[]): void {
  const cells: [number, number, number][] = [];
  metrics.confusion.forEach((row, t) => row.forEach((count, p) => count !== 0 && cells.push([t, p, count])));
  writeAtomic(path, JSON.stringify({ classes: labels.length, labels, perClass: metrics.perClass, confusion: cells }) + '\n');
}
