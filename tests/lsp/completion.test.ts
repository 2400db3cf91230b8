// Completion in every context the cursor can be in, on half-typed text as an editor sends it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletionItem, CompletionList } from 'vscode-languageserver-protocol';
import { applyEdits, fixtureUri, TestClient } from './client';

let client: TestClient;
const uri = fixtureUri('completion-scratch.model');
let version = 0;

const HEADER = `dataset Iris {
  source: "data/iris.csv"
  target: "label"
}

dataset Blobs {
  source: synthetic(kind: spirals)
}

block Hidden(units, rate = 0.1) {
  dense(units, activation: relu)
}

model First {
  data: Iris
  dense(3, activation: softmax)
}

model Second {
  data: Iris
  dense(3, activation: softmax)
}
`;

before(async () => {
  client = await TestClient.start();
  await client.open(uri, HEADER);
  version = 1;
});
after(() => client.stop());

/** Completes at the `|` in `source` (appended to HEADER); returns the items. */
async function complete(source: string): Promise<CompletionItem[]> {
  const full = HEADER + source;
  const index = full.indexOf('|');
  const text = full.slice(0, index) + full.slice(index + 1);
  await client.change(uri, text);
  version++;
  const before = text.slice(0, index);
  const position = { line: before.split('\n').length - 1, character: index - before.lastIndexOf('\n') - 1 };
  const r = await client.request<CompletionItem[] | CompletionList | null>('textDocument/completion', { textDocument: { uri }, position });
  return !r ? [] : Array.isArray(r) ? r : r.items;
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);
const newText = (item: CompletionItem | undefined) => (item?.textEdit && 'newText' in item.textEdit ? item.textEdit.newText : undefined);

