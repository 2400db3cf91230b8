/**
 * Data files on disk: what a source path is (a file, or a folder, pipe, device or link
 * loop that cannot be read as one), and reading a CSV file piece by piece. A file is read
 * in 128 KiB chunks and cut into pieces of whole records, so no file has to fit in one
 * string (V8 caps strings near 512 MiB) and an asynchronous reader gives the event loop
 * back between chunks. Summaries of files over SAMPLE_LIMIT are sampled: every record is
 * counted, but only the head of the file and blocks spread over the rest are parsed.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseCsv } from './csv';
import { excerpt } from './excerpt';
import { fail, loadTable, refuseProblems, summarizeTable, TableReader, type TableData, type TableFailure, type TableOptions, type TableSummary } from './table';

const MiB = 1024 * 1024;

/** Files up to this size are summarised exactly; larger ones from samples. */
export const SAMPLE_LIMIT = 32 * MiB;

/** Bytes read at a time: parsing one such piece takes a few milliseconds, the longest an edit waits for a background summary. */
const CHUNK = MiB / 8;

/** Of a sampled file, the head read whole, and (roughly) all the bytes parsed. */
const SAMPLE_HEAD = 4 * MiB;
const SAMPLE_BUDGET = 12 * MiB;

/** Sizes that decide how a file is read; tests make them small to reach every path with small files. */
export interface FileTuning {
  readonly sampleLimit?: number;
  readonly chunkBytes?: number;
  readonly sampleHead?: number;
  readonly sampleBudget?: number;
}

/** A record longer than this (a file without line breaks, a quote never closed) stops a piecewise read. */
const MAX_RECORD = 64 * MiB;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** A source path that is a regular file: its size and modification time, which key every cache of its contents. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * What is at `path`: a regular file's stamp; undefined when nothing is there (the checker
 * then says "not found" and suggests names); or a failure saying what it is instead of a
 * file (a folder, a named pipe, a device, a symbolic link loop) or why it cannot be looked at.
 */
export function statSource(path: string): FileStamp | TableFailure | undefined {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'ELOOP') {
      return fail('dataset-not-file', `${path} is a symbolic link that leads back to itself (a loop of links), so there is no file to read. Point source at the data file itself.`);
    }
    if (code === 'EACCES' || code === 'EPERM') return fail('dataset-read', `Cannot read ${path}: permission denied.`);
    return fail('dataset-read', `Cannot read ${path}: ${(err as Error).message}`);
  }
  if (st.isFile()) return { size: st.size, mtimeMs: st.mtimeMs };
  return fail('dataset-not-file', notAFileMessage(path, st));
}

function notAFileMessage(path: string, st: Stats): string {
  if (st.isDirectory()) {
    let example: string | undefined;
    try {
      example = readdirSync(path).find((n) => /\.(csv|tsv|txt)$/i.test(n));
    } catch {
      // An unreadable folder: no example.
    }
    return `${path} is a folder, not a file. Set source to a CSV file${example ? `, such as ${excerpt(join(basename(path), example), 80)} in it` : ' inside it'}.`;
  }
  if (st.isFIFO()) {
    return `${path} is a named pipe (FIFO), not a file: its data can be read only once and only while something writes it, but Modelspec reads a data file to check it and again to train. Save the data to a file and point source at that.`;
  }
  if (st.isSocket()) return `${path} is a socket, not a file. Save the data to a file and point source at that.`;
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return `${path} is a device, not a file (reading it may never end). Save the data to a file and point source at that.`;
  }
  return `${path} is not a regular file. Save the data to a file and point source at that.`;
}

/**
 * The summary of a CSV file, read synchronously (the CLI, the trainer's own check): the
 * whole text up to SAMPLE_LIMIT, as `summarizeTable` reads it, else a sampled summary.
 */
export function summarizeFileSync(path: string, opts: TableOptions, size = statSync(path).size, tuning: FileTuning = {}): TableSummary | TableFailure {
  if (size <= (tuning.sampleLimit ?? SAMPLE_LIMIT)) {
    const text = readText(path);
    return typeof text === 'string' ? summarizeTable(text, opts) : text;
  }
  const reader = new PieceReader(opts, 'sample', size, tuning);
  return readSyncInto(path, reader, tuning.chunkBytes ?? CHUNK) ?? (reader.finish() as TableSummary | TableFailure);
}

/**
 * The same summary as `summarizeFileSync`, read asynchronously in chunks so that no more
 * than one chunk's parsing runs at a time (a few milliseconds): the language server reads
 * large files this way, off the edit path.
 */
