import { InlayHintKind, type InlayHint } from 'vscode-languageserver/node';
import type { Analysis, LayerRow } from '../analysis/model';
import { rowCounter, sumCounts, type Counts } from '../analysis/paramCounts';
import { formatShape } from '../catalog/common';
import { comparePositions, containsPosition, type Position, type Range } from '../language/position';
import type { EngineChoice } from '../training/engineChoice';
import { withSeparators } from '../util/format';
import type { Settings } from './config';
import { rangeKey } from './locate';
import { rowParamsText, shortParams } from './paramText';

interface Hint {
  readonly position: Position;
  readonly shape: string;
  readonly params: string;
  readonly tooltip: string;
}

/** Per analysis, the hints for the last engine choice asked for (it changes rarely: a setting, or auto's answer). */
const cache = new WeakMap<Analysis, { readonly engine: EngineChoice; readonly hints: readonly Hint[] }>();

/**
 * After each layer written in a model: `→ [8, 8, 16] · 160 params`. A block use, repeat
 * or residual gets its group's totals after its closing bracket or brace; a layer inside
 * a repeat shows its last copy's shape and the params of all copies. Layers written in a
 * block body get none (their shapes differ per use; the use site has the hint). Params are
 * counted as `engine` counts them, labelled where PyTorch and TensorFlow.js differ.
 */
export function inlayHints(analysis: Analysis, range: Range, settings: Settings, engine: EngineChoice): InlayHint[] {
  if (!settings.inlayHints.enabled) return [];
  const hints = hintsOf(analysis, engine);
  const out: InlayHint[] = [];
  for (let i = firstAtOrAfter(hints, range.start); i < hints.length; i++) {
    const h = hints[i];
    if (comparePositions(h.position, range.end) > 0) break;
    out.push({
      position: h.position,
      label: settings.inlayHints.params && h.params ? `${h.shape} · ${h.params}` : h.shape,
      kind: InlayHintKind.Type,
      paddingLeft: true,
      tooltip: h.tooltip,
    });
  }
  return out;
}

function firstAtOrAfter(hints: readonly Hint[], pos: Position): number {
  let lo = 0;
  let hi = hints.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comparePositions(hints[mid].position, pos) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function hintsOf(analysis: Analysis, engine: EngineChoice): readonly Hint[] {
  const hit = cache.get(analysis);
  if (hit?.engine === engine) return hit.hints;
  const hints: Hint[] = [];
  for (const model of analysis.models) {
    const groups = new Map<string, LayerRow[]>();
    for (const row of model.rows) {
      // The skip projection of a residual is reported at its keyword; its group carries it.
      if (row.kind === 'layer' && !row.entry && row.name === 'projection') continue;
      if (!containsPosition(model.decl.range, row.range.start)) continue;
      const key = rangeKey(row.range);
      const list = groups.get(key);
      if (list) list.push(row);
      else groups.set(key, [row]);
    }
    const upperBound = model.estimator?.estimate.upperBound === true;
    const countRow = rowCounter(model.rows);
    for (const rows of groups.values()) {
      const last = rows[rows.length - 1];
      if (!last.output) continue;
      let macs = 0n;
      let copies = 0;
      for (const r of rows) {
        macs += r.macs * BigInt(r.count);
        copies += r.count;
      }
      const counts = sumCounts(rows.map((r) => ({ counts: countRow(r), copies: r.count })));
      const many = copies > 1 ? ` in ${withSeparators(copies)} copies` : '';
      hints.push({
        position: last.range.end,
        shape: `→ ${formatShape(last.output)}`,
        params: hasParams(counts) ? `${shortParams(counts, engine, upperBound ? '≤ ' : '')}${many}` : '',
        tooltip: `${last.input ? formatShape(last.input) : '?'} → ${formatShape(last.output)}\n${rowParamsText(counts, engine, false)}, ${withSeparators(macs)} MACs${many}`,
      });
    }
  }
  hints.sort((a, b) => comparePositions(a.position, b.position));
  cache.set(analysis, { engine, hints });
  return hints;
}

function hasParams(c: Counts): boolean {
  return c.tfjs.total > 0n || c.torch.params > 0n;
}
