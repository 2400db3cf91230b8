/**
 * A CSV file seen as a classification dataset: one target column of labels, every other
 * column a numeric feature. `summarizeTable` is what the checker needs (counts, labels,
 * problems to report); `loadTable` adds the numbers for training and refuses bad cells.
 */
import { closestName, nearestNames } from '../util/suggest';
import { parseCsv, type CsvError, type CsvTable } from './csv';
import { dataName, excerpt } from './excerpt';

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
  /** The first MAX_LISTED feature cells that are present but not numbers. */
  readonly nonNumeric: CellRef[];
  readonly nonNumericCount: number;
  /**
   * The first MAX_LISTED feature cells that are numbers no engine can hold: infinite
   * ("Infinity", "1e400") or beyond the range of 32-bit floats (±3.4e38), in which every
   * engine trains.
   */
  readonly outOfRange: CellRef[];
  readonly outOfRangeCount: number;
  /**
   * Present when the file was too large to read whole for a summary: how many data rows
   * were read, in blocks spread over the file. `rows` is then the count of the file's
   * records, and the labels, label counts and problem lists are those of the rows read.
   */
  readonly sampledRows?: number;
}

export interface TableData extends TableSummary {
  /** Features, row-major: `rows × features` values. */
  readonly x: Float64Array;
  /** Each row's label as an index into `labels`. */
  readonly y: Int32Array;
}

/** Codes of data that cannot be trained on; the checker reports the same codes (analysis/diagnostics.ts). */
export type TableFailureCode =
  | 'dataset-read'
  | 'dataset-target'
  | 'dataset-empty'
  | 'dataset-values'
  | 'dataset-range'
  | 'dataset-classes'
  | 'dataset-not-file'
  | 'dataset-outside-workspace';

export interface TableFailure {
  readonly error: {
    /**
     * `dataset-values`, `dataset-range` and `dataset-classes` come only from `loadTable`:
     * a summary lists those problems (`tableProblems`) and the checker reports them.
     */
    readonly code: TableFailureCode;
    readonly message: string;
    /** 1-based file line, when one line is at fault. */
    readonly row?: number;
    /** 1-based file column, when one column is at fault. */
    readonly column?: number;
    /** Names that could replace the one at fault (a target column), for quick fixes. */
    readonly suggestions?: readonly string[];
  };
}

/** Cells listed individually in a summary; the rest are only counted, so a bad column in a big file stays cheap. */
export const MAX_LISTED = 20;

/** How many column names a message lists before abbreviating. */
const MAX_NAMED_COLUMNS = 10;
/** How many of a long header's columns an unknown target's message names by nearness. */
const NEAREST_COLUMNS = 5;

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
  const i = lineEnd === LF ? headerEnd + 1 : lineEnd === CR && text.charCodeAt(headerEnd + 1) === LF ? headerEnd + 2 : n;
  if (i >= n) return undefined;
  const rawLabels = quickLabels(text, i, width, target);
  if (!rawLabels) return undefined;

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
    outOfRange: [],
    outOfRangeCount: 0,
  };
}

/**
 * The labels of the plain rows of `width` fields from `from` to the end of `text`, or
 * undefined when any row is not plain (see quickSummary). The text must hold no quote.
 */
function quickLabels(text: string, from: number, width: number, target: number): string[] | undefined {
  const n = text.length;
  const row = rowPattern(width, target);
  const rawLabels: string[] = [];
  let i = from;
  while (i < n) {
    row.lastIndex = i;
    const match = row.exec(text);
    if (!match) return undefined;
    const label = match[1].trim();
    if (MISSING_MARKERS.has(label.toLowerCase())) return undefined;
    rawLabels.push(label);
    i = row.lastIndex;
  }
  return rawLabels;
}

/**
 * A feature cell that Number() certainly reads as a number a 32-bit float holds: at most
 * 20 integer digits and a positive exponent of at most 17 keep it below 1e38 (the float32
 * limit is 3.4e38); a negative exponent of up to two digits only makes it smaller, and
 * fraction digits cannot add to it. Empty cells, spaces, markers and every other form are
 * left to the full reader.
 */
const PLAIN_NUMBER = String.raw`[+-]?(?:\d{1,20}(?:\.\d*)?|\.\d+)(?:[eE](?:-\d{1,2}|\+?(?:1[0-7]|0?\d)))?`;

