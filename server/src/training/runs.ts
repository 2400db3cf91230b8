import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EpochStats } from './protocol';

/**
 * Runs are data on disk: `<runsDir>/<timestamp>-<model>/` holding the spec snapshot,
 * run.json, history.csv and the trained model. Every file is written to a temporary name
 * and renamed, so a reader (the panel, a script) never sees half a file.
 */
export const DEFAULT_RUNS_DIR = '.modelspec/runs';

export function runsDirFor(specFile: string, configured?: string): string {
  if (!configured) return join(dirname(specFile), DEFAULT_RUNS_DIR);
  return configured.startsWith('/') ? configured : join(dirname(specFile), configured);
}

/** A run folder could not be made or written: what failed, where, and what to do about it. */
export class RunFolderError extends Error {
  override readonly name = 'RunFolderError';
}

/** Folder names stay well under every file system's 255-byte limit, however long a model's name. */
const MAX_NAME = 80;

export function createRunDir(runsDir: string, model: string, now = new Date()): { id: string; dir: string } {
  const stamp = now.toISOString().replace(/[:.]/g, '-').replace('T', '_').replace('Z', '');
  let safe = model.replace(/[^A-Za-z0-9_-]/g, '_');
  if (safe.length > MAX_NAME) safe = `${safe.slice(0, MAX_NAME - 9)}-${createHash('sha1').update(model).digest('hex').slice(0, 8)}`;
  try {
    mkdirSync(runsDir, { recursive: true });
  } catch (err) {
    throw folderError(runsDir, err);
  }
  for (let n = 0; ; n++) {
    const id = `${stamp}-${safe}${n ? `-${n}` : ''}`;
    const dir = join(runsDir, id);
    try {
      mkdirSync(dir);
      return { id, dir };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw folderError(runsDir, err);
    }
  }
}

function folderError(runsDir: string, err: unknown): RunFolderError {
  const code = (err as NodeJS.ErrnoException).code;
  const fix = 'set modelspec.runsDirectory (or --runs-dir) to a folder you can write to';
  const why: Record<string, string> = {
    ENOTDIR: `part of that path is a file, not a folder; move the file or ${fix}`,
    EEXIST: `it is a file, not a folder; move the file or ${fix}`,
    EACCES: `permission denied; ${fix}`,
    EPERM: `permission denied; ${fix}`,
    EROFS: `the file system is read-only; ${fix}`,
    ENOSPC: 'the disk is full; free some space',
    ENAMETOOLONG: `the path is too long for the file system; ${fix} with a shorter path`,
  };
  return new RunFolderError(`Cannot create a run folder in ${runsDir}: ${(code && why[code]) ?? (err as Error).message}.`);
}

export function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function writeJson(path: string, value: unknown): void {
  writeAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

export function historyCsv(rows: readonly EpochStats[]): string {
  const cell = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : String(v));
  return [
    'epoch,loss,accuracy,val_loss,val_accuracy,samples_per_sec,elapsed_ms',
    ...rows.map((r) => [r.epoch, r.loss, r.accuracy, r.valLoss, r.valAccuracy, r.samplesPerSec, r.elapsedMs].map(cell).join(',')),
  ].join('\n') + '\n';
}

/** Runs found in a runs folder, newest first; unreadable entries are skipped. */
export function listRuns(runsDir: string): { id: string; dir: string; run: Record<string, unknown> }[] {
  let names: string[];
  try {
    names = readdirSync(runsDir);
  } catch {
    return [];
  }
  const out: { id: string; dir: string; run: Record<string, unknown> }[] = [];
  for (const id of names.sort().reverse()) {
    const dir = join(runsDir, id);
    try {
      out.push({ id, dir, run: JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) });
    } catch {
      // a run still starting, or not ours
    }
  }
  return out;
}

/**
 * Records how a run ended when its trainer could not (it crashed, or was stopped by force):
 * only a run.json still saying `running` is changed, so a trainer's own record stands.
 */
export function recordEnd(dir: string, status: 'failed' | 'cancelled' | 'interrupted', message: string): void {
  try {
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
    if (run.status !== 'running') return;
    writeJson(join(dir, 'run.json'), { ...run, status, error: message, finishedAt: new Date().toISOString() });
  } catch {
    // No run.json: the trainer failed before it made one, and there is nothing to mark.
  }
}
