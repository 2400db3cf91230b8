/**
 * scikit-learn's argument names that users bring along, mapped to the estimator arguments
 * that mean the same here (see each estimator's "scikit-learn (export)" line in
 * classical.ts: the exporter writes the reverse mapping). Names that are the same in both
 * (max_depth, min_samples_split, max_features, criterion, kernel, C, gamma, degree, coef0)
 * need no entry; names without an equivalent get a note saying where the setting lives or
 * how it converts, and no rename.
 */
export interface SklearnName {
  /** Our argument of the same meaning: the quick fix renames to it. */
  readonly ours?: string;
  /** How it relates, when the correspondence is not a plain rename. */
  readonly note: string;
}

const SEED: SklearnName = { note: "scikit-learn's random_state is the train setting `seed` here (train { seed: 42 })" };

const NAMES: Readonly<Record<string, Readonly<Record<string, SklearnName>>>> = {
  random_forest: {
    n_estimators: { ours: 'trees', note: "scikit-learn's n_estimators is called 'trees' here" },
    random_state: SEED,
  },
  logistic_regression: {
    max_iter: { ours: 'iterations', note: "scikit-learn's max_iter is called 'iterations' here" },
    C: { note: "scikit-learn's C (inverse regularisation strength) corresponds to l2 = 1 / (C · training samples) here" },
    penalty: { note: "scikit-learn's penalty is always L2 here, set by 'l2' (0: none)" },
    random_state: SEED,
  },
  svm: { random_state: SEED },
  decision_tree: { random_state: SEED },
};

/**
 * What scikit-learn's `name` is called on `estimator`, if it is one of scikit-learn's names
 * without a twin here; a name in another case (`c` for `C`) counts, as it is the same slip.
 */
export function sklearnName(estimator: string, name: string): SklearnName | undefined {
  const names = NAMES[estimator];
  if (!names) return undefined;
  if (Object.hasOwn(names, name)) return names[name];
  const lower = name.toLowerCase();
  const key = Object.keys(names).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : names[key];
}
