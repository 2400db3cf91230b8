import { readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { AnalysisHost, DataTableAnswer, PendingTable } from '../analysis/host';
import { readHeader, statSource, summarizeFileAsync, summarizeFileSync } from './files';
import { fail, type TableFailure, type TableSummary } from './table';

export interface NodeHostOptions {
  /**
   * Folders data may be read from. Absent (or a getter answering undefined): any readable
   * file. Set: files elsewhere (symbolic links followed) are reported with the code
   * `dataset-outside-workspace` and never opened, and their folders are not listed. A
   * getter is read at every call, so a change of trust applies at once.
   */
  readonly allowedRoots?: readonly string[] | (() => readonly string[] | undefined);
  /**
   * Summarise files over SYNC_LIMIT in the background: `dataTable` answers pending (with
   * the header when it can be read at once) until the summary is ready, then
   * `onDataReady` listeners hear of it. The language server does this so that no edit
   * waits for a large file; the CLI and the trainer read synchronously.
   */
  readonly background?: boolean;
}

/** In the background mode, files up to this size are still read on the spot: a few milliseconds. */
export const SYNC_LIMIT = 1024 * 1024;

/** Summaries kept; the oldest go first. */
const MAX_CACHED = 64;

type Answer = TableSummary | TableFailure;

/**
 * File-system host for the analysis. Summaries (and failures) are cached by path, target
 * column and file stamp (size + mtime), so re-analysing on every keystroke does not
 * re-read a CSV that has not changed.
 */
export function createNodeHost(options: NodeHostOptions = {}): AnalysisHost {
  const cache = new Map<string, { stamp: string; answer: Answer }>();
  const running = new Map<string, { stamp: string; pending: PendingTable }>();
  const listeners: ((path: string) => void)[] = [];
  const roots = typeof options.allowedRoots === 'function' ? options.allowedRoots : () => options.allowedRoots as readonly string[] | undefined;
  const realRoots = new Map<string, string>();

  /** Undefined when `path` may be read; else the failure to report. */
  const outside = (path: string): TableFailure | undefined => {
    const allowed = roots();
    if (!allowed) return undefined;
    const real = realPath(path);
    const inside = allowed.some((root) => {
      let r = realRoots.get(root);
      if (r === undefined) realRoots.set(root, (r = realPath(root)));
      return real === r || real.startsWith(r.endsWith(sep) ? r : r + sep);
    });
    if (inside) return undefined;
    return fail(
      'dataset-outside-workspace',
      `${path} is outside the workspace folders. This workspace is not trusted, so Modelspec reads no data outside its folders; copy the file into the workspace, or trust the workspace to use it.`,
    );
  };

  const remember = (key: string, stamp: string, answer: Answer): Answer => {
    cache.delete(key);
    cache.set(key, { stamp, answer });
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
    return answer;
  };

  const startBackground = (path: string, target: string | undefined, key: string, stamp: string, size: number): PendingTable => {
    const pending: PendingTable = { pending: true, bytes: size, columns: readHeader(path) ?? [] };
    running.set(key, { stamp, pending });
    void summarizeFileAsync(path, { target, file: path }, size)
      .catch((err: unknown) => fail('dataset-read', `Cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`))
      .then((answer) => {
        if (running.get(key)?.pending === pending) running.delete(key);
        // A file that changed while it was read is read again when next asked for.
        const now = statSource(path);
        if (now && !('error' in now) && stampOf(now) === stamp) remember(key, stamp, answer);
        for (const l of listeners) {
          try {
            l(path);
          } catch {
            // A listener's failure is its own; the others still hear.
          }
        }
      });
    return pending;
  };

  return {
    dataTable(path, target): DataTableAnswer {
      const refused = outside(path);
      if (refused) return refused;
      const stat = statSource(path);
      if (!stat || 'error' in stat) return stat;
      const stamp = stampOf(stat);
      const key = `${path}\0${target ?? ''}`;
      const hit = cache.get(key);
      if (hit && hit.stamp === stamp) return hit.answer;
      if (options.background && stat.size > SYNC_LIMIT) {
        const job = running.get(key);
        if (job && job.stamp === stamp) return job.pending;
        return startBackground(path, target, key, stamp, stat.size);
      }
      return remember(key, stamp, summarizeFileSync(path, { target, file: path }, stat.size));
    },
    listDir(path) {
      if (outside(path)) return [];
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
    onDataReady(listener) {
      listeners.push(listener);
    },
  };
}

function stampOf(stat: { size: number; mtimeMs: number }): string {
  return `${stat.size}:${stat.mtimeMs}`;
}

/** The path with symbolic links resolved, as far as it exists; the rest as written. */
function realPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(realPath(parent), basename(absolute));
  }
}
