// Runs fuzz cases off the test's main thread, so a call that never returns can be cut off
// by the parent's watchdog instead of hanging the test run.
import { parentPort, workerData } from 'node:worker_threads';
import { suite } from './cases';
import { checkOnce, problemKind, samplesHost } from './invariants';
import { shrink } from './shrink';

export interface WorkerInput {
  readonly suite: 'mangled' | 'targeted';
  readonly from: number;
}

export type WorkerMessage =
  | { readonly type: 'begin'; readonly index: number }
  | { readonly type: 'end'; readonly index: number; readonly ms: number; readonly problems: string[]; readonly reproducers: Record<string, string> }
  | { readonly type: 'done' };

// Shrinking a failure costs many analyses; one reproducer per distinct problem is enough.
const SHRINK_LIMIT_CHARS = 20_000;

const input = workerData as WorkerInput;
const cases = suite(input.suite);
const host = samplesHost();
const shrunk = new Set<string>();
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

for (let index = input.from; index < cases.length; index++) {
  const c = cases[index];
  post({ type: 'begin', index });
  const text = c.text();
  const outcome = checkOnce(text, c.file, host);
  const reproducers: Record<string, string> = {};
  for (const p of outcome.problems) {
    const kind = problemKind(p);
    if (shrunk.has(kind) || text.length > SHRINK_LIMIT_CHARS || kind.startsWith('slow')) continue;
    shrunk.add(kind);
    reproducers[kind] = shrink(text, (t) => checkOnce(t, c.file, host).problems.some((q) => problemKind(q) === kind));
  }
  post({ type: 'end', index, ms: outcome.ms, problems: outcome.problems, reproducers });
}
post({ type: 'done' });
