/**
 * A stand-in for the `vscode` module, enough for the bundled extension (dist/client.js)
 * and vscode-languageclient to run in plain Node against the real language server. It
 * records what the extension shows (messages, documents, progress, tree views, output)
 * and lets a test drive the editor (open and edit documents, switch the active editor,
 * answer prompts). Behaviour that matters to the extension follows VS Code's: a second
 * registration of a command id throws, content providers back `openTextDocument`, and
 * `vscode.executeDocumentSymbolProvider` asks the registered symbol provider.
 *
 * What it does not model (layout, themes, real rendering) the extension does not read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Listener<T> = (e: T) => unknown;

export class Disposable {
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((d) => d?.dispose()));
  }
  constructor(private fn?: () => unknown) {}
  dispose(): void {
    const fn = this.fn;
    this.fn = undefined;
    fn?.();
  }
}

export class EventEmitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>, thisArg?: unknown, disposables?: Disposable[]): Disposable => {
    const bound: Listener<T> = (e) => listener.call(thisArg, e);
    this.listeners.add(bound);
    const d = new Disposable(() => this.listeners.delete(bound));
    disposables?.push(d);
    return d;
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query: string,
    readonly fragment: string,
  ) {}
  static parse(value: string): Uri {
    const m = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(value);
    if (!m) throw new Error(`not a URI: ${value}`);
    return new Uri(m[1], m[2] ?? '', decodeURIComponent(m[3]), decodeURIComponent(m[4] ?? ''), decodeURIComponent(m[5] ?? ''));
  }
  static file(path: string): Uri {
    return new Uri('file', '', path, '', '');
  }
  static from(c: { scheme: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(c.scheme, c.authority ?? '', c.path ?? '', c.query ?? '', c.fragment ?? '');
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return base.with({ path: join(base.path, ...segments) });
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: { scheme?: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment);
  }
  toString(): string {
    const path = this.path.split('/').map(encodeURIComponent).join('/');
    const authority = this.authority || this.scheme === 'file' ? `//${this.authority}` : '';
    return `${this.scheme}:${authority}${path}${this.query ? `?${encodeURIComponent(this.query)}` : ''}${this.fragment ? `#${encodeURIComponent(this.fragment)}` : ''}`;
  }
  toJSON(): unknown {
    return { $mid: 1, scheme: this.scheme, authority: this.authority, path: this.path, query: this.query, fragment: this.fragment };
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    if (typeof a === 'number') {
      this.start = new Position(a, b as number);
      this.end = new Position(c!, d!);
    } else {
      this.start = a;
      this.end = b as Position;
    }
  }
  contains(p: Position): boolean {
    const after = p.line > this.start.line || (p.line === this.start.line && p.character >= this.start.character);
    const before = p.line < this.end.line || (p.line === this.end.line && p.character <= this.end.character);
    return after && before;
  }
}

export class Selection extends Range {
  get active(): Position {
    return this.end;
  }
}

export class Location {
  constructor(
    readonly uri: Uri,
    readonly range: Range,
  ) {}
}

export class MarkdownString {
  constructor(public value = '') {}
  appendMarkdown(s: string): this {
    this.value += s;
    return this;
  }
  appendText(s: string): this {
    this.value += s;
    return this;
  }
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: unknown,
  ) {}
}
export class ThemeColor {
  constructor(readonly id: string) {}
}

export class TreeItem {
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  id?: string;
  constructor(
    public label: string,
    public collapsibleState = 0,
  ) {}
}

export class DocumentSymbol {
  children: DocumentSymbol[] = [];
  constructor(
    public name: string,
    public detail: string,
    public kind: number,
    public range: Range,
    public selectionRange: Range,
  ) {}
}

export class CancellationError extends Error {
  constructor() {
    super('Canceled');
    this.name = 'Canceled';
  }
}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  readonly token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    if (this.token.isCancellationRequested) return;
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export interface FakeDocument {
  uri: Uri;
  fileName: string;
  languageId: string;
  version: number;
  isClosed: boolean;
  isDirty: boolean;
  isUntitled: boolean;
  eol: number;
  lineCount: number;
  getText(range?: Range): string;
  offsetAt(p: Position): number;
  positionAt(offset: number): Position;
  lineAt(line: number): { text: string };
}

function makeDocument(uri: Uri, languageId: string, text: string, version = 1): FakeDocument & { setText(t: string): void } {
  let content = text;
  const lines = () => content.split('\n');
  const offsetAt = (p: Position) => {
    const ls = lines();
    let offset = 0;
    for (let i = 0; i < p.line && i < ls.length; i++) offset += ls[i].length + 1;
    return offset + p.character;
  };
  const doc = {
    uri,
    fileName: uri.fsPath,
    languageId,
    version,
    isClosed: false,
    isDirty: false,
    isUntitled: uri.scheme === 'untitled',
    eol: 1,
    get lineCount() {
      return lines().length;
    },
    getText: (r?: Range) => (r ? content.slice(offsetAt(r.start), offsetAt(r.end)) : content),
    offsetAt,
    positionAt(offset: number) {
      const before = content.slice(0, offset).split('\n');
      return new Position(before.length - 1, before[before.length - 1].length);
    },
    lineAt: (line: number) => ({ text: lines()[line] ?? '' }),
    setText(t: string) {
      content = t;
    },
  };
  return doc;
}

/** A message the extension showed, and the button the test answers with. */
export interface ShownMessage {
  readonly kind: 'info' | 'warning' | 'error';
  readonly text: string;
  readonly items: readonly string[];
  /** A modal dialog (`{ modal: true }`), and its detail text. */
  readonly modal?: boolean;
  readonly detail?: string;
}

