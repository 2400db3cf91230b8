import { join, resolve } from 'node:path';
import { createContext, Script } from 'node:vm';
import { fileURLToPath } from 'node:url';
import {
  DiagnosticSeverity,
  DiagnosticTag,
  DidChangeWatchedFilesNotification,
  TextDocuments,
  type Connection,
  type Diagnostic as LspDiagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../analysis/analyze';
import { IncrementalAnalyzer } from '../analysis/incremental';
import { parse } from '../language/parser';
import { capDiagnostics, makeDiagnostic, MAX_DIAGNOSTICS, type Diagnostic } from '../analysis/diagnostics';
import type { AnalysisHost } from '../analysis/host';
import type { Analysis } from '../analysis/model';
import { formatDuration } from '../util/format';
import type { Log } from './log';

/** One document version and its one analysis. */
export interface AnalyzedDocument {
  readonly uri: string;
  readonly version: number;
  readonly document: TextDocument;
  readonly analysis: Analysis;
  /** Absolute path the analysis resolved relative data paths against. */
  readonly file: string;
}

interface CacheEntry {
  readonly version: number;
  /** Data-file generation the analysis was computed at; a watched CSV change bumps it. */
  readonly generation: number;
  readonly result: AnalyzedDocument;
}

/** A document's analyzer, which reuses the previous version's work, for one data-file generation. */
interface AnalyzerEntry {
  readonly generation: number;
  readonly analyzer: IncrementalAnalyzer;
}

export interface DocumentStoreOptions {
  /** Quiet time after the last edit before diagnostics are pushed (read at each edit). */
  readonly delay: () => number;
  /** Time limit of one analysis; by default analysisTimeLimit(text length). */
  readonly timeLimit?: () => number | undefined;
}

/**
 * The open documents and their analyses. An analysis is computed at most once per
 * document version (and data-file generation), lazily: by the first feature that asks or
 * by the debounced diagnostics push, whichever comes first. It is incremental: only the
 * declarations an edit touched are checked again (IncrementalAnalyzer), so the previous
 * version's analysis is stale once the next is computed, and only the current one is
 * handed out. Diagnostics are published only for the version that is current at the
 * moment of publishing, and cleared when the document closes.
 */
export class DocumentStore {
  readonly documents = new TextDocuments(TextDocument);
  private readonly cache = new Map<string, CacheEntry>();
  private readonly analyzers = new Map<string, AnalyzerEntry>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly generations = new Map<string, number>();
  private readonly publishedListeners: ((doc: AnalyzedDocument) => void)[] = [];
  private readonly closedListeners: ((uri: string) => void)[] = [];

  constructor(
    private readonly connection: Connection,
    private readonly host: AnalysisHost,
    private readonly log: Log,
    private readonly options: DocumentStoreOptions,
  ) {
    // A large data file is summarised in the background; the documents that read it are
    // analysed again (and their diagnostics pushed) as soon as its summary is ready.
    host.onDataReady?.((path) => {
      try {
        this.dataPathsChanged([path]);
      } catch (err) {
        this.log.error('Handling a data summary failed', err);
      }
    });
  }

  /** Wires document sync and watched-file notifications; call once, before listen(). */
  listen(): void {
    // TextDocuments fires onDidChangeContent right after onDidOpen; an opened document
    // gets its diagnostics at once, not after the typing delay.
    let opening: string | undefined;
    this.documents.onDidOpen((e) => {
      opening = e.document.uri;
      this.schedule(e.document.uri, 0);
    });
    this.documents.onDidChangeContent((e) => {
      if (opening === e.document.uri) opening = undefined;
      else this.schedule(e.document.uri, this.options.delay());
    });
    this.documents.onDidClose((e) => this.close(e.document.uri));
    this.documents.listen(this.connection);
    this.connection.onDidChangeWatchedFiles((params) => {
      try {
        this.dataFilesChanged(params.changes.map((c) => c.uri));
      } catch (err) {
        this.log.error('Handling changed files failed', err);
      }
    });
  }

  /** Asks the client to report changes to data files, when it can be asked dynamically. */
  watchDataFiles(canRegister: boolean): void {
    if (!canRegister) return;
    this.connection.client
      .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{csv,CSV,tsv,txt}' }] })
      .catch((err) => this.log.warn(`Could not register a file watcher for data files: ${err}`));
  }

  onPublished(listener: (doc: AnalyzedDocument) => void): void {
    this.publishedListeners.push(listener);
  }

  onClosed(listener: (uri: string) => void): void {
    this.closedListeners.push(listener);
  }

  /** The current version of an open document with its analysis (computed now if needed). */
  get(uri: string): AnalyzedDocument | undefined {
    const document = this.documents.get(uri);
    if (!document) return undefined;
    const generation = this.generations.get(uri) ?? 0;
    const hit = this.cache.get(uri);
    if (hit && hit.version === document.version && hit.generation === generation) return hit.result;
    const file = filePathOf(uri);
    const t0 = performance.now();
    const text = document.getText();
    let entry = this.analyzers.get(uri);
    // A data file changed: datasets read it again, so nothing of the last generation is reused.
    if (entry?.generation !== generation) this.analyzers.set(uri, (entry = { generation, analyzer: new IncrementalAnalyzer(file, this.host) }));
    const { analyzer } = entry;
    const limit = this.options.timeLimit?.() ?? analysisTimeLimit(text.length);
    const analysis = guardedAnalysis(() => analyzer.analyze(text), text, file, this.log, limit);
    const millis = performance.now() - t0;
    if (millis > 500) this.log.info(`Analysing ${uri} (version ${document.version}, ${document.lineCount} lines) took ${millis.toFixed(0)} ms.`);
    const result: AnalyzedDocument = { uri, version: document.version, document, analysis, file };
    this.cache.set(uri, { version: document.version, generation, result });
    return result;
  }

  /** URIs of the open documents. */
  openUris(): string[] {
    return this.documents.keys();
  }

  /**
   * Data files changed on disk: every open document whose analysis read one of them gets a
   * new analysis (the host re-reads a file whose size or time stamp changed) and fresh
   * diagnostics at once.
   */
  dataFilesChanged(uris: readonly string[]): void {
    this.dataPathsChanged(uris.flatMap((u) => (u.startsWith('file:') ? [filePathOf(u)] : [])));
  }

  /** As dataFilesChanged, for file paths (a background summary that is ready). */
  dataPathsChanged(changed: readonly string[]): void {
    const paths = new Set(changed.map((p) => resolve(p)));
    if (paths.size === 0) return;
    for (const uri of this.openUris()) {
      const entry = this.cache.get(uri);
      if (!entry || !entry.result.analysis.dependencies.some((d) => paths.has(resolve(d)))) continue;
      this.refresh(uri);
    }
  }

  /**
   * What the host may read changed (the workspace's trust, and with it the folders data
   * may come from): every open document is analysed again and its diagnostics pushed.
   */
  dataAccessChanged(): void {
    for (const uri of this.openUris()) this.refresh(uri);
  }

  private refresh(uri: string): void {
    this.generations.set(uri, (this.generations.get(uri) ?? 0) + 1);
    this.schedule(uri, 0);
  }

  private schedule(uri: string, delay: number): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        this.publish(uri);
      }, delay),
    );
  }

  private publish(uri: string): void {
    let doc: AnalyzedDocument | undefined;
    try {
      doc = this.get(uri);
    } catch (err) {
      this.log.error(`Analysing ${uri} failed`, err);
      return;
    }
    // The analysis ran synchronously, so no edit can have arrived since get(); the check
    // guards against a future asynchronous analysis publishing an old version.
    if (!doc || this.documents.get(uri)?.version !== doc.version) return;
    this.connection
      .sendDiagnostics({ uri, version: doc.version, diagnostics: doc.analysis.diagnostics.map(toLspDiagnostic) })
      .catch((err) => this.log.error(`Publishing diagnostics for ${uri} failed`, err));
    for (const l of this.publishedListeners) {
      try {
        l(doc);
      } catch (err) {
        this.log.error('A listener of published analyses failed', err);
      }
    }
  }

  private close(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.cache.delete(uri);
    this.analyzers.delete(uri);
    this.generations.delete(uri);
    this.connection.sendDiagnostics({ uri, diagnostics: [] }).catch((err) => this.log.error(`Clearing diagnostics for ${uri} failed`, err));
    for (const l of this.closedListeners) {
      try {
        l(uri);
      } catch (err) {
        this.log.error('A listener of closed documents failed', err);
      }
    }
  }
}

