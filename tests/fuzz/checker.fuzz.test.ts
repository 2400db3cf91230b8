// The checker must never throw and always return, quickly, whatever the text: it runs on
// every keystroke in the editor. Deterministic (seeded mulberry32), so a failure here is a
// failure on every machine, and each one names the case that rebuilds it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { suite, type FuzzCase } from './cases';
import { CALL_LIMIT_MS, problemKind } from './invariants';
import type { WorkerInput, WorkerMessage } from './worker';

/** Beyond the per-call limit, the time validation of a huge result may take before we call it a hang. */
const WATCHDOG_MS = CALL_LIMIT_MS + 1_000;
/** A shrink that has not finished by then has met a smaller text that hangs; its hang is found on its own. */
const SHRINK_WATCHDOG_MS = 10_000;
/**
 * Each hang costs a full watchdog period and a new worker: past a few, the core is
 * plainly broken and running thousands more cases would only make the test slow.
 */
const MAX_HANGS = 4;
/** Resolved here, so the worker finds tsx whatever the current directory. */
const TSX_CJS = require.resolve('tsx/cjs');

interface CaseResult {
  readonly ms?: number;
  readonly problems: string[];
}

interface SuiteRun {
  /** Indexed by case; a hole is a case not run because the suite stopped early. */
  readonly results: CaseResult[];
  /** The first shrunk text per problem kind. */
  readonly reproducers: Map<string, string>;
  readonly wallMs: number;
  readonly hangs: number;
}

/**
 * Runs a suite in a worker. A case the worker does not finish within WATCHDOG_MS (a hang)
 * or that kills it (out of memory) is recorded, and a fresh worker takes the next case.
 */
function runSuite(name: WorkerInput['suite'], count: number): Promise<SuiteRun> {
  const results: CaseResult[] = [];
  const reproducers = new Map<string, string>();
  const shrinking = new Set<string>();
  const t0 = performance.now();
  let hangs = 0;
  return new Promise((resolve) => {
    const finish = () => resolve({ results, reproducers, wallMs: performance.now() - t0, hangs });
    const start = (from: number) => {
      if (from >= count || hangs >= MAX_HANGS) return finish();
      // `eval` plus tsx's require hook: a worker does not inherit the parent's --import.
      // The CLI and language server analyse on a main thread with V8's ~1 MB stack; a
      // worker's default 4 MB would hide stack overflows users would hit.
      const worker = new Worker(`require(${JSON.stringify(TSX_CJS)}); require(${JSON.stringify(join(__dirname, 'worker.ts'))});`, {
        eval: true,
        workerData: { suite: name, from, shrunk: [...shrinking] } satisfies WorkerInput,
        resourceLimits: { stackSizeMb: 1 },
      });
      let current = from;
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const stop = (next: number) => {
        stopped = true;
        clearTimeout(timer);
        void worker.terminate();
        start(next);
      };
      let begun = false;
      const abandon = (why: string) => {
        if (stopped) return;
        if (!begun) {
          // A worker that dies before its first case would die again for every case.
          stopped = true;
          clearTimeout(timer);
          results[current] = { problems: [`worker failed to start: ${why}`] };
          return finish();
        }
        if (results[current] === undefined) {
          results[current] = { problems: [why] };
          if (why.startsWith('hang')) hangs++;
        }
        stop(current + 1);
      };
      const watch = (ms: number, why: string) => {
        clearTimeout(timer);
        timer = setTimeout(() => abandon(why), ms);
      };
      worker.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'begin':
            begun = true;
            current = m.index;
            watch(WATCHDOG_MS, `hang: no answer within ${WATCHDOG_MS} ms (worker stopped)`);
            break;
          case 'end':
            clearTimeout(timer);
            results[m.index] = { ms: m.ms, problems: m.problems };
            break;
          case 'shrinking':
            shrinking.add(m.kind);
            watch(SHRINK_WATCHDOG_MS, 'shrink stopped');
            break;
          case 'reproducer':
            clearTimeout(timer);
            if (!reproducers.has(m.kind)) reproducers.set(m.kind, m.text);
            break;
          case 'done':
            stopped = true;
            void worker.terminate();
            finish();
        }
      });
      worker.on('error', (err) => abandon(`worker crashed: ${err.message}`));
      worker.on('exit', (code) => abandon(`worker exited with code ${code}`));
    };
    start(0);
  });
}

/** Failures grouped by kind, each with the first case that showed it and a shrunk text (or the start of the case's own). */
function describeFailures(cases: readonly FuzzCase[], run: SuiteRun): string {
  const byKind = new Map<string, { count: number; index: number; problem: string }>();
  run.results.forEach((r, index) => {
    for (const problem of r.problems) {
      const kind = problemKind(problem);
      const seen = byKind.get(kind);
      if (seen) seen.count++;
      else byKind.set(kind, { count: 1, index, problem });
    }
  });
  return [...byKind]
    .map(([kind, f]) => {
      const shrunk = run.reproducers.get(kind);
      const text = shrunk === undefined ? `text starts: ${JSON.stringify(cases[f.index].text().slice(0, 300))}` : `shrunk reproducer: ${JSON.stringify(shrunk)}`;
      return `${f.count} x ${f.problem}\n    first in ${cases[f.index].name}; ${text}`;
    })
    .join('\n');
}

function slowest(cases: readonly FuzzCase[], run: SuiteRun, n: number): string {
  return cases
    .flatMap((c, i) => (run.results[i] ? [{ ms: run.results[i].ms ?? Infinity, name: c.name }] : []))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n)
    .map((s) => `${s.name}: ${Number.isFinite(s.ms) ? `${Math.round(s.ms)} ms` : 'stopped'}`)
    .join('; ');
}

test('thousands of mangled samples: the checker returns in time with placeable diagnostics and finite estimates', async (t) => {
  const cases = suite('mangled');
  assert.ok(cases.length >= 3_000, `${cases.length} cases`);
  const run = await runSuite('mangled', cases.length);
  const ran = run.results.filter(Boolean).length;
  const failed = run.results.filter((r) => r.problems.length > 0).length;
  t.diagnostic(`${ran} of ${cases.length} cases in ${(run.wallMs / 1000).toFixed(1)} s; slowest: ${slowest(cases, run, 3)}`);
  const notRun = ran < cases.length ? `\nstopped after ${run.hangs} hangs: ${cases.length - ran} cases not run` : '';
  assert.equal(failed + (cases.length - ran), 0, `${failed} of ${ran} cases broke an invariant:\n${describeFailures(cases, run)}${notRun}`);
});

describe('targeted extremes: deep nesting, huge counts, very long lines, recursion, many declarations', () => {
  const cases = suite('targeted');
  let run: SuiteRun;
  before(async () => {
    run = await runSuite('targeted', cases.length);
  });
  after(() => {
    // The figures the issue asks to be recorded.
    console.log(`# targeted: ${run.results.filter(Boolean).length} of ${cases.length} cases in ${(run.wallMs / 1000).toFixed(1)} s; slowest: ${slowest(cases, run, 4)}`);
  });
  cases.forEach((c, i) => {
    test(c.name, () => {
      const r = run.results[i];
      assert.ok(r, `not run: the suite stopped after ${run.hangs} hangs`);
      assert.deepEqual(r.problems, [], `${c.name} (${r.ms === undefined ? 'stopped' : `${Math.round(r.ms)} ms`})`);
      assert.ok(r.ms !== undefined && r.ms <= CALL_LIMIT_MS);
    });
  });
});
