import type { TableFailure, TableSummary } from '../data/table';

/**
 * A data file whose summary is still being computed in the background (a large file in
 * the language server). The analysis treats the file as there but not yet known, and the
 * host calls its `onDataReady` listeners when the summary is ready.
 */
export interface PendingTable {
  readonly pending: true;
  /** The file's size. */
  readonly bytes: number;
  /** The header's column names when they could be read at once, else []: column completion and the feature count work meanwhile. */
  readonly columns: string[];
}

export type DataTableAnswer = TableSummary | TableFailure | PendingTable | undefined;

/**
 * What the analysis needs from the outside world. The CLI and the language server give
 * a file-system host (with a cache keyed by file stamp); tests give an in-memory one.
 */
export interface AnalysisHost {
  /**
   * Summary of a CSV file; undefined when the file does not exist. The same object while
   * the file is unchanged (an incremental analysis compares answers by identity).
   */
  dataTable(path: string, target: string | undefined): DataTableAnswer;
  /** File names in a directory, for "did you mean" on paths; [] when unreadable. */
  listDir(path: string): string[];
  /** For hosts that answer `pending`: `listener` gets a file's path when its summary is ready. */
  onDataReady?(listener: (path: string) => void): void;
}

export function isPending(answer: DataTableAnswer): answer is PendingTable {
  return answer !== undefined && 'pending' in answer;
}

/** A host that knows no files: every CSV source is reported missing. */
export const NO_FILES: AnalysisHost = {
  dataTable: () => undefined,
  listDir: () => [],
};
