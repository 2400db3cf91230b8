import { readFileSync } from 'node:fs';
import { CancellationTokenSource, ErrorCodes, ResponseError, type CancellationToken, type WorkDoneProgressReporter } from 'vscode-languageserver/node';
import type { AnalysisHost } from '../analysis/host';
import type { Analysis } from '../analysis/model';
import { renderEstimate } from '../cli/estimateTable';
import type { EngineChoice } from '../training/engineChoice';
import { closestName } from '../util/suggest';
import { analyzeSafely, filePathOf, type DocumentStore } from './documents';
import type { Log } from './log';
import { COMMANDS, type CommandArgs } from './protocol';
import type { TrainingService } from './training';
import type { Trust } from './trust';

export const COMMAND_IDS: readonly string[] = Object.values(COMMANDS);

export interface CommandContext {
  readonly store: DocumentStore;
  readonly host: AnalysisHost;
  readonly log: Log;
  readonly training: TrainingService;
  /** Training and comparing are refused in an untrusted workspace, whoever asks. */
  readonly trust: Trust;
  /** The engine that will train, once known: the estimate table counts params as it does. */
  readonly engine: () => Promise<EngineChoice>;
  readonly token: CancellationToken;
  /** The client's progress (when it sent a workDoneToken), else one the server created, else a silent one. */
  readonly progress: () => Promise<WorkDoneProgressReporter & { readonly token?: CancellationToken }>;
}

/**
 * workspace/executeCommand. `modelspec.server.estimate` answers with the same table as
 * `modelspec estimate`; train and compare answer when their runs end, reporting progress
 * on the way, and stop when the request or its progress is cancelled.
 */
export async function executeCommand(ctx: CommandContext, command: string, args: readonly unknown[] | undefined): Promise<unknown> {
  const { store, host, log } = ctx;
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
      if (models.length === 0) return 'This file declares no models.';
      const engine = await ctx.engine();
      return models.map((m) => renderEstimate(m, engine)).join('\n\n');
    }
    case COMMANDS.train:
    case COMMANDS.compare: {
      ctx.trust.require(command === COMMANDS.train ? 'Training' : 'Comparing models');
      const a = commandArgs(command, args);
      const progress = await ctx.progress();
      const token = progress.token ? either(ctx.token, progress.token) : ctx.token;
      return command === COMMANDS.train ? ctx.training.train(a, token, progress) : ctx.training.compare(a, token, progress);
    }
    default:
      throw new ResponseError(ErrorCodes.InvalidParams, `Unknown command '${command}'. Commands: ${COMMAND_IDS.join(', ')}.`);
  }
}

function commandArgs(command: string, args: readonly unknown[] | undefined): CommandArgs {
  const a = args?.[0] as Partial<Record<keyof CommandArgs, unknown>> | undefined;
  const valid =
    a &&
    typeof a === 'object' &&
    typeof a.uri === 'string' &&
    (a.model === undefined || typeof a.model === 'string') &&
    (a.models === undefined || (Array.isArray(a.models) && a.models.every((m) => typeof m === 'string'))) &&
    (a.epochs === undefined || (Number.isInteger(a.epochs) && (a.epochs as number) > 0)) &&
    (a.skipMemoryCheck === undefined || typeof a.skipMemoryCheck === 'boolean');
  if (!valid) throw new ResponseError(ErrorCodes.InvalidParams, `${command} takes one argument { uri: string, model?: string, models?: string[], epochs?: positive integer, skipMemoryCheck?: boolean }.`);
  return { uri: a.uri as string, model: a.model as string | undefined, models: a.models as string[] | undefined, epochs: a.epochs as number | undefined, skipMemoryCheck: a.skipMemoryCheck as boolean | undefined };
}

/** Cancelled when either is: the request was cancelled, or the user pressed Cancel on its progress. */
function either(a: CancellationToken, b: CancellationToken): CancellationToken {
  const source = new CancellationTokenSource();
  a.onCancellationRequested(() => source.cancel());
  b.onCancellationRequested(() => source.cancel());
  if (a.isCancellationRequested || b.isCancellationRequested) source.cancel();
  return source.token;
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
