// concat, if/else, comparisons and in_channels under random edits: the incremental analysis
// must equal a full one after every edit, and every version must keep the checker's
// invariants (no throw, in time, diagnostics in range, honest estimates), the same checks
// the fuzz suite makes on the samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { analyze } from '../../../server/src/analysis/analyze';
import type { AnalysisHost } from '../../../server/src/analysis/host';
import { IncrementalAnalyzer } from '../../../server/src/analysis/incremental';
import { mulberry32, type Random } from '../../../server/src/util/random';
import { loadSamples, MUTATIONS, type Sample } from '../../fuzz/cases';
import { checkOnce } from '../../fuzz/invariants';

const DIR = resolve(__dirname, '../../export/architectures');
const host: AnalysisHost = { dataTable: () => undefined, listDir: () => [] };
const samples = loadSamples();
const fixtures: Sample[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.model'))
  .sort()
  .map((f) => ({ name: f, file: join(DIR, f), text: readFileSync(join(DIR, f), 'utf8') }));

const int = (r: Random, n: number) => Math.floor(r() * n);
const pick = <T>(r: Random, items: readonly T[]): T => items[int(r, items.length)];
const insertAt = (t: string, at: number, piece: string) => t.slice(0, at) + piece + t.slice(at);

/** Pieces of the new syntax, whole and broken, dropped anywhere. */
const PIECES = ['concat {', 'concat { { } { relu } }', '{ }', '{', '}', 'if ', 'if t != 1 {', ' else ', 'else {', ' == ', ' != ', ' <= ', ' >= ', ' < ', ' > ', '!', '=', ' and ', ' or ', 'not ', 'in_channels', 'in_shape', 'in_channels / 2', 'in_shape[0]', 'in_shape[-1] * 2', '[', 'repeat 0 { relu }', 'repeat -1 {'];

function edit(t: string, r: Random): string {
  const roll = r();
  if (roll < 0.45) return insertAt(t, int(r, t.length + 1), pick(r, PIECES));
  if (roll < 0.6) {
    const at = int(r, t.length);
    return t.slice(0, at) + t.slice(at + 1 + int(r, 6));
  }
  if (roll < 0.7) {
    const hits = [...t.matchAll(/==|!=|<=|>=|\band\b|\bor\b|\bnot\b|\bconcat\b|\bif\b|\belse\b/g)];
    if (!hits.length) return t;
    const h = pick(r, hits);
    return t.slice(0, h.index) + pick(r, ['==', '<', 'and', 'or', 'if', 'concat', '']) + t.slice((h.index ?? 0) + h[0].length);
  }
  return pick(r, Object.values(MUTATIONS))(t, r, samples);
}

test('the architectures through random edits of their structure analyse incrementally exactly as in full, within the invariants', () => {
  let checked = 0;
  for (const [i, sample] of fixtures.entries()) {
    for (let walk = 0; walk < 3; walk++) {
      const r = mulberry32(4242 + 100 * i + walk);
      const analyzer = new IncrementalAnalyzer(sample.file, host);
      let text = sample.text;
      const steps: string[] = [];
      for (let step = 0; step < 40; step++) {
        const incremental = analyzer.analyze(text);
        const full = analyze(text, { file: sample.file, host });
        if (!isDeepStrictEqual(incremental, full)) assert.fail(`${sample.name}, walk ${walk}, after ${steps.length} edits: incremental differs from full\n${JSON.stringify(text)}`);
        if (step % 4 === 0) {
          const outcome = checkOnce(text, sample.file, host);
          assert.deepEqual(outcome.problems, [], `${sample.name}, walk ${walk}: ${JSON.stringify(text)}`);
        }
        checked++;
        text = edit(text, r);
        steps.push('edit');
      }
    }
  }
  assert.ok(checked >= fixtures.length * 3 * 40);
});
