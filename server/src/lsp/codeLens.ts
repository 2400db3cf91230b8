import type { CodeLens } from 'vscode-languageserver/node';
import type { Analysis } from '../analysis/model';
import type { EngineChoice } from '../training/engineChoice';
import type { Settings } from './config';
import { shortTotals } from './hover';
import { COMMANDS, type CommandArgs } from './protocol';
import type { TrainedSizeLookup } from './trainedSize';
import { withSeparators } from '../util/format';

export interface LensCommands {
  /** Command the "Estimate" lens runs: the server's own by default; a client may name one that shows the table. */
  readonly estimate: string;
  readonly train: string;
}

export const DEFAULT_LENS_COMMANDS: LensCommands = { estimate: COMMANDS.estimate, train: COMMANDS.train };

/** Server commands take one CommandArgs; commands a client named take (uri, model). */
function lensArguments(command: string, uri: string, model: string): unknown[] {
  const args: CommandArgs = { uri, model };
  return (Object.values(COMMANDS) as string[]).includes(command) ? [args] : [uri, model];
}

/**
 * Above each model: its totals (params as `engine` counts them), ▶ Train and Estimate. A
 * classical model that a stored run trained with the same settings and data shows the size
 * it trained to instead of the bound before training (`trained`).
 */
export function codeLenses(analysis: Analysis, uri: string, settings: Settings, commands: LensCommands, engine: EngineChoice, trained?: TrainedSizeLookup): CodeLens[] {
  if (!settings.codeLens.enabled) return [];
  const lenses: CodeLens[] = [];
  for (const m of analysis.models) {
    if (!m.name) continue;
    const range = { start: m.decl.range.start, end: m.decl.name.range.end };
    // An empty command id makes a lens a label: the totals are information, not an action.
    const run = m.kind === 'classical' ? trained?.(m.name) : undefined;
    const title = run ? `trained: ${withSeparators(run.params)} params (run of ${run.finishedAt.slice(0, 10)}) · ${m.estimator?.entry.name ?? 'classical'}` : shortTotals(m, engine);
    lenses.push({ range, command: { title, command: '' } });
    lenses.push({ range, command: { title: '▶ Train', command: commands.train, arguments: lensArguments(commands.train, uri, m.name) } });
    lenses.push({ range, command: { title: 'Estimate', command: commands.estimate, arguments: lensArguments(commands.estimate, uri, m.name) } });
  }
  return lenses;
}
