import { MAX_DIM } from './common';
import { pyCall } from './torch';
import type { ArgSpec, EstimatorContext, EstimatorEntry } from './types';
import { withSeparators } from '../util/format';

const n = withSeparators;

/** Binary problems need one weight vector or one machine; a single class is treated alike. */
function isBinary(classes: number): boolean {
  return classes <= 2;
}

export const logistic_regression: EstimatorEntry = {
  kind: 'estimator',
  name: 'logistic_regression',
  family: 'classical',
  summary: 'Linear classifier trained by gradient descent (Nesterov momentum) on the cross-entropy (softmax for several classes).',
  doc: [
    'Linear classifier: one weight per feature plus a bias for each class, turned into probabilities by a sigmoid (two classes) or softmax (more), trained by full-batch gradient descent with Nesterov momentum on the cross-entropy, with an optional L2 penalty.',
    'Input: a vector of features per sample (`flatten` image-shaped data first).',
    '',
    '**Params**: (features + 1)·classes; (features + 1) for two classes (one weight vector).',
    '**MACs** (predict one sample): features·classes (features for two classes).',
    "**scikit-learn** (export): `LogisticRegression(C=1 / (l2 · training samples), max_iter=iterations)` (no penalty when l2 is 0): the same objective, solved by lbfgs.",
  ].join('\n'),
  args: [
    { name: 'learning_rate', type: 'number', default: 0.1, min: 0, minExclusive: true, doc: 'Gradient-descent step size; with standardised features 0.01–1 usually converges.' },
    { name: 'iterations', type: 'int', default: 500, min: 1, max: MAX_DIM, doc: 'Full-batch gradient-descent steps.' },
    { name: 'l2', type: 'number', default: 0, min: 0, doc: 'L2 penalty on the weights (not the bias); larger values fight overfitting on few samples.' },
  ],
  estimate(ctx) {
    const f = BigInt(ctx.features);
    const vectors = isBinary(ctx.classes) ? 1n : BigInt(ctx.classes);
    const detail = isBinary(ctx.classes)
      ? `(${n(ctx.features)} features + 1 bias): one weight vector for two classes`
      : `(${n(ctx.features)} features + 1 bias) × ${n(ctx.classes)} classes`;
    return { params: (f + 1n) * vectors, upperBound: false, detail, macs: f * vectors };
  },
  sklearn(s) {
    const l2 = s.args.l2 as number;
    // Modelspec minimises mean cross-entropy + ½·l2·‖w‖²; scikit-learn C·Σ cross-entropy + ½·‖w‖²: the same optimum when C = 1 / (l2 · samples).
    const penalty = l2 > 0 ? { C: 1 / (l2 * s.trainSamples) } : { penalty: null };
    return {
      imports: ['from sklearn.linear_model import LogisticRegression'],
      expression: pyCall('LogisticRegression', [], { ...penalty, max_iter: s.args.iterations }),
      notes: [
        `scikit-learn's lbfgs solver replaces Modelspec's gradient descent (learning_rate: ${s.args.learning_rate as number} has no counterpart); both minimise the same objective${l2 > 0 ? `, with C = 1 / (l2 · ${s.trainSamples} training samples)` : ' (no penalty)'}.`,
      ],
    };
  },
};

const KERNELS = ['linear', 'rbf', 'poly', 'sigmoid'] as const;

/** Which kernels read each kernel argument (scikit-learn's SVC and libsvm). */
const USED_BY: Readonly<Record<'gamma' | 'degree' | 'coef0', readonly string[]>> = {
  gamma: ['rbf', 'poly', 'sigmoid'],
  degree: ['poly'],
  coef0: ['poly', 'sigmoid'],
};

const SVM_DEFAULTS = { degree: 3, coef0: 0 } as const;

/**
 * Arguments arrive with defaults applied, so a written default (`degree: 3`) cannot be told
 * from an absent one; it changes nothing either way, so only other values are flagged.
 */
