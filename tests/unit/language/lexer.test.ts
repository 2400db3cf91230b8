import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex, numberValue } from '../../../server/src/language/lexer';

const kinds = (text: string) => lex(text).tokens.map((t) => t.kind);

test('numbers: integers, fractions, exponents, separators', () => {
  const r = lex('42 0.5 1e-3 3_000_000 .25 2E+2');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.tokens.filter((t) => t.kind === 'number').map((t) => numberValue(t.text)),
    [42, 0.5, 0.001, 3_000_000, 0.25, 200],
  );
});

test('a number glued to letters is one invalid-number error', () => {
  const r = lex('kernel: 3x3');
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].code, 'invalid-number');
  assert.deepEqual(r.errors[0].range, { start: { line: 0, character: 8 }, end: { line: 0, character: 11 } });
});

test('comments are kept aside and do not produce tokens', () => {
  const r = lex('a // line\n/* block\nstill */ b');
  assert.deepEqual(kinds('a // x\nb'), ['ident', 'newline', 'ident', 'eof']);
  assert.equal(r.comments.length, 2);
  assert.equal(r.comments[1].block, true);
  const b = r.tokens.find((t) => t.text === 'b')!;
  assert.deepEqual(b.range.start, { line: 2, character: 9 });
});

test('unterminated string and comment are reported with their start', () => {
  const s = lex('source: "data.csv\nnext');
  assert.equal(s.errors[0].code, 'unterminated-string');
  assert.equal(s.errors[0].range.start.character, 8);
  assert.ok(s.tokens.some((t) => t.text === 'next'), 'lexing continues on the next line');
  const c = lex('a /* never closed');
  assert.equal(c.errors[0].code, 'unterminated-comment');
});

test('positions are UTF-16 code units, as LSP wants', () => {
  const r = lex('"😀é" x');
  const x = r.tokens.find((t) => t.text === 'x')!;
  // The emoji is two UTF-16 units, é one, plus two quotes and a space.
  assert.equal(x.range.start.character, 6);
});

test('a run of unexpected characters is one error', () => {
  const r = lex('dense(3) §§§ relu');
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].code, 'unexpected-character');
  assert.ok(r.tokens.some((t) => t.text === 'relu'));
});

test('CRLF line endings give the same positions as LF', () => {
  const a = lex('a\r\nb').tokens.find((t) => t.text === 'b')!;
  assert.deepEqual(a.range.start, { line: 1, character: 0 });
});
