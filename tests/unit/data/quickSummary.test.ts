// The checker's quick CSV summary must agree with the full reader on every text it
// accepts, and must accept the clean numeric files it exists for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { quickSummary, summarizeFully, summarizeTable } from '../../../server/src/data/table';
import { mulberry32, type Random } from '../../../server/src/util/random';

const samples = join(__dirname, '..', '..', '..', 'samples', 'data');

test('iris.csv and digits.csv take the quick path and match the full reader', () => {
  for (const [name, target] of [['iris.csv', 'label'], ['digits.csv', 'label'], ['digits.csv', undefined]] as const) {
    const text = readFileSync(join(samples, name), 'utf8');
    const quick = quickSummary(text, { file: name, target });
    assert.ok(quick, `${name} should be summarised without the full reader`);
    assert.deepEqual(quick, summarizeFully(text, { file: name, target }));
  }
});

test('the quick path takes plain decimal forms that Number() reads as numbers a 32-bit float holds, and declines anything that could be missing, non-numeric, infinite or beyond float32', () => {
  const summarise = (cell: string) => {
    const text = `x,y,label\n${cell},0,a\n1,${cell},b\n`;
    return { quick: quickSummary(text, { file: 'f.csv' }), full: summarizeFully(text, { file: 'f.csv' }) };
  };
  for (const cell of ['0', '-7', '+7', '-.5', '5.', '5.e3', '1E-3', '+7e+05', '-1e17', '-1e-99', '00012', '99999999999999999999e17', `0.${'9'.repeat(400)}`]) {
    const { quick, full } = summarise(cell);
    assert.ok(quick, `${cell} should take the quick path`);
    assert.deepEqual(quick, full, cell);
  }
  for (const cell of ['', 'NA', 'nUlL', ' 1', '1 ', '1e999', '1e100', '-1e99', '1e18', '99999999999999999999e99', '9'.repeat(400), '0'.repeat(30) + '1', '0x1F', 'Infinity', '.', '1e']) {
    assert.equal(summarise(cell).quick, undefined, `${JSON.stringify(cell)} should go to the full reader`);
  }
  // The ones that matter most: an overflowing number is out of range, a marker is missing.
  const overflow = summarizeTable(`x,label\n${'9'.repeat(400)},a\n`, { file: 'f.csv' });
  assert.ok(!('error' in overflow) && overflow.outOfRangeCount === 1 && overflow.nonNumericCount === 0);
  const beyondFloat32 = summarizeTable('x,label\n4e38,a\n3.4e38,b\n', { file: 'f.csv' });
  assert.ok(!('error' in beyondFloat32) && beyondFloat32.outOfRangeCount === 1 && beyondFloat32.outOfRange[0].value === '4e38');
  const marker = summarizeTable('x,label\nnUlL,a\n', { file: 'f.csv' });
  assert.ok(!('error' in marker) && marker.missingCount === 1);
});

test('a quote anywhere sends the text to the full reader, which unquotes names and labels', () => {
  for (const text of ['x,"label"\n1,a\n', 'x,label\n1,"a"\n', 'x,label\n1,"a\nb"\n', '"x,y",label\n1,a\n']) {
    assert.equal(quickSummary(text, { file: 'f.csv' }), undefined, JSON.stringify(text));
    assert.deepEqual(summarizeTable(text, { file: 'f.csv' }), summarizeFully(text, { file: 'f.csv' }));
  }
  const unquoted = summarizeTable('x,"label"\n1,"a"\n', { file: 'f.csv' });
  assert.ok(!('error' in unquoted));
  assert.deepEqual([unquoted.targetColumn, unquoted.labels], ['label', ['a']]);
});

const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** A plain numeric cell, or (with probability `odd`) one of the forms the full reader treats specially. */
const ODD_CELLS = [
  ...['', ' ', 'NA', 'na', 'nA', ' NA ', 'n/a', 'N/A', 'NaN', 'NAN', 'nan', 'null', 'NULL', 'Null', '?', ' ? '],
  ...[' 1.5', '2 ', '\t3', '1e999', '-1e999', '1e', '1e+', 'e5', '.e5', '.', '-', '+', '--1', '+-1', '0x1F', '0b101', '0o7', '1_000', 'Infinity', '-Infinity', 'abc', '\u0661', '\uff10'],
  ...['"3"', '"a,b"', '1,5', '1.5e+07', '-.5', '+.5e-7', '5.', '5.e3', '00012', '1E-3', '-0', '1e100', '1e308', '1e-400', '5e20', '1e37', '-3e38', '4e38'],
  ...['123456789012345678901', '12345678901234567890e99', '99999999999999999999e99', '9'.repeat(400), '0'.repeat(30) + '1', `0.${'9'.repeat(400)}`],
];