test('top level: snippets for datasets, models, blocks and compare', async () => {
  const items = await complete('\n|');
  for (const l of ['dataset', 'dataset (synthetic)', 'model', 'block', 'compare']) assert.ok(labels(items).includes(l), `${l} offered`);
  const model = newText(items.find((i) => i.label === 'model'));
  assert.match(model ?? '', /^model \$\{1:Name\} \{\n  data: \$\{2\|Iris,Blobs\|\}\n/);
  assert.equal(items.find((i) => i.label === 'model')?.insertTextFormat, 2, 'snippet format');
});

test('model body: layers, blocks, structure, unused settings and a train snippet', async () => {
  const items = await complete('\nmodel Third {\n  data: Iris\n  |\n}\n');
  const l = labels(items);
  for (const x of ['dense', 'conv2d', 'flatten', 'dropout', 'Hidden', 'repeat', 'residual', 'train', 'input', 'classes']) assert.ok(l.includes(x), `${x} offered`);
  assert.ok(!l.includes('data'), 'data is already set');
  assert.equal(newText(items.find((i) => i.label === 'dense')), 'dense(${1:units})');
  assert.equal(newText(items.find((i) => i.label === 'conv2d')), 'conv2d(${1:filters}, kernel: ${2:kernel})');
  assert.equal(newText(items.find((i) => i.label === 'Hidden')), 'Hidden(${1:units})');
  assert.equal(newText(items.find((i) => i.label === 'flatten')), 'flatten');
  // The catalogue documentation comes with completionItem/resolve, for the item shown.
  const dense = await client.request<CompletionItem>('completionItem/resolve', items.find((i) => i.label === 'dense'));
  assert.match(typeof dense.documentation === 'object' ? dense.documentation.value : '', /^```modelspec\ndense\(units, activation = linear[\s\S]*\*\*Params\*\*/);
  assert.ok(client.initializeResult.capabilities.completionProvider?.resolveProvider);
});

test('layers that fit the tensor at the cursor sort first', async () => {
  const items = await complete('\nmodel Third {\n  input: [8, 8, 1]\n  |\n}\n');
  const sort = (name: string) => items.find((i) => i.label === name)?.sortText ?? '';
  assert.ok(sort('conv2d') < sort('conv1d'), 'conv2d fits a 3-D input, conv1d does not');
  const conv1d = await client.request<CompletionItem>('completionItem/resolve', items.find((i) => i.label === 'conv1d'));
  assert.match(typeof conv1d.documentation === 'object' ? conv1d.documentation.value : '', /Expects a 2-D input; the tensor here is 3-D/);
});

test('a typed prefix is replaced by the item', async () => {
  const items = await complete('\nmodel Third {\n  data: Iris\n  den|\n}\n');
  const dense = items.find((i) => i.label === 'dense');
  assert.ok(dense?.textEdit && 'range' in dense.textEdit);
  assert.deepEqual(dense.textEdit.range.end.character - dense.textEdit.range.start.character, 3);
});

test('inside a call: argument names not yet used, with `name: ` inserted', async () => {
  const items = await complete('\nmodel Third {\n  input: [8, 8, 1]\n  conv2d(16, padding: same, |)\n}\n');
  const l = labels(items);
  assert.ok(l.includes('kernel:') && l.includes('stride:') && l.includes('activation:'));
  assert.ok(!l.includes('filters:'), 'filled positionally');
  assert.ok(!l.includes('padding:'), 'already named');
  assert.equal(newText(items.find((i) => i.label === 'kernel:')), 'kernel: ');
});

test('enum values after activation:, padding:, loss:, optimizer:, normalize:, kind:', async () => {
  const act = labels(await complete('\nmodel Third {\n  data: Iris\n  dense(3, activation: |)\n}\n'));
  assert.ok(act.includes('relu') && act.includes('softmax') && act.includes('gelu'));
  const pad = labels(await complete('\nmodel Third {\n  input: [8, 8, 1]\n  conv2d(4, kernel: 3, padding: |)\n}\n'));
  assert.deepEqual(pad.sort(), ['same', 'valid']);
  const loss = labels(await complete('\nmodel Third {\n  data: Iris\n  dense(3)\n  train {\n    loss: |\n  }\n}\n'));
  assert.ok(loss.includes('sparse_categorical_crossentropy') && loss.includes('binary_crossentropy'), loss.join());
  const opt = await complete('\nmodel Third {\n  data: Iris\n  dense(3)\n  train {\n    optimizer: |\n  }\n}\n');
  assert.deepEqual(labels(opt).sort(), ['adagrad', 'adam', 'rmsprop', 'sgd']);
  assert.equal(newText(opt.find((i) => i.label === 'adam')), 'adam(learning_rate: ${1:0.001})');
  const norm = labels(await complete('\ndataset Third {\n  source: "data/iris.csv"\n  normalize: |\n}\n'));
  assert.deepEqual(norm.sort(), ['minmax', 'none', 'standard']);
  const kind = labels(await complete('\ndataset Third {\n  source: synthetic(kind: |)\n}\n'));
  assert.deepEqual(kind.sort(), ['sequences', 'spirals', 'tokens']);
});

test('classical estimators: in model bodies only, with their enum values (kernel:)', async () => {
  const model = labels(await complete('\nmodel Third {\n  data: Iris\n  |\n}\n'));
  assert.ok(model.includes('svm') && model.includes('logistic_regression') && model.includes('random_forest'));
  const block = labels(await complete('\nblock Two(width) {\n  |\n}\n'));
  assert.ok(block.includes('dense') && !block.includes('svm'), 'a block holds layers, not estimators');
  assert.deepEqual(labels(await complete('\nmodel Third {\n  data: Iris\n  svm(kernel: |)\n}\n')).sort(), ['linear', 'poly', 'rbf', 'sigmoid']);
  const top = await complete('\n|');
  assert.match(newText(top.find((i) => i.label === 'model (classical)')) ?? '', /\$\{3\|logistic_regression,svm,decision_tree,random_forest\|\}/);
});

test('a value typed right after the colon gets its space', async () => {
  const items = await complete('\nmodel Third {\n  data: Iris\n  dense(3, activation:|)\n}\n');
  assert.equal(newText(items.find((i) => i.label === 'relu')), ' relu');
});

test('optimizer arguments inside its call; metrics inside a list', async () => {
  const adam = labels(await complete('\nmodel Third {\n  data: Iris\n  dense(3)\n  train {\n    optimizer: adam(|)\n  }\n}\n'));
  assert.deepEqual(adam, ['learning_rate:', 'beta1:', 'beta2:', 'epsilon:']);
  const metrics = labels(await complete('\nmodel Third {\n  data: Iris\n  dense(3)\n  train {\n    metrics: [accuracy, |]\n  }\n}\n'));
  assert.ok(metrics.includes('f1') && !metrics.includes('accuracy'));
});

test('dataset names after data:, model names in compare', async () => {
  assert.deepEqual(labels(await complete('\nmodel Third {\n  data: |\n}\n')).sort(), ['Blobs', 'Iris']);
  assert.deepEqual(labels(await complete('\ncompare First, |\n')), ['Second']);
});

test('setting keys not yet used in datasets and train sections', async () => {
  const ds = labels(await complete('\ndataset Third {\n  source: "data/iris.csv"\n  |\n}\n'));
  assert.deepEqual(ds.sort(), ['normalize', 'seed', 'shape', 'target', 'test_split']);
  const train = labels(await complete('\nmodel Third {\n  data: Iris\n  dense(3)\n  train {\n    epochs: 3\n    |\n  }\n}\n'));
  assert.ok(train.includes('optimizer') && train.includes('batch_size') && !train.includes('epochs'));
});

test('data files in source strings and CSV columns in target', async () => {
  const files = await complete('\ndataset Third {\n  source: "|"\n}\n');
  assert.ok(labels(files).includes('data/iris.csv'), labels(files).join());
  const columns = await complete('\ndataset Third {\n  source: "data/iris.csv"\n  target: |\n}\n');
  assert.deepEqual(labels(columns), ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm', 'label']);
  assert.equal(newText(columns.find((i) => i.label === 'label')), '"label"');
});

test('block bodies offer the block parameters as values', async () => {
  const items = labels(await complete('\nblock Two(width) {\n  dense(|)\n}\n'));
  assert.ok(items.includes('width'));
});

test('nothing inside comments or after a complete statement', async () => {
  assert.deepEqual(await complete('\n// a comment |\n'), []);
  assert.deepEqual(await complete('\nmodel Third {\n  data: Iris\n  dense(3) |\n}\n'), []);
});

test('a chosen item applied to the text gives what the user meant', async () => {
  const src = '\nmodel Third {\n  data: Iris\n  dense(3, activation: so|)\n}\n';
  const items = await complete(src);
  const item = items.find((i) => i.label === 'softmax')!;
  const full = HEADER + src;
  const text = full.replace('|', '');
  assert.ok(item.textEdit && 'range' in item.textEdit);
  assert.match(applyEdits(text, [item.textEdit]), /dense\(3, activation: softmax\)/);
  assert.ok(version > 1);
});
