/**
 * Classification metrics on the held-out split, computed the way scikit-learn's
 * `accuracy_score`, `precision_recall_fscore_support` and `confusion_matrix` do, so the
 * numbers a user compares against a Python notebook mean the same thing.
 *
 * Conventions for empty denominators (scikit-learn's `zero_division=0`, without its warning):
 * - precision of a class never predicted is 0;
 * - recall of a class absent from the true labels is 0;
 * - F1 is 0 when precision + recall is 0.
 * Macro F1 averages over the classes that occur in the true or the predicted labels
 * (scikit-learn's default label set): a class missing from both says nothing about the
 * model and would only drag the mean towards 0.
 */
import type { ClassMetrics, Metrics } from './protocol';

export type { ClassMetrics, Metrics };

/**
 * @param classes the class names in index order, or just their number (names are then "0", "1", …).
 * Labels are class indices in [0, classes).
 */
export function computeMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: number | readonly string[]): Metrics {
  const names = typeof classes === 'number' ? Array.from({ length: classes }, (_, i) => String(i)) : classes;
  const k = names.length;
  const n = yTrue.length;
  if (yPred.length !== n) throw new RangeError(`computeMetrics: ${n} true labels but ${yPred.length} predictions.`);
  if (n === 0) throw new RangeError('computeMetrics: no samples to evaluate.');
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (!(Number.isInteger(t) && t >= 0 && t < k)) throw new RangeError(`computeMetrics: true label ${t} at ${i} is not a class index below ${k}.`);
    if (!(Number.isInteger(p) && p >= 0 && p < k)) throw new RangeError(`computeMetrics: predicted label ${p} at ${i} is not a class index below ${k}.`);
    confusion[t][p]++;
  }
  let correct = 0;
  let f1Sum = 0;
  let present = 0;
  const perClass: ClassMetrics[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    correct += tp;
    let support = 0;
    let predicted = 0;
    for (let o = 0; o < k; o++) {
      support += confusion[c][o];
      predicted += confusion[o][c];
    }
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    // 2tp / (2tp + fp + fn) equals 2pr / (p + r) and avoids a second rounding.
    const f1 = tp > 0 ? (2 * tp) / (support + predicted) : 0;
    perClass.push({ label: names[c], precision, recall, f1, support });
    if (support > 0 || predicted > 0) {
      f1Sum += f1;
      present++;
    }
  }
  return { accuracy: correct / n, f1: f1Sum / present, perClass, confusion };
}
