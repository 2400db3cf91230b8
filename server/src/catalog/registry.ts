import type { CatalogEntry } from './types';
import { dense } from './dense';

/**
 * Every layer and estimator the language knows, by name. Adding a layer means adding
 * its entry to a family file and listing it here.
 */
const ENTRIES: readonly CatalogEntry[] = [dense];

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
