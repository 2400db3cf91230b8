// package.json is the extension's other half: what it contributes must match what the
// code registers, what the server reads, and files that exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLIENT_COMMANDS, LANGUAGE_ID, MODEL_ITEM_CONTEXT, RESULTS_VIEW_ID,
  RUNS_VIEW_ID, VIEW_CONTAINER_ID } from '../../client/src/ids';
import { DEFAULT_SETTINGS, normalizeSettings } from '../../server/src/lsp/config';
import { COMMANDS } from '../../server/src/lsp/protocol';
import { DEFAULT_RUNS_DIR } from '../../server/src/training/runs';

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const contributes = pkg.contributes;
const properties = contributes.configuration.properties as Record<string, { type: string; default?: unknown; scope?: string }>;
const file = (p: string) => join(ROOT, p.replace(/^\.\//, ''));

test('the entry point is the bundled client, activated by .model files', () => {
  assert.equal(pkg.main, './dist/client.js');
  const build = readFileSync(join(ROOT, 'scripts/build.mjs'), 'utf8');
  assert.match(build, /in: 'client\/src\/extension\.ts', out: 'dist\/client\.js', external: \['vscode'\]/);
  assert.deepEqual(pkg.activationEvents, [`onLanguage:${LANGUAGE_ID}`]);
  assert.equal(pkg.engines.vscode, '^1.90.0');
  // The API types must not promise more than the oldest VS Code the manifest accepts.
  assert.match(pkg.devDependencies['@types/vscode'], /^[~^]?1\.90\./);
  assert.match(pkg.dependencies['vscode-languageclient'], /^\^9\./);
  for (const dev of ['@vscode/vsce', 'vscode-tmgrammar-test']) assert.ok(pkg.devDependencies[dev], `${dev} missing`);
  assert.match(pkg.scripts.package, /vsce package --no-dependencies .*-o modelspec\.vsix/);
  assert.match(pkg.scripts['test:grammar'], /vscode-tmgrammar-test/);
});

test('the language, grammar and snippets point at files that exist and agree', () => {
  const [language] = contributes.languages;
  assert.equal(language.id, LANGUAGE_ID);
  assert.deepEqual(language.extensions, ['.model']);
  assert.ok(existsSync(file(language.configuration)));
  for (const icon of Object.values(language.icon as Record<string, string>)) assert.ok(existsSync(file(icon)), icon);
  const [grammar] = contributes.grammars;
  assert.equal(grammar.language, LANGUAGE_ID);
  assert.equal(JSON.parse(readFileSync(file(grammar.path), 'utf8')).scopeName, grammar.scopeName);
  assert.equal(grammar.scopeName, 'source.modelspec');
  const [snippets] = contributes.snippets;
  assert.equal(snippets.language, LANGUAGE_ID);
  assert.ok(existsSync(file(snippets.path)));
});

test('the icon is a 128×128 PNG', () => {
  const png = readFileSync(file(pkg.icon));
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
});

test('the contributed commands are exactly the ones the extension registers, apart from the server’s', () => {
  const ids: string[] = (contributes.commands as { command: string; category: string; title: string }[]).map((c) => c.command).sort();
  assert.deepEqual(ids, (Object.values(CLIENT_COMMANDS) as string[]).sort());
  for (const c of contributes.commands) assert.equal(c.category, 'Modelspec', c.command);
  // vscode-languageclient registers the server's ids as VS Code commands; a shared id would fail to register.
  for (const id of Object.values(COMMANDS)) assert.ok(!ids.includes(id), `${id} is both a server and a client command`);
  for (const [menu, entries] of Object.entries(contributes.menus as Record<string, { command: string; when?: string }[]>)) {
    for (const e of entries) assert.ok(ids.includes(e.command), `${menu} names ${e.command}`);
  }
  const palette = (contributes.menus.commandPalette as { command: string; when?: string }[]).filter((e) => e.command !== CLIENT_COMMANDS.restartServer);
  for (const e of palette) assert.equal(e.when, `editorLangId == ${LANGUAGE_ID}`);
});

test('the Results view lives in the Modelspec container, and its menus match its rows', () => {
  const [container] = contributes.viewsContainers.activitybar;
  assert.equal(container.id, VIEW_CONTAINER_ID);
  assert.ok(existsSync(file(container.icon)));
  assert.deepEqual(
    contributes.views[VIEW_CONTAINER_ID].map((v: { id: string; type?: string }) => `${v.id}:${v.type ?? 'tree'}`),
    [`${RESULTS_VIEW_ID}:tree`, `${RUNS_VIEW_ID}:webview`],
  );
  const itemMenus = contributes.menus['view/item/context'] as { when: string }[];
  assert.ok(itemMenus.length > 0);
  for (const e of itemMenus) assert.match(e.when, new RegExp(`view == ${RESULTS_VIEW_ID.replace('.', '\\.')} && viewItem == ${MODEL_ITEM_CONTEXT}\\b`));
});

test('every setting the server reads is contributed, with the server’s defaults', () => {
  const flat: Record<string, unknown> = {};
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, `${prefix}${k}.`);
      else flat[`${prefix}${k}`] = v;
    }
  };
  walk(DEFAULT_SETTINGS as unknown as Record<string, unknown>, 'modelspec.');
  for (const [key, value] of Object.entries(flat)) {
    assert.ok(properties[key], `${key} is read by the server but not contributed`);
    assert.deepEqual(properties[key].default, value, key);
  }
  // The editor's accelerator list passes the server's validation unchanged.
  const accelerators = properties['modelspec.accelerators'].default as unknown[];
  assert.deepEqual(normalizeSettings({ accelerators }).accelerators, accelerators);
});

test('the settings the brief promises exist with their defaults and scopes', () => {
  const expect: Record<string, unknown> = {
    'modelspec.inlayHints.enabled': true,
    'modelspec.inlayHints.params': true,
    'modelspec.codeLens.enabled': true,
    'modelspec.training.maxConcurrentRuns': 1,
    'modelspec.runsDirectory': DEFAULT_RUNS_DIR,
    'modelspec.trace.server': 'off',
  };
  for (const [key, value] of Object.entries(expect)) assert.deepEqual(properties[key]?.default, value, key);
  for (const [key, p] of Object.entries(properties)) {
    assert.ok(key.startsWith('modelspec.'), key);
    assert.ok(p.scope, `${key} has no scope`);
  }
  const trust = pkg.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  assert.ok(trust.description.length > 20);
  for (const key of trust.restrictedConfigurations) assert.ok(properties[key], key);
});
