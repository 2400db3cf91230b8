import { readFileSync } from 'node:fs';
import { ErrorCodes, LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import type { AnalysisHost } from '../analysis/host';
import type { Analysis } from '../analysis/model';
import { renderEstimate } from '../cli/estimateTable';
import { closestName } from '../util/suggest';
import { analyzeSafely, filePathOf, type DocumentStore } from './documents';
import type { Log } from './log';
import { COMMANDS, type CommandArgs } from './protocol';

export const COMMAND_IDS: readonly string[] = Object.values(COMMANDS);

/**
 * workspace/executeCommand. `modelspec.estimate` answers with the same table as
 * `modelspec estimate`; training arrives with a later version, and until then the
 * training commands say so instead of pretending.
 */
export function executeCommand(store: DocumentStore, host: AnalysisHost, log: Log, command: string, args: readonly unknown[] | undefined): string {
  switch (command) {
    case COMMANDS.estimate: {
      const { uri, model } = commandArgs(command, args);
      const analysis = analysisOf(store, host, log, uri);
      let models = analysis.models;
      if (model !== undefined) {
        models = models.filter((m) => m.name === model);
        if (models.length === 0) {
          const names = analysis.models.map((m) => m.name);
          const suggestion = closestName(model, names);
          throw new ResponseError(ErrorCodes.InvalidParams, `No model named '${model}' in ${uri}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}${names.length ? ` Models: ${names.join(', ')}.` : ''}`);
        }
      }
      return models.length ? models.map(renderEstimate).join('\n\n') : 'This file declares no models.';
    }
    case COMMANDS.train:
    case COMMANDS.compare:
      commandArgs(command, args);
      throw new ResponseError(
        LSPErrorCodes.RequestFailed,
        `Training is not part of this version of the Modelspec language server yet (${command}). Estimates, checks and the editing features work; training models arrives with a later version.`,
      );
    default:
      throw new ResponseError(ErrorCodes.InvalidParams, `Unknown command '${command}'. Commands: ${COMMAND_IDS.join(', ')}.`);
  }
}

function commandArgs(command: string, args: readonly unknown[] | undefined): CommandArgs {
  const a = args?.[0] as Partial<CommandArgs> | undefined;
  if (!a || typeof a !== 'object' || typeof a.uri !== 'string' || (a.model !== undefined && typeof a.model !== 'string')) {
    throw new ResponseError(ErrorCodes.InvalidParams, `${command} takes one argument { uri: string, model?: string }.`);
  }
  return { uri: a.uri, model: a.model };
}

/** The open document's analysis, or one of the file on disk for a document that is not open. */
export function analysisOf(store: DocumentStore, host: AnalysisHost, log: Log, uri: string): Analysis {
  const open = store.get(uri);
  if (open) return open.analysis;
  if (!uri.startsWith('file:')) throw new ResponseError(ErrorCodes.InvalidParams, `${uri} is not open and not a file.`);
  const file = filePathOf(uri);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ResponseError(ErrorCodes.InvalidParams, `Cannot read ${file}: ${(err as Error).message}`);
  }
  return analyzeSafely(text, file, host, log);
}