const rowPatterns = new Map<string, RegExp>();

/** One whole data row of `width` fields ending in LF, CRLF or the end of the text; the target's text is group 1. */
function rowPattern(width: number, target: number): RegExp {
  const key = `${width}:${target}`;
  let pattern = rowPatterns.get(key);
  if (!pattern) {
    const before = target > 0 ? `(?:${PLAIN_NUMBER},){${target}}` : '';
    const after = target < width - 1 ? `(?:,${PLAIN_NUMBER}){${width - 1 - target}}` : '';
    pattern = new RegExp(String.raw`${before}([^,\r\n]*)${after}(?:\r?\n|$)`, 'y');
    if (rowPatterns.size > 64) rowPatterns.clear();
    rowPatterns.set(key, pattern);
  }
  return pattern;
}

/**
 * Like `summarizeTable`, plus the numbers; fails on the first cell training cannot take
 * (missing, not a number, out of the float32 range) and on a single class, with the same
 * code and message the checker reports for them (`tableProblems`).
 */
export function loadTable(text: string, opts: TableOptions): TableData | TableFailure {
  return refuseProblems(readTable(text, opts, true), opts.file);
}

/** The table, or the failure of its first problem (`tableProblems`): what training makes of a table the checker would flag. */
export function refuseProblems<T extends TableSummary>(table: T | TableFailure, file: string): T | TableFailure {
  if ('error' in table) return table;
  const first = firstProblem(tableProblems(table, file));
  return first ? fail(first.code, first.message, first.row, first.column) : table;
}

/** Something in a table that training refuses; the checker reports each as a diagnostic with its code. */
export interface TableProblem {
  readonly code: 'dataset-values' | 'dataset-range' | 'dataset-classes' | 'dataset-empty';
  /** Starts with `file:row:column` (the CSV's 1-based line and column) when one cell is at fault. */
  readonly message: string;
  readonly row?: number;
  readonly column?: number;
  /**
   * False when drawn from a sample of the file and possibly untrue of the whole (one class
   * among the rows sampled). A bad cell found in a sample is certain: it is in the file.
   */
  readonly certain: boolean;
}

/** The problems of a table training cannot take, each located and explained; [] when it can train. */
export function tableProblems(t: TableSummary, file: string): TableProblem[] {
  const out: TableProblem[] = [];
  const sampled = t.sampledRows !== undefined;
  const sample = sampled ? ` (Found in the ${t.sampledRows!.toLocaleString('en-US')} rows sampled of ${t.rows.toLocaleString('en-US')}; the rest of the file may hold more.)` : '';
  const [m, v] = [t.missing[0], t.nonNumeric[0]];
  const isMissing = m !== undefined && (v === undefined || before(m, v));
  const bad = isMissing ? m : v;
  if (bad) {
    const what = !isMissing ? `holds ${excerpt(bad.value)}, which is not a number` : bad.value.trim() ? `holds ${excerpt(bad.value)}, a missing-value marker` : 'is empty';
    const others = t.missingCount + t.nonNumericCount - 1;
    out.push({
      code: 'dataset-values',
      message: `${cellAt(file, bad)} ${what}. Training needs a number in every feature cell; fix it${otherCells(others)}, or remove ${others ? 'those rows' : 'the row'}.${sample}`,
      row: bad.row,
      column: bad.column,
      certain: true,
    });
  }
  const big = t.outOfRange[0];
  if (big) {
    const what = Number.isFinite(Number(big.value.trim()))
      ? `holds ${excerpt(big.value)}, beyond the ±3.4e38 a 32-bit float holds (every engine trains in 32-bit floats)`
      : `holds ${excerpt(big.value)}, which is not a finite number`;
    const others = t.outOfRangeCount - 1;
    out.push({
      code: 'dataset-range',
      message: `${cellAt(file, big)} ${what}. Rescale the column (other units, or a logarithm) or remove ${others ? 'those rows' : 'the row'}${otherCells(others, ' (and the', ' other such cell', ')')}.${sample}`,
      row: big.row,
      column: big.column,
      certain: true,
    });
  }
  if (t.rows < 2) {
    out.push({
      code: 'dataset-empty',
      message: `${file} has ${t.rows} row; a training and a test split need at least 2. Add rows below the header.`,
      certain: true,
    });
  }
  if (t.labels.length === 1) {
    out.push({
      code: 'dataset-classes',
      message: `${file}: every ${sampled ? 'sampled row' : 'row'} has the label ${excerpt(t.labels[0])} in the target column ${quotedName(t.targetColumn)} (column ${t.targetIndex + 1}), so there is nothing to tell apart: a classifier needs at least two classes. Add rows of another class, or set \`target\` to the column that holds the classes.`,
      column: t.targetIndex + 1,
      certain: !sampled,
    });
  }
  return out;
}

