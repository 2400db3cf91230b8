/**
 * Classical engines by catalogue name, and loading of saved ones. Measurements behind
 * each choice are in the engines' headers and bench/classical.ts.
 */
import { DecisionTreeModel, RandomForestModel } from './forest';
import { LogisticRegressionModel } from './logistic';
import { CLASSICAL_FORMAT, type ClassicalKind, type ClassicalModel } from './model';
import { loadLibsvm, SvmModel } from './svm';

export type { ClassicalJSON, ClassicalKind, ClassicalModel, ModelSize } from './model';
export { DecisionTreeModel, RandomForestModel, LogisticRegressionModel, SvmModel };

export const CLASSICAL_KINDS: readonly ClassicalKind[] = ['logistic_regression', 'svm', 'decision_tree', 'random_forest'];

export function isClassicalKind(name: string): name is ClassicalKind {
  return (CLASSICAL_KINDS as readonly string[]).includes(name);
}

/**
 * Loads what an engine needs before `fit`, which is synchronous: for `svm`, libsvm-js's
 * faster wasm build when it is installed where it can load (asm.js otherwise). Returns
 * a note for the run's log, e.g. which build was chosen.
 */
export async function prepareClassical(kind: ClassicalKind): Promise<string | undefined> {
  if (kind !== 'svm') return undefined;
  const lib = await loadLibsvm();
  return lib.build === 'wasm' ? 'libsvm-js (WebAssembly build)' : 'libsvm-js (asm.js build; libsvm.wasm was not found beside the program, training runs about 2× slower)';
}

/** An untrained engine for a catalogue estimator. */
export function createClassical(kind: ClassicalKind): ClassicalModel {
  switch (kind) {
    case 'logistic_regression':
      return new LogisticRegressionModel();
    case 'svm':
      return new SvmModel();
    case 'decision_tree':
      return new DecisionTreeModel();
    case 'random_forest':
      return new RandomForestModel();
  }
}

/** A trained engine from `toJSON()` output (already parsed); throws an Error naming what is wrong with a bad file. */
export function loadClassical(json: unknown): ClassicalModel {
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !isClassicalKind(kind)) {
    if ((json as { format?: unknown } | null)?.format !== CLASSICAL_FORMAT) throw new Error('Not a saved Modelspec classical model (format is not "modelspec-classical").');
    throw new Error(`Saved classical model has an unknown kind ${JSON.stringify(kind)}; known: ${CLASSICAL_KINDS.join(', ')}.`);
  }
  switch (kind) {
    case 'logistic_regression':
      return LogisticRegressionModel.fromJSON(json);
    case 'svm':
      return SvmModel.fromJSON(json);
    case 'decision_tree':
      return DecisionTreeModel.fromJSON(json);
    case 'random_forest':
      return RandomForestModel.fromJSON(json);
  }
}
