// Expressions of any length: the parser builds `1+1+…+1` as a left-leaning chain as deep as
// it is long, and every walk over it (evaluation, semantic tokens, locating a position,
// folding) must get through 100,000 terms without running out of stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './memoryHost';
import { semanticTokens, TOKEN_TYPES } from '../../../server/src/lsp/semanticTokens';
import { locate } from '../../../server/src/lsp/locate';
import { foldingRanges } from '../../../server/src/lsp/folding';
import { formatText } from '../../../server/src/lsp/formatting';

const TERMS = 100_000;
const chain = (term: string, op: string, n = TERMS) => Array.from({ length: n }, () => term).join(op);
const spec = (expr: string) => `model M {\n  input: [4]\n  dense(${expr})\n  dense(2, activation: softmax)\n}\n`;

function unitsOfFirstDense(text: string): string {
  const a = run(text);
  assert.deepEqual(a.diagnostics.map((d) => `${d.code}: ${d.message}`), []);
  return String(a.models[0].rows[0].output);
}

test('a sum of 100,000 terms evaluates', () => {
  assert.equal(unitsOfFirstDense(spec(chain('1', '+'))), String(TERMS));
});

test('long chains of -, * and /, mixed precedence and signs evaluate as before', () => {
  assert.equal(unitsOfFirstDense(spec(`${TERMS + 7}-${chain('1', '-')}`)), '7');
  assert.equal(unitsOfFirstDense(spec(`7*${chain('1', '*')}`)), '7');
  assert.equal(unitsOfFirstDense(spec(`7/${chain('1', '/')}`)), '7');
  // 1 + 2*1 + 2*1 + … : products inside a sum, each a chain of its own.
  assert.equal(unitsOfFirstDense(spec(`1+${chain('2*1*1', '+', TERMS / 2)}`)), String(1 + TERMS));
  assert.equal(unitsOfFirstDense(spec(`${TERMS}+${chain('-1', '+', TERMS - 3)}`)), '3');
  assert.equal(unitsOfFirstDense(spec(`(${chain('1', '+', 1000)})*(${chain('1', '+', 3)})-${chain('(1+1)', '-', 1000)}`)), '1000');
});

test('a problem deep in a long chain is reported once, where it is', () => {
  const a = run(spec(`${chain('1', '+')}+relu+${chain('1', '+', 10)}`));
  const problems = a.diagnostics.filter((d) => d.code === 'invalid-expression');
  assert.equal(problems.length, 1);
  assert.match(problems[0].message, /'\+' needs numbers on both sides, not `relu`/);
  const zero = run(spec(`${chain('1', '+')}+1/0`)).diagnostics.filter((d) => d.code === 'invalid-expression');
  assert.deepEqual(zero.map((d) => d.message), ['Division by zero.']);
  assert.deepEqual(zero[0].range.start, { line: 2, character: 8 + 2 * TERMS });
});

test('semantic tokens, locating a position, folding and formatting walk a long chain', () => {
  const text = spec(chain('1', '+'));
  const a = run(text);
  const data = semanticTokens(a).data;
  let numbers = 0;
  for (let i = 3; i < data.length; i += 5) if (TOKEN_TYPES[data[i]] === 'number') numbers++;
  assert.equal(numbers, TERMS + 2, 'every term, the 4 of the input shape and the 2 of dense(2, …)');
  const middle = locate(a.source, { line: 2, character: 8 + TERMS });
  assert.equal(middle?.kind, 'value');
  const last = locate(a.source, { line: 2, character: 8 + 2 * TERMS - 2 });
  assert.equal(last?.kind, 'value');
  assert.ok(foldingRanges(a, (l) => text.split('\n')[l] ?? '').length > 0);
  assert.ok(formatText(text, a)?.includes(`dense(${chain('1', ' + ')})\n`), 'formatted, a space each side of every +');
});
