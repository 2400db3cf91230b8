// The TextMate grammar (syntaxes/modelspec.tmLanguage.json): the scope assertions in
// tests/grammar/*.model through the vscode-tmgrammar-test CLI, plus checks that the CLI
// alone cannot make: that it really checked every asserted line, that a wrong assertion
// fails, that every scope the grammar emits is asserted somewhere, and that the samples
// tokenize without anything marked invalid or left unscoped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

const ROOT = resolve(__dirname, '../..');
const GRAMMAR = join(ROOT, 'syntaxes/modelspec.tmLanguage.json');
const FIXTURES = readdirSync(__dirname)
  .filter((f) => f.endsWith('.model'))
  .sort();

/** The CLI's own script, run with this Node so the test does not depend on a shell or PATH. */
function cliPath(): string {
  const pkgFile = require.resolve('vscode-tmgrammar-test/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { bin: Record<string, string> };
  return join(pkgFile, '..', pkg.bin['vscode-tmgrammar-test']);
}

function runCli(files: string[], reportDir: string) {
  return spawnSync(process.execPath, [cliPath(), '-g', GRAMMAR, '--xunit-report', reportDir, ...files], { cwd: ROOT, encoding: 'utf8' });
}

/** Source lines that carry at least one assertion (`// ^^^ scope` or `// <-- scope` below them). */
function assertedLines(text: string): number {
  let count = 0;
  let lastWasAssertion = false;
  for (const line of text.split('\n').slice(1)) {
    const isAssertion = /^\/\/\s*(\^+|<-+)/.test(line);
    if (isAssertion && !lastWasAssertion) count++;
    lastWasAssertion = isAssertion;
  }
  return count;
}

test('every scope assertion in tests/grammar holds, and every asserted line was checked', () => {
  assert.ok(FIXTURES.length > 0, 'no fixtures in tests/grammar');
  const reports = mkdtempSync(join(tmpdir(), 'modelspec-grammar-'));
  try {
    const r = runCli(
      FIXTURES.map((f) => `tests/grammar/${f}`),
      reports,
    );
    assert.equal(r.status, 0, `vscode-tmgrammar-test failed:\n${r.stdout}\n${r.stderr}`);
    // One xunit report per fixture, one <testcase> per asserted source line.
    const files = readdirSync(reports);
    let checked = 0;
    for (const fixture of FIXTURES) {
      const report = files.find((f) => f.endsWith(`.${fixture}.xml`));
      assert.ok(report, `no report for ${fixture} in ${files.join(', ')}`);
      const xml = readFileSync(join(reports, report), 'utf8');
      const tests = Number(/\btests="(\d+)"/.exec(xml)?.[1]);
      const failures = Number(/\bfailures="(\d+)"/.exec(xml)?.[1]);
      const expected = assertedLines(readFileSync(join(__dirname, fixture), 'utf8'));
      assert.equal(failures, 0, `${fixture}: ${failures} failures`);
      assert.ok(expected > 0, `${fixture} asserts nothing`);
      assert.equal(tests, expected, `${fixture}: the CLI checked ${tests} lines, the fixture asserts ${expected}`);
      checked += tests;
    }
    assert.ok(checked > 0);
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
});

test('a wrong assertion makes the CLI fail (the harness is not vacuous)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelspec-grammar-'));
  try {
    const fixture = join(dir, 'wrong.model');
    writeFileSync(fixture, ['// SYNTAX TEST "source.modelspec" "deliberately wrong"', 'model M {', '// <----- entity.name.function.call.modelspec', '}', ''].join('\n'));
    const r = runCli([fixture], join(dir, 'reports'));
    assert.notEqual(r.status, 0, `a wrong assertion passed:\n${r.stdout}`);
    assert.match(r.stdout + r.stderr, /entity\.name\.function\.call\.modelspec/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every scope the grammar can emit is asserted by some fixture', () => {
  const grammar = JSON.parse(readFileSync(GRAMMAR, 'utf8')) as { repository: unknown };
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'name' || key === 'contentName') && typeof value === 'string') names.add(value);
        else walk(value);
      }
    }
  };
  walk(grammar.repository);
  const asserted = new Set(
    FIXTURES.flatMap((f) =>
      readFileSync(join(__dirname, f), 'utf8')
        .split('\n')
        .flatMap((line) => /^\/\/\s*(?:\^+|<-+)\s+(.*)$/.exec(line)?.[1].split(/\s+/) ?? []),
    ),
  );
  const missing = [...names].filter((n) => !asserted.has(n)).sort();
  assert.deepEqual(missing, [], `scopes no fixture asserts: ${missing.join(', ')}`);
});

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => (scopeName === 'source.modelspec' ? vsctm.parseRawGrammar(readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null),
  });
  const grammar = await registry.loadGrammar('source.modelspec');
  assert.ok(grammar, 'the grammar did not load');
  return grammar;
}

test('the samples tokenize with nothing invalid and nothing left unscoped', async () => {
  const grammar = await loadGrammar();
  const samples = readdirSync(join(ROOT, 'samples')).filter((f) => f.endsWith('.model'));
  assert.ok(samples.length > 0);
  const problems: string[] = [];
  for (const sample of samples) {
    let stack = vsctm.INITIAL;
    readFileSync(join(ROOT, 'samples', sample), 'utf8')
      .split(/\r?\n/)
      .forEach((line, i) => {
        const { tokens, ruleStack } = grammar.tokenizeLine(line, stack);
        stack = ruleStack;
        for (const t of tokens) {
          const text = line.slice(t.startIndex, t.endIndex);
          if (!text.trim()) continue;
          const where = `${sample}:${i + 1}:${t.startIndex + 1} ${JSON.stringify(text)}`;
          if (t.scopes.some((s) => s.startsWith('invalid.'))) problems.push(`${where} is invalid (${t.scopes.join(' ')})`);
          // Whitespace aside, every token should say what it is: meta scopes alone do not colour anything.
          if (!t.scopes.some((s) => s !== 'source.modelspec' && !s.startsWith('meta.'))) problems.push(`${where} has no scope`);
        }
      });
  }
  assert.deepEqual(problems, []);
});
