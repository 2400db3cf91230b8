/**
 * A CSV file seen as a classification dataset: one target column of labels, every other
 * column a numeric feature. `summarizeTable` is what the checker needs (counts, labels,
 * problems to report); `loadTable` adds the numbers for training and refuses bad cells.
 */
import { closestName } from '../util/suggest';
import { parseCsv } from './csv';

export interface TableOptions {
  /** Name of the label column; the last column when absent. */
  readonly target?: string;
  /** The file's path as the user wrote it, for messages. */
  readonly file: string;
}

/** One cell, located the way an editor shows it. */
export interface CellRef {
  /** 1-based line of the file. */
  readonly row: number;
  /** 1-based column of the file (counting the target column). */
  readonly column: number;
  readonly columnName: string;
  /** The cell's text as written. */
  readonly value: string;
}

export interface TableSummary {
  /** Data rows (the header excluded). */
  readonly rows: number;
  readonly columns: string[];
  readonly targetColumn: string;
  /** 0-based index of the target in `columns`. */
  readonly targetIndex: number;
  readonly features: number;
  readonly featureNames: string[];
  /** Distinct labels: in numeric order when every label is a number (then written canonically, "1.0" as "1"), else in code-point order. */
  readonly labels: string[];
  /** Rows per label, in the order of `labels`. */
  readonly labelCounts: number[];
  /** The first MAX_LISTED empty or not-available feature cells (empty, NA, N/A, NaN, null, ?). */
  readonly missing: CellRef[];
  readonly missingCount: number;
  /** The first MAX_LISTED feature cells that are present but not finite numbers. */
  readonly nonNumeric: CellRef[];
  readonly nonNumericCount: number;
}

export interface TableData extends TableSummary {
  /** Features, row-major: `rows × features` values. */
  readonly x: Float64Array;
  /** Each row's label as an index into `labels`. */
  readonly y: Int32Array;
}

export interface TableFailure {
  readonly error: {
    /** `dataset-values` comes only from `loadTable`, which cannot train on missing or non-numeric cells. */
    readonly code: 'dataset-read' | 'dataset-target' | 'dataset-empty' | 'dataset-values';
    readonly message: string;
    /** 1-based file line, when one line is at fault. */
    readonly row?: number;
    /** 1-based file column, when one column is at fault. */
    readonly column?: number;
  };
}

/** Cells listed individually in a summary; the rest are only counted, so a bad column in a big file stays cheap. */
export const MAX_LISTED = 20;

/** How many column names a message lists before abbreviating. */
const MAX_NAMED_COLUMNS = 10;

const MISSING_MARKERS = new Set(['', 'na', 'n/a', 'nan', 'null', '?']);

export function summarizeTable(text: string, opts: TableOptions): TableSummary | TableFailure {
  return quickSummary(text, opts) ?? readTable(text, opts, false);
}

