import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runsDirFor } from '../training/runs';

/**
 * Where past runs can be: the runs folder of every folder that holds a .model file,
 * found under the workspace folders (shallowly: a workspace with a huge tree must not
 * stall the panel), plus those of specs opened or trained in this session.
 */
const MAX_DEPTH = 4;
const MAX_DIRECTORIES = 2000;
const SKIPPED = new Set(['node_modules', 'dist', 'out', 'build', '__pycache__', 'venv']);

export function specFolders(roots: readonly string[]): string[] {
  const found: string[] = [];
  let budget = MAX_DIRECTORIES;
  const walk = (dir: string, depth: number) => {
    if (budget-- <= 0) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && e.name.endsWith('.model'))) found.push(dir);
    if (depth >= MAX_DEPTH) return;
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.') && !SKIPPED.has(e.name)) walk(join(dir, e.name), depth + 1);
    }
  };
  for (const root of roots) walk(root, 0);
  return found;
}

/** The runs folders of the given spec folders and spec files, without duplicates. */
export function runsFolders(specDirs: Iterable<string>, specFiles: Iterable<string>, configured: string | undefined): string[] {
  const out = new Set<string>();
  for (const dir of specDirs) out.add(runsDirFor(join(dir, 'any.model'), configured));
  for (const file of specFiles) out.add(runsDirFor(file, configured));
  return [...out];
}