function checkKernelArgs(ctx: EstimatorContext, kernel: string): void {
  const given: Array<[keyof typeof USED_BY, boolean]> = [
    ['gamma', ctx.args.gamma !== undefined],
    ['degree', ctx.args.degree !== undefined && ctx.args.degree !== SVM_DEFAULTS.degree],
    ['coef0', ctx.args.coef0 !== undefined && ctx.args.coef0 !== SVM_DEFAULTS.coef0],
  ];
  for (const [arg, present] of given) {
    const users = USED_BY[arg];
    if (!present || users.includes(kernel)) continue;
    const choice = users.length === 1 ? `kernel: ${users[0]}` : `kernel: ${users.slice(0, -1).join(', ')} or ${users[users.length - 1]}`;
    ctx.report({
      code: 'estimator-argument',
      severity: 'warning',
      arg,
      message: `svm with kernel: ${kernel} ignores ${arg}; remove it, or use ${choice} if you meant it to matter.`,
      data: { kernel, argument: arg, usedBy: [...users] },
    });
  }
}

export const svm: EstimatorEntry = {
  kind: 'estimator',
  name: 'svm',
  family: 'classical',
  summary: 'Support-vector classifier (libsvm/scikit-learn SVC) with a linear, RBF, polynomial or sigmoid kernel.',
  doc: [
    'Support-vector classifier, as libsvm and scikit-learn\'s `SVC` build it: several classes are handled one-vs-one, one machine per pair of classes, with a vote. Kernels: `linear` x·x′, `rbf` exp(−γ‖x − x′‖²), `poly` (γ·x·x′ + coef0)^degree, `sigmoid` tanh(γ·x·x′ + coef0).',
    'Input: a vector of features per sample; standardise them (`normalize: standard`), as RBF distances are scale-sensitive.',
    '',
    '**Params**: linear kernel — classes·(classes − 1)/2 machines (1 for two classes) × (features + 1) weights and bias, exact. Other kernels — an upper bound before training: every training sample a support vector, each stored as features + classes − 1 numbers (its coordinates and one dual coefficient per other class), plus classes·(classes − 1)/2 intercepts; the exact count is known after training.',
    '**MACs** (predict one sample): linear — machines·features; other kernels — support vectors·(features + 1): one kernel evaluation and one coefficient per support vector (exp/pow/tanh not counted).',
    '**scikit-learn** (export): `SVC(kernel, C, gamma, degree, coef0)`, the same libsvm.',
  ].join('\n'),
  args: [
    { name: 'kernel', type: 'enum', values: KERNELS, default: 'rbf', doc: 'Similarity between samples: `linear`, `rbf` (Gaussian), `poly` or `sigmoid`.' },
    { name: 'C', type: 'number', default: 1, min: 0, minExclusive: true, doc: 'Penalty for misclassified training samples: larger fits the training data more tightly, smaller regularises more.' },
    {
      name: 'gamma',
      type: 'number',
      min: 0,
      minExclusive: true,
      doc: 'Kernel coefficient γ of `rbf`, `poly` and `sigmoid`. Absent: "scale", 1 / (features · variance of the training data), as in scikit-learn.',
    },
    { name: 'degree', type: 'int', default: SVM_DEFAULTS.degree, min: 1, max: MAX_DIM, doc: 'Degree of the `poly` kernel (ignored by the others).' },
    { name: 'coef0', type: 'number', default: SVM_DEFAULTS.coef0, doc: 'Constant term of the `poly` and `sigmoid` kernels (ignored by the others).' },
  ],
  estimate(ctx) {
    const kernel = ctx.args.kernel as string;
    checkKernelArgs(ctx, kernel);
    const f = BigInt(ctx.features);
    if (kernel === 'linear') {
      const k = BigInt(ctx.classes);
      const machines = isBinary(ctx.classes) ? 1n : (k * (k - 1n)) / 2n;
      const detail = isBinary(ctx.classes)
        ? `1 machine for two classes × (${n(ctx.features)} features + 1 bias)`
        : `${n(machines)} one-vs-one machines (${n(ctx.classes)}·${n(ctx.classes - 1)}/2) × (${n(ctx.features)} features + 1 bias)`;
      return { params: machines * (f + 1n), upperBound: false, detail, macs: machines * f };
    }
    // libsvm stores each support vector once, with one dual coefficient per other class,
    // plus one intercept per one-vs-one machine (as the trained size counts them).
    const k = BigInt(Math.max(2, ctx.classes));
    const coefficients = k - 1n;
    const intercepts = (k * (k - 1n)) / 2n;
    const perVector = f + coefficients;
    const coef = `${n(coefficients)} dual coefficient${coefficients === 1n ? '' : 's'}`;
    if (ctx.trainSamples === undefined) {
      return {
        params: perVector + intercepts,
        upperBound: true,
        detail: `training samples unknown: ${n(perVector)} numbers (${n(ctx.features)} features + ${coef}) per support vector and ${n(intercepts)} intercept${intercepts === 1n ? '' : 's'}; the bound is that × the training samples, as every one may become a support vector`,
        macs: perVector,
      };
    }
    const vectors = BigInt(ctx.trainSamples);
    return {
      params: vectors * perVector + intercepts,
      upperBound: true,
      detail: `at most ${n(vectors)} support vectors (every training sample) × (${n(ctx.features)} features + ${coef}) + ${n(intercepts)} intercept${intercepts === 1n ? '' : 's'}; exact after training`,
      macs: vectors * perVector,
    };
  },
  sklearn(s) {
    const { kernel, C, gamma, degree, coef0 } = s.args;
    const used = (arg: keyof typeof USED_BY) => USED_BY[arg].includes(kernel as string);
    return {
      imports: ['from sklearn.svm import SVC'],
      expression: pyCall('SVC', [], {
        kernel,
        C,
        gamma: used('gamma') ? (gamma ?? 'scale') : undefined,
        degree: used('degree') ? degree : undefined,
        coef0: used('coef0') ? coef0 : undefined,
      }),
      notes: ["libsvm's C-SVC, as Modelspec trains it (one-vs-one for several classes)."],
    };
  },
};

