import type { ParameterInformation, SignatureHelp } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/model';
import type { Position, Range } from '../language/position';
import { cursorContext, type OpenCall } from './context';
import { callableFor, describeParam, signatureLabel, type Callable } from './specs';

export interface SignatureContext {
  readonly analysis: Analysis;
  readonly text: string;
  readonly offsetAt: (p: Position) => number;
  readonly getText: (range: Range) => string;
}

/** Inside a call: the callee's parameters from the catalogue, the one being written highlighted. */
export function signatureHelp(ctx: SignatureContext, pos: Position): SignatureHelp | null {
  const c = cursorContext(ctx.analysis.source, ctx.text, ctx.offsetAt, pos);
  if (c.where.kind === 'comment') return null;
  const calls = c.calls.filter((x) => !x.params);
  const call = calls[calls.length - 1];
  if (!call) return null;
  const settingKey = call.valueOf?.kind === 'setting' ? call.valueOf.key : undefined;
  const callable = callableFor(call.callee, ctx.analysis.blocks, settingKey, ctx.getText);
  if (!callable) return null;
  const { label, offsets } = signatureLabel(callable);
  const parameters: ParameterInformation[] = callable.params.map((p, i) => ({
    label: offsets[i],
    documentation: { kind: 'markdown', value: `${describeParam(p)}\n\n${p.doc}` },
  }));
  return {
    signatures: [{ label, documentation: { kind: 'markdown', value: callable.doc ? `${callable.summary}\n\n${callable.doc}` : callable.summary }, parameters }],
    activeSignature: 0,
    activeParameter: activeParameter(callable, call, c.prefix),
  };
}

/**
 * The parameter the cursor's argument binds to: the named one; else one whose name is
 * being typed; else the next positional one, or, once named arguments have started, the
 * first still unset.
 */
function activeParameter(c: Callable, call: OpenCall, prefix: string): number {
  if (call.currentName !== undefined) return c.params.findIndex((p) => p.name === call.currentName);
  const filled = new Set([...call.usedNames, ...c.params.slice(0, call.positional).map((p) => p.name)]);
  if (prefix) {
    const typed = c.params.findIndex((p) => !filled.has(p.name) && p.name.startsWith(prefix));
    if (typed >= 0) return typed;
  }
  if (call.usedNames.length === 0) return call.positional < c.params.length ? call.positional : -1;
  return c.params.findIndex((p) => !filled.has(p.name));
}
