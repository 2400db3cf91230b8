import { ErrorCodes, ResponseError, type Location, type Range as LspRange, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/model';
import { catalogEntry } from '../catalog/registry';
import type * as A from '../language/ast';
import { nestedBodies } from '../language/ast';
import type { Position, Range } from '../language/position';
import { KEYWORDS } from '../language/tokens';
import { locate, rangeKey } from './locate';

type Named = A.DatasetDecl | A.BlockDecl | A.ModelDecl;

export interface Symbol {
  readonly decl: Named;
  /** The occurrence under the cursor. */
  readonly range: Range;
}

/** The dataset, block or model a name under the cursor declares or refers to. */
export function symbolAt(analysis: Analysis, pos: Position): Symbol | undefined {
  const at = locate(analysis.source, pos);
  if (!at) return undefined;
  const byName = (kind: Named['kind'], name: string) =>
    analysis.source.declarations.find((d): d is Named => d.kind === kind && d.name.name === name);
  switch (at.kind) {
    case 'declName':
      return { decl: at.decl, range: at.range };
    case 'layerName': {
      if (catalogEntry(at.call.name.name)) return undefined;
      const decl = byName('block', at.call.name.name);
      return decl ? { decl, range: at.range } : undefined;
    }
    case 'compareName': {
      const decl = byName('model', at.id.name);
      return decl ? { decl, range: at.range } : undefined;
    }
    case 'value': {
      if (at.expr.kind !== 'name' || at.slot.kind !== 'setting' || at.slot.prop.key.name !== 'data') return undefined;
      const decl = byName('dataset', at.expr.name);
      return decl ? { decl, range: at.range } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Every place that names the declaration: its own name, `data:` settings for a dataset,
 * uses as a layer (in models and in other blocks, used or not) for a block, `compare`
 * lists for a model. From the analysis's references, completed by a walk over the tree,
 * since blocks that no model uses are never expanded and so have no references.
 */
export function occurrences(analysis: Analysis, decl: Named, includeDeclaration: boolean): Range[] {
  const found = new Map<string, Range>();
  const add = (r: Range) => found.set(rangeKey(r), r);
  if (includeDeclaration) add(decl.name.range);
  const name = decl.name.name;
  for (const ref of analysis.references) if (ref.target === decl) add(ref.range);
  const walk = (items: readonly A.BodyItem[]) => {
    for (const item of items) {
      if (item.kind === 'layer' && decl.kind === 'block' && item.name.name === name) add(item.name.range);
      else if (item.kind === 'property' && decl.kind === 'dataset' && item.key.name === 'data' && item.value.kind === 'name' && item.value.name === name) add(item.value.range);
      else for (const body of nestedBodies(item)) walk(body);
    }
  };
  for (const d of analysis.source.declarations) {
    if (d.kind === 'compare') {
      if (decl.kind === 'model') for (const n of d.names) if (n.name === name) add(n.range);
    } else if (d.kind !== 'dataset' && decl.kind !== 'model') walk(d.body);
  }
  return [...found.values()].sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character);
}

export function definition(analysis: Analysis, uri: string, pos: Position): Location | null {
  const s = symbolAt(analysis, pos);
  return s ? { uri, range: s.decl.name.range } : null;
}

export function references(analysis: Analysis, uri: string, pos: Position, includeDeclaration: boolean): Location[] {
  const s = symbolAt(analysis, pos);
  return s ? occurrences(analysis, s.decl, includeDeclaration).map((range) => ({ uri, range })) : [];
}

export function prepareRename(analysis: Analysis, pos: Position): { range: LspRange; placeholder: string } | null {
  const s = symbolAt(analysis, pos);
  return s ? { range: s.range, placeholder: s.decl.name.name } : null;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Renames every occurrence; refuses names that are not identifiers or that would clash. */
export function rename(analysis: Analysis, uri: string, pos: Position, newName: string): WorkspaceEdit | null {
  const s = symbolAt(analysis, pos);
  if (!s) return null;
  if (!IDENTIFIER.test(newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is not a name: use letters, digits and '_', not starting with a digit.`);
  if ((KEYWORDS as readonly string[]).includes(newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is a keyword of the language; choose another name.`);
  if (newName === s.decl.name.name) return { changes: { [uri]: [] } };
  const clash = analysis.source.declarations.find((d) => d.kind !== 'compare' && d.name.name === newName);
  if (clash) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is already the name of a ${clash.kind} (line ${clash.range.start.line + 1}).`);
  if (s.decl.kind === 'block' && catalogEntry(newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is a built-in layer; a block of that name would hide it.`);
  const edits: TextEdit[] = occurrences(analysis, s.decl, true).map((range) => ({ range, newText: newName }));
  return { changes: { [uri]: edits } };
}
