// In an untrusted workspace no data is read outside the workspace folders (symbolic links
// followed), and no folder outside them is listed; whatever a data file holds, a message
// echoes at most a short, escaped excerpt of it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';
import { createNodeHost } from '../../../server/src/data/nodeHost';

const dir = mkdtempSync(join(tmpdir(), 'modelspec-trust-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const workspace = join(dir, 'workspace');
const outside = join(dir, 'outside');
mkdirSync(join(workspace, 'data'), { recursive: true });
mkdirSync(outside);
const SECRET = 'SECRET_TOKEN=hunter2';
writeFileSync(join(outside, 'secret.csv'), `${SECRET},label\n1,0\n2,1\n`);
writeFileSync(join(workspace, 'data', 'ok.csv'), 'a,label\n1,0\n2,1\n');
symlinkSync(join(outside, 'secret.csv'), join(workspace, 'data', 'link.csv'));
const spec = join(workspace, 'spec.model');

const check = (source: string, host = createNodeHost({ allowedRoots: [workspace] })) =>
  analyze(`dataset D {\n  source: "${source}"\n}\n`, { file: spec, host }).diagnostics.filter((d) => d.code.startsWith('dataset-'));

test('with allowed roots, a file outside them is refused with its own code and never read', () => {
  for (const source of ['../outside/secret.csv', join(outside, 'secret.csv'), 'data/link.csv']) {
    const found = check(source);
    assert.deepEqual(found.map((d) => d.code), ['dataset-outside-workspace'], source);
    assert.match(found[0].message, /is outside the workspace folders\. This workspace is not trusted, so Modelspec reads no data outside its folders/);
    assert.ok(!found[0].message.includes('SECRET'), 'nothing of the file is shown');
  }
  // A near miss outside is not answered with the names of the files there.
  const typo = check('../outside/secrte.csv');
  assert.deepEqual(typo.map((d) => d.code), ['dataset-outside-workspace']);
  assert.doesNotMatch(typo[0].message, /secret/);
  // Inside, data is read as usual.
  assert.deepEqual(check('data/ok.csv'), []);
  // Without roots (a trusted workspace, the CLI), any readable file.
  assert.deepEqual(check('../outside/secret.csv', createNodeHost()), []);
});

test('allowed roots given as a getter follow a change of trust at once', () => {
  let trusted = false;
  const host = createNodeHost({ allowedRoots: () => (trusted ? undefined : [workspace]) });
  assert.deepEqual(check('../outside/secret.csv', host).map((d) => d.code), ['dataset-outside-workspace']);
  trusted = true;
  assert.deepEqual(check('../outside/secret.csv', host), []);
  trusted = false;
  assert.deepEqual(check('../outside/secret.csv', host).map((d) => d.code), ['dataset-outside-workspace'], 'a summary cached while trusted is not handed out');
});

test('a data file that is one long line of NUL-separated variables: the message holds a short, escaped excerpt of it', () => {
  const environ = ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/root', `${SECRET}`, 'LANG=C.UTF-8'].join('\0') + '\0';
  writeFileSync(join(workspace, 'data', 'environ'), environ);
  const found = check('data/environ');
  assert.equal(found.length, 1);
  const [d] = found;
  assert.equal(d.code, 'dataset-empty');
  assert.ok(!d.message.includes('\0'), 'no control character');
  assert.ok(!d.message.includes(SECRET) && !d.message.includes('hunter2'), d.message);
  assert.match(d.message, /has a header \("PATH=\/usr\/local\/bin:\/usr\/bin:\/bi…" \(79 characters\)\) but no data rows/);
});

test('cells, labels and column names echoed in messages are short and escaped', () => {
  const long = 'x'.repeat(5000);
  const cases: [string, string][] = [
    ['bad-cell.csv', `a,label\n${long}\u202e,0\n1,1\n`],
    ['bad-label.csv', `a,label\n1,${long}\n`],
    ['bad-name.csv', `${long}\u0007,label\n`],
  ];
  for (const [name, text] of cases) {
    writeFileSync(join(workspace, 'data', name), text);
    const found = check(`data/${name}`);
    assert.ok(found.length > 0, name);
    for (const d of found) {
      assert.ok(d.message.length < 400, `${name}: ${d.message.length} characters`);
      assert.ok(!/[\u0000-\u001f\u202e]/.test(d.message), `${name}: ${JSON.stringify(d.message)}`);
    }
  }
});
