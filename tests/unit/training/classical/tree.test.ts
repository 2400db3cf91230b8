import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecisionTreeModel, featuresPerSplit, RandomForestModel } from '../../../../server/src/training/classical/forest';
import { growTree, predictTree, presort, treeStats, type GrowOptions, type Tree } from '../../../../server/src/training/classical/tree';
import { mulberry32 } from '../../../../server/src/util/random';

const GINI: GrowOptions = { maxDepth: Infinity, minSamplesSplit: 2, criterion: 'gini', maxFeatures: Infinity };

function grow(rows: number[][], y: number[], classes: number, opts: Partial<GrowOptions> = {}, weights: number[] | null = null): Tree {
  const f = rows[0].length;
  const x = Float32Array.from(rows.flat());
  return growTree(presort(x, rows.length, f), Int32Array.from(y), classes, weights && Float64Array.from(weights), { ...GINI, maxFeatures: f, ...opts });
}

function predictAll(tree: Tree, rows: number[][]): number[] {
  const x = Float32Array.from(rows.flat());
  return rows.map((_, i) => predictTree(tree, x, i * rows[0].length));
}

test('presort orders each feature by value, equal values by sample index, negatives and −0 included', () => {
  const values = [3, -1, 0, -0, 2.5, -7.25, 3, 1e-30, -1e-30, 1e30];
  const x = Float32Array.from(values.flatMap((v, i) => [v, i % 3]));
  const s = presort(x, values.length, 2);
  const order0 = Array.from(s.order.subarray(0, values.length));
  assert.deepEqual([...order0].sort((a, b) => a - b), values.map((_, i) => i), 'a permutation');
  for (let r = 1; r < order0.length; r++) {
    const [a, b] = [order0[r - 1], order0[r]];
    const [va, vb] = [Math.fround(values[a]), Math.fround(values[b])];
    assert.ok(va <= vb, `${va} before ${vb}`);
    if (va === vb && Object.is(va, vb)) assert.ok(a < b, 'equal values keep index order');
  }
  assert.deepEqual(Array.from(s.order.subarray(values.length)), [0, 3, 6, 9, 1, 4, 7, 2, 5, 8]);
  assert.equal(s.columns[values.length + 4], 4 % 3, 'columns are stored feature-major');
});

test('one feature, two classes: a single split at the midpoint between the classes', () => {
  const tree = grow([[1], [2], [3], [4]], [0, 0, 1, 1], 2);
  assert.deepEqual(Array.from(tree.feature), [0, -1, -1]);
  assert.equal(tree.threshold[0], 2.5);
  assert.deepEqual([tree.left[1], tree.left[2]], [0, 1]);
  assert.deepEqual(predictAll(tree, [[2.5], [2.6], [-5], [9]]), [0, 1, 0, 1]);
  assert.deepEqual(treeStats(tree), { nodes: 3, leaves: 2, depth: 1 });
});

test('XOR needs a split that improves nothing at first; like scikit-learn, it is taken and the tree becomes exact', () => {
  const rows = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  const y = [0, 1, 1, 0];
  const tree = grow(rows, y, 2);
  assert.deepEqual(predictAll(tree, rows), y);
  assert.deepEqual(treeStats(tree), { nodes: 7, leaves: 4, depth: 2 });
});

test('max_depth and min_samples_split stop growth; a leaf predicts its majority, ties to the lower class', () => {
  const rows = Array.from({ length: 8 }, (_, i) => [i]);
  const y = [0, 1, 0, 1, 2, 2, 1, 1];
  const stump = grow(rows, y, 3, { maxDepth: 1 });
  assert.ok(treeStats(stump).depth <= 1);
  assert.equal(treeStats(stump).nodes, 3);
  const root = grow(rows, y, 3, { minSamplesSplit: 9 });
  assert.equal(treeStats(root).nodes, 1);
  assert.equal(root.left[0], 1, 'four 1s beat two 0s and two 2s');
  const tie = grow([[0], [1], [2], [3]], [2, 1, 2, 1], 3, { maxDepth: 0 });
  assert.equal(tie.left[0], 1, 'a 2–2 tie goes to class 1, the lower index');
  const full = grow(rows, y, 3);
  assert.deepEqual(predictAll(full, rows), y, 'unlimited depth fits distinct points exactly');
});

test('identical points with different labels cannot be split: growth stops there', () => {
  const tree = grow([[1, 1], [1, 1], [1, 1], [2, 2]], [0, 1, 1, 0], 2);
  assert.deepEqual(Array.from(tree.feature), [0, -1, -1]);
  assert.deepEqual(predictAll(tree, [[1, 1], [2, 2]]), [1, 0]);
});

