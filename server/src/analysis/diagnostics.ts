import type { Range } from '../language/position';
import type { Severity } from '../catalog/types';
import { clip } from '../util/clip';
import { withSeparators } from '../util/format';

/**
 * A finding about the text. `code` is stable (documented in docs/diagnostics.md and
 * tested one example each); `data` carries what a quick fix needs.
 */
export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly range: Range;
  readonly data?: DiagnosticData;
}

export interface DiagnosticData {
  /** Replacement candidates for the text at `range` ("did you mean"). */
  readonly suggestions?: readonly string[];
  readonly [key: string]: unknown;
}

interface CodeInfo {
  readonly severity: Severity;
  readonly summary: string;
}

/** Every code the checker can emit, with its default severity. The docs are generated from this table. */
export const CODES = {
  // syntax
  'syntax-error': { severity: 'error', summary: 'The text does not follow the grammar.' },
  'unexpected-character': { severity: 'error', summary: 'A character that cannot start any token.' },
  'unterminated-string': { severity: 'error', summary: 'A string without its closing quote.' },
  'unterminated-comment': { severity: 'error', summary: 'A /* comment without */.' },
  'invalid-number': { severity: 'error', summary: 'A malformed number such as 1e or 3x3.' },
  'unclosed-bracket': { severity: 'error', summary: 'A ( or [ without its closing bracket.' },
  'unclosed-brace': { severity: 'error', summary: 'A { without its closing }.' },
  'one-setting-per-line': { severity: 'error', summary: 'Several settings on one line (`epochs: 30, loss: mse`); each goes on a line of its own.' },
  'nesting-too-deep': { severity: 'error', summary: 'More than 200 nested brackets or bodies, or blocks used 100 levels deep.' },
  // names
  'duplicate-declaration': { severity: 'error', summary: 'Two datasets, blocks or models share a name.' },
  'unknown-layer': { severity: 'error', summary: 'A layer, estimator or block name that does not exist.' },
  'unknown-argument': { severity: 'error', summary: 'An argument name the layer does not take.' },
  'unknown-reference': { severity: 'error', summary: 'A dataset or model name that is not declared.' },
  'unknown-property': { severity: 'error', summary: 'A setting that does not exist in this section.' },
  'unknown-value': { severity: 'error', summary: 'An identifier that is not one of the allowed values.' },
  'unused-declaration': { severity: 'info', summary: 'A dataset or block that nothing uses.' },
  // arguments
  'duplicate-argument': { severity: 'error', summary: 'The same argument given twice.' },
  'duplicate-property': { severity: 'error', summary: 'The same setting given twice.' },
  'missing-argument': { severity: 'error', summary: 'A required argument is missing.' },
  'too-many-arguments': { severity: 'error', summary: 'More positional arguments than the layer takes.' },
  'positional-after-named': { severity: 'error', summary: 'A positional argument after a named one.' },
  'argument-type': { severity: 'error', summary: 'A value of the wrong type.' },
  'value-out-of-range': { severity: 'error', summary: 'A value outside its allowed range.' },
  'invalid-expression': { severity: 'error', summary: 'Arithmetic, a comparison or and/or/not on values of the wrong kind, division by zero, or in_channels outside a block.' },
  // structure
  'mixed-model': { severity: 'error', summary: 'Neural layers and a classical estimator in one model.' },
  'multiple-estimators': { severity: 'error', summary: 'More than one classical estimator in a model.' },
  'empty-model': { severity: 'error', summary: 'A model without layers or estimator.' },
  'missing-input': { severity: 'error', summary: 'A model with neither data nor input shape.' },
  'block-cycle': { severity: 'error', summary: 'Blocks that use each other in a cycle.' },
  'misplaced-item': { severity: 'error', summary: 'A train section or setting where it does not belong.' },
  // shapes
  'rank-mismatch': { severity: 'error', summary: 'A layer receives a tensor of the wrong rank.' },
  'kernel-too-large': { severity: 'error', summary: 'A kernel or pooling window larger than its input.' },
  'groups-mismatch': { severity: 'error', summary: 'Channels or filters not divisible by groups.' },
  'dense-on-spatial': { severity: 'warning', summary: 'dense on an image tensor where flatten was probably meant.' },
  'heads-not-dividing': { severity: 'error', summary: 'Attention heads do not divide the model width.' },
  'sequence-too-long': { severity: 'error', summary: 'A sequence longer than the positional embedding.' },
  'index-out-of-range': { severity: 'error', summary: 'take_token reads a position the sequence does not have.' },
  'residual-shape': { severity: 'error', summary: "A residual branch changes the shape and has no usable projection." },
  'concat-shape': { severity: 'error', summary: 'The paths of a concat disagree on an axis other than the last, or on the rank.' },
  'reshape-size': { severity: 'error', summary: 'reshape to a different element count.' },
  'input-shape-mismatch': { severity: 'error', summary: "The model's input does not match its dataset." },
  'tied-without-embedding': { severity: 'error', summary: 'A tied output layer without an embedding to share.' },
  'tied-shape': { severity: 'error', summary: "A tied output whose size differs from the embedding's." },
  // data and training
  'output-classes': { severity: 'error', summary: "Output units differ from the data's class count." },
  'loss-activation': { severity: 'warning', summary: 'The loss does not fit the last activation.' },
  'loss-labels': { severity: 'error', summary: 'The loss does not fit the labels.' },
  'softmax-binary-loss': { severity: 'warning', summary: 'A softmax output with a binary loss.' },
  'dataset-missing-file': { severity: 'error', summary: 'A dataset file that does not exist.' },
  'dataset-not-file': { severity: 'error', summary: 'A dataset source that is a folder, a named pipe, a device or a loop of symbolic links, not a file.' },
  'dataset-outside-workspace': { severity: 'error', summary: 'In an untrusted workspace, a dataset file outside the workspace folders (it is not read).' },
  'dataset-pending': { severity: 'info', summary: 'A large dataset file still being read in the background; the checks that need its rows and classes follow.' },
  'dataset-read': { severity: 'error', summary: 'A dataset file that cannot be read as CSV.' },
  'dataset-target': { severity: 'error', summary: 'A target column that is not in the file.' },
  'dataset-empty': { severity: 'error', summary: 'A dataset without rows.' },
  'dataset-shape': { severity: 'error', summary: "A shape whose size differs from the file's feature count." },
  'dataset-values': { severity: 'error', summary: 'Missing or non-numeric feature values, which training refuses (file:row:column of the first).' },
  'dataset-range': { severity: 'error', summary: 'Feature values that are infinite or beyond the range of 32-bit floats (±3.4e38), which training refuses.' },
  'dataset-classes': { severity: 'error', summary: 'A target column with a single class (a warning when seen only in a sample of a large file).' },
  'missing-source': { severity: 'error', summary: 'A dataset without a source.' },
  'estimator-argument': { severity: 'warning', summary: 'An estimator argument its kernel ignores.' },
  'compare-data': { severity: 'warning', summary: 'Compared models that train on different data.' },
  // size and advice
  'size-overflow': { severity: 'error', summary: 'A size beyond what any engine can hold.' },
  'huge-model': { severity: 'warning', summary: 'A model far larger than anything trainable.' },
  'overparameterized': { severity: 'warning', summary: 'Far more parameters than training samples.' },
  'classical-image-input': { severity: 'warning', summary: 'A classical estimator on image-shaped input without flatten.' },
  // limits
  'too-many-problems': { severity: 'error', summary: 'More than 1,000 problems in one file: 1,000 are listed (errors first), the rest counted.' },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CODES;

export function codeInfo(code: string): CodeInfo | undefined {
  return (CODES as Record<string, CodeInfo>)[code];
}

/** Where checks report findings. */
export interface DiagnosticSink {
  add(code: string, message: string, range: Range, data?: DiagnosticData, severity?: Severity): void;
}

/** No message is longer than this; names and values quoted in one are cut shorter still (see clip). */
export const MAX_MESSAGE = 1000;

export function makeDiagnostic(code: string, message: string, range: Range, data?: DiagnosticData, severity?: Severity): Diagnostic {
  return { code, severity: severity ?? codeInfo(code)?.severity ?? 'error', message: message.length > MAX_MESSAGE ? clip(message, MAX_MESSAGE) : message, range, data };
}

/**
 * Problems listed per file at most. A file of garbage has one per line or more (a 10 MB one
 * made a 188 MB publishDiagnostics message); past the first thousand they help no one, and
 * editors slow down showing them. Other language servers cap them the same way.
 */
export const MAX_DIAGNOSTICS = 1000;

const SEVERITY_RANK: Record<Severity, number> = { error: 2, warning: 1, info: 0 };

/** How many problems of each severity a file has: counted by the too-many-problems note when it lists only some. */
export function problemCounts(diagnostics: readonly Diagnostic[]): { readonly total: number; readonly errors: number; readonly warnings: number; readonly infos: number; readonly capped: boolean } {
  const last = diagnostics.at(-1);
  if (last?.code === 'too-many-problems' && last.data) {
    const { total, errors, warnings, infos } = last.data as { total: number; errors: number; warnings: number; infos: number };
    return { total, errors, warnings, infos, capped: true };
  }
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  return { total: diagnostics.length, errors: counts.error, warnings: counts.warning, infos: counts.info, capped: false };
}

/**
 * At most `max` of a file's problems (sorted by position), the most severe first: every
 * error before any warning, every warning before any info, each kind from the top of the
 * file (an error at the end is not hidden behind a thousand unused-block notes). When
 * problems are left out, one `too-many-problems` at the first of them: "N more problems not
 * shown", as severe as the worst it hides, with every problem counted in its data.
 */
export function capDiagnostics(sorted: readonly Diagnostic[], max = MAX_DIAGNOSTICS): Diagnostic[] {
  if (sorted.length <= max) return sorted as Diagnostic[];
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const d of sorted) counts[d.severity]++;
  const quota: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  let left = max;
  for (const severity of ['error', 'warning', 'info'] as const) {
    quota[severity] = Math.min(counts[severity], left);
    left -= quota[severity];
  }
  const out: Diagnostic[] = [];
  let firstHidden: Diagnostic | undefined;
  let worst: Severity = 'info';
  for (const d of sorted) {
    if (quota[d.severity] > 0) {
      quota[d.severity]--;
      out.push(d);
    } else {
      firstHidden ??= d;
      if (SEVERITY_RANK[d.severity] > SEVERITY_RANK[worst]) worst = d.severity;
    }
  }
  const hidden = sorted.length - max;
  const plural = (n: number, word: string) => `${withSeparators(n)} ${word}${n === 1 ? '' : 's'}`;
  const kinds = [plural(counts.error, 'error'), plural(counts.warning, 'warning'), plural(counts.info, 'info')].filter((k) => !k.startsWith('0 ')).join(', ');
  const at = firstHidden!.range.start;
  out.push(
    makeDiagnostic(
      'too-many-problems',
      `${plural(hidden, 'more problem')} not shown: only ${withSeparators(max)} of ${withSeparators(sorted.length)} (${kinds}) are listed, the most severe first. Fix those first; the first one left out is here.`,
      { start: { line: at.line, character: at.character }, end: { line: at.line, character: at.character } },
      { shown: max, total: sorted.length, errors: counts.error, warnings: counts.warning, infos: counts.info },
      worst,
    ),
  );
  return out;
}

