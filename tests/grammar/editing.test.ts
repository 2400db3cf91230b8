// The editor files next to the grammar: every snippet in syntaxes/snippets.json expands
// (with each of its choices) into text the checker accepts, and the language
// configuration's patterns do what the editor relies on them for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';

const ROOT = resolve(__dirname, '../..');
const read = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

interface Snippet {
  readonly prefix: string | string[];
  readonly body: string | string[];
  readonly description: string;
}
const SNIPPETS = read('syntaxes/snippets.json') as Record<string, Snippet>;

/** One placeholder value per tab stop: its default, or the chosen option of its choice. */
type Picks = ReadonlyMap<number, number>;

/** The choices of each tab stop, unescaped (`\,` separates nothing). */
function choicesOf(body: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const m of body.matchAll(/\$\{(\d+)\|((?:[^|\\]|\\.)*)\|\}/g)) {
    out.set(Number(m[1]), m[2].split(/(?<!\\),/).map((c) => c.replace(/\\(.)/g, '$1')));
  }
  return out;
}

/** Expands a snippet body as VS Code would if the user accepted every default (or the picked choice). */
function expand(body: string, picks: Picks = new Map()): string {
  return body
    .replace(/\$\{(\d+)\|((?:[^|\\]|\\.)*)\|\}/g, (_, n: string, list: string) => {
      const options = list.split(/(?<!\\),/).map((c) => c.replace(/\\(.)/g, '$1'));
      return options[picks.get(Number(n)) ?? 0];
    })
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '')
    .replace(/\t/g, '  ');
}

const bodyText = (s: Snippet) => (Array.isArray(s.body) ? s.body.join('\n') : s.body);

/**
 * Snippets that are not whole declarations are dropped into a model; the names a
 * snippet refers to by default (Dataset, ModelA, ModelB) are declared around it.
 */
function inContext(text: string): string {
  const trimmed = text.trimStart();
  const context = [
    'dataset Dataset {\n  source: synthetic(kind: spirals, samples: 300, classes: 10)\n}',
    'model ModelA {\n  data: Dataset\n  dense(10, activation: softmax)\n}',
    'model ModelB {\n  data: Dataset\n  logistic_regression\n}',
  ];
  if (/^(dataset|model|block|compare)\b/.test(trimmed)) {
    const uses = /^block\s+(\w+)/.exec(trimmed);
    // A block nobody uses is reported as unused: use it, as a user would.
    const use = uses ? `\nmodel UsesBlock {\n  input: [8, 8, 1]\n  ${uses[1]}(4)\n  flatten\n  dense(10, activation: softmax)\n}` : '';
    return [...context, text + use].join('\n\n');
  }
  return [...context, `model Host {\n  data: Dataset\n  ${text.replace(/\n/g, '\n  ')}\n  dense(10, activation: softmax)\n}`].join('\n\n');
}

test('every snippet has a prefix, a description and a body', () => {
  assert.ok(Object.keys(SNIPPETS).length >= 9);
  for (const [name, s] of Object.entries(SNIPPETS)) {
    const prefixes = Array.isArray(s.prefix) ? s.prefix : [s.prefix];
    assert.ok(prefixes.length > 0 && prefixes.every((p) => /^[a-z][a-z-]*$/.test(p)), `${name}: prefixes ${prefixes.join(', ')} should be single lowercase words`);
    assert.ok(s.description.length > 10, `${name}: describe it`);
    assert.ok(bodyText(s).length > 0);
  }
});

/** Codes about how a model fits its data, not about the text itself. */
const CONTEXT_FIT = new Set(['loss-labels', 'output-classes', 'input-shape-mismatch']);

test('every snippet, with each of its choices, expands into text without errors', () => {
  let checked = 0;
  for (const [name, s] of Object.entries(SNIPPETS)) {
    const body = bodyText(s);
    const variants: Picks[] = [new Map()];
    for (const [stop, options] of choicesOf(body)) for (let i = 1; i < options.length; i++) variants.push(new Map([[stop, i]]));
    for (const picks of variants) {
      const text = inContext(expand(body, picks));
      const analysis = analyze(text, { file: join(ROOT, 'samples', 'snippet.model') });
      // The CSV snippet names a file that does not exist here; that is the one expected
      // complaint. An alternative choice (binary_crossentropy, say) is meant for other data
      // than the defaults' context, so for those only the text's own errors count.
      const errors = analysis.diagnostics.filter(
        (d) => d.severity === 'error' && d.code !== 'dataset-missing-file' && (picks.size === 0 || !CONTEXT_FIT.has(d.code)),
      );
      assert.deepEqual(
        errors.map((d) => `${d.code}: ${d.message}`),
        [],
        `snippet "${name}" with choices ${JSON.stringify([...picks])} expands to:\n${text}`,
      );
      checked++;
    }
  }
  assert.ok(checked > Object.keys(SNIPPETS).length, 'the choices were not expanded');
});

test('the language configuration: comments, brackets, indentation, words', () => {
  const config = read('syntaxes/language-configuration.json');
  assert.deepEqual(config.comments, { lineComment: '//', blockComment: ['/*', '*/'] });
  const pairs = (config.brackets as [string, string][]).map(([a, b]) => a + b).sort();
  assert.deepEqual(pairs, ['()', '[]', '{}']);
  const closing = (config.autoClosingPairs as { open: string; close: string }[]).map((p) => p.open);
  for (const open of ['{', '[', '(', '"']) assert.ok(closing.includes(open), `${open} does not auto-close`);

  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  for (const line of ['model M {', 'dataset D { // comment', '  dense(64,', '  input: [8,', '  residual(projection: true) {']) assert.match(line, increase);
  for (const line of ['  dense(64)', '  input: [8, 8, 1]', '// model M {', '  source: "a{b"', '  train { epochs: 3 }']) assert.doesNotMatch(line, increase);
  for (const line of ['}', '  }', '  )', ']']) assert.match(line, decrease);
  assert.doesNotMatch('  dense(3)', decrease);

  // A word is what the lexer reads as one token, so double-click and completion ranges agree with it.
  const word = new RegExp(`^(?:${config.wordPattern})$`);
  for (const w of ['conv2d', 'learning_rate', '_x', '42', '1e-3', '2E+2', '.25', '3_000_000', '1.5e10', '3x3']) assert.match(w, word);
  for (const w of ['-1', 'a.b', 'x-y', '"s"']) assert.doesNotMatch(w, word);

  const start = new RegExp(config.folding.markers.start);
  const end = new RegExp(config.folding.markers.end);
  assert.match('  // #region layers', start);
  assert.match('// #endregion', end);
  assert.doesNotMatch('// #endregion', start);
});
