import { activationEntries } from './activation';
import { attentionEntries } from './attention';
import { classicalEntries } from './classical';
import { convolutionEntries } from './convolution';
import { dense } from './dense';
import { normalizationEntries } from './normalization';
import { paddingEntries } from './padding';
import { poolingEntries } from './pooling';
import { sequenceEntries } from './sequence';
import { shapeEntries } from './shape';
import { tokenEntries } from './tokens';
import type { CatalogEntry } from './types';

/**
 * Every layer and estimator the language knows, by name. Adding a layer means adding
 * its entry to a family file and listing it here.
 */
const ENTRIES: readonly CatalogEntry[] = [
  dense,
  ...convolutionEntries,
  ...poolingEntries,
  ...shapeEntries,
  ...paddingEntries,
  ...normalizationEntries,
  ...activationEntries,
  ...sequenceEntries,
  ...tokenEntries,
  ...attentionEntries,
  ...classicalEntries,
];

export const CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(ENTRIES.map((e) => [e.name, e]));

export function catalogEntry(name: string): CatalogEntry | undefined {
  return CATALOG.get(name);
}

export function catalogNames(): string[] {
  return [...CATALOG.keys()];
}

export function layerNames(): string[] {
  return [...CATALOG.values()].filter((e) => e.kind === 'layer').map((e) => e.name);
}
