import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Python that exports are made of lives in real .py files (export/python/), so it can
 * be read, linted and compiled as Python. From the sources they sit in `python/` next to
 * this module; the build copies them to `dist/python/`, next to the bundles.
 */
const cache = new Map<string, string>();

export function pythonSource(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(__dirname, 'python', name), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** A top-level class or function of a Python file and the names it defines. */
interface Section {
  readonly name: string;
  readonly text: string;
}

/** The file's top-level `class` and `def` blocks, in order; what precedes the first (imports, comments) is left out. */
export function pythonSections(name: string): Section[] {
  const lines = pythonSource(name).split('\n');
  const sections: Section[] = [];
  let current: { name: string; lines: string[] } | undefined;
  for (const line of lines) {
    const start = /^(?:class|def) (\w+)/.exec(line);
    if (start) {
      if (current) sections.push(finish(current));
      current = { name: start[1], lines: [] };
    } else if (current && /^\S/.test(line) && !line.startsWith('#')) {
      // Top-level code after a definition ends it.
      sections.push(finish(current));
      current = undefined;
    }
    current?.lines.push(line);
  }
  if (current) sections.push(finish(current));
  return sections;
}

function finish(s: { name: string; lines: string[] }): Section {
  return { name: s.name, text: s.lines.join('\n').trimEnd() };
}

/**
 * The named sections of a file and every section they use (a word of their text that names
 * another section), in the file's order, so a class is defined before one that uses it.
 */
export function sectionsWithDependencies(file: string, wanted: Iterable<string>): string[] {
  const sections = pythonSections(file);
  const byName = new Map(sections.map((s) => [s.name, s]));
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name)) return;
    const section = byName.get(name);
    if (!section) throw new Error(`${file} has no class or function named ${name}.`);
    needed.add(name);
    for (const other of sections) if (other.name !== name && new RegExp(`\\b${other.name}\\b`).test(section.text)) visit(other.name);
  };
  for (const name of wanted) visit(name);
  return sections.filter((s) => needed.has(s.name)).map((s) => s.text);
}
