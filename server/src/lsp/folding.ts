import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/model';
import type * as A from '../language/ast';
import { nestedBodies } from '../language/ast';
import type { Range } from '../language/position';

/**
 * Declaration bodies, train sections, repeat and residual bodies, multi-line calls and
 * lists, block comments and runs of line comments. A body folds up to the line before
 * its closing brace, so the brace stays visible, as editors fold by indentation.
 */
export function foldingRanges(analysis: Analysis, lineText: (line: number) => string): FoldingRange[] {
  const out: FoldingRange[] = [];
  const add = (r: Range, kind?: FoldingRangeKind) => {
    const closesOwnLine = /^\s*[}\])]/.test(lineText(r.end.line));
    const end = closesOwnLine ? r.end.line - 1 : r.end.line;
    if (end > r.start.line) out.push(kind ? { startLine: r.start.line, endLine: end, kind } : { startLine: r.start.line, endLine: end });
  };
  const exprs = (e: A.Expr) => {
    if (e.kind === 'list' || e.kind === 'call') {
      add(e.range);
      for (const x of e.kind === 'list' ? e.items : e.args.map((a) => a.value)) exprs(x);
    }
  };
  const body = (items: readonly A.BodyItem[]) => {
    for (const item of items) {
      if (item.kind === 'property') exprs(item.value);
      else if (item.kind === 'train') {
        add(item.range);
        for (const p of item.props) exprs(p.value);
      } else if (item.kind === 'repeat' || item.kind === 'residual') {
        add(item.range);
        body(item.body);
      } else if (item.kind === 'concat' || item.kind === 'if') {
        add(item.range);
        for (const nested of nestedBodies(item)) body(nested);
      } else if (item.args) {
        add(item.range);
        for (const a of item.args) exprs(a.value);
      }
    }
  };
  for (const d of analysis.source.declarations) {
    if (d.kind === 'compare') continue;
    add(d.range);
    if (d.kind === 'dataset') for (const p of d.props) exprs(p.value);
    else body(d.body);
  }
  let run: { start: number; end: number } | undefined;
  const flush = () => {
    if (run && run.end > run.start) out.push({ startLine: run.start, endLine: run.end, kind: FoldingRangeKind.Comment });
    run = undefined;
  };
  for (const c of analysis.source.comments) {
    if (c.block) {
      flush();
      if (c.range.end.line > c.range.start.line) out.push({ startLine: c.range.start.line, endLine: c.range.end.line, kind: FoldingRangeKind.Comment });
      continue;
    }
    // Only comments that stand on their own line form a foldable run.
    if (lineText(c.range.start.line).slice(0, c.range.start.character).trim() !== '') {
      flush();
      continue;
    }
    if (run && c.range.start.line === run.end + 1) run.end = c.range.start.line;
    else {
      flush();
      run = { start: c.range.start.line, end: c.range.start.line };
    }
  }
  flush();
  return out;
}