/** Every node keeps feature, threshold, left and right child; a leaf stores its value in their place. */
const NUMBERS_PER_NODE = 4n;

/**
 * At depth 64 the depth bound 2^65 − 1 already exceeds 2·rows − 1 for any row count up to
 * 2^64 (real counts stay below 2^53), so capping the exponent there never changes the
 * minimum, while max_depth: 10^6 would otherwise build a million-bit number.
 */
const DEPTH_CAP = 64;

interface TreeBound {
  readonly nodes: bigint;
  /** Comparisons on the path of a balanced tree, the rough predict cost. */
  readonly path: bigint;
  readonly why: string;
}

function ceilLog2(rows: bigint): bigint {
  let bits = 0n;
  while (1n << bits < rows) bits++;
  return bits;
}

/**
 * The leaves of a fitted tree each hold at least one training row, so a tree over n rows
 * has at most 2n − 1 nodes; a depth limit d allows at most 2^(d+1) − 1. Without the row
 * count the rows are assumed to be at most 2^40 (MAX_DIM), the largest count the checker computes.
 */
function treeBound(maxDepth: number | undefined, trainSamples: number | undefined): TreeBound {
  const known = trainSamples !== undefined;
  const rows = BigInt(Math.max(trainSamples ?? MAX_DIM, 1));
  const bySamples = 2n * rows - 1n;
  const rowsText = known ? `2·${n(rows)} training samples − 1` : `2·2^40 − 1 (training samples unknown, assumed at most 2^40; give the model data for a useful bound)`;
  const balancedDepth = ceilLog2(rows);
  if (maxDepth === undefined) {
    return { nodes: bySamples, path: balancedDepth, why: `≤ ${rowsText} = ${n(bySamples)} nodes (max_depth unlimited)` };
  }
  const byDepth = (1n << BigInt(Math.min(maxDepth, DEPTH_CAP) + 1)) - 1n;
  const nodes = byDepth < bySamples ? byDepth : bySamples;
  const depthText = maxDepth > DEPTH_CAP ? `2^(${n(maxDepth)}+1) − 1` : `2^${maxDepth + 1} − 1`;
  const depth = BigInt(maxDepth);
  return { nodes, path: depth < balancedDepth ? depth : balancedDepth, why: `≤ min(${depthText}, ${rowsText}) = ${n(nodes)} nodes` };
}

const maxDepthArg: ArgSpec = { name: 'max_depth', type: 'int', min: 1, max: MAX_DIM, doc: 'Deepest level a tree may grow to. Absent: unlimited (grow until leaves are pure or too small to split).' };

const minSamplesSplitArg: ArgSpec = { name: 'min_samples_split', type: 'int', default: 2, min: 2, max: MAX_DIM, doc: 'A node with fewer training samples than this becomes a leaf.' };

const TREE_PARAMS_DOC =
  'an upper bound before training of min(2^(max_depth+1) − 1, 2·training samples − 1) nodes (each leaf holds at least one sample), each stored as 4 numbers: feature, threshold, left and right child (a leaf keeps its value in their place). The exact count is known after training.';

