// The TextMate grammar against its scope assertions, through vscode-tmgrammar-test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

test('every scope assertion in tests/grammar holds', () => {
  const fixtures = readdirSync(__dirname).filter((f) => f.endsWith('.model'));
  const assertions = fixtures.reduce((n, f) => n + (readFileSync(join(__dirname, f), 'utf8').match(/^\/\/\s*(\^+|<-+)/gm)?.length ?? 0), 0);
  assert.ok(assertions >= 25, `fixtures hold ${assertions} assertions`);
  const bin = join(ROOT, 'node_modules/.bin/vscode-tmgrammar-test');
  const r = spawnSync(bin, ['-g', 'syntaxes/modelspec.tmLanguage.json', ...fixtures.map((f) => `tests/grammar/${f}`)], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.doesNotMatch(r.stdout, /✖|failed/i);
});