export async function summarizeFileAsync(path: string, opts: TableOptions, size: number, tuning: FileTuning = {}): Promise<TableSummary | TableFailure> {
  const chunkBytes = tuning.chunkBytes ?? CHUNK;
  const reader = new PieceReader(opts, size <= (tuning.sampleLimit ?? SAMPLE_LIMIT) ? 'whole' : 'sample', size, tuning);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    return readFailure(path, err);
  }
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      const failure = reader.push(buffer.subarray(0, bytesRead));
      if (failure) return failure;
      // Give pending requests their turn even when the file is in the page cache and reads return at once.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (err) {
    return readFailure(path, err);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return reader.finish() as TableSummary | TableFailure;
}

/**
 * The numbers of a CSV file for training, with the same refusals as `loadTable` (which the
 * checker reports too); a folder, pipe or device is refused as `statSource` refuses it,
 * never opened; undefined when the file does not exist. Files over SAMPLE_LIMIT are read
 * piece by piece, all of them.
 */
export function loadTableFile(path: string, opts: TableOptions, tuning: FileTuning = {}): TableData | TableFailure | undefined {
  const stat = statSource(path);
  if (!stat || 'error' in stat) return stat;
  if (stat.size <= (tuning.sampleLimit ?? SAMPLE_LIMIT)) {
    const text = readText(path);
    return typeof text === 'string' ? loadTable(text, opts) : text;
  }
  const reader = new PieceReader(opts, 'all', stat.size, tuning);
  const failure = readSyncInto(path, reader, tuning.chunkBytes ?? CHUNK);
  return failure ?? refuseProblems(reader.finish() as TableData | TableFailure, opts.file);
}

/** The header of a CSV file (names trimmed), from its first 64 KiB; undefined when it cannot be had so cheaply. */
export function readHeader(path: string): string[] | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.allocUnsafe(64 * 1024);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const bytes = buffer.subarray(0, n);
    if (bytes.includes(QUOTE)) return undefined;
    const end = bytes.indexOf(LF);
    if (end < 0) return undefined;
    const header = parseCsv(bytes.toString('utf8', 0, end + 1)).header.map((h) => h.trim());
    return header.length ? header : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readText(path: string): string | TableFailure {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    return readFailure(path, err);
  }
}

function readFailure(path: string, err: unknown): TableFailure {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'ENOENT' ? 'the file does not exist (any more)' : e.code === 'EISDIR' ? 'it is a folder' : e.code === 'EACCES' ? 'permission denied' : e.message;
  return fail('dataset-read', `Cannot read ${path}: ${why}.`);
}

function readSyncInto(path: string, reader: PieceReader, chunkBytes: number): TableFailure | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return readFailure(path, err);
  }
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(chunkBytes);
      const n = readSync(fd, buffer, 0, chunkBytes, null);
      if (n === 0) return undefined;
      const failure = reader.push(buffer.subarray(0, n));
      if (failure) return failure;
    }
  } catch (err) {
    return readFailure(path, err);
  } finally {
    closeSync(fd);
  }
}

/**
 * Cuts a file's bytes into pieces of whole records and gives them to a TableReader. A
 * piece ends at a line feed that ends a record as parseCsv reads the file (`scanCsv`), so
 * reading piece by piece gives what reading the whole text gives. `whole` and `all` parse
 * every piece (`all` keeps the numbers, for training); `sample` parses the head and evenly
 * spaced pieces and only counts the records of the others.
 */
class PieceReader {
  private readonly reader: TableReader;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private pieces = 0;
  /** The 1-based line the next piece starts on. */
  private line = 1;
  /** Records counted in pieces that were not parsed (sampling). */
  private skippedRecords = 0;
  private readonly every: number;
  private readonly head: number;

  constructor(
    private readonly opts: TableOptions,
    private readonly mode: 'whole' | 'all' | 'sample',
    size: number,
    tuning: FileTuning,
  ) {
    const chunkBytes = tuning.chunkBytes ?? CHUNK;
    this.reader = new TableReader(opts, mode === 'all');
    this.head = Math.max(1, Math.ceil((tuning.sampleHead ?? SAMPLE_HEAD) / chunkBytes));
    const chunks = Math.ceil(size / chunkBytes);
    const rest = Math.max(1, Math.ceil((tuning.sampleBudget ?? SAMPLE_BUDGET) / chunkBytes) - this.head);
    this.every = Math.max(1, Math.ceil((chunks - this.head) / rest));
  }

  push(chunk: Buffer): TableFailure | undefined {
    this.carry.push(chunk);
    this.carryBytes += chunk.length;
    const buffer = this.carry.length === 1 ? chunk : Buffer.concat(this.carry, this.carryBytes);
    const cut = scanCsv(buffer, buffer.length, false).lastEnd;
    if (cut < 0) {
      this.carry = [buffer];
      // Files read whole are at most SAMPLE_LIMIT: their last piece may be all of it (an unclosed quote is reported as such).
      if (this.mode !== 'whole' && this.carryBytes > MAX_RECORD) {
        return fail('dataset-read', `${this.opts.file}: no line break (outside double quotes) within ${MAX_RECORD / MiB} MiB after line ${this.line}; the file is not a CSV file of rows, or a quote is never closed.`, this.line);
      }
      return undefined;
    }
    this.piece(buffer, cut + 1);
    const rest = buffer.subarray(cut + 1);
    this.carry = rest.length ? [rest] : [];
    this.carryBytes = rest.length;
    return undefined;
  }