/** The summary through the full CSV reader, whatever the text: the reference `quickSummary` must agree with. */
export function summarizeFully(text: string, opts: TableOptions): TableSummary | TableFailure {
  return readTable(text, opts, false);
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The summary of a clean numeric CSV without a string per feature cell: the checker
 * summarises every dataset file on each run, and in a cold CLI process the full reader's
 * per-cell strings, trims and Number() calls cost tens of milliseconds for a file like
 * digits.csv. Each row is matched by one regular expression, which V8 compiles to machine
 * code after its first use, whereas a hand-written scanning loop stays in the interpreter
 * for much of a cold run. Undefined as soon as anything is not plain (a quote, a blank or
 * ragged line, a lone CR, a feature cell that is not a plain decimal number, a missing
 * label, an unclear target): the full reader then gives the summary or the failure, with
 * its messages.
 */
export function quickSummary(text: string, opts: TableOptions): TableSummary | undefined {
  if (text.includes('"')) return undefined;
  const n = text.length;
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let headerEnd = start;
  while (headerEnd < n && text.charCodeAt(headerEnd) !== LF && text.charCodeAt(headerEnd) !== CR) headerEnd++;
  const columns = text.slice(start, headerEnd).split(',').map((h) => h.trim());
  const width = columns.length;
  let target = width - 1;
  if (opts.target !== undefined) {
    target = columns.indexOf(opts.target);
    if (target < 0 || columns.indexOf(opts.target, target + 1) >= 0) return undefined;
  }
  if (width < 2) return undefined;
  const lineEnd = text.charCodeAt(headerEnd);
  let i = lineEnd === LF ? headerEnd + 1 : lineEnd === CR && text.charCodeAt(headerEnd + 1) === LF ? headerEnd + 2 : n;
  if (i >= n) return undefined;

  const row = rowPattern(width, target);
  const rawLabels: string[] = [];
  while (i < n) {
    row.lastIndex = i;
    const match = row.exec(text);
    if (!match) return undefined;
    const label = match[1].trim();
    if (MISSING_MARKERS.has(label.toLowerCase())) return undefined;
    rawLabels.push(label);
    i = row.lastIndex;
  }

  const featureIndex = columns.map((_, c) => c).filter((c) => c !== target);
  const { labels, labelCounts } = countLabels(rawLabels);
  return {
    rows: rawLabels.length,
    columns,
    targetColumn: columns[target],
    targetIndex: target,
    features: featureIndex.length,
    featureNames: featureIndex.map((c) => columns[c]),
    labels,
    labelCounts,
    missing: [],
    missingCount: 0,
    nonNumeric: [],
    nonNumericCount: 0,
  };
}

/**
 * A feature cell that Number() certainly reads as a finite number: at most 20 integer
 * digits and a two-digit exponent keep it below 1e120, and fraction digits cannot add to
 * that. Empty cells, spaces, markers and every other form are left to the full reader.
 */
const PLAIN_NUMBER = String.raw`[+-]?(?:\d{1,20}(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,2})?`;

/** One whole data row of `width` fields ending in LF, CRLF or the end of the text; the target's text is group 1. */
function rowPattern(width: number, target: number): RegExp {
  const before = target > 0 ? `(?:${PLAIN_NUMBER},){${target}}` : '';
  const after = target < width - 1 ? `(?:,${PLAIN_NUMBER}){${width - 1 - target}}` : '';
  return new RegExp(String.raw`${before}([^,\r\n]*)${after}(?:\r?\n|$)`, 'y');
}

/** Like `summarizeTable`, plus the numbers; fails on the first missing or non-numeric feature cell. */
export function loadTable(text: string, opts: TableOptions): TableData | TableFailure {
  const result = readTable(text, opts, true);
  if ('error' in result) return result;
  const [m, v] = [result.missing[0], result.nonNumeric[0]];
  const isMissing = m !== undefined && (v === undefined || m.row < v.row || (m.row === v.row && m.column < v.column));
  const bad = isMissing ? m : v;
  if (bad) {
    const total = result.missingCount + result.nonNumericCount;
    const what = !isMissing
      ? `holds ${JSON.stringify(bad.value)}, which is not a number`
      : bad.value.trim()
        ? `holds ${JSON.stringify(bad.value)}, a missing-value marker`
        : 'is empty';
    const others = total - 1;
    return fail(
      'dataset-values',
      `${opts.file}, row ${bad.row}, column ${bad.column} (${bad.columnName}) ${what}. Training needs a number in every feature cell; fix it${others ? ` and the ${others} other such cell${others === 1 ? '' : 's'}` : ''}, or remove ${others ? 'those rows' : 'the row'}.`,
      bad.row,
      bad.column,
    );
  }
  return result;
}

function readTable(text: string, opts: TableOptions, wantNumbers: false): TableSummary | TableFailure;
function readTable(text: string, opts: TableOptions, wantNumbers: true): TableData | TableFailure;
function readTable(text: string, opts: TableOptions, wantNumbers: boolean): TableSummary | TableData | TableFailure {
  const { file } = opts;
  const csv = parseCsv(text);
  if (csv.errors.length) {
    const first = csv.errors[0];
    const more = csv.errors.length - 1;
    return fail('dataset-read', `${file}: ${first.message}${more ? ` (${more} more problem${more === 1 ? '' : 's'} after this one.)` : ''}`, first.row, first.column);
  }
  if (csv.header.length === 0) {
    return fail('dataset-empty', `${file} is empty; a dataset needs a header row of column names and at least one data row.`);
  }
  // Surrounding spaces in names are formatting ("a, b, c"), not part of the name the user will type.
  const columns = csv.header.map((h) => h.trim());
  if (csv.rows.length === 0) {
    return fail('dataset-empty', `${file} has a header (${listNames(columns)}) but no data rows; add rows below the header.`);
  }

  const target = findTarget(columns, opts);
  if (typeof target !== 'number') return target;
  if (columns.length === 1) {
    return fail('dataset-empty', `${file} has only the target column '${columns[0]}', so there are no features to learn from; add feature columns.`, undefined, 1);
  }

  const featureIndex = columns.map((_, i) => i).filter((i) => i !== target);
  const featureNames = featureIndex.map((i) => columns[i]);
  const rowCount = csv.rows.length;
  const x = wantNumbers ? new Float64Array(rowCount * featureIndex.length) : undefined;
  const missing: CellRef[] = [];
  const nonNumeric: CellRef[] = [];
  let missingCount = 0;
  let nonNumericCount = 0;
  const rawLabels: string[] = new Array(rowCount);

  for (let r = 0; r < rowCount; r++) {
    const row = csv.rows[r];
    const line = csv.lines[r];
    const label = row[target].trim();
    if (MISSING_MARKERS.has(label.toLowerCase())) {
      return fail(
        'dataset-read',
        `${file}, row ${line}: the target column '${columns[target]}' (column ${target + 1}) is ${label ? `${JSON.stringify(label)}, a missing-value marker` : 'empty'}. Every row needs a label; fill it in or remove the row.`,
        line,
        target + 1,
      );
    }
    rawLabels[r] = label;
    for (let f = 0; f < featureIndex.length; f++) {
      const c = featureIndex[f];
      const cell = row[c];
      const trimmed = cell.trim();
      if (MISSING_MARKERS.has(trimmed.toLowerCase())) {
        if (missingCount++ < MAX_LISTED) missing.push({ row: line, column: c + 1, columnName: columns[c], value: cell });
        continue;
      }
      const value = Number(trimmed);
      if (!Number.isFinite(value)) {
        if (nonNumericCount++ < MAX_LISTED) nonNumeric.push({ row: line, column: c + 1, columnName: columns[c], value: cell });
        continue;
      }
      if (x) x[r * featureIndex.length + f] = value;
    }
  }

  const { labels, labelCounts, index } = countLabels(rawLabels);
  const y = wantNumbers ? new Int32Array(rowCount) : undefined;
  if (y) for (let r = 0; r < rowCount; r++) y[r] = index(rawLabels[r]);

  const summary: TableSummary = {
    rows: rowCount,
    columns,
    targetColumn: columns[target],
    targetIndex: target,
    features: featureIndex.length,
    featureNames,
    labels,
    labelCounts,
    missing,
    missingCount,
    nonNumeric,
    nonNumericCount,
  };
  return x && y ? { ...summary, x, y } : summary;
}

/** The target's index, or a failure that names the closest column and lists the others. */
function findTarget(columns: readonly string[], opts: TableOptions): number | TableFailure {
  if (opts.target === undefined) return columns.length - 1;
  const matches = columns.flatMap((c, i) => (c === opts.target ? [i] : []));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    return fail(
      'dataset-target',
      `${opts.file} has ${matches.length} columns named '${opts.target}' (columns ${matches.map((m) => m + 1).join(', ')}), so the target is ambiguous; rename all but one in the header.`,
      undefined,
      matches[1] + 1,
    );
  }
  const suggestion = closestName(opts.target, columns);
  return fail(
    'dataset-target',
    `${opts.file} has no column '${opts.target}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Its columns are: ${listNames(columns)}. Set target to one of them, or leave it out to use the last column.`,
  );
}

