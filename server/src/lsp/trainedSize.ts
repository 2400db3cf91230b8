import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../analysis/analyze';
import type { AnalysisHost } from '../analysis/host';
import type { Analysis, ModelAnalysis } from '../analysis/model';
import { listRuns } from '../training/runs';

/** The size a classical model trained to, from a stored run of the same settings and data. */
export interface TrainedSize {
  readonly params: bigint;
  /** When the run finished (ISO), for "run of <date>". */
  readonly finishedAt: string;
  readonly runDir: string;
}

/** Looks up the trained size of a model of the analysed document; undefined when no run matches. */
export type TrainedSizeLookup = (model: string) => TrainedSize | undefined;

/**
 * What fixes a classical model's trained size: the estimator and its arguments (defaults
 * applied), the seed (a forest's bootstrap draws) and the data as declared. Undefined for
 * a model that is not a resolved classical one.
 */
export function fitKey(m: ModelAnalysis): string | undefined {
  const d = m.dataset;
  if (m.kind !== 'classical' || !m.estimator || !d) return undefined;
  const data = { kind: d.kind, path: d.path ?? null, target: d.target ?? null, synthetic: d.synthetic ?? null, shape: d.shape ?? null, testSplit: d.testSplit, normalize: d.normalize, seed: d.seed };
  return JSON.stringify({ estimator: m.estimator.entry.name, args: sortedArgs(m.estimator.args), seed: m.train.seed, data });
}

function sortedArgs(args: Readonly<Record<string, unknown>>): [string, unknown][] {
  return Object.entries(args)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
}

/**
 * How long a listing of a runs folder is reused. Reading every run.json costs about 0.2 ms a
 * run (13 ms for 60), and lenses are asked for at every edit; a run this server trains
 * clears the listing when it ends, so only runs finished elsewhere (the CLI) wait this long.
 */
const LISTING_TTL_MS = 5_000;

type Listing = ReturnType<typeof listRuns>;

/**
 * Stored classical runs, read for the code lens and the hover: for each model, the newest
 * completed run whose spec snapshot gives that model the same fit key and whose data had the
 * same rows, training samples and classes as the data has now. A run folder's snapshot
 * never changes once the run has ended, so its key is worked out once per folder.
 */
export class TrainedSizes {
  private readonly keys = new Map<string, string | null>();
  private readonly listings = new Map<string, { readonly at: number; readonly mtimeMs: number; readonly runs: Listing }>();

  constructor(
    private readonly host: AnalysisHost,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forgets the folder listings: a run has ended. */
  invalidate(): void {
    this.listings.clear();
  }

  /** The runs of a folder, listed again when it has gained or lost a run, or the listing is older than LISTING_TTL_MS. */
  private runsIn(runsDir: string): Listing {
    let mtimeMs = -1;
    try {
      mtimeMs = statSync(runsDir).mtimeMs;
    } catch {
      return [];
    }
    const cached = this.listings.get(runsDir);
    if (cached && cached.mtimeMs === mtimeMs && this.now() - cached.at < LISTING_TTL_MS) return cached.runs;
    const runs = listRuns(runsDir);
    this.listings.set(runsDir, { at: this.now(), mtimeMs, runs });
    return runs;
  }

  lookup(analysis: Analysis, runsDir: string): TrainedSizeLookup {
    const wanted = new Map<string, { model: ModelAnalysis; key: string }>();
    for (const m of analysis.models) {
      const key = fitKey(m);
      if (key) wanted.set(m.name, { model: m, key });
    }
    if (wanted.size === 0) return () => undefined;
    const found = new Map<string, TrainedSize>();
    const runs = this.runsIn(runsDir)
      .filter(({ run }) => run.kind === 'classical' && run.status === 'completed' && typeof run.model === 'string' && wanted.has(run.model))
      .sort((a, b) => String(b.run.finishedAt ?? '').localeCompare(String(a.run.finishedAt ?? '')));
    for (const { dir, run } of runs) {
      const name = run.model as string;
      if (found.has(name)) continue;
      const want = wanted.get(name)!;
      const size = trainedParams(run);
      if (size === undefined || !sameData(run, want.model) || this.snapshotKey(dir, run, name) !== want.key) continue;
      found.set(name, { params: size, finishedAt: String(run.finishedAt ?? ''), runDir: dir });
    }
    return (model) => found.get(model);
  }

  /** The fit key of `model` as the run's spec snapshot declares it, analysed where the spec was so its data paths resolve alike. */
  private snapshotKey(dir: string, run: Record<string, unknown>, model: string): string | null {
    const cached = this.keys.get(dir);
    if (cached !== undefined) return cached;
    let key: string | null = null;
    try {
      const text = readFileSync(join(dir, 'spec.model'), 'utf8');
      const file = typeof run.spec === 'string' ? run.spec : join(dir, 'spec.model');
      const m = analyze(text, { file, host: this.host }).models.find((x) => x.name === model);
      key = (m && fitKey(m)) ?? null;
    } catch {
      // A snapshot that cannot be read or analysed matches nothing.
    }
    this.keys.set(dir, key);
    return key;
  }
}

function trainedParams(run: Record<string, unknown>): bigint | undefined {
  const result = run.result as { params?: { total?: unknown } } | undefined;
  const total = result?.params?.total;
  if (typeof total === 'number' && Number.isSafeInteger(total) && total >= 0) return BigInt(total);
  if (typeof total === 'string' && /^\d+$/.test(total)) return BigInt(total);
  return undefined;
}

/** The run's data had as many rows, training samples and classes as the dataset has now (a CSV file edited since trains to another size). */
function sameData(run: Record<string, unknown>, m: ModelAnalysis): boolean {
  const d = run.dataset as { rows?: unknown; train?: unknown; classes?: unknown } | undefined;
  const now = m.dataset;
  if (!d || !now) return false;
  return d.rows === now.rows && d.train === now.trainSamples && d.classes === now.classes;
}
