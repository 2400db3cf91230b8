// The incremental parse at the seams where it is easiest to get wrong: what it keeps, what
// it moves, and where it must read on past the edit. Random edits are in
// tests/unit/analysis/incremental.test.ts; these name the cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelDecl } from '../../../server/src/language/ast';
import { parseText, type ParsedText } from '../../../server/src/language/parser';
import { reparse } from '../../../server/src/language/reparse';

const MODELS = ['model A {\n  input: [4]\n  dense(3)\n}', 'model B {\n  input: [4]\n  dense(5)\n}', 'model C {\n  input: [4]\n  dense(7)\n}'];
const TEXT = `// three models\n${MODELS.join('\n\n')}\n`;

/** The incremental parse of `after` from `before` (a text, or a parse to continue from), checked against a full one. */
function check(before: string | ParsedText, after: string) {
  const incremental = reparse(typeof before === 'string' ? parseText(before, true) : before, after);
  assert.deepEqual(incremental.source, parseText(after, true).source);
  return incremental;
}

test('an edit inside one declaration keeps the others, moving the later ones to their new lines', () => {
  const old = parseText(TEXT, true);
  const [a, b, c] = old.source.declarations as ModelDecl[];
  const after = TEXT.replace('dense(5)', 'dense(5)\n  relu');
  const next = check(old, after);
  const [a2, b2, c2] = next.source.declarations as ModelDecl[];
  assert.equal(a2, a, 'before the edit: the same object');
  assert.notEqual(b2, b, 'the edited declaration is read again');
  assert.equal(c2, c, 'after the edit: the same object');
  assert.equal(c2.range.start.line, 12, 'moved down by the inserted line');
});

test('an edit in the leading comment keeps every declaration', () => {
  const old = parseText(TEXT, true);
  const decls = [...old.source.declarations];
  const next = check(old, TEXT.replace('// three models', '// three small\n// models'));
  assert.deepEqual(
    next.source.declarations.map((d, i) => d === decls[i]),
    [true, true, true],
  );
});

test('removing a closing brace reads on into the next declaration, and putting it back splits them again', () => {
  const open = TEXT.replace('dense(3)\n}', 'dense(3)\n');
  const unclosed = check(TEXT, open);
  assert.equal(unclosed.source.errors[0]?.code, 'unclosed-brace');
  check(open, TEXT);
});

test('an opened block comment swallows everything after it, and closing it brings the declarations back', () => {
  const commented = TEXT.replace('model B', '/* model B');
  assert.equal(check(TEXT, commented).source.declarations.length, 1);
  const closed = commented.replace('dense(5)\n}', 'dense(5)\n} */');
  assert.equal(check(commented, closed).source.declarations.length, 2);
});

test('a declaration keyword typed at the start of a line splits a declaration in two', () => {
  const split = TEXT.replace('  dense(5)', 'model D {\n  dense(5)');
  assert.deepEqual(
    check(TEXT, split).source.declarations.map((d) => (d.kind === 'model' ? d.name.name : d.kind)),
    ['A', 'B', 'D', 'C'],
  );
});
