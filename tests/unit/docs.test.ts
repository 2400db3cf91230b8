import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogPage, diagnosticsPage } from '../../scripts/gen-docs';

const ROOT = join(__dirname, '../..');

test('docs/layers.md is generated from the current catalogue (npm run docs)', () => {
  assert.equal(readFileSync(join(ROOT, 'docs/layers.md'), 'utf8'), catalogPage());
});

test('docs/diagnostics.md lists every current code (npm run docs)', () => {
  assert.equal(readFileSync(join(ROOT, 'docs/diagnostics.md'), 'utf8'), diagnosticsPage());
});