/** The problem training reports: the first bad cell in file order, else the rest in order. */
function firstProblem(problems: readonly TableProblem[]): TableProblem | undefined {
  const located = problems.filter((p) => p.row !== undefined).sort((a, b) => a.row! - b.row! || a.column! - b.column!);
  return located[0] ?? problems[0];
}

function before(a: CellRef, b: CellRef): boolean {
  return a.row < b.row || (a.row === b.row && a.column < b.column);
}

/** `file:row:column: row R, column C (name)`: the location editors and terminals link, then the same in words. */
function cellAt(file: string, cell: CellRef): string {
  return `${file}:${cell.row}:${cell.column}: row ${cell.row}, column ${cell.column} (${dataName(cell.columnName)})`;
}

function otherCells(others: number, lead = ' and the', noun = ' other such cell', close = ''): string {
  return others ? `${lead} ${others.toLocaleString('en-US')}${noun}${others === 1 ? '' : 's'}${close}` : '';
}

function readTable(text: string, opts: TableOptions, wantNumbers: false): TableSummary | TableFailure;
function readTable(text: string, opts: TableOptions, wantNumbers: true): TableData | TableFailure;
function readTable(text: string, opts: TableOptions, wantNumbers: boolean): TableSummary | TableData | TableFailure {
  const reader = new TableReader(opts, wantNumbers);
  reader.add(parseCsv(text));
  return reader.finish();
}

/**
 * Reads a table from the records of one or more pieces of a CSV file, in file order (the
 * first piece holds the header), so a file is read piece by piece (data/files.ts) and
 * never needs to be one string; the result is the same as reading the whole text at once.
 * Labels are tallied by their text, so a summary of a large file keeps one entry per
 * distinct label, not one per row.
 */
export class TableReader {
  private rawHeader: string[] | undefined;
  private columns: string[] | undefined;
  private target = -1;
  private targetFailure: TableFailure | undefined;
  private featureIndex: number[] = [];
  private firstError: CsvError | undefined;
  private errorCount = 0;
  private rowCount = 0;
  private missingLabel: TableFailure | undefined;
  private readonly missing: CellRef[] = [];
  private missingCount = 0;
  private readonly nonNumeric: CellRef[] = [];
  private nonNumericCount = 0;
  private readonly outOfRange: CellRef[] = [];
  private outOfRangeCount = 0;
  private readonly labelIds = new Map<string, number>();
  private readonly labelTexts: string[] = [];
  private readonly labelTally: number[] = [];
  /** With numbers: each row's label id and features, grown as rows arrive. */
  private ids: Int32Array | undefined;
  private x: Float64Array | undefined;

  constructor(
    private readonly opts: TableOptions,
    private readonly wantNumbers: boolean,
  ) {}

  /** The header as written, once a piece has given it: what `parseCsv` needs to read later pieces. */
  get header(): readonly string[] | undefined {
    return this.rawHeader;
  }

  /** Data rows read so far. */
  get rows(): number {
    return this.rowCount;
  }

  /** True when the rows of a later piece can be given as plain labels (`addPlainRows`): the target is known and features exist. */
  get plainWidth(): { width: number; target: number } | undefined {
    return this.columns && this.target >= 0 && this.columns.length > 1 ? { width: this.columns.length, target: this.target } : undefined;
  }

  /** The records of one piece, parsed with `parseCsv` (with `{ header }` for every piece after the first). */
  add(csv: CsvTable): void {
    if (csv.errors.length) {
      this.firstError ??= csv.errors[0];
      this.errorCount += csv.errors.length;
    }
    if (!this.rawHeader) {
      if (csv.header.length === 0) return;
      this.setHeader(csv.header);
    }
    for (let r = 0; r < csv.rows.length; r++) this.addRow(csv.rows[r], csv.lines[r]);
  }

