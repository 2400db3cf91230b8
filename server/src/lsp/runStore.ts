import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listRuns, writeJson } from '../training/runs';
import type { ComparisonView, RunEpoch, RunOutcome, RunStatus, RunView } from './protocol';

/**
 * Runs as the trainer left them on disk (run.json, history.csv), turned into the views
 * the panel shows, and the comparison records the server writes next to them. Whatever a
 * folder holds that is not a readable run is skipped: a runs folder is shared with
 * other tools and half-deleted runs.
 */
const MAX_RUNS = 300;

export function runsOnDisk(runsDirs: Iterable<string>): RunView[] {
  const runs: RunView[] = [];
  for (const dir of runsDirs) {
    for (const r of listRuns(dir)) {
      const view = runFromJson(r.dir, r.run, readHistory(r.dir));
      if (view) runs.push(view);
    }
  }
  return newestFirst(runs).slice(0, MAX_RUNS);
}

export function newestFirst<T extends { createdAt: string }>(items: T[]): T[] {
  return items.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

function runFromJson(dir: string, run: Record<string, unknown>, history: RunEpoch[]): RunView | undefined {
  if (typeof run.model !== 'string') return undefined;
  // Only a run that had a model to evaluate has an outcome (a fit cancelled half way has none).
  const result = isObject(run.result) && isObject(run.result.metrics) ? (run.result as unknown as RunOutcome) : null;
  const dataset = isObject(run.dataset) ? (run.dataset as unknown as RunView['dataset']) : null;
  return {
    key: dir,
    runDir: dir,
    model: run.model,
    spec: typeof run.spec === 'string' ? run.spec : '',
    kind: run.kind === 'neural' || run.kind === 'classical' ? run.kind : null,
    status: diskStatus(run.status),
    createdAt: str(run.startedAt) ?? '',
    startedAt: str(run.startedAt),
    finishedAt: str(run.finishedAt),
    backend: str(run.backend),
    backendNote: str(run.backendNote),
    epochs: typeof run.epochs === 'number' ? run.epochs : (result?.epochsRun ?? (history.length || null)),
    history,
    estimates: isObject(run.estimates) ? (run.estimates as unknown as RunView['estimates']) : null,
    dataset,
    result,
    error: str(run.error),
    etaMs: null,
  };
}

/** A run.json still saying "running" belongs to a trainer that is gone (the live ones are merged over it). */
function diskStatus(status: unknown): RunStatus {
  switch (status) {
    case 'completed':
    case 'stopped-early':
    case 'cancelled':
    case 'interrupted':
    case 'failed':
      return status;
    default:
      return 'interrupted';
  }
}

export function readHistory(dir: string): RunEpoch[] {
  let text: string;
  try {
    text = readFileSync(join(dir, 'history.csv'), 'utf8');
  } catch {
    return [];
  }
  return parseHistory(text);
}

/** history.csv as runs.ts writes it; unknown columns are ignored and empty cells are absent values. */
export function parseHistory(text: string): RunEpoch[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  if (lines.length < 2) return [];
  const head = lines[0].split(',');
  const col = (name: string) => head.indexOf(name);
  const at = { epoch: col('epoch'), loss: col('loss'), accuracy: col('accuracy'), valLoss: col('val_loss'), valAccuracy: col('val_accuracy'), samplesPerSec: col('samples_per_sec'), elapsedMs: col('elapsed_ms') };
  const rows: RunEpoch[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const num = (i: number) => (i < 0 || cells[i] === undefined || cells[i] === '' ? undefined : Number(cells[i]));
    const epoch = num(at.epoch);
    const loss = num(at.loss);
    if (epoch === undefined || loss === undefined || !Number.isFinite(epoch)) continue;
    rows.push({
      epoch,
      loss,
      ...optional('accuracy', num(at.accuracy)),
      ...optional('valLoss', num(at.valLoss)),
      ...optional('valAccuracy', num(at.valAccuracy)),
      samplesPerSec: num(at.samplesPerSec) ?? 0,
      elapsedMs: num(at.elapsedMs) ?? 0,
    });
  }
  return rows;
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined || !Number.isFinite(value) ? {} : { [key]: value }) as { [P in K]?: number };
}

const COMPARISON_FILE = /^comparison-.*\.json$/;

export function comparisonFile(runsDir: string, id: string): string {
  return join(runsDir, `comparison-${id}.json`);
}

export function writeComparison(runsDir: string, view: ComparisonView): void {
  writeJson(comparisonFile(runsDir, view.id), view);
}

export function comparisonsOnDisk(runsDirs: Iterable<string>): ComparisonView[] {
  const out: ComparisonView[] = [];
  for (const dir of runsDirs) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => COMPARISON_FILE.test(n));
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const c = JSON.parse(readFileSync(join(dir, name), 'utf8')) as ComparisonView;
        if (typeof c.id !== 'string' || !Array.isArray(c.models) || !Array.isArray(c.runs)) continue;
        out.push({ ...c, status: c.status === 'running' ? 'interrupted' : c.status });
      } catch {
        // a comparison being written, or not ours
      }
    }
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, MAX_RUNS);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
