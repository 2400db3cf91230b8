// An AnalysisHost over in-memory files, so analysis tests control exactly what data exists.
import { dirname, basename } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import type { AnalysisHost, DataTableAnswer } from '../../../server/src/analysis/host';
import type { Analysis } from '../../../server/src/analysis/model';
import { summarizeTable } from '../../../server/src/data/table';

export const DOC = '/work/project/spec.model';

/** A file is its text, or the host's answer for it as it is (a failure such as dataset-not-file, or a pending summary). */
export type MemoryFile = string | Exclude<DataTableAnswer, undefined>;

export function memoryHost(files: Record<string, MemoryFile>): AnalysisHost {
  return {
    dataTable(path, target) {
      const text = files[path];
      return text === undefined || typeof text !== 'string' ? text : summarizeTable(text, { target, file: path });
    },
    listDir(path) {
      return Object.keys(files).filter((f) => dirname(f) === path).map((f) => basename(f));
    },
  };
}

/** Analyses `text` as if saved at DOC; `files` are keyed by name relative to DOC's folder. */
export function run(text: string, files: Record<string, MemoryFile> = {}): Analysis {
  const absolute = Object.fromEntries(Object.entries(files).map(([k, v]) => [`${dirname(DOC)}/${k}`, v]));
  return analyze(text, { file: DOC, host: memoryHost(absolute) });
}

/** A tiny 3-class CSV: 4 features + label, 30 rows. */
export const SMALL_CSV = ['a,b,c,d,label', ...Array.from({ length: 30 }, (_, i) => `${i},${i % 7},${(i * 3) % 5},${i % 2},${i % 3}`)].join('\n');
