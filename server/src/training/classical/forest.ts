/**
 * `decision_tree` and `random_forest` on the CART builder of tree.ts.
 *
 * The forest follows Breiman and scikit-learn's RandomForestClassifier: each tree is grown
 * without a depth limit unless one is given, on a bootstrap sample of the training set
 * (drawn with replacement, passed as per-sample counts), trying `max_features` random
 * features at each node. Unlike scikit-learn, which averages the leaves' class
 * frequencies, the trees cast one vote each: a leaf then stores one class instead of a
 * distribution, which keeps the model at the 4 numbers per node the catalogue announces.
 */
import type { Args } from '../../catalog/types';
import { withSeparators as fmt } from '../../util/format';
import { mulberry32 } from '../../util/random';
import {
  checkFitInputs,
  checkJSON,
  checkPredictInputs,
  CLASSICAL_FORMAT,
  enumArg,
  numberArg,
  optionalNumberArg,
  type ClassicalJSON,
  type ClassicalModel,
  type ModelSize,
} from './model';
import { growTree, predictTree, presort, treeFromJSON, treeStats, treeToJSON, type Criterion, type Tree, type TreeJSON } from './tree';

/** feature, threshold, left, right: what the catalogue counts per node. */
const NUMBERS_PER_NODE = 4n;

export class DecisionTreeModel implements ClassicalModel {
  readonly kind = 'decision_tree';
  private tree?: Tree;
  private features = 0;
  private classes = 0;

  /** Deterministic: every feature is tried at every node, so the seed is not used. */
  fit(x: Float32Array, y: Int32Array, n: number, features: number, classes: number, args: Args, _seed?: number): void {
    checkFitInputs(this.kind, x, y, n, features, classes);
    const sorted = presort(x.subarray(0, n * features), n, features);
    this.tree = growTree(sorted, y.subarray(0, n), classes, null, {
      maxDepth: optionalNumberArg(args, 'max_depth') ?? Infinity,
      minSamplesSplit: numberArg(args, 'min_samples_split', 2),
      criterion: enumArg<Criterion>(args, 'criterion', ['gini', 'entropy'], 'gini'),
      maxFeatures: features,
    });
    this.features = features;
    this.classes = classes;
  }

  predict(x: Float32Array, n: number): Int32Array {
    const tree = this.fitted();
    checkPredictInputs(this.kind, x, n, this.features);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = predictTree(tree, x, i * this.features);
    return out;
  }

  size(): ModelSize {
    const s = treeStats(this.fitted());
    return {
      params: BigInt(s.nodes) * NUMBERS_PER_NODE,
      detail: `${fmt(s.nodes)} nodes (${fmt(s.leaves)} leaves, depth ${s.depth}) × 4 numbers (feature, threshold, left, right)`,
    };
  }

  toJSON(): ClassicalJSON {
    return { format: CLASSICAL_FORMAT, version: 1, kind: this.kind, features: this.features, classes: this.classes, tree: treeToJSON(this.fitted()) };
  }

  static fromJSON(json: unknown): DecisionTreeModel {
    const j = checkJSON(json, 'decision_tree');
    const model = new DecisionTreeModel();
    model.tree = treeFromJSON(j.tree as TreeJSON, j.features, j.classes);
    model.features = j.features;
    model.classes = j.classes;
    return model;
  }

  private fitted(): Tree {
    if (!this.tree) throw new Error('decision_tree: not trained yet; call fit first.');
    return this.tree;
  }
}

export type MaxFeatures = 'sqrt' | 'log2' | 'all';

/** Features tried per split, rounded down and at least 1, as scikit-learn. */
export function featuresPerSplit(rule: MaxFeatures, features: number): number {
  if (rule === 'all') return features;
  return Math.max(1, Math.floor(rule === 'sqrt' ? Math.sqrt(features) : Math.log2(features)));
}

export class RandomForestModel implements ClassicalModel {
  readonly kind = 'random_forest';
  private trees: Tree[] = [];
  private features = 0;
  private classes = 0;

  fit(x: Float32Array, y: Int32Array, n: number, features: number, classes: number, args: Args, seed: number): void {
    checkFitInputs(this.kind, x, y, n, features, classes);
    const count = numberArg(args, 'trees', 100);
    if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`random_forest: trees must be a positive integer, not ${count}.`);
    const maxFeatures = featuresPerSplit(enumArg<MaxFeatures>(args, 'max_features', ['sqrt', 'log2', 'all'], 'sqrt'), features);
    const sorted = presort(x.subarray(0, n * features), n, features);
    const labels = y.subarray(0, n);
    const master = mulberry32(seed);
    const weights = new Float64Array(n);
    const trees: Tree[] = [];
    for (let t = 0; t < count; t++) {
      // A seed per tree: each tree's draws do not depend on how many the previous trees made.
      const random = mulberry32(Math.floor(master() * 2 ** 32));
      weights.fill(0);
      for (let i = 0; i < n; i++) weights[Math.floor(random() * n)]++;
      trees.push(
        growTree(sorted, labels, classes, weights, {
          maxDepth: optionalNumberArg(args, 'max_depth') ?? Infinity,
          minSamplesSplit: numberArg(args, 'min_samples_split', 2),
          criterion: 'gini',
          maxFeatures,
          random,
        }),
      );
    }
    this.trees = trees;
    this.features = features;
    this.classes = classes;
  }

  /** The class most trees vote for; a tie goes to the lowest class index. */
  predict(x: Float32Array, n: number): Int32Array {
    const trees = this.fitted();
    checkPredictInputs(this.kind, x, n, this.features);
    const out = new Int32Array(n);
    const votes = new Int32Array(this.classes);
    for (let i = 0; i < n; i++) {
      votes.fill(0);
      for (const tree of trees) votes[predictTree(tree, x, i * this.features)]++;
      let best = 0;
      for (let c = 1; c < this.classes; c++) if (votes[c] > votes[best]) best = c;
      out[i] = best;
    }
    return out;
  }

  size(): ModelSize {
    const trees = this.fitted();
    let nodes = 0;
    let leaves = 0;
    let depth = 0;
    for (const tree of trees) {
      const s = treeStats(tree);
      nodes += s.nodes;
      leaves += s.leaves;
      depth = Math.max(depth, s.depth);
    }
    return {
      params: BigInt(nodes) * NUMBERS_PER_NODE,
      detail: `${fmt(trees.length)} trees, ${fmt(nodes)} nodes in all (${fmt(leaves)} leaves, deepest ${depth}) × 4 numbers (feature, threshold, left, right)`,
    };
  }

  toJSON(): ClassicalJSON {
    return { format: CLASSICAL_FORMAT, version: 1, kind: this.kind, features: this.features, classes: this.classes, trees: this.fitted().map(treeToJSON) };
  }

  static fromJSON(json: unknown): RandomForestModel {
    const j = checkJSON(json, 'random_forest');
    if (!Array.isArray(j.trees) || j.trees.length === 0) throw new Error('Saved random_forest has no trees.');
    const model = new RandomForestModel();
    model.trees = (j.trees as TreeJSON[]).map((t) => treeFromJSON(t, j.features, j.classes));
    model.features = j.features;
    model.classes = j.classes;
    return model;
  }

  private fitted(): Tree[] {
    if (this.trees.length === 0) throw new Error('random_forest: not trained yet; call fit first.');
    return this.trees;
  }
}