test('entropy and gini are both used as their formulas say', () => {
  // The stump's threshold must be the cut a brute-force search over all cuts finds, by
  // the criterion's own formula (weighted child impurity, first minimum wins).
  const rows = [[1], [2], [3], [4], [5], [6]];
  const y = [0, 1, 1, 0, 0, 0];
  for (const criterion of ['gini', 'entropy'] as const) {
    const stump = grow(rows, y, 2, { maxDepth: 1, criterion });
    const gini = (counts: number[]) => 1 - counts.reduce((s, c) => s + (c / counts.reduce((a, b) => a + b, 0)) ** 2, 0);
    const entropy = (counts: number[]) => -counts.reduce((s, c) => (c ? s + (c / counts.reduce((a, b) => a + b, 0)) * Math.log(c / counts.reduce((a, b) => a + b, 0)) : s), 0);
    const impurity = criterion === 'gini' ? gini : entropy;
    let best = Infinity;
    let bestThreshold = 0;
    for (let cut = 1; cut < 6; cut++) {
      const left = [y.slice(0, cut).filter((v) => v === 0).length, y.slice(0, cut).filter((v) => v === 1).length];
      const right = [y.slice(cut).filter((v) => v === 0).length, y.slice(cut).filter((v) => v === 1).length];
      const score = cut * impurity(left) + (6 - cut) * impurity(right);
      if (score < best - 1e-12) [best, bestThreshold] = [score, cut + 0.5];
    }
    assert.equal(stump.threshold[0], bestThreshold, criterion);
  }
});

test('weights act as repeated samples (bootstrap counts), and zero-weight samples are left out', () => {
  const rows = [[1], [2], [3], [4]];
  const y = [0, 1, 1, 1];
  const weighted = grow(rows, y, 2, { maxDepth: 0 }, [5, 1, 1, 1]);
  assert.equal(weighted.left[0], 0, 'weight 5 outvotes three 1s');
  const outOfBag = grow(rows, y, 2, {}, [0, 1, 1, 1]);
  assert.equal(treeStats(outOfBag).nodes, 1, 'without sample 0 the node is pure');
  assert.equal(outOfBag.left[0], 1);
});

test('max_features draws features at random per node, seeded', () => {
  const random = () => mulberry32(4);
  const rows = Array.from({ length: 40 }, (_, i) => [i % 2, (i >> 1) % 2, (i >> 2) % 2, i]);
  const y = rows.map((r) => r[0] ^ r[1]);
  const a = grow(rows, y, 2, { maxFeatures: 1, random: random() });
  const b = grow(rows, y, 2, { maxFeatures: 1, random: random() });
  assert.deepEqual(a, b);
  assert.deepEqual(predictAll(a, rows), y, 'a fully grown tree still fits the training data');
  assert.throws(() => grow(rows, y, 2, { maxFeatures: 1 }), /needs a random source/);
  assert.deepEqual(
    [featuresPerSplit('sqrt', 64), featuresPerSplit('log2', 64), featuresPerSplit('all', 64), featuresPerSplit('sqrt', 4), featuresPerSplit('log2', 1), featuresPerSplit('sqrt', 10)],
    [8, 6, 64, 2, 1, 3],
  );
});

test('the engines read catalogue arguments: max_depth, min_samples_split, criterion, trees, max_features', () => {
  const rows = Array.from({ length: 64 }, (_, i) => [i % 8, Math.floor(i / 8)]);
  const x = Float32Array.from(rows.flat());
  const y = Int32Array.from(rows, ([a, b]) => (a * 3 + b * 5) % 4);
  const deep = new DecisionTreeModel();
  deep.fit(x, y, 64, 2, 4, { min_samples_split: 2, criterion: 'entropy' });
  const shallow = new DecisionTreeModel();
  shallow.fit(x, y, 64, 2, 4, { max_depth: 2, min_samples_split: 2, criterion: 'gini' });
  assert.ok(Number(shallow.size().params) <= 4 * 7);
  assert.ok(Number(deep.size().params) > Number(shallow.size().params));
  const forest = new RandomForestModel();
  forest.fit(x, y, 64, 2, 4, { trees: 3, max_depth: 3, max_features: 'all' }, 9);
  assert.match(forest.size().detail, /^3 trees, .*deepest [0-3]\)/);
  assert.equal(forest.predict(x, 64).length, 64);
  assert.throws(() => forest.fit(x, y, 64, 2, 4, { trees: 0 }, 1), /trees must be a positive integer/);
  assert.throws(() => deep.fit(x, y, 64, 2, 4, { criterion: 'variance' }), /criterion must be one of gini, entropy/);
});
