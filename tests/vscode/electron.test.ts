// The @vscode/test-electron suite: runs tests/vscode/suite inside VS Code desktop with the
// extension loaded. VS Code must be downloaded for that; where it cannot be (no network,
// as on our CI machines), the test reports itself skipped with the download's error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const ROOT = resolve(__dirname, '../..');

test('the extension works inside VS Code desktop', async (t) => {
  let executable: string;
  try {
    executable = await Promise.race([
      downloadAndUnzipVSCode('stable'),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('download timed out after 60 s')), 60_000).unref()),
    ]);
  } catch (err) {
    t.skip(`VS Code desktop cannot be downloaded on this machine: ${(err as Error).message}`);
    return;
  }
  const code = await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: resolve(__dirname, 'suite/index.js'),
    launchArgs: [resolve(ROOT, 'samples'), '--disable-extensions'],
  });
  assert.equal(code, 0);
});
