import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/model';
import { formatShape } from '../catalog/common';
import type * as A from '../language/ast';
import { nestedBodies } from '../language/ast';
import type { Range } from '../language/position';
import { withSeparators } from '../util/format';
import { rowsAt } from './locate';

/** The outline: datasets (with their settings), blocks and models with their layers, train sections, compare. */
export function documentSymbols(analysis: Analysis): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const d of analysis.source.declarations) {
    switch (d.kind) {
      case 'dataset':
        out.push(symbol(d.name.name || '(unnamed dataset)', 'dataset', SymbolKind.Struct, d.range, d.name.range, d.props.map(property)));
        break;
      case 'block':
        out.push(symbol(d.name.name || '(unnamed block)', `block(${d.params.map((p) => p.name.name).join(', ')})`, SymbolKind.Function, d.range, d.name.range, items(analysis, d.body, false)));
        break;
      case 'model': {
        const m = analysis.models.find((x) => x.decl === d);
        const detail = m ? `${m.kind} · ${withSeparators(m.totals.total)} params` : 'model';
        out.push(symbol(d.name.name || '(unnamed model)', detail, SymbolKind.Class, d.range, d.name.range, items(analysis, d.body, true)));
        break;
      }
      case 'compare':
        out.push(symbol('compare', d.names.map((n) => n.name).join(', '), SymbolKind.Event, d.range, { start: d.range.start, end: { line: d.range.start.line, character: d.range.start.character + 'compare'.length } }, []));
        break;
    }
  }
  return out;
}

/** `shapes`: false in block bodies, whose shapes differ from one use to the next. */
function items(analysis: Analysis, body: readonly A.BodyItem[], shapes: boolean): DocumentSymbol[] {
  const detail = (r: Range) => (shapes ? groupDetail(analysis, r) : '');
  return body.map((item): DocumentSymbol => {
    switch (item.kind) {
      case 'property':
        return property(item);
      case 'train':
        return symbol('train', `${item.props.length} setting${item.props.length === 1 ? '' : 's'}`, SymbolKind.Object, item.range, item.keyword, item.props.map(property));
      case 'repeat':
        return symbol('repeat', detail(item.range), SymbolKind.Array, item.range, item.keyword, items(analysis, item.body, shapes));
      case 'residual':
        return symbol('residual', detail(item.range), SymbolKind.Namespace, item.range, item.keyword, items(analysis, item.body, shapes));
      case 'concat':
        return symbol('concat', detail(item.range), SymbolKind.Namespace, item.range, item.keyword, item.paths.flatMap((p) => items(analysis, p.body, shapes)));
      case 'if':
        return symbol('if', '', SymbolKind.Namespace, item.range, item.keyword, nestedBodies(item).flatMap((b) => items(analysis, b, shapes)));
      case 'layer':
        return symbol(item.name.name || '(layer)', detail(item.range), SymbolKind.Method, item.range, item.name.range, []);
    }
  });
}

function property(p: A.Property): DocumentSymbol {
  return symbol(p.key.name || '(setting)', '', SymbolKind.Property, p.range, p.key.range, []);
}

/** `[8, 8, 16] · 160 params` for the last row the item produced. */
function groupDetail(analysis: Analysis, range: Range): string {
  const rows = rowsAt(analysis, range);
  const r = rows[rows.length - 1]?.row;
  if (!r?.output) return '';
  const params = rows.reduce((s, x) => s + (x.row.trainable + x.row.nonTrainable) * BigInt(x.row.count), 0n);
  return `${formatShape(r.output)} · ${withSeparators(params)} params`;
}

function symbol(name: string, detail: string, kind: SymbolKind, range: Range, selection: Range, children: DocumentSymbol[]): DocumentSymbol {
  // Clients reject a selection range outside the full range; recovery can produce one.
  const inside = selection.start.line >= range.start.line && (selection.end.line < range.end.line || (selection.end.line === range.end.line && selection.end.character <= range.end.character));
  return { name, detail, kind, range, selectionRange: inside ? selection : { start: range.start, end: range.start }, children };
}
