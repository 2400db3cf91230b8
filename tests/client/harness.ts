// The bundled extension (dist/client.js) activated in this process against fakeVscode.ts,
// for tests that drive it as VS Code would.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { join, resolve } from 'node:path';
import { Uri, type FakeVscode } from './fakeVscode';

export const ROOT = resolve(__dirname, '../..');

/** Every setting's default, as the manifest declares it. */
export function manifestDefaults(): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return Object.fromEntries(Object.entries(manifest.contributes.configuration.properties as Record<string, { default?: unknown }>).map(([k, v]) => [k, v.default]));
}

export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ActiveExtension {
  readonly extension: { activate(context: unknown): Promise<void>; deactivate(): Promise<void> };
  /** Deactivates it, disposes what it registered and gives `require('vscode')` back. */
  dispose(): Promise<void>;
}

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;

/** Loads dist/client.js with `require('vscode')` answered by `fake`, and activates it. */
export async function activateExtension(fake: FakeVscode): Promise<ActiveExtension> {
  assert.ok(existsSync(join(ROOT, 'dist/client.js')) && existsSync(join(ROOT, 'dist/server.js')), 'build first: npm run build');
  const loader = Module as unknown as { _load: Load };
  const originalLoad = loader._load;
  loader._load = function (request, parent, isMain) {
    return request === 'vscode' ? fake.module : originalLoad.call(this, request, parent, isMain);
  };
  const context = { subscriptions: [] as { dispose(): unknown }[], extensionPath: ROOT, extensionUri: Uri.file(ROOT), extensionMode: 1, asAbsolutePath: (p: string) => join(ROOT, p) };
  const extension = require(join(ROOT, 'dist/client.js')) as ActiveExtension['extension'];
  await extension.activate(context);
  return {
    extension,
    async dispose() {
      await extension.deactivate();
      for (const d of context.subscriptions) d.dispose();
      loader._load = originalLoad;
    },
  };
}
