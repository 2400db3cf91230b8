// What a user does in the VS Code workbench, as Playwright steps: open a file through quick
// open, run a palette command, go to a line, hover a token, read the suggestions and the
// notifications, and reach the extension's webview. Selectors are VS Code 1.100's
// (code-server 4.100.3), as measured in ../shared/notes/vscode-e2e.md.
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { delay } from './processes';

export type Severity = 'info' | 'warning' | 'error';

export interface SeenNotification {
  readonly text: string;
  readonly severity: Severity;
}

declare global {
  interface Window {
    __e2eNotifications?: SeenNotification[];
  }
}

// Plain JavaScript: tsx would wrap a compiled function's inner functions in helpers
// that do not exist in the page.
const NOTIFICATION_WATCHER = `
  window.__e2eNotifications = [];
  const keys = new Set();
  new MutationObserver(() => {
    for (const item of document.querySelectorAll('.notification-list-item')) {
      const text = item.querySelector('.notification-list-item-message')?.textContent?.trim();
      if (!text) continue;
      const icon = item.querySelector('.notification-list-item-icon')?.className ?? '';
      const severity = icon.includes('error') ? 'error' : icon.includes('warning') ? 'warning' : 'info';
      const key = severity + '\\u0000' + text;
      if (keys.has(key)) continue;
      keys.add(key);
      window.__e2eNotifications.push({ text, severity });
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

const QUICK_INPUT = '.quick-input-widget .quick-input-box input';
const QUICK_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';

export class Workbench {
  constructor(readonly page: Page) {}

  /**
   * Records every notification message the workbench shows, from page load on: progress
   * messages change several times a second and toasts hide themselves, so polling the DOM
   * would miss some.
   */
  async watchNotifications(): Promise<void> {
    await this.page.addInitScript(NOTIFICATION_WATCHER);
  }

  /** The workbench is drawn and the extension's contributions are registered. */
  async ready(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await this.page.locator('.activitybar .action-item a[aria-label^="Modelspec"]').first().waitFor({ timeout: 60_000 });
  }

  /** Focuses the editor area without moving the cursor of the open editor. */
  async focusEditor(): Promise<void> {
    const tab = this.page.locator('.part.editor .tabs-container .tab.active');
    if (await tab.count()) await tab.first().click();
    else await this.page.locator('.part.editor').click();
  }

  async openFile(name: string): Promise<void> {
    await this.quickInput('Control+P', name, name);
    await this.page.locator('.part.editor .tabs-container .tab.active').filter({ hasText: name }).waitFor();
    await this.page.locator('.part.editor .monaco-editor .view-line').first().waitFor();
  }

  async runCommand(title: string): Promise<void> {
    await this.quickInput('F1', `>${title}`, title);
  }

  /**
   * Opens the quick input with `key`, types `value` and clicks the row showing `row`.
   * Tries again when the quick input closes under it: it closes when it loses focus, which
   * a webview or editor being restored can take.
   */
  private async quickInput(key: string, value: string, row: string, attempts = 4): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.focusEditor();
      await this.page.keyboard.press(key);
      try {
        await this.page.locator(QUICK_INPUT).fill(value, { timeout: 5000 });
        await this.page.locator(QUICK_ROWS).filter({ hasText: row }).first().click({ timeout: 10_000 });
        return;
      } catch (err) {
        if (attempt === attempts) throw err;
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /** Picks a row of the quick pick a command opened. */
  async pick(label: string): Promise<void> {
    await this.page.locator(QUICK_INPUT).fill(label);
    await this.page.locator(QUICK_ROWS).filter({ hasText: label }).first().click();
  }

  /** Moves the cursor to the start of a 1-based line, as Ctrl+G does. */
  async goToLine(line: number): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+G');
    await this.page.locator(QUICK_INPUT).fill(`:${line}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden' });
  }

  /**
   * Hovers `token` on the first rendered line containing `line`, and returns the hover
   * text once it matches `expected`. Retries: the first hovers may come before the
   * language server has answered.
   */
  async hover(line: string, token: string, expected: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const point = await this.pointOf(line, token);
      await this.page.mouse.move(1, 1);
      await this.page.mouse.move(point.x, point.y);
      const shown = this.page.locator('.monaco-hover-content').filter({ hasText: expected });
      try {
        await shown.first().waitFor({ timeout: 3000 });
        return await shown.first().innerText();
      } catch {
        last = (await this.page.locator('.monaco-hover-content').allInnerTexts()).join(' | ');
      }
    }
    throw new Error(`no hover matching ${expected} over '${token}' within ${timeoutMs} ms; last hover: ${last || '(none)'}`);
  }

  /** The middle of a token's first character cell, found through the rendered text. */
  private async pointOf(line: string, token: string): Promise<{ x: number; y: number }> {
    const point = await this.page.evaluate(([line, token]) => {
      const lines = document.querySelectorAll('.part.editor .monaco-editor .view-lines .view-line');
      for (const el of lines) {
        // Monaco renders spaces as no-break spaces.
        const text = (el.textContent ?? '').replace(/\u00a0/g, ' ');
        const at = text.indexOf(line);
        if (at < 0 || line.indexOf(token) < 0) continue;
        let offset = at + line.indexOf(token) + Math.floor(token.length / 2);
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const length = node.textContent?.length ?? 0;
          if (offset < length) {
            const range = document.createRange();
            range.setStart(node, offset);
            range.setEnd(node, offset + 1);
            const rect = range.getBoundingClientRect();
            return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
          }
          offset -= length;
        }
      }
      return undefined;
    }, [line, token] as const);
    if (!point) throw new Error(`no rendered line contains '${line}' (with '${token}')`);
    return point;
  }

  /** Types at the cursor and returns the labels of the suggestions VS Code shows. */
  async suggestionsAfterTyping(text: string): Promise<string[]> {
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Control+Space');
    const rows = this.page.locator('.editor-widget.suggest-widget.visible .monaco-list-row .label-name');
    await rows.first().waitFor({ timeout: 15_000 });
    return rows.allInnerTexts();
  }

  /** Every notification shown so far, in order. */
  async notifications(): Promise<SeenNotification[]> {
    return this.page.evaluate(() => window.__e2eNotifications ?? []);
  }

  async waitForNotification(matches: RegExp, timeoutMs: number, severity?: Severity): Promise<SeenNotification> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = await this.notifications();
      const hit = seen.find((n) => matches.test(n.text) && (!severity || n.severity === severity));
      if (hit) return hit;
      if (Date.now() > deadline) {
        throw new Error(`no ${severity ?? ''} notification matching ${matches} within ${timeoutMs} ms; seen: ${JSON.stringify(seen)}`);
      }
      await delay(100);
    }
  }

  /** The toast showing a message, e.g. to press one of its buttons. */
  toast(matches: RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-list-item').filter({ hasText: matches }).first();
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** The document of the extension's webview (the runs panel): two nested iframes. */
  webview(): FrameLocator {
    return this.page
      .locator('iframe.webview.ready[src*="extensionId=modelspec.modelspec"]')
      .first()
      .contentFrame()
      .locator('iframe#active-frame')
      .contentFrame();
  }
}
