import {
  CodeActionKind,
  createConnection,
  ExecuteCommandRequest,
  type CancellationToken,
  type ExecuteCommandParams,
  ProposedFeatures,
  TextDocumentSyncKind,
  type InitializeResult,
  type Position,
} from 'vscode-languageserver/node';
import { enginesDisagree } from '../analysis/paramCounts';
import { createNodeHost } from '../data/nodeHost';
import { codeActions } from './codeActions';
import { codeLenses, DEFAULT_LENS_COMMANDS, type LensCommands } from './codeLens';
import { COMMAND_IDS, executeCommand } from './commands';
import { complete, resolveCompletion } from './completion';
import { ConfigStore } from './config';
import { DocumentStore, filePathOf, type AnalyzedDocument } from './documents';
import { foldingRanges } from './folding';
import { formattingEdits } from './formatting';
import { hover } from './hover';
import { inlayHints } from './inlayHints';
import { createLog, guard } from './log';
import { registerModels } from './models';
import { definition, prepareRename, references, rename } from './navigation';
import { SEMANTIC_TOKENS_LEGEND, semanticTokens } from './semanticTokens';
import { RUNS_REQUEST, TRUST_CHANGED_NOTIFICATION, type InitializationOptions, type RunsResult } from './protocol';
import { signatureHelp } from './signatureHelp';
import { documentSymbols } from './symbols';
import { TrainingService } from './training';
import { TrainedSizes } from './trainedSize';
import { EngineTracker } from './trainingEngine';
import { initialTrust, Trust, trustOf } from './trust';
import { loadTimings } from '../training/calibrationFile';
import { runsDirFor } from '../training/runs';
import { findTorchPython } from '../training/torch/python';
import { VERSION } from '../util/version';


// createConnection reads --stdio, --node-ipc or --socket=N from the command line.
const connection = createConnection(ProposedFeatures.all);
const log = createLog(connection.console);
// The workspace's trust (initializationOptions, then modelspec/trustChanged): whatever reads
// or runs things on the workspace's behalf takes it from here.
const trust = new Trust(log);
// Large data files are summarised in the background (no edit waits for one); untrusted,
// data is read only from the workspace folders.
const host = createNodeHost({ background: true, allowedRoots: () => (trust.trusted ? undefined : roots) });
let config = new ConfigStore(connection, log, false, false);
let analysisTimeLimit: number | undefined;
const store = new DocumentStore(connection, host, log, { delay: () => config.current.diagnostics.delay, timeLimit: () => analysisTimeLimit });
trust.onChange(() => store.dataAccessChanged());
let snippets = false;
let lensCommands: LensCommands = DEFAULT_LENS_COMMANDS;
let canRefreshInlayHints = false;
let canRefreshCodeLens = false;
let canWatchFiles = false;
let canCreateProgress = false;
let roots: string[] = [];
// Params are shown as the engine that will train counts them; under auto, which one is found out in the background.
// Asking an interpreter whether it has torch runs it (in the workspace folder): not while untrusted.
const engine = new EngineTracker(findTorchPython, engineChanged, log, () => trust.trusted);
const currentEngine = () => engine.current(config.current.training);
const training = new TrainingService({
  connection,
  store,
  host,
  log,
  settings: () => config.current,
  settingsReady: () => config.ready(),
  roots: () => roots,
  foundPython: () => currentEngine().python,
  // A finished run may give a classical model its trained size: the lenses show it.
  runEnded: () => {
    trainedSizes.invalidate();
    if (canRefreshCodeLens) connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  },
});
const trainedSizes = new TrainedSizes(host);

// The last line of defence: a bug must cost one answer, not the editor's language support.
process.on('uncaughtException', (err) => log.error('Uncaught exception', err));
process.on('unhandledRejection', (err) => log.error('Unhandled rejection', err));

