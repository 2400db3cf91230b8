import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../../server/src/data/csv';

test('plain fields, header and rows', () => {
  const t = parseCsv('a,b,c\n1,2,3\n4,5,6\n');
  assert.deepEqual(t.header, ['a', 'b', 'c']);
  assert.deepEqual(t.rows, [['1', '2', '3'], ['4', '5', '6']]);
  assert.deepEqual(t.lines, [2, 3]);
  assert.deepEqual(t.errors, []);
});

test('quoted fields keep commas, doubled quotes and line breaks', () => {
  const t = parseCsv('name,note\n"Smith, J","said ""hi"""\n"multi\nline",x\n"",""\n');
  assert.deepEqual(t.rows, [
    ['Smith, J', 'said "hi"'],
    ['multi\nline', 'x'],
    ['', ''],
  ]);
  assert.deepEqual(t.lines, [2, 3, 5]);
  assert.deepEqual(t.errors, []);
});

test('CRLF, lone CR, missing final newline and a byte-order mark', () => {
  const t = parseCsv('\uFEFFa,b\r\n1,"2\r\n3"\r\n4,5\r6,7');
  assert.deepEqual(t.header, ['a', 'b']);
  assert.deepEqual(t.rows, [['1', '2\r\n3'], ['4', '5'], ['6', '7']]);
  assert.deepEqual(t.lines, [2, 4, 5]);
  assert.deepEqual(t.errors, []);
});

test('empty fields, including a trailing one, are kept', () => {
  const t = parseCsv('a,b,c\n,2,\n');
  assert.deepEqual(t.rows, [['', '2', '']]);
});

test('blank and whitespace-only lines are skipped but still counted for line numbers', () => {
  const t = parseCsv('\na,b\n\n1,2\n   \n3,4\n\n\n');
  assert.deepEqual(t.header, ['a', 'b']);
  assert.deepEqual(t.rows, [['1', '2'], ['3', '4']]);
  assert.deepEqual(t.lines, [4, 6]);
  assert.deepEqual(t.errors, []);
});

test('a row with too few fields names its line and the first missing column', () => {
  const t = parseCsv('a,b,c\n1,2,3\n4,5\n7,8,9\n');
  assert.deepEqual(t.rows, [['1', '2', '3'], ['7', '8', '9']]);
  assert.deepEqual(t.lines, [2, 4]);
  assert.equal(t.errors.length, 1);
  const e = t.errors[0];
  assert.equal(e.row, 3);
  assert.equal(e.column, 3);
  assert.equal(e.columnName, 'c');
  assert.match(e.message, /Row 3 has 2 values but the header has 3 columns/);
  assert.match(e.message, /column 3 \(c\)/);
});

test('a row with too many fields points at the first extra column', () => {
  const t = parseCsv('a,b\n1,2\n3,4,5,6\n');
  assert.equal(t.errors.length, 1);
  assert.equal(t.errors[0].row, 3);
  assert.equal(t.errors[0].column, 3);
  assert.equal(t.errors[0].columnName, undefined);
  assert.match(t.errors[0].message, /Row 3 has 4 values but the header has 2 columns; column 3 and after are extra/);
});

test('ragged rows after a multi-line quoted field report the line the record starts on', () => {
  const t = parseCsv('a,b\n"x\ny",1\n2\n');
  assert.equal(t.errors[0].row, 4);
});

test('an unterminated quote is reported at its row and field, and the rest is not read as rows', () => {
  const t = parseCsv('a,b,c\n1,2,3\n4,"5,6\n7,8,9\n');
  assert.deepEqual(t.rows, [['1', '2', '3']]);
  assert.equal(t.errors.length, 1);
  assert.equal(t.errors[0].row, 3);
  assert.equal(t.errors[0].column, 2);
  assert.equal(t.errors[0].columnName, 'b');
  assert.match(t.errors[0].message, /closing quote/);
});

test('text after a closing quote is kept and reported', () => {
  const t = parseCsv('a,b\n"ab"c,1\n');
  assert.deepEqual(t.rows, [['abc', '1']]);
  assert.equal(t.errors.length, 1);
  assert.equal(t.errors[0].row, 2);
  assert.equal(t.errors[0].column, 1);
  assert.match(t.errors[0].message, /after a closing quote/);
});

test('a quote inside an unquoted field is literal', () => {
  const t = parseCsv('h,w\n5\'6",x\n');
  assert.deepEqual(t.rows, [['5\'6"', 'x']]);
  assert.deepEqual(t.errors, []);
});

test('empty input has no header and no rows', () => {
  for (const text of ['', '\uFEFF', '\n\n']) {
    const t = parseCsv(text);
    assert.deepEqual(t.header, []);
    assert.deepEqual(t.rows, []);
    assert.deepEqual(t.errors, []);
  }
});

test('10^5 rows parse completely', () => {
  const lines = ['a,b,c,d,label'];
  for (let i = 0; i < 100_000; i++) lines.push(`${i},${i * 0.5},"q,${i}",${i % 7},${i % 3}`);
  const text = lines.join('\r\n');
  const t = parseCsv(text);
  assert.equal(t.rows.length, 100_000);
  assert.deepEqual(t.rows[99_999], ['99999', '49999.5', 'q,99999', `${99_999 % 7}`, '0']);
  assert.equal(t.lines[99_999], 100_001);
});
