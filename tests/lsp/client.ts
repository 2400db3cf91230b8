// A real LSP client for the tests: spawns the built server (`node dist/server.js --stdio`)
// and speaks JSON-RPC to it over its standard streams. No mocks: every test goes through
// the same framing, initialisation and document sync as an editor.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { RunView } from '../../server/src/lsp/protocol';
import type { ClientCapabilities, InitializeResult, Position, PublishDiagnosticsParams, Range, SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver-protocol';

export const ROOT = resolve(__dirname, '../..');
export const SERVER = resolve(ROOT, 'dist/server.js');
export const FIXTURES = resolve(__dirname, 'fixtures');

export function fixtureUri(name: string): string {
  return pathToFileURL(resolve(FIXTURES, name)).href;
}

export function fixtureText(name: string): string {
  return readFileSync(resolve(FIXTURES, name), 'utf8');
}

export interface StartOptions {
  /** The `modelspec` section answered to workspace/configuration. */
  readonly settings?: Record<string, unknown>;
  /** Leave out workspace/configuration support, as minimal clients do. */
  readonly noConfiguration?: boolean;
  readonly initializationOptions?: Record<string, unknown>;
  readonly snippets?: boolean;
  /** Advertise window.workDoneProgress, so the server may create progress of its own. */
  readonly workDoneProgress?: boolean;
}

const CAPABILITIES = (o: StartOptions): ClientCapabilities => ({
  ...(o.workDoneProgress ? { window: { workDoneProgress: true } } : {}),
  workspace: {
    configuration: !o.noConfiguration,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    inlayHint: { refreshSupport: true },
    codeLens: { refreshSupport: true },
    workspaceEdit: { documentChanges: true },
  },
  textDocument: {
    synchronization: { dynamicRegistration: false, didSave: true },
    completion: { completionItem: { snippetSupport: o.snippets !== false, labelDetailsSupport: true } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    signatureHelp: { signatureInformation: { parameterInformation: { labelOffsetSupport: true }, activeParameterSupport: true } },
    publishDiagnostics: { versionSupport: true, dataSupport: true, relatedInformation: true },
    rename: { prepareSupport: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor', 'source'] } }, dataSupport: true, isPreferredSupport: true },
    semanticTokens: { requests: { full: true }, tokenTypes: [], tokenModifiers: [], formats: ['relative'] },
    foldingRange: { lineFoldingOnly: true },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    inlayHint: {},
  },
});

export class TestClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  readonly logs: string[] = [];
  readonly registrations: unknown[] = [];
  readonly refreshes: string[] = [];
  /** `$/progress` values in arrival order, and the tokens the server asked to create. */
  readonly progress: { token: string | number; value: { kind: string; title?: string; message?: string; percentage?: number; cancellable?: boolean } }[] = [];
  readonly progressCreated: (string | number)[] = [];
  settings: Record<string, unknown>;
  initializeResult!: InitializeResult;
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private stderr = '';

  private constructor(
    readonly process: ChildProcess,
    readonly connection: MessageConnection,
    options: StartOptions,
  ) {
    this.settings = options.settings ?? {};
  }

  static async start(options: StartOptions = {}): Promise<TestClient> {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} does not exist: run \`npm run build\` first.`);
    const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], cwd: ROOT });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new TestClient(child, connection, options);
    child.stderr!.on('data', (d: Buffer) => (client.stderr += d.toString()));
    connection.onNotification((method: string, params: unknown) => {
      if (method === 'textDocument/publishDiagnostics') client.published.push(params as PublishDiagnosticsParams);
      else if (method === 'window/logMessage') client.logs.push((params as { message: string }).message);
      else client.notifications.push({ method, params });
      client.wake();
    });
    connection.onUnhandledProgress((p) => {
      client.progress.push(p as TestClient['progress'][number]);
      client.wake();
    });
    connection.onRequest((method: string, params: unknown) => {
      if (method === 'window/workDoneProgress/create') {
        client.progressCreated.push((params as { token: string | number }).token);
        client.wake();
        return null;
      }
      if (method === 'workspace/configuration') return (params as { items: unknown[] }).items.map(() => client.settings);
      if (method === 'client/registerCapability') {
        client.registrations.push(params);
        return null;
      }
      if (method.endsWith('/refresh')) {
        client.refreshes.push(method);
        client.wake();
      }
      return null;
    });
    connection.listen();
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(FIXTURES).href,
      capabilities: CAPABILITIES(options),
      initializationOptions: options.initializationOptions,
      workspaceFolders: [{ uri: pathToFileURL(FIXTURES).href, name: 'fixtures' }],
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  get errorOutput(): string {
    return this.stderr;
  }

  private wake(): void {
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.check()) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  /** Resolves when `check` holds (checked now and after every message), or rejects after `timeoutMs`. */
  waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolveWait, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.check !== check);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push({
        check,
        resolve: () => {
          clearTimeout(timer);
          resolveWait();
        },
      });
    });
  }

  /** The next diagnostics published for `uri` after `since` (an index into `published`) that satisfy `accept`. */
  async diagnosticsFor(uri: string, since = 0, accept: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 5000): Promise<PublishDiagnosticsParams> {
    const find = () => this.published.slice(since).find((p) => p.uri === uri && accept(p));
    await this.waitFor(() => find() !== undefined, `diagnostics for ${uri}`, timeoutMs);
    return find()!;
  }

  async open(uri: string, text: string, languageId = 'modelspec'): Promise<string> {
    this.versions.set(uri, 1);
    this.texts.set(uri, text);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return uri;
  }

  /** Opens a fixture under its real file URI (so relative data paths resolve). */
  openFixture(name: string): Promise<string> {
    return this.open(fixtureUri(name), fixtureText(name));
  }

  /** Replaces the whole text; returns the new version. */
  async change(uri: string, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /** An incremental edit; returns the new version. */
  async edit(uri: string, range: Range, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  /** One of the server's commands on the spec at `uri` (`workspace/executeCommand`, one argument `{ uri, ...args }`). */
  executeCommand<R>(uri: string, command: string, args: Record<string, unknown> = {}, workDoneToken?: string): Promise<R> {
    return this.request<R>('workspace/executeCommand', { command, arguments: [{ uri, ...args }], ...(workDoneToken ? { workDoneToken } : {}) });
  }

  /**
   * The server's semantic tokens for the document at `uri`, whose text is `text`, decoded from
   * the relative encoding with the advertised legend: `name:type` each, then `+modifier` for
   * each modifier when `modifiers` is set.
   */
  async semanticTokens(uri: string, text: string, modifiers = false): Promise<string[]> {
    const legend = this.initializeResult.capabilities.semanticTokensProvider!.legend as SemanticTokensLegend;
    const tokens = await this.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
    const lines = text.split('\n');
    const decoded: string[] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < tokens.data.length; i += 5) {
      const [dl, dc, len, type, mods] = tokens.data.slice(i, i + 5);
      line += dl;
      char = dl === 0 ? char + dc : dc;
      const names = modifiers ? legend.tokenModifiers.filter((_, bit) => mods & (1 << bit)) : [];
      decoded.push(`${lines[line].slice(char, char + len)}:${legend.tokenTypes[type]}${names.length ? `+${names.join('+')}` : ''}`);
    }
    return decoded;
  }

  /** The `modelspec/runChanged` views of a model's runs so far, in arrival order. */
  runChanges(model: string): RunView[] {
    return this.notifications.filter((n) => n.method === 'modelspec/runChanged' && (n.params as RunView).model === model).map((n) => n.params as RunView);
  }

  async stop(): Promise<void> {
    if (this.alive) {
      const exited = new Promise<void>((r) => this.process.once('exit', () => r()));
      try {
        await Promise.race([this.connection.sendRequest('shutdown'), delay(2000)]);
        await this.connection.sendNotification('exit');
      } catch {
        // The server may already be gone; the kill below makes sure.
      }
      await Promise.race([exited, delay(2000)]);
      if (this.alive) this.process.kill('SIGKILL');
    }
    this.connection.dispose();
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The position of the `n`th occurrence (0-based) of `needle` in `text`, plus `offset` characters. */
export function positionOf(text: string, needle: string, offset = 0, n = 0): Position {
  let index = -1;
  for (let i = 0; i <= n; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`'${needle}' (occurrence ${n}) not found`);
  }
  index += offset;
  const before = text.slice(0, index);
  const line = before.split('\n').length - 1;
  return { line, character: index - (before.lastIndexOf('\n') + 1) };
}

/** Applies text edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: readonly { range: Range; newText: string }[]): string {
  const lines = text.split('\n');
  const offset = (p: Position) => lines.slice(0, p.line).reduce((s, l) => s + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
