// In an untrusted workspace the server reads no data outside the workspace folders: a
// dataset pointing outside gets `dataset-outside-workspace` (and nothing of the file),
// one inside is read as usual; when the trust changes, diagnostics follow at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { fixtureUri, TestClient } from './client';

let client: TestClient;
let outside: string;
const SECRET = 'SECRET_TOKEN=hunter2';

before(async () => {
  outside = mkdtempSync(join(tmpdir(), 'modelspec-outside-'));
  writeFileSync(join(outside, 'secret.csv'), `${SECRET},label\n`);
  client = await TestClient.start({ initializationOptions: { trusted: false } });
});
after(async () => {
  await client.stop();
  rmSync(outside, { recursive: true, force: true });
});

const dataCodes = (p: PublishDiagnosticsParams) => p.diagnostics.filter((d) => String(d.code).startsWith('dataset-')).map((d) => [d.range.start.line, d.code]);

test('untrusted: data outside the workspace folders is refused, data inside is read; trust changes apply at once', async () => {
  const uri = fixtureUri('untrusted-data.model');
  const text = `dataset Out {\n  source: "${join(outside, 'secret.csv')}"\n}\ndataset In {\n  source: "data/iris.csv"\n}\n`;
  await client.open(uri, text);
  const first = await client.diagnosticsFor(uri);
  assert.deepEqual(dataCodes(first), [[1, 'dataset-outside-workspace']]);
  const refused = first.diagnostics.find((d) => d.code === 'dataset-outside-workspace')!;
  assert.match(refused.message, /secret\.csv is outside the workspace folders\. This workspace is not trusted/);
  assert.ok(!refused.message.includes(SECRET));

  let since = client.published.length;
  await client.connection.sendNotification('modelspec/trustChanged', { trusted: true });
  const trusted = await client.diagnosticsFor(uri, since);
  // Trusted, the file is read: it has a header and no rows.
  assert.deepEqual(dataCodes(trusted), [[1, 'dataset-empty']]);

  since = client.published.length;
  await client.connection.sendNotification('modelspec/trustChanged', { trusted: false });
  assert.deepEqual(dataCodes(await client.diagnosticsFor(uri, since)), [[1, 'dataset-outside-workspace']]);
  assert.ok(client.alive);
});