/**
 * The findings of one declaration's checks, in the order they were made: kept with the
 * declaration so an incremental analysis can replay them instead of checking again.
 */
export class DiagnosticList implements DiagnosticSink {
  readonly items: Diagnostic[] = [];

  add(code: string, message: string, range: Range, data?: DiagnosticData, severity?: Severity): void {
    this.items.push(makeDiagnostic(code, message, range, data, severity));
  }
}

/** Collects diagnostics, dropping exact repeats (a block expanded twice reports once). */
export class DiagnosticBag implements DiagnosticSink {
  private readonly seen = new Set<string>();
  readonly items: Diagnostic[] = [];

  add(code: string, message: string, range: Range, data?: DiagnosticData, severity?: Severity): void {
    this.addAll([makeDiagnostic(code, message, range, data, severity)]);
  }

  addAll(diagnostics: readonly Diagnostic[]): void {
    for (const d of diagnostics) {
      const r = d.range;
      // Keyed when added, not when made: a replayed diagnostic may have moved with its declaration.
      const key = `${d.code}|${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}|${d.message}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.items.push(d);
    }
  }

  sorted(): Diagnostic[] {
    return [...this.items].sort(
      (a, b) =>
        a.range.start.line - b.range.start.line ||
        a.range.start.character - b.range.start.character ||
        a.code.localeCompare(b.code),
    );
  }
}
