import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { AnalysisHost } from '../analysis/host';
import { summarizeTable, type TableFailure, type TableSummary } from './table';

/**
 * File-system host for the analysis. Summaries are cached by path, target column and
 * file stamp (size + mtime), so re-analysing on every keystroke does not re-read a CSV
 * that has not changed.
 */
export function createNodeHost(): AnalysisHost {
  const cache = new Map<string, { stamp: string; summary: TableSummary | TableFailure }>();
  return {
    dataTable(path, target) {
      let stamp: string;
      try {
        const st = statSync(path);
        if (!st.isFile()) return undefined;
        stamp = `${st.size}:${st.mtimeMs}`;
      } catch {
        return undefined;
      }
      const key = `${path}\0${target ?? ''}`;
      const hit = cache.get(key);
      if (hit && hit.stamp === stamp) return hit.summary;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        return { error: { code: 'dataset-read', message: `Cannot read ${path}: ${(err as Error).message}` } };
      }
      const summary = summarizeTable(text, { target, file: path });
      cache.set(key, { stamp, summary });
      return summary;
    },
    listDir(path) {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
  };
}