  finish(): TableSummary | TableData | TableFailure {
    if (this.carryBytes) {
      const buffer = Buffer.concat(this.carry, this.carryBytes);
      this.piece(buffer, buffer.length);
    }
    return this.reader.finish(this.mode === 'sample' ? this.reader.rows + this.skippedRecords : undefined);
  }

  private piece(buffer: Buffer, end: number): void {
    const index = this.pieces++;
    const parse = this.mode !== 'sample' || index < this.head || (index - this.head) % this.every === this.every - 1 || !this.reader.header;
    if (!parse) {
      const { lines, records } = scanCsv(buffer, end, true);
      this.line += lines;
      this.skippedRecords += records;
      return;
    }
    // Sampling numbers lines by line feeds (pieces it skips are only counted), whereas
    // parseCsv also counts a lone CR as a line end: the next piece starts after this one's line feeds.
    const next = this.mode === 'sample' ? this.line + scanCsv(buffer, end, true).lines : undefined;
    let text = buffer.toString('utf8', 0, end);
    if (!this.reader.header && !text.includes('"')) {
      // The header line alone through the full reader; the rows after it may take the quick path.
      const headerEnd = text.indexOf('\n') + 1;
      if (headerEnd > 0) {
        const csv = parseCsv(text.slice(0, headerEnd));
        this.reader.add(csv);
        this.line = csv.endLine;
        text = text.slice(headerEnd);
      }
    }
    const header = this.reader.header;
    const before = this.reader.rows;
    if (header && this.reader.addPlainRows(text)) {
      this.line = next ?? this.line + this.reader.rows - before;
      return;
    }
    const csv = parseCsv(text, header ? { header, firstLine: this.line } : { firstLine: this.line });
    this.reader.add(csv);
    this.line = next ?? csv.endLine;
  }
}

const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Records in `buffer[0, end)` as parseCsv reads them, from the start of a record: the index
 * of the last line feed that ends one (-1 if none), the line feeds, and the records ended
 * (lines of only spaces and tabs are not records, as parseCsv skips them; with `last`, the
 * text after the last line break is one too). A quote opens a quoted value only at the
 * start of a field, where `""` is a quote inside it and a line break does not end the
 * record; anywhere else a quote is a character like any other.
 */
function scanCsv(buffer: Buffer, end: number, last: boolean): { lastEnd: number; lines: number; records: number } {
  let lines = 0;
  let records = 0;
  let lastEnd = -1;
  const slice = buffer.subarray(0, end);
  if (!slice.includes(QUOTE)) {
    // The common case, without a byte loop: every line feed ends a record.
    let lineStart = 0;
    const blank = (from: number, to: number) => {
      for (let k = from; k < to; k++) {
        const c = buffer[k];
        if (c !== SPACE && c !== TAB && c !== CR) return false;
      }
      return true;
    };
    for (let i = slice.indexOf(LF); i >= 0; i = slice.indexOf(LF, i + 1)) {
      lines++;
      if (!blank(lineStart, i)) records++;
      lineStart = i + 1;
      lastEnd = i;
    }
    if (last && !blank(lineStart, end)) records++;
    return { lastEnd, lines, records };
  }
  const FIELD_START = 0;
  const TEXT = 1;
  const QUOTED = 2;
  const QUOTE_IN_QUOTED = 3;
  let state = FIELD_START;
  let content = false;
  for (let i = 0; i < end; i++) {
    const c = buffer[i];
    if (state === QUOTED) {
      if (c === QUOTE) state = QUOTE_IN_QUOTED;
      else if (c === LF) lines++;
      continue;
    }
    if (state === QUOTE_IN_QUOTED) {
      if (c === QUOTE) {
        state = QUOTED;
        continue;
      }
      state = TEXT;
    }
    if (state === FIELD_START && c === QUOTE) {
      state = QUOTED;
      content = true;
      continue;
    }
    if (c === LF || (c === CR && buffer[i + 1] !== LF)) {
      if (c === LF) {
        lines++;
        lastEnd = i;
      }
      if (content) records++;
      content = false;
      state = FIELD_START;
    } else if (c === COMMA) {
      content = true;
      state = FIELD_START;
    } else {
      if (c !== SPACE && c !== TAB && c !== CR) content = true;
      state = TEXT;
    }
  }
  if (last && content) records++;
  return { lastEnd, lines, records };
}
