// Quick fixes without a server: analyse a text in memory, ask codeActions for one
// diagnostic's fixes, and apply one to the text.
import assert from 'node:assert/strict';
import type { CodeAction, TextEdit } from 'vscode-languageserver/node';
import type { Diagnostic } from '../../../server/src/analysis/diagnostics';
import type { Analysis } from '../../../server/src/analysis/model';
import type { Position, Range } from '../../../server/src/language/position';
import { codeActions } from '../../../server/src/lsp/codeActions';
import { applyEdits } from '../../lsp/client';
import { DOC, run, type MemoryFile } from '../analysis/memoryHost';

const URI = 'file://' + DOC;

function offsetOf(text: string, p: Position): number {
  let offset = 0;
  for (let line = 0; line < p.line; line++) offset = text.indexOf('\n', offset) + 1;
  return offset + p.character;
}

export function fixesFor(text: string, analysis: Analysis, d: Diagnostic): CodeAction[] {
  const lines = text.split('\n');
  const ctx = { analysis, uri: URI, getText: (r: Range) => text.slice(offsetOf(text, r.start), offsetOf(text, r.end)), lineText: (line: number) => lines[line] ?? '' };
  return codeActions(ctx, d.range, ['quickfix']).filter((a) => a.diagnostics?.[0]?.code === d.code && a.diagnostics[0].message === d.message);
}

/** The one diagnostic of `code` in `text`, its fixes' titles, and the text after applying the fix titled `title` (the preferred one when absent). */
export function quickFix(text: string, code: string, title?: string, files: Record<string, MemoryFile> = {}): { readonly diagnostic: Diagnostic; readonly titles: string[]; readonly fixed: string } {
  const analysis = run(text, files);
  const found = analysis.diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `one ${code} among ${JSON.stringify(analysis.diagnostics.map((d) => `${d.code}: ${d.message}`))}`);
  const actions = fixesFor(text, analysis, found[0]);
  const action = actions.find((a) => (title === undefined ? a.isPreferred : a.title === title));
  assert.ok(action, `"${title ?? 'a preferred fix'}" among ${JSON.stringify(actions.map((a) => a.title))}`);
  const edits = action.edit!.changes![URI] as TextEdit[];
  return { diagnostic: found[0], titles: actions.map((a) => a.title), fixed: applyEdits(text, edits) };
}