connection.onInitialize((params): InitializeResult => {
  const c = params.capabilities;
  config = new ConfigStore(connection, log, c.workspace?.configuration === true, c.workspace?.didChangeConfiguration?.dynamicRegistration === true);
  snippets = c.textDocument?.completion?.completionItem?.snippetSupport === true;
  canRefreshInlayHints = c.workspace?.inlayHint?.refreshSupport === true;
  canRefreshCodeLens = c.workspace?.codeLens?.refreshSupport === true;
  canWatchFiles = c.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
  canCreateProgress = c.window?.workDoneProgress === true;
  const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  roots = folders.filter((u) => u.startsWith('file:')).map(filePathOf);
  const options = (params.initializationOptions ?? {}) as { [K in keyof InitializationOptions]?: unknown };
  if (typeof options.analysisTimeLimit === 'number' && options.analysisTimeLimit > 0) analysisTimeLimit = options.analysisTimeLimit;
  trust.set(initialTrust(options));
  lensCommands = {
    estimate: typeof options.estimateCommand === 'string' ? options.estimateCommand : DEFAULT_LENS_COMMANDS.estimate,
    train: typeof options.trainCommand === 'string' ? options.trainCommand : DEFAULT_LENS_COMMANDS.train,
  };
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['(', ',', ':', '[', '"'], resolveProvider: true },
      signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: [':'] },
      inlayHintProvider: { resolveProvider: false },
      codeLensProvider: { resolveProvider: false },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: true, range: false },
      documentFormattingProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: c.textDocument?.rename?.prepareSupport ? { prepareProvider: true } : true,
      codeActionProvider: c.textDocument?.codeAction?.codeActionLiteralSupport ? { codeActionKinds: [CodeActionKind.QuickFix] } : true,
      executeCommandProvider: { commands: [...COMMAND_IDS] },
    },
    serverInfo: { name: 'modelspec-language-server', version: VERSION },
  };
});

connection.onInitialized(() => {
  config.start();
  // Under auto, start looking for PyTorch as soon as the interpreter setting is known; no request waits for it.
  void config.ready().then(() => engine.update(config.current.training));
  config.onChange((next, previous) => {
    engine.update(next.training);
    if (canRefreshInlayHints && JSON.stringify(next.inlayHints) !== JSON.stringify(previous.inlayHints)) connection.languages.inlayHint.refresh().catch(() => undefined);
    if (canRefreshCodeLens && next.codeLens.enabled !== previous.codeLens.enabled) connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  });
  store.watchDataFiles(canWatchFiles);
  trust.onChange((trusted) => {
    log.info(trusted ? 'The workspace is trusted now: training is allowed.' : 'The workspace is no longer trusted: training is refused.');
    // Under auto, trusted now: look for PyTorch (once the settings are in, as at start-up).
    void config.ready().then(() => engine.update(config.current.training));
  });
  log.info(`Modelspec language server ${VERSION} started (node ${process.version})${trust.trusted ? '' : ' in an untrusted workspace: training is refused'}.`);
});

/** Runs `fn` on the document's current analysis; an unknown document gets the neutral answer. */
function withDoc<R>(uri: string, fallback: R, fn: (doc: AnalyzedDocument) => R): R {
  const doc = store.get(uri);
  return doc ? fn(doc) : fallback;
}

const text = (doc: AnalyzedDocument) => ({
  analysis: doc.analysis,
  text: doc.document.getText(),
  offsetAt: (p: Position) => doc.document.offsetAt(p),
  getText: (r: Parameters<typeof doc.document.getText>[0]) => doc.document.getText(r),
});
const lineText = (doc: AnalyzedDocument) => (line: number) =>
  doc.document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');

/** The engine that will train changed (a setting, or auto's search answered): the counts of some open documents did too. */
function engineChanged(): void {
  const affected = store.openUris().some((uri) => {
    const doc = store.get(uri);
    return doc !== undefined && enginesDisagree(doc.analysis.models);
  });
  if (!affected) return;
  if (canRefreshInlayHints) connection.languages.inlayHint.refresh().catch(() => undefined);
  if (canRefreshCodeLens) connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  resendModels();
}

