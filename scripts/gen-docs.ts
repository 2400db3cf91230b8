// Writes the reference pages generated from the catalogue and the diagnostic table, so the
// docs cannot drift from what the checker does. `--check` exits 1 when a page is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODES } from '../server/src/analysis/diagnostics';
import { CATALOG } from '../server/src/catalog/registry';
import { DATASET_SETTINGS, MODEL_SETTINGS, OPTIMIZERS, RESIDUAL_ARGS, TRAIN_SETTINGS } from '../server/src/catalog/settings';
import type { ArgSpec, Family } from '../server/src/catalog/types';
import { describeRange } from '../server/src/analysis/args';

const ROOT = join(__dirname, '..');

function argTable(args: readonly ArgSpec[]): string {
  if (args.length === 0) return '_No arguments._\n';
  const rows = args.map((a) => {
    const type =
      a.type === 'enum' || a.type === 'enum_list'
        ? `${a.type === 'enum_list' ? 'list of ' : ''}${(a.values ?? []).join(' \\| ')}`
        : a.type === 'padding'
          ? [...(a.values ?? []), 'sizes'].join(' \\| ')
          : a.type;
    const def = a.required ? '**required**' : a.default === undefined ? '—' : `\`${Array.isArray(a.default) ? `[${a.default.join(', ')}]` : String(a.default)}\``;
    const range = a.min !== undefined || a.max !== undefined ? describeRange(a) : '';
    return `| \`${a.name}\` | ${type} | ${def} | ${range} | ${a.doc.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`;
  });
  return ['| argument | type | default | range | meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

const FAMILY_TITLES: Record<Family, string> = {
  dense: 'Dense',
  convolution: 'Convolution',
  pooling: 'Pooling',
  shape: 'Shape',
  normalization: 'Normalisation',
  activation: 'Activations',
  sequence: 'Sequence',
  attention: 'Attention',
  classical: 'Classical estimators',
};

export function catalogPage(): string {
  const out: string[] = [
    '# Layer and estimator reference',
    '',
    '_Generated from the catalogue by `npm run docs`; do not edit by hand._',
    '',
    'Shapes exclude the batch axis and are channels-last. Parameters are exact and equal to',
    "what the training engine builds; MACs count one forward pass of one sample (see",
    '[estimates.md](estimates.md)). Arguments are positional in the order listed, or named.',
    '',
  ];
  for (const family of Object.keys(FAMILY_TITLES) as Family[]) {
    const entries = [...CATALOG.values()].filter((e) => e.family === family);
    if (!entries.length) continue;
    out.push(`## ${FAMILY_TITLES[family]}`, '');
    for (const e of entries) {
      out.push(`### \`${e.name}\``, '', e.summary, '', e.doc, '', argTable(e.args));
    }
  }
  out.push('## Structure', '', '### `residual`', '', argTable(RESIDUAL_ARGS));
  out.push('## Settings', '', '### dataset', '', argTable(DATASET_SETTINGS), '### model', '', argTable(MODEL_SETTINGS), '### train', '', argTable(TRAIN_SETTINGS));
  out.push('### optimizers', '');
  for (const o of OPTIMIZERS) out.push(`#### \`${o.name}\``, '', o.doc, '', argTable(o.args));
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

export function diagnosticsPage(): string {
  const rows = Object.entries(CODES).map(([code, info]) => `| \`${code}\` | ${info.severity} | ${info.summary} |`);
  return [
    '# Diagnostic codes',
    '',
    '_Generated from `server/src/analysis/diagnostics.ts` by `npm run docs`; do not edit by hand._',
    '',
    'Codes are stable: scripts and editor settings may rely on them. Each is tested with a',
    'failing example in `tests/unit/analysis/diagnostics.test.ts`.',
    '',
    '| code | severity | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (require.main === module) {
  const pages: [string, string][] = [
    ['docs/layers.md', catalogPage()],
    ['docs/diagnostics.md', diagnosticsPage()],
  ];
  const check = process.argv.includes('--check');
  let stale = false;
  for (const [path, text] of pages) {
    const full = join(ROOT, path);
    let current = '';
    try {
      current = readFileSync(full, 'utf8');
    } catch {
      // missing: written below, or stale under --check
    }
    if (current === text) continue;
    if (check) {
      console.error(`${path} is stale: run npm run docs`);
      stale = true;
    } else writeFileSync(full, text);
  }
  process.exit(stale ? 1 : 0);
}