/**
 * Runs `fn` under a time limit. A vm script's timeout interrupts everything it calls,
 * functions of this realm included, so a checker stuck in a loop costs one bounded wait
 * instead of the whole server.
 */
function withTimeLimit<T>(fn: () => T, millis: number): { value: T } | { timedOut: true } {
  let value: T | undefined;
  watchdog.context.run = () => {
    value = fn();
  };
  try {
    watchdog.script.runInContext(watchdog.context, { timeout: Math.max(1, Math.round(millis)) });
    return { value: value as T };
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { timedOut: true };
    throw err;
  } finally {
    watchdog.context.run = undefined;
  }
}

const watchdog = { script: new Script('run()'), context: createContext({ run: undefined as (() => void) | undefined }) };

/**
 * Time an analysis may take before it is taken for stuck: generous, and growing with the
 * text. Reading data is not part of it: the server's host reads only small files (up to
 * 1 MiB, milliseconds) on the edit path and summarises larger ones in the background.
 */
export function analysisTimeLimit(textLength: number): number {
  return 1000 + textLength / 200;
}

/**
 * The analysis of a text. If the checker throws or does not finish in time (bugs: it
 * promises neither), the result holds what can still be had (the syntax tree when the
 * parser alone works) and one diagnostic saying what happened, so the bug is visible and
 * the features that need only the tree (completion context, outline, folding) keep working.
 */