export const decision_tree: EstimatorEntry = {
  kind: 'estimator',
  name: 'decision_tree',
  family: 'classical',
  summary: 'CART decision tree: splits on one feature threshold per node.',
  doc: [
    'Classification tree (CART, as scikit-learn\'s `DecisionTreeClassifier`): each node splits the samples on one feature at a threshold chosen to reduce impurity (Gini or entropy), until leaves are pure, too small, or at `max_depth`.',
    'Input: a vector of features per sample; no scaling needed.',
    '',
    `**Params**: ${TREE_PARAMS_DOC}`,
    '**MACs** (predict one sample, rough): one comparison per level, counted as one MAC, on the path of a balanced tree: min(max_depth, ⌈log2(training samples)⌉).',
    '**scikit-learn** (export): `DecisionTreeClassifier(criterion, max_depth, min_samples_split, random_state=seed)`.',
  ].join('\n'),
  args: [
    maxDepthArg,
    minSamplesSplitArg,
    { name: 'criterion', type: 'enum', values: ['gini', 'entropy'], default: 'gini', doc: 'Impurity a split minimises: `gini` or `entropy` (information gain).' },
  ],
  estimate(ctx) {
    const bound = treeBound(ctx.args.max_depth as number | undefined, ctx.trainSamples);
    return { params: bound.nodes * NUMBERS_PER_NODE, upperBound: true, detail: `${bound.why} × 4 numbers (feature, threshold, left, right)`, macs: bound.path };
  },
  sklearn(s) {
    return {
      imports: ['from sklearn.tree import DecisionTreeClassifier'],
      expression: pyCall('DecisionTreeClassifier', [], { criterion: s.args.criterion, max_depth: s.args.max_depth, min_samples_split: s.args.min_samples_split, random_state: s.seed }),
      notes: ['CART, as Modelspec grows it; ties between equally good splits may be broken differently.'],
    };
  },
};

export const random_forest: EstimatorEntry = {
  kind: 'estimator',
  name: 'random_forest',
  family: 'classical',
  summary: 'Random forest: many decision trees on bootstrap samples and random feature subsets, voting.',
  doc: [
    'Random forest (Breiman, 2001; scikit-learn\'s `RandomForestClassifier`): each tree is grown on a bootstrap sample of the training data, considering a random subset of `max_features` features at each split; the trees vote.',
    'Input: a vector of features per sample; no scaling needed.',
    '',
    `**Params**: trees × ${TREE_PARAMS_DOC}`,
    '**MACs** (predict one sample, rough): trees × one comparison per level of a balanced tree, min(max_depth, ⌈log2(training samples)⌉).',
    '**scikit-learn** (export): `RandomForestClassifier(n_estimators=trees, max_depth, min_samples_split, max_features, random_state=seed)`.',
  ].join('\n'),
  args: [
    { name: 'trees', type: 'int', default: 100, min: 1, max: MAX_DIM, doc: 'Number of trees that vote.' },
    maxDepthArg,
    minSamplesSplitArg,
    {
      name: 'max_features',
      type: 'enum',
      values: ['sqrt', 'log2', 'all'],
      default: 'sqrt',
      doc: 'Features considered at each split: √features, log2(features), or all of them (bagged trees).',
    },
  ],
  estimate(ctx) {
    const trees = BigInt(ctx.args.trees as number);
    const bound = treeBound(ctx.args.max_depth as number | undefined, ctx.trainSamples);
    return {
      params: trees * bound.nodes * NUMBERS_PER_NODE,
      upperBound: true,
      detail: `${n(trees)} trees × ${bound.why} × 4 numbers (feature, threshold, left, right)`,
      macs: trees * bound.path,
    };
  },
  sklearn(s) {
    const maxFeatures = s.args.max_features === 'all' ? null : s.args.max_features;
    return {
      imports: ['from sklearn.ensemble import RandomForestClassifier'],
      expression: pyCall('RandomForestClassifier', [], {
        n_estimators: s.args.trees,
        max_depth: s.args.max_depth,
        min_samples_split: s.args.min_samples_split,
        max_features: maxFeatures,
        random_state: s.seed,
      }),
      notes: ['Bootstrap samples and random feature subsets as in Modelspec; the random draws differ, so single trees do too.'],
    };
  },
};

export const classicalEntries: EstimatorEntry[] = [logistic_regression, svm, decision_tree, random_forest];
