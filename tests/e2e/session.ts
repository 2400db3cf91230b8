// One end-to-end session: a fresh code-server (a real VS Code workbench) with the packaged
// extension installed, a copy of samples/ as its workspace, and headless Chromium showing
// it. Everything lives in a temp folder that `close` removes, with the processes.
// The recipe and its measurements: ../shared/notes/vscode-e2e.md.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { freePort, ProcessGroup, run, waitForHttp } from './processes';
import { Workbench } from './workbench';

const ROOT = resolve(__dirname, '../..');
const ARTIFACTS = join(__dirname, 'artifacts');
const CODE_SERVER = join(__dirname, '.cache/code-server/node_modules/code-server/out/node/entry.js');
const VSIX = join(ROOT, 'modelspec.vsix');
const FIXTURES = join(__dirname, 'fixtures');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface SessionOptions {
  /** Names the artifacts (screenshots, logs) of this session. */
  readonly name: string;
  /** false: Workspace Trust is on and the workspace is not trusted (restricted mode). */
  readonly trusted: boolean;
  /** User keybindings (keybindings.json), given the workspace folder: how a step runs a command that has no palette entry. */
  readonly keybindings?: (workspace: string) => readonly { readonly key: string; readonly command: string; readonly args?: unknown }[];
}

export class Session {
  private shots = 0;

  private constructor(
    readonly name: string,
    readonly workspace: string,
    readonly page: Page,
    readonly workbench: Workbench,
    private readonly root: string,
    private readonly server: ProcessGroup,
    private readonly browser: BrowserContext,
  ) {}

  static async start(options: SessionOptions): Promise<Session> {
    for (const need of [CODE_SERVER, VSIX]) {
      if (!existsSync(need)) throw new Error(`${need} is missing: run \`npm run test:e2e\` (it installs code-server and packages the extension)`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const old of readdirSync(ARTIFACTS)) if (old.startsWith(`${options.name}-`)) rmSync(join(ARTIFACTS, old));

    const root = mkdtempSync(join(tmpdir(), `modelspec-e2e-${options.name}-`));
    const dirs = Object.fromEntries(['home', 'config', 'data', 'cache', 'tmp', 'user-data', 'extensions', 'chromium', 'workspace'].map((d) => [d, join(root, d)]));
    for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
    const workspace = dirs.workspace;
    // Runs stored by earlier local use of the samples would show up in the runs panel.
    cpSync(join(ROOT, 'samples'), workspace, { recursive: true, filter: (src) => basename(src) !== '.modelspec' });
    for (const fixture of readdirSync(FIXTURES)) cpSync(join(FIXTURES, fixture), join(workspace, fixture));
    writeSettings(dirs['user-data'], options.trusted);
    if (options.keybindings) writeFileSync(join(dirs['user-data'], 'User', 'keybindings.json'), JSON.stringify(options.keybindings(workspace), null, 2));

    // Any code-server call writes ~/.config/code-server/config.yaml unless these point elsewhere.
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VSCODE_') && k !== 'ELECTRON_RUN_AS_NODE')),
      HOME: dirs.home,
      XDG_CONFIG_HOME: dirs.config,
      XDG_DATA_HOME: dirs.data,
      XDG_CACHE_HOME: dirs.cache,
      TMPDIR: dirs.tmp,
    };
    const common = ['--user-data-dir', dirs['user-data'], '--extensions-dir', dirs.extensions];
    await run(process.execPath, [CODE_SERVER, ...common, '--install-extension', VSIX], { env });

    const port = await freePort();
    const server = new ProcessGroup(
      process.execPath,
      [
        CODE_SERVER,
        '--bind-addr', `127.0.0.1:${port}`,
        '--auth', 'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-getting-started-override',
        ...(options.trusted ? ['--disable-workspace-trust'] : []),
        ...common,
        workspace,
      ],
      { env, cwd: root, log: join(ARTIFACTS, `${options.name}-code-server.log`) },
    );
    let browser: BrowserContext | undefined;
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, 30_000, () => server.running);
      browser = await chromium.launchPersistentContext(dirs.chromium, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_FLAGS,
        viewport: { width: 1440, height: 900 },
        env,
      });
      const page = browser.pages()[0] ?? (await browser.newPage());
      const consoleLog: string[] = [];
      page.on('console', (m) => consoleLog.push(`[${m.type()}] ${m.text()}`));
      browser.on('close', () => writeFileSync(join(ARTIFACTS, `${options.name}-console.log`), consoleLog.join('\n')));
      const workbench = new Workbench(page);
      await workbench.watchNotifications();
      await page.goto(`http://127.0.0.1:${port}/`);
      await workbench.ready();
      return new Session(options.name, workspace, page, workbench, root, server, browser);
    } catch (err) {
      await browser?.close().catch(() => undefined);
      await server.stop();
      rmSync(root, { recursive: true, force: true });
      throw err;
    }
  }

  /** The 1-based line of the first line of a workspace file that contains `needle`. */
  lineOf(file: string, needle: string): number {
    const index = readFileSync(join(this.workspace, file), 'utf8').split('\n').findIndex((l) => l.includes(needle));
    if (index < 0) throw new Error(`${file} has no line containing '${needle}'`);
    return index + 1;
  }

  /** Command lines of this session's processes (code-server and all it started) that match. */
  async processes(matching: RegExp): Promise<string[]> {
    return (await this.server.members()).filter((args) => matching.test(args));
  }

  /** A screenshot in tests/e2e/artifacts, numbered in the order they were taken. */
  async shot(label: string): Promise<void> {
    this.shots += 1;
    const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    await this.page.screenshot({ path: join(ARTIFACTS, `${this.name}-${String(this.shots).padStart(2, '0')}-${slug}.png`) });
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

function writeSettings(userData: string, trusted: boolean): void {
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'chat.commandCenter.enabled': false,
    'security.workspace.trust.enabled': !trusted,
    // Untrusted means restricted mode from the start, without the modal that asks.
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'always',
  };
  const dir = join(userData, 'User');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}
