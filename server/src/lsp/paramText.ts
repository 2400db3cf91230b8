import { countsDiffer, differences, ENGINE_NAMES, SAME_IN_BOTH, type Counts, type EngineKind } from '../analysis/paramCounts';
import type { EngineChoice } from '../training/engineChoice';
import { withSeparators } from '../util/format';

/**
 * How hovers, inlay hints and code lenses word parameter counts. Where PyTorch and
 * TensorFlow.js count the same, one number; where they differ, the count of the engine that
 * trains, labelled, with the other's beside it; while `auto` has not found out which
 * engine trains, both, each labelled.
 */
type Shown = { readonly kind: 'same' } | { readonly kind: 'engine'; readonly engine: EngineKind; readonly other: EngineKind } | { readonly kind: 'both' };

export function shownFor(c: Counts, choice: EngineChoice): Shown {
  if (!countsDiffer(c)) return { kind: 'same' };
  if (!choice.engine) return { kind: 'both' };
  return { kind: 'engine', engine: choice.engine, other: choice.engine === 'torch' ? 'tfjs' : 'torch' };
}

/** An engine's count and its convention: `5,572`, `PyTorch: parameters(); 64 batch-norm statistics are buffers`. */
function convention(c: Counts, engine: EngineKind): { readonly count: bigint; readonly label: string } {
  const n = withSeparators;
  if (engine === 'torch') return { count: c.torch.params, label: `PyTorch: parameters()${c.torch.buffers > 0n ? `; ${n(c.torch.buffers)} batch-norm statistics are buffers` : ''}` };
  return { count: c.tfjs.total, label: `TensorFlow.js${c.tfjs.nonTrainable > 0n ? `: ${n(c.tfjs.trainable)} trainable, ${n(c.tfjs.nonTrainable)} non-trainable` : ''}` };
}

/** `5,572 (PyTorch: parameters(); …)`; `**5,572** params (…)` with `bold` and a `unit`. */
function labelled(c: Counts, engine: EngineKind, bold = false, unit = ''): string {
  const { count, label } = convention(c, engine);
  const number = withSeparators(count);
  return `${bold ? `**${number}**` : number}${unit} (${label})`;
}

/** The model hover's parameter rows, and a note saying which convention applies. */
export function modelParamRows(c: Counts, choice: EngineChoice): { readonly rows: [string, string][]; readonly note: string } {
  const n = withSeparators;
  const shown = shownFor(c, choice);
  switch (shown.kind) {
    case 'same':
      return {
        rows: [['Parameters', `${n(c.tfjs.total)} (${n(c.tfjs.trainable)} trainable, ${n(c.tfjs.nonTrainable)} non-trainable)`]],
        note: `Parameters are ${SAME_IN_BOTH} for this model.`,
      };
    case 'engine': {
      const { engine, other } = shown;
      return {
        rows: [
          ['Trained by', `${ENGINE_NAMES[engine]} (${choice.why})`],
          ['Parameters', labelled(c, engine)],
          [`${ENGINE_NAMES[other]} counts`, labelled(c, other)],
        ],
        note: `Parameters are ${ENGINE_NAMES[engine]}'s own count, as the engine that trains reports it; ${ENGINE_NAMES[other]} counts ${differences(c, other).join(' and ')}.`,
      };
    }
    case 'both':
      return {
        rows: [
          ['Trained by', `not known yet (${choice.why}): PyTorch if found, else TensorFlow.js`],
          ['Parameters', `${labelled(c, 'torch')} or ${labelled(c, 'tfjs')}`],
        ],
        note: `PyTorch counts ${differences(c, 'torch').join(' and ')}, TensorFlow.js ${differences(c, 'tfjs').join(' and ')}: both counts are shown until it is known which engine trains (weights and memory are TensorFlow.js's until then).`,
      };
  }
}

/** A layer's params: `**5,376** params (PyTorch: parameters()) · TensorFlow.js counts 5,248`; markdown when `bold`. */
export function rowParamsText(c: Counts, choice: EngineChoice, bold: boolean): string {
  const n = withSeparators;
  const shown = shownFor(c, choice);
  switch (shown.kind) {
    case 'same': {
      const total = bold ? `**${n(c.tfjs.total)}**` : n(c.tfjs.total);
      return `${total} params${c.tfjs.nonTrainable > 0n ? ` (${n(c.tfjs.trainable)} trainable, ${n(c.tfjs.nonTrainable)} non-trainable)` : ''}`;
    }
    case 'engine':
      return `${labelled(c, shown.engine, bold, ' params')} · ${ENGINE_NAMES[shown.other]} counts ${n(convention(c, shown.other).count)}`;
    case 'both':
      return `${labelled(c, 'torch', bold, ' params')} or ${labelled(c, 'tfjs', bold, ' params')}`;
  }
}

const SHORT: Readonly<Record<EngineKind, string>> = { torch: 'PyTorch', tfjs: 'TF.js' };

/** For an inlay hint or a code lens: `5,376 params (PyTorch)`, `64 params (PyTorch) / 128 (TF.js)` while unknown. */
export function shortParams(c: Counts, choice: EngineChoice, prefix = ''): string {
  const n = withSeparators;
  const shown = shownFor(c, choice);
  switch (shown.kind) {
    case 'same':
      return `${prefix}${n(c.tfjs.total)} params`;
    case 'engine':
      return `${prefix}${n(convention(c, shown.engine).count)} params (${SHORT[shown.engine]})`;
    case 'both':
      return `${prefix}${n(c.torch.params)} params (${SHORT.torch}) / ${n(c.tfjs.total)} (${SHORT.tfjs})`;
  }
}