// Settings first: a hover right after start-up would otherwise show the default accelerators and runs folder.
connection.onHover(
  guard(log, 'hover', null, async (p) => {
    await config.ready();
    return withDoc(p.textDocument.uri, null, (doc) =>
      hover({ ...text(doc), settings: config.current, engine: currentEngine(), timings: () => loadTimings(runsDirFor(doc.file, config.current.runsDirectory)), trained: (model) => trainedSizes.lookup(doc.analysis, runsDirFor(doc.file, config.current.runsDirectory))(model) }, p.position),
    );
  }),
);
connection.onCompletion(
  guard(log, 'completion', [], (p) => withDoc(p.textDocument.uri, [], (doc) => complete({ ...text(doc), host, file: doc.file, snippets }, p.position))),
);
connection.onCompletionResolve((item) => guard(log, 'completionResolve', item, resolveCompletion)(item));
connection.onSignatureHelp(guard(log, 'signatureHelp', null, (p) => withDoc(p.textDocument.uri, null, (doc) => signatureHelp(text(doc), p.position))));
connection.languages.inlayHint.on(
  guard(log, 'inlayHint', [], async (p) => {
    await config.ready();
    return withDoc(p.textDocument.uri, [], (doc) => inlayHints(doc.analysis, p.range, config.current, currentEngine()));
  }),
);
connection.onCodeLens(
  guard(log, 'codeLens', [], async (p) => {
    await config.ready();
    return withDoc(p.textDocument.uri, [], (doc) => codeLenses(doc.analysis, doc.uri, config.current, lensCommands, currentEngine(), trainedSizes.lookup(doc.analysis, runsDirFor(doc.file, config.current.runsDirectory))));
  }),
);
connection.onDocumentSymbol(guard(log, 'documentSymbol', [], (p) => withDoc(p.textDocument.uri, [], (doc) => documentSymbols(doc.analysis))));
connection.onFoldingRanges(guard(log, 'foldingRange', [], (p) => withDoc(p.textDocument.uri, [], (doc) => foldingRanges(doc.analysis, lineText(doc)))));
connection.languages.semanticTokens.on(guard(log, 'semanticTokens', { data: [] }, (p) => withDoc(p.textDocument.uri, { data: [] }, (doc) => semanticTokens(doc.analysis))));
connection.onDocumentFormatting(
  guard(log, 'formatting', [], (p) => withDoc(p.textDocument.uri, [], (doc) => formattingEdits(doc.document.getText(), doc.analysis, (o) => doc.document.positionAt(o)))),
);
connection.onDefinition(guard(log, 'definition', null, (p) => withDoc(p.textDocument.uri, null, (doc) => definition(doc.analysis, doc.uri, p.position))));
connection.onReferences(guard(log, 'references', [], (p) => withDoc(p.textDocument.uri, [], (doc) => references(doc.analysis, doc.uri, p.position, p.context.includeDeclaration))));
connection.onPrepareRename(guard(log, 'prepareRename', null, (p) => withDoc(p.textDocument.uri, null, (doc) => prepareRename(doc.analysis, p.position))));
connection.onRenameRequest(guard(log, 'rename', null, (p) => withDoc(p.textDocument.uri, null, (doc) => rename(doc.analysis, doc.uri, p.position, p.newName))));
connection.onCodeAction(
  guard(log, 'codeAction', [], (p) =>
    withDoc(p.textDocument.uri, [], (doc) => codeActions({ analysis: doc.analysis, uri: doc.uri, getText: (r) => doc.document.getText(r), lineText: lineText(doc) }, p.range, p.context.only)),
  ),
);
// Not onExecuteCommand: it takes the workDoneToken out of the params before the handler
// can see whether the client sent one.
connection.onRequest(
  ExecuteCommandRequest.type,
  guard(log, 'executeCommand', null, (p: ExecuteCommandParams, token: CancellationToken) =>
    executeCommand(
      {
        store,
        host,
        log,
        training,
        trust,
        engine: () => config.ready().then(() => engine.settled(config.current.training)),
        token,
        // A client that sent a workDoneToken draws its own progress; otherwise the server asks for one if the client can show it.
        progress: async () => (p.workDoneToken === undefined && canCreateProgress ? connection.window.createWorkDoneProgress() : connection.window.attachWorkDoneProgress(p.workDoneToken)),
      },
      p.command,
      p.arguments,
    ),
  ),
);
connection.onNotification(TRUST_CHANGED_NOTIFICATION, (params: unknown) => {
  const trusted = trustOf(params);
  if (trusted === undefined) log.warn(`Ignored ${TRUST_CHANGED_NOTIFICATION}: it takes { trusted: boolean }, not ${JSON.stringify(params)}.`);
  else trust.set(trusted);
});
connection.onRequest(RUNS_REQUEST, guard(log, RUNS_REQUEST, { runs: [], comparisons: [] } as RunsResult, () => training.list()));
connection.onShutdown(() => training.dispose());
const resendModels = registerModels(connection, store, host, log, currentEngine);

store.listen();
connection.listen();
