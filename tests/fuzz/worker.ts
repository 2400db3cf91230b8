// Runs fuzz cases off the test's main thread, so a call that never returns can be cut off
// by the parent's watchdog instead of hanging the test run.
import { parentPort, workerData } from 'node:worker_threads';
import { suite } from './cases';
import { checkOnce, problemKind, samplesHost } from './invariants';
import { shrink } from './shrink';

export interface WorkerInput {
  readonly suite: 'mangled' | 'targeted';
  readonly from: number;
  /** Problem kinds already shrunk by an earlier worker of this run. */
  readonly shrunk: readonly string[];
}

export type WorkerMessage =
  | { readonly type: 'begin'; readonly index: number }
  | { readonly type: 'end'; readonly index: number; readonly ms: number; readonly problems: string[] }
  // Sent before shrinking, since a smaller candidate may hang where the original did not.
  | { readonly type: 'shrinking'; readonly kind: string }
  | { readonly type: 'reproducer'; readonly kind: string; readonly text: string }
  | { readonly type: 'done' };

// Shrinking costs many analyses: one reproducer per distinct problem, from small texts only.
const SHRINK_LIMIT_CHARS = 20_000;

const input = workerData as WorkerInput;
const cases = suite(input.suite);
const host = samplesHost();
const shrunk = new Set(input.shrunk);
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

for (let index = input.from; index < cases.length; index++) {
  const c = cases[index];
  post({ type: 'begin', index });
  const text = c.text();
  const outcome = checkOnce(text, c.file, host, c.expect);
  post({ type: 'end', index, ms: outcome.ms, problems: outcome.problems });
  for (const p of outcome.problems) {
    const kind = problemKind(p);
    if (shrunk.has(kind) || text.length > SHRINK_LIMIT_CHARS || kind.startsWith('slow')) continue;
    shrunk.add(kind);
    post({ type: 'shrinking', kind });
    const small = shrink(text, (t) => checkOnce(t, c.file, host).problems.some((q) => problemKind(q) === kind));
    post({ type: 'reproducer', kind, text: small });
  }
}
post({ type: 'done' });
