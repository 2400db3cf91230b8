// An incremental analysis must be indistinguishable from a full one: after every edit of
// long random edit sequences, the whole Analysis (syntax tree and every range in it,
// diagnostics, model summaries and rows, references, datasets) must deep-equal what
// analyze() gives for the same text. And it must reuse what an edit did not touch, or
// it would be a slow full analysis in disguise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { analyze } from '../../../server/src/analysis/analyze';
import type { AnalysisHost } from '../../../server/src/analysis/host';
import { IncrementalAnalyzer } from '../../../server/src/analysis/incremental';
import type { Analysis } from '../../../server/src/analysis/model';
import { mulberry32, type Random } from '../../../server/src/util/random';
import { loadSamples, mangle, MUTATIONS, type Sample } from '../../fuzz/cases';
import { samplesHost } from '../../fuzz/invariants';

const host = samplesHost();
const samples = loadSamples();

const int = (r: Random, n: number) => Math.floor(r() * n);
const pick = <T>(r: Random, items: readonly T[]): T => items[int(r, items.length)];

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function insertAt(text: string, at: number, piece: string): string {
  return text.slice(0, at) + piece + text.slice(at);
}

function removeOne(text: string, r: Random, pattern: RegExp): string {
  const hits = [...text.matchAll(pattern)];
  if (hits.length === 0) return text;
  const h = pick(r, hits);
  return text.slice(0, h.index) + text.slice((h.index ?? 0) + h[0].length);
}

