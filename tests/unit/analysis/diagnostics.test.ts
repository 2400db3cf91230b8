// One failing example per diagnostic code: the code, its exact range and its message.
// ⟦ and ⟧ mark the expected range in each example and are removed before analysis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODES } from '../../../server/src/analysis/diagnostics';
import type { Range } from '../../../server/src/language/position';
import { fail } from '../../../server/src/data/table';
import { run, SMALL_CSV, type MemoryFile } from './memoryHost';

interface Example {
  readonly code: string;
  readonly text: string;
  readonly message: RegExp;
  readonly files?: Record<string, MemoryFile>;
  /** For examples whose range is not worth marking (generated text). */
  readonly anyRange?: boolean;
}

const DATA = 'dataset D {\n  source: "d.csv"\n}\n';
const files = { 'd.csv': SMALL_CSV };
const neural = (body: string, header = 'input: [4]') => `model M {\n  ${header}\n  ${body}\n}\n`;

const EXAMPLES: Example[] = [
  { code: 'syntax-error', text: neural('dense(3) ⟦)⟧'), message: /Expected a layer, a setting .* found '\)'/ },
  { code: 'unexpected-character', text: neural('dense(3) ⟦§⟧'), message: /Unexpected character "§"/ },
  { code: 'unterminated-string', text: 'dataset D {\n  source: ⟦"d.csv⟧\n}', message: /never closed/, files },
  { code: 'unterminated-comment', text: '⟦/* open⟧', message: /add `\*\/`/ },
  { code: 'invalid-number', text: neural('dense(3)', 'input: [⟦3x3⟧]'), message: /"3x3" is not a number/ },
  { code: 'unclosed-bracket', text: neural('dense(3⟦⟧\n  relu'), message: /Expected '\)' to close these arguments/ },
  { code: 'unclosed-brace', text: 'model M ⟦{⟧\n  input: [4]\n  dense(3)\n', message: /never closed: add '}'/ },
  { code: 'one-setting-per-line', text: neural('dense(3)\n  train {\n    epochs: 3⟦,⟧ batch_size: 8\n  }'), message: /^Settings go one per line: put each `name: value` on a line of its own\.$/ },
  { code: 'nesting-too-deep', text: neural('dense(3)', 'input: ' + '['.repeat(300) + ']'.repeat(300)), message: /Nesting deeper than 200/, anyRange: true },
  { code: 'duplicate-declaration', text: neural('dense(3)') + 'model ⟦M⟧ {\n  input: [4]\n  dense(2)\n}', message: /'M' is already declared as a model on line 1/ },
  { code: 'unknown-layer', text: neural('⟦dense2⟧(3)'), message: /Unknown layer 'dense2'. Did you mean 'dense'\?/ },
  { code: 'unknown-argument', text: neural('dense(3, ⟦activaton⟧: relu)'), message: /dense has no argument 'activaton'. Did you mean 'activation'\?/ },
  { code: 'unknown-reference', text: DATA + 'model M {\n  data: ⟦Dd⟧\n  dense(3, activation: softmax)\n}', message: /No dataset named 'Dd'. Did you mean 'D'\?/, files },
  { code: 'unknown-property', text: neural('dense(3)\n  train {\n    ⟦epoch⟧: 3\n  }'), message: /train has no setting 'epoch'. Did you mean 'epochs'\?/ },
  { code: 'unknown-value', text: neural('dense(3, activation: ⟦rellu⟧)'), message: /'rellu' is not a valid activation for dense. Did you mean 'relu'\?/ },
  { code: 'unused-declaration', text: 'block ⟦B⟧ { relu }\n' + neural('dense(3)'), message: /block B is not used by any model/ },
  { code: 'duplicate-argument', text: neural('dense(3, ⟦units: 4⟧)'), message: /'units' is given more than once/ },
  { code: 'duplicate-property', text: neural('dense(3)\n  train {\n    epochs: 2\n    ⟦epochs: 3⟧\n  }'), message: /'epochs' is set more than once in train/ },
  { code: 'missing-argument', text: neural('⟦dense⟧'), message: /dense needs 'units'/ },
  { code: 'too-many-arguments', text: neural('relu(⟦3⟧)'), message: /relu takes no arguments/ },
  { code: 'positional-after-named', text: neural('dense(units: 3, ⟦relu⟧)'), message: /Positional arguments must come before named ones/ },
  { code: 'argument-type', text: neural('dense(⟦"ten"⟧)'), message: /'units' of dense must be a whole number, not the string "ten"/ },
  { code: 'value-out-of-range', text: neural('dropout(⟦1.5⟧)'), message: /'rate' of dropout must be in \[0, 1\); found 1.5/ },
  { code: 'invalid-expression', text: neural('dense(⟦"a" * 2⟧)'), message: /'\*' needs numbers on both sides/ },
  { code: 'mixed-model', text: DATA + 'model M {\n  data: D\n  ⟦dense⟧(3)\n  svm\n}', message: /svm is a classical estimator, so this model cannot also hold neural layers/, files },
  { code: 'multiple-estimators', text: DATA + 'model M {\n  data: D\n  svm\n  ⟦decision_tree⟧\n}', message: /exactly one estimator; move decision_tree/, files },
  { code: 'empty-model', text: 'model ⟦M⟧ {\n  input: [4]\n}', message: /Model M has no layers and no estimator/ },
  { code: 'missing-input', text: 'model ⟦M⟧ {\n  dense(3)\n}', message: /neither `data: SomeDataset` nor `input: \[...\]`/ },
  { code: 'block-cycle', text: 'block A { B }\nblock B { ⟦A⟧ }\n' + neural('A'), message: /cycle \(A → B → A\)/ },
  { code: 'misplaced-item', text: 'block B {\n  ⟦epochs: 3⟧\n}\n' + neural('B'), message: /cannot appear inside a block/ },
  { code: 'rank-mismatch', text: neural('⟦conv2d(8, kernel: 3)⟧', 'input: [10]'), message: /conv2d/ },
  { code: 'kernel-too-large', text: neural('conv2d(8, ⟦kernel: 5⟧)', 'input: [4, 4, 1]'), message: /padding: same|smaller kernel/ },
  { code: 'groups-mismatch', text: neural('conv2d(8, kernel: 1, ⟦groups: 3⟧)', 'input: [4, 4, 4]'), message: /groups/ },
  { code: 'dense-on-spatial', text: neural('⟦dense(3)⟧', 'input: [4, 4, 3]'), message: /insert `flatten` before it/ },
  { code: 'heads-not-dividing', text: neural('multihead_attention(⟦heads: 3⟧)', 'input: [8, 10]'), message: /heads/ },
  { code: 'sequence-too-long', text: neural('embedding(100, 8)\n  positional_embedding(⟦32⟧)', 'input: [40]'), message: /40/ },
  { code: 'index-out-of-range', text: neural('take_token(⟦-7⟧)', 'input: [6, 4]'), message: /take_token\(-7\) on a sequence of 6 positions: the index must lie in \[-6, 5\]/ },
  { code: 'residual-shape', text: neural('⟦residual⟧ { dense(5) }'), message: /turns \[4\] into \[5\].*residual\(projection: true\)/ },
  { code: 'concat-shape', text: neural('concat {\n    { conv2d(2, kernel: 1) }\n    ⟦{ conv2d(2, kernel: 3) }⟧\n  }', 'input: [6, 6, 1]'), message: /Path 2 of this concat gives \[4, 4, 2\] but path 1 gives \[6, 6, 2\]; the paths must agree on every axis but the last/ },
  { code: 'reshape-size', text: neural('reshape(⟦[3, 3]⟧)', 'input: [8]'), message: /reshape/ },
  { code: 'input-shape-mismatch', text: DATA + 'model M {\n  data: D\n  input: ⟦[5]⟧\n  dense(3, activation: softmax)\n}', message: /input \[5\] does not match D's samples of shape \[4\]/, files },
  { code: 'tied-without-embedding', text: neural('dense(3, ⟦tied: true⟧)'), message: /needs an embedding layer earlier/ },
  { code: 'tied-shape', text: neural('embedding(10, 4)\n  dense(7, ⟦tied: true⟧)', 'input: [6]'), message: /set units to 10/ },
  { code: 'output-classes', text: DATA + 'model M {\n  data: D\n  dense(⟦4⟧, activation: softmax)\n}', message: /ends with 4 outputs but D has 3 classes; set the last layer's units to 3/, files },
  { code: 'loss-activation', text: DATA + 'model M {\n  data: D\n  dense(3, ⟦activation: relu⟧)\n}', message: /sparse_categorical_crossentropy expects class probabilities from a softmax, but the model ends in relu; set activation: softmax/, files },
  {
    code: 'loss-labels',
    text: DATA + 'model M {\n  data: D\n  dense(1, activation: sigmoid)\n  train {\n    loss: ⟦binary_crossentropy⟧\n  }\n}',
    message: /binary_crossentropy fits two classes, but the data has 3/,
    files,
  },
  {
    code: 'softmax-binary-loss',
    text: DATA + 'model M {\n  data: D\n  dense(3, ⟦activation: softmax⟧)\n  train {\n    loss: binary_crossentropy\n  }\n}',
    message: /binary_crossentropy expects independent sigmoid outputs, but the model ends in softmax/,
    files,
  },
  { code: 'dataset-missing-file', text: 'dataset D {\n  source: ⟦"e.csv"⟧\n}', message: /Data file not found: e.csv .*Did you mean 'd.csv'\?/, files },
  { code: 'dataset-read', text: 'dataset D {\n  source: ⟦"d.csv"⟧\n}', message: /Row 3 has 3 values but the header has 2 columns/, files: { 'd.csv': 'a,label\n1,0\n1,2,3\n' } },
  { code: 'dataset-target', text: 'dataset D {\n  source: "d.csv"\n  target: ⟦"lable"⟧\n}', message: /Did you mean 'label'\?/, files },
  { code: 'dataset-empty', text: 'dataset D {\n  source: ⟦"d.csv"⟧\n}', message: /no data rows|empty/i, files: { 'd.csv': 'a,label\n' } },
  { code: 'dataset-shape', text: 'dataset D {\n  source: "d.csv"\n  shape: ⟦[3, 3]⟧\n}', message: /shape \[3, 3\] holds 9 values but each row of D has 4 features/, files },
  { code: 'dataset-values', text: 'dataset D {\n  source: ⟦"d.csv"⟧\n}', message: /^d\.csv:3:1: row 3, column 1 \(a\) is empty\. Training needs a number in every feature cell/, files: { 'd.csv': 'a,label\n1,0\n,1\n' } },
  { code: 'dataset-range', text: 'dataset D {\n  source: ⟦"d.csv"⟧\n}', message: /^d\.csv:3:2: row 3, column 2 \(b\) holds "1e300", beyond the ±3\.4e38 a 32-bit float holds/, files: { 'd.csv': 'a,b,label\n1,2,0\n3,1e300,1\n' } },
  { code: 'dataset-classes', text: 'dataset D {\n  source: ⟦"d.csv"⟧\n}', message: /^d\.csv: every row has the label "1" in the target column 'label' \(column 2\).*at least two classes/, files: { 'd.csv': 'a,label\n1,1\n2,1\n' } },
  {
    code: 'dataset-not-file',
    text: 'dataset D {\n  source: ⟦"d.csv"⟧\n}',
    message: /is a folder, not a file/,
    files: { 'd.csv': fail('dataset-not-file', '/work/project/d.csv is a folder, not a file. Set source to a CSV file inside it.') },
  },
  {
    code: 'dataset-outside-workspace',
    text: 'dataset D {\n  source: ⟦"d.csv"⟧\n}',
    message: /outside the workspace folders/,
    files: { 'd.csv': fail('dataset-outside-workspace', '/work/project/d.csv is outside the workspace folders.') },
  },
  { code: 'dataset-pending', text: 'dataset D {\n  source: ⟦"d.csv"⟧\n}', message: /^d\.csv: summary pending\. The file \(200 MiB\) is being read in the background/, files: { 'd.csv': { pending: true, bytes: 200 * 1024 * 1024, columns: ['a', 'label'] } } },
  { code: 'missing-source', text: 'dataset ⟦D⟧ {\n  target: "label"\n}', message: /dataset D needs a source/ },
  { code: 'estimator-argument', text: DATA + 'model M {\n  data: D\n  svm(kernel: linear, ⟦gamma: 0.1⟧)\n}', message: /gamma/, files },
  {
    code: 'compare-data',
    text: DATA + 'dataset E {\n  source: "d.csv"\n}\nmodel A {\n  data: D\n  svm\n}\nmodel B {\n  data: E\n  svm\n}\n⟦compare A, B⟧\n',
    message: /These models train on different data \(D, E\)/,
    files,
  },
  { code: 'size-overflow', text: neural('dense(⟦1e15⟧)'), message: /beyond any trainable size/ },
  { code: 'huge-model', text: 'model ⟦M⟧ {\n  input: [2_000_000]\n  dense(1_000_000)\n}', message: /2,000,001,000,000 parameters .* beyond any model trained so far/ },
  {
    code: 'overparameterized',
    text: DATA + 'model ⟦M⟧ {\n  data: D\n  dense(512, activation: relu)\n  dense(3, activation: softmax)\n}',
    message: /parameters for 24 training samples .* `compare`/,
    files,
  },
  {
    code: 'classical-image-input',
    text: 'dataset D {\n  source: "d.csv"\n  shape: [2, 2]\n}\nmodel M {\n  data: D\n  ⟦svm⟧\n}',
    message: /svm receives \[2, 2\]-shaped samples .* write `flatten` before it/,
    files,
  },
  // A line per unreadable character after a model: more problems than are listed.
  { code: 'too-many-problems', text: neural('dense(3, activation: softmax)') + '§\n'.repeat(1_005), message: /^5 more problems not shown: only 1,000 of 1,005 /, anyRange: true },
];

function extract(marked: string): { text: string; range: Range } {
  const lines = marked.split('\n');
  let start: Range['start'] | undefined;
  let end: Range['end'] | undefined;
  const clean = lines.map((line, i) => {
    const a = line.indexOf('⟦');
    if (a >= 0) {
      start = { line: i, character: a };
      line = line.slice(0, a) + line.slice(a + 1);
    }
    const b = line.indexOf('⟧');
    if (b >= 0) {
      end = { line: i, character: b };
      line = line.slice(0, b) + line.slice(b + 1);
    }
    return line;
  });
  if (!start || !end) throw new Error(`example without a marked range: ${marked}`);
  return { text: clean.join('\n'), range: { start, end } };
}

test('every code in the table has an example, and every example a known code', () => {
  const covered = new Set(EXAMPLES.map((e) => e.code));
  assert.deepEqual(Object.keys(CODES).filter((c) => !covered.has(c)), []);
  assert.deepEqual([...covered].filter((c) => !(c in CODES)), []);
});

for (const example of EXAMPLES) {
  test(`${example.code}: reported with its range and message`, () => {
    const { text, range } = example.anyRange ? { text: example.text, range: undefined } : extract(example.text);
    const analysis = run(text, example.files);
    const found = analysis.diagnostics.filter((d) => d.code === example.code);
    assert.ok(found.length > 0, `expected ${example.code}, got: ${analysis.diagnostics.map((d) => `${d.code} ${d.message}`).join(' | ') || 'nothing'}`);
    const match = range ? found.find((d) => JSON.stringify(d.range) === JSON.stringify(range)) : found[0];
    assert.ok(match, `${example.code} at ${JSON.stringify(range)}, got ranges ${found.map((d) => JSON.stringify(d.range)).join(', ')}`);
    assert.match(match.message, example.message);
    assert.equal(match.severity, CODES[example.code as keyof typeof CODES].severity);
  });
}