  /**
   * A later piece through the quick path: true when every row of `text` is plain (see
   * quickSummary) and was counted, false when nothing was read and the piece needs `add`.
   */
  addPlainRows(text: string): boolean {
    const plain = this.plainWidth;
    if (!plain || this.wantNumbers || text.includes('"')) return false;
    const labels = quickLabels(text, 0, plain.width, plain.target);
    if (!labels) return false;
    for (const label of labels) this.tally(label);
    this.rowCount += labels.length;
    return true;
  }

  private setHeader(header: string[]): void {
    this.rawHeader = header;
    // Surrounding spaces in names are formatting ("a, b, c"), not part of the name the user will type.
    const columns = (this.columns = header.map((h) => h.trim()));
    const target = findTarget(columns, this.opts);
    if (typeof target !== 'number') {
      this.targetFailure = target;
      return;
    }
    this.target = target;
    this.featureIndex = columns.map((_, i) => i).filter((i) => i !== target);
  }

  private tally(label: string): number {
    let id = this.labelIds.get(label);
    if (id === undefined) {
      id = this.labelTexts.length;
      this.labelIds.set(label, id);
      this.labelTexts.push(label);
      this.labelTally.push(0);
    }
    this.labelTally[id]++;
    return id;
  }

  private addRow(row: readonly string[], line: number): void {
    const r = this.rowCount++;
    const columns = this.columns!;
    const target = this.target;
    if (target < 0 || columns.length === 1 || this.missingLabel) return;
    const label = row[target].trim();
    if (MISSING_MARKERS.has(label.toLowerCase())) {
      this.missingLabel = fail(
        'dataset-read',
        `${this.opts.file}, row ${line}: the target column ${quotedName(columns[target])} (column ${target + 1}) is ${label ? `${excerpt(label)}, a missing-value marker` : 'empty'}. Every row needs a label; fill it in or remove the row.`,
        line,
        target + 1,
      );
      return;
    }
    const id = this.tally(label);
    const features = this.featureIndex;
    const width = features.length;
    if (this.wantNumbers) {
      if (!this.ids || r >= this.ids.length) this.grow(r + 1);
      this.ids![r] = id;
    }
    const x = this.x;
    for (let f = 0; f < width; f++) {
      const c = features[f];
      const cell = row[c];
      const trimmed = cell.trim();
      if (MISSING_MARKERS.has(trimmed.toLowerCase())) {
        if (this.missingCount++ < MAX_LISTED) this.missing.push({ row: line, column: c + 1, columnName: columns[c], value: cell });
        continue;
      }
      const value = Number(trimmed);
      if (Number.isNaN(value)) {
        if (this.nonNumericCount++ < MAX_LISTED) this.nonNumeric.push({ row: line, column: c + 1, columnName: columns[c], value: cell });
        continue;
      }
      if (!Number.isFinite(Math.fround(value))) {
        if (this.outOfRangeCount++ < MAX_LISTED) this.outOfRange.push({ row: line, column: c + 1, columnName: columns[c], value: cell });
        continue;
      }
      if (x) x[r * width + f] = value;
    }
  }

  private grow(rows: number): void {
    const capacity = Math.max(1024, rows, (this.ids?.length ?? 0) * 2);
    const ids = new Int32Array(capacity);
    if (this.ids) ids.set(this.ids);
    const x = new Float64Array(capacity * this.featureIndex.length);
    if (this.x) x.set(this.x);
    this.ids = ids;
    this.x = x;
  }

