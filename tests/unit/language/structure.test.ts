// The structure statements added for branching architectures: concat with its paths,
// if/else decided at analysis time, and the comparison and logic operators conditions use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../server/src/language/parser';
import { lex } from '../../../server/src/language/lexer';
import type { BinaryExpr, ConcatStmt, Expr, IfStmt, ModelDecl } from '../../../server/src/language/ast';

const model = (text: string) => parse(text).declarations.find((d) => d.kind === 'model') as ModelDecl;

/** An expression as fully parenthesised text, so precedence is visible. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'unary':
      return `(${e.op} ${show(e.operand)})`;
    case 'number':
      return e.raw;
    case 'name':
      return e.name;
    case 'bool':
      return String(e.value);
    default:
      return e.kind;
  }
}

const condition = (text: string) => {
  const r = parse(`model M {\n  if ${text} { relu }\n}`);
  assert.deepEqual(r.errors, [], text);
  return show(((r.declarations[0] as ModelDecl).body[0] as IfStmt).condition);
};

test('comparison operators are single tokens; a lone ! is not a character of the language', () => {
  assert.deepEqual(lex('a == b != c <= d >= e < f > g').tokens.map((t) => t.kind).filter((k) => k !== 'ident' && k !== 'eof'), ['==', '!=', '<=', '>=', '<', '>']);
  const bang = lex('a ! b');
  assert.equal(bang.errors[0]?.code, 'unexpected-character');
});

test('precedence: arithmetic over comparisons over not over and over or, all left-associative', () => {
  assert.equal(condition('a + 1 * 2 == b'), '((a + (1 * 2)) == b)');
  assert.equal(condition('stride == 1 and in_channels == out'), '((stride == 1) and (in_channels == out))');
  assert.equal(condition('a or b and c'), '(a or (b and c))');
  assert.equal(condition('not a == 1 and b'), '((not (a == 1)) and b)');
  assert.equal(condition('a and not b or c'), '((a and (not b)) or c)');
  assert.equal(condition('t != 1'), '(t != 1)');
  assert.equal(condition('-x < 2'), '((- x) < 2)');
  assert.equal(condition('1 < 2 < 3'), '((1 < 2) < 3)');
});

test('concat: one braced path per line or several on one line; an empty path stands for the input', () => {
  const r = parse('model M {\n  concat {\n    { conv2d(4, kernel: 1) relu }\n    {\n      conv2d(4, kernel: 1)\n      conv2d(8, kernel: 3)\n    }\n    { } { maxpool2d(3) }\n  }\n  dense(2)\n}');
  assert.deepEqual(r.errors, []);
  const m = r.declarations[0] as ModelDecl;
  const c = m.body[0] as ConcatStmt;
  assert.equal(c.kind, 'concat');
  assert.deepEqual(c.paths.map((p) => p.body.length), [2, 2, 0, 1]);
  assert.deepEqual(c.range, { start: { line: 1, character: 2 }, end: { line: 8, character: 3 } });
  assert.deepEqual(c.paths[1].range, { start: { line: 3, character: 4 }, end: { line: 6, character: 5 } });
  assert.equal(m.body[1].kind, 'layer');
});

test('concat: bad input inside is reported with a location and the rest still read', () => {
  const r = parse('model M {\n  concat {\n    dense(3)\n    { relu }\n  }\n  dense(2)\n}');
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0].message, /Expected a path in braces, `\{ layers \}` \(`\{ \}` passes the input through\), found 'dense'/);
  assert.equal(r.errors[0].range.start.line, 2);
  const m = r.declarations[0] as ModelDecl;
  assert.deepEqual((m.body[0] as ConcatStmt).paths.map((p) => p.body.length), [1]);
  assert.equal(m.body[1].kind, 'layer');
  const noBrace = parse('model M {\n  concat dense(2)\n  relu\n}');
  assert.match(noBrace.errors[0].message, /Expected '\{' after `concat`/);
  const settings = parse('model M {\n  concat {\n    { input: [3] }\n  }\n}');
  assert.match(settings.errors[0].message, /A concat path body holds layers only/);
  const unclosed = parse('model M {\n  concat {\n    { relu }\nmodel N {\n  dense(2)\n}');
  assert.ok(unclosed.errors.some((e) => e.code === 'unclosed-brace'));
  assert.ok(unclosed.declarations.some((d) => d.kind === 'model' && d.name.name === 'N'), 'the next model is still read');
});

test('if, else and else if', () => {
  const m = model('model M {\n  if a { relu } else if b { tanh } else { sigmoid }\n  if c {\n    dense(2)\n  }\n  else { dense(3) }\n}');
  const first = m.body[0] as IfStmt;
  assert.equal(first.kind, 'if');
  assert.equal(show(first.condition), 'a');
  assert.equal(first.body.length, 1);
  const nested = first.elseBody![0] as IfStmt;
  assert.equal(nested.kind, 'if');
  assert.equal(nested.elseBody?.length, 1);
  assert.deepEqual(first.range.end, nested.range.end);
  assert.equal(m.body.length, 2, 'an else on the line after the } belongs to the if');
  assert.equal((m.body[1] as IfStmt).elseBody?.length, 1);
  const r = parse('model M {\n  relu\n  else { dense(3) }\n}');
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0].message, /`else` must follow the `\}` of an `if`/);
  const missing = parse('model M {\n  if { relu }\n}');
  assert.match(missing.errors[0].message, /Expected a condition after `if`/);
});

test('a long chain of and/or parses without deep recursion', () => {
  const text = Array.from({ length: 20_000 }, (_, i) => `x == ${i}`).join(' or ');
  const e = ((parse(`model M {\n  if ${text} { relu }\n}`).declarations[0] as ModelDecl).body[0] as IfStmt).condition as BinaryExpr;
  assert.equal(e.op, 'or');
});

test('an index is glued to its name: in_shape[0]; with a space, [0] is not an index', () => {
  const m = model('model M {\n  reshape([in_shape[0], in_shape[-1] * 2])\n}');
  const list = (m.body[0] as { args?: { value: Expr }[] }).args![0].value;
  assert.equal(list.kind, 'list');
  if (list.kind === 'list') {
    assert.equal(list.items[0].kind, 'index');
    assert.equal(show((list.items[1] as BinaryExpr).left), 'index');
  }
  assert.ok(parse('model M {\n  dense(in_shape [0])\n}').errors.length > 0, 'a spaced [ is a separate list');
  assert.match(parse('model M {\n  dense(in_shape[0, 1])\n}').errors[0].message, /An index is one number/);
});
