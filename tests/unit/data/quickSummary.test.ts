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

const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** A plain numeric cell, or (with probability `odd`) one of the forms the full reader treats specially. */
const ODD_CELLS = ['', 'NA', 'n/a', 'NaN', 'null', '?', ' 1.5', '2 ', '1e999', '1e', '.', '-', '+', '0x1F', 'Infinity', 'abc', '"3"', '"a,b"', '1,5', '1.5e+07', '-.5', '5.', '00012', '1E-3', '123456789012345678901', '1e100', '12345678901234567890e99'];

function cell(r: Random, odd: number): string {
  if (r() < odd) return pick(r, ODD_CELLS);
  const sign = pick(r, ['', '', '-', '+']);
  const int = String(Math.floor(r() * 1000));
  const frac = r() < 0.5 ? '' : `.${Math.floor(r() * 1000)}`;
  const exp = r() < 0.8 ? '' : `${pick(r, ['e', 'E'])}${pick(r, ['', '+', '-'])}${Math.floor(r() * 40)}`;
  return sign + int + frac + exp;
}

function label(r: Random, odd: number): string {
  if (r() < odd) return pick(r, ['', 'NA', ' ?', 'None', ' setosa ', '1.0', '01', 'b,c', '"x"']);
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
    if (!('error' in full) && full.missingCount === 0 && full.nonNumericCount === 0) clean++;
  }
  // Most clean texts must take the quick path, or it would not be worth having.
  assert.ok(quick > clean * 0.5, `quick path taken ${quick} times for ${clean} clean texts`);
});