  /**
   * The table read, or why it cannot be used. `fileRows`, when only samples of the file
   * were read, is the count of the file's records: the summary then says how many it read.
   */
  finish(fileRows?: number): TableSummary | TableData | TableFailure {
    const { file } = this.opts;
    if (this.firstError) {
      const first = this.firstError;
      const more = this.errorCount - 1;
      return fail('dataset-read', `${file}: ${first.message}${more ? ` (${more} more problem${more === 1 ? '' : 's'} after this one.)` : ''}`, first.row, first.column);
    }
    const columns = this.columns;
    if (!columns) {
      return fail('dataset-empty', `${file} is empty; a dataset needs a header row of column names and at least one data row.`);
    }
    if (this.rowCount === 0) {
      return fail('dataset-empty', `${file} has a header (${listNames(columns)}) but no data rows; add rows below the header.`);
    }
    if (this.targetFailure) return this.targetFailure;
    if (columns.length === 1) {
      return fail('dataset-empty', `${file} has only the target column ${quotedName(columns[0])}, so there are no features to learn from; add feature columns.`, undefined, 1);
    }
    if (this.missingLabel) return this.missingLabel;

    const { labels, index } = labelIndex(this.labelTexts);
    const labelCounts = new Array<number>(labels.length).fill(0);
    const classOf = Int32Array.from(this.labelTexts, (l) => index(l));
    for (let id = 0; id < this.labelTexts.length; id++) labelCounts[classOf[id]] += this.labelTally[id];
    const features = this.featureIndex.length;
    const summary: TableSummary = {
      rows: fileRows ?? this.rowCount,
      columns,
      targetColumn: columns[this.target],
      targetIndex: this.target,
      features,
      featureNames: this.featureIndex.map((i) => columns[i]),
      labels,
      labelCounts,
      missing: this.missing,
      missingCount: this.missingCount,
      nonNumeric: this.nonNumeric,
      nonNumericCount: this.nonNumericCount,
      outOfRange: this.outOfRange,
      outOfRangeCount: this.outOfRangeCount,
      ...(fileRows !== undefined ? { sampledRows: this.rowCount } : {}),
    };
    if (!this.wantNumbers) return summary;
    const n = this.rowCount;
    const y = new Int32Array(n);
    for (let r = 0; r < n; r++) y[r] = classOf[this.ids![r]];
    const x = this.x!.length === n * features ? this.x! : this.x!.slice(0, n * features);
    return { ...summary, x, y };
  }
}

/** The target's index, or a failure that names the closest column and lists the others. */
function findTarget(columns: readonly string[], opts: TableOptions): number | TableFailure {
  if (opts.target === undefined) return columns.length - 1;
  const matches = columns.flatMap((c, i) => (c === opts.target ? [i] : []));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    return fail(
      'dataset-target',
      `${opts.file} has ${matches.length} columns named ${quotedName(opts.target)} (columns ${matches.map((m) => m + 1).join(', ')}), so the target is ambiguous; rename all but one in the header.`,
      undefined,
      matches[1] + 1,
    );
  }
  const suggestion = closestName(opts.target, columns);
  // A long header is listed by nearness to what was typed, and always with its last column, the usual target.
  const last = columns[columns.length - 1];
  const near = columns.length > MAX_NAMED_COLUMNS ? nearestNames(opts.target, columns, NEAREST_COLUMNS) : [];
  const listed =
    columns.length <= MAX_NAMED_COLUMNS
      ? `Its columns are: ${listNames(columns)}.`
      : near.length
        ? `The columns nearest to it: ${near.map((c) => dataName(c)).join(', ')}${near.includes(last) ? '' : `; the last column: ${dataName(last)}`} (${columns.length} columns in all).`
        : `Its columns are: ${listNames(columns)}, the last being ${dataName(last)}.`;
  const suggestions = [...new Set([...(suggestion ? [suggestion] : []), ...near, last])];
  const failure = fail('dataset-target', `${opts.file} has no column ${quotedName(opts.target)}.${suggestion ? ` Did you mean ${quotedName(suggestion)}?` : ''} ${listed} Set target to one of them, or leave it out to use the last column.`);
  return { error: { ...failure.error, suggestions } };
}

/** A column name in quotes: plain names as 'name', others as an escaped excerpt. */
function quotedName(name: string): string {
  const shown = dataName(name);
  return shown === name ? `'${name}'` : shown;
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

/** Column names for a message: each short and escaped, at most MAX_NAMED_COLUMNS of them. */
function listNames(columns: readonly string[]): string {
  const shown = columns.slice(0, MAX_NAMED_COLUMNS).map((c) => dataName(c)).join(', ');
  return columns.length > MAX_NAMED_COLUMNS ? `${shown} and ${columns.length - MAX_NAMED_COLUMNS} more` : shown;
}

export function fail(code: TableFailureCode, message: string, row?: number, column?: number): TableFailure {
  return { error: { code, message, ...(row !== undefined ? { row } : {}), ...(column !== undefined ? { column } : {}) } };
}