/** Edits aimed at the seams an incremental parse must get right, besides the fuzz test's mutations. */
const EDITS: Record<string, (text: string, r: Random) => string> = {
  typeCharacter: (t, r) => insertAt(t, int(r, t.length + 1), pick(r, ['a', 'x', '1', '0', ' ', '(', ')', ',', ':', '.', '_'])),
  deleteCharacter: (t, r) => {
    const at = int(r, t.length);
    return t.slice(0, at) + t.slice(at + 1);
  },
  blankLines: (t, r) => insertAt(t, pick(r, lineStarts(t)), '\n'.repeat(1 + int(r, 3))),
  joinLines: (t, r) => removeOne(t, r, /\n/g),
  dropClosingBrace: (t, r) => removeOne(t, r, /}/g),
  closeBraceEarly: (t, r) => insertAt(t, pick(r, lineStarts(t)), '}\n'),
  splitDeclaration: (t, r) => insertAt(t, pick(r, lineStarts(t)), `}\nmodel Split${int(r, 5)} {\n  input: [4]\n`),
  mergeDeclarations: (t, r) => removeOne(t, r, /^}\s*$\n?/gm),
  keywordAtLineStart: (t, r) => insertAt(t, pick(r, lineStarts(t)), pick(r, ['model ', 'block ', 'dataset ', 'compare ', 'model M {\n', 'block B(f) {\n  dense(f)\n}\n'])),
  openComment: (t, r) => insertAt(t, int(r, t.length + 1), '/*'),
  closeComment: (t, r) => (r() < 0.5 ? removeOne(t, r, /\*\//g) : insertAt(t, int(r, t.length + 1), '*/')),
  openString: (t, r) => insertAt(t, int(r, t.length + 1), '"'),
  renameDeclaration: (t, r) => {
    const names = [...t.matchAll(/\b(?:model|block|dataset) ([A-Za-z_]\w*)/g)];
    if (names.length < 2) return t;
    const target = pick(r, names);
    const start = (target.index ?? 0) + target[0].length - target[1].length;
    return t.slice(0, start) + pick(r, names)[1] + t.slice(start + target[1].length);
  },
  changeNumber: (t, r) => {
    const hits = [...t.matchAll(/\b\d+\b/g)];
    if (hits.length === 0) return t;
    const h = pick(r, hits);
    return t.slice(0, h.index) + String(1 + int(r, 300)) + t.slice((h.index ?? 0) + h[0].length);
  },
};

const ALL_EDITS: [string, (text: string, r: Random) => string][] = [
  ...Object.entries(EDITS),
  ...Object.entries(MUTATIONS).map(([name, m]) => [name, (t: string, r: Random) => m(t, r, samples)] as [string, (text: string, r: Random) => string]),
];

/** The first place two values differ, as a path, for a failure message worth reading. */
function difference(a: unknown, b: unknown, path = 'analysis'): string {
  if (isDeepStrictEqual(a, b)) return '';
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path}: ${String(a)} ≠ ${String(b)}`;
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return `${path}: ${a.size} entries ≠ ${b.size}`;
    for (const [k, v] of a) {
      const d = difference(v, b.get(k), `${path}.get(${String(k)})`);
      if (d) return d;
    }
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = difference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return `${path}: differs`;
}

/** Runs `versions` through one incremental analyzer, comparing each analysis with a full one. */
function assertSameAsFull(file: string, versions: Iterable<{ text: string; label: string }>, analyzer = new IncrementalAnalyzer(file, host)): number {
  let count = 0;
  let previous = '';
  for (const { text, label } of versions) {
    const incremental = analyzer.analyze(text);
    const full = analyze(text, { file, host });
    if (!isDeepStrictEqual(incremental, full)) {
      assert.fail(`${label}: ${difference(incremental, full)}\n--- edited from ---\n${JSON.stringify(previous)}\n--- to ---\n${JSON.stringify(text)}`);
    }
    previous = text;
    count++;
  }
  return count;
}

/** A random walk of edits from a sample, now and then going back to an earlier version (undo). */
function* editWalk(sample: Sample, steps: number, seed: number): Generator<{ text: string; label: string }> {
  const r = mulberry32(seed);
  const history = [sample.text];
  let text = sample.text;
  const applied: string[] = [];
  yield { text, label: `${sample.name} as written` };
  for (let i = 0; i < steps; i++) {
    if (r() < 0.08) {
      text = pick(r, history);
      applied.push('undo');
    } else {
      const [name, edit] = pick(r, ALL_EDITS);
      text = edit(text, r);
      applied.push(name);
    }
    history.push(text);
    if (history.length > 20) history.shift();
    yield { text, label: `${sample.name}, seed ${seed}, after ${applied.join(', ')}` };
  }
}

test('every sample, through random edit sequences, analyses incrementally exactly as in full', () => {
  let checked = 0;
  for (const [i, sample] of samples.entries()) {
    for (let walk = 0; walk < 4; walk++) checked += assertSameAsFull(sample.file, editWalk(sample, 60, 1000 * i + walk));
  }
  assert.ok(checked >= samples.length * 4 * 60);
});

test('the fuzz corpus, each mangled variant as an edit of its sample and back, analyses incrementally exactly as in full', () => {
  for (const sample of samples) {
    const versions = function* () {
      for (let i = 0; i < 40; i++) {
        yield { text: mangle(sample, i, samples).text, label: `${sample.name} variant ${i}` };
        if (i % 4 === 0) yield { text: sample.text, label: `${sample.name} restored after variant ${i}` };
      }
    };
    assertSameAsFull(sample.file, versions());
  }
});

/** Every sample in one file, so edits meet many declarations before and after them. */
function bigFile(): string {
  return samples.map((s) => s.text.replace(/"data\//g, '"../samples/data/')).join('\n\n');
}

test('a large file through random edits analyses incrementally exactly as in full', () => {
  const file = `${samples[0].file.replace(/[^/]+$/, '')}all.model`;
  assertSameAsFull(file, editWalk({ name: 'all samples', file, text: bigFile() }, 150, 77));
});

test('an edit inside one model re-checks that model only; the others are reused as they were', () => {
  const file = samples[0].file;
  const text = bigFile();
  const analyzer = new IncrementalAnalyzer(file, host);
  const before = analyzer.analyze(text);
  assert.ok(before.models.length >= 6);
  const target = before.models[Math.floor(before.models.length / 2)];
  // One more blank line before the model's closing brace: every later declaration moves down a line.
  const end = target.decl.range.end;
  const offset = lineStarts(text)[end.line];
  const after = analyzer.analyze(insertAt(text, offset, '\n'));
  const reused = after.models.filter((m, i) => m === before.models[i]);
  assert.equal(after.models.length, before.models.length);
  assert.ok(!after.models.includes(target), 'the edited model is checked again');
  assert.equal(reused.length, before.models.length - 1, 'every other model is reused');
  assert.ok(isDeepStrictEqual(after, analyze(insertAt(text, offset, '\n'), { file, host })));
});

test('an edit in a block re-checks the models that use it, and only those', () => {
  const file = '/work/project/blocks.model';
  const text = [
    'block Unit(f) {\n  dense(f, activation: relu)\n}',
    'block Other(f) {\n  dense(f)\n}',
    'model UsesUnit {\n  input: [8]\n  Unit(4)\n  dense(2, activation: softmax)\n}',
    'model UsesOther {\n  input: [8]\n  Other(4)\n  dense(2, activation: softmax)\n}',
    'model Plain {\n  input: [8]\n  dense(2, activation: softmax)\n}',
    '',
  ].join('\n');
  const memory: AnalysisHost = { dataTable: () => undefined, listDir: () => [] };
  const analyzer = new IncrementalAnalyzer(file, memory);
  const before = analyzer.analyze(text);
  const edited = text.replace('dense(f, activation: relu)', 'dense(f * 2, activation: relu)');
  const after = analyzer.analyze(edited);
  const byName = (a: Analysis, name: string) => a.models.find((m) => m.name === name)!;
  assert.notEqual(byName(after, 'UsesUnit'), byName(before, 'UsesUnit'));
  assert.equal(byName(after, 'UsesUnit').totals.trainable, 8n * 8n + 8n + 8n * 2n + 2n);
  assert.equal(byName(after, 'UsesOther'), byName(before, 'UsesOther'));
  assert.equal(byName(after, 'Plain'), byName(before, 'Plain'));
  assert.ok(isDeepStrictEqual(after, analyze(edited, { file, host: memory })));
});
