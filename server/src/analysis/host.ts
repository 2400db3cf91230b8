import type { TableFailure, TableSummary } from '../data/table';

/**
 * What the analysis needs from the outside world. The CLI and the language server give
 * a file-system host (with a cache keyed by file stamp); tests give an in-memory one.
 */
export interface AnalysisHost {
  /** Summary of a CSV file; undefined when the file does not exist. */
  dataTable(path: string, target: string | undefined): TableSummary | TableFailure | undefined;
  /** File names in a directory, for "did you mean" on paths; [] when unreadable. */
  listDir(path: string): string[];
}

/** A host that knows no files: every CSV source is reported missing. */
export const NO_FILES: AnalysisHost = {
  dataTable: () => undefined,
  listDir: () => [],
};