export function analyzeSafely(text: string, file: string, host: AnalysisHost, log: Log, limit = analysisTimeLimit(text.length)): Analysis {
  return guardedAnalysis(() => analyze(text, { file, host }), text, file, log, limit);
}

function guardedAnalysis(analysis: () => Analysis, text: string, file: string, log: Log, limit: number): Analysis {
  let failure: string;
  try {
    const run = withTimeLimit(analysis, limit);
    if ('value' in run) return run.value;
    failure = `did not finish within ${formatDuration(limit / 1000)}`;
  } catch (err) {
    failure = `failed (${err instanceof Error ? err.message : String(err)})`;
    log.error(`The checker failed on ${file}`, err);
  }
  if (failure.startsWith('did not')) log.error(`The checker ${failure} on ${file} (${text.length} characters).`);
  let source: Analysis['source'] = { declarations: [], comments: [], errors: [], lineCount: 1 };
  try {
    const parsed = withTimeLimit(() => parse(text), limit / 2);
    if ('value' in parsed) source = parsed.value;
  } catch {
    // The tree stays empty; the diagnostic below still tells the user.
  }
  const zero = { line: 0, character: 0 };
  const diagnostics: Diagnostic[] = [
    // Bounded as the checker's own list is, one place left for the note below.
    ...capDiagnostics(source.errors.map((e) => makeDiagnostic(e.code, e.message, e.range, undefined, 'error')), MAX_DIAGNOSTICS - 1),
    {
      code: 'internal-error',
      severity: 'error',
      message: `The checker ${failure} on this text; this is a bug in Modelspec. Other problems cannot be shown until the text changes.`,
      range: { start: zero, end: zero },
    },
  ];
  return { file, source, datasets: new Map(), blocks: new Map(), models: [], references: [], diagnostics, dependencies: [] };
}

/**
 * The path the analysis resolves data files against. Documents that are not files
 * (untitled buffers) resolve relative paths against the server's working directory.
 */
export function filePathOf(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      // A malformed file URI falls through to the untitled case.
    }
  }
  const name = uri.replace(/^[a-z][a-z0-9+.-]*:/i, '').replace(/[^A-Za-z0-9._-]+/g, '_') || 'untitled';
  return join(process.cwd(), name);
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  const out: LspDiagnostic = {
    range: d.range,
    severity: SEVERITY[d.severity] ?? DiagnosticSeverity.Error,
    code: d.code,
    source: 'modelspec',
    message: d.message,
  };
  if (d.code === 'unused-declaration') out.tags = [DiagnosticTag.Unnecessary];
  if (d.data !== undefined) out.data = jsonSafe(d.data);
  return out;
}

/** Diagnostic data may hold bigints, which JSON cannot carry: they travel as decimal strings. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = jsonSafe(v);
    return out;
  }
  return value;
}
