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

export function createRunDir(runsDir: string, model: string, now = new Date()): { id: string; dir: string } {
  const stamp = now.toISOString().replace(/[:.]/g, '-').replace('T', '_').replace('Z', '');
  const safe = model.replace(/[^A-Za-z0-9_-]/g, '_');
  mkdirSync(runsDir, { recursive: true });
  for (let n = 0; ; n++) {
    const id = `${stamp}-${safe}${n ? `-${n}` : ''}`;
    const dir = join(runsDir, id);
    try {
      mkdirSync(dir);
      return { id, dir };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
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
