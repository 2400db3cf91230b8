import type { CommandArgs } from '../../server/src/lsp/protocol';

/**
 * Working out which document and model a command is about. The same command runs from
 * the palette (no arguments), a code lens (`(uri, model)`: the server calls commands the
 * client named in its initializationOptions that way), a script or keybinding
 * (`{ uri, model }`), the results view (a tree node carrying `uri` and `model`) and the
 * editor title (the editor's URI, handled by the caller). No `vscode` import, so the
 * rules are tested without an editor.
 */

/** `{ uri, model? }` when the arguments carry a document, else undefined. */
export function commandArgsFrom(arg: unknown, second?: unknown): CommandArgs | undefined {
  let uri: unknown;
  let model: unknown;
  if (typeof arg === 'string') [uri, model] = [arg, second];
  else if (typeof arg === 'object' && arg !== null) ({ uri, model } = arg as { uri?: unknown; model?: unknown });
  if (typeof uri !== 'string' || !/^[a-zA-Z][\w+.-]*:/.test(uri)) return undefined;
  return typeof model === 'string' && model ? { uri, model } : { uri };
}

export interface LineRange {
  readonly start: { readonly line: number };
  readonly end: { readonly line: number };
}

export interface NamedRange {
  readonly name: string;
  readonly range: LineRange;
  readonly children?: readonly NamedRange[];
}

/**
 * The model whose declaration contains `line`, given the document's outline (document
 * symbols carry the whole declaration's range; the model summaries only the name's).
 * Undefined when the cursor is outside every model, e.g. in a dataset or between
 * declarations, so the caller asks instead of guessing.
 */
export function enclosingModel(models: readonly string[], outline: readonly NamedRange[], line: number): string | undefined {
  const names = new Set(models);
  const hit = outline.find((s) => names.has(s.name) && s.range.start.line <= line && line <= s.range.end.line);
  return hit?.name;
}