export interface FakeVscodeOptions {
  /** Default values of `contributes.configuration`, e.g. from package.json. */
  readonly configuration: Record<string, unknown>;
}

/**
 * A new fake `vscode` module and the handle a test drives it with. Anything the module
 * does not define resolves to a harmless stand-in (a no-op function returning a
 * Disposable, or a constructible class), because vscode-languageclient touches many
 * members only for capabilities this server does not have.
 */
export function createFakeVscode(options: FakeVscodeOptions) {
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const contentProviders = new Map<string, { provideTextDocumentContent(uri: Uri, token?: unknown): unknown; onDidChange?: (l: Listener<Uri>) => Disposable }>();
  const symbolProviders: { provideDocumentSymbols(doc: FakeDocument, token: unknown): unknown }[] = [];
  const codeLensProviders: { provideCodeLenses(doc: FakeDocument, token: unknown): unknown }[] = [];
  const treeViews = new Map<string, { provider: { getChildren(n?: unknown): unknown; getTreeItem(n: unknown): unknown; onDidChangeTreeData?: (l: Listener<unknown>) => Disposable }; view: { message?: string; description?: string } }>();
  const messages: ShownMessage[] = [];
  const answers: { match: RegExp; answer: string | undefined }[] = [];
  const quickPickAnswers: ((items: { label: string }[]) => unknown)[] = [];
  const shownDocuments: FakeDocument[] = [];
  const executed: { id: string; args: unknown[] }[] = [];
  const output: string[] = [];
  const progress: string[] = [];
  /** One per withProgress, in order: what its Cancel button would do. */
  const progressCancels: CancellationTokenSource[] = [];
  const textDocuments: FakeDocument[] = [];
  const diagnostics = new Map<string, unknown[]>();
  const events = {
    openDocument: new EventEmitter<FakeDocument>(),
    closeDocument: new EventEmitter<FakeDocument>(),
    changeDocument: new EventEmitter<unknown>(),
    activeEditor: new EventEmitter<unknown>(),
    configuration: new EventEmitter<unknown>(),
    grantTrust: new EventEmitter<void>(),
  };
  let activeTextEditor: { document: FakeDocument; selection: Selection } | undefined;
  let isTrusted = true;
  let untitled = 0;

  const settings = (): Record<string, unknown> => {
    // Nested like VS Code's WorkspaceConfiguration: get('modelspec') is an object tree.
    const root: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(options.configuration)) {
      const parts = key.split('.');
      let node = root;
      for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
      node[parts[parts.length - 1]] = value;
    }
    return root;
  };
  const getConfiguration = (section?: string) => {
    let node: unknown = settings();
    for (const p of section ? section.split('.') : []) node = (node as Record<string, unknown> | undefined)?.[p];
    const lookup = (key: string) => key.split('.').reduce<unknown>((n, p) => (n as Record<string, unknown> | undefined)?.[p], node);
    return {
      get: (key: string, fallback?: unknown) => lookup(key) ?? fallback,
      has: (key: string) => lookup(key) !== undefined,
      inspect: () => undefined,
      update: async () => undefined,
      ...(typeof node === 'object' && node ? node : {}),
    };
  };

  const show = (kind: ShownMessage['kind']) => async (text: string, ...rest: unknown[]) => {
    const items = rest.filter((r): r is string => typeof r === 'string');
    const options = rest.find((r): r is { modal?: boolean; detail?: string } => typeof r === 'object' && r !== null);
    messages.push({ kind, text, items, ...(options?.modal ? { modal: true } : {}), ...(options?.detail !== undefined ? { detail: options.detail } : {}) });
    const i = answers.findIndex((a) => a.match.test(text));
    if (i < 0) return undefined;
    const [a] = answers.splice(i, 1);
    // A person answers later than the code that asked goes on running.
    await new Promise((r) => setTimeout(r, 20));
    return a.answer;
  };

  const openTextDocument = async (arg?: Uri | { language?: string; content?: string }) => {
    if (arg instanceof Uri) {
      const existing = textDocuments.find((d) => d.uri.toString() === arg.toString());
      if (existing) return existing;
      const provider = contentProviders.get(arg.scheme);
      let text: string;
      let languageId = 'plaintext';
      if (provider) text = String(await provider.provideTextDocumentContent(arg, new CancellationTokenSource().token));
      else {
        text = readFileSync(arg.fsPath, 'utf8');
        if (arg.path.endsWith('.model')) languageId = 'modelspec';
      }
      const doc = makeDocument(arg, languageId, text);
      textDocuments.push(doc);
      events.openDocument.fire(doc);
      return doc;
    }
    const doc = makeDocument(Uri.from({ scheme: 'untitled', path: `Untitled-${++untitled}` }), arg?.language ?? 'plaintext', arg?.content ?? '');
    textDocuments.push(doc);
    events.openDocument.fire(doc);
    return doc;
  };

  const builtinCommands: Record<string, (...args: unknown[]) => unknown> = {
    'vscode.executeDocumentSymbolProvider': async (uri: unknown) => {
      const doc = textDocuments.find((d) => d.uri.toString() === String(uri));
      if (!doc || symbolProviders.length === 0) return [];
      return symbolProviders[0].provideDocumentSymbols(doc, new CancellationTokenSource().token);
    },
    setContext: () => undefined,
  };

  const api = {
    version: '1.90.0',
    Disposable,
    EventEmitter,
    Uri,
    Position,
    Range,
    Selection,
    Location,
    MarkdownString,
    ThemeIcon,
    ThemeColor,
    TreeItem,
    DocumentSymbol,
    CancellationError,
    CancellationTokenSource,
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2, Three: 3 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    env: { appName: 'Fake VS Code', language: 'en', machineId: 'test', sessionId: 'test', uriScheme: 'vscode', openExternal: async () => true },
    commands: {
      registerCommand(id: string, fn: (...args: unknown[]) => unknown) {
        // As in VS Code: a second registration is an error.
        if (commands.has(id) || id in builtinCommands) throw new Error(`command '${id}' already exists`);
        commands.set(id, fn);
        return new Disposable(() => commands.delete(id));
      },
      async executeCommand(id: string, ...args: unknown[]) {
        executed.push({ id, args });
        const fn = commands.get(id) ?? builtinCommands[id];
        return fn ? fn(...args) : undefined;
      },
      getCommands: async () => [...commands.keys()],
    },
    window: {
      get activeTextEditor() {
        return activeTextEditor;
      },
      visibleTextEditors: [],
      tabGroups: { all: [], onDidChangeTabs: new EventEmitter<unknown>().event, onDidChangeTabGroups: new EventEmitter<unknown>().event },
      onDidChangeActiveTextEditor: events.activeEditor.event,
      onDidChangeVisibleTextEditors: new EventEmitter<unknown>().event,
      createOutputChannel: (name: string) => ({
        name,
        append: (s: string) => output.push(s),
        appendLine: (s: string) => output.push(s),
        replace: () => undefined,
        clear: () => undefined,
        show: () => undefined,
        hide: () => undefined,
        dispose: () => undefined,
      }),
      createTreeView(id: string, opts: { treeDataProvider: never }) {
        const view = { message: undefined as string | undefined, description: undefined as string | undefined, title: undefined, visible: true, dispose: () => treeViews.delete(id) };
        treeViews.set(id, { provider: opts.treeDataProvider, view });
        return view;
      },
      showInformationMessage: show('info'),
      showWarningMessage: show('warning'),
      showErrorMessage: show('error'),
      async showQuickPick(items: { label: string }[]) {
        const answer = quickPickAnswers.shift();
        return answer ? answer(await items) : undefined;
      },
      async showTextDocument(doc: FakeDocument) {
        shownDocuments.push(doc);
        return { document: doc, selection: new Selection(0, 0, 0, 0) };
      },
      async withProgress(opts: { title?: string }, task: (p: unknown, token: unknown) => unknown) {
        progress.push(opts.title ?? '');
        const source = new CancellationTokenSource();
        progressCancels.push(source);
        return task({ report: () => undefined }, source.token);
      },
      setStatusBarMessage: () => new Disposable(),
    },
    workspace: {
      get isTrusted() {
        return isTrusted;
      },
      workspaceFolders: undefined,
      textDocuments,
      getConfiguration,
      getWorkspaceFolder: () => undefined,
      onDidChangeConfiguration: events.configuration.event,
      onDidOpenTextDocument: events.openDocument.event,
      onDidCloseTextDocument: events.closeDocument.event,
      onDidChangeTextDocument: events.changeDocument.event,
      onDidSaveTextDocument: new EventEmitter<unknown>().event,
      onWillSaveTextDocument: new EventEmitter<unknown>().event,
      onDidChangeWorkspaceFolders: new EventEmitter<unknown>().event,
      onDidGrantWorkspaceTrust: events.grantTrust.event,
      registerTextDocumentContentProvider(scheme: string, provider: never) {
        contentProviders.set(scheme, provider);
        return new Disposable(() => contentProviders.delete(scheme));
      },
      openTextDocument,
      createFileSystemWatcher: () => ({
        onDidCreate: new EventEmitter<unknown>().event,
        onDidChange: new EventEmitter<unknown>().event,
        onDidDelete: new EventEmitter<unknown>().event,
        dispose: () => undefined,
      }),
      applyEdit: async () => true,
    },
    languages: {
      match(selector: unknown, doc: FakeDocument): number {
        const filters = Array.isArray(selector) ? selector : [selector];
        return filters.some((f) => (typeof f === 'string' ? f === doc.languageId : (f as { language?: string }).language === undefined || (f as { language?: string }).language === doc.languageId)) ? 10 : 0;
      },
      createDiagnosticCollection: (name?: string) => ({
        name,
        set: (uri: Uri, d: unknown[]) => diagnostics.set(String(uri), d ?? []),
        delete: (uri: Uri) => diagnostics.delete(String(uri)),
        clear: () => diagnostics.clear(),
        forEach: () => undefined,
        get: (uri: Uri) => diagnostics.get(String(uri)),
        has: (uri: Uri) => diagnostics.has(String(uri)),
        dispose: () => undefined,
      }),
      registerCodeLensProvider(_selector: unknown, provider: never) {
        codeLensProviders.push(provider);
        return new Disposable(() => codeLensProviders.splice(codeLensProviders.indexOf(provider), 1));
      },
      registerDocumentSymbolProvider(_selector: unknown, provider: never) {
        symbolProviders.push(provider);
        return new Disposable(() => symbolProviders.splice(symbolProviders.indexOf(provider), 1));
      },
    },
  };

  // Members the extension never reads but vscode-languageclient may touch: no-op
  // registrations, constructible stand-ins for converter classes, numbers for enums.
  const standIns = new Map<PropertyKey, unknown>();
  const standIn = (name: PropertyKey): unknown => {
    if (!standIns.has(name)) {
      const fn = function (this: Record<string, unknown>, ...args: unknown[]) {
        if (new.target) Object.assign(this, { args });
        return new.target ? this : new Disposable();
      };
      standIns.set(name, new Proxy(fn, { get: (t, p) => (p in t ? (t as unknown as Record<PropertyKey, unknown>)[p] : typeof p === 'string' ? p.length : undefined) }));
    }
    return standIns.get(name);
  };
  // The module and its namespaces (window, workspace, ...) are lenient; the values they hold are not.
  const lenient = <T extends object>(o: T, depth = 0): T =>
    new Proxy(o, {
      get: (t, p) => {
        if (p in t) {
          const v = (t as Record<PropertyKey, unknown>)[p];
          const namespace = depth === 0 && v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
          return namespace ? lenient(v as object, depth + 1) : v;
        }
        if (typeof p === 'symbol' || p === 'then' || p === '__esModule') return undefined;
        return standIn(p);
      },
    });

  const controller = {
    module: lenient(api),
    commands,
    messages,
    shownDocuments,
    executed,
    output,
    progress,
    treeViews,
    diagnostics,
    contentProviders,
    set trusted(value: boolean) {
      isTrusted = value;
    },
    /** The user trusts the workspace, as "Trust" in VS Code's dialog: isTrusted turns true and onDidGrantWorkspaceTrust fires. */
    grantTrust() {
      isTrusted = true;
      events.grantTrust.fire();
    },
    /** The code lenses of an open document, as the registered provider (the language server) gives them. */
    async codeLenses(doc: FakeDocument): Promise<{ command?: { title: string; command: string; arguments?: unknown[] } }[]> {
      if (codeLensProviders.length === 0) return [];
      return ((await codeLensProviders[0].provideCodeLenses(doc, new CancellationTokenSource().token)) ?? []) as never;
    },
    /** The next message matching `match` is answered with `answer` (a button's label). */
    answer(match: RegExp, answer: string | undefined) {
      answers.push({ match, answer });
    },
    answerQuickPick(pick: (items: { label: string }[]) => unknown) {
      quickPickAnswers.push(pick);
    },
    /** Presses Cancel on the latest progress notification (`withProgress` with `cancellable`). */
    cancelProgress() {
      progressCancels.at(-1)?.cancel();
    },
    /** Opens a file in an editor and makes it the active one, with the cursor on `line`. */
    async openEditor(path: string, line = 0) {
      const doc = await openTextDocument(Uri.file(path));
      activeTextEditor = { document: doc, selection: new Selection(line, 0, line, 0) };
      events.activeEditor.fire(activeTextEditor);
      return doc;
    },
    /** Replaces a document's whole text, as one edit, and tells the listeners. */
    editDocument(doc: FakeDocument, text: string) {
      const d = doc as FakeDocument & { setText(t: string): void };
      const end = d.positionAt(d.getText().length);
      const old = d.getText();
      d.setText(text);
      d.version++;
      events.changeDocument.fire({
        document: d,
        reason: undefined,
        contentChanges: [{ range: new Range(new Position(0, 0), end), rangeOffset: 0, rangeLength: old.length, text }],
      });
    },
    closeDocument(doc: FakeDocument) {
      textDocuments.splice(textDocuments.indexOf(doc), 1);
      doc.isClosed = true;
      events.closeDocument.fire(doc);
    },
  };
  return controller;
}

export type FakeVscode = ReturnType<typeof createFakeVscode>;