function cell(r: Random, odd: number): string {
  if (r() < odd) return pick(r, ODD_CELLS);
  const sign = pick(r, ['', '', '-', '+']);
  const int = String(Math.floor(r() * 1000));
  const frac = r() < 0.5 ? '' : `.${Math.floor(r() * 1000)}`;
  // Exponents up to 17, the quick path's domain; larger ones are among ODD_CELLS.
  const exp = r() < 0.8 ? '' : `${pick(r, ['e', 'E'])}${pick(r, ['', '+', '-'])}${Math.floor(r() * 18)}`;
  return sign + int + frac + exp;
}

function label(r: Random, odd: number): string {
  if (r() < odd) return pick(r, ['', 'NA', 'nan', 'NULL', 'n/A', ' ?', 'None', ' setosa ', '\tsetosa', '1.0', ' 1 ', '01', '1e0', '+1', '0x1', 'b,c', '"x"']);
  return pick(r, [['0', '1', '2'], ['1', '1.0', '2'], ['setosa', 'versicolor', 'virginica'], ['-1', '1']][Math.floor(r() * 4)]);
}

/** `odd` is the chance of each irregularity; `single`, one feature cell replaced by an odd form in an otherwise clean text. */
function generate(r: Random, odd: number, single = false): { text: string; target: string | undefined } {
  const width = 1 + Math.floor(r() * 5);
  const names = Array.from({ length: width }, (_, c) => pick(r, [`f${c}`, ` f${c} `, 'label', `x${c}`]));
  const targetAt = Math.floor(r() * width);
  names[targetAt] = r() < 0.9 ? 'label' : names[targetAt];
  const eol = r() < odd ? pick(r, ['\r\n', '\r', '\n\n']) : r() < 0.8 ? '\n' : '\r\n';
  const rows: string[] = [names.join(',')];
  const count = Math.floor(r() * 12);
  for (let k = 0; k < count; k++) {
    let cells = names.map((_, c) => (c === targetAt ? label(r, odd) : cell(r, odd)));
    if (r() < odd / 2) cells = cells.slice(0, Math.max(0, cells.length - 1));
    if (r() < odd / 2) cells.push(cell(r, 0));
    rows.push(r() < odd / 4 ? '   ' : cells.join(','));
  }
  if (single && count > 0 && width > 1) {
    const row = 1 + Math.floor(r() * count);
    const cells = rows[row].split(',');
    const column = (targetAt + 1 + Math.floor(r() * (width - 1))) % width;
    cells[column] = ODD_CELLS[Math.floor(r() * ODD_CELLS.length)];
    rows[row] = cells.join(',');
  }
  const bom = r() < 0.1 ? '\uFEFF' : '';
  const end = r() < 0.7 ? eol : '';
  return { text: bom + rows.join(eol) + end, target: r() < 0.8 ? pick(r, ['label', 'label', 'f0', 'missing']) : undefined };
}

test('on thousands of generated CSVs (clean, noisy, one odd cell) the quick summary is either declined or identical to the full reader', () => {
  const r = mulberry32(20261128);
  let quick = 0;
  let clean = 0;
  for (let k = 0; k < 4000; k++) {
    const { text, target } = generate(r, k % 3 === 1 ? 0.15 : 0, k % 3 === 2);
    const opts = { file: 'gen.csv', target };
    const full = summarizeFully(text, opts);
    const fast = quickSummary(text, opts);
    if (fast) {
      quick++;
      assert.deepEqual(fast, full, JSON.stringify(text));
    }
    assert.deepEqual(summarizeTable(text, opts), full, JSON.stringify(text));
    if (!('error' in full) && full.missingCount === 0 && full.nonNumericCount === 0 && full.outOfRangeCount === 0) clean++;
  }
  // Most clean texts must take the quick path, or it would not be worth having.
  assert.ok(quick > clean * 0.5, `quick path taken ${quick} times for ${clean} clean texts`);
});