/**
 * Distinct labels in display order and a lookup from a raw label to its index. Numeric
 * labels are merged by value so "1" and "1.0" are one class.
 */
function labelIndex(raw: readonly string[]): { labels: string[]; index: (label: string) => number } {
  const distinct = [...new Set(raw)];
  if (distinct.every((l) => Number.isFinite(Number(l)))) {
    const values = [...new Set(distinct.map(Number))].sort((a, b) => a - b);
    const position = new Map(values.map((v, i) => [v, i]));
    return { labels: values.map(String), index: (label) => position.get(Number(label))! };
  }
  distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const position = new Map(distinct.map((l, i) => [l, i]));
  return { labels: distinct, index: (label) => position.get(label)! };
}

/** Distinct labels in display order, rows per label, and the lookup from a raw label to its index. */
function countLabels(raw: readonly string[]): { labels: string[]; labelCounts: number[]; index: (label: string) => number } {
  const { labels, index } = labelIndex(raw);
  const labelCounts = new Array<number>(labels.length).fill(0);
  for (let r = 0; r < raw.length; r++) labelCounts[index(raw[r])]++;
  return { labels, labelCounts, index };
}

function listNames(columns: readonly string[]): string {
  const shown = columns.slice(0, MAX_NAMED_COLUMNS).join(', ');
  return columns.length > MAX_NAMED_COLUMNS ? `${shown} and ${columns.length - MAX_NAMED_COLUMNS} more` : shown;
}

function fail(code: TableFailure['error']['code'], message: string, row?: number, column?: number): TableFailure {
  return { error: { code, message, ...(row !== undefined ? { row } : {}), ...(column !== undefined ? { column } : {}) } };
}
